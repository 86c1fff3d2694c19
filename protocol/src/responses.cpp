#include "cqlwire/protocol/responses.hpp"

#include <type_traits>

#include "response_frame.hpp"

namespace cqlwire::protocol {
namespace {

// <cl><received><blockfor>, the start of the timeout and failure errors.
std::error_code read_cl_received_blockfor(byte_reader& r, consistency& cl, std::int32_t& received,
                                          std::int32_t& block_for) {
    if (auto ec = r.read_consistency(cl)) return ec;
    if (auto ec = r.read_int(received)) return ec;
    return r.read_int(block_for);
}

std::error_code read_flag_byte(byte_reader& r, bool& out) {
    std::uint8_t b = 0;
    if (auto ec = r.read_byte(b)) return ec;
    out = b != 0;
    return {};
}

std::error_code read_error_details(byte_reader& r, std::int32_t code, error_details& out) {
    switch (static_cast<server_errc>(code)) {
    case server_errc::unavailable: {
        unavailable_info i;
        if (auto ec = r.read_consistency(i.consistency_level)) return ec;
        if (auto ec = r.read_int(i.required)) return ec;
        if (auto ec = r.read_int(i.alive)) return ec;
        out = i;
        return {};
    }
    case server_errc::write_timeout: {
        write_timeout_info i;
        if (auto ec = read_cl_received_blockfor(r, i.consistency_level, i.received, i.block_for)) return ec;
        if (auto ec = r.read_string(i.write_type)) return ec;
        out = i;
        return {};
    }
    case server_errc::read_timeout: {
        read_timeout_info i;
        if (auto ec = read_cl_received_blockfor(r, i.consistency_level, i.received, i.block_for)) return ec;
        if (auto ec = read_flag_byte(r, i.data_present)) return ec;
        out = i;
        return {};
    }
    case server_errc::read_failure: {
        read_failure_info i;
        if (auto ec = read_cl_received_blockfor(r, i.consistency_level, i.received, i.block_for)) return ec;
        if (auto ec = r.read_int(i.num_failures)) return ec;
        if (auto ec = read_flag_byte(r, i.data_present)) return ec;
        out = i;
        return {};
    }
    case server_errc::function_failure: {
        function_failure_info i;
        if (auto ec = r.read_string(i.keyspace)) return ec;
        if (auto ec = r.read_string(i.function)) return ec;
        if (auto ec = r.read_string_list(i.arg_types)) return ec;
        out = std::move(i);
        return {};
    }
    case server_errc::write_failure: {
        write_failure_info i;
        if (auto ec = read_cl_received_blockfor(r, i.consistency_level, i.received, i.block_for)) return ec;
        if (auto ec = r.read_int(i.num_failures)) return ec;
        if (auto ec = r.read_string(i.write_type)) return ec;
        out = i;
        return {};
    }
    case server_errc::already_exists: {
        already_exists_info i;
        if (auto ec = r.read_string(i.keyspace)) return ec;
        if (auto ec = r.read_string(i.table)) return ec;
        out = i;
        return {};
    }
    case server_errc::unprepared: {
        unprepared_info i;
        if (auto ec = r.read_short_bytes(i.id)) return ec;
        out = i;
        return {};
    }
    default: out = std::monostate{}; return {};
    }
}

struct target_name {
    schema_change_target target;
    std::string_view name;
};
constexpr target_name target_names[] = {
    {schema_change_target::keyspace, "KEYSPACE"}, {schema_change_target::table, "TABLE"},
    {schema_change_target::type, "TYPE"},         {schema_change_target::function, "FUNCTION"},
    {schema_change_target::aggregate, "AGGREGATE"},
};

struct event_name {
    event_type type;
    std::string_view name;
};
constexpr event_name event_names[] = {
    {event_type::topology_change, "TOPOLOGY_CHANGE"},
    {event_type::status_change, "STATUS_CHANGE"},
    {event_type::schema_change, "SCHEMA_CHANGE"},
};

std::error_code encode_token(std::vector<std::uint8_t>& out, const response_frame_options& frame, opcode op,
                             raw_value token) {
    if (token.is_not_set()) return make_error_code(client_errc::bad_value);  // [bytes] has no "not set"
    auto b = detail::begin_response(out, frame, op);
    b.writer().write_value(token);
    return b.finish();
}

}  // namespace

std::string_view to_string(schema_change_target t) noexcept {
    for (const auto& n : target_names)
        if (n.target == t) return n.name;
    return "UNKNOWN";
}

std::string_view to_string(event_type t) noexcept {
    for (const auto& n : event_names)
        if (n.type == t) return n.name;
    return "UNKNOWN";
}

std::error_code decode_response_prefix(const frame_header& header, bytes_view body, response_prefix& out,
                                       bytes_view& rest) {
    out = {};
    byte_reader r(body);
    if (header.has_flag(frame_flags::tracing)) {
        uuid id;
        if (auto ec = r.read_uuid(id)) return ec;
        out.tracing_id = id;
    }
    if (header.has_flag(frame_flags::warning)) {
        std::vector<std::string_view> warnings;
        if (auto ec = r.read_string_list(warnings)) return ec;
        out.warnings = std::move(warnings);
    }
    if (header.has_flag(frame_flags::custom_payload)) {
        bytes_map_view payload;
        if (auto ec = r.read_bytes_map(payload)) return ec;
        out.custom_payload = std::move(payload);
    }
    rest = r.rest();
    return {};
}

std::error_code decode_error(bytes_view body, error_view& out) {
    byte_reader r(body);
    if (auto ec = r.read_int(out.code)) return ec;
    // The one wire code that error_code() cannot carry: its value stands for Server_error (0).
    if (out.code == server_error_code_value_for_zero) return make_error_code(client_errc::unknown_error_code);
    if (auto ec = r.read_string(out.message)) return ec;
    return read_error_details(r, out.code, out.details);
}

std::error_code decode_ready(bytes_view) noexcept { return {}; }

std::error_code decode_authenticate(bytes_view body, std::string_view& authenticator_class) noexcept {
    byte_reader r(body);
    return r.read_string(authenticator_class);
}

std::error_code decode_supported(bytes_view body, string_multimap_view& options) {
    byte_reader r(body);
    return r.read_string_multimap(options);
}

std::error_code decode_auth_challenge(bytes_view body, raw_value& token) noexcept {
    byte_reader r(body);
    return r.read_bytes(token);
}

std::error_code decode_auth_success(bytes_view body, raw_value& token) noexcept {
    byte_reader r(body);
    return r.read_bytes(token);
}

std::error_code decode_schema_change(byte_reader& r, schema_change_view& out) {
    std::string_view target;
    if (auto ec = r.read_string(out.change_type)) return ec;
    if (auto ec = r.read_string(target)) return ec;
    const target_name* known = nullptr;
    for (const auto& n : target_names)
        if (n.name == target) known = &n;
    if (!known) return make_error_code(client_errc::bad_value);
    out.target = known->target;
    out.name = {};
    out.argument_types.clear();
    if (auto ec = r.read_string(out.keyspace)) return ec;
    if (out.target == schema_change_target::keyspace) return {};
    if (auto ec = r.read_string(out.name)) return ec;
    if (out.target == schema_change_target::table || out.target == schema_change_target::type) return {};
    return r.read_string_list(out.argument_types);
}

std::error_code decode_event(bytes_view body, event_view& out) {
    byte_reader r(body);
    std::string_view type;
    if (auto ec = r.read_string(type)) return ec;
    const event_name* known = nullptr;
    for (const auto& n : event_names)
        if (n.name == type) known = &n;
    if (!known) return make_error_code(client_errc::unknown_event_type);
    out.type = known->type;
    if (out.type == event_type::schema_change) {
        out.change = {};
        out.address = {};
        return decode_schema_change(r, out.schema_change);
    }
    out.schema_change = {};
    if (auto ec = r.read_string(out.change)) return ec;
    return r.read_inet(out.address);
}

std::error_code encode_error(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                             const error_view& error) {
    auto b = detail::begin_response(out, frame, opcode::error);
    auto& w = b.writer();
    w.write_int(error.code);
    w.write_string(error.message);
    std::visit(
        [&w](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, unavailable_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.required);
                w.write_int(d.alive);
            } else if constexpr (std::is_same_v<T, write_timeout_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_string(d.write_type);
            } else if constexpr (std::is_same_v<T, read_timeout_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_byte(d.data_present ? 1 : 0);
            } else if constexpr (std::is_same_v<T, read_failure_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_int(d.num_failures);
                w.write_byte(d.data_present ? 1 : 0);
            } else if constexpr (std::is_same_v<T, function_failure_info>) {
                w.write_string(d.keyspace);
                w.write_string(d.function);
                w.write_string_list(d.arg_types);
            } else if constexpr (std::is_same_v<T, write_failure_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_int(d.num_failures);
                w.write_string(d.write_type);
            } else if constexpr (std::is_same_v<T, already_exists_info>) {
                w.write_string(d.keyspace);
                w.write_string(d.table);
            } else if constexpr (std::is_same_v<T, unprepared_info>) {
                w.write_short_bytes(d.id);
            }
        },
        error.details);
    return b.finish();
}

std::error_code encode_ready(std::vector<std::uint8_t>& out, const response_frame_options& frame) {
    auto b = detail::begin_response(out, frame, opcode::ready);
    return b.finish();
}

std::error_code encode_authenticate(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                    std::string_view authenticator_class) {
    auto b = detail::begin_response(out, frame, opcode::authenticate);
    b.writer().write_string(authenticator_class);
    return b.finish();
}

std::error_code encode_supported(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                 std::span<const std::pair<std::string_view, std::vector<std::string_view>>> options) {
    auto b = detail::begin_response(out, frame, opcode::supported);
    b.writer().write_string_multimap(options);
    return b.finish();
}

std::error_code encode_auth_challenge(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                      raw_value token) {
    return encode_token(out, frame, opcode::auth_challenge, token);
}

std::error_code encode_auth_success(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                    raw_value token) {
    return encode_token(out, frame, opcode::auth_success, token);
}

void encode_schema_change(byte_writer& w, const schema_change_view& change) {
    w.write_string(change.change_type);
    w.write_string(to_string(change.target));
    w.write_string(change.keyspace);
    if (change.target == schema_change_target::keyspace) return;
    w.write_string(change.name);
    if (change.target == schema_change_target::table || change.target == schema_change_target::type) return;
    w.write_string_list(change.argument_types);
}

std::error_code encode_event(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                             const event_view& event) {
    auto b = detail::begin_response(out, frame, opcode::event);
    auto& w = b.writer();
    w.write_string(to_string(event.type));
    if (event.type == event_type::schema_change) {
        encode_schema_change(w, event.schema_change);
    } else {
        w.write_string(event.change);
        w.write_inet(event.address);
    }
    return b.finish();
}

}  // namespace cqlwire::protocol

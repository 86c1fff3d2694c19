#include "cqlwire/protocol/responses.hpp"

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

}  // namespace cqlwire::protocol

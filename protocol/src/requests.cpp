#include "cqlwire/protocol/requests.hpp"

#include <limits>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "frame_builder.hpp"

namespace cqlwire::protocol {
namespace {

std::error_code check_frame(const request_frame_options& frame) noexcept {
    if (frame.stream < 0) return make_error_code(client_errc::value_out_of_range);
    // v5 frames are wrapped in segments, which these encoders do not write.
    if (frame.version != 3 && frame.version != protocol_v4) return make_error_code(client_errc::bad_version);
    return {};
}

std::uint8_t frame_flags_of(const request_frame_options& frame) noexcept {
    std::uint8_t flags = 0;
    if (frame.tracing) flags |= frame_flags::tracing;
    if (frame.custom_payload) flags |= frame_flags::custom_payload;
    return flags;
}

// Starts a request frame and writes the custom payload, which comes before the message body.
detail::frame_builder begin_request(std::vector<std::uint8_t>& out, const request_frame_options& frame, opcode op) {
    detail::frame_builder b(out, frame.version, frame_flags_of(frame), frame.stream, op);
    if (frame.custom_payload) b.writer().write_bytes_map(*frame.custom_payload);
    return b;
}

// UNSET ([bytes] of length -2) exists from v4 on; a v3 server would read it as malformed.
bool unset_refused(const request_frame_options& frame, std::span<const raw_value> values) noexcept {
    if (frame.version >= protocol_v4) return false;
    for (const auto& v : values)
        if (v.is_not_set()) return true;
    return false;
}

void write_values(byte_writer& w, std::span<const raw_value> values) {
    if (values.size() > std::numeric_limits<std::uint16_t>::max()) {
        w.fail(make_error_code(client_errc::too_many_values));
        return;
    }
    w.write_short(static_cast<std::uint16_t>(values.size()));
    for (const auto& v : values) w.write_value(v);
}

void write_query_parameters(byte_writer& w, const query_parameters& p) {
    if (!p.names.empty() && p.names.size() != p.values.size()) {
        w.fail(make_error_code(client_errc::bad_value));
        return;
    }
    if (p.default_timestamp && *p.default_timestamp < 0) {
        w.fail(make_error_code(client_errc::value_out_of_range));
        return;
    }
    std::uint8_t flags = 0;
    if (!p.values.empty()) flags |= query_flags::values;
    if (!p.names.empty()) flags |= query_flags::with_names_for_values;
    if (p.skip_metadata) flags |= query_flags::skip_metadata;
    if (p.page_size) flags |= query_flags::page_size;
    if (p.paging_state) flags |= query_flags::with_paging_state;
    if (p.serial_consistency) flags |= query_flags::with_serial_consistency;
    if (p.default_timestamp) flags |= query_flags::with_default_timestamp;

    w.write_consistency(p.consistency_level);
    w.write_byte(flags);
    if (!p.values.empty()) {
        if (p.values.size() > std::numeric_limits<std::uint16_t>::max()) {
            w.fail(make_error_code(client_errc::too_many_values));
            return;
        }
        w.write_short(static_cast<std::uint16_t>(p.values.size()));
        for (std::size_t i = 0; i < p.values.size(); ++i) {
            if (!p.names.empty()) w.write_string(p.names[i]);
            w.write_value(p.values[i]);
        }
    }
    if (p.page_size) w.write_int(*p.page_size);
    if (p.paging_state) w.write_bytes(*p.paging_state);
    if (p.serial_consistency) w.write_consistency(*p.serial_consistency);
    if (p.default_timestamp) w.write_long(*p.default_timestamp);
}

// n [value]s, each optionally preceded by a [string] name. A [value] takes at least four
// bytes (and a name two more), which bounds how many the input can honestly hold.
std::error_code read_values(byte_reader& r, bool named, std::vector<raw_value>& values,
                            std::vector<std::string_view>& names) {
    std::uint16_t n = 0;
    if (auto ec = r.read_short(n)) return ec;
    if (n > r.remaining() / (named ? 6 : 4)) return make_error_code(client_errc::truncated);
    values.clear();
    names.clear();
    values.reserve(n);
    if (named) names.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) {
        if (named) {
            std::string_view name;
            if (auto ec = r.read_string(name)) return ec;
            names.push_back(name);
        }
        raw_value v;
        if (auto ec = r.read_value(v)) return ec;
        values.push_back(v);
    }
    return {};
}

std::error_code read_optional_consistency(byte_reader& r, bool present, std::optional<consistency>& out) {
    out.reset();
    if (!present) return {};
    consistency c{};
    if (auto ec = r.read_consistency(c)) return ec;
    out = c;
    return {};
}

std::error_code read_optional_long(byte_reader& r, bool present, std::optional<std::int64_t>& out) {
    out.reset();
    if (!present) return {};
    std::int64_t v = 0;
    if (auto ec = r.read_long(v)) return ec;
    out = v;
    return {};
}

}  // namespace

std::error_code encode_startup(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                               std::span<const string_map_entry> options) {
    if (auto ec = check_frame(frame)) return ec;
    auto b = begin_request(out, frame, opcode::startup);
    b.writer().write_string_map(options);
    return b.finish();
}

std::error_code encode_options(std::vector<std::uint8_t>& out, const request_frame_options& frame) {
    if (auto ec = check_frame(frame)) return ec;
    auto b = begin_request(out, frame, opcode::options);
    return b.finish();
}

std::error_code encode_auth_response(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                     raw_value token) {
    if (auto ec = check_frame(frame)) return ec;
    if (token.is_not_set()) return make_error_code(client_errc::bad_value);  // [bytes] has no "not set"
    auto b = begin_request(out, frame, opcode::auth_response);
    b.writer().write_value(token);
    return b.finish();
}

std::error_code encode_query(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                             std::string_view query, const query_parameters& parameters) {
    if (auto ec = check_frame(frame)) return ec;
    if (unset_refused(frame, parameters.values)) return make_error_code(client_errc::bad_value);
    auto b = begin_request(out, frame, opcode::query);
    b.writer().write_long_string(query);
    write_query_parameters(b.writer(), parameters);
    return b.finish();
}

std::error_code encode_prepare(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                               std::string_view query) {
    if (auto ec = check_frame(frame)) return ec;
    auto b = begin_request(out, frame, opcode::prepare);
    b.writer().write_long_string(query);
    return b.finish();
}

std::error_code encode_execute(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                               bytes_view prepared_id, const query_parameters& parameters) {
    if (auto ec = check_frame(frame)) return ec;
    if (unset_refused(frame, parameters.values)) return make_error_code(client_errc::bad_value);
    auto b = begin_request(out, frame, opcode::execute);
    b.writer().write_short_bytes(prepared_id);
    write_query_parameters(b.writer(), parameters);
    return b.finish();
}

std::error_code encode_batch(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                             const batch_request& batch) {
    if (auto ec = check_frame(frame)) return ec;
    if (batch.statements.size() > std::numeric_limits<std::uint16_t>::max())
        return make_error_code(client_errc::too_many_values);
    if (batch.default_timestamp && *batch.default_timestamp < 0)
        return make_error_code(client_errc::value_out_of_range);
    for (const auto& s : batch.statements)
        if (unset_refused(frame, s.values)) return make_error_code(client_errc::bad_value);
    auto b = begin_request(out, frame, opcode::batch);
    auto& w = b.writer();
    w.write_byte(static_cast<std::uint8_t>(batch.type));
    w.write_short(static_cast<std::uint16_t>(batch.statements.size()));
    for (const auto& s : batch.statements) {
        w.write_byte(static_cast<std::uint8_t>(s.statement_kind));
        if (s.statement_kind == batch_statement::kind::prepared)
            w.write_short_bytes(s.prepared_id);
        else
            w.write_long_string(s.query);
        write_values(w, s.values);
    }
    std::uint8_t flags = 0;
    if (batch.serial_consistency) flags |= query_flags::with_serial_consistency;
    if (batch.default_timestamp) flags |= query_flags::with_default_timestamp;
    w.write_consistency(batch.consistency_level);
    w.write_byte(flags);
    if (batch.serial_consistency) w.write_consistency(*batch.serial_consistency);
    if (batch.default_timestamp) w.write_long(*batch.default_timestamp);
    return b.finish();
}

std::error_code encode_register(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                std::span<const std::string_view> event_types) {
    if (auto ec = check_frame(frame)) return ec;
    auto b = begin_request(out, frame, opcode::register_);
    b.writer().write_string_list(event_types);
    return b.finish();
}

std::error_code decode_request_prefix(const frame_header& header, bytes_view body, request_prefix& out,
                                      bytes_view& rest) {
    out.custom_payload.reset();
    byte_reader r(body);
    if (header.has_flag(frame_flags::custom_payload)) {
        bytes_map_view payload;
        if (auto ec = r.read_bytes_map(payload)) return ec;
        out.custom_payload = std::move(payload);
    }
    rest = r.rest();
    return {};
}

std::error_code decode_startup(bytes_view body, string_map_view& options) {
    byte_reader r(body);
    return r.read_string_map(options);
}

std::error_code decode_auth_response(bytes_view body, raw_value& token) noexcept {
    byte_reader r(body);
    return r.read_bytes(token);
}

std::error_code decode_query_parameters(byte_reader& r, query_parameters_view& out) {
    if (auto ec = r.read_consistency(out.consistency_level)) return ec;
    if (auto ec = r.read_byte(out.flags)) return ec;
    const std::uint8_t f = out.flags;
    out.values.clear();
    out.names.clear();
    if (f & query_flags::values) {
        if (auto ec = read_values(r, (f & query_flags::with_names_for_values) != 0, out.values, out.names))
            return ec;
    }
    out.skip_metadata = (f & query_flags::skip_metadata) != 0;
    out.page_size.reset();
    if (f & query_flags::page_size) {
        std::int32_t n = 0;
        if (auto ec = r.read_int(n)) return ec;
        out.page_size = n;
    }
    out.paging_state.reset();
    if (f & query_flags::with_paging_state) {
        raw_value state;
        if (auto ec = r.read_bytes(state)) return ec;
        out.paging_state = state;
    }
    if (auto ec = read_optional_consistency(r, (f & query_flags::with_serial_consistency) != 0,
                                            out.serial_consistency))
        return ec;
    return read_optional_long(r, (f & query_flags::with_default_timestamp) != 0, out.default_timestamp);
}

std::error_code decode_query(bytes_view body, query_view& out) {
    byte_reader r(body);
    if (auto ec = r.read_long_string(out.query)) return ec;
    return decode_query_parameters(r, out.parameters);
}

std::error_code decode_prepare(bytes_view body, std::string_view& query) noexcept {
    byte_reader r(body);
    return r.read_long_string(query);
}

std::error_code decode_execute(bytes_view body, execute_view& out) {
    byte_reader r(body);
    if (auto ec = r.read_short_bytes(out.prepared_id)) return ec;
    return decode_query_parameters(r, out.parameters);
}

std::error_code decode_batch(bytes_view body, batch_view& out) {
    byte_reader r(body);
    std::uint8_t type = 0;
    if (auto ec = r.read_byte(type)) return ec;
    if (type > static_cast<std::uint8_t>(batch_type::counter)) return make_error_code(client_errc::bad_value);
    out.type = static_cast<batch_type>(type);
    std::uint16_t n = 0;
    if (auto ec = r.read_short(n)) return ec;
    // A statement is at least a kind byte, a two-byte id length and a two-byte value count.
    if (n > r.remaining() / 5) return make_error_code(client_errc::truncated);
    out.statements.clear();
    out.statements.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) {
        batch_statement_view s;
        std::uint8_t kind = 0;
        if (auto ec = r.read_byte(kind)) return ec;
        if (kind == 0) {
            s.statement_kind = batch_statement::kind::query;
            if (auto ec = r.read_long_string(s.query)) return ec;
        } else if (kind == 1) {
            s.statement_kind = batch_statement::kind::prepared;
            if (auto ec = r.read_short_bytes(s.prepared_id)) return ec;
        } else {
            return make_error_code(client_errc::bad_value);
        }
        std::vector<std::string_view> no_names;
        if (auto ec = read_values(r, false, s.values, no_names)) return ec;
        out.statements.push_back(std::move(s));
    }
    if (auto ec = r.read_consistency(out.consistency_level)) return ec;
    if (auto ec = r.read_byte(out.flags)) return ec;
    // Names would come before each value, but the flag that announces them comes after all
    // the values: the layout cannot be read, and Cassandra refuses it as well.
    if (out.flags & query_flags::with_names_for_values) return make_error_code(client_errc::bad_value);
    if (auto ec = read_optional_consistency(r, (out.flags & query_flags::with_serial_consistency) != 0,
                                            out.serial_consistency))
        return ec;
    return read_optional_long(r, (out.flags & query_flags::with_default_timestamp) != 0, out.default_timestamp);
}

std::error_code decode_register(bytes_view body, std::vector<std::string_view>& event_types) {
    byte_reader r(body);
    return r.read_string_list(event_types);
}

}  // namespace cqlwire::protocol

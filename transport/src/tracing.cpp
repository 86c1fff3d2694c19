// Request tracing and reading system_traces; see tracing.hpp.
#include "cqlwire/transport/tracing.hpp"

#include <thread>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {
namespace {

namespace p = protocol;

// Runs one query and decodes its Rows result into `result` (which keeps `r` alive for the
// views). Anything but Rows is a bad value: these statements are SELECTs.
std::error_code select_rows(connection& conn, const std::string& cql, p::consistency consistency, response& r,
                            p::result_view& result, p::diagnostics& diag) {
    p::query_parameters params;
    params.consistency_level = consistency;
    std::error_code ec;
    r = conn.query(cql, params, ec, diag);
    if (ec) return ec;
    p::response_prefix prefix;
    p::bytes_view message;
    if (auto e = r.split_prefix(prefix, message)) return e;
    if (auto e = p::decode_result(message, result)) return e;
    if (result.kind != p::result_kind::rows) {
        diag.set_client_message("a system_traces query returned no rows result");
        return p::make_error_code(p::client_errc::unexpected_opcode);
    }
    if (result.rows.column_count() == 0 || result.rows.columns().empty()) {
        diag.set_client_message("a system_traces query returned rows without column metadata");
        return p::make_error_code(p::client_errc::bad_value);
    }
    return {};
}

// Null-tolerant readers: a null cell leaves the default.
std::error_code read_text(const p::value_view& v, std::string& out) {
    if (v.is_null()) return {};
    std::string_view s;
    if (auto ec = p::to_text(v, s)) return ec;
    out.assign(s);
    return {};
}

std::error_code read_inet(const p::value_view& v, std::string& out) {
    if (v.is_null()) return {};
    p::inet_address a;
    if (auto ec = p::to_inet(v, a)) return ec;
    out = p::to_string(a);
    return {};
}

std::error_code read_parameters(const p::value_view& v, std::vector<std::pair<std::string, std::string>>& out) {
    if (v.is_null() || v.is_empty()) return {};
    p::map_cursor c;
    if (auto ec = p::open_entries(v, c)) return ec;
    p::value_view key = v;
    p::value_view value = v;
    while (!c.at_end()) {
        if (auto ec = c.next(key, value)) return ec;
        auto& entry = out.emplace_back();
        if (auto ec = read_text(key, entry.first)) return ec;
        if (auto ec = read_text(value, entry.second)) return ec;
    }
    return {};
}

std::error_code read_session(const p::row_view& row, trace_session& s) {
    // coordinator, duration, request, parameters, started_at, client
    if (auto ec = read_inet(row[0], s.coordinator)) return ec;
    if (!row[1].is_null()) {
        std::int32_t d = 0;
        if (auto ec = p::to_int32(row[1], d)) return ec;
        s.duration_us = d;
    }
    if (auto ec = read_text(row[2], s.request)) return ec;
    s.parameters.clear();
    if (auto ec = read_parameters(row[3], s.parameters)) return ec;
    if (!row[4].is_null()) {
        p::cql_timestamp t;
        if (auto ec = p::to_timestamp(row[4], t)) return ec;
        s.started_at_ms = t.milliseconds;
    }
    return read_inet(row[5], s.client);
}

std::error_code read_event(const p::row_view& row, trace_event& e) {
    // event_id, activity, source, source_elapsed, thread
    if (auto ec = p::to_uuid(row[0], e.event_id)) return ec;
    e.timestamp_us = timeuuid_unix_micros(e.event_id).value_or(0);
    if (auto ec = read_text(row[1], e.activity)) return ec;
    if (auto ec = read_inet(row[2], e.source)) return ec;
    if (!row[3].is_null())
        if (auto ec = p::to_int32(row[3], e.source_elapsed_us)) return ec;
    return read_text(row[4], e.thread);
}

}  // namespace

response traced_query(connection& conn, std::string_view cql, const protocol::query_parameters& parameters,
                      std::error_code& ec, protocol::diagnostics& diag) {
    auto encode = [&](std::vector<std::uint8_t>& out) {
        protocol::request_frame_options frame;
        frame.tracing = true;
        return protocol::encode_query(out, frame, cql, parameters);
    };
    return conn.request(encode, request_options{}, ec, diag);
}

std::optional<protocol::uuid> tracing_id(const response& r) {
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (r.split_prefix(prefix, message)) return std::nullopt;
    return prefix.tracing_id;
}

std::optional<std::int64_t> timeuuid_unix_micros(const protocol::uuid& u) noexcept {
    if (u.version() != 1) return std::nullopt;
    const auto& b = u.bytes;
    // time_low (bytes 0-3), time_mid (4-5), time_hi without the version nibble (6-7): a count
    // of 100 ns intervals since 1582-10-15T00:00:00Z.
    const std::uint64_t ticks = (static_cast<std::uint64_t>(b[6] & 0x0F) << 56) |
                                (static_cast<std::uint64_t>(b[7]) << 48) |
                                (static_cast<std::uint64_t>(b[4]) << 40) |
                                (static_cast<std::uint64_t>(b[5]) << 32) |
                                (static_cast<std::uint64_t>(b[0]) << 24) |
                                (static_cast<std::uint64_t>(b[1]) << 16) |
                                (static_cast<std::uint64_t>(b[2]) << 8) | static_cast<std::uint64_t>(b[3]);
    constexpr std::int64_t gregorian_to_unix_ticks = 0x01B21DD213814000;
    return (static_cast<std::int64_t>(ticks) - gregorian_to_unix_ticks) / 10;
}

std::error_code fetch_trace(connection& conn, const protocol::uuid& session_id, const fetch_trace_options& options,
                            query_trace& out, protocol::diagnostics& diag) {
    const std::string id = protocol::to_string(session_id);
    const std::string session_cql =
        "SELECT coordinator, duration, request, parameters, started_at, client FROM system_traces.sessions "
        "WHERE session_id = " + id;
    const std::string events_cql =
        "SELECT event_id, activity, source, source_elapsed, thread FROM system_traces.events WHERE session_id = " + id;
    out = query_trace{};
    out.session.id = session_id;
    const auto deadline = std::chrono::steady_clock::now() + options.timeout;
    for (;;) {
        response r;
        protocol::result_view result;
        if (auto ec = select_rows(conn, session_cql, options.consistency, r, result, diag)) return ec;
        if (result.rows.column_count() != 6) {
            diag.set_client_message("system_traces.sessions returned an unexpected number of columns");
            return protocol::make_error_code(protocol::client_errc::bad_value);
        }
        if (!result.rows.empty()) {
            if (auto ec = read_session(*result.rows.begin(), out.session)) return ec;
            if (out.session.duration_us) break;
        }
        if (std::chrono::steady_clock::now() + options.retry_interval > deadline) {
            diag.set_client_message("tracing session " + id + " was not complete within " +
                                    std::to_string(options.timeout.count()) + " ms");
            return make_error_code(errc::request_timeout);
        }
        std::this_thread::sleep_for(options.retry_interval);
    }
    response r;
    protocol::result_view result;
    if (auto ec = select_rows(conn, events_cql, options.consistency, r, result, diag)) return ec;
    if (result.rows.column_count() != 5) {
        diag.set_client_message("system_traces.events returned an unexpected number of columns");
        return protocol::make_error_code(protocol::client_errc::bad_value);
    }
    for (const auto& row : result.rows)
        if (auto ec = read_event(row, out.events.emplace_back())) return ec;
    return {};
}

}  // namespace cqlwire::transport

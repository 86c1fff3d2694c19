// Request tracing and reading system_traces; see tracing.hpp.
#include "cqlwire/transport/tracing.hpp"

#include <memory>

#include <boost/asio/steady_timer.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/errc.hpp"
#include "operation_support.hpp"

namespace cqlwire::transport {
namespace {

namespace p = protocol;

// Decodes the Rows result of a system_traces SELECT into `result` (views into `r`). Anything
// but Rows is unexpected: these statements are SELECTs.
std::error_code decode_rows(const response& r, p::result_view& result, p::diagnostics& diag) {
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
    auto encode = [&](std::vector<std::uint8_t>& out) { return detail::encode_traced_query(out, cql, parameters); };
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

namespace {

// One trace being fetched, on the connection's executor: the session row until it is complete
// (a timer between reads), then the events. Shared by the callbacks it waits for.
class trace_fetch : public std::enable_shared_from_this<trace_fetch> {
public:
    trace_fetch(connection& conn, const p::uuid& session_id, const fetch_trace_options& options, p::diagnostics* diag,
                boost::asio::any_completion_handler<trace_signature> handler)
        : conn_(conn),
          options_(options),
          diag_(diag != nullptr ? diag : &own_diag_),
          completion_(std::move(handler), detail::executor_of(conn)),
          timer_(detail::executor_of(conn)),
          id_(p::to_string(session_id)),
          deadline_(std::chrono::steady_clock::now() + options.timeout) {
        trace_.session.id = session_id;
    }

    void fetch_session() {
        select("SELECT coordinator, duration, request, parameters, started_at, client FROM system_traces.sessions "
               "WHERE session_id = " + id_,
               6, "system_traces.sessions", [](trace_fetch& self, const p::rows_view& rows) { self.on_session(rows); });
    }

private:
    // Runs `cql` and hands its rows (which must have `columns` columns) to `next`. The request
    // may take what is left of options.timeout, no more: a server that stalls ends the fetch on
    // time.
    template <class Next>
    void select(const std::string& cql, std::size_t columns, std::string_view table, Next next) {
        p::query_parameters params;
        params.consistency_level = options_.consistency;
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
        if (left.count() <= 0) return time_out();
        auto encode = [&](std::vector<std::uint8_t>& out) {
            return p::encode_query(out, p::request_frame_options{}, cql, params);
        };
        request_options timed;
        timed.timeout = left;
        conn_.async_request(encode, timed, [self = shared_from_this(), columns, table, next](std::error_code ec, response r) {
            if (ec == errc::request_timeout && r.empty()) return self->time_out();
            if ((ec = detail::explain_request_failure(self->conn_, ec, r, {}, *self->diag_))) return self->fail(ec);
            p::result_view result;
            if ((ec = decode_rows(r, result, *self->diag_))) return self->fail(ec);
            if (result.rows.column_count() != columns) {
                self->diag_->set_client_message(std::string(table) + " returned an unexpected number of columns");
                return self->fail(p::make_error_code(p::client_errc::bad_value));
            }
            next(*self, result.rows);
        });
    }

    void on_session(const p::rows_view& rows) {
        if (!rows.empty()) {
            if (auto ec = read_session(*rows.begin(), trace_.session)) return fail(ec);
            if (trace_.session.duration_us) return fetch_events();
        }
        if (std::chrono::steady_clock::now() + options_.retry_interval > deadline_) return time_out();
        timer_.expires_after(options_.retry_interval);
        timer_.async_wait([self = shared_from_this()](std::error_code) { self->fetch_session(); });
    }

    void fetch_events() {
        select("SELECT event_id, activity, source, source_elapsed, thread FROM system_traces.events WHERE session_id = " +
                   id_,
               5, "system_traces.events", [](trace_fetch& self, const p::rows_view& rows) {
                   for (const auto& row : rows)
                       if (auto ec = read_event(row, self.trace_.events.emplace_back())) return self.fail(ec);
                   self.completion_.complete(std::error_code{}, std::move(self.trace_));
               });
    }

    void fail(std::error_code ec) { completion_.complete(ec, std::move(trace_)); }
    void time_out() {
        diag_->set_client_message("tracing session " + id_ + " was not complete within " +
                                  std::to_string(options_.timeout.count()) + " ms");
        fail(make_error_code(errc::request_timeout));
    }

    connection& conn_;
    fetch_trace_options options_;
    p::diagnostics own_diag_;
    p::diagnostics* diag_;
    detail::pending_completion<trace_signature> completion_;
    boost::asio::steady_timer timer_;
    std::string id_;
    std::chrono::steady_clock::time_point deadline_;
    query_trace trace_;
};

}  // namespace

void start_async_fetch_trace(connection& conn, const protocol::uuid& session_id, const fetch_trace_options& options,
                             protocol::diagnostics* diag, boost::asio::any_completion_handler<trace_signature> handler) {
    std::make_shared<trace_fetch>(conn, session_id, options, diag, std::move(handler))->fetch_session();
}

std::error_code fetch_trace(connection& conn, const protocol::uuid& session_id, const fetch_trace_options& options,
                            query_trace& out, protocol::diagnostics& diag) {
    std::error_code ec;
    out = detail::wait_for_result<query_trace>(
        detail::executor_of(conn),
        [&](auto handler) { async_fetch_trace(conn, session_id, options, diag, std::move(handler)); }, ec, diag);
    return ec;
}

}  // namespace cqlwire::transport

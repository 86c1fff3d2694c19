// Request tracing: asking the server to trace a query (header flag 0x02), reading the tracing
// session id from the response prefix, and fetching what the server recorded about that session
// from system_traces.sessions and system_traces.events.
//
// The server writes the trace asynchronously after it answers, so fetching it polls: it reads
// the session row until its `duration` is set (the coordinator sets it last), pausing on a
// timer between reads, bounded by a timeout, then reads the events. async_fetch_trace does it
// with any completion token, on the connection's executor; fetch_trace is its blocking form
// (run_blocking, blocking.hpp: it works while other threads run the connection's io_context,
// and fails at once with std::errc::resource_deadlock_would_occur inside one of its handlers).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// One row of system_traces.sessions.
struct CQLWIRE_TRANSPORT_API trace_session {
    protocol::uuid id;
    std::string coordinator;                 // address, as text
    std::optional<std::int32_t> duration_us;  // unset while the request is still being traced
    std::string request;                     // e.g. "Execute CQL3 query"
    std::vector<std::pair<std::string, std::string>> parameters;  // e.g. query, consistency_level
    std::int64_t started_at_ms = 0;          // milliseconds since the Unix epoch
    std::string client;                      // address, as text; empty when not recorded
};

// One row of system_traces.events, in the server's order (by event id, a timeuuid).
struct CQLWIRE_TRANSPORT_API trace_event {
    protocol::uuid event_id;
    std::string activity;
    std::string source;               // address, as text
    std::int32_t source_elapsed_us = 0;  // since the request reached `source`
    std::string thread;
    std::int64_t timestamp_us = 0;    // from the event id: microseconds since the Unix epoch
};

struct CQLWIRE_TRANSPORT_API query_trace {
    trace_session session;
    std::vector<trace_event> events;
};

struct CQLWIRE_TRANSPORT_API fetch_trace_options {
    // How long to wait for the session to be complete (its duration set).
    std::chrono::milliseconds timeout{10000};
    // Pause between two reads of the session row.
    std::chrono::milliseconds retry_interval{100};
    protocol::consistency consistency = protocol::consistency::one;
};

using trace_signature = void(std::error_code, query_trace);

// async_fetch_trace with the handler type-erased: the function async_fetch_trace calls, which a
// program using it links to. `diag` may be null.
CQLWIRE_TRANSPORT_API void start_async_fetch_trace(connection& conn, const protocol::uuid& session_id,
                                                   const fetch_trace_options& options, protocol::diagnostics* diag,
                                                   boost::asio::any_completion_handler<trace_signature> handler);

namespace detail {
// Appends a QUERY frame with the tracing flag set.
inline std::error_code encode_traced_query(std::vector<std::uint8_t>& out, std::string_view cql,
                                           const protocol::query_parameters& parameters) {
    protocol::request_frame_options frame;
    frame.tracing = true;
    return protocol::encode_query(out, frame, cql, parameters);
}
}  // namespace detail

// QUERY with the tracing flag set. The response's prefix carries the session id when the server
// traced it (tracing_id()). The asynchronous form completes like connection::async_request.
template <class CompletionToken>
auto async_traced_query(connection& conn, std::string_view cql, const protocol::query_parameters& parameters,
                        CompletionToken&& token) {
    auto encode = [&](std::vector<std::uint8_t>& out) { return detail::encode_traced_query(out, cql, parameters); };
    return conn.async_request(encode, request_options{}, std::forward<CompletionToken>(token));
}
CQLWIRE_TRANSPORT_API response traced_query(connection& conn, std::string_view cql, const protocol::query_parameters& parameters,
                      std::error_code& ec, protocol::diagnostics& diag);

// The tracing session id of a response, or nullopt when the response carries none (or its
// prefix is malformed).
CQLWIRE_TRANSPORT_API std::optional<protocol::uuid> tracing_id(const response& r);

// Reads the trace of `session_id` and completes with it. A session that is not complete within
// options.timeout is errc::request_timeout (diag says which session); a failed query gives its
// own error; a row that does not have the expected columns is client_errc::bad_value. The
// connection, and `diag` for the overload that takes it, must outlive the operation.
template <class CompletionToken>
auto async_fetch_trace(connection& conn, const protocol::uuid& session_id, const fetch_trace_options& options,
                       protocol::diagnostics& diag, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, trace_signature>(
        [&conn](auto handler, protocol::uuid id, fetch_trace_options o, protocol::diagnostics* d) {
            start_async_fetch_trace(conn, id, o, d,
                                    boost::asio::any_completion_handler<trace_signature>(std::move(handler)));
        },
        token, session_id, options, &diag);
}
template <class CompletionToken>
auto async_fetch_trace(connection& conn, const protocol::uuid& session_id, const fetch_trace_options& options,
                       CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, trace_signature>(
        [&conn](auto handler, protocol::uuid id, fetch_trace_options o) {
            start_async_fetch_trace(conn, id, o, nullptr,
                                    boost::asio::any_completion_handler<trace_signature>(std::move(handler)));
        },
        token, session_id, options);
}

// The blocking form: fills `out` (on failure, as far as it got).
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code fetch_trace(connection& conn, const protocol::uuid& session_id,
                                          const fetch_trace_options& options, query_trace& out,
                                          protocol::diagnostics& diag);

// Microseconds since the Unix epoch encoded in a version 1 (time-based) UUID; nullopt for
// another version.
CQLWIRE_TRANSPORT_API std::optional<std::int64_t> timeuuid_unix_micros(const protocol::uuid& u) noexcept;

}  // namespace cqlwire::transport

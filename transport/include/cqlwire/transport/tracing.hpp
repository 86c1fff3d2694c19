// Request tracing: asking the server to trace a query (header flag 0x02), reading the tracing
// session id from the response prefix, and fetching what the server recorded about that session
// from system_traces.sessions and system_traces.events.
//
// The server writes the trace asynchronously after it answers, so fetch_trace polls: it reads
// the session row until its `duration` is set (the coordinator sets it last), bounded by a
// timeout, then reads the events. Both reads are ordinary blocking queries on the connection,
// so the threading rules of connection's blocking API apply.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

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

// QUERY with the tracing flag set. The response's prefix carries the session id when the server
// traced it (tracing_id()).
CQLWIRE_TRANSPORT_API response traced_query(connection& conn, std::string_view cql, const protocol::query_parameters& parameters,
                      std::error_code& ec, protocol::diagnostics& diag);

// The tracing session id of a response, or nullopt when the response carries none (or its
// prefix is malformed).
CQLWIRE_TRANSPORT_API std::optional<protocol::uuid> tracing_id(const response& r);

// Reads the trace of `session_id`. A session that is not complete within options.timeout is
// errc::request_timeout (diag says which session); a failed query returns its own error; a
// row that does not have the expected columns is client_errc::bad_value.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code fetch_trace(connection& conn, const protocol::uuid& session_id,
                                          const fetch_trace_options& options, query_trace& out,
                                          protocol::diagnostics& diag);

// Microseconds since the Unix epoch encoded in a version 1 (time-based) UUID; nullopt for
// another version.
CQLWIRE_TRANSPORT_API std::optional<std::int64_t> timeuuid_unix_micros(const protocol::uuid& u) noexcept;

}  // namespace cqlwire::transport

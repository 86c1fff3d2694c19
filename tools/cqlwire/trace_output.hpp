// Printing a query trace (transport::query_trace) after a statement's result: as a table
// (`Tracing session: <id>` then activity | timestamp | source | source_elapsed | client, the
// layout cqlsh uses with TRACING ON) or as one JSON object on one line.
//
// Rows of the table: the request itself at the session's start (elapsed 0), one row per event
// ("<activity> [<thread>]"), then "Request complete" at start + duration. Timestamps are UTC,
// "YYYY-MM-DD HH:MM:SS.ffffff". Text from the server is printed with control characters escaped,
// and with its password literals and those of the traced statement masked (mask_server_text):
// the trace of a CREATE ROLE holds its text in an activity and in the `query` parameter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cqlwire/transport/tracing.hpp"

namespace cqlwire::cli {

// `statement` is the CQL text whose trace this is.
std::string format_trace_table(const transport::query_trace& trace, std::string_view statement);
// {"tracing_session":"<uuid>","request":...,"coordinator":...,"client":...,"started_at":...,
//  "duration_us":N|null,"parameters":{...},"events":[{"activity","timestamp","source",
//  "source_elapsed_us","thread"}...]} and a newline.
std::string format_trace_json(const transport::query_trace& trace, std::string_view statement);

// "YYYY-MM-DD HH:MM:SS.ffffff" (UTC) for microseconds since the Unix epoch.
std::string format_utc_micros(std::int64_t micros);


}  // namespace cqlwire::cli

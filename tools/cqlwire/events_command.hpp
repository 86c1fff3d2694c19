// `cqlwire events [--types LIST] [--count N] [--timeout SECONDS] [options] [host [port]]`:
// connects with the main command's settings (flags, environment, cqlshrc), registers for
// server events (TOPOLOGY_CHANGE, STATUS_CHANGE and SCHEMA_CHANGE unless --types narrows them)
// and prints one line per event as it arrives, flushed at once:
//
//   table  "<UTC time> SCHEMA_CHANGE CREATED TABLE ks.t", "<UTC time> STATUS_CHANGE UP 10.0.0.2:9042"
//   json   {"time":"...","type":"SCHEMA_CHANGE","change":"CREATED","target":"TABLE","keyspace":"ks","name":"t"}
//
// It runs until SIGINT or SIGTERM (exit 0), until --count events were printed (exit 0), or
// until --timeout seconds passed (exit 0, or 3 when --count was given and not reached). A
// connection lost is replaced from the contact points (session_setup.hpp's reopen_connection)
// and the listening goes on; when none can be used, the run ends with that failure's code.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli_options.hpp"
#include "cqlwire/transport/events.hpp"

namespace cqlwire::cli {

struct events_options {
    std::vector<protocol::event_type> types;  // empty: all three
    std::optional<std::uint64_t> count;
    std::optional<std::chrono::milliseconds> timeout;
};

// Takes --types, --count and --timeout out of `args` into `out` and leaves the rest (the main
// command's connection flags) in `rest`. Bad values are cli_errc::usage with `message`.
[[nodiscard]] std::error_code parse_events_arguments(std::span<const std::string_view> args, events_options& out,
                                                     std::vector<std::string_view>& rest, std::string& message);

// One line (with its newline) for an event received at `received_us` (microseconds since the
// Unix epoch).
std::string format_event_line(const transport::cluster_event& e, std::int64_t received_us);
std::string format_event_json(const transport::cluster_event& e, std::int64_t received_us);

// Runs the subcommand. `args` are the arguments after "events". Returns the exit code.
int run_events(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace cqlwire::cli

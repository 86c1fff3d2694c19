// `--trace-frames[=summary|hex|jsonl]` and `--trace-file FILE`: every frame of the connection,
// formatted by protocol::frame_tracer (which masks secrets), written to standard error or to a
// file as the frames cross the connection.
#pragma once

#include <ostream>
#include <string>
#include <system_error>

#include "cqlwire/protocol/frame_trace.hpp"
#include "cqlwire/transport/connection.hpp"

namespace cqlwire::cli {

// Installs a frame observer on `conn` writing to `file` (created with mode 0600, truncated) or,
// when `file` is empty, to `err`, which must then outlive the connection. Fails with
// cli_errc::file_unreadable (and `message`) when the file cannot be opened.
[[nodiscard]] std::error_code install_frame_trace(transport::connection& conn, protocol::trace_format format,
                                                  const std::string& file, std::ostream& err, std::string& message);

// Microseconds since the Unix epoch of a frame event's time.
std::int64_t to_trace_time(std::chrono::system_clock::time_point t) noexcept;

}  // namespace cqlwire::cli

// `--trace-frames[=summary|hex|jsonl]` and `--trace-file FILE`: every frame of the connection,
// formatted by inspect::frame_tracer (which masks secrets), written to standard error or to a
// file as the frames cross the connection.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <system_error>

#include "checked_output.hpp"
#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/transport/connection.hpp"

namespace cqlwire::cli {

// Makes the frame observer (for transport::open_options) that writes the trace to `file` (created
// with mode 0600, truncated) or, when `file` is empty, to `err`, which must then outlive the
// connection. Fails with
// cli_errc::file_unreadable (and `message`) when the file cannot be opened. `file_output` is
// set to what records a failure to write the trace (for a file, the output it is written
// through, flushed after every frame): its error() tells the caller that the trace could not
// be written (a full disk, a closed stderr), so that the command stops instead of losing it.
[[nodiscard]] std::error_code make_frame_trace(inspect::trace_format format, const std::string& file, std::ostream& err,
                                               std::string& message, std::shared_ptr<const checked_output>& file_output,
                                               transport::frame_observer& observer);

// Microseconds since the Unix epoch of a frame event's time.
std::int64_t to_trace_time(std::chrono::system_clock::time_point t) noexcept;

}  // namespace cqlwire::cli

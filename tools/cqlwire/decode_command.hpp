// `cqlwire decode FILE...`: captured CQL traffic (raw frames, hex dumps, pcap, pcapng) printed
// in the frame trace formats of --trace-frames. Offline: no connection is made.
#pragma once

#include <ostream>
#include <span>
#include <string_view>

namespace cqlwire::cli {

// Runs the subcommand with the arguments after "decode". Frames go to `out`, notes about the
// capture (incomplete frames, gaps) and errors to `err`. Returns the exit code: 0, 1 for bad
// usage, 2 when a file cannot be read or is not a capture that can be read.
int run_decode(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

std::string_view decode_help_text() noexcept;

}  // namespace cqlwire::cli

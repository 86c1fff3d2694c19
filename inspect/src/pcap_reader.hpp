// The packets of a pcap file (microsecond or nanosecond timestamps, either byte order).
#pragma once

#include <string>
#include <system_error>
#include <vector>

#include "capture_packet.hpp"
#include "cqlwire/inspect/capture.hpp"

namespace cqlwire::inspect {

// Appends the file's packets to `packets`, counting them in out.packets; damage after the file
// header ends the reading with a note in out.notes. Fails only on a file header cut short.
[[nodiscard]] std::error_code read_pcap(protocol::bytes_view data, capture_result& out, std::string& message,
                                        std::vector<packet>& packets);

}  // namespace cqlwire::inspect

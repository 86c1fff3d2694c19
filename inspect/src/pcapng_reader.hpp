// The packets of a pcapng file: section headers in either byte order, interface descriptions
// with their timestamp resolution, enhanced and simple packet blocks.
#pragma once

#include <string>
#include <system_error>
#include <vector>

#include "capture_packet.hpp"
#include "cqlwire/inspect/capture.hpp"

namespace cqlwire::inspect {

// Appends the file's packets to `packets`, counting them in out.packets; a block that does not
// fit ends the reading with a note in out.notes. Fails only when the file does not start with a
// readable section header.
[[nodiscard]] std::error_code read_pcapng(protocol::bytes_view data, capture_result& out, std::string& message,
                                          std::vector<packet>& packets);

}  // namespace cqlwire::inspect

// Reading hex dumps back into bytes, for `cqlwire decode`: plain hex digits (whitespace and 0x
// prefixes ignored), xxd lines ("00000010: 8400 0001 ...") and tshark -x / Wireshark dumps
// ("0010  84 00 00 01 ...  ascii"), whose printable column is skipped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/inspect/export.hpp"

namespace cqlwire::inspect {

// Parses a hex dump into bytes, one block per run of lines whose offsets restart at zero (or a
// single block when there are no offsets). Fails with bad_value on a line that is not part of a
// hex dump, naming its number in `message`.
[[nodiscard]] CQLWIRE_INSPECT_API std::error_code parse_hex_dump(std::string_view text, std::vector<std::vector<std::uint8_t>>& blocks,
                                             std::string& message);

}  // namespace cqlwire::inspect

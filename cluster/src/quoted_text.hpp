// Text from the options or the cluster's tables, quoted for a message a terminal may show.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cluster {

// `text` in single quotes, its control characters shown as \xNN escapes (and, with
// `escape_beyond_ascii`, every byte above 0x7E too); cut after `shown` bytes, with "...".
inline std::string quoted_text(std::string_view text, bool escape_beyond_ascii = false,
                               std::size_t shown = std::string_view::npos) {
    std::string out = "'";
    for (const char c : text.substr(0, shown)) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || (escape_beyond_ascii && u > 0x7f)) protocol::append_byte_escape(out, u);
        else out += c;
    }
    if (text.size() > shown) out += "...";
    return out + "'";
}

}  // namespace cqlwire::cluster

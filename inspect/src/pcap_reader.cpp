#include "pcap_reader.hpp"

namespace cqlwire::inspect {
using protocol::bytes_view;

std::error_code read_pcap(bytes_view data, capture_result& out, std::string& message,
                          std::vector<packet>& packets) {
    if (data.size() < 24) return broken_capture(message, "the pcap file header is cut short (" + std::to_string(data.size()) + " bytes)");
    const std::uint32_t magic_le = le32(data.data());
    bool little = true;
    bool nanoseconds = false;
    if (magic_le == 0xA1B2C3D4) little = true;
    else if (magic_le == 0xA1B23C4D) little = true, nanoseconds = true;
    else if (be32(data.data()) == 0xA1B2C3D4) little = false;
    else if (be32(data.data()) == 0xA1B23C4D) little = false, nanoseconds = true;
    auto u32 = [&](const std::uint8_t* p) { return little ? le32(p) : be32(p); };
    const std::uint32_t link_type = u32(data.data() + 20) & 0x0FFFFFFF;  // upper bits: FCS info
    std::size_t at = 24;
    while (data.size() - at >= 16) {
        const std::uint32_t seconds = u32(data.data() + at);
        const std::uint32_t fraction = u32(data.data() + at + 4);
        const std::uint32_t included = u32(data.data() + at + 8);
        at += 16;
        if (included > data.size() - at) {
            out.notes.push_back("the last packet record is cut short (" + std::to_string(included) + " bytes announced, " +
                                std::to_string(data.size() - at) + " present)");
            return {};
        }
        const std::int64_t time = static_cast<std::int64_t>(seconds) * 1000000 +
                                  (nanoseconds ? fraction / 1000 : fraction);
        ++out.packets;
        packets.push_back(packet{time, link_type, data.subspan(at, included)});
        at += included;
    }
    if (at != data.size()) out.notes.push_back(std::to_string(data.size() - at) + " bytes after the last packet record are ignored");
    return {};
}

}  // namespace cqlwire::inspect

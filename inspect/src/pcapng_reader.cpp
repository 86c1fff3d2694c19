#include "pcapng_reader.hpp"

#include <algorithm>

namespace cqlwire::inspect {
using protocol::bytes_view;

std::error_code read_pcapng(bytes_view data, capture_result& out, std::string& message,
                            std::vector<packet>& packets) {
    struct interface_info {
        std::uint32_t link_type = 0;
        // Timestamp units per second, as a power: 10^-digits or 2^-digits.
        std::uint8_t resolution = 6;
        bool binary = false;
    };
    std::vector<interface_info> interfaces;
    bool little = true;
    std::size_t at = 0;
    bool first = true;
    while (data.size() - at >= 12) {
        const std::uint8_t* p = data.data() + at;
        std::uint32_t type = le32(p);
        if (type == 0x0A0D0D0A) {
            // Section header: its byte-order magic says how to read this section.
            const std::uint32_t bom = le32(p + 8);
            if (bom == 0x1A2B3C4D) little = true;
            else if (bom == 0x4D3C2B1A) little = false;
            else return broken_capture(message, "a pcapng section header with an unknown byte-order magic");
            interfaces.clear();
        } else if (first) {
            return broken_capture(message, "a pcapng file that does not start with a section header");
        }
        first = false;
        auto u32 = [&](const std::uint8_t* q) { return little ? le32(q) : be32(q); };
        auto u16 = [&](const std::uint8_t* q) { return little ? le16(q) : be16(q); };
        type = u32(p);
        const std::uint32_t length = u32(p + 4);
        if (length < 12 || length % 4 != 0 || length > data.size() - at) {
            out.notes.push_back("a pcapng block of length " + std::to_string(length) + " does not fit; reading stops there");
            return {};
        }
        const bytes_view body(p + 8, length - 12);
        if (type == 1 && body.size() >= 8) {
            interface_info info;
            info.link_type = u16(body.data());
            // Options: if_tsresol (9).
            std::size_t o = 8;
            while (body.size() - o >= 4) {
                const std::uint16_t code = u16(body.data() + o);
                const std::uint16_t olen = u16(body.data() + o + 2);
                o += 4;
                if (code == 0 || olen > body.size() - o) break;
                if (code == 9 && olen >= 1) {
                    info.binary = (body[o] & 0x80) != 0;
                    info.resolution = body[o] & 0x7F;
                }
                o += (static_cast<std::size_t>(olen) + 3) / 4 * 4;
            }
            interfaces.push_back(info);
        } else if (type == 6 && body.size() >= 20) {
            const std::uint32_t id = u32(body.data());
            const std::uint64_t stamp = static_cast<std::uint64_t>(u32(body.data() + 4)) << 32 | u32(body.data() + 8);
            const std::uint32_t captured = u32(body.data() + 12);
            if (id >= interfaces.size()) {
                out.notes.push_back("a packet names interface " + std::to_string(id) + ", which was not described; skipped");
            } else if (captured > body.size() - 20) {
                out.notes.push_back("a pcapng packet block is shorter than its packet; skipped");
            } else {
                const auto& info = interfaces[id];
                std::int64_t time;
                if (info.binary) {
                    const unsigned shift = std::min<unsigned>(info.resolution, 63);
                    const std::uint64_t units = std::uint64_t{1} << shift;
                    time = static_cast<std::int64_t>(stamp / units * 1000000 + (stamp % units) * 1000000 / units);
                } else {
                    std::uint64_t units = 1;
                    for (int k = 0; k < std::min<int>(info.resolution, 19); ++k) units *= 10;
                    time = static_cast<std::int64_t>(units >= 1000000 ? stamp / (units / 1000000)
                                                                     : stamp * (1000000 / units));
                }
                ++out.packets;
                packets.push_back(packet{time, info.link_type, body.subspan(20, captured)});
            }
        } else if (type == 3 && body.size() >= 4) {
            // Simple packet block: interface 0, no timestamp.
            if (interfaces.empty()) {
                out.notes.push_back("a simple packet block before any interface description; skipped");
            } else {
                const std::uint32_t original = u32(body.data());
                const std::size_t captured = std::min<std::size_t>(original, body.size() - 4);
                ++out.packets;
                packets.push_back(packet{std::nullopt, interfaces[0].link_type, body.subspan(4, captured)});
            }
        }
        at += length;
    }
    if (at != data.size()) out.notes.push_back(std::to_string(data.size() - at) + " bytes after the last pcapng block are ignored");
    return {};
}

}  // namespace cqlwire::inspect

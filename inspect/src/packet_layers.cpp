#include "packet_layers.hpp"

#include <algorithm>


namespace cqlwire::inspect {
using protocol::bytes_view;
namespace {

// The link type of a packet from a hex dump, which does not say it: by the bytes that each
// link layer puts where.
std::uint32_t guess_link_type(bytes_view b) noexcept {
    if (b.size() >= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0 && (b[0] == 2 || b[0] == 24 || b[0] == 28 || b[0] == 30))
        return link_null;
    if (b.size() >= 14) {
        const auto type = be16(b.data() + 12);
        if (type == 0x0800 || type == 0x86DD || type == 0x8100) return link_ethernet;
    }
    if (b.size() >= 16) {
        const auto type = be16(b.data() + 14);
        if (type == 0x0800 || type == 0x86DD) return link_sll;
    }
    return link_raw;
}

}  // namespace

parse_outcome parse_ip(bytes_view ip, tcp_segment& out, std::string& why) {
    if (ip.empty()) return parse_outcome::skip;
    const int version = ip[0] >> 4;
    std::uint8_t protocol = 0;
    bytes_view rest;
    if (version == 4) {
        if (ip.size() < 20) return parse_outcome::skip;
        const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
        std::size_t total = be16(ip.data() + 2);
        if (header < 20 || header > ip.size()) return parse_outcome::skip;
        // Offloaded captures may say 0; otherwise trust the smaller of the two (Ethernet padding).
        if (total == 0 || total > ip.size()) total = ip.size();
        if (total < header) return parse_outcome::skip;
        const std::uint16_t fragment = be16(ip.data() + 6);
        protocol = ip[9];
        if (protocol == 6 && (fragment & 0x3FFF) != 0) {
            why = "an IPv4 fragment (not reassembled) was skipped";
            return parse_outcome::skip;
        }
        out.source.size = out.destination.size = 4;
        std::copy_n(ip.data() + 12, 4, out.source.address.begin());
        std::copy_n(ip.data() + 16, 4, out.destination.address.begin());
        rest = ip.subspan(header, total - header);
    } else if (version == 6) {
        if (ip.size() < 40) return parse_outcome::skip;
        std::size_t payload_length = be16(ip.data() + 4);
        if (payload_length == 0 || payload_length > ip.size() - 40) payload_length = ip.size() - 40;
        out.source.size = out.destination.size = 16;
        std::copy_n(ip.data() + 8, 16, out.source.address.begin());
        std::copy_n(ip.data() + 24, 16, out.destination.address.begin());
        protocol = ip[6];
        rest = ip.subspan(40, payload_length);
        // Hop-by-hop, routing and destination options: skip them to reach TCP.
        for (int hops = 0; hops < 8 && (protocol == 0 || protocol == 43 || protocol == 60); ++hops) {
            if (rest.size() < 8) return parse_outcome::skip;
            const std::size_t length = (static_cast<std::size_t>(rest[1]) + 1) * 8;
            if (length > rest.size()) return parse_outcome::skip;
            protocol = rest[0];
            rest = rest.subspan(length);
        }
        if (protocol == 44) {
            why = "an IPv6 fragment (not reassembled) was skipped";
            return parse_outcome::skip;
        }
    } else {
        return parse_outcome::skip;
    }
    if (protocol != 6 || rest.size() < 20) return parse_outcome::skip;
    const std::size_t tcp_header = static_cast<std::size_t>(rest[12] >> 4) * 4;
    if (tcp_header < 20 || tcp_header > rest.size()) return parse_outcome::skip;
    out.source.port = be16(rest.data());
    out.destination.port = be16(rest.data() + 2);
    out.seq = be32(rest.data() + 4);
    out.syn = (rest[13] & 0x02) != 0;
    out.payload = rest.subspan(tcp_header);
    return parse_outcome::segment;
}

bytes_view network_layer(std::uint32_t link_type, bytes_view b) noexcept {
    if (link_type == link_guess) link_type = guess_link_type(b);
    switch (link_type) {
    case link_null:
    case link_loop:
        return b.size() >= 4 ? b.subspan(4) : bytes_view{};
    case link_ethernet: {
        if (b.size() < 14) return {};
        std::size_t at = 12;
        std::uint16_t type = be16(b.data() + at);
        // 802.1Q / 802.1ad tags.
        for (int tags = 0; tags < 4 && (type == 0x8100 || type == 0x88A8); ++tags) {
            at += 4;
            if (b.size() < at + 2) return {};
            type = be16(b.data() + at);
        }
        if (type != 0x0800 && type != 0x86DD) return {};
        return b.subspan(at + 2);
    }
    case link_sll: {
        if (b.size() < 16) return {};
        const auto type = be16(b.data() + 14);
        return (type == 0x0800 || type == 0x86DD) ? b.subspan(16) : bytes_view{};
    }
    case link_sll2: {
        if (b.size() < 20) return {};
        const auto type = be16(b.data());
        return (type == 0x0800 || type == 0x86DD) ? b.subspan(20) : bytes_view{};
    }
    case link_raw:
    case link_ipv4:
    case link_ipv6:
        return b;
    default: return {};
    }
}

}  // namespace cqlwire::inspect

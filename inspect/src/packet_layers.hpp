// The layers of a captured packet down to TCP: the link layer (Ethernet with VLAN tags, BSD
// loopback, Linux cooked SLL/SLL2, raw IP), IPv4 (unfragmented) and IPv6 (with the common
// extension headers), and the TCP header. Every length is checked against what remains.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <tuple>

#include "capture_packet.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::inspect {

struct endpoint {
    std::array<std::uint8_t, 16> address{};
    std::uint8_t size = 4;
    std::uint16_t port = 0;

    friend bool operator<(const endpoint& a, const endpoint& b) noexcept {
        return std::tie(a.size, a.address, a.port) < std::tie(b.size, b.address, b.port);
    }
    friend bool operator==(const endpoint& a, const endpoint& b) noexcept {
        return a.size == b.size && a.address == b.address && a.port == b.port;
    }
    // "10.0.0.1:9042", "[::1]:9042".
    std::string text() const {
        protocol::inet_address a;
        a.size = size;
        a.bytes = address;
        return protocol::endpoint_text(to_string(a), port);
    }
};

struct tcp_segment {
    endpoint source;
    endpoint destination;
    std::uint32_t seq = 0;
    bool syn = false;
    protocol::bytes_view payload;
};

enum class parse_outcome { segment, skip };

// IP and TCP, from the network-layer header on. `why` is set when the packet is skipped for a
// reason worth a note (not merely "not TCP").
parse_outcome parse_ip(protocol::bytes_view ip, tcp_segment& out, std::string& why);

// The network-layer bytes of a link-layer packet; empty when it carries no IP. link_guess: the
// link type is guessed from the bytes (hex dumps of packets).
protocol::bytes_view network_layer(std::uint32_t link_type, protocol::bytes_view b) noexcept;

}  // namespace cqlwire::inspect

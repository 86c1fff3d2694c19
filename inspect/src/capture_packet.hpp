// What the capture readers share: a captured link-layer packet, the link types they know, and
// reading fixed-size integers in either byte order (callers check the length first).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::inspect {

inline std::uint16_t be16(const std::uint8_t* p) noexcept { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
inline std::uint32_t be32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
           static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
inline std::uint16_t le16(const std::uint8_t* p) noexcept { return static_cast<std::uint16_t>(p[1] << 8 | p[0]); }
inline std::uint32_t le32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[3]) << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
           static_cast<std::uint32_t>(p[1]) << 8 | p[0];
}

// A captured link-layer packet.
struct packet {
    std::optional<std::int64_t> time_us;
    std::uint32_t link_type = 0;
    protocol::bytes_view data;
};

inline constexpr std::uint32_t link_null = 0;
inline constexpr std::uint32_t link_ethernet = 1;
inline constexpr std::uint32_t link_raw = 101;
inline constexpr std::uint32_t link_loop = 108;
inline constexpr std::uint32_t link_sll = 113;
inline constexpr std::uint32_t link_sll2 = 276;
inline constexpr std::uint32_t link_ipv4 = 228;
inline constexpr std::uint32_t link_ipv6 = 229;
// Our own marker for hex-dump packets whose link type is guessed from their bytes.
inline constexpr std::uint32_t link_guess = 0xFFFFFFFF;

// A capture whose container is broken before any packet could be read: `text` says where.
inline std::error_code broken_capture(std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(protocol::client_errc::truncated);
}

}  // namespace cqlwire::inspect

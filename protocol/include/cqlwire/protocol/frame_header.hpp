// The 9-byte frame header of §2 of the v4 specification.
//
//   0         8        16        24        32         40
//   +---------+---------+---------+---------+---------+
//   | version |  flags  |      stream       | opcode  |
//   +---------+---------+---------+---------+---------+
//   |                length                 |
//   +---------+---------+---------+---------+
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

inline constexpr std::size_t frame_header_size = 9;
inline constexpr std::uint8_t protocol_v4 = 0x04;
inline constexpr std::uint8_t response_direction_bit = 0x80;
// The specification's limit on a frame body (256 MiB); decoders may be configured lower.
inline constexpr std::uint32_t max_frame_body_length = 256u * 1024u * 1024u;

enum class opcode : std::uint8_t {
    error = 0x00,
    startup = 0x01,
    ready = 0x02,
    authenticate = 0x03,
    options = 0x05,
    supported = 0x06,
    query = 0x07,
    result = 0x08,
    prepare = 0x09,
    execute = 0x0A,
    register_ = 0x0B,
    event = 0x0C,
    batch = 0x0D,
    auth_challenge = 0x0E,
    auth_response = 0x0F,
    auth_success = 0x10,
};
CQLWIRE_PROTOCOL_API bool is_known_opcode(std::uint8_t v) noexcept;
CQLWIRE_PROTOCOL_API bool is_request_opcode(opcode op) noexcept;
CQLWIRE_PROTOCOL_API std::string_view to_string(opcode op) noexcept;  // "STARTUP", "RESULT", ... as the spec names them

// Header flags (§2.2).
namespace frame_flags {
inline constexpr std::uint8_t compression = 0x01;
inline constexpr std::uint8_t tracing = 0x02;
inline constexpr std::uint8_t custom_payload = 0x04;
inline constexpr std::uint8_t warning = 0x08;
inline constexpr std::uint8_t use_beta = 0x10;
}  // namespace frame_flags

struct CQLWIRE_PROTOCOL_API frame_header {
    std::uint8_t version = protocol_v4;  // with the direction bit: 0x04 request, 0x84 response
    std::uint8_t flags = 0;
    std::int16_t stream = 0;
    opcode op = opcode::error;
    std::uint32_t length = 0;  // body length; the wire field is signed and never negative

    bool is_response() const noexcept { return (version & response_direction_bit) != 0; }
    std::uint8_t protocol_version() const noexcept { return version & 0x7F; }
    bool has_flag(std::uint8_t f) const noexcept { return (flags & f) != 0; }
};

// Decodes the first 9 bytes of `bytes` (which must hold at least 9). Checks that the opcode is
// one v4 defines and that the length is neither negative nor above max_body_length; it does
// not check the version byte, so that callers can name a version mismatch precisely.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_frame_header(bytes_view bytes, frame_header& out,
                                                  std::uint32_t max_body_length = max_frame_body_length) noexcept;

CQLWIRE_PROTOCOL_API void encode_frame_header(const frame_header& h, std::array<std::uint8_t, frame_header_size>& out) noexcept;

}  // namespace cqlwire::protocol

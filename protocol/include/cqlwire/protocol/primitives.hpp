// The value types behind the [notation] of §3 of the v4 specification that are more than an
// integer or a string: [bytes]/[value] with their null and not-set states, [uuid], [inet],
// [consistency]. Views here borrow from the buffer they were read from.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

using bytes_view = std::span<const std::uint8_t>;

inline bytes_view as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(bytes_view b) noexcept {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// A [bytes] or [value]: a length of -1 is null, -2 (in [value] only) is "not set", and a
// length of 0 is an empty value, which is not the same as null.
enum class value_state : std::uint8_t { present, null, not_set };

struct CQLWIRE_PROTOCOL_API raw_value {
    value_state state = value_state::null;
    bytes_view bytes;  // empty unless state == present

    static raw_value null() noexcept { return {}; }
    static raw_value not_set() noexcept { return {value_state::not_set, {}}; }
    static raw_value of(bytes_view b) noexcept { return {value_state::present, b}; }

    bool is_null() const noexcept { return state == value_state::null; }
    bool is_not_set() const noexcept { return state == value_state::not_set; }
    bool is_present() const noexcept { return state == value_state::present; }
};

// 16 bytes in network order, as on the wire.
struct CQLWIRE_PROTOCOL_API uuid {
    std::array<std::uint8_t, 16> bytes{};
    int version() const noexcept { return bytes[6] >> 4; }
    friend bool operator==(const uuid&, const uuid&) = default;
};
CQLWIRE_PROTOCOL_API std::string to_string(const uuid& u);  // 8-4-4-4-12 lower-case hex
CQLWIRE_PROTOCOL_API std::optional<uuid> parse_uuid(std::string_view text) noexcept;

// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network order.
struct CQLWIRE_PROTOCOL_API inet_address {
    std::array<std::uint8_t, 16> bytes{};
    std::uint8_t size = 4;
    bool is_v4() const noexcept { return size == 4; }
    bytes_view view() const noexcept { return {bytes.data(), size}; }
    friend bool operator==(const inet_address& a, const inet_address& b) noexcept {
        return a.size == b.size && std::equal(a.bytes.begin(), a.bytes.begin() + a.size, b.bytes.begin());
    }
};
// Dotted quad for IPv4; RFC 5952 form (lower case, longest zero run as ::) for IPv6.
CQLWIRE_PROTOCOL_API std::string to_string(const inet_address& a);
CQLWIRE_PROTOCOL_API std::optional<inet_address> parse_inet_address(std::string_view text) noexcept;

// [inet]: an address and a port.
struct CQLWIRE_PROTOCOL_API inet_endpoint {
    inet_address address;
    std::int32_t port = 0;
};

enum class consistency : std::uint16_t {
    any = 0x0000,
    one = 0x0001,
    two = 0x0002,
    three = 0x0003,
    quorum = 0x0004,
    all = 0x0005,
    local_quorum = 0x0006,
    each_quorum = 0x0007,
    serial = 0x0008,
    local_serial = 0x0009,
    local_one = 0x000A,
};
CQLWIRE_PROTOCOL_API bool is_valid_consistency(std::uint16_t v) noexcept;
CQLWIRE_PROTOCOL_API std::string_view to_string(consistency c) noexcept;  // "LOCAL_QUORUM", as cqlsh spells it
CQLWIRE_PROTOCOL_API std::optional<consistency> parse_consistency(std::string_view name) noexcept;  // case-insensitive

}  // namespace cqlwire::protocol

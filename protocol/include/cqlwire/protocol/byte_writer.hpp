// An append-only writer into a caller-owned byte vector, one method per [notation] of §3.
//
// The vector belongs to the caller so that a connection can reuse one buffer for every request
// (no allocation once it has grown). Writes that cannot be represented (a [string] longer than
// 65535 bytes, a list of more than 65535 entries) set a sticky error instead of writing
// something wrong; check error() once at the end.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

class CQLWIRE_PROTOCOL_API byte_writer {
public:
    explicit byte_writer(std::vector<std::uint8_t>& out) noexcept : out_(out) {}

    std::size_t size() const noexcept { return out_.size(); }
    std::error_code error() const noexcept { return error_; }
    void fail(std::error_code ec) noexcept {
        if (!error_) error_ = ec;
    }

    void write_byte(std::uint8_t v) { out_.push_back(v); }
    void write_short(std::uint16_t v);
    void write_int(std::int32_t v);
    void write_long(std::int64_t v);
    void write_raw(bytes_view b) { out_.insert(out_.end(), b.begin(), b.end()); }
    // Overwrites four bytes already written at `pos` (used for lengths known only afterwards).
    void patch_int(std::size_t pos, std::int32_t v) noexcept;

    void write_string(std::string_view s);
    void write_long_string(std::string_view s);
    void write_uuid(const uuid& u) { write_raw(u.bytes); }
    void write_string_list(std::span<const std::string_view> list);
    void write_bytes(bytes_view b);       // [bytes] with a non-negative length
    void write_null_bytes() { write_int(-1); }
    void write_value(const raw_value& v);  // [value]: null -> -1, not set -> -2
    void write_short_bytes(bytes_view b);
    void write_inetaddr(const inet_address& a);
    void write_inet(const inet_endpoint& e);
    void write_consistency(consistency c) { write_short(static_cast<std::uint16_t>(c)); }
    void write_string_map(std::span<const std::pair<std::string_view, std::string_view>> map);
    void write_string_multimap(std::span<const std::pair<std::string_view, std::vector<std::string_view>>> map);
    void write_bytes_map(std::span<const std::pair<std::string_view, raw_value>> map);

private:
    bool fits_short(std::size_t n) noexcept;
    bool fits_int(std::size_t n) noexcept;

    std::vector<std::uint8_t>& out_;
    std::error_code error_;
};

}  // namespace cqlwire::protocol

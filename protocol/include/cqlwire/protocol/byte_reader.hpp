// A bounds-checked read cursor over a byte span, one method per [notation] of §3 of the v4
// specification.
//
// Every read checks the length it is about to use against what remains *before* touching or
// allocating anything; on failure the cursor does not move and the error names the cause.
// Views returned (string_view, bytes_view, raw_value) point into the span given to the
// constructor and stay valid exactly as long as that buffer does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

using string_map_view = std::vector<std::pair<std::string_view, std::string_view>>;
using string_multimap_view = std::vector<std::pair<std::string_view, std::vector<std::string_view>>>;
using bytes_map_view = std::vector<std::pair<std::string_view, raw_value>>;

class CQLWIRE_PROTOCOL_API byte_reader {
public:
    explicit byte_reader(bytes_view data) noexcept : data_(data) {}

    std::size_t remaining() const noexcept { return data_.size() - pos_; }
    bool empty() const noexcept { return remaining() == 0; }
    std::size_t position() const noexcept { return pos_; }
    bytes_view rest() const noexcept { return data_.subspan(pos_); }

    [[nodiscard]] std::error_code read_byte(std::uint8_t& out) noexcept;
    [[nodiscard]] std::error_code read_short(std::uint16_t& out) noexcept;
    [[nodiscard]] std::error_code read_int(std::int32_t& out) noexcept;
    [[nodiscard]] std::error_code read_long(std::int64_t& out) noexcept;
    [[nodiscard]] std::error_code read_raw(std::size_t n, bytes_view& out) noexcept;
    [[nodiscard]] std::error_code skip(std::size_t n) noexcept;

    // [string]: a [short] n, then n bytes; [long string]: an [int] n (n >= 0), then n bytes.
    [[nodiscard]] std::error_code read_string(std::string_view& out) noexcept;
    [[nodiscard]] std::error_code read_long_string(std::string_view& out) noexcept;
    [[nodiscard]] std::error_code read_uuid(uuid& out) noexcept;
    // [string list]. The vector grows only as far as the input can actually hold.
    [[nodiscard]] std::error_code read_string_list(std::vector<std::string_view>& out);
    // [bytes]: an [int] n; n < 0 is null.
    [[nodiscard]] std::error_code read_bytes(raw_value& out) noexcept;
    // [value]: as [bytes], but -2 is "not set" and any other negative length is an error.
    [[nodiscard]] std::error_code read_value(raw_value& out) noexcept;
    [[nodiscard]] std::error_code read_short_bytes(bytes_view& out) noexcept;
    // [inetaddr] (a size byte of 4 or 16, then the address) and [inet] (inetaddr + [int] port).
    [[nodiscard]] std::error_code read_inetaddr(inet_address& out) noexcept;
    [[nodiscard]] std::error_code read_inet(inet_endpoint& out) noexcept;
    [[nodiscard]] std::error_code read_consistency(consistency& out) noexcept;
    [[nodiscard]] std::error_code read_string_map(string_map_view& out);
    [[nodiscard]] std::error_code read_string_multimap(string_multimap_view& out);
    [[nodiscard]] std::error_code read_bytes_map(bytes_map_view& out);

private:
    // Fails unless n bytes remain; the only place that compares a length with the input.
    std::error_code need(std::size_t n) const noexcept {
        return n <= remaining() ? std::error_code{} : make_error_code(client_errc::truncated);
    }

    bytes_view data_;
    std::size_t pos_ = 0;
};

}  // namespace cqlwire::protocol

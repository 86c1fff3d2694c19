#include "cqlwire/protocol/byte_reader.hpp"

#include <algorithm>

namespace cqlwire::protocol {

std::error_code byte_reader::read_byte(std::uint8_t& out) noexcept {
    if (auto ec = need(1)) return ec;
    out = data_[pos_++];
    return {};
}

std::error_code byte_reader::read_short(std::uint16_t& out) noexcept {
    if (auto ec = need(2)) return ec;
    out = static_cast<std::uint16_t>(data_[pos_] << 8 | data_[pos_ + 1]);
    pos_ += 2;
    return {};
}

std::error_code byte_reader::read_int(std::int32_t& out) noexcept {
    if (auto ec = need(4)) return ec;
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = v << 8 | data_[pos_++];
    out = static_cast<std::int32_t>(v);
    return {};
}

std::error_code byte_reader::read_long(std::int64_t& out) noexcept {
    if (auto ec = need(8)) return ec;
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = v << 8 | data_[pos_++];
    out = static_cast<std::int64_t>(v);
    return {};
}

std::error_code byte_reader::read_raw(std::size_t n, bytes_view& out) noexcept {
    if (auto ec = need(n)) return ec;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return {};
}

std::error_code byte_reader::skip(std::size_t n) noexcept {
    if (auto ec = need(n)) return ec;
    pos_ += n;
    return {};
}

std::error_code byte_reader::read_string(std::string_view& out) noexcept {
    auto start = pos_;
    std::uint16_t n = 0;
    if (auto ec = read_short(n)) return ec;
    bytes_view b;
    if (auto ec = read_raw(n, b)) {
        pos_ = start;
        return ec;
    }
    out = as_chars(b);
    return {};
}

std::error_code byte_reader::read_long_string(std::string_view& out) noexcept {
    auto start = pos_;
    std::int32_t n = 0;
    if (auto ec = read_int(n)) return ec;
    if (n < 0) {
        pos_ = start;
        return make_error_code(client_errc::length_out_of_range);
    }
    bytes_view b;
    if (auto ec = read_raw(static_cast<std::size_t>(n), b)) {
        pos_ = start;
        return ec;
    }
    out = as_chars(b);
    return {};
}

std::error_code byte_reader::read_uuid(uuid& out) noexcept {
    if (auto ec = need(16)) return ec;
    std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(pos_), 16, out.bytes.begin());
    pos_ += 16;
    return {};
}

std::error_code byte_reader::read_string_list(std::vector<std::string_view>& out) {
    auto start = pos_;
    std::uint16_t n = 0;
    if (auto ec = read_short(n)) return ec;
    out.clear();
    // Each [string] takes at least two bytes, so a count beyond remaining()/2 cannot be honest.
    if (n > remaining() / 2) {
        pos_ = start;
        return make_error_code(client_errc::truncated);
    }
    out.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) {
        std::string_view s;
        if (auto ec = read_string(s)) {
            pos_ = start;
            out.clear();
            return ec;
        }
        out.push_back(s);
    }
    return {};
}

std::error_code byte_reader::read_bytes(raw_value& out) noexcept {
    auto start = pos_;
    std::int32_t n = 0;
    if (auto ec = read_int(n)) return ec;
    if (n < 0) {
        out = raw_value::null();
        return {};
    }
    bytes_view b;
    if (auto ec = read_raw(static_cast<std::size_t>(n), b)) {
        pos_ = start;
        return ec;
    }
    out = raw_value::of(b);
    return {};
}

std::error_code byte_reader::read_value(raw_value& out) noexcept {
    auto start = pos_;
    std::int32_t n = 0;
    if (auto ec = read_int(n)) return ec;
    if (n == -1) {
        out = raw_value::null();
        return {};
    }
    if (n == -2) {
        out = raw_value::not_set();
        return {};
    }
    if (n < 0) {
        pos_ = start;
        return make_error_code(client_errc::length_out_of_range);
    }
    bytes_view b;
    if (auto ec = read_raw(static_cast<std::size_t>(n), b)) {
        pos_ = start;
        return ec;
    }
    out = raw_value::of(b);
    return {};
}

std::error_code byte_reader::read_short_bytes(bytes_view& out) noexcept {
    auto start = pos_;
    std::uint16_t n = 0;
    if (auto ec = read_short(n)) return ec;
    if (auto ec = read_raw(n, out)) {
        pos_ = start;
        return ec;
    }
    return {};
}

std::error_code byte_reader::read_inetaddr(inet_address& out) noexcept {
    auto start = pos_;
    std::uint8_t size = 0;
    if (auto ec = read_byte(size)) return ec;
    if (size != 4 && size != 16) {
        pos_ = start;
        return make_error_code(client_errc::bad_value);
    }
    bytes_view b;
    if (auto ec = read_raw(size, b)) {
        pos_ = start;
        return ec;
    }
    out.size = size;
    std::copy(b.begin(), b.end(), out.bytes.begin());
    return {};
}

std::error_code byte_reader::read_inet(inet_endpoint& out) noexcept {
    auto start = pos_;
    if (auto ec = read_inetaddr(out.address)) return ec;
    if (auto ec = read_int(out.port)) {
        pos_ = start;
        return ec;
    }
    return {};
}

std::error_code byte_reader::read_consistency(consistency& out) noexcept {
    auto start = pos_;
    std::uint16_t v = 0;
    if (auto ec = read_short(v)) return ec;
    if (!is_valid_consistency(v)) {
        pos_ = start;
        return make_error_code(client_errc::bad_consistency);
    }
    out = static_cast<consistency>(v);
    return {};
}

std::error_code byte_reader::read_string_map(string_map_view& out) {
    auto start = pos_;
    std::uint16_t n = 0;
    if (auto ec = read_short(n)) return ec;
    out.clear();
    if (n > remaining() / 4) {  // each entry is two [string]s of at least two bytes
        pos_ = start;
        return make_error_code(client_errc::truncated);
    }
    out.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) {
        std::string_view k, v;
        std::error_code ec = read_string(k);
        if (!ec) ec = read_string(v);
        if (ec) {
            pos_ = start;
            out.clear();
            return ec;
        }
        out.emplace_back(k, v);
    }
    return {};
}

std::error_code byte_reader::read_string_multimap(string_multimap_view& out) {
    auto start = pos_;
    std::uint16_t n = 0;
    if (auto ec = read_short(n)) return ec;
    out.clear();
    if (n > remaining() / 4) {  // a [string] key and a [string list] of at least two bytes each
        pos_ = start;
        return make_error_code(client_errc::truncated);
    }
    out.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) {
        std::string_view k;
        std::vector<std::string_view> v;
        std::error_code ec = read_string(k);
        if (!ec) ec = read_string_list(v);
        if (ec) {
            pos_ = start;
            out.clear();
            return ec;
        }
        out.emplace_back(k, std::move(v));
    }
    return {};
}

std::error_code byte_reader::read_bytes_map(bytes_map_view& out) {
    auto start = pos_;
    std::uint16_t n = 0;
    if (auto ec = read_short(n)) return ec;
    out.clear();
    if (n > remaining() / 6) {  // a [string] of two bytes and a [bytes] of four at least
        pos_ = start;
        return make_error_code(client_errc::truncated);
    }
    out.reserve(n);
    for (std::uint16_t i = 0; i < n; ++i) {
        std::string_view k;
        raw_value v;
        std::error_code ec = read_string(k);
        if (!ec) ec = read_bytes(v);
        if (ec) {
            pos_ = start;
            out.clear();
            return ec;
        }
        out.emplace_back(k, v);
    }
    return {};
}

}  // namespace cqlwire::protocol

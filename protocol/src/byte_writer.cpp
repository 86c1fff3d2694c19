#include "cqlwire/protocol/byte_writer.hpp"

#include <limits>

namespace cqlwire::protocol {

bool byte_writer::fits_short(std::size_t n) noexcept {
    if (n <= std::numeric_limits<std::uint16_t>::max()) return true;
    fail(make_error_code(client_errc::length_out_of_range));
    return false;
}

bool byte_writer::fits_int(std::size_t n) noexcept {
    if (n <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) return true;
    fail(make_error_code(client_errc::length_out_of_range));
    return false;
}

void byte_writer::write_short(std::uint16_t v) {
    out_.push_back(static_cast<std::uint8_t>(v >> 8));
    out_.push_back(static_cast<std::uint8_t>(v));
}

void byte_writer::write_int(std::int32_t v) {
    auto u = static_cast<std::uint32_t>(v);
    for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>(u >> shift));
}

void byte_writer::write_long(std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<std::uint8_t>(u >> shift));
}

void byte_writer::patch_int(std::size_t pos, std::int32_t v) noexcept {
    auto u = static_cast<std::uint32_t>(v);
    for (std::size_t i = 0; i < 4; ++i) out_[pos + i] = static_cast<std::uint8_t>(u >> (24 - 8 * i));
}

void byte_writer::write_string(std::string_view s) {
    if (!fits_short(s.size())) return;
    write_short(static_cast<std::uint16_t>(s.size()));
    write_raw(as_bytes(s));
}

void byte_writer::write_long_string(std::string_view s) {
    if (!fits_int(s.size())) return;
    write_int(static_cast<std::int32_t>(s.size()));
    write_raw(as_bytes(s));
}

void byte_writer::write_string_list(std::span<const std::string_view> list) {
    if (!fits_short(list.size())) return;
    write_short(static_cast<std::uint16_t>(list.size()));
    for (auto s : list) write_string(s);
}

void byte_writer::write_bytes(bytes_view b) {
    if (!fits_int(b.size())) return;
    write_int(static_cast<std::int32_t>(b.size()));
    write_raw(b);
}

void byte_writer::write_value(const raw_value& v) {
    switch (v.state) {
    case value_state::null: write_int(-1); return;
    case value_state::not_set: write_int(-2); return;
    case value_state::present: write_bytes(v.bytes); return;
    }
}

void byte_writer::write_short_bytes(bytes_view b) {
    if (!fits_short(b.size())) return;
    write_short(static_cast<std::uint16_t>(b.size()));
    write_raw(b);
}

void byte_writer::write_inetaddr(const inet_address& a) {
    write_byte(a.size);
    write_raw(a.view());
}

void byte_writer::write_inet(const inet_endpoint& e) {
    write_inetaddr(e.address);
    write_int(e.port);
}

void byte_writer::write_string_map(std::span<const std::pair<std::string_view, std::string_view>> map) {
    if (!fits_short(map.size())) return;
    write_short(static_cast<std::uint16_t>(map.size()));
    for (const auto& [k, v] : map) {
        write_string(k);
        write_string(v);
    }
}

void byte_writer::write_string_multimap(
    std::span<const std::pair<std::string_view, std::vector<std::string_view>>> map) {
    if (!fits_short(map.size())) return;
    write_short(static_cast<std::uint16_t>(map.size()));
    for (const auto& [k, v] : map) {
        write_string(k);
        write_string_list(v);
    }
}

void byte_writer::write_bytes_map(std::span<const std::pair<std::string_view, raw_value>> map) {
    if (!fits_short(map.size())) return;
    write_short(static_cast<std::uint16_t>(map.size()));
    for (const auto& [k, v] : map) {
        write_string(k);
        write_value(v);
    }
}

}  // namespace cqlwire::protocol

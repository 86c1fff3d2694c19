// Typed converters from a value_view, Cassandra's vint coding, and the element cursors.
#include "cqlwire/protocol/values.hpp"

#include <bit>
#include <cstring>
#include <limits>

namespace cqlwire::protocol {
namespace {

std::error_code err(client_errc e) noexcept { return make_error_code(e); }

std::uint64_t read_be(bytes_view b) noexcept {
    std::uint64_t v = 0;
    for (auto byte : b) v = v << 8 | byte;
    return v;
}

// The common prologue of every scalar converter: right kind, not null, not empty, and (for
// fixed-width kinds) exactly `width` bytes.
std::error_code check_scalar(const value_view& v, bool kind_ok, std::size_t width) noexcept {
    if (!kind_ok) return err(client_errc::type_mismatch);
    if (v.raw().is_not_set() || v.is_null()) return err(client_errc::null_value);
    if (v.bytes().empty()) return err(client_errc::empty_value);
    if (width != 0 && v.bytes().size() != width) return err(client_errc::bad_value_length);
    return {};
}

bool is_integer_kind(type_kind k) noexcept {
    return k == type_kind::tinyint || k == type_kind::smallint || k == type_kind::int_ || k == type_kind::bigint ||
           k == type_kind::counter || k == type_kind::varint;
}

std::size_t integer_width(type_kind k) noexcept {
    switch (k) {
    case type_kind::tinyint: return 1;
    case type_kind::smallint: return 2;
    case type_kind::int_: return 4;
    case type_kind::bigint:
    case type_kind::counter: return 8;
    default: return 0;  // varint
    }
}

// Sign-extends a big-endian two's-complement integer of 1..8 bytes.
std::int64_t signed_be(bytes_view b) noexcept {
    auto u = read_be(b);
    auto bits = b.size() * 8;
    if (bits < 64 && (u >> (bits - 1)) & 1) u |= ~std::uint64_t{0} << bits;
    return static_cast<std::int64_t>(u);
}

// A varint of any length into an int64, value_out_of_range when it does not fit. Leading
// sign-extension bytes (a non-minimal encoding) are accepted.
std::error_code varint_to_int64(bytes_view b, std::int64_t& out) noexcept {
    if (b.empty()) return err(client_errc::empty_value);
    bool negative = b[0] & 0x80;
    std::uint8_t fill = negative ? 0xFF : 0x00;
    std::size_t skip = 0;
    while (b.size() - skip > 8 && b[skip] == fill) ++skip;
    auto rest = b.subspan(skip);
    if (rest.size() > 8) return err(client_errc::value_out_of_range);
    // Dropping sign bytes is only right if the sign survives in what remains.
    if (skip > 0 && static_cast<bool>(rest[0] & 0x80) != negative) return err(client_errc::value_out_of_range);
    out = signed_be(rest);
    return {};
}

template <typename Int>
std::error_code to_narrow(const value_view& v, Int& out) noexcept {
    std::int64_t wide = 0;
    if (auto ec = to_int64(v, wide)) return ec;
    if (wide < std::numeric_limits<Int>::min() || wide > std::numeric_limits<Int>::max())
        return err(client_errc::value_out_of_range);
    out = static_cast<Int>(wide);
    return {};
}

// Reads an [int] length then that many bytes; a negative length is a null element.
std::error_code read_element(bytes_view data, std::size_t& pos, raw_value& out) noexcept {
    byte_reader r(data.subspan(pos));
    std::int32_t n = 0;
    if (auto ec = r.read_int(n)) return ec;
    if (n < 0) {
        out = raw_value::null();
    } else {
        bytes_view b;
        if (auto ec = r.read_raw(static_cast<std::size_t>(n), b)) return ec;
        out = raw_value::of(b);
    }
    pos += r.position();
    return {};
}

}  // namespace

// ---- vint ------------------------------------------------------------------------------------

std::error_code read_unsigned_vint(byte_reader& r, std::uint64_t& out) noexcept {
    auto rest = r.rest();
    if (rest.empty()) return err(client_errc::truncated);
    std::uint8_t first = rest[0];
    auto extra = static_cast<std::size_t>(std::countl_one(first));  // 0..8
    if (extra + 1 > rest.size()) return err(client_errc::truncated);
    std::uint64_t v = extra >= 8 ? 0 : (first & (0xFFu >> extra));
    for (std::size_t i = 1; i <= extra; ++i) v = v << 8 | rest[i];
    out = v;
    return r.skip(extra + 1);
}

std::error_code read_signed_vint(byte_reader& r, std::int64_t& out) noexcept {
    std::uint64_t u = 0;
    if (auto ec = read_unsigned_vint(r, u)) return ec;
    out = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));  // zig-zag
    return {};
}

void write_unsigned_vint(std::vector<std::uint8_t>& out, std::uint64_t v) {
    // One byte holds 7 value bits; each extra byte adds 8 bits and one more leading 1 bit in
    // the first byte. Nine bytes (first byte 0xFF) hold any 64-bit value.
    int leading_zeros = std::countl_zero(v | 1);                           // 0..63
    auto size = static_cast<std::size_t>(9 - (leading_zeros - 1) / 7);    // 1..9 (C++ division truncates)
    std::size_t extra = size - 1;
    std::uint8_t bytes[9] = {};
    auto rest = v;
    for (std::size_t i = size; i-- > 0;) {
        bytes[i] = static_cast<std::uint8_t>(rest & 0xFF);
        rest >>= 8;
    }
    bytes[0] = static_cast<std::uint8_t>(bytes[0] | (0xFF00u >> extra));
    out.insert(out.end(), bytes, bytes + size);
}

void write_signed_vint(std::vector<std::uint8_t>& out, std::int64_t v) {
    auto u = static_cast<std::uint64_t>(v);
    write_unsigned_vint(out, (u << 1) ^ (v < 0 ? ~std::uint64_t{0} : 0));
}

// ---- text checks -------------------------------------------------------------------------------

bool is_valid_ascii(std::string_view s) noexcept {
    for (char c : s)
        if (static_cast<unsigned char>(c) > 0x7F) return false;
    return true;
}

std::size_t utf8_error_offset(std::string_view s) noexcept {
    std::size_t i = 0, n = s.size();
    auto at = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    auto cont = [&](std::size_t k) { return k < n && (at(k) & 0xC0) == 0x80; };
    while (i < n) {
        // Most text is ASCII: skip eight such bytes at a time before looking at sequences.
        while (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, s.data() + i, 8);
            if (word & 0x8080808080808080u) break;
            i += 8;
        }
        if (i == n) break;
        unsigned c = at(i);
        if (c < 0x80) {
            ++i;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (!cont(i + 1)) return i;
            i += 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            if (!cont(i + 1) || !cont(i + 2)) return i;
            unsigned c1 = at(i + 1);
            if (c == 0xE0 && c1 < 0xA0) return i;   // overlong
            if (c == 0xED && c1 >= 0xA0) return i;  // surrogates
            i += 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            if (!cont(i + 1) || !cont(i + 2) || !cont(i + 3)) return i;
            unsigned c1 = at(i + 1);
            if (c == 0xF0 && c1 < 0x90) return i;   // overlong
            if (c == 0xF4 && c1 >= 0x90) return i;  // above U+10FFFF
            i += 4;
        } else {
            return i;
        }
    }
    return std::string_view::npos;
}

bool is_valid_utf8(std::string_view s) noexcept { return utf8_error_offset(s) == std::string_view::npos; }

// ---- scalar converters ---------------------------------------------------------------------------

std::error_code to_bool(const value_view& v, bool& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::boolean, 1)) return ec;
    out = v.bytes()[0] != 0;
    return {};
}

std::error_code to_int64_checked(const value_view& v, std::int64_t& out) noexcept {
    auto k = v.kind();
    if (auto ec = check_scalar(v, is_integer_kind(k), integer_width(k))) return ec;
    if (k == type_kind::varint) return varint_to_int64(v.bytes(), out);
    out = signed_be(v.bytes());
    return {};
}

std::error_code to_int8(const value_view& v, std::int8_t& out) noexcept { return to_narrow(v, out); }
std::error_code to_int16(const value_view& v, std::int16_t& out) noexcept { return to_narrow(v, out); }
std::error_code to_int32_checked(const value_view& v, std::int32_t& out) noexcept { return to_narrow(v, out); }

std::error_code to_float(const value_view& v, float& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::float_, 4)) return ec;
    out = std::bit_cast<float>(static_cast<std::uint32_t>(read_be(v.bytes())));
    return {};
}

std::error_code to_double(const value_view& v, double& out) noexcept {
    if (v.kind() == type_kind::float_) {
        float f = 0;
        if (auto ec = to_float(v, f)) return ec;
        out = f;
        return {};
    }
    if (auto ec = check_scalar(v, v.kind() == type_kind::double_, 8)) return ec;
    out = std::bit_cast<double>(read_be(v.bytes()));
    return {};
}

std::error_code to_text_checked(const value_view& v, std::string_view& out) noexcept {
    auto k = v.kind();
    if (k != type_kind::ascii && k != type_kind::varchar) return err(client_errc::type_mismatch);
    if (!v.raw().is_present()) return err(client_errc::null_value);
    auto s = as_chars(v.bytes());
    if (k == type_kind::ascii ? !is_valid_ascii(s) : !is_valid_utf8(s)) return err(client_errc::bad_utf8);
    out = s;
    return {};
}

std::error_code to_blob(const value_view& v, bytes_view& out) noexcept {
    if (v.kind() != type_kind::blob && v.kind() != type_kind::custom) return err(client_errc::type_mismatch);
    if (!v.raw().is_present()) return err(client_errc::null_value);
    out = v.bytes();
    return {};
}

std::error_code to_uuid(const value_view& v, uuid& out) noexcept {
    auto k = v.kind();
    if (auto ec = check_scalar(v, k == type_kind::uuid || k == type_kind::timeuuid, 16)) return ec;
    std::memcpy(out.bytes.data(), v.bytes().data(), 16);
    return {};
}

std::error_code to_inet(const value_view& v, inet_address& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::inet, 0)) return ec;
    auto n = v.bytes().size();
    if (n != 4 && n != 16) return err(client_errc::bad_value_length);
    out = inet_address{};
    out.size = static_cast<std::uint8_t>(n);
    std::memcpy(out.bytes.data(), v.bytes().data(), n);
    return {};
}

std::error_code to_date(const value_view& v, cql_date& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::date, 4)) return ec;
    out = cql_date::from_wire(static_cast<std::uint32_t>(read_be(v.bytes())));
    return {};
}

std::error_code to_time(const value_view& v, cql_time& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::time, 8)) return ec;
    cql_time t{signed_be(v.bytes())};
    if (!t.is_valid()) return err(client_errc::value_out_of_range);
    out = t;
    return {};
}

std::error_code to_timestamp(const value_view& v, cql_timestamp& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::timestamp, 8)) return ec;
    out.milliseconds = signed_be(v.bytes());
    return {};
}

std::error_code to_duration(const value_view& v, cql_duration& out) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::duration, 0)) return ec;
    byte_reader r(v.bytes());
    std::int64_t months = 0, days = 0, nanos = 0;
    if (auto ec = read_signed_vint(r, months)) return ec;
    if (auto ec = read_signed_vint(r, days)) return ec;
    if (auto ec = read_signed_vint(r, nanos)) return ec;
    if (!r.empty()) return err(client_errc::trailing_bytes);
    constexpr auto lo = std::numeric_limits<std::int32_t>::min(), hi = std::numeric_limits<std::int32_t>::max();
    if (months < lo || months > hi || days < lo || days > hi) return err(client_errc::value_out_of_range);
    bool all_nonneg = months >= 0 && days >= 0 && nanos >= 0;
    bool all_nonpos = months <= 0 && days <= 0 && nanos <= 0;
    if (!all_nonneg && !all_nonpos) return err(client_errc::bad_value);  // mixed signs
    out = {static_cast<std::int32_t>(months), static_cast<std::int32_t>(days), nanos};
    return {};
}

std::error_code to_varint(const value_view& v, cql_varint& out) {
    if (auto ec = check_scalar(v, v.kind() == type_kind::varint, 0)) return ec;
    out.bytes.assign(v.bytes().begin(), v.bytes().end());
    return {};
}

std::error_code to_decimal_parts(const value_view& v, std::int32_t& scale, bytes_view& unscaled) noexcept {
    if (auto ec = check_scalar(v, v.kind() == type_kind::decimal, 0)) return ec;
    byte_reader r(v.bytes());
    std::int32_t s = 0;
    if (auto ec = r.read_int(s)) return ec;
    if (r.empty()) return err(client_errc::truncated);  // the unscaled varint needs a byte
    scale = s;
    unscaled = r.rest();
    return {};
}

std::error_code to_decimal(const value_view& v, cql_decimal& out) {
    std::int32_t scale = 0;
    bytes_view unscaled;
    if (auto ec = to_decimal_parts(v, scale, unscaled)) return ec;
    out.scale = scale;
    out.unscaled.bytes.assign(unscaled.begin(), unscaled.end());
    return {};
}

std::optional<bool> as_bool(const value_view& v) noexcept {
    bool b = false;
    if (to_bool(v, b)) return std::nullopt;
    return b;
}
std::optional<std::int32_t> as_int32(const value_view& v) noexcept {
    std::int32_t i = 0;
    if (to_int32(v, i)) return std::nullopt;
    return i;
}
std::optional<std::int64_t> as_int64(const value_view& v) noexcept {
    std::int64_t i = 0;
    if (to_int64(v, i)) return std::nullopt;
    return i;
}
std::optional<double> as_double(const value_view& v) noexcept {
    double d = 0;
    if (to_double(v, d)) return std::nullopt;
    return d;
}
std::optional<std::string_view> as_text(const value_view& v) noexcept {
    std::string_view s;
    if (to_text(v, s)) return std::nullopt;
    return s;
}

// ---- varint helpers ------------------------------------------------------------------------------

std::error_code cql_varint::to_int64(std::int64_t& out) const noexcept { return varint_to_int64(bytes, out); }

cql_varint cql_varint::from_int64(std::int64_t v) {
    // Minimal two's complement: drop leading bytes that only repeat the sign.
    cql_varint r;
    auto u = static_cast<std::uint64_t>(v);
    std::size_t n = 8;
    while (n > 1) {
        auto top = static_cast<std::uint8_t>(u >> ((n - 1) * 8));
        auto next_sign = (u >> ((n - 1) * 8 - 1)) & 1;
        if ((top == 0x00 && next_sign == 0) || (top == 0xFF && next_sign == 1)) --n;
        else break;
    }
    for (std::size_t i = n; i-- > 0;) r.bytes.push_back(static_cast<std::uint8_t>(u >> (i * 8)));
    return r;
}

std::string cql_varint::to_string() const {
    std::string s;
    if (append_varint_text(bytes, s)) return {};
    return s;
}

std::string cql_decimal::to_string() const {
    std::string s;
    if (append_decimal_text(scale, unscaled.bytes, s)) return {};
    return s;
}

// ---- cursors ---------------------------------------------------------------------------------------

std::error_code open_elements(const value_view& v, element_cursor& out) noexcept {
    const auto& t = v.type();
    auto k = t.kind;
    bool collection = k == type_kind::list || k == type_kind::set;
    if (!collection && k != type_kind::vector && k != type_kind::tuple && k != type_kind::udt)
        return err(client_errc::type_mismatch);
    if ((collection || k == type_kind::vector) && t.params.empty()) return err(client_errc::type_mismatch);
    if (!v.raw().is_present()) return err(client_errc::null_value);
    auto data = v.bytes();
    if (data.empty() && (collection || k == type_kind::vector)) return err(client_errc::empty_value);

    element_cursor c;
    c.type_ = &t;
    c.data_ = data;
    if (collection) {
        byte_reader r(data);
        std::int32_t n = 0;
        if (auto ec = r.read_int(n)) return ec;
        if (n < 0) return err(client_errc::length_out_of_range);
        // Every element takes at least its [int] length: refuse a count the bytes cannot hold.
        if (static_cast<std::size_t>(n) > r.remaining() / 4) return err(client_errc::truncated);
        c.pos_ = 4;
        c.count_ = static_cast<std::size_t>(n);
        c.layout_ = element_cursor::layout::int_length;
    } else if (k == type_kind::vector) {
        c.count_ = t.dimension;
        if (auto w = vector_element_width(t.params[0])) {
            // Divide rather than multiply: width * dimension can exceed size_t for a nested
            // vector type a server makes up, and a product that wrapped around could match.
            if (*w == 0 || data.size() % *w != 0 || data.size() / *w != t.dimension)
                return err(client_errc::bad_value_length);
            c.width_ = *w;
            c.layout_ = element_cursor::layout::fixed_width;
        } else {
            if (t.dimension > data.size()) return err(client_errc::truncated);  // a length byte each
            c.layout_ = element_cursor::layout::vint_length;
        }
    } else {
        c.count_ = t.params.size();
        c.layout_ = element_cursor::layout::fields;
    }
    if (c.count_ == 0 && c.pos_ != data.size()) return err(client_errc::trailing_bytes);
    out = c;
    return {};
}

std::error_code element_cursor::next(value_view& out) noexcept {
    if (at_end() || type_ == nullptr) return err(client_errc::truncated);
    const data_type& element_type = layout_ == layout::fields ? type_->params[index_] : type_->params[0];
    raw_value raw;
    switch (layout_) {
    case layout::int_length:
        if (auto ec = read_element(data_, pos_, raw)) return ec;
        break;
    case layout::fields:
        // A value written before trailing fields were added ends early: those fields are null.
        if (pos_ == data_.size()) {
            raw = raw_value::null();
        } else if (auto ec = read_element(data_, pos_, raw)) {
            return ec;
        }
        break;
    case layout::fixed_width:
        raw = raw_value::of(data_.subspan(pos_, width_));
        pos_ += width_;
        break;
    case layout::vint_length: {
        byte_reader r(data_.subspan(pos_));
        std::uint64_t n = 0;
        if (auto ec = read_unsigned_vint(r, n)) return ec;
        if (n > static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()))
            return err(client_errc::length_out_of_range);
        bytes_view b;
        if (auto ec = r.read_raw(static_cast<std::size_t>(n), b)) return ec;
        raw = raw_value::of(b);
        pos_ += r.position();
        break;
    }
    }
    ++index_;
    if (at_end() && pos_ != data_.size()) return err(client_errc::trailing_bytes);
    out = value_view(element_type, raw);
    return {};
}

std::error_code open_entries(const value_view& v, map_cursor& out) noexcept {
    const auto& t = v.type();
    if (t.kind != type_kind::map || t.params.size() != 2) return err(client_errc::type_mismatch);
    if (!v.raw().is_present()) return err(client_errc::null_value);
    auto data = v.bytes();
    if (data.empty()) return err(client_errc::empty_value);
    byte_reader r(data);
    std::int32_t n = 0;
    if (auto ec = r.read_int(n)) return ec;
    if (n < 0) return err(client_errc::length_out_of_range);
    if (static_cast<std::size_t>(n) > r.remaining() / 8) return err(client_errc::truncated);  // two [int]s each
    map_cursor c;
    c.type_ = &t;
    c.data_ = data;
    c.pos_ = 4;
    c.count_ = static_cast<std::size_t>(n);
    if (c.count_ == 0 && c.pos_ != data.size()) return err(client_errc::trailing_bytes);
    out = c;
    return {};
}

std::error_code map_cursor::next(value_view& key, value_view& value) noexcept {
    if (at_end() || type_ == nullptr) return err(client_errc::truncated);
    raw_value k, v;
    auto pos = pos_;
    if (auto ec = read_element(data_, pos, k)) return ec;
    if (auto ec = read_element(data_, pos, v)) return ec;
    pos_ = pos;
    ++index_;
    if (at_end() && pos_ != data_.size()) return err(client_errc::trailing_bytes);
    key = value_view(type_->params[0], k);
    value = value_view(type_->params[1], v);
    return {};
}

}  // namespace cqlwire::protocol

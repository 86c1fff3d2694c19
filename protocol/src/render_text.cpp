#include "render_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::protocol::detail {
namespace {

std::uint16_t group(bytes_view a, std::size_t g) noexcept {
    return static_cast<std::uint16_t>(a[2 * g] << 8 | a[2 * g + 1]);
}

void append_hex16(std::uint16_t v, std::string& out) {
    char buf[4];
    auto [p, ec] = std::to_chars(buf, buf + 4, v, 16);
    (void)ec;
    out.append(buf, p);
}

void append_dotted(bytes_view four, std::string& out) {
    for (std::size_t i = 0; i < 4; ++i) {
        if (i) out.push_back('.');
        append_int(four[i], out);
    }
}

// One unit of a duration: appends count/divisor followed by the unit when count reaches the
// divisor, and returns what is left.
std::uint64_t append_unit(std::uint64_t count, std::uint64_t divisor, std::string_view unit, std::string& out) {
    if (count == 0 || count < divisor) return count;
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, count / divisor);
    (void)ec;
    out.append(buf, p);
    out.append(unit);
    return count % divisor;
}

std::uint64_t magnitude(std::int64_t v) noexcept {
    return v < 0 ? ~static_cast<std::uint64_t>(v) + 1 : static_cast<std::uint64_t>(v);
}

}  // namespace

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    auto q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

void append_int(std::int64_t v, std::string& out) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, p);
}

void append_padded(std::int64_t v, int width, std::string& out) {
    char buf[24];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, magnitude(v));
    (void)ec;
    if (v < 0) out.push_back('-');
    for (auto n = p - buf; n < width; ++n) out.push_back('0');
    out.append(buf, p);
}

void append_uuid(bytes_view b, std::string& out) {
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
        append_hex_byte(out, b[i]);
    }
}

void append_inet_c(bytes_view a, std::string& out) {
    if (a.size() == 4) {
        append_dotted(a, out);
        return;
    }
    // The longest run of zero groups (the first, on a tie) of length two or more becomes "::".
    std::size_t best_start = 8, best_len = 0;
    for (std::size_t g = 0; g < 8;) {
        if (group(a, g) != 0) {
            ++g;
            continue;
        }
        auto start = g;
        while (g < 8 && group(a, g) == 0) ++g;
        if (g - start > best_len) best_start = start, best_len = g - start;
    }
    if (best_len < 2) best_start = 8, best_len = 0;
    for (std::size_t g = 0; g < 8; ++g) {
        if (g >= best_start && g < best_start + best_len) {
            if (g == best_start) out.push_back(':');
            continue;
        }
        if (g) out.push_back(':');
        // ::a.b.c.d and ::ffff:a.b.c.d keep their IPv4 part dotted.
        if (g == 6 && best_start == 0 && (best_len == 6 || (best_len == 5 && group(a, 5) == 0xFFFF))) {
            append_dotted(a.subspan(12), out);
            return;
        }
        append_hex16(group(a, g), out);
    }
    if (best_len > 0 && best_start + best_len == 8) out.push_back(':');
}

void append_inet_java(bytes_view a, std::string& out) {
    if (a.size() == 4) {
        append_dotted(a, out);
        return;
    }
    bool v4_mapped = true;
    for (std::size_t i = 0; i < 10; ++i) v4_mapped = v4_mapped && a[i] == 0;
    v4_mapped = v4_mapped && a[10] == 0xFF && a[11] == 0xFF;
    if (v4_mapped) {
        append_dotted(a.subspan(12), out);
        return;
    }
    for (std::size_t g = 0; g < 8; ++g) {
        if (g) out.push_back(':');
        append_hex16(group(a, g), out);
    }
}

void append_duration(const cql_duration& d, std::string& out) {
    constexpr std::uint64_t micro = 1000, milli = 1000 * micro, second = 1000 * milli, minute = 60 * second,
                            hour = 60 * minute;
    if (d.months < 0 || d.days < 0 || d.nanoseconds < 0) out.push_back('-');
    auto rest = append_unit(magnitude(d.months), 12, "y", out);
    append_unit(rest, 1, "mo", out);
    append_unit(magnitude(d.days), 1, "d", out);
    if (d.nanoseconds != 0) {
        rest = append_unit(magnitude(d.nanoseconds), hour, "h", out);
        rest = append_unit(rest, minute, "m", out);
        rest = append_unit(rest, second, "s", out);
        rest = append_unit(rest, milli, "ms", out);
        rest = append_unit(rest, micro, "us", out);
        append_unit(rest, 1, "ns", out);
    }
}

void append_time_of_day(std::int64_t ns, std::string& out) {
    constexpr std::int64_t second = 1'000'000'000;
    auto secs = ns / second;
    append_padded(secs / 3600, 2, out);
    out.push_back(':');
    append_padded(secs / 60 % 60, 2, out);
    out.push_back(':');
    append_padded(secs % 60, 2, out);
    out.push_back('.');
    append_padded(ns % second, 9, out);
}

bool append_non_finite(double d, std::string& out) {
    if (std::isnan(d)) out.append("NaN");
    else if (std::isinf(d)) out.append(d > 0 ? "Infinity" : "-Infinity");
    else return false;
    return true;
}

namespace {

bool is_even(std::uint32_t cp) noexcept { return cp % 2 == 0; }

// Capital letters by block; within the alternating blocks capitals and small letters take
// turns, the capital first on the parity given.
bool is_capital(std::uint32_t c) noexcept {
    if (c < 0x80) return c >= 'A' && c <= 'Z';
    if (c <= 0xFF) return c >= 0xC0 && c <= 0xDE && c != 0xD7;
    if (c <= 0x17F) {  // Latin Extended-A
        if (c <= 0x12F || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return is_even(c);
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return !is_even(c);
        return c == 0x130 || c == 0x178;
    }
    if (c >= 0x370 && c <= 0x3FF) {  // Greek
        if (c >= 0x3D8 && c <= 0x3EF) return is_even(c);
        return c == 0x386 || (c >= 0x388 && c <= 0x38A) || c == 0x38C || c == 0x38E || c == 0x38F ||
               (c >= 0x391 && c <= 0x3AB && c != 0x3A2);
    }
    if (c >= 0x400 && c <= 0x52F) {  // Cyrillic and its supplement
        if (c <= 0x42F) return true;
        if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0) return is_even(c);
        return c == 0x4C0 || (c >= 0x4C1 && c <= 0x4CE && !is_even(c));
    }
    if (c >= 0x531 && c <= 0x556) return true;  // Armenian
    if (c >= 0x1E00 && c <= 0x1EFF) {           // Latin Extended Additional
        if (c <= 0x1E95 || c >= 0x1EA0) return is_even(c);
        return c == 0x1E9E;
    }
    return c >= 0xFF21 && c <= 0xFF3A;  // full-width A..Z
}

}  // namespace

bool has_capital_letter(std::string_view s) noexcept {
    for (std::size_t i = 0; i < s.size();)
        if (is_capital(next_code_point(s, i))) return true;
    return false;
}

std::uint32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
    auto byte = [&](std::size_t k) { return static_cast<std::uint32_t>(static_cast<unsigned char>(s[k])); };
    std::uint32_t c = byte(i);
    if (c < 0x80) {
        i += 1;
        return c;
    }
    if (c < 0xE0) {
        auto cp = (c & 0x1F) << 6 | (byte(i + 1) & 0x3F);
        i += 2;
        return cp;
    }
    if (c < 0xF0) {
        auto cp = (c & 0x0F) << 12 | (byte(i + 1) & 0x3F) << 6 | (byte(i + 2) & 0x3F);
        i += 3;
        return cp;
    }
    auto cp = (c & 0x07) << 18 | (byte(i + 1) & 0x3F) << 12 | (byte(i + 2) & 0x3F) << 6 | (byte(i + 3) & 0x3F);
    i += 4;
    return cp;
}

std::error_code append_integer_value(const value_view& v, std::string& out) {
    std::int64_t i = 0;
    if (auto ec = to_int64(v, i)) return ec;
    append_int(i, out);
    return {};
}

std::error_code append_decimal_value(const value_view& v, std::string& out) {
    std::int32_t scale = 0;
    bytes_view unscaled;
    if (auto ec = to_decimal_parts(v, scale, unscaled)) return ec;
    return append_decimal_text(scale, unscaled, out);
}

}  // namespace cqlwire::protocol::detail

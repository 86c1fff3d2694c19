// ASCII helpers every layer shares: hex digits, case, white space and case-insensitive comparison.
//
// CQL keywords, option names and the server's messages are compared without regard to ASCII
// case; bytes are shown as hex in traces, dumps, escapes and error codes; words and values are
// cut at white space. These do it one way for the whole project, independent of the C locale
// (std::tolower and std::isspace are not).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cqlwire::protocol {

enum class hex_case : std::uint8_t { lower, upper };

// The hex digit of `nibble` (0..15).
constexpr char hex_digit(unsigned nibble, hex_case c = hex_case::lower) noexcept {
    constexpr std::string_view lower = "0123456789abcdef";
    constexpr std::string_view upper = "0123456789ABCDEF";
    return (c == hex_case::upper ? upper : lower)[nibble & 0xFu];
}

// Appends the two hex digits of `byte`.
inline void append_hex_byte(std::string& out, std::uint8_t byte, hex_case c = hex_case::lower) {
    out.push_back(hex_digit(byte >> 4u, c));
    out.push_back(hex_digit(byte, c));
}

// Appends every byte of `bytes` as two hex digits, with nothing between them.
inline void append_hex(std::string& out, std::span<const std::uint8_t> bytes, hex_case c = hex_case::lower) {
    out.reserve(out.size() + 2 * bytes.size());
    for (const auto b : bytes) append_hex_byte(out, b, c);
}

// The same, for bytes held in a string.
inline void append_hex(std::string& out, std::string_view bytes, hex_case c = hex_case::lower) {
    out.reserve(out.size() + 2 * bytes.size());
    for (const unsigned char b : bytes) append_hex_byte(out, b, c);
}

// Appends `value` as exactly `digits` hex digits (the lowest ones), zero-padded.
inline void append_hex_fixed(std::string& out, std::uint64_t value, unsigned digits, hex_case c = hex_case::lower) {
    for (unsigned i = digits; i-- > 0;) out.push_back(hex_digit(static_cast<unsigned>(value >> (4u * i)), c));
}

// Appends `\xNN`, the escape under which a byte that must not be shown as is appears.
inline void append_byte_escape(std::string& out, std::uint8_t byte) {
    out += "\\x";
    append_hex_byte(out, byte);
}

// The value of a hex digit, either case; -1 for anything else.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

constexpr char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char ascii_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

inline std::string ascii_lowered(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = ascii_lower(c);
    return out;
}

inline std::string ascii_uppered(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = ascii_upper(c);
    return out;
}

// Whether `c` is white space as the C locale's isspace() has it: space, \t, \n, \v, \f, \r.
// Bytes above 0x7F never are (no NBSP), whatever the locale.
constexpr bool is_ascii_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// `s` without the white space (is_ascii_space) at either end; a view into `s`.
constexpr std::string_view trim_ascii_space(std::string_view s) noexcept {
    while (!s.empty() && is_ascii_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_space(s.back())) s.remove_suffix(1);
    return s;
}

// Whether `c` is a blank as the C locale's isblank() has it: a space or a tab (white space within
// a line; a line break or a CR is not).
constexpr bool is_ascii_blank(char c) noexcept { return c == ' ' || c == '\t'; }

// `s` without the blanks (is_ascii_blank) at either end; a view into `s`.
constexpr std::string_view trim_ascii_blank(std::string_view s) noexcept {
    while (!s.empty() && is_ascii_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ascii_blank(s.back())) s.remove_suffix(1);
    return s;
}

// Whether `a` and `b` are equal when ASCII letters are compared without case.
constexpr bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

constexpr bool starts_with_ignoring_ascii_case(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() && equals_ignoring_ascii_case(text.substr(0, prefix.size()), prefix);
}

// Where `needle` first occurs in `haystack` without regard to ASCII case; npos if nowhere.
constexpr std::size_t find_ignoring_ascii_case(std::string_view haystack, std::string_view needle) noexcept {
    if (needle.size() > haystack.size()) return std::string_view::npos;
    for (std::size_t i = 0; i + needle.size() <= haystack.size(); ++i)
        if (equals_ignoring_ascii_case(haystack.substr(i, needle.size()), needle)) return i;
    return std::string_view::npos;
}

}  // namespace cqlwire::protocol

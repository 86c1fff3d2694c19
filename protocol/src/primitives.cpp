#include "cqlwire/protocol/primitives.hpp"

#include <algorithm>
#include <cstdio>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::protocol {
namespace {

std::optional<inet_address> parse_ipv4(std::string_view text) noexcept {
    inet_address a;
    a.size = 4;
    std::size_t part = 0;
    std::size_t i = 0;
    while (part < 4) {
        std::size_t start = i;
        unsigned v = 0;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 3) v = v * 10 + static_cast<unsigned>(text[i++] - '0');
        if (i == start || v > 255 || (i - start > 1 && text[start] == '0')) return std::nullopt;
        a.bytes[part++] = static_cast<std::uint8_t>(v);
        if (part < 4) {
            if (i >= text.size() || text[i] != '.') return std::nullopt;
            ++i;
        }
    }
    if (i != text.size()) return std::nullopt;
    return a;
}

std::optional<inet_address> parse_ipv6(std::string_view text) noexcept {
    // Groups before and after a "::", then an optional trailing dotted quad.
    std::array<std::uint16_t, 8> head{}, tail{};
    std::size_t nhead = 0, ntail = 0;
    bool gap = false;
    std::size_t i = 0;
    if (text.starts_with("::")) {
        gap = true;
        i = 2;
    }
    while (i < text.size()) {
        // A dotted quad may stand for the last two groups.
        auto rest = text.substr(i);
        if (rest.find('.') != std::string_view::npos && rest.find(':') == std::string_view::npos) {
            auto v4 = parse_ipv4(rest);
            if (!v4) return std::nullopt;
            auto& groups = gap ? tail : head;
            auto& n = gap ? ntail : nhead;
            if (n + 2 > 8) return std::nullopt;
            groups[n++] = static_cast<std::uint16_t>(v4->bytes[0] << 8 | v4->bytes[1]);
            groups[n++] = static_cast<std::uint16_t>(v4->bytes[2] << 8 | v4->bytes[3]);
            i = text.size();
            break;
        }
        std::size_t start = i;
        unsigned v = 0;
        while (i < text.size() && hex_value(text[i]) >= 0 && i - start < 4) v = v * 16 + static_cast<unsigned>(hex_value(text[i++]));
        if (i == start) return std::nullopt;
        auto& groups = gap ? tail : head;
        auto& n = gap ? ntail : nhead;
        if (n >= 8) return std::nullopt;
        groups[n++] = static_cast<std::uint16_t>(v);
        if (i == text.size()) break;
        if (text[i] != ':') return std::nullopt;
        ++i;
        if (i < text.size() && text[i] == ':') {
            if (gap) return std::nullopt;
            gap = true;
            ++i;
        } else if (i == text.size()) {
            return std::nullopt;  // a single trailing colon
        }
    }
    if (gap ? nhead + ntail > 7 : nhead != 8) return std::nullopt;
    std::array<std::uint16_t, 8> all{};
    std::copy_n(head.begin(), nhead, all.begin());
    std::copy_n(tail.begin(), ntail, all.begin() + static_cast<std::ptrdiff_t>(8 - ntail));
    inet_address a;
    a.size = 16;
    for (std::size_t g = 0; g < 8; ++g) {
        a.bytes[2 * g] = static_cast<std::uint8_t>(all[g] >> 8);
        a.bytes[2 * g + 1] = static_cast<std::uint8_t>(all[g] & 0xFF);
    }
    return a;
}

}  // namespace

std::string to_string(const uuid& u) {
    std::string s;
    s.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        append_hex_byte(s, u.bytes[i]);
    }
    return s;
}

std::optional<uuid> parse_uuid(std::string_view text) noexcept {
    if (text.size() != 36) return std::nullopt;
    uuid u;
    std::size_t b = 0;
    for (std::size_t i = 0; i < 36;) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (text[i] != '-') return std::nullopt;
            ++i;
            continue;
        }
        int hi = hex_value(text[i]), lo = hex_value(text[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        u.bytes[b++] = static_cast<std::uint8_t>(hi << 4 | lo);
        i += 2;
    }
    return u;
}

std::string to_string(const inet_address& a) {
    char buf[64];
    if (a.is_v4()) {
        std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.bytes[0], a.bytes[1], a.bytes[2], a.bytes[3]);
        return buf;
    }
    std::array<unsigned, 8> g{};
    for (std::size_t i = 0; i < 8; ++i) g[i] = static_cast<unsigned>(a.bytes[2 * i] << 8 | a.bytes[2 * i + 1]);
    // RFC 5952: compress the longest run of two or more zero groups (the first on a tie).
    std::size_t best = 8, best_len = 0;
    for (std::size_t i = 0; i < 8;) {
        if (g[i] != 0) {
            ++i;
            continue;
        }
        std::size_t j = i;
        while (j < 8 && g[j] == 0) ++j;
        if (j - i > best_len && j - i >= 2) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    std::string s;
    for (std::size_t i = 0; i < 8;) {
        if (i == best) {
            s += "::";
            i += best_len;
            continue;
        }
        if (!s.empty() && s.back() != ':') s.push_back(':');
        std::snprintf(buf, sizeof buf, "%x", g[i]);
        s += buf;
        ++i;
    }
    return s;
}

std::optional<inet_address> parse_inet_address(std::string_view text) noexcept {
    if (text.find(':') != std::string_view::npos) return parse_ipv6(text);
    return parse_ipv4(text);
}

bool is_valid_consistency(std::uint16_t v) noexcept { return v <= 0x000A; }

std::string_view to_string(consistency c) noexcept {
    switch (c) {
    case consistency::any: return "ANY";
    case consistency::one: return "ONE";
    case consistency::two: return "TWO";
    case consistency::three: return "THREE";
    case consistency::quorum: return "QUORUM";
    case consistency::all: return "ALL";
    case consistency::local_quorum: return "LOCAL_QUORUM";
    case consistency::each_quorum: return "EACH_QUORUM";
    case consistency::serial: return "SERIAL";
    case consistency::local_serial: return "LOCAL_SERIAL";
    case consistency::local_one: return "LOCAL_ONE";
    }
    return "UNKNOWN";
}

std::optional<consistency> parse_consistency(std::string_view name) noexcept {
    for (std::uint16_t v = 0; v <= 0x000A; ++v) {
        auto c = static_cast<consistency>(v);
        if (equals_ignoring_ascii_case(to_string(c), name)) return c;
    }
    return std::nullopt;
}

}  // namespace cqlwire::protocol

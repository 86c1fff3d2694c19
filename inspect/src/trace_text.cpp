// How values of a frame trace are written; see trace_text.hpp.
#include "trace_text.hpp"

#include <algorithm>
#include <cstdio>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::inspect {
namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (b < 0x80) return 1;
    if ((b & 0xE0) == 0xC0) len = 2, min = 0x80;
    else if ((b & 0xF0) == 0xE0) len = 3, min = 0x800;
    else if ((b & 0xF8) == 0xF0) len = 4, min = 0x10000;
    else return 0;
    if (i + len > s.size()) return 0;
    std::uint32_t cp = b & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (c & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

}  // namespace

// Whether a word from the wire may be shown without quotes in a summary line: only when that
// keeps the line one line, splittable on spaces, and free of terminal controls.
bool is_bare_word(std::string_view v) noexcept {
    if (v.empty()) return false;
    for (const char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '"' || c == '=') return false;
    }
    return true;
}

// A quoted, escaped string valid both as JSON and as one line of text: control characters
// escaped, bytes that are not UTF-8 shown as U+FFFD. Cut after `limit` bytes with "...".
void append_quoted(std::string_view s, std::size_t limit, std::string& out) {
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        if (i >= limit) {
            out += "...(" + std::to_string(s.size() - i) + " more bytes)";
            break;
        }
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (u < 0x20 || u == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else if (u < 0x80) {
            out += c;
        } else {
            const auto len = utf8_sequence_length(s, i);
            if (len == 0) {
                out += "\\ufffd";
                ++i;
                continue;
            }
            if (len == 2 && u == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
                // A C1 control (U+0080-U+009F) can drive a terminal: escaped, as JSON allows.
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
                out += buf;
                i += 2;
                continue;
            }
            out.append(s.substr(i, len));
            i += len;
            continue;
        }
        ++i;
    }
    out += '"';
}

// JSON allows DEL and the C1 controls raw inside strings, but a terminal acts on them: as \u
// escapes they stay the same JSON and reach a terminal (or cqlwire's stderr filter) inert.
void escape_terminal_controls_in_json(std::string& json) {
    std::string out;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto u = static_cast<unsigned char>(json[i]);
        const bool c1 = u == 0xC2 && i + 1 < json.size() && static_cast<unsigned char>(json[i + 1]) < 0xA0 &&
                        static_cast<unsigned char>(json[i + 1]) >= 0x80;
        if (u != 0x7F && !c1) {
            out.push_back(json[i]);
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c1 ? static_cast<unsigned char>(json[++i]) : u);
        out += buf;
    }
    json = std::move(out);
}

std::string quoted(std::string_view s, std::size_t limit) {
    std::string out;
    append_quoted(s, limit, out);
    return out;
}

std::string hex_limited(protocol::bytes_view b, std::size_t limit) {
    std::string out = "0x" + hex_text(b.subspan(0, std::min(limit, b.size())));
    if (b.size() > limit) out += "...(" + std::to_string(b.size()) + " bytes)";
    return out;
}

std::string time_of_day(std::int64_t us) {
    // Floor division, so that times before 1970 still print a valid time of day.
    constexpr std::int64_t day = 86400LL * 1000000;
    std::int64_t in_day = us % day;
    if (in_day < 0) in_day += day;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%06d", static_cast<int>(in_day / 3600000000LL),
                  static_cast<int>(in_day / 60000000LL % 60), static_cast<int>(in_day / 1000000 % 60),
                  static_cast<int>(in_day % 1000000));
    return buf;
}

std::string epoch_seconds(std::int64_t us) {
    const bool negative = us < 0;
    const auto magnitude = negative ? 0 - static_cast<std::uint64_t>(us) : static_cast<std::uint64_t>(us);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%llu.%06llu", negative ? "-" : "",
                  static_cast<unsigned long long>(magnitude / 1000000),
                  static_cast<unsigned long long>(magnitude % 1000000));
    return buf;
}

std::string hex_text(protocol::bytes_view bytes) {
    std::string out;
    protocol::append_hex(out, bytes);
    return out;
}

}  // namespace cqlwire::inspect

// The escaping filter on standard error; see safe_stderr.hpp.
#include "safe_stderr.hpp"

#include <iostream>
#include <sstream>

#include <string_view>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::cli {
namespace {

bool passes_as_is(unsigned char b) noexcept { return (b >= 0x20 && b < 0x7F) || b == '\n' || b == '\t'; }

// The length of the UTF-8 sequence `lead` starts, or 0 when it cannot start one (a
// continuation byte, C0/C1 as lead of an overlong 2-byte form, F5-FF).
std::size_t sequence_size(unsigned char lead) noexcept {
    if (lead >= 0xC2 && lead <= 0xDF) return 2;
    if (lead >= 0xE0 && lead <= 0xEF) return 3;
    if (lead >= 0xF0 && lead <= 0xF4) return 4;
    return 0;
}

}  // namespace

terminal_safe_streambuf::~terminal_safe_streambuf() { finish(); }

void terminal_safe_streambuf::finish() {
    std::string out;
    escape_pending(out);
    if (!out.empty()) sink_->sputn(out.data(), static_cast<std::streamsize>(out.size()));
    sink_->pubsync();
}

void terminal_safe_streambuf::escape_pending(std::string& out) {
    for (std::size_t i = 0; i < pending_size_; ++i) protocol::append_byte_escape(out, static_cast<std::uint8_t>(pending_[i]));
    pending_size_ = 0;
    expected_size_ = 0;
}

void terminal_safe_streambuf::filter(const char* s, std::size_t n, std::string& out) {
    std::size_t i = 0;
    while (i < n) {
        const auto b = static_cast<unsigned char>(s[i]);
        if (expected_size_ != 0) {
            if ((b & 0xC0) != 0x80) {
                escape_pending(out);  // cut short: b is looked at again as a byte of its own
                continue;
            }
            pending_[pending_size_++] = static_cast<char>(b);
            ++i;
            if (pending_size_ < expected_size_) continue;
            const std::string_view seq(pending_, pending_size_);
            // U+0080-U+009F (C2 80-C2 9F) are the C1 controls: CSI is one of them.
            const bool c1 = seq.size() == 2 && static_cast<unsigned char>(seq[0]) == 0xC2 &&
                            static_cast<unsigned char>(seq[1]) < 0xA0;
            if (!c1 && protocol::is_valid_utf8(seq)) {
                out.append(seq);
                pending_size_ = 0;
                expected_size_ = 0;
            } else {
                escape_pending(out);
            }
            continue;
        }
        if (passes_as_is(b)) {
            // The common case, a run of printable ASCII, is copied in one piece.
            std::size_t end = i + 1;
            while (end < n && passes_as_is(static_cast<unsigned char>(s[end]))) ++end;
            out.append(s + i, end - i);
            i = end;
            continue;
        }
        if (const std::size_t size = sequence_size(b); size != 0) {
            pending_[0] = static_cast<char>(b);
            pending_size_ = 1;
            expected_size_ = size;
        } else {
            protocol::append_byte_escape(out, b);
        }
        ++i;
    }
}

std::streamsize terminal_safe_streambuf::xsputn(const char* s, std::streamsize n) {
    if (n <= 0) return 0;
    std::string out;
    out.reserve(static_cast<std::size_t>(n) + 16);
    filter(s, static_cast<std::size_t>(n), out);
    if (!out.empty() && sink_->sputn(out.data(), static_cast<std::streamsize>(out.size())) !=
                            static_cast<std::streamsize>(out.size()))
        return 0;
    return n;
}

terminal_safe_streambuf::int_type terminal_safe_streambuf::overflow(int_type c) {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    const char byte = traits_type::to_char_type(c);
    return xsputn(&byte, 1) == 1 ? c : traits_type::eof();
}

int terminal_safe_streambuf::sync() {
    // An incomplete sequence stays held: its next bytes may come with the next write.
    return sink_->pubsync();
}

namespace {
// std::cerr's own buffer while a safe_stderr filters it: where colour escapes are written.
std::streambuf* unfiltered_stderr = nullptr;
}  // namespace

safe_stderr::safe_stderr(std::ostream& stream) : stream_(stream), original_(stream.rdbuf()), filter_(original_) {
    stream_.rdbuf(&filter_);
    if (&stream == &std::cerr) unfiltered_stderr = original_;
}

safe_stderr::~safe_stderr() {
    if (&stream_ == &std::cerr) unfiltered_stderr = nullptr;
    stream_.rdbuf(original_);
    filter_.finish();
}

void write_stderr_colored(std::string_view text, std::string_view color) {
    auto escape = [](std::string_view code) {
        std::cerr.flush();
        if (unfiltered_stderr != nullptr) unfiltered_stderr->sputn(code.data(), static_cast<std::streamsize>(code.size()));
        else std::cerr << code;
    };
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        if (!line.empty()) {
            escape(color);
            std::cerr << line;
            escape("\033[0m");
        }
        if (nl == std::string_view::npos) break;
        std::cerr << '\n';
        text.remove_prefix(nl + 1);
    }
    std::cerr.flush();
}

std::string terminal_safe(std::string_view text) {
    std::stringbuf out;
    {
        terminal_safe_streambuf filter(&out);
        filter.sputn(text.data(), static_cast<std::streamsize>(text.size()));
        filter.finish();
    }
    return out.str();
}

std::string escape_controls(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
            protocol::append_byte_escape(out, u);
        } else {
            out.push_back(c);
        }
    }
    // C1 controls and bytes that are not UTF-8 can drive a terminal too.
    return terminal_safe(out);
}

}  // namespace cqlwire::cli

// Keeps what the command writes to standard error from driving the terminal. Messages and
// warnings quote file names, host names, cqlshrc lines, server messages and frame traces: bytes
// from files, the wire and the user. An ESC in any of them could move the cursor, retitle the
// window or hide earlier lines; so every byte that is not LF, TAB or printable UTF-8 is written as
// `\xHH` instead. Installed once, at the start of main(), on std::cerr; the password prompt
// (written to /dev/tty) and the data on standard output do not pass through it.
#pragma once

#include <cstddef>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>

namespace cqlwire::cli {

// A streambuf that passes text to `sink` with every byte that could drive a terminal escaped
// as \xHH: C0 controls except LF and TAB, DEL, C1 controls (U+0080-U+009F, in their UTF-8
// form), and every byte that is not part of a valid UTF-8 sequence (stray continuation bytes,
// overlong forms, surrogates, truncated sequences, values beyond U+10FFFF). Valid printable
// UTF-8 passes as it is. A sequence split between two writes is held until it completes; a
// flush passes on everything else.
class terminal_safe_streambuf : public std::streambuf {
public:
    explicit terminal_safe_streambuf(std::streambuf* sink) noexcept : sink_(sink) {}
    terminal_safe_streambuf(const terminal_safe_streambuf&) = delete;
    terminal_safe_streambuf& operator=(const terminal_safe_streambuf&) = delete;
    ~terminal_safe_streambuf() override;

    // Writes the bytes of a sequence left incomplete (escaped, as nothing can complete it now)
    // and flushes the sink.
    void finish();

protected:
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int_type overflow(int_type c) override;
    int sync() override;

private:
    void filter(const char* s, std::size_t n, std::string& out);
    void escape_pending(std::string& out);

    std::streambuf* sink_;
    char pending_[4] = {};         // the start of a multi-byte UTF-8 sequence
    std::size_t pending_size_ = 0;
    std::size_t expected_size_ = 0;  // the length its lead byte announces; 0: none pending
};

// `text` as terminal_safe_streambuf would pass it on (for text written elsewhere than stderr,
// e.g. a prompt or a table header on standard output).
std::string terminal_safe(std::string_view text);

// `text` with control characters (C0 including LF and TAB, DEL, C1) and bytes that are not UTF-8
// escaped as \xHH, other bytes unchanged: for server text printed outside quotes.
std::string escape_controls(std::string_view text);

// Writes `text` to std::cerr with each of its lines between `color`'s escape and the reset, as
// cqlsh colours its errors. The escapes go around the filter (they are ours), the text through
// it; with no safe_stderr installed, both go to std::cerr as they are.
void write_stderr_colored(std::string_view text, std::string_view color);

// Installs a terminal_safe_streambuf on `stream` (std::cerr) for its lifetime, then puts the
// original buffer back.
class safe_stderr {
public:
    explicit safe_stderr(std::ostream& stream);
    safe_stderr(const safe_stderr&) = delete;
    safe_stderr& operator=(const safe_stderr&) = delete;
    ~safe_stderr();

private:
    std::ostream& stream_;
    std::streambuf* original_;
    terminal_safe_streambuf filter_;
};

}  // namespace cqlwire::cli

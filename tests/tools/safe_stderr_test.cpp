#include "test_support.hpp"

#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "safe_stderr.hpp"

// The filter on standard error, byte by byte: what passes as it is and what is escaped.

namespace {

using cqlwire::cli::terminal_safe_streambuf;

// What `text` becomes on the way through the filter, written in one piece.
std::string filtered(std::string_view text) {
    std::ostringstream sink;
    {
        terminal_safe_streambuf filter(sink.rdbuf());
        std::ostream out(&filter);
        out << text;
    }
    return sink.str();
}

std::string hex_escape(unsigned char b) {
    char buf[5];
    std::snprintf(buf, sizeof buf, "\\x%02x", b);
    return buf;
}

}  // namespace

TEST_CASE("every C0 control but LF and TAB, and DEL, is escaped; printable ASCII passes") {
    for (int b = 0; b < 0x20; ++b) {
        CAPTURE(b);
        const std::string byte(1, static_cast<char>(b));
        if (b == '\n' || b == '\t') CHECK(filtered("a" + byte + "b") == "a" + byte + "b");
        else CHECK(filtered("a" + byte + "b") == "a" + hex_escape(static_cast<unsigned char>(b)) + "b");
    }
    CHECK(filtered("\x7f") == "\\x7f");
    std::string printable;
    for (int b = 0x20; b < 0x7F; ++b) printable.push_back(static_cast<char>(b));
    CHECK(filtered(printable) == printable);
    CHECK(filtered("\x1b[2J\x1b]0;title\x07") == "\\x1b[2J\\x1b]0;title\\x07");
}

TEST_CASE("C1 controls in their UTF-8 form are escaped; the rest of U+0080-U+00FF passes") {
    for (int c = 0x80; c < 0xA0; ++c) {
        CAPTURE(c);
        const std::string utf8{'\xC2', static_cast<char>(c)};
        CHECK(filtered(utf8) == "\\xc2" + hex_escape(static_cast<unsigned char>(c)));
    }
    CHECK(filtered("\xC2\xA0") == "\xC2\xA0");  // U+00A0, no-break space
    CHECK(filtered("caf\xC3\xA9") == "caf\xC3\xA9");
}

TEST_CASE("bytes that are not UTF-8 are escaped, each on its own") {
    // Stray continuation bytes, including the raw 8-bit C1 controls 0x80-0x9F.
    for (int b = 0x80; b < 0xC0; ++b) {
        CAPTURE(b);
        CHECK(filtered(std::string(1, static_cast<char>(b))) == hex_escape(static_cast<unsigned char>(b)));
    }
    // Lead bytes that start no valid sequence.
    for (const int b : {0xC0, 0xC1, 0xF5, 0xF8, 0xFE, 0xFF}) {
        CAPTURE(b);
        CHECK(filtered(std::string(1, static_cast<char>(b)) + "\x80") ==
              hex_escape(static_cast<unsigned char>(b)) + "\\x80");
    }
    CHECK(filtered("\xC0\xAF") == "\\xc0\\xaf");                  // overlong '/'
    CHECK(filtered("\xE0\x80\xAF") == "\\xe0\\x80\\xaf");          // overlong, 3 bytes
    CHECK(filtered("\xF0\x80\x80\xAF") == "\\xf0\\x80\\x80\\xaf");  // overlong, 4 bytes
    CHECK(filtered("\xED\xA0\x80") == "\\xed\\xa0\\x80");          // a UTF-16 surrogate
    CHECK(filtered("\xF4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // beyond U+10FFFF
    // Truncated sequences: cut by an ASCII byte, by another lead byte, by the end of the text.
    CHECK(filtered("\xE2\x82x") == "\\xe2\\x82x");
    CHECK(filtered("\xE2\xE2\x82\xAC") == "\\xe2\xE2\x82\xAC");
    CHECK(filtered("\xF0\x9F\x98") == "\\xf0\\x9f\\x98");
    CHECK(filtered("\xE2\x82\n") == "\\xe2\\x82\n");
}

TEST_CASE("valid 2-, 3- and 4-byte characters pass as they are") {
    CHECK(filtered("\xC3\xA9") == "\xC3\xA9");              // é
    CHECK(filtered("\xE2\x82\xAC") == "\xE2\x82\xAC");      // €
    CHECK(filtered("\xE6\x97\xA5\xE6\x9C\xAC") == "\xE6\x97\xA5\xE6\x9C\xAC");
    CHECK(filtered("\xF0\x9F\x98\x80") == "\xF0\x9F\x98\x80");  // 😀
    CHECK(filtered("\xF4\x8F\xBF\xBF") == "\xF4\x8F\xBF\xBF");  // U+10FFFF
    CHECK(filtered("\xEF\xBF\xBD") == "\xEF\xBF\xBD");      // U+FFFD
}

TEST_CASE("a character split between two writes passes; each flush reaches the sink") {
    std::ostringstream sink;
    terminal_safe_streambuf filter(sink.rdbuf());
    std::ostream out(&filter);
    out.setf(std::ios::unitbuf);  // as std::cerr
    out << "name: \xE2\x82";
    CHECK(sink.str() == "name: ");  // the incomplete character is held, the rest has gone out
    out << "\xAC\n";
    CHECK(sink.str() == "name: \xE2\x82\xAC\n");
    out << "end \xF0\x9F";
    filter.finish();  // nothing can complete it now
    CHECK(sink.str() == "name: \xE2\x82\xAC\nend \\xf0\\x9f");
    out << 'x' << '\x1b';  // single characters go through overflow()
    CHECK(sink.str() == "name: \xE2\x82\xAC\nend \\xf0\\x9fx\\x1b");
}

TEST_CASE("safe_stderr installs the filter on a stream and puts the original back") {
    std::ostringstream sink;
    std::ostream stream(sink.rdbuf());
    {
        const cqlwire::cli::safe_stderr guard(stream);
        CHECK(stream.rdbuf() != sink.rdbuf());
        stream << "host '\x1b]0;pwned\x07'\n";
    }
    CHECK(stream.rdbuf() == sink.rdbuf());
    stream << "\x1b";
    CHECK(sink.str() == "host '\\x1b]0;pwned\\x07'\n\x1b");
}

TEST_CASE("the filter keeps up with a large trace") {
    // A megabyte of trace-like text (mostly ASCII, some UTF-8) in 100-byte writes.
    std::string line = "  0000: 84 00 00 01 08 00 00 00  |....|  caf\xC3\xA9 \xE2\x82\xAC ";
    line.resize(99, '.');
    line.push_back('\n');
    std::ostringstream sink;
    terminal_safe_streambuf filter(sink.rdbuf());
    std::ostream out(&filter);
    out.setf(std::ios::unitbuf);
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 10'000; ++i) out << line;
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    CHECK(sink.str().size() == line.size() * 10'000);
}

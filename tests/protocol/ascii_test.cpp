// The shared ASCII helpers (hex digits, byte escapes, case, white space, case-insensitive
// comparison) and the one
// way an endpoint is written ("host:port", IPv6 in brackets exactly once).
#include "test_support.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"

using namespace cqlwire::protocol;

TEST_CASE("ascii: hex digits in either case, and their values back") {
    for (unsigned n = 0; n < 16; ++n) {
        CHECK(hex_value(hex_digit(n)) == static_cast<int>(n));
        CHECK(hex_value(hex_digit(n, hex_case::upper)) == static_cast<int>(n));
    }
    CHECK(hex_digit(10) == 'a');
    CHECK(hex_digit(15, hex_case::upper) == 'F');
    CHECK(hex_digit(0x1F) == 'f');  // only the low nibble counts
    for (const char c : std::string_view("gG/:@`xX \0", 10)) CHECK(hex_value(c) == -1);
}

TEST_CASE("ascii: append_hex writes two digits per byte, nothing between, after what is there") {
    std::string out = "0x";
    const std::vector<std::uint8_t> bytes{0x00, 0x0f, 0xa5, 0xff};
    append_hex(out, bytes);
    CHECK(out == "0x000fa5ff");
    out.clear();
    append_hex(out, bytes, hex_case::upper);
    CHECK(out == "000FA5FF");
    out.clear();
    append_hex(out, std::string_view("\x01\xfe", 2));
    CHECK(out == "01fe");
    out.clear();
    append_hex_byte(out, 0x7e);
    CHECK(out == "7e");
}

TEST_CASE("ascii: append_hex_fixed pads with zeros and keeps only the lowest digits") {
    std::string out;
    append_hex_fixed(out, 0x2000, 4);
    CHECK(out == "2000");
    out.clear();
    append_hex_fixed(out, 0xa, 4);
    CHECK(out == "000a");
    out.clear();
    append_hex_fixed(out, 0x12345, 4, hex_case::upper);
    CHECK(out == "2345");
}

TEST_CASE("ascii: a byte escape is \\x and two lower-case digits") {
    std::string out;
    append_byte_escape(out, 0x1b);
    append_byte_escape(out, 0x7f);
    append_byte_escape(out, 0x00);
    CHECK(out == "\\x1b\\x7f\\x00");
}

TEST_CASE("ascii: case is ignored for ASCII letters only") {
    CHECK(ascii_lower('Q') == 'q');
    CHECK(ascii_lower('q') == 'q');
    CHECK(ascii_lower('@') == '@');
    CHECK(ascii_lower('[') == '[');
    CHECK(ascii_upper('z') == 'Z');
    CHECK(ascii_upper('{') == '{');
    // A byte above 0x7F is never a letter here, whatever the C locale says.
    CHECK(ascii_lower('\xC4') == '\xC4');
    CHECK(ascii_lowered("Hello, WORLD 42") == "hello, world 42");
    CHECK(ascii_uppered("Hello, world 42") == "HELLO, WORLD 42");
    CHECK(ascii_uppered("\xE4x") == "\xE4X");

    CHECK(equals_ignoring_ascii_case("LOCAL_QUORUM", "local_quorum"));
    CHECK(equals_ignoring_ascii_case("", ""));
    CHECK_FALSE(equals_ignoring_ascii_case("ONE", "ONES"));
    CHECK_FALSE(equals_ignoring_ascii_case("a[", "A{"));  // '[' and '{' differ by the case bit
    CHECK_FALSE(equals_ignoring_ascii_case("\xC4", "\xE4"));

    CHECK(starts_with_ignoring_ascii_case("Login alice", "login"));
    CHECK_FALSE(starts_with_ignoring_ascii_case("log", "login"));

    CHECK(find_ignoring_ascii_case("Invalid or unsupported PROTOCOL Version (4)", "protocol version") == 23);
    CHECK(find_ignoring_ascii_case("abc", "") == 0);
    CHECK(find_ignoring_ascii_case("ab", "abc") == std::string_view::npos);
    CHECK(find_ignoring_ascii_case("passwor", "password") == std::string_view::npos);
    CHECK(find_ignoring_ascii_case("xxPASSWORD", "password") == 2);
}

TEST_CASE("ascii: white space is the C locale's six characters, and trimming cuts only those, at the ends") {
    for (const char c : std::string_view(" \t\n\v\f\r")) CHECK(is_ascii_space(c));
    // NUL, the other controls, Latin-1's NBSP, the bytes of NEL in UTF-8 and letters are not.
    for (const char c : std::string_view("\0\x01\x1c\x1f\x7f\xA0\xC2\x85" "a_", 10)) CHECK_FALSE(is_ascii_space(c));

    CHECK(trim_ascii_space(" \t\r\n\f\vkey = a b\v\f\n\r\t ") == "key = a b");
    CHECK(trim_ascii_space("word") == "word");
    CHECK(trim_ascii_space(" \t\n") == "");
    CHECK(trim_ascii_space("") == "");
    CHECK(trim_ascii_space("\xA0x\xA0") == "\xA0x\xA0");
    const std::string_view text = "  inner  ";
    const auto trimmed = trim_ascii_space(text);
    CHECK(trimmed.data() == text.data() + 2);  // a view into the text, not a copy
    static_assert(trim_ascii_space(" x ") == "x");
}

TEST_CASE("ascii: blanks are a space and a tab only; trimming them keeps line breaks and CRs") {
    CHECK(is_ascii_blank(' '));
    CHECK(is_ascii_blank('\t'));
    for (const char c : std::string_view("\n\r\v\f\0\xA0x", 7)) CHECK_FALSE(is_ascii_blank(c));
    CHECK(trim_ascii_blank(" \t host:9042 \t") == "host:9042");
    CHECK(trim_ascii_blank("\r host \n") == "\r host \n");
    CHECK(trim_ascii_blank(" \t ") == "");
    CHECK(trim_ascii_blank("") == "");
    static_assert(trim_ascii_blank("\tx\t") == "x");
}

TEST_CASE("endpoint_text: an IPv6 address is bracketed exactly once; names and IPv4 are not") {
    CHECK(endpoint_text("::1", 9042) == "[::1]:9042");
    CHECK(endpoint_text("2001:db8::1", 19042) == "[2001:db8::1]:19042");
    CHECK(endpoint_text("[::1]", 9042) == "[::1]:9042");  // already bracketed: kept as it is
    CHECK(endpoint_text("127.0.0.1", 9142) == "127.0.0.1:9142");
    CHECK(endpoint_text("localhost", 0) == "localhost:0");
    CHECK(endpoint_text("db-1.example.org", 65535) == "db-1.example.org:65535");
    CHECK(endpoint_text("", 9042) == ":9042");
    // A server's [inet] port is an int, shown as sent even when no TCP port could be it.
    CHECK(endpoint_text("10.0.0.1", 70000) == "10.0.0.1:70000");
}

TEST_CASE("strip_brackets: removes one pair around the whole host, nothing else") {
    CHECK(strip_brackets("[::1]") == "::1");
    CHECK(strip_brackets("::1") == "::1");
    CHECK(strip_brackets("localhost") == "localhost");
    CHECK(strip_brackets("[]") == "");
    CHECK(strip_brackets("[") == "[");
    CHECK(strip_brackets("[::1") == "[::1");
    CHECK(strip_brackets("::1]") == "::1]");
    CHECK(strip_brackets("") == "");
}

// The shape of an INI line, as the cqlshrc and the credentials file readers share it.
#include "test_support.hpp"

#include "ini_line.hpp"

using namespace cqlwire::cli;

TEST_CASE("ini_line: blank lines, whole-line comments and headers, indented or not") {
    CHECK(read_ini_line("").kind == ini_line_kind::blank);
    CHECK(read_ini_line(" \t\r\f\v").kind == ini_line_kind::blank);
    CHECK(read_ini_line("# note = x").kind == ini_line_kind::comment);
    CHECK(read_ini_line("  ; note").kind == ini_line_kind::comment);

    const auto header = read_ini_line("  [ssl] ; the TLS settings\r");
    CHECK(header.kind == ini_line_kind::header);
    CHECK(header.indent == 2);
    CHECK(header.text == "[ssl] ; the TLS settings");  // the reader decides what follows the name
    CHECK(read_ini_line("[a").kind == ini_line_kind::header);
}

TEST_CASE("ini_line: an entry's key is cut at the first '=' or ':', trimmed and lower-cased; its value is kept whole") {
    const auto e = read_ini_line("\tPassWord :  a=b: c ;d #e \r");
    CHECK(e.kind == ini_line_kind::entry);
    CHECK(e.indent == 1);
    CHECK(e.key == "password");
    CHECK(e.value == "a=b: c ;d #e");
    CHECK(read_ini_line("port=9042").key == "port");
    CHECK(read_ini_line("port=9042").value == "9042");
    CHECK(read_ini_line("empty =").value.empty());
    CHECK(read_ini_line("host: ::1").value == "::1");
}

TEST_CASE("ini_line: a line with no key before a delimiter is malformed") {
    CHECK(read_ini_line("hunter2").kind == ini_line_kind::malformed);
    CHECK(read_ini_line(" = value").kind == ini_line_kind::malformed);
    CHECK(read_ini_line(":value").kind == ini_line_kind::malformed);
    CHECK(read_ini_line("hunter2").key.empty());
}

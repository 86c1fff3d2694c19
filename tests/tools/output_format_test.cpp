#include "test_support.hpp"

#include <sstream>
#include <string>

#include "output_format.hpp"

using namespace cqlwire::cli;

namespace {

rendered_rows sample() {
    rendered_rows r;
    r.column_names = {"key", "n", "note"};
    r.rows = {{"local", "1", "hello"}, {"x", "12345678", std::nullopt}};
    return r;
}

std::string written(output_format f, const rendered_rows& r) {
    std::ostringstream out;
    write_rows(out, f, r);
    return out.str();
}

}  // namespace

TEST_CASE("table as cqlsh prints it") {
    CHECK(written(output_format::table, sample()) ==
          "\n"
          " key   | n        | note\n"
          "-------+----------+-------\n"
          " local |        1 | hello\n"
          "     x | 12345678 |  null\n"
          "\n"
          "(2 rows)\n");
}

TEST_CASE("table with no rows: the header, then two blank lines, as cqlsh prints it") {
    rendered_rows r;
    r.column_names = {"a", "bb"};
    CHECK(written(output_format::table, r) ==
          "\n"
          " a | bb\n"
          "---+----\n"
          "\n"
          "\n"
          "(0 rows)\n");
}

TEST_CASE("expanded table (EXPAND ON): @ Row blocks with the page's widths, numbered across pages") {
    std::ostringstream out;
    result_writer w(out, output_format::table, true, true);
    rendered_rows first;
    first.column_names = {"key", "cluster_name"};
    first.rows = {{std::string("local"), std::string("test")}, {std::string("k2"), std::nullopt}};
    w.page(first);
    rendered_rows second;
    second.column_names = first.column_names;
    second.rows = {{std::string("\xe6\x97\xa5\xe6\x9c\xac"), std::string("x")}};  // two wide characters
    w.page(second);
    w.finish();
    CHECK(out.str() ==
          "\n"
          "@ Row 1\n"
          "--------------+-------\n"
          " key          | local\n"
          " cluster_name | test\n"
          "\n"
          "@ Row 2\n"
          "--------------+-------\n"
          " key          | k2\n"
          " cluster_name | null\n"
          "\n"
          "@ Row 3\n"
          "--------------+------\n"
          " key          | \xe6\x97\xa5\xe6\x9c\xac\n"
          " cluster_name | x\n"
          "\n"
          "\n"
          "(3 rows)\n");
}

TEST_CASE("expanded table without rows keeps the header, as cqlsh does") {
    std::ostringstream out;
    result_writer w(out, output_format::table, true, true);
    rendered_rows r;
    r.column_names = {"key"};
    w.page(r);
    w.finish();
    CHECK(out.str() == "\n key\n-----\n\n\n(0 rows)\n");
}

TEST_CASE("table widths count display columns, not bytes") {
    rendered_rows r;
    r.column_names = {"name"};
    r.rows = {{"\xC3\xA9t\xC3\xA9"}, {"\xE6\x97\xA5\xE6\x9C\xAC"}};  // "été" (3 columns), "日本" (4 columns)
    CHECK(written(output_format::table, r) ==
          "\n"
          " name\n"
          "------\n"
          "  \xC3\xA9t\xC3\xA9\n"
          " \xE6\x97\xA5\xE6\x9C\xAC\n"
          "\n"
          "(2 rows)\n");
}

TEST_CASE("display width") {
    CHECK(display_width("") == 0);
    CHECK(display_width("abc") == 3);
    CHECK(display_width("e\xCC\x81") == 1);            // e + combining acute
    CHECK(display_width("\xEF\xBC\xA1") == 2);         // full-width A
    CHECK(display_width("\xFF\xFE") == 2);             // invalid bytes count one each
    CHECK(display_width("\xE6\x97") == 2);             // truncated sequence
}

TEST_CASE("json: one array per result, values pasted raw") {
    rendered_rows r;
    r.column_names = {"key", "n", "quote\"d", "m"};
    r.rows = {{"\"local\"", "1", "[1, 2]", std::nullopt}, {"\"x\"", "-5", "{\"a\": 1}", "true"}};
    CHECK(written(output_format::json, r) ==
          "[{\"key\":\"local\",\"n\":1,\"quote\\\"d\":[1, 2],\"m\":null},"
          "{\"key\":\"x\",\"n\":-5,\"quote\\\"d\":{\"a\": 1},\"m\":true}]\n");
    rendered_rows empty;
    empty.column_names = {"a"};
    CHECK(written(output_format::json, empty) == "[]\n");
}

TEST_CASE("json_quote escapes") {
    CHECK(json_quote("a\"b\\c\n\t\x01") == "\"a\\\"b\\\\c\\n\\t\\u0001\"");
    CHECK(json_quote("\xC3\xA9") == "\"\xC3\xA9\"");
}

TEST_CASE("csv: RFC 4180 quoting, LF endings, null empty, empty text quoted") {
    rendered_rows r;
    r.column_names = {"id", "text, with comma"};
    r.rows = {{"1", "plain"}, {"2", "say \"hi\""}, {"3", "two\nlines"}, {"4", std::nullopt}, {"5", ""}, {"6", "cr\r"}};
    CHECK(written(output_format::csv, r) ==
          "id,\"text, with comma\"\n"
          "1,plain\n"
          "2,\"say \"\"hi\"\"\"\n"
          "3,\"two\nlines\"\n"
          "4,\n"
          "5,\"\"\n"
          "6,\"cr\r\"\n");
}

TEST_CASE("the rendering each format needs") {
    CHECK(cell_rendering_for(output_format::table) == cell_rendering::cql_text);
    CHECK(cell_rendering_for(output_format::csv) == cell_rendering::cql_text);
    CHECK(cell_rendering_for(output_format::json) == cell_rendering::json);
}

namespace {

// `text` without its SGR sequences.
std::string without_colors(std::string text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\033') {
            i = text.find('m', i);
            continue;
        }
        out.push_back(text[i]);
    }
    return out;
}

std::string colored_table(const rendered_rows& r, bool expanded) {
    std::ostringstream out;
    result_writer w(out, output_format::table, true, expanded, false, true);
    w.page(r);
    w.finish();
    return out.str();
}

}  // namespace

TEST_CASE("a table in colour: names magenta, null red, the layout the plain table's") {
    // The cells come coloured (render_cell); widths must not count the escapes.
    rendered_rows colored;
    colored.column_names = {"key", "n", "note"};
    colored.rows = {{"\033[0;1;33mlocal\033[0m", "\033[0;1;32m1\033[0m", "\033[0;1;33mhello\033[0m"},
                    {"\033[0;1;33mx\033[0m", "\033[0;1;32m12345678\033[0m", std::nullopt}};
    const std::string table = colored_table(colored, false);
    CHECK(table.find("\033[0;1;35mkey\033[0m") != std::string::npos);
    CHECK(table.find("\033[0;1;31mnull\033[0m") != std::string::npos);
    CHECK(without_colors(table) == written(output_format::table, sample()));
    // The plain table has no escape at all.
    CHECK(written(output_format::table, sample()).find('\033') == std::string::npos);

    std::ostringstream plain_expanded;
    result_writer plain(plain_expanded, output_format::table, true, true);
    plain.page(sample());
    plain.finish();
    const std::string expanded = colored_table(colored, true);
    CHECK(expanded.find("\033[0;1;35mnote\033[0m") != std::string::npos);
    CHECK(without_colors(expanded) == plain_expanded.str());
}

TEST_CASE("visible_width skips SGR sequences and counts the rest as display_width does") {
    CHECK(visible_width("\033[0;1;33mabc\033[0m") == 3);
    CHECK(visible_width("\033[0;1;34m[\033[0m\033[0;1;33m'日本'\033[0m\033[0;1;34m]\033[0m") == 8);
    CHECK(visible_width("plain") == 5);
    // An ESC that starts no SGR sequence counts as display_width counts it.
    CHECK(visible_width("\033x") == display_width("\033x"));
}

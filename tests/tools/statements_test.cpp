#include "test_support.hpp"

#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "statements.hpp"

using namespace cqlwire::cli;

namespace {

std::vector<std::string> texts(std::string_view input) {
    std::vector<statement> out;
    std::string message;
    REQUIRE_FALSE(split_statements(input, out, message));
    std::vector<std::string> result;
    for (auto& s : out) result.push_back(s.text);
    return result;
}

using list = std::vector<std::string>;

}  // namespace

TEST_CASE("splits on semicolons and trims") {
    CHECK(texts("SELECT 1; SELECT 2;") == list{"SELECT 1", "SELECT 2"});
    CHECK(texts("  SELECT 1  ") == list{"SELECT 1"});
    CHECK(texts("") == list{});
    CHECK(texts(";;; \n ;") == list{});
    CHECK(texts("A;\nB") == list{"A", "B"});
}

TEST_CASE("semicolons inside strings, identifiers and $$ strings do not split") {
    CHECK(texts("INSERT INTO t (a) VALUES ('x;y');") == list{"INSERT INTO t (a) VALUES ('x;y')"});
    CHECK(texts("SELECT 'it''s; fine' FROM t; B") == list{"SELECT 'it''s; fine' FROM t", "B"});
    CHECK(texts("SELECT \"we;ird\"\"name\" FROM t; B") == list{"SELECT \"we;ird\"\"name\" FROM t", "B"});
    CHECK(texts("CREATE FUNCTION f() AS $$ return 1; $$; B") == list{"CREATE FUNCTION f() AS $$ return 1; $$", "B"});
    CHECK(texts("SELECT '--not a comment' FROM t") == list{"SELECT '--not a comment' FROM t"});
    CHECK(texts("SELECT $$ 'quote; $$ FROM t; B") == list{"SELECT $$ 'quote; $$ FROM t", "B"});
}

TEST_CASE("comments are skipped around statements and kept inside them") {
    CHECK(texts("-- header; comment\nSELECT 1; // trailing; comment\n") == list{"SELECT 1"});
    CHECK(texts("/* a; b */ SELECT /* inner; */ 1 -- end;\n;") == list{"SELECT /* inner; */ 1"});
    CHECK(texts("SELECT 1 -- no semicolon at the end") == list{"SELECT 1"});
    CHECK(texts("-- only a comment") == list{});
    CHECK(texts("/* only */ /* comments */") == list{});
    CHECK(texts("SELECT 2-1; SELECT 4/2;") == list{"SELECT 2-1", "SELECT 4/2"});
    CHECK(texts("/*/ still a comment; */ A") == list{"A"});
    CHECK(texts("A---B;") == list{"A"});
}

TEST_CASE("line numbers of statements") {
    std::vector<statement> out;
    std::string message;
    REQUIRE_FALSE(split_statements("\n-- c\n  A;\n\n/* x\n*/ B\n;", out, message));
    REQUIRE(out.size() == 2);
    CHECK(out[0].line == 3);
    CHECK(out[1].line == 6);
}

TEST_CASE("unterminated strings and comments are errors naming the line") {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"SELECT 'abc", "unterminated string literal ('...') opened on line 1"},
        {"A;\nSELECT \"abc", "unterminated quoted identifier (\"...\") opened on line 2"},
        {"\n\nAS $$ body", "unterminated $$ string opened on line 3"},
        {"A /* never closed", "unterminated comment (/* ... */) opened on line 1"},
    };
    for (const auto& [input, expected] : cases) {
        std::vector<statement> out;
        std::string message;
        const auto ec = split_statements(input, out, message);
        CHECK(ec == cli_errc::bad_statements);
        CHECK(exit_code_for(ec) == exit_code::usage);
        CHECK(message == expected);
    }
}

TEST_CASE("feeding byte by byte gives the same statements") {
    const std::string_view input = "SELECT 'a;''b' -- c;\nFROM t; /* d; */ X $$;$$ ; // e\n Y";
    std::vector<statement> whole;
    std::string message;
    REQUIRE_FALSE(split_statements(input, whole, message));
    statement_splitter splitter;
    std::vector<statement> pieces;
    for (char c : input) splitter.feed(std::string_view(&c, 1), pieces);
    REQUIRE_FALSE(splitter.finish(pieces, message));
    REQUIRE(pieces.size() == whole.size());
    REQUIRE(whole.size() == 3);
    for (std::size_t i = 0; i < whole.size(); ++i) {
        CHECK(pieces[i].text == whole[i].text);
        CHECK(pieces[i].line == whole[i].line);
    }
}

TEST_CASE("idle tells whether a statement is pending") {
    statement_splitter s;
    std::vector<statement> out;
    CHECK(s.idle());
    s.feed("SELECT", out);
    CHECK_FALSE(s.idle());
    s.feed(" 1;", out);
    CHECK(s.idle());
    CHECK(out.size() == 1);
    s.feed("-- comment only\n", out);
    CHECK(s.idle());
    s.feed("'open", out);
    CHECK_FALSE(s.idle());
}

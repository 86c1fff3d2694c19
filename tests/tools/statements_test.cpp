#include "test_support.hpp"

#include <optional>
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

TEST_CASE("an unterminated literal is named by the line it opened on, past its doubled quotes") {
    // The '' on line 2 is a quote inside the literal, not its end and a new start.
    std::vector<statement> out;
    std::string message;
    CHECK(split_statements("SELECT 'it\n''s\n", out, message) == cli_errc::bad_statements);
    CHECK(message == "unterminated string literal ('...') opened on line 1");
    CHECK(split_statements("SELECT \"a\n\"\"b", out, message) == cli_errc::bad_statements);
    CHECK(message == "unterminated quoted identifier (\"...\") opened on line 1");
}

TEST_CASE("feeding byte by byte gives the same statements") {
    const std::string_view input = "SELECT 'a;''b' -- c;\nFROM t; /* d; */ X $$;$$ ; // e\n Y";
    std::vector<statement> whole;
    std::string message;
    REQUIRE_FALSE(split_statements(input, whole, message));
    statement_splitter splitter;
    std::vector<statement> pieces;
    for (char c : input) splitter.feed(std::string_view(&c, 1), pieces);
    std::optional<statement> last;
    REQUIRE_FALSE(splitter.finish(last, message));
    REQUIRE(last);
    pieces.push_back(*last);
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

TEST_CASE("a batch is one statement: its inner semicolons do not split it") {
    const std::string batch =
        "BEGIN BATCH INSERT INTO t (k,v) VALUES (1,1); INSERT INTO t (k,v) VALUES (2,2); APPLY BATCH";
    CHECK(texts(batch + ";") == list{batch});
    CHECK(texts(batch + "; SELECT 1;") == list{batch, "SELECT 1"});
    // Every kind, any case, across lines, with comments and literals holding the keywords.
    const std::string unlogged =
        "begin Unlogged batch\n  INSERT INTO t (k, v) VALUES (1, 'APPLY BATCH;'); -- APPLY BATCH;\n"
        "  /* APPLY BATCH; */ UPDATE t SET v = 'x;' WHERE k = 2;\napply\n batch";
    CHECK(texts(unlogged + ";\nB;") == list{unlogged, "B"});
    const std::string counter = "BEGIN COUNTER BATCH UPDATE c SET n = n + 1 WHERE k = 1; APPLY BATCH";
    CHECK(texts(counter + ";") == list{counter});
    const std::string timestamped = "BEGIN BATCH USING TIMESTAMP 5 INSERT INTO t (k) VALUES (1); APPLY BATCH";
    CHECK(texts(timestamped + ";") == list{timestamped});
    // A comment right after APPLY BATCH, and one between the words.
    CHECK(texts("BEGIN BATCH A; APPLY BATCH -- done\n; B;") == list{"BEGIN BATCH A; APPLY BATCH", "B"});
    CHECK(texts("BEGIN BATCH A; APPLY /* x */ BATCH; B;") == list{"BEGIN BATCH A; APPLY /* x */ BATCH", "B"});
    // Not batches: BEGIN alone, a table named batch, APPLY BATCH quoted.
    CHECK(texts("SELECT * FROM batch; B;") == list{"SELECT * FROM batch", "B"});
    CHECK(texts("BEGIN x; BATCH;") == list{"BEGIN x", "BATCH"});
    CHECK(texts("BEGIN BATCH A; 'APPLY BATCH'; B; APPLY BATCH;") == list{"BEGIN BATCH A; 'APPLY BATCH'; B; APPLY BATCH"});
    // Identifiers that only start like the keywords.
    CHECK(texts("BEGIN BATCHES; B;") == list{"BEGIN BATCHES", "B"});
    CHECK(texts("BEGIN BATCH A; APPLY BATCHED; APPLY BATCH;") == list{"BEGIN BATCH A; APPLY BATCHED; APPLY BATCH"});
}

TEST_CASE("a batch fed byte by byte splits as a whole") {
    const std::string_view input = "BEGIN BATCH\nINSERT INTO t (k) VALUES (1);\nINSERT INTO t (k) VALUES (2);\nAPPLY BATCH;\nX;";
    statement_splitter splitter;
    std::vector<statement> out;
    for (char c : input) splitter.feed(std::string_view(&c, 1), out);
    REQUIRE(out.size() == 2);
    CHECK(out[0].text == "BEGIN BATCH\nINSERT INTO t (k) VALUES (1);\nINSERT INTO t (k) VALUES (2);\nAPPLY BATCH");
    CHECK(out[0].line == 1);
    CHECK(out[1].text == "X");
    CHECK(out[1].line == 5);
}

TEST_CASE("-e: a batch without APPLY BATCH is refused, not sent in pieces") {
    std::vector<statement> out;
    std::string message;
    const auto ec = split_statements("SELECT 1;\nBEGIN BATCH INSERT INTO t (k) VALUES (1); INSERT INTO t (k) VALUES (2);", out, message);
    CHECK(ec == cli_errc::bad_statements);
    CHECK(exit_code_for(ec) == exit_code::usage);
    CHECK(message == "the batch begun on line 2 has no APPLY BATCH; it was not run (end it with APPLY BATCH;)");
    // -e's end completes an ordinary last statement, as cqlsh -e does.
    out.clear();
    REQUIRE_FALSE(split_statements("SELECT 1; BEGIN BATCH A; APPLY BATCH", out, message));
    CHECK(out.size() == 2);
}

TEST_CASE("finish: the unterminated last statement is handed back, never appended") {
    statement_splitter splitter;
    std::vector<statement> out;
    splitter.feed("SELECT 1;\n\nTRUNCATE t\n", out);
    CHECK(out.size() == 1);
    CHECK(splitter.pending_line() == 3);
    std::optional<statement> last;
    std::string message;
    REQUIRE_FALSE(splitter.finish(last, message));
    REQUIRE(last);
    CHECK(last->text == "TRUNCATE t");
    CHECK(last->line == 3);
    CHECK(out.size() == 1);
    CHECK(splitter.idle());
}

TEST_CASE("first_invalid_utf8 finds the first byte that is not UTF-8") {
    CHECK_FALSE(first_invalid_utf8("plain ascii"));
    CHECK_FALSE(first_invalid_utf8("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));
    CHECK(first_invalid_utf8("ab\xff") == 2u);
    CHECK(first_invalid_utf8("a\xc3") == 1u);             // truncated
    CHECK(first_invalid_utf8("\xc0\xaf") == 0u);          // overlong
    CHECK(first_invalid_utf8("x\xed\xa0\x80") == 1u);     // a UTF-16 surrogate
    CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0u); // beyond U+10FFFF
}

TEST_CASE("cqlsh's own commands end at the end of their line, in any case, with or without ;") {
    CHECK(texts("CONSISTENCY\nconsistency quorum\nSELECT 1;") == list{"CONSISTENCY", "consistency quorum", "SELECT 1"});
    CHECK(texts("EXPAND ON;\nSELECT\n 1;") == list{"EXPAND ON", "SELECT\n 1"});
    CHECK(texts("serial consistency local_serial\r\nTRACING\n") == list{"serial consistency local_serial", "TRACING"});
    CHECK(texts("DESCRIBE KEYSPACES\nDESC TABLES\n") == list{"DESCRIBE KEYSPACES", "DESC TABLES"});
    CHECK(texts("PAGING -- a comment\nSHOW HOST") == list{"PAGING", "SHOW HOST"});
    CHECK(texts("?\nHELP select\nexit") == list{"?", "HELP select", "exit"});
    // A line break inside a string or a block comment does not end it.
    CHECK(texts("SOURCE 'a\nb'\nEXIT") == list{"SOURCE 'a\nb'", "EXIT"});
    CHECK(texts("TRACING /* on\n */ ON\nEXIT") == list{"TRACING /* on\n */ ON", "EXIT"});
    // Only the first word counts: a CQL statement holding these words still needs its `;`.
    CHECK(texts("SELECT consistency\nFROM t;") == list{"SELECT consistency\nFROM t"});
    CHECK(texts("INSERT INTO t (expand) VALUES (1)\n;") == list{"INSERT INTO t (expand) VALUES (1)"});
}

TEST_CASE("cqlsh's commands end at their line also when fed in pieces") {
    statement_splitter splitter;
    std::vector<statement> out;
    for (const char c : std::string_view("CONSISTENCY ONE\nSELECT 1;\nEXPAND"))
        splitter.feed(std::string_view(&c, 1), out);
    REQUIRE(out.size() == 2);
    CHECK(out[0].text == "CONSISTENCY ONE");
    CHECK(out[0].line == 1);
    CHECK(out[1].text == "SELECT 1");
    CHECK(out[1].line == 2);
    std::optional<statement> last;
    std::string message;
    REQUIRE_FALSE(splitter.finish(last, message));
    REQUIRE(last);
    CHECK(last->text == "EXPAND");
    CHECK(last->line == 3);
}

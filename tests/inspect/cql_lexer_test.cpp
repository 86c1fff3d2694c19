// The CQL lexer (cql_lexer.hpp) that the password masking and the command's statement splitter
// share.
#include "test_support.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/inspect/cql_lexer.hpp"

using namespace cqlwire::inspect;

namespace {

// Each token as "kind:text", content for quoted ones, and "!" after an unterminated one.
std::vector<std::string> lex(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& t : cql_tokens(text)) {
        std::string kind;
        switch (t.kind) {
        case cql_token_kind::word: kind = "w"; break;
        case cql_token_kind::punctuation: kind = "p"; break;
        case cql_token_kind::string_literal: kind = "s"; break;
        case cql_token_kind::quoted_identifier: kind = "q"; break;
        case cql_token_kind::dollar_string: kind = "d"; break;
        }
        out.push_back(kind + ":" + std::string(token_content(text, t)) + (t.terminated ? "" : "!"));
    }
    return out;
}

using tokens = std::vector<std::string>;

}  // namespace

TEST_CASE("cql lexer: words, punctuation and whitespace") {
    CHECK(lex("SELECT k_1, v FROM ks.t WHERE k = 12.5;") ==
          tokens{"w:SELECT", "w:k_1", "p:,", "w:v", "w:FROM", "w:ks", "p:.", "w:t", "w:WHERE", "w:k", "p:=", "w:12",
                 "p:.", "w:5", "p:;"});
    CHECK(lex(" \t\r\n\f\v").empty());
    CHECK(lex("a-b/c$d").at(1) == "p:-");
    CHECK(lex("a-b/c$d") == tokens{"w:a", "p:-", "w:b", "p:/", "w:c", "p:$", "w:d"});
    CHECK(lex("x -") == tokens{"w:x", "p:-"});  // a '-' at the end is punctuation, not a comment
}

TEST_CASE("cql lexer: comments separate tokens and are not tokens") {
    CHECK(lex("a -- PASSWORD 'x'\nb") == tokens{"w:a", "w:b"});
    CHECK(lex("a // note\nb") == tokens{"w:a", "w:b"});
    CHECK(lex("a/* one\n two */b") == tokens{"w:a", "w:b"});
    CHECK(lex("a /* ** / *// b") == tokens{"w:a", "p:/", "w:b"});
    CHECK(lex("/*/ still a comment */x") == tokens{"w:x"});
    CHECK(lex("a-/*c*/-b") == tokens{"w:a", "p:-", "p:-", "w:b"});
    CHECK(lex("'--not a comment' \"/*nor this*/\"") == tokens{"s:--not a comment", "q:/*nor this*/"});
}

TEST_CASE("cql lexer: string literals and quoted identifiers with doubled quotes") {
    const std::string_view text = "'it''s' \"Col\"\"umn\" ''";
    const auto t = cql_tokens(text);
    REQUIRE(t.size() == 3);
    CHECK(t[0].kind == cql_token_kind::string_literal);
    CHECK(token_text(text, t[0]) == "'it''s'");
    CHECK(token_content(text, t[0]) == "it''s");  // as written: the doubled quote is the caller's
    CHECK(t[1].kind == cql_token_kind::quoted_identifier);
    CHECK(token_content(text, t[1]) == "Col\"\"umn");
    CHECK(token_content(text, t[2]).empty());
    CHECK(lex("'a'b") == tokens{"s:a", "w:b"});
    CHECK(lex("'a';") == tokens{"s:a", "p:;"});
}

TEST_CASE("cql lexer: $$ strings have no escapes") {
    CHECK(lex("AS $$ return 'x''; $$;") == tokens{"w:AS", "d: return 'x''; ", "p:;"});
    CHECK(lex("$$$a$$") == tokens{"d:$a"});
    CHECK(lex("$$$$x") == tokens{"d:", "w:x"});
    CHECK(lex("$a $") == tokens{"p:$", "w:a", "p:$"});
}

TEST_CASE("cql lexer: unterminated input runs to the end and is reported") {
    CHECK(lex("PASSWORD 'abc") == tokens{"w:PASSWORD", "s:abc!"});
    CHECK(lex("'it''") == tokens{"s:it''!"});  // the last quote is the first of a doubled one
    CHECK(lex("\"abc") == tokens{"q:abc!"});
    CHECK(lex("$$ab$") == tokens{"d:ab$!"});
    CHECK(lex("a /* open").size() == 1);

    cql_lexer lexer;
    for (const char c : std::string_view("A;\n\nSELECT 'x\ny")) static_cast<void>(lexer.feed(c));
    CHECK(lexer.unclosed() == cql_unclosed::string_literal);
    CHECK(lexer.unclosed_line() == 3);
    CHECK_FALSE(lexer.between_tokens());
    const auto last = lexer.finish();
    REQUIRE(last.size() == 1);
    CHECK_FALSE(last[0].terminated);
    CHECK(lexer.unclosed() == cql_unclosed::nothing);  // ready for a new text

    for (const char c : std::string_view("x /* y")) static_cast<void>(lexer.feed(c));
    CHECK(lexer.unclosed() == cql_unclosed::block_comment);
    CHECK(lexer.unclosed_line() == 1);
}

TEST_CASE("cql lexer: fed one character at a time, a token is known when the next one arrives") {
    cql_lexer lexer;
    CHECK(lexer.feed('a').empty());
    CHECK(lexer.open_token()->kind == cql_token_kind::word);
    auto done = lexer.feed(';');
    REQUIRE(done.size() == 2);  // the word, and the ';' at once
    CHECK(done[0].kind == cql_token_kind::word);
    CHECK(done[0].begin == 0);
    CHECK(done[0].end == 1);
    CHECK(done[1].kind == cql_token_kind::punctuation);
    CHECK(done[1].begin == 1);
    CHECK(lexer.between_tokens());
    CHECK_FALSE(lexer.open_token());
    CHECK(lexer.feed('\n').empty());
    CHECK(lexer.feed('-').empty());
    CHECK_FALSE(lexer.between_tokens());  // a '-' may open a comment
    CHECK(lexer.open_token()->line == 2);
    CHECK(lexer.feed('-').empty());
    CHECK_FALSE(lexer.open_token());  // it did: a comment is no token
    CHECK(lexer.offset() == 5);
}

TEST_CASE("cql lexer: the same tokens whatever the pieces, with their lines") {
    const std::string_view text = "BEGIN BATCH\n  INSERT INTO t (k) VALUES ('a;b'); -- c\n/* d */ APPLY BATCH;";
    const auto whole = cql_tokens(text);
    cql_lexer lexer;
    std::vector<cql_token> fed;
    for (const char c : text)
        for (const auto& t : lexer.feed(c)) fed.push_back(t);
    for (const auto& t : lexer.finish()) fed.push_back(t);
    REQUIRE(fed.size() == whole.size());
    for (std::size_t i = 0; i < fed.size(); ++i) {
        CAPTURE(i);
        CHECK(fed[i].begin == whole[i].begin);
        CHECK(fed[i].end == whole[i].end);
    }
    REQUIRE(whole.size() == 16);
    CHECK(whole[0].line == 1);
    CHECK(whole[2].line == 2);                          // INSERT
    CHECK(token_content(text, whole[10]) == "a;b");
    CHECK(whole[13].line == 3);                         // APPLY, after the comments
}

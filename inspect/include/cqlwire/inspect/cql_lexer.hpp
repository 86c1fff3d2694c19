// The CQL lexer: cuts CQL text into tokens, skipping whitespace and comments. One lexer for every
// reader of CQL in the project — the masking of passwords in frame traces and server text
// (password_masking.hpp) and the command's statement splitter — so that they agree on where a
// literal, an identifier or a comment begins and ends.
//
// Tokens:
//   word               letters, digits and '_' (keywords, names, numbers: 12.5 is three tokens)
//   string_literal     '...' with '' standing for one quote
//   quoted_identifier  "..." with "" standing for one quote
//   dollar_string      $$...$$ (no escapes)
//   punctuation        any other single character that is not whitespace
// Comments (-- and // to the end of the line, /* ... */ not nested) separate tokens and are
// not tokens themselves.
//
// The lexer is fed one character at a time, so that text arriving in pieces of any size (a
// terminal, a pipe) is cut the same way as a whole text; it keeps no text, only positions: a
// token says where it lies in the text fed so far. A token is known only once the character
// after it arrived (a word or a '-' may go on; a closing quote may be the first of two), so each
// character may complete up to two tokens.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "cqlwire/inspect/export.hpp"

namespace cqlwire::inspect {

enum class cql_token_kind : std::uint8_t { word, punctuation, string_literal, quoted_identifier, dollar_string };

struct cql_token {
    cql_token_kind kind = cql_token_kind::punctuation;
    // Offsets in the text fed: [begin, end) is the whole token, quotes included; [content_begin,
    // content_end) is what lies between its quotes (the token itself for a word or punctuation).
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t content_begin = 0;
    std::size_t content_end = 0;
    int line = 1;             // 1-based line of its first character
    bool terminated = true;   // false for a quoted token the text ended inside of
};

// What the text ended inside of, when it ended inside something that must be closed.
enum class cql_unclosed : std::uint8_t { nothing, string_literal, quoted_identifier, dollar_string, block_comment };

class CQLWIRE_INSPECT_API cql_lexer {
public:
    // Reads the next character. Returns the tokens it completed (none, one or two), valid until
    // the next call.
    std::span<const cql_token> feed(char c);

    // Ends the text: returns the token that was still open (a word, a '-', a literal the text
    // ended inside of — with terminated == false, its content running to the end), valid until
    // the next call, and makes the lexer ready for a new text.
    std::span<const cql_token> finish();

    // What finish() would find unclosed, and the line where it opened (0 when nothing).
    cql_unclosed unclosed() const noexcept;
    int unclosed_line() const noexcept { return unclosed() == cql_unclosed::nothing ? 0 : open_line_; }

    // True between tokens, outside any comment: nothing has begun that a later character could
    // continue or close.
    bool between_tokens() const noexcept { return state_ == state::code; }
    // The token being read (its kind, begin and line; its end is not known yet), if any.
    std::optional<cql_token> open_token() const noexcept;

    // Characters fed so far: the offset the next one gets.
    std::size_t offset() const noexcept { return offset_; }

private:
    enum class state : std::uint8_t {
        code,
        word,
        after_dash,        // a '-' that may open a -- comment
        after_slash,       // a '/' that may open a // or /* comment
        after_dollar,      // a '$' that may open a $$ string
        single_quoted,
        single_quote_end,  // a quote inside '...': the end, or the first of ''
        double_quoted,
        double_quote_end,
        dollar_quoted,
        line_comment,
        block_comment,
    };

    // What the character after a pending '-', '/' or '$' opens with it (a comment, a $$ string),
    // if anything.
    static std::optional<state> opened_by(state pending, char c) noexcept;
    void start(state s);
    void complete(cql_token_kind kind, std::size_t end, std::size_t content_begin, std::size_t content_end,
                  bool terminated = true);
    void read_in_code(char c);

    state state_ = state::code;
    std::size_t offset_ = 0;
    int line_ = 1;
    std::size_t open_begin_ = 0;  // where the open token or comment began
    int open_line_ = 1;
    bool saw_closer_half_ = false;  // dollar_quoted: the last character was '$'; block_comment: '*'
    std::array<cql_token, 2> completed_{};
    std::size_t count_ = 0;
};

// Every token of a whole text, the last one possibly unterminated (see finish()).
CQLWIRE_INSPECT_API std::vector<cql_token> cql_tokens(std::string_view text);

// The text of a token (its content for a quoted one) in the text it was read from.
inline std::string_view token_text(std::string_view text, const cql_token& t) noexcept {
    return text.substr(t.begin, t.end - t.begin);
}
inline std::string_view token_content(std::string_view text, const cql_token& t) noexcept {
    return text.substr(t.content_begin, t.content_end - t.content_begin);
}

}  // namespace cqlwire::inspect

// Splitting CQL text (from -e, -f or standard input) into statements.
//
// Statements end at `;` outside string literals ('...' with '' inside), quoted identifiers
// ("..." with "" inside), $$...$$ strings and comments (-- and // to the end of the line,
// /* ... */). Each statement's text runs from its first significant character to its last, so
// comments before and after it are dropped; comments inside it are kept verbatim (the server
// skips them). A statement made only of whitespace and comments is dropped. The last statement
// needs no `;`.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace cqlwire::cli {

struct statement {
    std::string text;  // without the terminating ';'
    int line = 0;      // 1-based line of its first significant character
};

// Splits text fed in pieces of any size, so that an interactive session can run each statement
// as soon as its `;` arrives.
class statement_splitter {
public:
    // Appends to `out` each statement that `text` completes.
    void feed(std::string_view text, std::vector<statement>& out);
    // Ends the input: appends the unterminated last statement, if any. An unclosed string,
    // quoted identifier or block comment is cli_errc::bad_statements with a message naming
    // where it opened.
    [[nodiscard]] std::error_code finish(std::vector<statement>& out, std::string& message);
    // True when nothing significant is pending (an interactive prompt shows "continue" otherwise).
    bool idle() const noexcept { return state_ == state::code && first_ == npos; }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);
    enum class state { code, single_quoted, double_quoted, dollar_quoted, line_comment, block_comment };

    void significant(std::size_t pos);
    void emit(std::vector<statement>& out);

    state state_ = state::code;
    std::string current_;     // text since the end of the previous statement
    std::size_t first_ = npos;  // offset in current_ of the first significant character
    std::size_t end_ = 0;       // offset just past the last significant character
    std::size_t end_before_ = 0;  // end_ before the previous character (to undo a comment opener)
    int first_line_ = 0;
    int line_ = 1;
    int opened_line_ = 0;       // where the current string or comment opened
    char prev_ = 0;             // previous character in the current state, 0 after a token
};

// Splits a whole text at once.
[[nodiscard]] std::error_code split_statements(std::string_view text, std::vector<statement>& out,
                                               std::string& message);

}  // namespace cqlwire::cli

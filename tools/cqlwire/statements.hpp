// Splitting CQL text (from -e, -f, standard input or the shell) into statements, at the tokens of
// the CQL lexer (cqlwire/inspect/cql_lexer.hpp).
//
// Statements end at `;` outside string literals ('...' with '' inside), quoted identifiers
// ("..." with "" inside), $$...$$ strings and comments (-- and // to the end of the line,
// /* ... */). A batch, `BEGIN [UNLOGGED | COUNTER] BATCH ... APPLY BATCH`, is one statement: the
// `;` after each of its inner statements does not end it (as in cqlsh), so the batch reaches the
// server whole and stays atomic. Each statement's text runs from its first significant
// character to its last, so comments before and after it are dropped; comments inside it are kept
// verbatim (the server skips them). A statement made only of whitespace and comments is dropped.
// A statement whose first word is one of cqlsh's own commands (CONSISTENCY, EXPAND, TRACING,
// PAGING, SHOW, DESCRIBE...; see shell_commands.hpp) ends at the end of its line as well, as in
// cqlsh, so those need no `;`.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/inspect/cql_lexer.hpp"

namespace cqlwire::cli {

struct statement {
    std::string text;  // without the terminating ';'
    int line = 0;      // 1-based line of its first significant character
};

// Splits text fed in pieces of any size, so that statements run as soon as their `;` arrives.
// Memory: the text since the end of the last complete statement (pending_bytes()).
class statement_splitter {
public:
    // Appends to `out` each statement that `text` completes.
    void feed(std::string_view text, std::vector<statement>& out);

    // Ends the input. An unclosed string, quoted identifier or block comment is
    // cli_errc::bad_statements with a message naming where it opened. A statement that has not
    // been ended (no `;`, or a BEGIN BATCH without its APPLY BATCH) is put in `unterminated`,
    // never in a list of statements to run: the caller decides whether the end of input completes
    // it (-e) or not (-f, standard input, the shell).
    [[nodiscard]] std::error_code finish(std::optional<statement>& unterminated, std::string& message);

    // True when nothing significant is pending (an interactive prompt shows "continue" otherwise).
    bool idle() const noexcept { return lexer_.between_tokens() && first_ == npos; }
    // Bytes held for the statement being read (for a caller's size limit).
    std::size_t pending_bytes() const noexcept { return current_.size(); }
    // 1-based line where the pending statement starts (0 when idle).
    int pending_line() const noexcept;
    // True while inside a BEGIN ... BATCH that has not reached APPLY BATCH.
    bool in_batch() const noexcept;

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    // A token the lexer completed: part of the statement, or the `;` that ends it.
    void take(const inspect::cql_token& t, std::vector<statement>& out);
    void emit(std::vector<statement>& out);
    // A token of the statement ended: an identifier or keyword (`word`), or "" for any other
    // token (punctuation, a literal). Tracks BEGIN ... BATCH and APPLY BATCH.
    void token(std::string_view word);
    // The word of current_ from `begin` (lexer offset) to `end`, upper-cased; "" when longer than
    // any keyword the batch detection compares with (it cannot match).
    std::string keyword(std::size_t begin, std::size_t end) const;
    bool ends_batch() const noexcept;

    // The statements are cut at the tokens of the project's one CQL lexer.
    inspect::cql_lexer lexer_;
    std::string current_;         // text since the end of the previous statement
    std::size_t base_ = 0;        // the lexer's offset of current_[0]
    std::size_t first_ = npos;    // offset in current_ of the first significant character
    std::size_t end_ = 0;         // offset just past the last significant character
    int first_line_ = 0;

    // Batch detection: the statement's leading tokens and its last two, upper-cased.
    int tokens_ = 0;               // tokens seen in this statement, counted up to 3
    bool batch_ = false;           // the statement began BEGIN [UNLOGGED|COUNTER] BATCH
    bool batch_possible_ = false;  // BEGIN seen first, BATCH may follow
    bool line_command_ = false;    // the first word is a shell command's: the line's end ends it
    std::string before_last_, last_;
};

// Splits a whole -e text at once: its end completes the last statement, as in cqlsh -e, except a
// BEGIN BATCH without its APPLY BATCH, which is cli_errc::bad_statements naming its line.
[[nodiscard]] std::error_code split_statements(std::string_view text, std::vector<statement>& out,
                                               std::string& message);

// Where the first byte that is not valid UTF-8 lies in `text` (byte offset), or nullopt.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

}  // namespace cqlwire::cli

#include "statements.hpp"

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/values.hpp"
#include "exit_codes.hpp"
#include "shell_commands.hpp"

namespace cqlwire::cli {
namespace {

// The longest keyword the splitter compares with ("CONSISTENCY", a shell command's first word).
constexpr std::size_t longest_keyword = 11;

}  // namespace

std::string statement_splitter::keyword(std::size_t begin, std::size_t end) const {
    if (end - begin > longest_keyword) return {};
    return protocol::ascii_uppered(std::string_view(current_).substr(begin - base_, end - begin));
}

void statement_splitter::token(std::string_view word) {
    if (tokens_ < 3) {
        if (tokens_ == 0) {
            batch_possible_ = word == "BEGIN";
            line_command_ = is_line_command_word(word);
        } else if (batch_possible_ && word == "BATCH") {
            batch_ = true;
            batch_possible_ = false;
        } else if (batch_possible_ && tokens_ == 1 && (word == "UNLOGGED" || word == "COUNTER")) {
            // BEGIN UNLOGGED / BEGIN COUNTER: BATCH must come next.
        } else {
            batch_possible_ = false;
        }
        ++tokens_;
    }
    before_last_ = last_;
    last_ = word;
}

bool statement_splitter::ends_batch() const noexcept { return before_last_ == "APPLY" && last_ == "BATCH"; }

bool statement_splitter::in_batch() const noexcept {
    if (!batch_) return false;
    // A word still being read ("... APPLY BATCH" at the very end) counts as the last token.
    const auto open = lexer_.open_token();
    if (!open || open->kind != inspect::cql_token_kind::word) return !ends_batch();
    return !(last_ == "APPLY" && keyword(open->begin, lexer_.offset()) == "BATCH");
}

int statement_splitter::pending_line() const noexcept {
    if (first_ != npos) return first_line_;
    const auto open = lexer_.open_token();
    return open ? open->line : 0;
}

void statement_splitter::emit(std::vector<statement>& out) {
    if (first_ != npos) out.push_back({current_.substr(first_, end_ - first_), first_line_});
    current_.clear();
    first_ = npos;
    end_ = 0;
    tokens_ = 0;
    batch_ = batch_possible_ = line_command_ = false;
    before_last_.clear();
    last_.clear();
}

void statement_splitter::take(const inspect::cql_token& t, std::vector<statement>& out) {
    const bool semicolon = t.kind == inspect::cql_token_kind::punctuation && current_[t.begin - base_] == ';';
    if (semicolon && !(batch_ && !ends_batch())) {
        // The `;` is the last character read: the statement is what came before it. (Inside
        // BEGIN BATCH ... APPLY BATCH the inner statements' `;` belong to the batch.)
        current_.pop_back();
        emit(out);
        base_ = t.end;
        return;
    }
    if (first_ == npos) {
        first_ = t.begin - base_;
        first_line_ = t.line;
    }
    end_ = t.end - base_;
    if (t.kind == inspect::cql_token_kind::word) token(keyword(t.begin, t.end));
    else token(t.kind == inspect::cql_token_kind::punctuation && current_[t.begin - base_] == '?' ? "?" : "");
}

void statement_splitter::feed(std::string_view text, std::vector<statement>& out) {
    for (const char c : text) {
        current_.push_back(c);
        for (const auto& t : lexer_.feed(c)) take(t, out);
        // A shell command (CONSISTENCY, EXPAND, DESCRIBE...) ends at the end of its line, as in
        // cqlsh; a line break inside a string or a block comment does not end it.
        if (c == '\n' && line_command_ && lexer_.between_tokens()) {
            emit(out);
            base_ = lexer_.offset();
        }
    }
}

std::error_code statement_splitter::finish(std::optional<statement>& unterminated, std::string& message) {
    unterminated.reset();
    const char* open = nullptr;
    switch (lexer_.unclosed()) {
    case inspect::cql_unclosed::string_literal: open = "string literal ('...')"; break;
    case inspect::cql_unclosed::quoted_identifier: open = "quoted identifier (\"...\")"; break;
    case inspect::cql_unclosed::dollar_string: open = "$$ string"; break;
    case inspect::cql_unclosed::block_comment: open = "comment (/* ... */)"; break;
    case inspect::cql_unclosed::nothing: break;
    }
    if (open != nullptr) {
        message = std::string("unterminated ") + open + " opened on line " + std::to_string(lexer_.unclosed_line());
        return make_error_code(cli_errc::bad_statements);
    }
    std::vector<statement> last;
    for (const auto& t : lexer_.finish()) take(t, last);
    emit(last);
    base_ = 0;  // the lexer starts a new text
    if (!last.empty()) unterminated = std::move(last.front());
    return {};
}

std::error_code split_statements(std::string_view text, std::vector<statement>& out, std::string& message) {
    statement_splitter splitter;
    splitter.feed(text, out);
    // Read before finish(), which forgets the statement's state.
    const bool open_batch = splitter.in_batch();
    std::optional<statement> last;
    if (auto ec = splitter.finish(last, message)) return ec;
    if (last) {
        if (open_batch) {
            message = "the batch begun on line " + std::to_string(last->line) +
                      " has no APPLY BATCH; it was not run (end it with APPLY BATCH;)";
            return make_error_code(cli_errc::bad_statements);
        }
        out.push_back(std::move(*last));
    }
    return {};
}

std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept {
    const auto at = protocol::utf8_error_offset(text);
    if (at == std::string_view::npos) return std::nullopt;
    return at;
}

}  // namespace cqlwire::cli

#include "cqlwire/inspect/cql_lexer.hpp"

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::inspect {
namespace {

bool is_word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::optional<cql_lexer::state> cql_lexer::opened_by(state pending, char c) noexcept {
    if (pending == state::after_dash && c == '-') return state::line_comment;
    if (pending == state::after_slash && c == '/') return state::line_comment;
    if (pending == state::after_slash && c == '*') return state::block_comment;
    if (pending == state::after_dollar && c == '$') return state::dollar_quoted;
    return std::nullopt;
}

void cql_lexer::start(state s) {
    state_ = s;
    open_begin_ = offset_;
    open_line_ = line_;
    saw_closer_half_ = false;
}

void cql_lexer::complete(cql_token_kind kind, std::size_t end, std::size_t content_begin, std::size_t content_end,
                         bool terminated) {
    completed_[count_++] = cql_token{kind, open_begin_, end, content_begin, content_end, open_line_, terminated};
    state_ = state::code;
}

void cql_lexer::read_in_code(char c) {
    if (is_word_char(c)) return start(state::word);
    switch (c) {
    case '-': return start(state::after_dash);
    case '/': return start(state::after_slash);
    case '$': return start(state::after_dollar);
    case '\'': return start(state::single_quoted);
    case '"': return start(state::double_quoted);
    default: break;
    }
    if (protocol::is_ascii_space(c)) return;
    start(state::code);
    complete(cql_token_kind::punctuation, offset_ + 1, offset_, offset_ + 1);
}

std::span<const cql_token> cql_lexer::feed(char c) {
    count_ = 0;
    const std::size_t at = offset_;
    switch (state_) {
    case state::code: read_in_code(c); break;
    case state::word:
        if (is_word_char(c)) break;
        complete(cql_token_kind::word, at, open_begin_, at);
        read_in_code(c);
        break;
    case state::after_dash:
    case state::after_slash:
    case state::after_dollar:
        if (const auto opened = opened_by(state_, c)) {
            state_ = *opened;
            saw_closer_half_ = false;
            break;
        }
        complete(cql_token_kind::punctuation, open_begin_ + 1, open_begin_, open_begin_ + 1);
        read_in_code(c);
        break;
    case state::single_quoted:
        if (c == '\'') state_ = state::single_quote_end;
        break;
    case state::double_quoted:
        if (c == '"') state_ = state::double_quote_end;
        break;
    case state::single_quote_end:
    case state::double_quote_end: {
        const bool single = state_ == state::single_quote_end;
        if (c == (single ? '\'' : '"')) {
            // A doubled quote stands for one: the literal goes on.
            state_ = single ? state::single_quoted : state::double_quoted;
            break;
        }
        complete(single ? cql_token_kind::string_literal : cql_token_kind::quoted_identifier, at, open_begin_ + 1,
                 at - 1);
        read_in_code(c);
        break;
    }
    case state::dollar_quoted:
        if (c == '$' && saw_closer_half_) {
            complete(cql_token_kind::dollar_string, at + 1, open_begin_ + 2, at - 1);
            break;
        }
        saw_closer_half_ = c == '$';
        break;
    case state::line_comment:
        if (c == '\n') state_ = state::code;
        break;
    case state::block_comment:
        if (c == '/' && saw_closer_half_) {
            state_ = state::code;
            break;
        }
        saw_closer_half_ = c == '*';
        break;
    }
    if (c == '\n') ++line_;
    ++offset_;
    return {completed_.data(), count_};
}

std::span<const cql_token> cql_lexer::finish() {
    count_ = 0;
    const std::size_t at = offset_;
    switch (state_) {
    case state::word: complete(cql_token_kind::word, at, open_begin_, at); break;
    case state::after_dash:
    case state::after_slash:
    case state::after_dollar:
        complete(cql_token_kind::punctuation, open_begin_ + 1, open_begin_, open_begin_ + 1);
        break;
    case state::single_quote_end: complete(cql_token_kind::string_literal, at, open_begin_ + 1, at - 1); break;
    case state::double_quote_end: complete(cql_token_kind::quoted_identifier, at, open_begin_ + 1, at - 1); break;
    case state::single_quoted: complete(cql_token_kind::string_literal, at, open_begin_ + 1, at, false); break;
    case state::double_quoted: complete(cql_token_kind::quoted_identifier, at, open_begin_ + 1, at, false); break;
    case state::dollar_quoted: complete(cql_token_kind::dollar_string, at, open_begin_ + 2, at, false); break;
    case state::code:
    case state::line_comment:
    case state::block_comment: break;
    }
    state_ = state::code;
    offset_ = 0;
    line_ = 1;
    return {completed_.data(), count_};
}

cql_unclosed cql_lexer::unclosed() const noexcept {
    switch (state_) {
    case state::single_quoted: return cql_unclosed::string_literal;
    case state::double_quoted: return cql_unclosed::quoted_identifier;
    case state::dollar_quoted: return cql_unclosed::dollar_string;
    case state::block_comment: return cql_unclosed::block_comment;
    default: return cql_unclosed::nothing;
    }
}

std::optional<cql_token> cql_lexer::open_token() const noexcept {
    cql_token t;
    t.begin = t.content_begin = open_begin_;
    t.line = open_line_;
    t.terminated = false;
    switch (state_) {
    case state::word: t.kind = cql_token_kind::word; return t;
    case state::after_dash:
    case state::after_slash:
    case state::after_dollar: t.kind = cql_token_kind::punctuation; return t;
    case state::single_quoted:
    case state::single_quote_end: t.kind = cql_token_kind::string_literal; return t;
    case state::double_quoted:
    case state::double_quote_end: t.kind = cql_token_kind::quoted_identifier; return t;
    case state::dollar_quoted: t.kind = cql_token_kind::dollar_string; return t;
    case state::code:
    case state::line_comment:
    case state::block_comment: return std::nullopt;
    }
    return std::nullopt;
}

std::vector<cql_token> cql_tokens(std::string_view text) {
    std::vector<cql_token> out;
    cql_lexer lexer;
    for (const char c : text)
        for (const auto& t : lexer.feed(c)) out.push_back(t);
    for (const auto& t : lexer.finish()) out.push_back(t);
    return out;
}

}  // namespace cqlwire::inspect

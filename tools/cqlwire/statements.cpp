#include "statements.hpp"

#include "exit_codes.hpp"

namespace cqlwire::cli {

void statement_splitter::significant(std::size_t pos) {
    if (first_ == npos) {
        first_ = pos;
        first_line_ = line_;
    }
    end_before_ = end_;
    end_ = pos + 1;
}

void statement_splitter::emit(std::vector<statement>& out) {
    if (first_ != npos) out.push_back({current_.substr(first_, end_ - first_), first_line_});
    current_.clear();
    first_ = npos;
    end_ = end_before_ = 0;
    prev_ = 0;
}

void statement_splitter::feed(std::string_view text, std::vector<statement>& out) {
    for (const char c : text) {
        const std::size_t pos = current_.size();
        current_.push_back(c);
        const char prev = prev_;
        prev_ = c;
        switch (state_) {
        case state::code:
            if (c == ';') {
                current_.pop_back();
                emit(out);
            } else if ((prev == '-' && c == '-') || (prev == '/' && c == '/') || (prev == '/' && c == '*')) {
                // The opener's first character was taken as significant; take it back.
                end_ = end_before_;
                if (first_ == pos - 1) first_ = npos;
                state_ = c == '*' ? state::block_comment : state::line_comment;
                opened_line_ = line_;
                prev_ = 0;
            } else if (c == '\'' || c == '"') {
                significant(pos);
                state_ = c == '\'' ? state::single_quoted : state::double_quoted;
                opened_line_ = line_;
            } else if (prev == '$' && c == '$') {
                significant(pos);
                state_ = state::dollar_quoted;
                opened_line_ = line_;
                prev_ = 0;
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') {
                significant(pos);
            }
            break;
        case state::single_quoted:
        case state::double_quoted:
            // A doubled quote inside closes and at once reopens the literal, which splits the
            // same way as reading it as an escaped quote.
            significant(pos);
            if (c == (state_ == state::single_quoted ? '\'' : '"')) {
                state_ = state::code;
                prev_ = 0;
            }
            break;
        case state::dollar_quoted:
            significant(pos);
            if (prev == '$' && c == '$') {
                state_ = state::code;
                prev_ = 0;
            }
            break;
        case state::line_comment:
            if (c == '\n') {
                state_ = state::code;
                prev_ = 0;
            }
            break;
        case state::block_comment:
            if (prev == '*' && c == '/') {
                state_ = state::code;
                prev_ = 0;
            }
            break;
        }
        if (c == '\n') ++line_;
    }
}

std::error_code statement_splitter::finish(std::vector<statement>& out, std::string& message) {
    const char* open = nullptr;
    switch (state_) {
    case state::single_quoted: open = "string literal ('...')"; break;
    case state::double_quoted: open = "quoted identifier (\"...\")"; break;
    case state::dollar_quoted: open = "$$ string"; break;
    case state::block_comment: open = "comment (/* ... */)"; break;
    case state::code:
    case state::line_comment: break;
    }
    if (open != nullptr) {
        message = std::string("unterminated ") + open + " opened on line " + std::to_string(opened_line_);
        return make_error_code(cli_errc::bad_statements);
    }
    emit(out);
    state_ = state::code;
    return {};
}

std::error_code split_statements(std::string_view text, std::vector<statement>& out, std::string& message) {
    statement_splitter splitter;
    splitter.feed(text, out);
    return splitter.finish(out, message);
}

}  // namespace cqlwire::cli

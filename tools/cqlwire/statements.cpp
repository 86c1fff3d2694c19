#include "statements.hpp"

#include "cqlwire/protocol/values.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {
namespace {

bool is_word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool is_space(char c) noexcept { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// The longest keyword the batch detection compares with ("UNLOGGED").
constexpr std::size_t longest_keyword = 8;

}  // namespace

void statement_splitter::significant(std::size_t pos) {
    if (first_ == npos) {
        first_ = pos;
        first_line_ = line_;
    }
    end_before_ = end_;
    end_ = pos + 1;
}

void statement_splitter::token(std::string_view word) {
    if (tokens_ < 3) {
        if (tokens_ == 0) {
            batch_possible_ = word == "BEGIN";
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

void statement_splitter::end_word() {
    if (word_.empty() && !word_too_long_) return;
    token(word_too_long_ ? std::string_view() : std::string_view(word_));
    word_.clear();
    word_too_long_ = false;
}

bool statement_splitter::ends_batch() const noexcept { return before_last_ == "APPLY" && last_ == "BATCH"; }

bool statement_splitter::in_batch() const noexcept {
    if (!batch_) return false;
    // A word still being read ("... APPLY BATCH" at the very end) counts as the last token.
    if (word_.empty() && !word_too_long_) return !ends_batch();
    return !(last_ == "APPLY" && !word_too_long_ && word_ == "BATCH");
}

void statement_splitter::emit(std::vector<statement>& out) {
    if (first_ != npos) out.push_back({current_.substr(first_, end_ - first_), first_line_});
    current_.clear();
    first_ = npos;
    end_ = end_before_ = 0;
    prev_ = 0;
    word_.clear();
    word_too_long_ = false;
    tokens_ = 0;
    batch_ = batch_possible_ = false;
    before_last_.clear();
    last_.clear();
}

void statement_splitter::feed(std::string_view text, std::vector<statement>& out) {
    for (const char c : text) {
        const std::size_t pos = current_.size();
        current_.push_back(c);
        const char prev = prev_;
        prev_ = c;
        switch (state_) {
        case state::code:
            if (is_word_char(c)) {
                // A '-' or '/' before this was punctuation, not a comment opener.
                if (prev == '-' || prev == '/') token({});
                if (word_.size() < longest_keyword) word_.push_back(c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
                else word_too_long_ = true;
                significant(pos);
                break;
            }
            end_word();
            if ((prev == '-' && c == '-') || (prev == '/' && c == '/') || (prev == '/' && c == '*')) {
                // The opener's first character was taken as significant; take it back.
                end_ = end_before_;
                if (first_ == pos - 1) first_ = npos;
                state_ = c == '*' ? state::block_comment : state::line_comment;
                opened_line_ = line_;
                prev_ = 0;
                break;
            }
            // A '-' or '/' is a token only once it is known not to open a comment.
            if (prev == '-' || prev == '/') token({});
            if (c == ';') {
                if (batch_ && !ends_batch()) {
                    // Inside BEGIN BATCH ... APPLY BATCH: the inner statements' `;` belong to it.
                    significant(pos);
                    token({});
                    prev_ = 0;
                } else {
                    current_.pop_back();
                    emit(out);
                }
            } else if (c == '\'' || c == '"') {
                significant(pos);
                token({});
                state_ = c == '\'' ? state::single_quoted : state::double_quoted;
                opened_line_ = line_;
            } else if (prev == '$' && c == '$') {
                significant(pos);
                state_ = state::dollar_quoted;
                opened_line_ = line_;
                prev_ = 0;
            } else if (!is_space(c)) {
                significant(pos);
                if (c != '-' && c != '/') token({});
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

std::error_code statement_splitter::finish(std::optional<statement>& unterminated, std::string& message) {
    unterminated.reset();
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
    end_word();
    std::vector<statement> last;
    emit(last);
    if (!last.empty()) unterminated = std::move(last.front());
    state_ = state::code;
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

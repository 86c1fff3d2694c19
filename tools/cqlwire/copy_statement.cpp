// Reading a COPY command's text; see copy_statement.hpp.
#include "copy_statement.hpp"

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {

namespace {

bool is_word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// One token of the command: a word (identifier, keyword, number or other bare text), a quoted
// identifier, a string literal, or one punctuation character.
struct token {
    enum class kind { word, quoted_name, string, punct, end } k = kind::end;
    std::string text;  // words as written; quoted forms without their quotes
};

class scanner {
public:
    explicit scanner(std::string_view text) : text_(text) {}

    // False when a quoted form is never closed.
    bool next(token& t) {
        while (pos_ < text_.size() && protocol::is_ascii_space(text_[pos_])) ++pos_;
        t = token{};
        if (pos_ == text_.size()) return true;
        const char c = text_[pos_];
        if (c == '\'' || c == '"') {
            t.k = c == '\'' ? token::kind::string : token::kind::quoted_name;
            ++pos_;
            for (;;) {
                if (pos_ == text_.size()) return false;
                if (text_[pos_] == c) {
                    if (pos_ + 1 < text_.size() && text_[pos_ + 1] == c) {
                        t.text.push_back(c);
                        pos_ += 2;
                        continue;
                    }
                    ++pos_;
                    return true;
                }
                t.text.push_back(text_[pos_++]);
            }
        }
        if (c == '.' || c == '(' || c == ')' || c == ',' || c == '=' || c == ';') {
            t.k = token::kind::punct;
            t.text.assign(1, c);
            ++pos_;
            return true;
        }
        t.k = token::kind::word;
        // Numbers may carry a sign, a point and an exponent (-1, 0.5, 1e3); other bare values run
        // to the next space or punctuation.
        while (pos_ < text_.size() && !protocol::is_ascii_space(text_[pos_])) {
            const char d = text_[pos_];
            if (d == '(' || d == ')' || d == ',' || d == '=' || d == ';' || d == '\'' || d == '"') break;
            if (d == '.' && !(t.text.size() > 0 && (t.text[0] == '-' || (t.text[0] >= '0' && t.text[0] <= '9'))))
                break;
            t.text.push_back(d);
            ++pos_;
        }
        return true;
    }

private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

bool is_keyword(const token& t, std::string_view word) {
    return t.k == token::kind::word && protocol::ascii_lowered(t.text) == word;
}

// A CQL name: unquoted ones are case-insensitive, so lower-cased.
bool take_name(const token& t, std::string& out) {
    if (t.k == token::kind::quoted_name) {
        out = t.text;
        return !out.empty();
    }
    if (t.k != token::kind::word || t.text.empty()) return false;
    for (char c : t.text)
        if (!is_word_char(c)) return false;
    out = protocol::ascii_lowered(t.text);
    return true;
}

std::string expand_home(std::string path, std::string_view home) {
    if (!home.empty() && (path == "~" || path.starts_with("~/"))) path.replace(0, 1, home);
    return path;
}

}  // namespace

bool is_copy_statement(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size() && protocol::is_ascii_space(text[i])) ++i;
    if (!protocol::starts_with_ignoring_ascii_case(text.substr(i), "copy")) return false;
    return i + 4 == text.size() || !is_word_char(text[i + 4]);
}

std::optional<copy_statement> parse_copy_statement(std::string_view text, std::string_view home, std::string& error) {
    constexpr std::string_view improper = "Improper COPY command.";
    scanner s(text);
    token t;
    auto advance = [&] {
        if (s.next(t)) return true;
        error = "Improper COPY command: a quoted name or string is never closed.";
        return false;
    };
    auto fail = [&](std::string why) -> std::optional<copy_statement> {
        if (error.empty()) error = why.empty() ? std::string(improper) : std::string(improper) + " " + why;
        return std::nullopt;
    };
    copy_statement out;
    if (!advance() || !is_keyword(t, "copy")) return fail("");
    if (!advance() || !take_name(t, out.table)) return fail("It names no table.");
    if (!advance()) return fail("");
    if (t.k == token::kind::punct && t.text == ".") {
        out.keyspace = std::move(out.table);
        if (!advance() || !take_name(t, out.table)) return fail("It names no table after the keyspace.");
        if (!advance()) return fail("");
    }
    if (t.k == token::kind::punct && t.text == "(") {
        for (;;) {
            std::string column;
            if (!advance() || !take_name(t, column)) return fail("The column list is not a list of names.");
            out.columns.push_back(std::move(column));
            if (!advance()) return fail("");
            if (t.k == token::kind::punct && t.text == ")") break;
            if (t.k != token::kind::punct || t.text != ",") return fail("The column list is not closed.");
        }
        if (!advance()) return fail("");
    }
    if (is_keyword(t, "to")) out.direction = copy_direction::to;
    else if (is_keyword(t, "from")) out.direction = copy_direction::from;
    else return fail("It needs TO or FROM.");
    if (!advance()) return fail("");
    const bool to = out.direction == copy_direction::to;
    if (t.k == token::kind::string) {
        if (t.text.empty()) return fail("The file name is empty.");
        out.file = expand_home(t.text, home);
    } else if (!is_keyword(t, to ? "stdout" : "stdin")) {
        return fail(to ? "It needs a file name in quotes, or STDOUT." : "It needs a file name in quotes, or STDIN.");
    }
    if (!advance()) return fail("");
    if (is_keyword(t, "with")) {
        for (;;) {
            if (!advance() || t.k != token::kind::word || t.text.empty()) return fail("An option has no name.");
            std::string name = protocol::ascii_lowered(t.text);
            if (!advance() || t.k != token::kind::punct || t.text != "=")
                return fail("The option " + name + " has no '= value'.");
            if (!advance() || (t.k != token::kind::word && t.k != token::kind::string))
                return fail("The option " + name + " has no value.");
            out.options.emplace_back(std::move(name), t.text);
            if (!advance()) return fail("");
            if (!is_keyword(t, "and")) break;
        }
    }
    if (t.k == token::kind::punct && t.text == ";" && !advance()) return fail("");
    if (t.k != token::kind::end) return fail("Unexpected text after the command.");
    return out;
}

}  // namespace cqlwire::cli

#include "shell_commands.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {
namespace {

// The statement's words (shell commands hold no quoted text that we carry out).
std::vector<std::string_view> words_of(std::string_view text) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && protocol::is_ascii_space(text[i])) ++i;
        const std::size_t begin = i;
        while (i < text.size() && !protocol::is_ascii_space(text[i])) ++i;
        if (i > begin) words.push_back(text.substr(begin, i - begin));
    }
    return words;
}

switch_value on_off(std::string_view word) {
    const auto w = protocol::ascii_uppered(word);
    if (w == "ON") return switch_value::on;
    if (w == "OFF") return switch_value::off;
    return switch_value::none;
}

shell_parse improper(std::string_view word) {
    shell_parse p;
    p.is_shell_command = true;
    p.error = "Improper " + std::string(word) + " command.";
    return p;
}

// `rest` as one CQL string literal ('' standing for a quote), into `out`; false when it is
// anything else (or empty, when `allow_empty` is false).
bool string_literal(std::string_view rest, std::string& out) {
    rest = protocol::trim_ascii_space(rest);
    if (rest.size() < 2 || rest.front() != '\'' || rest.back() != '\'') return false;
    const auto inner = rest.substr(1, rest.size() - 2);
    out.clear();
    for (std::size_t i = 0; i < inner.size(); ++i) {
        if (inner[i] == '\'') {
            if (i + 1 >= inner.size() || inner[i + 1] != '\'') return false;
            ++i;
        }
        out += inner[i];
    }
    return true;
}

// The text after `word` (a word of `text`, by position).
std::string_view after(std::string_view text, std::string_view word) {
    return text.substr(static_cast<std::size_t>(word.data() - text.data()) + word.size());
}

// The file literal after the command word, a leading "~/" expanded with `home` (cqlsh's
// expanduser); false when the rest is anything else.
bool file_literal(std::string_view text, std::string_view command_word, std::string_view home, std::string& path) {
    if (!string_literal(after(text, command_word), path) || path.empty()) return false;
    if (!home.empty() && (path == "~" || path.starts_with("~/"))) path = std::string(home) + path.substr(1);
    return true;
}

shell_parse parsed(shell_command c) {
    shell_parse p;
    p.is_shell_command = true;
    p.command = std::move(c);
    return p;
}

}  // namespace

bool is_line_command_word(std::string_view upper_word) noexcept {
    static constexpr std::array<std::string_view, 19> words = {
        "HELP",  "?",     "CONSISTENCY", "SERIAL", "DESCRIBE", "DESC", "SHOW",  "SOURCE", "CAPTURE", "LOGIN",
        "DEBUG", "TRACING", "EXPAND",    "PAGING", "EXIT",     "QUIT", "CLEAR", "CLS",    "HISTORY"};
    return std::find(words.begin(), words.end(), upper_word) != words.end();
}

namespace {

// The token SHOW REPLICAS was given: an integer, as cqlsh's grammar takes it (an optional '-',
// then digits). One beyond the 64-bit range is clamped to it, which places it where cqlsh's
// unbounded integer falls (past every token: with the ring's first). None when it is not an
// integer.
std::optional<std::int64_t> replicas_token(std::string_view text) noexcept {
    const bool negative = text.starts_with('-');
    const std::string_view digits = negative ? text.substr(1) : text;
    if (digits.empty() || !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size()) return value;
    return negative ? std::numeric_limits<std::int64_t>::min() : std::numeric_limits<std::int64_t>::max();
}

// A keyspace's name as written in a command: "Quoted" as it is (doubled quotes undone), else
// folded to lower case, as CQL reads names. None when it is neither.
std::optional<std::string> schema_name(std::string_view word) {
    if (word.size() >= 2 && word.front() == '"' && word.back() == '"') {
        std::string name;
        for (std::size_t i = 1; i + 1 < word.size(); ++i) {
            if (word[i] == '"' && (i + 2 >= word.size() || word[++i] != '"')) return std::nullopt;
            name.push_back(word[i]);
        }
        return name;
    }
    if (word.empty() || !std::all_of(word.begin(), word.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
        }))
        return std::nullopt;
    return protocol::ascii_lowered(word);
}

}  // namespace

shell_parse parse_shell_command(std::string_view statement_text, std::string_view home) {
    const auto words = words_of(statement_text);
    if (words.empty()) return {};
    // "?" may be glued to its topic ("?select"), as in cqlsh.
    const std::string first = words[0].starts_with("?") ? std::string("?") : protocol::ascii_uppered(words[0]);
    if (!is_line_command_word(first)) return {};

    shell_command c;
    c.word = std::string(words[0].starts_with("?") ? std::string_view("?") : words[0]);
    const std::size_t n = words.size();
    // DESCRIBE goes to the server, but alone it is refused here, in cqlsh's words.
    if (first == "DESCRIBE" || first == "DESC") return n == 1 ? improper(c.word) : shell_parse{};
    // The second word upper-cased, for the commands that take a keyword there (SHOW HOST).
    const std::string second = n > 1 ? protocol::ascii_uppered(words[1]) : std::string();
    if (first == "CONSISTENCY") {
        c.kind = shell_command_kind::consistency;
        if (n > 2) return improper(c.word);
        if (n == 2) {
            c.level = protocol::parse_consistency(words[1]);
            if (!c.level) return improper(c.word);
        }
        return parsed(std::move(c));
    }
    if (first == "SERIAL") {
        c.kind = shell_command_kind::serial_consistency;
        if (n < 2 || n > 3 || second != "CONSISTENCY") return improper(c.word);
        if (n == 3) {
            c.level = protocol::parse_consistency(words[2]);
            if (c.level != protocol::consistency::serial && c.level != protocol::consistency::local_serial)
                return improper(c.word);
        }
        return parsed(std::move(c));
    }
    if (first == "EXPAND" || first == "TRACING") {
        c.kind = first == "EXPAND" ? shell_command_kind::expand : shell_command_kind::tracing;
        if (n > 2) return improper(c.word);
        if (n == 2) {
            c.toggle = on_off(words[1]);
            if (c.toggle == switch_value::none) return improper(c.word);
        }
        return parsed(std::move(c));
    }
    if (first == "PAGING") {
        c.kind = shell_command_kind::paging;
        if (n > 2) return improper(c.word);
        if (n == 2) {
            c.toggle = on_off(words[1]);
            if (c.toggle == switch_value::none) {
                // Digits only, as cqlsh's isdigit(): 0 and sizes beyond what a request can
                // carry are taken (the runner fetches those in its default pages).
                const auto w = words[1];
                std::int64_t size = 0;
                const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), size);
                const bool digits = !w.empty() && std::all_of(w.begin(), w.end(), [](char d) { return d >= '0' && d <= '9'; });
                if (!digits) return improper(c.word);
                c.page_size = ec == std::errc() && end == w.data() + w.size() ? size : INT64_MAX;
            }
        }
        return parsed(std::move(c));
    }
    if (first == "SHOW") {
        if (n == 2 && second == "VERSION") c.kind = shell_command_kind::show_version;
        else if (n == 2 && second == "HOST") c.kind = shell_command_kind::show_host;
        else if (n == 3 && second == "SESSION" && (c.session_id = protocol::parse_uuid(words[2])))
            c.kind = shell_command_kind::show_session;
        else if ((n == 3 || n == 4) && second == "REPLICAS" && replicas_token(words[2])) {
            c.kind = shell_command_kind::show_replicas;
            c.token = *replicas_token(words[2]);
            if (n == 4) {
                c.keyspace = schema_name(words[3]);
                if (!c.keyspace) return improper(c.word);
            }
        } else {
            return improper(c.word);
        }
        return parsed(std::move(c));
    }
    if (first == "SOURCE") {
        if (!file_literal(statement_text, words[0], home, c.path)) return improper(c.word);
        c.kind = shell_command_kind::source;
        return parsed(std::move(c));
    }
    if (first == "CAPTURE") {
        c.kind = shell_command_kind::capture;
        if (n == 1) return parsed(std::move(c));
        if (n == 2 && second == "OFF") {
            c.toggle = switch_value::off;
            return parsed(std::move(c));
        }
        if (!file_literal(statement_text, words[0], home, c.path)) return improper(c.word);
        return parsed(std::move(c));
    }
    if (first == "LOGIN") {
        // LOGIN <user> ['<password>']: the user a name or a "quoted" one ("" inside for ").
        auto rest = after(statement_text, words[0]);
        while (!rest.empty() && protocol::is_ascii_space(rest.front())) rest.remove_prefix(1);
        if (rest.empty()) return improper(c.word);
        std::size_t end = 0;
        if (rest.front() == '"') {
            for (end = 1;; ++end) {
                if (end >= rest.size()) return improper(c.word);
                if (rest[end] != '"') {
                    c.username += rest[end];
                } else if (end + 1 < rest.size() && rest[end + 1] == '"') {
                    c.username += '"';
                    ++end;
                } else {
                    break;
                }
            }
            ++end;
        } else {
            while (end < rest.size() && !protocol::is_ascii_space(rest[end])) ++end;
            c.username = std::string(rest.substr(0, end));
        }
        if (c.username.empty()) return improper(c.word);
        rest.remove_prefix(end);
        if (!protocol::trim_ascii_space(rest).empty()) {
            std::string password;
            const bool literal = string_literal(rest, password);
            if (literal) c.password.emplace(password);
            auth::wipe(password);
            if (!literal) return improper(c.word);
        }
        c.kind = shell_command_kind::login;
        return parsed(std::move(c));
    }
    if (first == "HISTORY") {
        c.kind = shell_command_kind::history;
        if (n > 2) return improper(c.word);
        if (n == 2) {
            int count = 0;
            const auto w = words[1];
            const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), count);
            if (ec != std::errc() || end != w.data() + w.size() || count < 0) return improper(c.word);
            c.page_size = count;
        }
        return parsed(std::move(c));
    }
    if (first == "EXIT" || first == "QUIT") {
        if (n > 1) return improper(c.word);
        c.kind = shell_command_kind::exit;
        return parsed(std::move(c));
    }
    if (first == "CLEAR" || first == "CLS") {
        if (n > 1) return improper(c.word);
        c.kind = shell_command_kind::clear;
        return parsed(std::move(c));
    }
    if (first == "HELP" || first == "?") {
        c.kind = shell_command_kind::help;
        // "?topic" holds its first topic.
        if (words[0].size() > 1 && words[0].starts_with("?")) c.topics.emplace_back(words[0].substr(1));
        for (std::size_t i = 1; i < n; ++i) c.topics.emplace_back(words[i]);
        return parsed(std::move(c));
    }
    c.kind = shell_command_kind::not_supported;
    return parsed(std::move(c));
}

}  // namespace cqlwire::cli

#include "cqlwire/inspect/password_masking.hpp"

#include <algorithm>
#include <utility>

#include "cqlwire/inspect/cql_lexer.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "password_ranges.hpp"

namespace cqlwire::inspect {
namespace {

using protocol::equals_ignoring_ascii_case;

// Whether a literal's content is a bcrypt hash ($2a$, $2b$, $2y$): a password's stand-in wherever
// it stands, e.g. in the INSERT INTO system_auth.roles that a CREATE ROLE's trace shows.
bool is_bcrypt_hash(std::string_view content) noexcept {
    return content.size() > 4 && content[0] == '$' && content[1] == '2' && content[3] == '$' &&
           (content[2] == 'a' || content[2] == 'b' || content[2] == 'y');
}

// Walks a CQL text token by token, calling on_literal(range) for each string literal that
// follows PASSWORD [=], and on_marker() for a bind marker there.
template <class OnLiteral, class OnMarker>
void scan_password_positions(std::string_view s, OnLiteral on_literal, OnMarker on_marker) {
    enum class after { nothing, password, password_equals };
    after state = after::nothing;
    // The shell command `LOGIN user password`: its third token is a password, quoted or not.
    int tokens = 0;
    bool login = false;
    for (const auto& t : cql_tokens(s)) {
        const bool login_password = login && tokens == 2;
        ++tokens;
        const text_range content{t.content_begin, t.content_end - t.content_begin};
        switch (t.kind) {
        case cql_token_kind::string_literal:
            if (state != after::nothing || login_password || is_bcrypt_hash(token_content(s, t))) on_literal(content);
            state = after::nothing;
            break;
        case cql_token_kind::dollar_string:
        // A password mistyped in double quotes (PASSWORD = "S3cret") is still a password: the
        // server refuses it, echoing it.
        case cql_token_kind::quoted_identifier:
            if (state != after::nothing || login_password) on_literal(content);
            state = after::nothing;
            break;
        case cql_token_kind::word: {
            const auto word = token_text(s, t);
            if (tokens == 1) login = equals_ignoring_ascii_case(word, "login");
            if (state == after::password_equals || login_password) {
                // So is one typed without quotes after PASSWORD = (a bare word or number).
                on_literal(content);
                state = after::nothing;
            } else {
                // salted_hash: the column Cassandra's own statements set to the bcrypt hash of a
                // role's password, which a --tracing session shows ("Parsing UPDATE
                // system_auth.roles SET salted_hash = '$2a$10$...'"): as secret as the password.
                state = equals_ignoring_ascii_case(word, "password") || equals_ignoring_ascii_case(word, "salted_hash")
                            ? after::password
                            : after::nothing;
            }
            break;
        }
        case cql_token_kind::punctuation: {
            const char c = s[t.begin];
            // A server's syntax error quotes the statement with the token in brackets:
            // "... PASSWORD ['S3cret']": the literal after the bracket is still the password.
            if (c == '[' && state != after::nothing) break;
            if (c == '=' && state == after::password) {
                state = after::password_equals;
                break;
            }
            if ((c == '?' || c == ':') && state != after::nothing) on_marker();
            state = after::nothing;
            break;
        }
        }
    }
}

// The shortest piece of a secret that is masked on its own: shorter ones match ordinary text.
constexpr std::size_t min_secret_piece = 4;

bool is_literal_quote(char c) noexcept { return c == '\'' || c == '$' || c == '"'; }

}  // namespace

std::vector<text_range> joined(std::vector<text_range> ranges) {
    std::sort(ranges.begin(), ranges.end(), [](const text_range& a, const text_range& b) { return a.first < b.first; });
    std::vector<text_range> out;
    for (const auto& r : ranges) {
        if (!out.empty() && r.first <= out.back().first + out.back().size) {
            out.back().size = std::max(out.back().first + out.back().size, r.first + r.size) - out.back().first;
            continue;
        }
        out.push_back(r);
    }
    return out;
}

std::string replace_ranges(std::string_view text, const std::vector<text_range>& ranges) {
    std::string out;
    std::size_t at = 0;
    for (const auto& r : ranges) {
        out.append(text.substr(at, r.first - at));
        out += masked_literal;
        at = r.first + r.size;
    }
    out.append(text.substr(at));
    return out;
}

void add_occurrences(std::string_view text, std::span<const std::string> secrets, std::vector<text_range>& out) {
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (auto at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1))
            out.push_back({at, secret.size()});
        if (secret.size() <= min_secret_piece) continue;
        // A server quoting a window of the statement (a syntax error's "... PASSWORD ['S3cre]...")
        // cuts a literal short at either end: a quote followed by the start of a secret, or the
        // end of a secret followed by a quote, is masked too.
        for (std::size_t q = 0; q < text.size(); ++q) {
            if (!is_literal_quote(text[q])) continue;
            std::size_t head = 0;
            while (q + 1 + head < text.size() && head < secret.size() && text[q + 1 + head] == secret[head]) ++head;
            if (head >= min_secret_piece) out.push_back({q + 1, head});
            std::size_t tail = 0;
            while (tail < q && tail < secret.size() && text[q - 1 - tail] == secret[secret.size() - 1 - tail]) ++tail;
            if (tail >= min_secret_piece) out.push_back({q - tail, tail});
        }
    }
}

std::vector<text_range> echoed_password_ranges(std::string_view text, std::span<const std::string> secrets) {
    auto ranges = find_password_literals(text);
    add_occurrences(text, secrets, ranges);
    return joined(std::move(ranges));
}

std::vector<text_range> find_password_literals(std::string_view cql) {
    std::vector<text_range> out;
    scan_password_positions(cql, [&](text_range r) { out.push_back(r); }, [] {});
    return out;
}

bool binds_password(std::string_view cql) {
    bool found = false;
    scan_password_positions(cql, [](text_range) {}, [&] { found = true; });
    return found;
}

std::string mask_passwords(std::string_view cql) { return replace_ranges(cql, find_password_literals(cql)); }

std::vector<std::string> password_values(std::string_view cql) {
    std::vector<std::string> out;
    auto add = [&](std::string v) {
        if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
    };
    for (const auto& r : find_password_literals(cql)) {
        const auto written = cql.substr(r.first, r.size);
        add(std::string(written));
        if (r.first == 0 || cql[r.first - 1] != '\'') continue;  // $$...$$ has no escapes
        std::string read;
        for (std::size_t i = 0; i < written.size(); ++i) {
            read += written[i];
            if (written[i] == '\'') ++i;  // the second quote of a doubled one
        }
        add(std::move(read));
    }
    return out;
}

std::string mask_echoed_passwords(std::string_view text, std::span<const std::string> secrets) {
    return replace_ranges(text, echoed_password_ranges(text, secrets));
}

}  // namespace cqlwire::inspect

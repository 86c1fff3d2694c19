#include "credentials_file.hpp"

#include <set>
#include <utility>

#include "cqlwire/protocol/ascii.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {
namespace {

bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
    return s;
}

}  // namespace

std::error_code parse_credentials(std::string_view text, std::string_view file_name, credentials_values& out,
                                  std::string& message) {
    const std::string file(file_name);
    auto fail = [&](int line, const std::string& what) {
        message = file + ":" + std::to_string(line) + ": " + what;
        return make_error_code(cli_errc::bad_config);
    };
    std::optional<std::string> section;
    std::set<std::string> sections;
    std::set<std::pair<std::string, std::string>> keys;
    bool after_key = false;
    int line_no = 0;
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto end = std::min(text.find('\n', at), text.size());
        const std::string_view line = text.substr(at, end - at);
        at = end + 1;
        ++line_no;
        const std::string_view stripped = trim(line);
        if (stripped.empty()) {
            after_key = false;
            continue;
        }
        if (stripped.front() == '#' || stripped.front() == ';') continue;
        if (is_blank(line.front()) && after_key)
            return fail(line_no, "an indented line continues the value above it; cqlwire reads one-line values only");
        if (stripped.front() == '[') {
            if (stripped.back() != ']') return fail(line_no, "a section header must end with ']'");
            section = std::string(stripped.substr(1, stripped.size() - 2));
            if (!sections.insert(*section).second) return fail(line_no, "section [" + *section + "] appears twice");
            after_key = false;
            continue;
        }
        const auto delim = stripped.find_first_of("=:");
        if (delim == std::string_view::npos || delim == 0)
            return fail(line_no, "expected 'key = value', '[section]' or a comment");
        if (!section) return fail(line_no, "a key before any [section] header");
        const std::string key = protocol::ascii_lowered(trim(stripped.substr(0, delim)));
        if (!keys.emplace(*section, key).second) return fail(line_no, "'" + key + "' is set twice in [" + *section + "]");
        after_key = true;
        const std::string_view value = trim(stripped.substr(delim + 1));
        const bool plain = *section == "plain_text_auth";
        const bool provider = *section == "PlainTextAuthProvider";
        if (!plain && !provider) continue;
        if (key == "username") (plain ? out.username : out.provider_username) = std::string(value);
        else if (key == "password") (plain ? out.password : out.provider_password) = auth::secret_bytes(value);
    }
    return {};
}

bool credentials_file_is_private(unsigned owner, unsigned mode, unsigned uid) noexcept {
    constexpr unsigned group_or_others_read = 0040 | 0004;
    return (uid == 0 || owner == uid) && (mode & group_or_others_read) == 0;
}

}  // namespace cqlwire::cli

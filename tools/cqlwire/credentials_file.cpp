#include "credentials_file.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "exit_codes.hpp"
#include "ini_line.hpp"

namespace cqlwire::cli {

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
        const ini_line l = read_ini_line(line);
        if (l.kind == ini_line_kind::blank) {
            after_key = false;
            continue;
        }
        if (l.kind == ini_line_kind::comment) continue;
        if (l.indent > 0 && after_key)
            return fail(line_no, "an indented line continues the value above it; cqlwire reads one-line values only");
        if (l.kind == ini_line_kind::header) {
            if (l.text.back() != ']') return fail(line_no, "a section header must end with ']'");
            section = std::string(l.text.substr(1, l.text.size() - 2));
            if (!sections.insert(*section).second) return fail(line_no, "section [" + *section + "] appears twice");
            after_key = false;
            continue;
        }
        if (l.kind == ini_line_kind::malformed) return fail(line_no, "expected 'key = value', '[section]' or a comment");
        if (!section) return fail(line_no, "a key before any [section] header");
        if (!keys.emplace(*section, l.key).second)
            return fail(line_no, "'" + l.key + "' is set twice in [" + *section + "]");
        after_key = true;
        const bool plain = *section == "plain_text_auth";
        const bool provider = *section == "PlainTextAuthProvider";
        if (!plain && !provider) continue;
        if (l.key == "username") (plain ? out.username : out.provider_username) = std::string(l.value);
        else if (l.key == "password") (plain ? out.password : out.provider_password) = auth::secret_bytes(l.value);
    }
    return {};
}

bool credentials_file_is_private(unsigned owner, unsigned mode, unsigned uid) noexcept {
    constexpr unsigned group_or_others_read = 0040 | 0004;
    return (uid == 0 || owner == uid) && (mode & group_or_others_read) == 0;
}

}  // namespace cqlwire::cli

// cqlsh's credentials file (`--credentials FILE`, the cqlshrc's [authentication] credentials, else
// ~/.cassandra/credentials), read as cqlsh 6 reads it:
//
//     [plain_text_auth]            [PlainTextAuthProvider]
//     username = alice             username = alice
//     password = s3cret            password = s3cret
//
// INI text without interpolation or inline comments (a password may hold `;`, `#` or `%`); `#`
// and `;` start comment lines; keys are case-insensitive. Other sections and keys are ignored.
// Where the values rank (cqlsh's order): [plain_text_auth] overrides the cqlshrc's
// [authentication], which overrides [PlainTextAuthProvider]; the environment and the flags
// override all three (settings.hpp). Like cqlsh, a file that another user owns (unless we are
// root) or that its group or others can read is not used, with a warning saying how to fix it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "cqlwire/auth/secret.hpp"

namespace cqlwire::cli {

struct credentials_values {
    // [plain_text_auth]
    std::optional<std::string> username;
    std::optional<auth::secret_bytes> password;
    // [PlainTextAuthProvider]
    std::optional<std::string> provider_username;
    std::optional<auth::secret_bytes> provider_password;
};

// Parses `text`, naming `file_name` in errors: a line that is neither a comment, a [section]
// nor `key = value`, a section or key given twice, or an indented continuation line is
// cli_errc::bad_config with `message` "FILE:LINE: what is wrong" (never the line itself, which
// may hold the password).
[[nodiscard]] std::error_code parse_credentials(std::string_view text, std::string_view file_name,
                                                credentials_values& out, std::string& message);

// Whether cqlsh would use a credentials file with this owner and mode when run by `uid`: the
// owner is the user (or the user is root), and neither the group nor others can read it.
bool credentials_file_is_private(unsigned owner, unsigned mode, unsigned uid) noexcept;

}  // namespace cqlwire::cli

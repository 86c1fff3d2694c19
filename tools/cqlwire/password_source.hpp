// Where the password and the key passphrase come from once the settings are merged: a file
// (first line), or a prompt on the terminal with echo off. The flags, CQLWIRE_PASSWORD,
// CQLWIRE_KEY_PASSWORD and the cqlshrc are handled in settings.hpp; this file does the I/O.
// Both secrets go through the same reader and the same prompt.
#pragma once

#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/auth/secret.hpp"
#include "settings.hpp"

namespace cqlwire::cli {

// Reads the first line of `path` (without its LF or CR LF) into `out`, through the bounded
// reader (bounded_file.hpp: at most max_secret_file_size, a pipe such as `<(pass show db)` is
// fine). A file that is empty or whose first line is empty is an error: an empty secret is almost
// always a mistake. Errors are cli_errc::file_unreadable / bad_config with `message` naming the
// file and cause. A regular file that group or others may read adds a warning to `warnings`.
[[nodiscard]] std::error_code read_secret_file(const std::string& path, std::string_view what, auth::secret_bytes& out,
                                               std::string& message, std::vector<std::string>& warnings);

// True when standard input is a terminal (a prompt can be answered).
bool stdin_is_terminal() noexcept;

// Prints `prompt` on the controlling terminal and reads a line with echo turned off; echo is
// restored however the read ends. `what` ("password", "key passphrase") names the secret in
// error messages. Ctrl-C ends the program, as at any prompt before the session; with
// `ctrl_c_abandons` (the shell's LOGIN, where Ctrl-C only sets the interrupt flag of
// interrupt.hpp) it abandons the prompt instead: `abandoned` is set and an error returned.
[[nodiscard]] std::error_code prompt_secret(std::string_view prompt, std::string_view what, auth::secret_bytes& out,
                                            std::string& message, bool ctrl_c_abandons = false,
                                            bool* abandoned = nullptr);

// Completes the password in `s`: reads --password-file (a warning about its permissions goes
// to `s.warnings`), or, when a user name is set but no
// password, prompts on the terminal; with no terminal that is cli_errc::no_password.
[[nodiscard]] std::error_code resolve_password(settings& s, std::string& message);

// True when a user name was given without a password while a client certificate is presented:
// the server may log in by the certificate (MutualTlsAuthenticator) and never need one, so
// resolve_password does not ask; open_connection asks only if the server wants a password.
[[nodiscard]] bool password_deferred(const settings& s) noexcept;
// Asks for the deferred password on the terminal (call it only when stdin_is_terminal()).
[[nodiscard]] std::error_code prompt_deferred_password(settings& s, std::string& message);

// Completes the key passphrase in `s.tls` when TLS is on and a private key is set: reads
// --key-password-file, or, when the key file is encrypted (key_passphrase.hpp) and no
// passphrase was given, prompts "Passphrase for <key file>: "; with no terminal that is
// cli_errc::no_password with a message naming the three ways to give it.
[[nodiscard]] std::error_code resolve_key_password(settings& s, std::string& message);

}  // namespace cqlwire::cli

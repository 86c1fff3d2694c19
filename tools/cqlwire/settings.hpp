// The one set of settings a run of `cqlwire` uses, merged from four layers:
//     defaults  <-  cqlshrc  <-  environment  <-  command-line flags
// (each layer overrides the one before it). Merging is a pure function of the parsed layers;
// reading the cqlshrc and the password file happens in main.cpp and password_source.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cli_options.hpp"
#include "cqlshrc.hpp"
#include "credentials_file.hpp"
#include "time_zone.hpp"
#include "cqlwire/auth/secret.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::cli {

inline constexpr std::string_view default_host = "127.0.0.1";
inline constexpr std::uint16_t default_port = 9042;
inline constexpr std::chrono::milliseconds default_connect_timeout{5000};
inline constexpr std::chrono::milliseconds default_request_timeout{10000};

// Where a secret (the login password, the key passphrase) came from; `file` means it is still
// to be read (password_source.hpp).
enum class password_origin { none, flag, file, environment, cqlshrc, credentials_file, prompt };

struct tls_settings {
    bool enabled = false;
    std::string ca_file;            // PEM or PKCS#12 truststore; empty: the system's default CA store
    // The cqlshrc's [certfiles], host (lower-cased) to CA file, for each contact point of a host
    // list: a contact point named there is checked against its own CA file alone. Empty when
    // --cafile or SSL_CERTFILE names the CA for every host.
    std::vector<std::pair<std::string, std::string>> ca_file_by_host;
    std::string cert_file;          // client certificate (chain), PEM, or a PKCS#12 bundle; empty: none
    std::string key_file;           // its private key, PEM (from --key or [ssl] userkey); empty for a bundle
    // The passphrase of the key, of a PKCS#12 bundle or of a PKCS#12 truststore:
    // CQLWIRE_KEY_PASSWORD (origin environment), or --key-password-file (origin file, read later
    // from key_password_file), or asked on the terminal when the file turns out to need one
    // (origin prompt). Never printed.
    auth::secret_bytes key_password;
    password_origin key_password_from = password_origin::none;
    std::string key_password_file;
    std::string server_name;        // name verified in the server's certificate and sent as SNI; empty: the host dialed
    bool verify = true;             // false only by --no-verify, SSL_VALIDATE or validate = false
    std::optional<tls_version> min_version;
    std::optional<tls_version> max_version;
    // Where to append the TLS session keys (--keylog, else SSLKEYLOGFILE); empty: nowhere.
    std::string key_log_file;
};

// Where the host setting came from: the command line (or the default), the cqlshrc's
// [connection] hostname, or CQLSH_HOST.
enum class host_source { command_line, cqlshrc, environment };

struct settings;
// A malformed host's error: the cqlshrc's and CQLSH_HOST's are configuration errors (exit 2),
// as the other values of both are, the command line's a usage error (exit 1); `why` is
// prefixed by where the host came from.
std::error_code host_error(const settings& s, std::string& why);

struct settings {
    std::string host{default_host};
    // Where `host` came from, for its errors (host_error).
    host_source host_from = host_source::command_line;
    std::uint16_t port = default_port;
    std::optional<std::string> username;
    auth::secret_bytes password;
    password_origin password_from = password_origin::none;
    std::string password_file;
    std::optional<std::string> keyspace;
    std::chrono::milliseconds connect_timeout = default_connect_timeout;
    std::chrono::milliseconds request_timeout = default_request_timeout;
    protocol::consistency consistency = protocol::consistency::one;
    output_format format = output_format::table;
    std::optional<std::int32_t> page_size;  // rows per page; unset: the runner's default
    bool tracing = false;
    // Significant digits of float and double values in tables ([ui] in the cqlshrc, as cqlsh).
    int float_precision = 5;
    int double_precision = 5;
    // [ui] time_format (empty: cqlsh's default) and timezone (null: UTC; TZ beats it, as in
    // cqlsh), for timestamps in tables.
    std::string time_format;
    std::shared_ptr<const time_zone> display_zone;
    // The TZ variable names no zone file cqlwire could read: main() unsets it, so that the C
    // library (whose time functions read TZ's file, and wait forever on a FIFO) does not either.
    bool tz_variable_unusable = false;
    // cqlsh's colours in tables and errors: -C / --no-color, else [ui] color, else on when
    // standard output is a terminal whose TERM is not "dumb" and no -f file is run (cqlsh's rule).
    bool color = false;
    // [tracing] max_trace_wait: how long a statement's trace may take to be complete.
    std::chrono::milliseconds max_trace_wait{10000};
    std::uint8_t protocol_version = 4;  // --protocol-version; v5 framing is not implemented
    std::string cql_version = "3.0.0";  // --cqlversion: the CQL version STARTUP asks for
    // --trace-frames / --trace-file: the format, and the file (empty: standard error).
    std::optional<inspect::trace_format> trace_frames;
    std::string trace_file;
    std::optional<std::string> execute;
    std::optional<std::string> file;
    // The credentials file read (credentials_file.hpp), if any: an input no output may overwrite.
    std::string credentials_file;
    // The cqlshrc read, if any (the same reason).
    std::string cqlshrc_file;
    // Its [copy...] sections: COPY's options (copy_options.hpp).
    std::vector<copy_config_section> copy_sections;
    tls_settings tls;
    // Printed to stderr as "cqlwire: warning: ..." before connecting.
    std::vector<std::string> warnings;
};

// Looks an environment variable up; a function so that tests pass their own environment.
using environment_lookup = std::function<std::optional<std::string>(std::string_view name)>;
environment_lookup process_environment();

// The cqlshrc to read: --cqlshrc when given (it must then exist), else ~/.cassandra/cqlshrc
// when that exists, else none.
std::optional<std::string> choose_cqlshrc(const cli_options& flags, const environment_lookup& env,
                                          const std::function<bool(const std::string&)>& file_exists);

// Merges the layers. `rc` is null when no cqlshrc was read; `rc_name` names it in messages.
// `credentials` (a cqlsh credentials file, null when none was read) ranks as cqlsh ranks it:
// [plain_text_auth] above the cqlshrc, [PlainTextAuthProvider] below it, both below the
// environment and the flags. Consumes the passwords held by `flags`, `rc` and `credentials`. On error returns cli_errc::bad_config with a
// one-line `message`; a key passphrase (--key-password-file, CQLWIRE_KEY_PASSWORD) with no
// private key from either the flags or the cqlshrc is such an error.
[[nodiscard]] std::error_code merge_settings(cli_options& flags, cqlshrc_values* rc, std::string_view rc_name,
                                             const environment_lookup& env, settings& out, std::string& message,
                                             credentials_values* credentials = nullptr);

// Whether tables and errors are coloured, as cqlsh decides: `forced` (-C, --no-color or [ui]
// color) when given; else never when a file is run (-f); else when standard output is a terminal
// and TERM is set and not "dumb".
bool decide_color(std::optional<bool> forced, bool runs_file, bool stdout_is_terminal, const environment_lookup& env);

// Expands a leading "~" or "~/" with $HOME, as cqlsh does for the paths in a cqlshrc.
std::string expand_home(std::string_view path, const environment_lookup& env);

// The warning printed when certificate verification is off.
std::string_view no_verify_warning() noexcept;

}  // namespace cqlwire::cli

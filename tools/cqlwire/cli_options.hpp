// The command line of `cqlwire`: what each flag means and how it is parsed.
//
// Parsing is a pure function of the argument list (no environment, no files), so that every flag
// and every bad value is tested directly. Merging with the cqlshrc and the environment happens in
// settings.hpp; reading password files and prompting in password_source.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::cli {

enum class output_format { table, json, csv };
std::string_view to_string(output_format f) noexcept;

enum class tls_version { v1_2, v1_3 };
std::string_view to_string(tls_version v) noexcept;

// Everything the command line said; an empty optional means "not given", so that the cqlshrc
// and the environment can fill it in later.
struct cli_options {
    std::optional<std::string> host;
    std::optional<std::uint16_t> port;

    std::optional<std::string> execute;  // -e text
    std::optional<std::string> file;     // -f path
    std::optional<std::string> username;
    std::optional<auth::secret_bytes> password;  // -p; wiped when released
    std::optional<std::string> password_file;
    std::optional<std::string> keyspace;
    std::optional<std::string> cqlshrc;
    std::optional<std::string> credentials;  // --credentials: a cqlsh credentials file
    std::optional<std::chrono::milliseconds> connect_timeout;
    std::optional<std::chrono::milliseconds> request_timeout;
    std::optional<protocol::consistency> consistency;
    std::optional<output_format> format;
    std::optional<std::int32_t> page_size;  // --page-size, >= 1
    bool tracing = false;                   // --tracing
    std::optional<std::uint8_t> protocol_version;  // --protocol-version: 3 or 4
    std::optional<std::string> cql_version;        // --cqlversion: STARTUP's CQL_VERSION, e.g. 3.4.7
    bool debug = false;                            // --debug: a summary frame trace on stderr

    bool ssl = false;  // --ssl, or implied by any TLS flag below
    std::optional<std::string> cafile;
    std::optional<std::string> cert;
    std::optional<std::string> key;
    // Needs no --key here: the key may be the cqlshrc's [ssl] userkey (checked after merging).
    std::optional<std::string> key_password_file;
    std::optional<std::string> server_name;
    bool no_verify = false;
    std::optional<tls_version> tls_min;
    std::optional<tls_version> tls_max;

    // --trace-frames[=FORMAT] (summary when no FORMAT), --trace-file, --keylog.
    std::optional<inspect::trace_format> trace_frames;
    std::optional<std::string> trace_file;
    std::optional<std::string> keylog;

    // cqlsh's display flags: -C/--color (cqlsh's colours always), --no-color (never; it wins
    // over -C), --encoding (UTF-8 only), -t/--tty (the shell, whatever standard input is).
    bool color = false;
    bool no_color = false;
    bool tty = false;

    bool help = false;
    bool version = false;
};

// Parses the arguments after the program name. On error, returns cli_errc::usage and sets
// `message` to one sentence naming the flag (never echoing a value that could be a secret).
[[nodiscard]] std::error_code parse_command_line(std::span<const std::string_view> args, cli_options& out,
                                                 std::string& message);

// "cqlwire 0.1.0", printed by --version.
std::string version_text();

// The text printed by --help: usage, every flag, environment variables, files and exit codes.
std::string help_text();

// Parses a time-out in seconds ("5", "0.25"): positive, at most a day, millisecond resolution.
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) noexcept;
// Parses a --page-size value: 1 to 2^31-1, digits only.
std::optional<std::int32_t> parse_page_size(std::string_view text) noexcept;
// Parses a TCP port, 1-65535: digits (leading zeros allowed), blanks around them ignored.
std::optional<std::uint16_t> parse_port(std::string_view text) noexcept;

}  // namespace cqlwire::cli

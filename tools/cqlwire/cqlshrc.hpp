// Reading a cqlshrc: the INI file cqlsh users already have (~/.cassandra/cqlshrc).
//
// The parser is a pure function over the file's text (no I/O, no environment), so that it can
// be fuzzed. It follows the INI dialect cqlsh reads — `[section]` headers, `key = value` or
// `key: value`, key names case-insensitive, whole-line comments starting with `#` or `;` — and
// adds what real-world files need:
//   * inline comments: whitespace followed by `;` ends a value (`validate = true ;; Optional`),
//     except in `password`, where `;` may be part of the secret;
//   * a file without section headers (as printed in Microsoft's Azure Managed Instance article)
//     is accepted: each known key is read into the section cqlsh expects, with a warning;
//   * `[DEFAULT]` keys apply to the sections that lack them, as INI readers do.
// The file must be UTF-8 text: a NUL byte, a control character other than tab and CR, or bytes
// that are not UTF-8 are an error naming the line. Keys cqlwire does not use are reported as
// warnings, except [connection] factory (cqlsh's connection class; cqlwire has none to choose),
// which is accepted silently; malformed lines and values are errors naming the file and line.
// Neither ever quotes the password.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/auth/secret.hpp"

namespace cqlwire::cli {

// One [copy...] section: its name ("copy", "copy-from:ks.t") and its keys in file order.
struct copy_config_section {
    std::string name;
    std::vector<std::pair<std::string, std::string>> values;
};

// The settings a cqlshrc can hold that cqlwire uses; an empty optional means "not in the file".
struct cqlshrc_values {
    // [authentication]
    std::optional<std::string> username;
    std::optional<auth::secret_bytes> password;
    std::optional<std::string> keyspace;
    std::optional<std::string> credentials;  // a cqlsh credentials file (credentials_file.hpp)
    // [connection]
    std::optional<std::string> hostname;
    std::optional<std::uint16_t> port;
    std::optional<bool> ssl;
    std::optional<std::chrono::milliseconds> connect_timeout;  // `connect_timeout`, else `timeout`
    std::optional<std::chrono::milliseconds> request_timeout;
    // [ssl]
    std::optional<std::string> certfile;  // CA file to trust
    std::optional<bool> validate;
    std::optional<std::string> userkey;   // client private key
    std::optional<std::string> usercert;  // client certificate
    // [ui]: significant digits of float and double values in tables (cqlsh's; 5 by default).
    std::optional<int> float_precision;
    std::optional<int> double_precision;
    // [ui] time_format: the pattern of timestamps in tables (copy_time_format.hpp's directives);
    // cqlsh's name, also read as datetimeformat (COPY's option's name), with a warning.
    std::optional<std::string> time_format;
    // [ui] timezone: the IANA zone timestamps are shown in (checked against the zone database
    // when the settings are merged: parsing does no I/O).
    std::optional<std::string> timezone;
    // [ui] color: cqlsh's colours on or off, whatever standard output is.
    std::optional<bool> color;
    // [tracing] max_trace_wait: how long to wait for a statement's trace to be complete.
    std::optional<std::chrono::milliseconds> max_trace_wait;
    // [copy], [copy-to], [copy-from], [copy:ks.table]...: COPY's options (copy_options.hpp).
    std::vector<copy_config_section> copy_sections;
    // [certfiles]: per-host CA files, `host = path`, in file order (host names lower-cased).
    std::vector<std::pair<std::string, std::string>> certfiles;

    // "FILE:LINE: text" for everything read but not used, and for section-less files.
    std::vector<std::string> warnings;
};

// Parses `text`, naming `file_name` in warnings and errors. On error returns cli_errc::bad_config
// and sets `message` to "FILE:LINE: what is wrong"; `out` is then unspecified.
[[nodiscard]] std::error_code parse_cqlshrc(std::string_view text, std::string_view file_name, cqlshrc_values& out,
                                            std::string& message);

// The most significant digits [ui] float_precision and double_precision may ask for (a double
// holds 17).
inline constexpr int max_precision = 17;

// A boolean as INI readers accept it: 1/yes/true/on and 0/no/false/off, case-insensitive.
std::optional<bool> parse_config_boolean(std::string_view text) noexcept;

}  // namespace cqlwire::cli

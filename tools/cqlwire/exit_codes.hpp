// The exit codes of the `cqlwire` command and the one place that maps an error to them.
//
// A script calling `cqlwire` can tell "fix your flags" (1) from "fix your files" (2), "the
// network" (3), "TLS" (4), "the credentials" (5), "the statement" (6) and "the server is broken"
// (7) without reading stderr. The numbers are part of the command's interface: never renumber.
#pragma once

#include <string_view>
#include <system_error>

namespace cqlwire::cli {

enum class exit_code : int {
    success = 0,
    usage = 1,               // bad flags or arguments, malformed -e/-f text
    configuration = 2,       // cqlshrc, certificate/key/password files, unusable TLS settings
    network = 3,             // resolve, connect, time-outs, connection lost
    tls = 4,                 // handshake, server verification, client certificate rejected
    authentication = 5,      // bad credentials, credentials missing, authenticator refused
    statement_rejected = 6,  // the server answered a statement with an ERROR; a malformed shell command
    protocol_violation = 7,  // the server broke the CQL protocol
    // `cqlwire tls-check` only (tls_check_command.hpp): what its diagnosis found.
    tls_check_server_identity = 8,     // the server's chain does not verify, or does not name the host
    tls_check_client_certificate = 9,  // our client certificate is refused, missing, or its key does not match
    tls_check_not_tls = 10,            // the port does not speak TLS (plaintext CQL, HTTP, nothing)
    // Output that could not be written (standard output, --trace-file): nothing after it ran.
    output_failed = 11,
    // Every row was printed, but some values did not decode; they were printed as marked hex.
    undecodable_values = 12,
};

// Errors of the command itself (the library's categories cover everything else).
enum class cli_errc {
    usage = 1,         // a flag, its value or a positional argument is wrong
    bad_statements,    // -e/-f text that cannot be split into statements (unterminated string...)
    bad_config,        // a cqlshrc line or value is wrong
    file_unreadable,   // a file named by a flag or by the cqlshrc cannot be read
    no_password,       // a password or key passphrase is needed and there is no terminal to ask on
    not_text,          // an input file (-f, standard input) holds bytes that cannot be CQL text (NUL)
    output_failed,     // writing standard output or a trace file failed
};
const std::error_category& cli_category() noexcept;
std::error_code make_error_code(cli_errc e) noexcept;

// Maps any error the command can meet — cqlwire.cli, cqlwire.protocol, cqlwire.server,
// cqlwire.transport, cqlwire.auth, the system categories and Asio's — onto an exit code.
// An error of a category it does not know is reported as a network failure (3), the most
// common cause of an unexpected error when talking to a server.
exit_code exit_code_for(const std::error_code& ec) noexcept;

// The table printed by --help and kept in EXIT_CODES.md; a test keeps the two in step.
std::string_view exit_codes_help() noexcept;

constexpr int to_int(exit_code c) noexcept { return static_cast<int>(c); }

}  // namespace cqlwire::cli

template <>
struct std::is_error_code_enum<cqlwire::cli::cli_errc> : std::true_type {};

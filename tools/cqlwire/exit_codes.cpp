#include "exit_codes.hpp"

#include <cerrno>
#include <cstring>
#include <string>

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::cli {
namespace {

class cli_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.cli"; }
    std::string message(int ev) const override {
        switch (static_cast<cli_errc>(ev)) {
        case cli_errc::usage: return "invalid command line";
        case cli_errc::bad_statements: return "the statements could not be split";
        case cli_errc::bad_config: return "invalid cqlshrc";
        case cli_errc::file_unreadable: return "a file could not be read";
        case cli_errc::no_password: return "a password or key passphrase is needed and none was given";
        case cli_errc::not_text: return "the input is not CQL text";
        case cli_errc::output_failed: return "the output could not be written";
        }
        return "unknown cqlwire.cli error " + std::to_string(ev);
    }
};

exit_code for_cli(cli_errc e) noexcept {
    switch (e) {
    case cli_errc::usage:
    case cli_errc::bad_statements: return exit_code::usage;
    case cli_errc::bad_config:
    case cli_errc::file_unreadable:
    case cli_errc::no_password:
    case cli_errc::not_text: return exit_code::configuration;
    case cli_errc::output_failed: return exit_code::output_failed;
    }
    return exit_code::usage;
}

exit_code for_transport(transport::errc e) noexcept {
    using transport::errc;
    switch (e) {
    case errc::resolve_failed:
    case errc::connect_failed:
    case errc::connect_timeout:
    case errc::handshake_timeout:
    case errc::request_timeout:
    case errc::connection_closed:
    case errc::connection_broken:
    // A client-side limit of one connection: not the server's fault, and retrying later helps.
    case errc::stream_ids_exhausted: return exit_code::network;
    // Our own TLS files or settings are unusable: the user fixes a file, not the network.
    case errc::tls_config: return exit_code::configuration;
    case errc::tls_handshake_failed:
    case errc::certificate_untrusted:
    case errc::certificate_name_mismatch:
    case errc::certificate_expired:
    case errc::certificate_not_yet_valid:
    case errc::client_certificate_required:
    case errc::client_certificate_rejected:
    case errc::server_expects_tls:
    case errc::server_is_plaintext: return exit_code::tls;
    case errc::authentication_failed:
    case errc::authenticator_not_allowed:
    case errc::credentials_required:
    case errc::too_many_auth_rounds:
    case errc::certificate_login_refused:
    case errc::certificate_login_needs_certificate: return exit_code::authentication;
    case errc::protocol_violation:
    case errc::unsupported_protocol_version: return exit_code::protocol_violation;
    }
    return exit_code::network;
}

exit_code for_auth(auth::auth_errc e) noexcept {
    switch (e) {
    // The server sent a challenge PLAIN does not expect: the login did not succeed.
    case auth::auth_errc::unexpected_challenge: return exit_code::authentication;
    // Credentials that SASL PLAIN cannot carry: the user fixes what they configured.
    case auth::auth_errc::empty_username:
    case auth::auth_errc::nul_in_credentials: return exit_code::configuration;
    }
    return exit_code::authentication;
}

exit_code for_system(int value) noexcept {
    switch (value) {
    case ENOENT:
    case EACCES:
    case EPERM:
    case EISDIR:
    case ENOTDIR:
    case ELOOP:
    case ENAMETOOLONG:
    case EFBIG: return exit_code::configuration;
    default: return exit_code::network;
    }
}

}  // namespace

const std::error_category& cli_category() noexcept {
    static const cli_category_impl instance;
    return instance;
}

std::error_code make_error_code(cli_errc e) noexcept { return {static_cast<int>(e), cli_category()}; }

exit_code exit_code_for(const std::error_code& ec) noexcept {
    const auto& cat = ec.category();
    if (!ec) return exit_code::success;
    if (cat == cli_category()) return for_cli(static_cast<cli_errc>(ec.value()));
    if (cat == transport::transport_category()) return for_transport(static_cast<transport::errc>(ec.value()));
    if (cat == auth::auth_category()) return for_auth(static_cast<auth::auth_errc>(ec.value()));
    // Anything the codec could not decode came from the server's bytes.
    if (cat == protocol::client_category()) return exit_code::protocol_violation;
    if (cat == protocol::server_category()) {
        // Bad credentials arrive as an ERROR frame during start-up; everything else the server
        // refuses (syntax, invalid, unavailable, time-outs, unauthorized...) is about a statement.
        if (ec == protocol::server_errc::bad_credentials) return exit_code::authentication;
        return exit_code::statement_rejected;
    }
    if (cat == std::generic_category() || cat == std::system_category()) return for_system(ec.value());
    // Asio's categories are known by name only, so that this file needs no Asio headers.
    const std::string_view name = cat.name();
    if (name.starts_with("asio.ssl")) return exit_code::tls;
    return exit_code::network;
}

std::string_view exit_codes_help() noexcept {
    return "Exit codes:\n"
           "  0  success\n"
           "  1  usage error (bad flag, value or argument; malformed -e/-f text)\n"
           "  2  configuration or file error (cqlshrc, certificate, key, keystore or password files)\n"
           "  3  network failure or timeout, or the server refused the connection's start-up (busy, starting...)\n"
           "  4  TLS failure (handshake, server verification, client certificate rejected)\n"
           "  5  authentication failure (password, or certificate login refused)\n"
           "  6  a statement was rejected: by the server (syntax, invalid, unavailable, timeouts...), or a shell command by cqlwire\n"
           "  7  protocol violation by the server\n"
           "  8  tls-check: the server's certificate does not verify or does not name the host\n"
           "  9  tls-check: the client certificate is refused, missing or does not match its key\n"
           " 10  tls-check: the port does not speak TLS (plaintext CQL, HTTP, or nothing)\n"
           " 11  output could not be written (standard output, --trace-file, CAPTURE, a COPY TO file); nothing more was run\n"
           " 12  every row was printed, but some values did not decode and were shown as marked hex\n";
}

}  // namespace cqlwire::cli

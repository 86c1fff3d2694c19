#include "test_support.hpp"

#include <fstream>
#include <sstream>
#include <string>

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"
#include "exit_codes.hpp"
#include "report.hpp"

using namespace cqlwire::cli;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
namespace auth = cqlwire::auth;

TEST_CASE("the numbers are the documented interface") {
    CHECK(to_int(exit_code::success) == 0);
    CHECK(to_int(exit_code::usage) == 1);
    CHECK(to_int(exit_code::configuration) == 2);
    CHECK(to_int(exit_code::network) == 3);
    CHECK(to_int(exit_code::tls) == 4);
    CHECK(to_int(exit_code::authentication) == 5);
    CHECK(to_int(exit_code::statement_rejected) == 6);
    CHECK(to_int(exit_code::protocol_violation) == 7);
}

TEST_CASE("no error is success") { CHECK(exit_code_for(std::error_code()) == exit_code::success); }

TEST_CASE("cqlwire.cli") {
    CHECK(exit_code_for(cli_errc::usage) == exit_code::usage);
    CHECK(exit_code_for(cli_errc::bad_statements) == exit_code::usage);
    CHECK(exit_code_for(cli_errc::bad_config) == exit_code::configuration);
    CHECK(exit_code_for(cli_errc::file_unreadable) == exit_code::configuration);
    CHECK(exit_code_for(cli_errc::no_password) == exit_code::configuration);
    CHECK(std::string(cli_category().name()) == "cqlwire.cli");
}

TEST_CASE("cqlwire.transport") {
    using transport::errc;
    for (auto e : {errc::resolve_failed, errc::connect_failed, errc::connect_timeout, errc::handshake_timeout,
                   errc::request_timeout, errc::connection_closed, errc::connection_broken, errc::stream_ids_exhausted}) {
        INFO(make_error_code(e).message());
        CHECK(exit_code_for(e) == exit_code::network);
    }
    CHECK(exit_code_for(errc::tls_config) == exit_code::configuration);
    for (auto e : {errc::tls_handshake_failed, errc::certificate_untrusted, errc::certificate_name_mismatch,
                   errc::certificate_expired, errc::certificate_not_yet_valid, errc::client_certificate_required,
                   errc::client_certificate_rejected, errc::server_expects_tls, errc::server_is_plaintext}) {
        INFO(make_error_code(e).message());
        CHECK(exit_code_for(e) == exit_code::tls);
    }
    for (auto e : {errc::authentication_failed, errc::authenticator_not_allowed, errc::credentials_required,
                   errc::too_many_auth_rounds}) {
        INFO(make_error_code(e).message());
        CHECK(exit_code_for(e) == exit_code::authentication);
    }
    CHECK(exit_code_for(errc::protocol_violation) == exit_code::protocol_violation);
    CHECK(exit_code_for(errc::unsupported_protocol_version) == exit_code::protocol_violation);
}

TEST_CASE("cqlwire.server") {
    using protocol::server_errc;
    CHECK(exit_code_for(server_errc::bad_credentials) == exit_code::authentication);
    for (auto e : {server_errc::server_error, server_errc::protocol_error, server_errc::unavailable,
                   server_errc::overloaded, server_errc::read_timeout, server_errc::write_timeout,
                   server_errc::syntax_error, server_errc::unauthorized, server_errc::invalid,
                   server_errc::already_exists, server_errc::unprepared}) {
        INFO(make_error_code(e).message());
        CHECK(exit_code_for(e) == exit_code::statement_rejected);
    }
}

TEST_CASE("cqlwire.protocol and cqlwire.auth") {
    CHECK(exit_code_for(protocol::client_errc::truncated) == exit_code::protocol_violation);
    CHECK(exit_code_for(protocol::client_errc::unknown_opcode) == exit_code::protocol_violation);
    CHECK(exit_code_for(auth::auth_errc::unexpected_challenge) == exit_code::authentication);
    CHECK(exit_code_for(auth::auth_errc::empty_username) == exit_code::configuration);
    CHECK(exit_code_for(auth::auth_errc::nul_in_credentials) == exit_code::configuration);
}

TEST_CASE("system errors: files are configuration, the rest network") {
    CHECK(exit_code_for(std::make_error_code(std::errc::no_such_file_or_directory)) == exit_code::configuration);
    CHECK(exit_code_for(std::make_error_code(std::errc::permission_denied)) == exit_code::configuration);
    CHECK(exit_code_for(std::make_error_code(std::errc::connection_refused)) == exit_code::network);
    CHECK(exit_code_for(std::error_code(ETIMEDOUT, std::system_category())) == exit_code::network);
}

namespace {
class named_category final : public std::error_category {
public:
    explicit named_category(const char* n) : name_(n) {}
    const char* name() const noexcept override { return name_; }
    std::string message(int) const override { return "x"; }

private:
    const char* name_;
};
}  // namespace

TEST_CASE("Asio's categories by name") {
    static const named_category ssl("asio.ssl");
    static const named_category ssl_stream("asio.ssl.stream");
    static const named_category netdb("asio.netdb");
    CHECK(exit_code_for(std::error_code(1, ssl)) == exit_code::tls);
    CHECK(exit_code_for(std::error_code(1, ssl_stream)) == exit_code::tls);
    CHECK(exit_code_for(std::error_code(1, netdb)) == exit_code::network);
}

TEST_CASE("EXIT_CODES.md holds the same table as --help") {
    std::ifstream in(CQLWIRE_EXIT_CODES_MD);
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str().find(exit_codes_help()) != std::string::npos);
}

TEST_CASE("failure reports: one cause line with hint; a server ERROR's words on that line") {
    CHECK(format_failure(transport::errc::certificate_name_mismatch, "expected db1, certificate names db2", "") ==
          "cqlwire: the server's certificate does not match the expected name: expected db1, certificate names db2 "
          "(connect by the name in the certificate, or name it with --server-name NAME)\n");
    // A server ERROR: its code and its words on one line, controls escaped.
    CHECK(format_failure(protocol::server_errc::syntax_error, "", "line 1:0 no viable\nalternative \x1b[31m") ==
          "cqlwire: Syntax_error (0x2000): line 1:0 no viable\\nalternative \\x1b[31m\n");
    CHECK(format_failure(protocol::server_errc::invalid, "", "unconfigured table \"t\"", "-f x.cql:3") ==
          "cqlwire: -f x.cql:3: Invalid (0x2200): unconfigured table \"t\"\n");
    // Other errors quote what the server said on the same line, and a path's line break is escaped.
    CHECK(format_failure(transport::errc::authentication_failed, "", "Provided username u and/or password are incorrect") ==
          "cqlwire: " + make_error_code(transport::errc::authentication_failed).message() +
              "; the server said \"Provided username u and/or password are incorrect\" (check the user name and password)\n");
    CHECK(format_failure(transport::errc::tls_config, "CA file '/tmp/a\nb' does not exist", "", "-f x\ny:1") ==
          "cqlwire: -f x\\ny:1: " + make_error_code(transport::errc::tls_config).message() +
              ": CA file '/tmp/a\\nb' does not exist\n");
}

TEST_CASE("quote_untrusted escapes quotes, backslashes and control characters") {
    CHECK(quote_untrusted("a\"b\\c\td\x7f") == "\"a\\\"b\\\\c\\td\\x7f\"");
}

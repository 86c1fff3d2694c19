// The failure line the command prints: the cause once, the detail only when it adds something,
// the fix once (the hint), and the server's text either quoted on its own line or, when it is
// the authenticator class of an AUTHENTICATE rather than an error, inside the cause.
#include "test_support.hpp"

#include <string>

#include "cqlwire/transport/errc.hpp"
#include "report.hpp"

using namespace cqlwire::cli;
namespace transport = cqlwire::transport;

TEST_CASE("report: no credentials for a server that wants them names its authenticator, not 'server said'") {
    CHECK(format_failure(transport::errc::credentials_required,
                         "the server requires authentication; give a user name and password",
                         "org.apache.cassandra.auth.PasswordAuthenticator") ==
          "cqlwire: the server requires authentication (org.apache.cassandra.auth.PasswordAuthenticator), but no "
          "credentials were given; use -u/--username and a password (--password-file, CQLWIRE_PASSWORD or the "
          "prompt)\n");
    // The class name is the server's text: escaped like any other.
    CHECK(format_failure(transport::errc::credentials_required, "", "evil\n\x1b[31m") ==
          "cqlwire: the server requires authentication (evil\\n\\x1b[31m), but no credentials were given; use "
          "-u/--username and a password (--password-file, CQLWIRE_PASSWORD or the prompt)\n");
}

TEST_CASE("report: an authenticator not on the allow-list is named in the cause") {
    CHECK(format_failure(transport::errc::authenticator_not_allowed, "no credentials were sent",
                         "com.example.\"Odd\"Authenticator") ==
          "cqlwire: the server's authenticator (com.example.\\\"Odd\\\"Authenticator) is not on the allow-list: no "
          "credentials were sent\n");
}

TEST_CASE("report: a detail that repeats the cause is left out") {
    const std::string cause = make_error_code(transport::errc::connection_closed).message();
    CHECK(format_failure(transport::errc::connection_closed, cause, "") == "cqlwire: " + cause + "\n");
    CHECK(format_failure(transport::errc::connection_closed, "without answering STARTUP", "") ==
          "cqlwire: " + cause + ": without answering STARTUP\n");
}

TEST_CASE("report: TLS failures get the command's own fix, once") {
    CHECK(format_failure(transport::errc::server_expects_tls, "most likely", "") ==
          "cqlwire: the server expects TLS, but the client spoke plaintext: most likely (add --ssl (or ssl = true in "
          "[connection]))\n");
    CHECK(format_failure(transport::errc::client_certificate_rejected, "TLS: the server rejected 'CN=x'", "") ==
          "cqlwire: the server rejected the client certificate: TLS: the server rejected 'CN=x' (check that "
          "--cert/--key (or usercert/userkey in [ssl]) name a certificate the server trusts, issued for TLS client authentication)\n");
}

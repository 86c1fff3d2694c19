#include "test_support.hpp"

#include <string>

#include "cqlwire/auth/authenticator.hpp"

using namespace cqlwire::auth;

TEST_CASE("login_method_of: certificate, certificate-or-password, password, and everything else unknown") {
    CHECK(login_method_of("org.apache.cassandra.auth.MutualTlsAuthenticator") == login_method::certificate);
    CHECK(login_method_of("org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator") ==
          login_method::certificate_or_password);
    CHECK(login_method_of("org.apache.cassandra.auth.PasswordAuthenticator") == login_method::password);
    CHECK(login_method_of("com.datastax.bdp.cassandra.auth.DseAuthenticator") == login_method::password);
    // Class names are compared exactly: a look-alike is not trusted with anything.
    CHECK(login_method_of("org.apache.cassandra.auth.MutualTlsAuthenticatorX") == login_method::unknown);
    CHECK(login_method_of("MutualTlsAuthenticator") == login_method::unknown);
    CHECK(login_method_of("org.apache.cassandra.auth.mutualtlsauthenticator") == login_method::unknown);
    CHECK(login_method_of("") == login_method::unknown);
    CHECK(login_method_of("org.apache.cassandra.auth.AllowAllAuthenticator") == login_method::unknown);
}

TEST_CASE("is_password_authenticator: a password may go only where a password is checked") {
    CHECK(is_password_authenticator("org.apache.cassandra.auth.PasswordAuthenticator"));
    CHECK(is_password_authenticator("org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator"));
    // Pure certificate login never checks a password: none is sent to it.
    CHECK_FALSE(is_password_authenticator("org.apache.cassandra.auth.MutualTlsAuthenticator"));
    CHECK_FALSE(is_password_authenticator("com.example.Unknown"));
}

TEST_CASE("login_method_of: every SASL PLAIN authenticator of the common distributions is a password login") {
    for (const char* name : {"org.apache.cassandra.auth.PasswordAuthenticator",
                             "com.datastax.bdp.cassandra.auth.DseAuthenticator",
                             "com.instaclustr.cassandra.auth.SharedSecretAuthenticator",
                             "com.scylladb.auth.TransitionalAuthenticator",
                             "com.ericsson.bss.cassandra.ecaudit.auth.AuditPasswordAuthenticator",
                             "io.aiven.cassandra.auth.AivenAuthenticator"}) {
        CAPTURE(name);
        CHECK(login_method_of(name) == login_method::password);
        CHECK(is_password_authenticator(name));
    }
}

TEST_CASE("auth_category: each error has its own one-line message, and unknown values are named") {
    CHECK(std::string(auth_category().name()) == "cqlwire.auth");
    const std::error_code challenge = auth_errc::unexpected_challenge;
    const std::error_code empty = auth_errc::empty_username;
    const std::error_code nul = auth_errc::nul_in_credentials;
    CHECK(challenge.category() == auth_category());
    CHECK(challenge.message().find("challenge") != std::string::npos);
    CHECK(empty.message() == "the user name is empty");
    CHECK(nul.message().find("NUL") != std::string::npos);
    for (const auto& ec : {challenge, empty, nul}) CHECK(ec.message().find('\n') == std::string::npos);
    CHECK(auth_category().message(99) == "unknown cqlwire.auth error 99");
}

#include "test_support.hpp"

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

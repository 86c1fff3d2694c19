#include "test_support.hpp"

#include <string>

#include "cqlwire/auth/plain_text_authenticator.hpp"

using namespace cqlwire::auth;

namespace {

std::string text_of(const secret_bytes& b) { return std::string(b.view().begin(), b.view().end()); }

}  // namespace

TEST_CASE("plain_text_authenticator: the SASL PLAIN token is NUL user NUL password") {
    plain_text_authenticator a("cassandra", "s3cret");
    secret_bytes out;
    REQUIRE_FALSE(a.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out));
    CHECK(text_of(out) == std::string("\0cassandra\0s3cret", 17));
}

TEST_CASE("plain_text_authenticator: forget() wipes the credentials, so nothing can be sent afterwards") {
    plain_text_authenticator a("cassandra", "s3cret");
    a.forget();
    secret_bytes out;
    // With the user name gone the token cannot be made: the password is not lying around.
    CHECK(a.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) == auth_errc::empty_username);
    CHECK(out.empty());
}

TEST_CASE("plain_text_authenticator: on_success forgets the credentials too") {
    plain_text_authenticator a("cassandra", "s3cret");
    secret_bytes out;
    REQUIRE_FALSE(a.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out));
    a.on_success({});
    out.clear();
    CHECK(a.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) == auth_errc::empty_username);
}

TEST_CASE("plain_text_authenticator: DseAuthenticator first names the mechanism, then answers PLAIN-START") {
    plain_text_authenticator a("u", "p");
    secret_bytes out;
    REQUIRE_FALSE(a.initial_response("com.datastax.bdp.cassandra.auth.DseAuthenticator", out));
    CHECK(text_of(out) == "PLAIN");
    const std::string challenge = "PLAIN-START";
    out.clear();
    REQUIRE_FALSE(a.evaluate_challenge(
        std::span(reinterpret_cast<const std::uint8_t*>(challenge.data()), challenge.size()), out));
    CHECK(text_of(out) == std::string("\0u\0p", 4));
    // A second challenge is not part of the mechanism.
    CHECK(a.evaluate_challenge({}, out) == auth_errc::unexpected_challenge);
}

TEST_CASE("plain_text_authenticator: an empty user name or a NUL byte cannot be encoded") {
    secret_bytes out;
    plain_text_authenticator empty("", "p");
    CHECK(empty.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) == auth_errc::empty_username);
    plain_text_authenticator nul("u", std::string_view("p\0q", 3));
    CHECK(nul.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) ==
          auth_errc::nul_in_credentials);
}

TEST_CASE("plain_text_authenticator: outside DseAuthenticator any challenge is unexpected, and so is a wrong one") {
    const std::string start = "PLAIN-START";
    const auto bytes = std::span(reinterpret_cast<const std::uint8_t*>(start.data()), start.size());
    secret_bytes out;
    plain_text_authenticator password("u", "p");
    REQUIRE_FALSE(password.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out));
    out.clear();
    // Even the DSE challenge: the credentials went with the initial response already.
    CHECK(password.evaluate_challenge(bytes, out) == auth_errc::unexpected_challenge);
    CHECK(out.empty());

    plain_text_authenticator dse("u", "p");
    REQUIRE_FALSE(dse.initial_response("com.datastax.bdp.cassandra.auth.DseAuthenticator", out));
    out.clear();
    const std::string other = "GSSAPI-START";
    CHECK(dse.evaluate_challenge(std::span(reinterpret_cast<const std::uint8_t*>(other.data()), other.size()), out) ==
          auth_errc::unexpected_challenge);
    CHECK(out.empty());
}

// The start-up exchange against certificate authenticators (Cassandra 5.0's
// MutualTlsAuthenticator and its password fallback), driven directly, frame by frame.
#include "test_support.hpp"

#include <string>
#include <vector>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/startup.hpp"
#include "startup_frames.hpp"

using namespace cqlwire;
using namespace cqlwire::transport;
using namespace cqlwire::test;
using protocol::bytes_view;

namespace {

constexpr std::string_view mtls = "org.apache.cassandra.auth.MutualTlsAuthenticator";
constexpr std::string_view mtls_fallback = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";
constexpr std::string_view identity = "spiffe://testbed.cqlwire/role/app";

startup_config with_certificate(auth::authenticator* a, std::string_view id = identity) {
    startup_config c;
    c.authenticator = a;
    c.client_certificate_presented = true;
    c.client_certificate_identity = std::string(id);
    return c;
}

// Sends STARTUP, waits, and hands in AUTHENTICATE(cls); returns the machine's answer to it.
startup_action authenticate_with(startup_machine& m, std::string_view cls) {
    REQUIRE(m.resume().is_send());
    REQUIRE(m.resume().is_wait());
    const auto a = authenticate(cls);
    return m.resume(a.header, a.body());
}

// The AUTH_RESPONSE token of a send action: nullopt for a null token.
std::optional<std::string> token_of(const startup_action& a) {
    REQUIRE(a.is_send());
    protocol::frame_header h;
    REQUIRE_FALSE(protocol::decode_frame_header(a.bytes, h));
    REQUIRE(h.op == protocol::opcode::auth_response);
    protocol::raw_value token;
    REQUIRE_FALSE(protocol::decode_auth_response(a.bytes.subspan(protocol::frame_header_size), token));
    if (!token.is_present()) return std::nullopt;
    return std::string(protocol::as_chars(token.bytes));
}

// What an authenticator was asked to do.
class watching_authenticator final : public auth::authenticator {
public:
    std::error_code initial_response(std::string_view, auth::secret_bytes& out) override {
        ++initial_calls;
        out.append(std::string_view("\0user\0password", 14));
        return {};
    }
    std::error_code evaluate_challenge(std::span<const std::uint8_t>, auth::secret_bytes&) override {
        ++challenge_calls;
        return auth::auth_errc::unexpected_challenge;
    }
    void on_success(std::span<const std::uint8_t>) override { ++success_calls; }
    void forget() noexcept override { ++forget_calls; }
    int initial_calls = 0;
    int challenge_calls = 0;
    int success_calls = 0;
    int forget_calls = 0;
};

// A certificate login with `certificate_identity` that the server refuses with ERROR 0x0100
// saying `server_text`: the error and both messages the machine leaves.
struct refusal {
    std::error_code error;
    std::string message;         // ours
    std::string server_message;  // the server's words
};
refusal refusal_of(std::string_view certificate_identity, std::string_view server_text) {
    startup_machine m(with_certificate(nullptr, certificate_identity));
    REQUIRE(authenticate_with(m, mtls).is_send());
    REQUIRE(m.resume().is_wait());
    const auto e = error(0x0100, server_text);
    const auto answer = m.resume(e.header, e.body());
    REQUIRE(answer.is_failed());
    return {answer.error, std::string(m.diagnostics().client_message()), std::string(m.diagnostics().server_message())};
}

}  // namespace

TEST_CASE("certificate login: MutualTlsAuthenticator gets an EMPTY token (length 0, not null) and no password") {
    watching_authenticator creds;
    startup_machine m(with_certificate(&creds));
    const auto answer = authenticate_with(m, mtls);
    const auto token = token_of(answer);
    REQUIRE(token.has_value());  // present, of length 0: Cassandra reads a null token as a protocol error
    CHECK(token->empty());
    CHECK(creds.initial_calls == 0);
    CHECK(creds.forget_calls == 1);  // the unused password is wiped, not sent
    CHECK(m.certificate_login());
    REQUIRE(m.resume().is_wait());
    const auto s = success();
    CHECK(m.resume(s.header, s.body()).is_done());
    CHECK(creds.success_calls == 0);
}

TEST_CASE("certificate login: no credentials configured at all is fine") {
    startup_machine m(with_certificate(nullptr));
    const auto token = token_of(authenticate_with(m, mtls));
    REQUIRE(token.has_value());
    CHECK(token->empty());
    REQUIRE(m.resume().is_wait());
    const auto s = success();
    CHECK(m.resume(s.header, s.body()).is_done());
}

TEST_CASE("certificate login: the password of a real authenticator is gone once the certificate answered") {
    auth::plain_text_authenticator creds("app", "s3cret");
    startup_machine m(with_certificate(&creds));
    CHECK(token_of(authenticate_with(m, mtls)) == std::string());
    auth::secret_bytes out;
    CHECK(creds.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) ==
          auth::auth_errc::empty_username);
}

TEST_CASE("certificate login: MutualTlsAuthenticator without a presented certificate sends nothing") {
    watching_authenticator creds;
    startup_config c;
    c.authenticator = &creds;
    startup_machine m(c);
    const auto answer = authenticate_with(m, mtls);
    REQUIRE(answer.is_failed());
    CHECK(answer.error == errc::certificate_login_needs_certificate);
    CHECK(creds.initial_calls == 0);
    CHECK(m.diagnostics().server_message() == mtls);
}

TEST_CASE("certificate login: the fallback authenticator takes the certificate when one was presented") {
    watching_authenticator creds;
    startup_machine m(with_certificate(&creds));
    CHECK(token_of(authenticate_with(m, mtls_fallback)) == std::string());
    CHECK(creds.initial_calls == 0);
    CHECK(creds.forget_calls == 1);
}

TEST_CASE("certificate login: the fallback authenticator without a certificate gets the password") {
    watching_authenticator creds;
    startup_config c;
    c.authenticator = &creds;
    startup_machine m(c);
    CHECK(token_of(authenticate_with(m, mtls_fallback)) == std::string("\0user\0password", 14));
    CHECK(creds.initial_calls == 1);
    CHECK_FALSE(m.certificate_login());
}

TEST_CASE("certificate login: the fallback authenticator without certificate or password is credentials_required") {
    startup_machine m({});
    const auto answer = authenticate_with(m, mtls_fallback);
    REQUIRE(answer.is_failed());
    CHECK(answer.error == errc::credentials_required);
}

TEST_CASE("certificate login: a presented certificate does not change how a password authenticator is answered") {
    watching_authenticator creds;
    startup_machine m(with_certificate(&creds));
    CHECK(token_of(authenticate_with(m, "org.apache.cassandra.auth.PasswordAuthenticator")) ==
          std::string("\0user\0password", 14));
    CHECK_FALSE(m.certificate_login());
}

TEST_CASE("certificate login: an unmapped identity names the identity and the ADD IDENTITY statement") {
    const auto r = refusal_of(identity, "Certificate identity 'spiffe://testbed.cqlwire/role/app' not authorized");
    CHECK(r.error == errc::certificate_login_refused);
    CHECK(r.message.find("'spiffe://testbed.cqlwire/role/app'") != std::string::npos);
    CHECK(r.message.find("ADD IDENTITY 'spiffe://testbed.cqlwire/role/app' TO ROLE '<role>'") != std::string::npos);
    CHECK(r.server_message == "Certificate identity 'spiffe://testbed.cqlwire/role/app' not authorized");
}

TEST_CASE("certificate login: a quote in the identity is doubled in the suggested statement") {
    const auto r = refusal_of("spiffe://x/it's", "not authorized");
    CHECK(r.message.find("ADD IDENTITY 'spiffe://x/it''s' TO ROLE") != std::string::npos);
}

TEST_CASE("certificate login: a certificate without a URI SAN is named as such") {
    const auto r = refusal_of("", "Unable to extract Spiffe from the certificate");
    CHECK(r.error == errc::certificate_login_refused);
    CHECK(r.message.find("no URI subjectAltName") != std::string::npos);
}

TEST_CASE("certificate login: a URI that is no SPIFFE ID, which the server cannot read, is named as such") {
    const auto r = refusal_of("https://example.com/x", "Unable to extract Spiffe from the certificate");
    CHECK(r.error == errc::certificate_login_refused);
    CHECK(r.message.find("no URI subjectAltName starting with spiffe://") != std::string::npos);
    CHECK(r.message.find("'https://example.com/x'") != std::string::npos);
    CHECK(r.message.find("ADD IDENTITY 'https") == std::string::npos);  // mapping it would not help
}

TEST_CASE("certificate login: a refusal for another reason does not prescribe ADD IDENTITY") {
    const auto r = refusal_of(identity, "nologin is not permitted to log in");
    CHECK(r.error == errc::certificate_login_refused);
    CHECK(r.message.find("'spiffe://testbed.cqlwire/role/app'") != std::string::npos);
    CHECK(r.message.find("ADD IDENTITY") == std::string::npos);
    CHECK(r.server_message == "nologin is not permitted to log in");
}

TEST_CASE("certificate login: an identity shown escaped gets no statement that would name another identity") {
    const auto r = refusal_of("spiffe://t/a\\x5cb", "Certificate identity 'spiffe://t/a\\b' not authorized");
    CHECK(r.error == errc::certificate_login_refused);
    CHECK(r.message.find("ADD IDENTITY '") == std::string::npos);
    CHECK(r.message.find("take it from the certificate") != std::string::npos);
}

TEST_CASE("certificate login: a challenge after the empty token fails instead of inventing an answer") {
    watching_authenticator creds;
    startup_machine m(with_certificate(&creds));
    REQUIRE(authenticate_with(m, mtls).is_send());
    REQUIRE(m.resume().is_wait());
    const auto c = challenge("more");
    const auto answer = m.resume(c.header, c.body());
    REQUIRE(answer.is_failed());
    CHECK(answer.error == auth::auth_errc::unexpected_challenge);
    CHECK(creds.challenge_calls == 0);
}

TEST_CASE("early authentication: READY to STARTUP with credentials configured wipes the unused password") {
    auth::plain_text_authenticator creds("app", "s3cret");
    startup_config c;
    c.authenticator = &creds;
    c.client_certificate_presented = true;
    startup_machine m(c);
    REQUIRE(m.resume().is_send());
    REQUIRE(m.resume().is_wait());
    const auto r = ready();
    CHECK(m.resume(r.header, r.body()).is_done());
    auth::secret_bytes out;
    CHECK(creds.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) ==
          auth::auth_errc::empty_username);
}

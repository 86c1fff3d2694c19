// Certificate login over a real TLS handshake with the fake server: what the handshake
// presented decides the answer, and the server's refusal names the certificate's identity.
#include "test_support.hpp"

#include <string>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "fake_cql_server.hpp"
#include "transport_test_support.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::transport;
namespace asio = boost::asio;

namespace {

constexpr std::string_view spiffe_identity = "spiffe://cqlwire.test/app";

fake_cql_server::options certificate_login_server(std::string_view authenticator_class,
                                                  std::vector<std::string> identities, bool require_certificate = true) {
    fake_cql_server::options o;
    o.tls = fake_server_tls("trusted-client-cas.pem", require_certificate);
    o.authenticator_class = std::string(authenticator_class);
    o.certificate_identities = std::move(identities);
    o.username = "app";
    o.password = "s3cret";
    return o;
}

struct startup_outcome {
    std::error_code ec;
    protocol::diagnostics diag;
};

startup_outcome log_in(const fake_cql_server& server, const transport::tls_options& tls, auth::authenticator* creds) {
    asio::io_context ioc;
    auto outcome = connect_to(ioc, "localhost", server.port(), make_context(tls));
    REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    connection c(std::move(*outcome.stream), {});
    startup_outcome r;
    startup_config config;
    config.authenticator = creds;
    r.ec = c.startup(config, r.diag);
    return r;
}

// client-spiffe.crt shares client.key (tools/make-pki tests).
transport::tls_options spiffe_certificate() {
    transport::tls_options o = trust_server_ca();
    o.certificate_file = pki().path("client-spiffe.crt");
    o.private_key_file = pki().path("client.key");
    return o;
}

constexpr std::string_view mtls = "org.apache.cassandra.auth.MutualTlsAuthenticator";
constexpr std::string_view mtls_fallback = "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";

}  // namespace

TEST_CASE("certificate login over TLS: the mapped identity logs in with an empty token and the password stays home") {
    fake_cql_server server(certificate_login_server(mtls, {std::string(spiffe_identity)}));
    auth::plain_text_authenticator creds("app", "s3cret");
    const auto r = log_in(server, spiffe_certificate(), &creds);
    REQUIRE_MESSAGE(!r.ec, r.diag.client_message());
    REQUIRE(server.auth_tokens().size() == 1);
    CHECK(server.auth_tokens()[0].empty());
    CHECK(server.auth_tokens_present() == std::vector<bool>{true});
}

TEST_CASE("certificate login over TLS: an unmapped identity is named with the statement that maps it") {
    fake_cql_server server(certificate_login_server(mtls, {"spiffe://cqlwire.test/someone-else"}));
    const auto r = log_in(server, spiffe_certificate(), nullptr);
    CHECK(r.ec == errc::certificate_login_refused);
    CHECK(std::string(r.diag.client_message()).find("ADD IDENTITY 'spiffe://cqlwire.test/app' TO ROLE") !=
          std::string::npos);
    CHECK(r.diag.server_message() == "Certificate identity 'spiffe://cqlwire.test/app' not authorized");
}

TEST_CASE("certificate login over TLS: of several URI SANs, the SPIFFE ID is the identity named") {
    fake_cql_server server(certificate_login_server(mtls, {std::string(spiffe_identity)}));
    transport::tls_options o = trust_server_ca();
    o.certificate_file = pki().path("client-uris.crt");
    o.private_key_file = pki().path("client.key");
    const auto r = log_in(server, o, nullptr);
    CHECK(r.ec == errc::certificate_login_refused);
    CHECK(std::string(r.diag.client_message()).find("ADD IDENTITY 'spiffe://cqlwire.test/second' TO ROLE") !=
          std::string::npos);
}

TEST_CASE("certificate login over TLS: a certificate without a URI SAN is named as having no identity") {
    fake_cql_server server(certificate_login_server(mtls, {std::string(spiffe_identity)}));
    const auto r = log_in(server, with_client_certificate("client"), nullptr);
    CHECK(r.ec == errc::certificate_login_refused);
    CHECK(std::string(r.diag.client_message()).find("no URI subjectAltName") != std::string::npos);
}

TEST_CASE("certificate login over TLS: no certificate presented to MutualTlsAuthenticator sends nothing") {
    fake_cql_server server(certificate_login_server(mtls, {std::string(spiffe_identity)}, false));
    auth::plain_text_authenticator creds("app", "s3cret");
    const auto r = log_in(server, trust_server_ca(), &creds);
    CHECK(r.ec == errc::certificate_login_needs_certificate);
    CHECK(server.auth_tokens().empty());
}

TEST_CASE("certificate login over TLS: the fallback authenticator takes the certificate, or else the password") {
    SUBCASE("with a certificate: an empty token") {
        fake_cql_server server(certificate_login_server(mtls_fallback, {std::string(spiffe_identity)}, false));
        auth::plain_text_authenticator creds("app", "s3cret");
        const auto r = log_in(server, spiffe_certificate(), &creds);
        REQUIRE_MESSAGE(!r.ec, r.diag.client_message());
        REQUIRE(server.auth_tokens().size() == 1);
        CHECK(server.auth_tokens()[0].empty());
    }
    SUBCASE("without one: the password, as SASL PLAIN") {
        auto options = certificate_login_server(mtls_fallback, {}, false);  // checks the password
        fake_cql_server server(options);
        auth::plain_text_authenticator creds("app", "s3cret");
        const auto r = log_in(server, trust_server_ca(), &creds);
        REQUIRE_MESSAGE(!r.ec, r.diag.client_message());
        REQUIRE(server.auth_tokens().size() == 1);
        CHECK(server.auth_tokens()[0] == std::vector<std::uint8_t>{0, 'a', 'p', 'p', 0, 's', '3', 'c', 'r', 'e', 't'});
    }
}

TEST_CASE("early authentication over TLS: READY at once; the configured password is wiped, never sent") {
    auto options = certificate_login_server(mtls, {std::string(spiffe_identity)});
    options.early_authentication = true;
    fake_cql_server server(options);
    auth::plain_text_authenticator creds("app", "s3cret");
    const auto r = log_in(server, spiffe_certificate(), &creds);
    REQUIRE_MESSAGE(!r.ec, r.diag.client_message());
    CHECK(server.auth_tokens().empty());
    auth::secret_bytes out;
    CHECK(creds.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", out) ==
          auth::auth_errc::empty_username);
}

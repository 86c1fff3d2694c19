// The server's name as OpenSSL checks it: DNS names against DNS SANs (wildcards for one whole
// label only, never the subject CN), IP literals against IP SANs, server_name overriding the
// host dialed, and SNI sent for names but never for IP literals.
#include "test_support.hpp"

#include "transport/transport_test_support.hpp"

#include "cqlwire/transport/internal/tls_context.hpp"
#include "cqlwire/transport/internal/tls_verify.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;

TEST_CASE("tls verify: is_ip_literal recognises IPv4 and IPv6 literals only") {
    CHECK(transport::is_ip_literal("127.0.0.1"));
    CHECK(transport::is_ip_literal("::1"));
    CHECK(transport::is_ip_literal("[::1]"));
    CHECK(transport::is_ip_literal("fe80::1%lo"));
    CHECK(transport::is_ip_literal("2001:db8::42"));
    CHECK_FALSE(transport::is_ip_literal("localhost"));
    CHECK_FALSE(transport::is_ip_literal("node1.cassandra.test"));
    CHECK_FALSE(transport::is_ip_literal("127.0.0.1.example"));
    CHECK_FALSE(transport::is_ip_literal(""));
    CHECK_FALSE(transport::is_ip_literal("[]"));
}

TEST_CASE("tls verify: summarize_certificate reads subject, issuer, dates and SANs") {
    FILE* f = std::fopen(pki().path("expired.crt").c_str(), "r");
    REQUIRE(f != nullptr);
    X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
    std::fclose(f);
    REQUIRE(cert != nullptr);
    const auto s = transport::summarize_certificate(cert, 0);
    X509_free(cert);
    CHECK(s.subject == "CN=localhost,O=cqlwire tests");
    CHECK(s.issuer == "CN=cqlwire tests server CA,O=cqlwire tests");
    CHECK(s.not_before == "2020-01-01 00:00:00 UTC");
    CHECK(s.not_after == "2021-01-01 00:00:00 UTC");
    CHECK(s.dns_names == std::vector<std::string>{"localhost", "*.cassandra.test"});
    CHECK(s.ip_addresses == std::vector<std::string>{"127.0.0.1", "::1"});
    CHECK(transport::format_subject_alt_names(s) == "DNS:localhost, DNS:*.cassandra.test, IP:127.0.0.1, IP:::1");
}

TEST_CASE("tls verify: a DNS name is verified and sent as SNI") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    REQUIRE_MESSAGE(!out.ec, out.message);
    REQUIRE(out.stream);
    CHECK(out.stream->is_tls());
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
    CHECK(server.sni_seen() == std::vector<std::string>{"localhost"});
    REQUIRE(out.stream->tls_record() != nullptr);
    CHECK(out.stream->tls_record()->sni == "localhost");
}

TEST_CASE("tls verify: an IPv4 literal is matched against the IP SANs and sent without SNI") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "127.0.0.1", server.port(), make_context(trust_server_ca()));
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
    CHECK(server.sni_seen() == std::vector<std::string>{""});
}

TEST_CASE("tls verify: an IPv6 literal (::1) is matched against the IP SANs and sent without SNI") {
    auto opts = server_with();
    opts.ipv6 = true;
    tls_test_server server(opts);
    boost::asio::io_context ioc;
    for (const char* host : {"::1", "[::1]"}) {
        CAPTURE(host);
        auto out = connect_to(ioc, host, server.port(), make_context(trust_server_ca()));
        REQUIRE_MESSAGE(!out.ec, out.message);
        CHECK(read_first_bytes(*out.stream).bytes == "hello");
    }
    CHECK(server.sni_seen() == std::vector<std::string>{"", ""});
}

TEST_CASE("tls verify: server_name overrides the host dialed: an IP dial verifies node1.cassandra.test by the wildcard") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    auto o = trust_server_ca();
    o.server_name = "node1.cassandra.test";
    auto out = connect_to(ioc, "127.0.0.1", server.port(), make_context(o));
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
    CHECK(server.sni_seen() == std::vector<std::string>{"node1.cassandra.test"});
}

TEST_CASE("tls verify: a name with the trailing dot of a fully qualified one is the same name") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    auto o = trust_server_ca();
    o.server_name = "node1.cassandra.test.";
    auto out = connect_to(ioc, "127.0.0.1", server.port(), make_context(o));
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
    CHECK(server.sni_seen() == std::vector<std::string>{"node1.cassandra.test"});
    REQUIRE(out.stream->tls_record() != nullptr);
    CHECK(out.stream->tls_record()->expected_name == "node1.cassandra.test");
}

TEST_CASE("tls verify: a wildcard covers exactly one label") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    auto o = trust_server_ca();
    o.server_name = "a.node1.cassandra.test";
    auto out = connect_to(ioc, "127.0.0.1", server.port(), make_context(o));
    CHECK(out.ec == errc::certificate_name_mismatch);
    CHECK(out.message.find("'a.node1.cassandra.test'") != std::string::npos);
}

TEST_CASE("tls verify: an IP literal is rejected when only DNS SANs match, even with the IP as subject CN") {
    tls_test_server server(server_with("dns-only"));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "127.0.0.1", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::certificate_name_mismatch);
    INFO(out.message);
    CHECK(out.message.find("the IP address '127.0.0.1'") != std::string::npos);
    CHECK(out.message.find("DNS:localhost") != std::string::npos);
    CHECK(out.message.find("subject 'CN=127.0.0.1,O=cqlwire tests'") != std::string::npos);
    CHECK_FALSE(out.stream);
}

TEST_CASE("tls verify: a DNS name is never matched against the subject CN") {
    // wrong-name.crt has CN=localhost but its only SAN is DNS:wrong.cassandra.example.
    tls_test_server server(server_with("wrong-name"));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::certificate_name_mismatch);
    INFO(out.message);
    CHECK(out.message.find("the name 'localhost'") != std::string::npos);
    CHECK(out.message.find("it names DNS:wrong.cassandra.example ") != std::string::npos);
}

TEST_CASE("tls verify: verify = false accepts a certificate for another name (and still sends SNI)") {
    tls_test_server server(server_with("wrong-name"));
    boost::asio::io_context ioc;
    transport::tls_options o;  // no CA either: the chain is not checked
    o.verify = false;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
    CHECK(server.sni_seen() == std::vector<std::string>{"localhost"});
}

TEST_CASE("tls verify: a leaf signed by an intermediate verifies when the server sends the intermediate") {
    tls_test_server server(server_with("server-chain"));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
}

TEST_CASE("tls verify: prepare_tls_session needs a name when verifying") {
    auto ctx = make_context(trust_server_ca());
    SSL* ssl = SSL_new(ctx->internals().native_handle());
    REQUIRE(ssl != nullptr);
    transport::tls_handshake_record record;
    protocol::diagnostics diag;
    CHECK(transport::prepare_tls_session(ssl, "", true, record, diag) == errc::tls_config);
    CHECK(diag.client_message().find("no name to check") != std::string::npos);
    CHECK_FALSE(transport::prepare_tls_session(ssl, "", false, record, diag));
    SSL_free(ssl);
}

}  // namespace

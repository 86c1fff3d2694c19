// Each way a TLS connection can fail gets its own errc and a message with the facts a user
// needs: the certificate's issuer and subject, its dates, the alert the server sent. Client
// certificate verdicts are checked under TLS 1.2 (during the handshake) and TLS 1.3 (on the
// first read, where the server's alert arrives after the client's handshake completed).
#include "test_support.hpp"

#include <array>
#include <cstdint>
#include <string>

#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_CASE("tls diagnosis: a chain from an unknown CA is certificate_untrusted, naming issuer and subject") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    transport::tls_options o;
    o.ca_files = {pki().path("other-ca.crt")};
    auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
    CHECK(out.ec == errc::certificate_untrusted);
    INFO(out.message);
    CHECK(contains(out.message, "unable to get local issuer certificate"));
    CHECK(contains(out.message, "subject 'CN=localhost,O=cqlwire tests'"));
    CHECK(contains(out.message, "issued by 'CN=cqlwire tests server CA,O=cqlwire tests'"));
    CHECK_FALSE(out.stream);
}

TEST_CASE("tls diagnosis: a leaf whose intermediate is missing is certificate_untrusted") {
    // server-chain.key with only the leaf: the intermediate is not sent.
    auto opts = server_with("server-chain");
    const std::string leaf_only = pki().path("server-chain-leaf-only.crt");
    {
        std::ifstream in(pki().path("server-chain.crt"));
        std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const auto end = all.find("-----END CERTIFICATE-----");
        REQUIRE(end != std::string::npos);
        std::ofstream(leaf_only) << all.substr(0, end + 25) << "\n";
    }
    opts.certificate_chain_file = leaf_only;
    tls_test_server server(opts);
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::certificate_untrusted);
    CHECK(contains(out.message, "issued by 'CN=cqlwire tests intermediate CA,O=cqlwire tests'"));
}

TEST_CASE("tls diagnosis: an expired certificate is certificate_expired, with its dates") {
    tls_test_server server(server_with("expired"));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::certificate_expired);
    INFO(out.message);
    CHECK(contains(out.message, "valid from 2020-01-01 00:00:00 UTC to 2021-01-01 00:00:00 UTC"));
    CHECK(contains(out.message, "the server's certificate has expired"));
}

TEST_CASE("tls diagnosis: a certificate not yet valid is certificate_not_yet_valid, with its dates") {
    tls_test_server server(server_with("not-yet-valid"));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::certificate_not_yet_valid);
    INFO(out.message);
    CHECK(contains(out.message, "valid from 2040-01-01 00:00:00 UTC to 2041-01-01 00:00:00 UTC"));
}

TEST_CASE("tls diagnosis: mutual TLS succeeds under TLS 1.2 and 1.3 with each kind of client key") {
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        tls_test_server server(server_requiring_client_certificate(version));
        boost::asio::io_context ioc;
        struct identity {
            const char* cert;
            const char* key;
            bool encrypted;
        };
        for (const identity id : {identity{"client", "client", false},         // PKCS#8
                                  identity{"client", "client-pkcs1", false},   // PKCS#1
                                  identity{"client", "client-encrypted", true},// encrypted PKCS#8
                                  identity{"client-ec", "client-ec", false},   // SEC1 EC
                                  identity{"rootCa", "rootCa", false}}) {      // the Azure article's way
            CAPTURE(version);
            CAPTURE(id.key);
            auto o = trust_server_ca();
            o.certificate_file = pki().path(std::string(id.cert) + ".crt");
            o.private_key_file = pki().path(std::string(id.key) + ".key");
            if (id.encrypted) o.private_key_password = auth::secret_bytes(pki().key_password());
            auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
            REQUIRE_MESSAGE(!out.ec, out.message);
            const auto r = read_first_bytes(*out.stream);
            CHECK_MESSAGE(!r.io_error, r.io_error.message());
            CHECK(r.bytes == "hello");
        }
        CHECK(server.handshakes_completed() == 5);
    }
}

TEST_CASE("tls diagnosis: TLS 1.2, no client certificate where one is required: client_certificate_required") {
    tls_test_server server(server_requiring_client_certificate(TLS1_2_VERSION));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::client_certificate_required);
    CHECK(contains(out.message, "requires a client certificate and none was sent"));
    CHECK(contains(out.message, "handshake_failure (40)"));
}

TEST_CASE("tls diagnosis: TLS 1.3, no client certificate where one is required: found on the first read") {
    tls_test_server server(server_requiring_client_certificate(TLS1_3_VERSION));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    REQUIRE_MESSAGE(!out.ec, out.message);  // TLS 1.3: the client's handshake ends first
    const auto r = read_first_bytes(*out.stream);
    CHECK(r.io_error);
    CHECK(r.classified == errc::client_certificate_required);
    CHECK(contains(r.message, "certificate_required (116)"));
    REQUIRE(out.stream->tls_record() != nullptr);
    CHECK(out.stream->tls_record()->certificate_request_received);
}

TEST_CASE("tls diagnosis: TLS 1.2, an untrusted client certificate: client_certificate_rejected") {
    tls_test_server server(server_requiring_client_certificate(TLS1_2_VERSION));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate("untrusted")));
    CHECK(out.ec == errc::client_certificate_rejected);
    INFO(out.message);
    CHECK(contains(out.message, "rejected the client certificate 'CN=cqlwire-tests-untrusted,O=cqlwire tests'"));
    CHECK(contains(out.message, "(alert unknown_ca (48))"));
}

TEST_CASE("tls diagnosis: TLS 1.3, an untrusted client certificate: rejected on the first read") {
    tls_test_server server(server_requiring_client_certificate(TLS1_3_VERSION));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate("untrusted")));
    REQUIRE_MESSAGE(!out.ec, out.message);
    const auto r = read_first_bytes(*out.stream);
    CHECK(r.io_error);
    CHECK(r.classified == errc::client_certificate_rejected);
    INFO(r.message);
    CHECK(contains(r.message, "CN=cqlwire-tests-untrusted"));
    CHECK(contains(r.message, "(alert unknown_ca (48))"));
}

// How a TLS handshake offered to a server speaking `how` (not TLS) ends.
connect_outcome offer_tls_to(tls_test_server::mode how) {
    tls_test_server server(tls_test_server::speaking(how));
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    out.stream.reset();  // (none is expected) it must not outlive `ioc`
    return out;
}

TEST_CASE("tls diagnosis: a plaintext CQL port answering the handshake: server_is_plaintext") {
    const auto out = offer_tls_to(tls_test_server::mode::plaintext);
    CHECK(out.ec == errc::server_is_plaintext);
    INFO(out.message);
    // Named from the bytes it sent back, not presumed.
    CHECK(out.message ==
          "TLS: a CQL server (protocol v4 ERROR frame) answered the TLS handshake: the port speaks plaintext CQL");
}

TEST_CASE("tls diagnosis: an HTTP server answering the handshake is named as HTTP, not plaintext CQL") {
    const auto out = offer_tls_to(tls_test_server::mode::http);
    CHECK(out.ec == errc::tls_handshake_failed);
    CHECK(out.message == "TLS: an HTTP server answered the TLS handshake (\"HTTP/1.1 400 Bad Request\"); this port "
                         "serves HTTP, not CQL: check the host and port");
}

TEST_CASE("tls diagnosis: a port answering the handshake with bytes of no known protocol is not called plaintext CQL") {
    const auto out = offer_tls_to(tls_test_server::mode::banner);
    CHECK(out.ec == errc::tls_handshake_failed);
    CHECK(out.message == "TLS: the server answered the TLS handshake with bytes of no known protocol (first byte "
                         "0x53), neither TLS nor CQL: this port does not serve Cassandra; check the host and port");
}

TEST_CASE("tls diagnosis: a client certificate refused for its key usage names the extension") {
    // The two certificates share client.key and are issued by client-ca, which the server
    // trusts: only their extensions are wrong.
    struct unfit {
        std::string name;
        std::string why;
    };
    const unfit certificates[] = {
        {"client-server-eku",
         "its extendedKeyUsage (serverAuth) does not include TLS client authentication (clientAuth)"},
        {"client-no-digsig",
         "its keyUsage (keyEncipherment) lacks digitalSignature, with which a TLS client proves it holds the key"},
    };
    auto options_for = [](const unfit& c) {
        auto o = trust_server_ca();
        o.certificate_file = pki().path(c.name + ".crt");
        o.private_key_file = pki().path("client.key");
        return o;
    };
    auto expected = [](const unfit& c) {
        return "TLS: the server rejected the client certificate 'CN=cqlwire-tests-" + c.name +
               ",O=cqlwire tests' (alert unsupported_certificate (43)): " + c.why;
    };
    for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        tls_test_server server(server_requiring_client_certificate(version));
        for (const auto& c : certificates) {
            CAPTURE(version);
            CAPTURE(c.name);
            boost::asio::io_context ioc;
            auto out = connect_to(ioc, "localhost", server.port(), make_context(options_for(c)));
            std::error_code verdict = out.ec;
            std::string message = out.message;
            if (version == TLS1_3_VERSION) {
                // The client's handshake completes before the server's verdict; the first read brings it.
                REQUIRE_MESSAGE(!out.ec, out.message);
                const auto r = read_first_bytes(*out.stream);
                verdict = r.classified;
                message = r.message;
            }
            CHECK(verdict == errc::client_certificate_rejected);
            CHECK(message == expected(c));
        }
    }
}

TEST_CASE("tls diagnosis: a server that hangs up during the handshake: tls_handshake_failed") {
    tls_test_server::options opts;
    opts.how = tls_test_server::mode::hang_up;
    tls_test_server server(opts);
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(trust_server_ca()));
    CHECK(out.ec == errc::tls_handshake_failed);
    CHECK(contains(out.message, "closed the connection during the handshake"));
}

TEST_CASE("tls diagnosis: no TLS version in common: tls_handshake_failed naming the alert") {
    auto opts = server_with();
    opts.min_version = TLS1_3_VERSION;
    tls_test_server server(opts);
    boost::asio::io_context ioc;
    auto o = trust_server_ca();
    o.max_version = transport::tls_version::tls1_2;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
    CHECK(out.ec == errc::tls_handshake_failed);
    CHECK(contains(out.message, "protocol_version (70)"));
}

TEST_CASE("tls diagnosis: the client's minimum and maximum versions are honoured") {
    for (const int server_version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        auto opts = server_with();
        opts.min_version = server_version;
        opts.max_version = server_version;
        tls_test_server server(opts);
        boost::asio::io_context ioc;
        for (const auto client_version : {transport::tls_version::tls1_2, transport::tls_version::tls1_3}) {
            CAPTURE(server_version);
            CAPTURE(static_cast<int>(client_version));
            auto o = trust_server_ca();
            o.min_version = client_version;
            o.max_version = client_version;
            auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
            const bool same = (server_version == TLS1_3_VERSION) == (client_version == transport::tls_version::tls1_3);
            if (same) {
                REQUIRE_MESSAGE(!out.ec, out.message);
                CHECK(out.stream->tls_version() == server_version);
            } else {
                CHECK(out.ec == errc::tls_handshake_failed);
            }
        }
    }
}

TEST_CASE("tls diagnosis: tls_alert_name follows the RFC spelling") {
    CHECK(transport::tls_alert_name(116) == "certificate_required (116)");
    CHECK(transport::tls_alert_name(48) == "unknown_ca (48)");
    CHECK(transport::tls_alert_name(42) == "bad_certificate (42)");
    CHECK(transport::tls_alert_name(7) == "alert 7");
}

TEST_CASE("tls diagnosis: classify_post_handshake_error leaves other errors to the caller") {
    protocol::diagnostics diag;
    transport::tls_handshake_record record;
    CHECK_FALSE(transport::classify_post_handshake_error(boost::asio::error::eof, &record, diag));
    CHECK_FALSE(transport::classify_post_handshake_error(boost::asio::error::connection_reset, nullptr, diag));
    CHECK(diag.client_message().empty());
    // An alert carried only by OpenSSL's error reason (no record of it) is still recognised.
    const boost::system::error_code alert_116(
        static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_AD_REASON_OFFSET + 116)), boost::asio::error::get_ssl_category());
    CHECK(transport::classify_post_handshake_error(alert_116, &record, diag) == errc::client_certificate_required);
}

TEST_CASE("tls diagnosis: looks_like_tls_record tells TLS records from CQL frames") {
    const std::array<std::uint8_t, 5> alert{0x15, 0x03, 0x03, 0x00, 0x02};
    const std::array<std::uint8_t, 5> handshake{0x16, 0x03, 0x01, 0x00, 0x40};
    const std::array<std::uint8_t, 9> cql_v4_response{0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06};
    const std::array<std::uint8_t, 2> not_a_version{0x16, 0x04};
    const std::array<std::uint8_t, 1> first_byte_only{0x15};
    CHECK(transport::looks_like_tls_record(alert));
    CHECK(transport::looks_like_tls_record(handshake));
    CHECK(transport::looks_like_tls_record(first_byte_only));
    CHECK_FALSE(transport::looks_like_tls_record(cql_v4_response));
    CHECK_FALSE(transport::looks_like_tls_record(not_a_version));
    CHECK_FALSE(transport::looks_like_tls_record(protocol::bytes_view{}));
}

}  // namespace

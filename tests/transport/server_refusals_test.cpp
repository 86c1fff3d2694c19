// Servers that turn a client away without saying why in so many words, the way Cassandra's TLS
// port does: an untrusted client certificate answered with internal_error (80), a reset that
// reaches the client before (or instead of) the alert that explains it, plaintext CQL answered
// with a reset. Each must still be reported by its cause. A verdict that is an inference says
// "most likely"; where the evidence points elsewhere (no CertificateRequest, a TLS 1.2 handshake
// that completed, an orderly close) no client-certificate or TLS verdict is given.
#include "test_support.hpp"

#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cql_test_client.hpp"
#include "cqlwire/transport/connection.hpp"
#include "fake_cql_server.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::connection;
using transport::errc;
namespace asio = boost::asio;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

const std::string untrusted_subject = "CN=cqlwire-tests-untrusted,O=cqlwire tests";

// An error as OpenSSL reports a received alert: reason SSL_AD_REASON_OFFSET + the alert number.
boost::system::error_code received_alert(int alert) {
    return {static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_AD_REASON_OFFSET + alert)),
            boost::asio::error::get_ssl_category()};
}

// The fake CQL server over mutual TLS, turning clients away as `refusal` says.
fake_cql_server::options refusing_server(fake_cql_server::client_certificate_refusal refusal) {
    fake_cql_server::tls_settings tls;
    tls.certificate_chain_file = pki().path("server.crt");
    tls.private_key_file = pki().path("server.key");
    tls.client_ca_file = pki().path("trusted-client-cas.pem");
    tls.require_client_certificate = true;
    tls.refusal = refusal;
    fake_cql_server::options o;
    o.tls = tls;
    return o;
}

struct startup_outcome {
    std::error_code ec;
    std::string message;
};

// Connects with `tls` (the handshake must complete: TLS 1.3 ends the client's side before the
// server's verdict), optionally waits until the server's reset has arrived, then runs the CQL
// start-up exchange.
startup_outcome startup_after_handshake(asio::io_context& ioc, std::uint16_t port, const transport::tls_options& tls,
                                        bool wait_for_reset) {
    auto out = connect_to(ioc, "localhost", port, make_context(tls));
    REQUIRE_MESSAGE(!out.ec, out.message);
    if (wait_for_reset) {
        // Blocks until the socket reports an error: the reset is in, behind the alert (if any).
        boost::system::error_code ec;
        out.stream->socket().wait(asio::ip::tcp::socket::wait_error, ec);
        REQUIRE_FALSE(ec);
    }
    connection c(std::move(*out.stream));
    protocol::diagnostics diag;
    startup_outcome r;
    r.ec = c.startup({}, diag);
    r.message = diag.client_message();
    return r;
}

transport::tls_options tls13(transport::tls_options o) {
    o.min_version = transport::tls_version::tls1_3;
    return o;
}

}  // namespace

TEST_CASE("server refusals: an untrusted client certificate answered with internal_error or handshake_failure") {
    for (const int alert : {80, 40}) {
        for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
            CAPTURE(alert);
            CAPTURE(version);
            auto opts = server_requiring_client_certificate(version);
            opts.untrusted_client_certificate_alert = alert;
            tls_test_server server(opts);
            asio::io_context ioc;
            const std::string alert_name = transport::tls_alert_name(alert);

            auto out = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate("untrusted")));
            std::error_code verdict = out.ec;
            std::string message = out.message;
            if (version == TLS1_3_VERSION) {
                // The client's handshake completes; the server's alert comes on the first read.
                REQUIRE_MESSAGE(!out.ec, out.message);
                const auto r = read_first_bytes(*out.stream);
                CHECK(r.io_error);
                verdict = r.classified;
                message = r.message;
            }
            INFO(message);
            CHECK(verdict == errc::client_certificate_rejected);
            CHECK(contains(message, "most likely rejected the client certificate '" + untrusted_subject + "'"));
            CHECK(contains(message, "alert " + alert_name));

            // The same server lets a trusted certificate in: the option only changes the alert.
            auto good = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate("client")));
            REQUIRE_MESSAGE(!good.ec, good.message);
            CHECK(read_first_bytes(*good.stream).bytes == "hello");
        }
    }
}

TEST_CASE("server refusals: alerts that name no cause are a client-certificate verdict only after a CertificateRequest") {
    protocol::diagnostics diag;
    transport::tls_handshake_record record;
    record.client_certificate_configured = true;
    record.client_certificate_subject = "CN=me";

    SUBCASE("no CertificateRequest: internal_error is left to the caller") {
        CHECK_FALSE(transport::classify_post_handshake_error(received_alert(80), &record, diag));
        CHECK_FALSE(transport::classify_post_handshake_error(received_alert(40), &record, diag));
        CHECK(diag.client_message().empty());
    }
    SUBCASE("asked for and sent: most likely rejected, naming the certificate and the alert") {
        record.certificate_request_received = true;
        CHECK(transport::classify_post_handshake_error(received_alert(80), &record, diag) ==
              errc::client_certificate_rejected);
        CHECK(contains(diag.client_message(), "most likely rejected the client certificate 'CN=me'"));
        CHECK(contains(diag.client_message(), "closed the connection with alert internal_error (80)"));
    }
    SUBCASE("asked for, none configured: most likely required") {
        record.certificate_request_received = true;
        record.client_certificate_configured = false;
        CHECK(transport::classify_post_handshake_error(received_alert(80), &record, diag) ==
              errc::client_certificate_required);
        CHECK(contains(diag.client_message(), "most likely requires a client certificate and none was sent"));
    }
    SUBCASE("certificate_required says it outright: no 'most likely'") {
        record.client_certificate_configured = false;
        CHECK(transport::classify_post_handshake_error(received_alert(116), &record, diag) ==
              errc::client_certificate_required);
        CHECK_FALSE(contains(diag.client_message(), "most likely"));
    }
    SUBCASE("other alerts are not about the certificate, asked for or not") {
        record.certificate_request_received = true;
        CHECK_FALSE(transport::classify_post_handshake_error(received_alert(50), &record, diag));  // decode_error
        CHECK(diag.client_message().empty());
    }
}

TEST_CASE("server refusals: classify_close_after_handshake judges only TLS 1.3 after a CertificateRequest") {
    protocol::diagnostics diag;
    transport::tls_handshake_record record;
    record.certificate_request_received = true;

    SUBCASE("TLS 1.3, none configured: most likely required") {
        CHECK(transport::classify_close_after_handshake(record, TLS1_3_VERSION, diag) ==
              errc::client_certificate_required);
        CHECK(contains(diag.client_message(), "most likely requires one"));
    }
    SUBCASE("TLS 1.3, one configured: most likely rejected, naming it") {
        record.client_certificate_configured = true;
        record.client_certificate_subject = "CN=me";
        CHECK(transport::classify_close_after_handshake(record, TLS1_3_VERSION, diag) ==
              errc::client_certificate_rejected);
        CHECK(contains(diag.client_message(), "most likely refused the client certificate 'CN=me'"));
    }
    SUBCASE("TLS 1.2: a completed handshake was not a refusal of the certificate") {
        CHECK_FALSE(transport::classify_close_after_handshake(record, TLS1_2_VERSION, diag));
        CHECK(diag.client_message().empty());
    }
    SUBCASE("no CertificateRequest: nothing to say about a client certificate") {
        record.certificate_request_received = false;
        CHECK_FALSE(transport::classify_close_after_handshake(record, TLS1_3_VERSION, diag));
        CHECK(diag.client_message().empty());
    }
}

TEST_CASE("server refusals: TLS 1.3 alert then reset, the reset seen first on the STARTUP write") {
    // The client's handshake completes; the server sends its alert and resets at once. The test
    // waits for the reset, so writing STARTUP fails with it while the alert sits unread: the
    // alert must still be found and named.
    fake_cql_server server(refusing_server(fake_cql_server::client_certificate_refusal::alert_then_reset));
    asio::io_context ioc;

    SUBCASE("no client certificate") {
        const auto r = startup_after_handshake(ioc, server.port(), tls13(trust_server_ca()), true);
        INFO(r.message);
        CHECK(r.ec == errc::client_certificate_required);
        CHECK(contains(r.message, "certificate_required (116)"));
    }
    SUBCASE("an untrusted client certificate") {
        const auto r = startup_after_handshake(ioc, server.port(), tls13(with_client_certificate("untrusted")), true);
        INFO(r.message);
        CHECK(r.ec == errc::client_certificate_rejected);
        CHECK(contains(r.message, untrusted_subject));
        CHECK(contains(r.message, "unknown_ca (48)"));
    }
}

TEST_CASE("server refusals: TLS 1.3, a reset right after the handshake and no alert at all") {
    fake_cql_server server(refusing_server(fake_cql_server::client_certificate_refusal::reset_after_handshake));
    asio::io_context ioc;

    // The reset seen on the STARTUP write (waited for), or on the read after it.
    for (const bool wait_for_reset : {true, false}) {
        CAPTURE(wait_for_reset);
        const auto none = startup_after_handshake(ioc, server.port(), tls13(trust_server_ca()), wait_for_reset);
        CHECK_MESSAGE(none.ec == errc::client_certificate_required, none.message);
        CHECK_MESSAGE(contains(none.message, "most likely requires one"), none.message);

        const auto untrusted =
            startup_after_handshake(ioc, server.port(), tls13(with_client_certificate("untrusted")), wait_for_reset);
        CHECK_MESSAGE(untrusted.ec == errc::client_certificate_rejected, untrusted.message);
        CHECK_MESSAGE(contains(untrusted.message, "most likely refused the client certificate '" + untrusted_subject + "'"),
                      untrusted.message);
    }
    // A trusted certificate is let in.
    const auto trusted = startup_after_handshake(ioc, server.port(), tls13(with_client_certificate("client")), false);
    CHECK_MESSAGE(trusted.ec == std::error_code{}, trusted.message);
}

TEST_CASE("server refusals: TLS 1.2, a reset after a completed handshake is not blamed on the certificate") {
    // The same server, but TLS 1.2: a server that refuses the certificate does so inside the
    // handshake, so a close after it completed says nothing about the certificate.
    fake_cql_server server(refusing_server(fake_cql_server::client_certificate_refusal::reset_after_handshake));
    asio::io_context ioc;
    auto o = trust_server_ca();
    o.max_version = transport::tls_version::tls1_2;
    const auto r = startup_after_handshake(ioc, server.port(), o, true);
    INFO(r.message);
    CHECK(r.ec == errc::connection_closed);
    CHECK(contains(r.message, "right after the TLS handshake, before answering STARTUP"));
}

TEST_CASE("server refusals: another alert before the first CQL byte is a TLS failure, named in our words") {
    // The server asks to renegotiate (TLS 1.2) right after the handshake; the client refuses and
    // the server ends the connection with handshake_failure, before answering STARTUP. No
    // certificate was asked for, so it is no verdict on one — but neither a network failure
    // with OpenSSL's text ("sslv3 alert handshake failure").
    auto opts = server_with();
    opts.max_version = TLS1_2_VERSION;
    opts.renegotiate_after_handshake = true;
    tls_test_server server(opts);
    asio::io_context ioc;
    const auto r = startup_after_handshake(ioc, server.port(), trust_server_ca(), false);
    CHECK(r.ec == errc::tls_handshake_failed);
    CHECK(r.message == "TLS: the server ended the connection with alert handshake_failure (40) right after the TLS "
                       "handshake, before answering STARTUP");
}

TEST_CASE("server refusals: plaintext CQL to a TLS port that resets it: server_expects_tls, most likely") {
    tls_test_server::options opts;
    opts.how = tls_test_server::mode::reset;
    tls_test_server server(opts);
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    CHECK(c.startup({}, diag) == errc::server_expects_tls);
    CHECK(contains(diag.client_message(), "most likely"));
    CHECK(contains(diag.client_message(), "reset the connection without answering STARTUP"));
}

TEST_CASE("server refusals: a plaintext server closing in order before answering is only connection_closed") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::startup, [](fake_session& s, const fake_request&) { s.close(); });
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    CHECK(c.startup({}, diag) == errc::connection_closed);
    CHECK(diag.client_message() == "without answering STARTUP");
}

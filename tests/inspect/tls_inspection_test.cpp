// cqlwire::inspect::inspect_tls against the fake CQL server over (mutual) TLS and plaintext, with the
// test PKI, plus a certificate made here that expires in 10 days, and raw loopback servers
// that answer like an HTTP server or like a server refusing the protocol version.
#include "test_support.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <boost/asio.hpp>

#include "cqlwire/transport/connection.hpp"
#include "cqlwire/inspect/tls_inspection.hpp"
#include "fake_cql_server.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using cqlwire::inspect::client_certificate_verdict;
using cqlwire::inspect::port_protocol;
namespace asio = boost::asio;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

fake_cql_server::options mutual_tls_server(const std::string& server_cert = "server") {
    fake_cql_server::tls_settings tls;
    tls.certificate_chain_file = pki().path(server_cert + ".crt");
    tls.private_key_file = pki().path(server_cert + ".key");
    tls.client_ca_file = pki().path("client-ca.crt");
    tls.require_client_certificate = true;
    fake_cql_server::options o;
    o.tls = tls;
    return o;
}

cqlwire::inspect::tls_inspection inspect_port(const transport::tls_options& o, std::uint16_t port, std::string host = "localhost") {
    cqlwire::inspect::tls_inspection_target target;
    target.host = std::move(host);
    target.port = port;
    target.timeout = std::chrono::seconds(5);
    cqlwire::inspect::tls_inspection r;
    protocol::diagnostics diag;
    const auto ec = cqlwire::inspect::inspect_tls(o, target, r, diag);
    INFO(diag.client_message());
    REQUIRE_FALSE(ec);
    return r;
}

// A certificate for "localhost" by the test server CA that ends its validity in 10 days.
std::string soon_expiring_certificate() {
    static const std::string path = [] {
        const auto dir = pki().dir() / "soon";
        std::filesystem::create_directories(dir);
        const std::string d = dir.string();
        const std::string ext = d + "/san.ext";
        const std::string command =
            "set -e; cd '" + d + "'; printf 'subjectAltName = DNS:localhost, IP:127.0.0.1\\n' > san.ext; "
            "openssl req -new -key '" + pki().path("server.key") + "' -subj '/O=cqlwire tests/CN=localhost' -out soon.csr 2>/dev/null; "
            "openssl x509 -req -in soon.csr -CA '" + pki().path("server-ca.crt") + "' -CAkey '" + pki().path("server-ca.key") +
            "' -set_serial 0x1234 -days 10 -sha256 -extfile san.ext -out soon.crt 2>/dev/null";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("could not make the soon-expiring certificate");
        return d + "/soon.crt";
    }();
    return path;
}

// A loopback server that answers the first bytes it reads with `reply`, then closes.
class canned_reply_server {
public:
    explicit canned_reply_server(std::vector<std::uint8_t> reply)
        : reply_(std::move(reply)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] {
            for (;;) {
                boost::system::error_code ec;
                asio::ip::tcp::socket s(io_);
                acceptor_.accept(s, ec);
                if (ec || stopping_) return;
                std::array<char, 512> buf{};
                const std::size_t n = s.read_some(asio::buffer(buf), ec);
                if (n > 0 && first_byte_ < 0) first_byte_ = static_cast<unsigned char>(buf[0]);
                if (!ec) asio::write(s, asio::buffer(reply_), ec);
                s.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
            }
        });
    }
    ~canned_reply_server() {
        stopping_ = true;
        // Wake the blocking accept with one last connection.
        boost::system::error_code ec;
        asio::ip::tcp::socket s(io_);
        s.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
        thread_.join();
    }
    std::uint16_t port() const { return port_; }
    // The first byte of the first request received, or -1.
    int first_byte() const { return first_byte_; }

private:
    std::vector<std::uint8_t> reply_;
    asio::io_context io_;
    asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<int> first_byte_{-1};
    std::thread thread_;
};

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

}  // namespace

TEST_CASE("a trusted client certificate: TLS 1.3, the chain, the name, the CA names, accepted") {
    fake_cql_server server(mutual_tls_server());
    auto o = with_client_certificate("client");
    const auto r = inspect_port(o, server.port());
    CHECK(r.handshake_completed);
    CHECK(r.tls_version == "TLSv1.3");
    CHECK_FALSE(r.cipher.empty());
    REQUIRE(r.server_chain.size() == 1);
    CHECK(r.server_chain[0].summary.subject == "CN=localhost,O=cqlwire tests");
    CHECK(r.server_chain[0].key_type == "RSA");
    CHECK(r.server_chain[0].key_bits == 2048);
    CHECK(r.server_chain[0].seconds_until_expiry > 800LL * 86400);
    CHECK(r.chain_verified);
    CHECK(r.verify_error == 0);
    CHECK(r.name_matches);
    CHECK(r.certificate_requested);
    REQUIRE(r.acceptable_client_ca_names.size() == 1);
    CHECK(r.acceptable_client_ca_names[0] == "CN=cqlwire tests client CA,O=cqlwire tests");
    REQUIRE(r.client_certificate.has_value());
    CHECK(r.client_certificate->summary.subject == "CN=cqlwire-tests-client,O=cqlwire tests");
    CHECK(r.client_issuer_acceptable == std::optional<bool>(true));
    CHECK(r.client_key_matches == std::optional<bool>(true));
    CHECK(r.client_verdict == client_certificate_verdict::accepted);
    CHECK(contains(r.client_verdict_detail, "SUPPORTED"));
    CHECK(r.warnings.empty());
}

TEST_CASE("an EC client certificate shows its curve") {
    fake_cql_server server(mutual_tls_server());
    const auto r = inspect_port(with_client_certificate("client-ec"), server.port());
    REQUIRE(r.client_certificate.has_value());
    CHECK(r.client_certificate->key_type == "EC (prime256v1)");
    CHECK(r.client_certificate->key_bits == 256);
    CHECK(r.client_verdict == client_certificate_verdict::accepted);
}

TEST_CASE("an untrusted client certificate: not issued by an accepted CA, rejected") {
    fake_cql_server server(mutual_tls_server());
    const auto r = inspect_port(with_client_certificate("untrusted"), server.port());
    CHECK(r.client_issuer_acceptable == std::optional<bool>(false));
    CHECK(r.client_key_matches == std::optional<bool>(true));
    CHECK(r.client_verdict == client_certificate_verdict::rejected);
    // The server's side still verified: the problem is named on the client's side only.
    CHECK(r.chain_verified);
    CHECK(r.name_matches);
}

TEST_CASE("no client certificate where one is required") {
    fake_cql_server server(mutual_tls_server());
    const auto r = inspect_port(trust_server_ca(), server.port());
    CHECK_FALSE(r.client_certificate.has_value());
    CHECK(r.certificate_requested);
    CHECK(r.client_verdict == client_certificate_verdict::required);
}

TEST_CASE("a key that does not belong to the certificate is named, and nothing is presented") {
    fake_cql_server server(mutual_tls_server());
    auto o = trust_server_ca();
    o.certificate_file = pki().path("client.crt");
    o.private_key_file = pki().path("untrusted.key");
    const auto r = inspect_port(o, server.port());
    REQUIRE(r.client_certificate.has_value());
    CHECK(r.client_key_matches == std::optional<bool>(false));
    CHECK(contains(r.client_identity_problem, "does not belong to the certificate"));
    CHECK(r.client_verdict == client_certificate_verdict::required);
}

TEST_CASE("the server's chain is shown even when it does not verify, with the X509 error") {
    fake_cql_server server(mutual_tls_server());
    auto o = with_client_certificate("client");
    o.ca_files = {pki().path("other-ca.crt")};
    const auto r = inspect_port(o, server.port());
    CHECK(r.handshake_completed);
    REQUIRE(r.server_chain.size() == 1);
    CHECK_FALSE(r.chain_verified);
    CHECK(r.verify_error == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
    CHECK(r.verify_error_name == "unable to get local issuer certificate");
    CHECK(r.verify_error_depth == 0);
    CHECK(r.client_verdict == client_certificate_verdict::accepted);
}

TEST_CASE("a wrong expected name: no match, the SANs kept") {
    fake_cql_server server(mutual_tls_server("wrong-name"));
    const auto r = inspect_port(with_client_certificate("client"), server.port());
    CHECK(r.chain_verified);
    CHECK_FALSE(r.name_matches);
    CHECK(r.expected_name == "localhost");
    REQUIRE(r.server_chain.size() == 1);
    CHECK(r.server_chain[0].summary.dns_names == std::vector<std::string>{"wrong.cassandra.example"});
}

TEST_CASE("--server-name is the name checked; an IP literal is checked against IP SANs") {
    fake_cql_server server(mutual_tls_server());
    auto o = with_client_certificate("client");
    o.server_name = "node1.cassandra.test";  // covered by *.cassandra.test
    auto r = inspect_port(o, server.port(), "127.0.0.1");
    CHECK(r.expected_name == "node1.cassandra.test");
    CHECK(r.name_matches);
    o.server_name = "a.b.cassandra.test";  // a wildcard covers one label only
    r = inspect_port(o, server.port(), "127.0.0.1");
    CHECK_FALSE(r.name_matches);
    fake_cql_server dns_only(mutual_tls_server("dns-only"));
    r = inspect_port(with_client_certificate("client"), dns_only.port(), "127.0.0.1");
    CHECK(r.expected_is_ip);
    CHECK_FALSE(r.name_matches);  // CN=127.0.0.1 is not an IP SAN
}

TEST_CASE("an expired server certificate is reported, with a warning") {
    fake_cql_server server(mutual_tls_server("expired"));
    const auto r = inspect_port(with_client_certificate("client"), server.port());
    CHECK_FALSE(r.chain_verified);
    CHECK(r.verify_error == X509_V_ERR_CERT_HAS_EXPIRED);
    REQUIRE(r.server_chain.size() == 1);
    CHECK(r.server_chain[0].expired());
    REQUIRE(r.warnings.size() == 1);
    CHECK(contains(r.warnings[0], "has EXPIRED"));
}

TEST_CASE("a server certificate that expires in less than 30 days gets a warning") {
    auto o = mutual_tls_server();
    o.tls->certificate_chain_file = soon_expiring_certificate();
    fake_cql_server server(o);
    const auto r = inspect_port(with_client_certificate("client"), server.port());
    CHECK(r.chain_verified);
    REQUIRE(r.server_chain.size() == 1);
    const auto days = r.server_chain[0].seconds_until_expiry / 86400;
    CHECK(days >= 9);
    CHECK(days <= 10);
    REQUIRE(r.warnings.size() == 1);
    CHECK(contains(r.warnings[0], "the server's certificate 'CN=localhost,O=cqlwire tests' expires in "));
}

TEST_CASE("a plaintext CQL port: the port is plaintext, a CQL server answered") {
    fake_cql_server server(fake_cql_server::options{});
    const auto r = inspect_port(trust_server_ca(), server.port());
    CHECK_FALSE(r.handshake_completed);
    // The fake server closes on a ClientHello (tls_handshake_failed) where Cassandra answers
    // with a CQL error (server_is_plaintext); either way the probe names a CQL server.
    CHECK(r.handshake_error);
    CHECK(r.speaks == port_protocol::plaintext_cql);
    CHECK(r.plaintext_answer == "a CQL server (protocol v4 SUPPORTED frame)");
    CHECK(r.server_chain.empty());
}

TEST_CASE("an HTTP port: an HTTP server answered") {
    canned_reply_server http(bytes_of("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n"));
    const auto r = inspect_port(trust_server_ca(), http.port());
    CHECK_FALSE(r.handshake_completed);
    CHECK(r.speaks == port_protocol::http);
    CHECK(r.plaintext_answer == "an HTTP server (\"HTTP/1.1 400 Bad Request\")");
    CHECK(r.http_status_line == "HTTP/1.1 400 Bad Request");
    // The handshake's own failure names HTTP too, not "plaintext CQL".
    CHECK(r.handshake_message == "TLS: an HTTP server answered the TLS handshake (\"HTTP/1.1 400 Bad Request\"); this "
                                 "port serves HTTP, not CQL: check the host and port");
}

TEST_CASE("a port that accepts TCP and never answers: a timeout within the limit, not a port without TLS") {
    tls_test_server server(tls_test_server::speaking(tls_test_server::mode::silent));
    cqlwire::inspect::tls_inspection_target target;
    target.host = "127.0.0.1";
    target.port = server.port();
    target.timeout = std::chrono::milliseconds(500);
    cqlwire::inspect::tls_inspection r;
    protocol::diagnostics diag;
    const auto start = std::chrono::steady_clock::now();
    CHECK(cqlwire::inspect::inspect_tls(trust_server_ca(), target, r, diag) == transport::errc::handshake_timeout);
    // One wait for the handshake; no plaintext probe waiting as long again.
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(900));
    CHECK(diag.client_message() == "the server at 127.0.0.1:" + std::to_string(server.port()) +
                                       " accepted the TCP connection but sent nothing within 500 ms in answer to the "
                                       "TLS handshake");
}

TEST_CASE("a port that closes at once: nothing answered") {
    canned_reply_server closer({});
    const auto r = inspect_port(trust_server_ca(), closer.port());
    CHECK_FALSE(r.handshake_completed);
    CHECK(r.speaks == port_protocol::other);
    CHECK(r.plaintext_answer == "nothing (the connection closed without a byte)");
}

TEST_CASE("no TCP connection: an error, not an inspection") {
    cqlwire::inspect::tls_inspection_target target;
    target.host = "127.0.0.1";
    target.port = 1;  // privileged and unused on loopback
    cqlwire::inspect::tls_inspection r;
    protocol::diagnostics diag;
    CHECK(cqlwire::inspect::inspect_tls(trust_server_ca(), target, r, diag) == transport::errc::connect_failed);
    CHECK(contains(diag.client_message(), "127.0.0.1:1"));
}

// ---- The connection names HTTP replies and version refusals ----------------------------------

namespace {

std::pair<std::error_code, protocol::diagnostics> plaintext_startup(std::uint16_t port, std::uint8_t version) {
    asio::io_context ioc;
    auto out = connect_to(ioc, "127.0.0.1", port, nullptr);
    REQUIRE_FALSE(out.ec);
    transport::connection_options co;
    co.protocol_version = version;
    transport::connection conn(std::move(*out.stream), co);
    protocol::diagnostics diag;
    const auto ec = conn.startup(transport::startup_config{}, diag);
    return {ec, diag};
}

}  // namespace

TEST_CASE("a CQL connection to an HTTP port says an HTTP server answered") {
    canned_reply_server http(bytes_of("HTTP/1.1 400 Bad Request\r\n\r\n"));
    const auto [ec, diag] = plaintext_startup(http.port(), 4);
    CHECK(ec == transport::errc::protocol_violation);
    CHECK(diag.client_message() == "an HTTP server answered (\"HTTP/1.1 400 Bad Request\"); this port serves HTTP, not "
                                   "CQL: check the host and port");
}

TEST_CASE("a server refusing the version in its own: the versions it supports are reported") {
    const std::string message =
        "Invalid or unsupported protocol version (3); supported versions are (4/v4, 5/v5)";
    std::vector<std::uint8_t> body = {0x00, 0x00, 0x00, 0x0a, 0x00, static_cast<std::uint8_t>(message.size())};
    body.insert(body.end(), message.begin(), message.end());
    std::vector<std::uint8_t> frame = {0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                       static_cast<std::uint8_t>(body.size())};
    frame.insert(frame.end(), body.begin(), body.end());
    canned_reply_server server(frame);
    const auto [ec, diag] = plaintext_startup(server.port(), 3);
    CHECK(ec == transport::errc::unsupported_protocol_version);
    CHECK(diag.client_message() ==
          "the server answered in protocol version 4 instead of 3; it supports protocol versions 4, 5");
    CHECK(diag.server_message() == message);
}

TEST_CASE("a v3 connection sends v3 frames and accepts v3 answers") {
    // READY in v3, to whatever arrives.
    canned_reply_server server({0x83, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00});
    const auto [ec, diag] = plaintext_startup(server.port(), 3);
    INFO(diag.client_message());
    CHECK_FALSE(ec);
    CHECK(server.first_byte() == 0x03);
}

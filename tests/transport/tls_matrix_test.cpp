// The TLS matrix: every way a server's (or our client's) certificate should be refused, each
// checked for its SPECIFIC reason — the error code and the key words of the message — and the
// certificates and settings that must be accepted. The certificates come from
// `tools/make-pki tls-matrix`, generated into a temporary folder on first use; each differs
// from a good one in exactly one way, so a row cannot pass for a reason other than its own
// (an expired certificate carries the right names; a name test uses an otherwise valid one).
//
// The client runs at this OpenSSL build's default security level (2 on Debian); the test
// server drops to level 0 where it must present something weak, so that the refusal measured
// is the client's.
#include "test_support.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <unistd.h>

#include "cqlwire/transport/internal/tls_context.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;

// The matrix's certificates: runs `tools/make-pki tls-matrix` once per process into a fresh temporary
// folder, removed at exit.
class tls_matrix_pki {
public:
    static const tls_matrix_pki& instance() {
        static const tls_matrix_pki pki;
        return pki;
    }
    std::string path(const std::string& file) const { return (dir_ / file).string(); }

    tls_matrix_pki(const tls_matrix_pki&) = delete;
    tls_matrix_pki& operator=(const tls_matrix_pki&) = delete;
    ~tls_matrix_pki() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

private:
    tls_matrix_pki() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cqlwire-tls-matrix-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("tls_matrix_pki: mkdtemp failed");
        dir_ = pattern;
        // CMake hands every test the absolute path of the one PKI script.
        const std::string command = "bash '" CQLWIRE_TEST_PKI_SCRIPT "' tls-matrix '" + dir_.string() + "'";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("tls_matrix_pki: " + command + " failed");
    }
    std::filesystem::path dir_;
};

std::string matrix(const std::string& file) { return tls_matrix_pki::instance().path(file); }

// One row. The server presents `chain` (leaf first) with `key`; the client trusts root-ca,
// dials `host` and, when `server_name` is set, verifies that name instead.
struct matrix_case {
    std::string label;
    std::string chain;
    std::string key = "leaf.key";
    std::string host = "localhost";
    std::string server_name;
    bool ipv6 = false;
    // The server's side.
    int server_security_level = -1;
    int server_min_version = TLS1_2_VERSION;
    int server_max_version = 0;
    std::string server_client_ca;  // not empty: a client certificate from this CA is required
    // The client's side.
    std::optional<transport::tls_version> client_version;  // forces min = max
    std::string client_certificate;  // chain file; the key is client.key
    int client_security_level = -1;  // -1: this OpenSSL build's default
    // The verdict.
    std::error_code expected;        // empty: accepted
    std::vector<std::string> words;  // each must appear in the message
};

struct verdict {
    std::error_code ec;
    std::string message;
    std::string bytes;      // what the server sent after the handshake ("hello" when accepted)
    int negotiated = 0;     // SSL_version of the connection, when the handshake completed
};

// Connects; when the handshake completes, reads the server's greeting, where a TLS 1.3 server's
// verdict on our client certificate arrives.
verdict run_case(const matrix_case& c) {
    tls_test_server::options server;
    server.certificate_chain_file = matrix(c.chain);
    server.private_key_file = matrix(c.key);
    server.ipv6 = c.ipv6;
    server.security_level = c.server_security_level;
    server.min_version = c.server_min_version;
    server.max_version = c.server_max_version;
    if (!c.server_client_ca.empty()) {
        server.client_ca_file = matrix(c.server_client_ca);
        server.require_client_certificate = true;
    }
    tls_test_server srv(server);

    transport::tls_options o;
    o.ca_files = {matrix("root-ca.crt")};
    o.server_name = c.server_name;
    if (c.client_version) o.min_version = o.max_version.emplace(*c.client_version);
    if (!c.client_certificate.empty()) {
        o.certificate_file = matrix(c.client_certificate);
        o.private_key_file = matrix("client.key");
    }
    auto context = make_context(o);
    if (c.client_security_level >= 0) SSL_CTX_set_security_level(context->internals().native_handle(), c.client_security_level);
    boost::asio::io_context ioc;
    // A generous handshake timeout: no row expects a timeout, and under valgrind on a busy
    // machine the first handshakes of a process take seconds.
    auto out = connect_to(ioc, c.host, srv.port(), context, std::chrono::seconds(60));
    verdict v{out.ec, out.message, {}, 0};
    if (!out.ec && out.stream) {
        v.negotiated = out.stream->tls_version();
        const auto r = read_first_bytes(*out.stream);
        v.bytes = r.bytes;
        if (r.io_error) {
            v.ec = r.classified ? r.classified : std::error_code(r.io_error.value(), std::generic_category());
            v.message = r.message.empty() ? r.io_error.message() : r.message;
        }
    }
    return v;
}

// A row whose set-up throws (a server that cannot load its certificate) fails alone.
verdict run(const matrix_case& c) {
    try {
        return run_case(c);
    } catch (const std::exception& e) {
        FAIL_CHECK("the row could not be set up: " << e.what());
        return verdict{std::make_error_code(std::errc::invalid_argument), e.what(), {}, 0};
    }
}

matrix_case rejected(std::string label, std::string chain, errc expected, std::vector<std::string> words) {
    matrix_case c;
    c.label = std::move(label);
    c.chain = std::move(chain);
    c.expected = expected;
    c.words = std::move(words);
    return c;
}

matrix_case with_name(matrix_case c, std::string server_name) {
    c.server_name = std::move(server_name);
    return c;
}

matrix_case dialing(matrix_case c, std::string host) {
    c.host = std::move(host);
    return c;
}

matrix_case with_key(matrix_case c, std::string key) {
    c.key = std::move(key);
    return c;
}

matrix_case weak_server(matrix_case c, std::string key) {
    c.server_security_level = 0;
    return with_key(std::move(c), std::move(key));
}

matrix_case client_rejected(std::string label, int version) {
    matrix_case c = rejected(std::move(label), "good.crt", errc::client_certificate_rejected,
                             {"rejected the client certificate 'CN=matrix-stranger-client,O=cqlwire tls matrix'",
                              "unknown_ca (48)", "does not trust the CA that issued it"});
    c.server_client_ca = "client-root-ca.crt";
    c.client_certificate = "stranger-client.crt";
    c.server_min_version = c.server_max_version = version;
    return c;
}

std::vector<matrix_case> rejected_cases() {
    const std::string untrusted = "the server's certificate chain is not trusted";
    const std::string mismatch = "the server's certificate is not valid for the name";
    const std::string ip_mismatch = "the server's certificate is not valid for the IP address '127.0.0.1'";
    std::vector<matrix_case> cases = {
        rejected("expired leaf", "expired.crt", errc::certificate_expired,
                 {"the server's certificate has expired", "valid from 2020-01-01 00:00:00 UTC to 2021-01-01 00:00:00 UTC"}),
        rejected("not yet valid", "not-yet-valid.crt", errc::certificate_not_yet_valid,
                 {"the server's certificate is not valid yet", "valid from 2040-01-01 00:00:00 UTC"}),
        with_key(rejected("self-signed leaf", "self-signed.crt", errc::certificate_untrusted,
                          {untrusted, "self-signed certificate at the server's certificate"}),
                 "self-signed.key"),
        rejected("untrusted root (sent by the server)", "untrusted-root-chain.crt", errc::certificate_untrusted,
                 {untrusted, "self-signed certificate in certificate chain",
                  "depth 1 of the server's chain: subject 'CN=matrix other-root-ca"}),
        rejected("missing intermediate", "inter-leaf.crt", errc::certificate_untrusted,
                 {untrusted, "unable to get local issuer certificate", "issued by 'CN=matrix inter-ca",
                  "should send its intermediate certificates"}),
        rejected("wrong host", "wrong-host.crt", errc::certificate_name_mismatch,
                 {mismatch + " 'localhost'", "it names DNS:other.example.com "}),
        with_name(rejected("wildcard too deep", "wildcard.crt", errc::certificate_name_mismatch,
                           {mismatch + " 'a.b.example.com'", "it names DNS:*.example.com "}),
                  "a.b.example.com"),
        with_name(rejected("wildcard not left-most", "wildcard-middle.crt", errc::certificate_name_mismatch,
                           {mismatch + " 'a.b.example.com'", "it names DNS:a.*.example.com "}),
                  "a.b.example.com"),
        rejected("bare * wildcard", "wildcard-bare.crt", errc::certificate_name_mismatch,
                 {mismatch + " 'localhost'", "it names DNS:* "}),
        with_name(rejected("*.com wildcard", "wildcard-tld.crt", errc::certificate_name_mismatch,
                           {mismatch + " 'example.com'", "it names DNS:*.com "}),
                  "example.com"),
        with_name(rejected("partial wildcard f*.example.com", "wildcard-partial.crt", errc::certificate_name_mismatch,
                           {mismatch + " 'foo.example.com'", "it names DNS:f*.example.com "}),
                  "foo.example.com"),
        dialing(rejected("IP host matched only by a DNS SAN", "ip-as-dns.crt", errc::certificate_name_mismatch,
                         {ip_mismatch, "it names DNS:127.0.0.1 ", "matched against the certificate's IP entries only"}),
                "127.0.0.1"),
        dialing(rejected("IP host matched only by the CN", "ip-in-cn.crt", errc::certificate_name_mismatch,
                         {ip_mismatch, "it names (no subjectAltName) (subject 'CN=127.0.0.1,O=cqlwire tls matrix')"}),
                "127.0.0.1"),
        dialing(rejected("wrong IP SAN", "wrong-ip.crt", errc::certificate_name_mismatch,
                         {ip_mismatch, "it names DNS:localhost, IP:127.0.0.2 "}),
                "127.0.0.1"),
        rejected("CN-only certificate", "cn-only.crt", errc::certificate_name_mismatch,
                 {mismatch + " 'localhost'", "it names (no subjectAltName) (subject 'CN=localhost,"}),
        rejected("DNS SAN present, only the CN matches", "cn-matches-only.crt", errc::certificate_name_mismatch,
                 {mismatch + " 'localhost'", "it names DNS:other.example.com (subject 'CN=localhost,"}),
        // The NUL is shown escaped: a raw NUL would cut the message short in C strings and
        // terminals, hiding the very trick the certificate plays.
        rejected("embedded NUL in a DNS SAN", "nul-in-san.crt", errc::certificate_name_mismatch,
                 {mismatch + " 'localhost'", "it names DNS:localhost\\x00.evil.example "}),
        rejected("intermediate without CA:TRUE", "not-ca-chain.crt", errc::certificate_untrusted,
                 {untrusted, "invalid CA certificate", "depth 1 of the server's chain: subject 'CN=matrix not-ca"}),
        rejected("server certificate with clientAuth-only EKU", "client-auth-eku.crt", errc::certificate_untrusted,
                 {untrusted, "unsuitable certificate purpose at the server's certificate",
                  "does not allow TLS server authentication (serverAuth)"}),
        rejected("tampered signature", "tampered.crt", errc::certificate_untrusted,
                 {untrusted, "certificate signature failure at the server's certificate"}),
        weak_server(rejected("weak key RSA-1024", "rsa1024.crt", errc::certificate_untrusted,
                             {untrusted, "EE certificate key too weak at the server's certificate",
                              "below the minimum of the client's OpenSSL security level"}),
                    "rsa1024.key"),
        weak_server(rejected("SHA-1 signature", "sha1.crt", errc::certificate_untrusted,
                             {untrusted, "CA signature digest algorithm too weak at the server's certificate",
                              "below the minimum of the client's OpenSSL security level"}),
                    "leaf.key"),
        with_name(rejected("name constraints violated", "nc-violation-chain.crt", errc::certificate_untrusted,
                           {untrusted, "permitted subtree violation", "subject 'CN=other.test,"}),
                  "other.test"),
        client_rejected("client certificate rejected, TLS 1.2", TLS1_2_VERSION),
        client_rejected("client certificate rejected, TLS 1.3", TLS1_3_VERSION),
    };
    // An OpenSSL server whose highest version is below the client's lowest answers the
    // ClientHello with alert protocol_version (it sends no ServerHello naming its version).
    // That the server does speak the old version is checked apart (old_tls_server_speaks).
    for (const int old_version : {TLS1_VERSION, TLS1_1_VERSION}) {
        matrix_case c = weak_server(rejected(old_version == TLS1_VERSION ? "server offering only TLS 1.0"
                                                                         : "server offering only TLS 1.1",
                                             "good.crt", errc::tls_handshake_failed,
                                             {"the server accepts none of the TLS versions allowed by the client "
                                              "settings",
                                              "protocol_version (70)"}),
                                    "leaf.key");
        c.server_min_version = c.server_max_version = old_version;
        cases.push_back(c);
    }
    return cases;
}

matrix_case accepted(std::string label, std::string chain, std::string key = "leaf.key") {
    matrix_case c;
    c.label = std::move(label);
    c.chain = std::move(chain);
    c.key = std::move(key);
    return c;
}

std::vector<matrix_case> accepted_cases() {
    std::vector<matrix_case> cases = {
        with_name(accepted("exact SAN, case-insensitive", "mixed-case.crt"), "nODE1.example.com"),
        with_name(accepted("wildcard for one label", "wildcard.crt"), "a.example.com"),
        dialing(accepted("IPv4 IP SAN", "good.crt"), "127.0.0.1"),
        accepted("leaf + intermediate", "inter-chain.crt"),
        with_name(accepted("100 SANs, a middle one", "many-sans.crt"), "san-57.example.com"),
        accepted("100 SANs, the last one", "many-sans.crt"),
        accepted("RSA-4096", "rsa4096.crt", "rsa4096.key"),
        accepted("ECDSA P-256", "ecdsa-p256.crt", "ecdsa-p256.key"),
        accepted("ECDSA P-384", "ecdsa-p384.crt", "ecdsa-p384.key"),
        with_name(accepted("name constraints respected", "nc-allowed-chain.crt"), "node.allowed.test"),
    };
    auto ipv6 = dialing(accepted("IPv6 IP SAN", "good.crt"), "::1");
    ipv6.ipv6 = true;
    cases.push_back(ipv6);
    for (const auto version : {transport::tls_version::tls1_2, transport::tls_version::tls1_3}) {
        const bool v13 = version == transport::tls_version::tls1_3;
        auto forced = accepted(v13 ? "TLS 1.3 forced" : "TLS 1.2 forced", "good.crt");
        forced.client_version = version;
        cases.push_back(forced);
        // The client's certificate comes from an intermediate and the server trusts only the
        // root: the handshake succeeds only if the client sends leaf + intermediate.
        auto chain = accepted(v13 ? "client chain sent, TLS 1.3" : "client chain sent, TLS 1.2", "good.crt");
        chain.server_client_ca = "client-root-ca.crt";
        chain.client_certificate = "client-chain.crt";
        chain.client_version = version;
        cases.push_back(chain);
    }
    return cases;
}

int expected_openssl_version(const matrix_case& c) {
    if (!c.client_version) return 0;
    return *c.client_version == transport::tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION;
}

TEST_CASE("tls matrix: each refusal names its own reason; each good certificate is accepted") {
    int rejected_right = 0;
    int accepted_right = 0;
    // CQLWIRE_TLS_MATRIX_ROWS=1 prints each row's verdict and message as a Markdown table row.
    const bool show_rows = std::getenv("CQLWIRE_TLS_MATRIX_ROWS") != nullptr;
    const auto rejected_rows = rejected_cases();
    const auto accepted_rows = accepted_cases();

    for (const auto& c : rejected_rows) {
        CAPTURE(c.label);
        const verdict v = run(c);
        CAPTURE(v.message);
        bool right = v.ec == c.expected;
        CHECK(v.ec == c.expected);
        for (const auto& word : c.words) {
            CAPTURE(word);
            const bool found = v.message.find(word) != std::string::npos;
            CHECK(found);
            right = right && found;
        }
        // No secret, no raw control byte in a message meant for a terminal.
        for (const char ch : v.message) right = right && (static_cast<unsigned char>(ch) >= 0x20);
        CHECK(v.bytes.empty());  // not one byte of application data got through
        if (right) ++rejected_right;
        if (show_rows) std::printf("| %s | rejected: %s | %s |\n", c.label.c_str(), v.ec.message().c_str(), v.message.c_str());
    }

    for (const auto& c : accepted_rows) {
        CAPTURE(c.label);
        const verdict v = run(c);
        CHECK_MESSAGE(!v.ec, v.message);
        CHECK(v.bytes == "hello");
        bool right = !v.ec && v.bytes == "hello";
        if (const int version = expected_openssl_version(c)) {
            CHECK(v.negotiated == version);
            right = right && v.negotiated == version;
        }
        if (right) ++accepted_right;
        if (show_rows) std::printf("| %s | accepted | %s |\n", c.label.c_str(), v.bytes.c_str());
    }

    CHECK(rejected_right == static_cast<int>(rejected_rows.size()));
    CHECK(accepted_right == static_cast<int>(accepted_rows.size()));
    std::printf("tls matrix: %d/%zu cases rejected for the expected reason, %d/%zu cases accepted\n", rejected_right,
                rejected_rows.size(), accepted_right, accepted_rows.size());
    std::fflush(stdout);
}

TEST_CASE("tls matrix: the weak key and the SHA-1 signature are refused by the client's security level, nothing else") {
    // Level 1 refuses SHA-1 signatures (under 80 bits of security), level 2 RSA keys under 2048
    // bits (under 112 bits); at level 0 both certificates verify, names and all.
    struct expectation {
        const char* chain;
        const char* key;
        int level;
        bool accepted;
    };
    for (const auto& e : {expectation{"rsa1024.crt", "rsa1024.key", 0, true},
                          expectation{"rsa1024.crt", "rsa1024.key", 1, true},
                          expectation{"rsa1024.crt", "rsa1024.key", 2, false},
                          expectation{"sha1.crt", "leaf.key", 0, true}, expectation{"sha1.crt", "leaf.key", 1, false},
                          expectation{"sha1.crt", "leaf.key", 2, false}}) {
        CAPTURE(e.chain);
        CAPTURE(e.level);
        matrix_case c = weak_server(accepted("security level", e.chain), e.key);
        c.client_security_level = e.level;
        const verdict v = run(c);
        CAPTURE(v.message);
        if (e.accepted) {
            CHECK(!v.ec);
            CHECK(v.bytes == "hello");
        } else {
            CHECK(v.ec == errc::certificate_untrusted);
            CHECK(v.message.find("below the minimum of the client's OpenSSL security level") != std::string::npos);
        }
    }
}

TEST_CASE("tls matrix: the TLS 1.0 and 1.1 servers of the matrix do speak those versions") {
    // A client made to allow the old version (security level 0, which the cqlwire client never
    // sets) completes the handshake: the matrix's refusal is about the version alone.
    for (const int old_version : {TLS1_VERSION, TLS1_1_VERSION}) {
        CAPTURE(old_version);
        tls_test_server::options server;
        server.certificate_chain_file = matrix("good.crt");
        server.private_key_file = matrix("leaf.key");
        server.security_level = 0;
        server.min_version = server.max_version = old_version;
        tls_test_server srv(server);

        boost::asio::io_context ioc;
        boost::asio::ssl::context old_client(boost::asio::ssl::context::tls_client);
        SSL_CTX_set_security_level(old_client.native_handle(), 0);
        SSL_CTX_set_min_proto_version(old_client.native_handle(), old_version);
        SSL_CTX_set_max_proto_version(old_client.native_handle(), old_version);
        boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(ioc, old_client);
        stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), srv.port()});
        boost::system::error_code ec;
        stream.handshake(boost::asio::ssl::stream_base::client, ec);
        CHECK_MESSAGE(!ec, ec.message());
        CHECK(SSL_version(stream.native_handle()) == old_version);
    }
}

TEST_CASE("tls matrix: a ServerHello with a version below the client's minimum is named with both versions") {
    // OpenSSL servers answer with an alert instead (see the matrix), but a server may also pick
    // its own old version in the ServerHello; the client then refuses with "unsupported
    // protocol", which the diagnosis turns into the versions involved.
    transport::tls_handshake_record record;
    record.server_hello_version = TLS1_1_VERSION;
    record.client_min_version = TLS1_2_VERSION;
    const boost::system::error_code unsupported(static_cast<int>(ERR_PACK(ERR_LIB_SSL, 0, SSL_R_UNSUPPORTED_PROTOCOL)),
                                                boost::asio::error::get_ssl_category());
    protocol::diagnostics diag;
    CHECK(transport::diagnose_handshake_failure(unsupported, record, diag) == errc::tls_handshake_failed);
    CHECK(diag.client_message() == "TLS: the server offered TLS 1.1, below the client's minimum, TLS 1.2; the server "
                                   "must be configured for a newer TLS version");
}

}  // namespace

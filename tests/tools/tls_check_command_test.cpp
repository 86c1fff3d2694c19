// The judging and printing of `cqlwire tls-check` on inspections built by hand (each problem,
// its fix and its exit code), HOST[:PORT] splitting, and the command run end to end against
// the fake CQL server over mutual TLS.
#include "test_support.hpp"

#include <sstream>
#include <string>

#include <boost/json.hpp>

#include "cqlwire/transport/errc.hpp"
#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"
#include "tls_check_command.hpp"

using namespace cqlwire::cli;
namespace transport = cqlwire::transport;
namespace inspect = cqlwire::inspect;
namespace json = boost::json;
using cqlwire::test::fake_cql_server;
using cqlwire::test::test_pki;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

inspect::inspected_certificate certificate(std::string subject, std::string issuer, std::int64_t days_left) {
    inspect::inspected_certificate c;
    c.summary.depth = 0;
    c.summary.subject = std::move(subject);
    c.summary.issuer = std::move(issuer);
    c.summary.not_before = "2026-01-01 00:00:00 UTC";
    c.summary.not_after = "2028-01-01 00:00:00 UTC";
    c.summary.dns_names = {"localhost"};
    c.summary.ip_addresses = {"127.0.0.1"};
    c.key_type = "RSA";
    c.key_bits = 2048;
    c.seconds_until_expiry = days_left * 86400;
    c.seconds_since_start = 86400;
    return c;
}

// Everything fine: a verified chain naming the host, a client certificate accepted.
inspect::tls_inspection healthy() {
    inspect::tls_inspection r;
    r.host = "127.0.0.1";
    r.port = 9142;
    r.endpoint = "127.0.0.1:9142";
    r.handshake_completed = true;
    r.tls_version = "TLSv1.3";
    r.cipher = "TLS_AES_256_GCM_SHA384";
    r.server_chain = {certificate("CN=localhost", "CN=server CA", 500)};
    r.chain_verified = true;
    r.expected_name = "127.0.0.1";
    r.expected_is_ip = true;
    r.name_matches = true;
    r.certificate_requested = true;
    r.acceptable_client_ca_names = {"CN=client CA"};
    r.client_certificate = certificate("CN=client", "CN=client CA", 300);
    r.client_issuer_acceptable = true;
    r.client_key_matches = true;
    r.client_verdict = inspect::client_certificate_verdict::accepted;
    r.client_verdict_detail = "OPTIONS was answered by a CQL server (protocol v4 SUPPORTED frame)";
    return r;
}

}  // namespace

TEST_CASE("the three tls-check exit codes are numbered after the main command's") {
    CHECK(to_int(exit_code::tls_check_server_identity) == 8);
    CHECK(to_int(exit_code::tls_check_client_certificate) == 9);
    CHECK(to_int(exit_code::tls_check_not_tls) == 10);
    CHECK(contains(std::string(exit_codes_help()), " 10  tls-check: the port does not speak TLS"));
}

TEST_CASE("HOST[:PORT]") {
    std::string host;
    std::optional<std::uint16_t> port;
    CHECK(split_host_port("node1:9142", host, port));
    CHECK(host == "node1");
    CHECK(port == std::optional<std::uint16_t>(9142));
    CHECK(split_host_port("node1", host, port));
    CHECK(host == "node1");
    CHECK_FALSE(port);
    CHECK(split_host_port("[::1]:9142", host, port));
    CHECK(host == "::1");
    CHECK(port == std::optional<std::uint16_t>(9142));
    CHECK(split_host_port("[::1]", host, port));
    CHECK(host == "::1");
    CHECK_FALSE(port);
    CHECK(split_host_port("fe80::1", host, port));  // no brackets: all of it is the address
    CHECK(host == "fe80::1");
    CHECK_FALSE(port);
    CHECK_FALSE(split_host_port("", host, port));
    CHECK_FALSE(split_host_port(":9042", host, port));
    CHECK_FALSE(split_host_port("node1:0", host, port));
    CHECK_FALSE(split_host_port("node1:65536", host, port));
    CHECK_FALSE(split_host_port("node1:x", host, port));
    CHECK_FALSE(split_host_port("[::1]x", host, port));
    CHECK_FALSE(split_host_port("[]:1", host, port));
    std::string why;
    for (const char* junk : {"a b", ",,", "127.0.0.1:9042:1", "a\n"}) {
        CAPTURE(junk);
        why.clear();
        CHECK_FALSE(split_host_port(junk, host, port, &why));
        CHECK(!why.empty());
    }
    CHECK_FALSE(split_host_port("127.0.0.9, 127.0.0.2:9043", host, port, &why));
    CHECK(why == "tls-check checks one server, and this is a list of 2 contact points: give the one to check");
}

TEST_CASE("the text report shows control characters escaped, whatever brought them") {
    auto r = healthy();
    r.expected_name = "z\x1b]0;title\x07";
    r.name_matches = false;
    const auto j = judge_tls_check(r, "/etc/ca.pem");
    const auto text = format_tls_check_text(r, j, "/etc/ca.pem");
    CHECK(text.find('\x1b') == std::string::npos);
    CHECK(text.find('\x07') == std::string::npos);
    CHECK(contains(text, "'z\\x1b]0;title\\x07'"));
    CHECK(contains(text, "\n"));  // the lines stay lines
}

TEST_CASE("a healthy setup is OK, exit 0") {
    const auto r = healthy();
    const auto j = judge_tls_check(r, "/etc/ca.pem");
    CHECK(j.code == exit_code::success);
    CHECK(j.findings.empty());
    CHECK(j.verdict == "OK: a connection to 127.0.0.1:9142 with these settings passes TLS, client certificate accepted");
    const auto text = format_tls_check_text(r, j, "/etc/ca.pem");
    CHECK(contains(text, "  TLS:               TLSv1.3, TLS_AES_256_GCM_SHA384\n"));
    CHECK(contains(text, "  Trust:             verified against the CA file '/etc/ca.pem'\n"));
    CHECK(contains(text, "  Name:              '127.0.0.1' matches (SANs: DNS:localhost, IP:127.0.0.1)\n"));
    CHECK(contains(text, "  CAs the server accepts for client certificates:\n    CN=client CA\n"));
    CHECK(contains(text, "        issued by a CA the server accepts: yes\n"));
    CHECK(contains(text, "Verdict: OK"));
}

TEST_CASE("expiry warnings are shown and counted but do not fail") {
    auto r = healthy();
    r.warnings = {"the client certificate 'CN=client' expires in 12 days (not after 2026-12-11 00:00:00 UTC)"};
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::success);
    CHECK(contains(j.verdict, "— with 1 warning"));
    CHECK(contains(format_tls_check_text(r, j, ""), "  WARNING: the client certificate 'CN=client' expires in 12 days"));
}

TEST_CASE("an untrusted server chain: exit 8, the X509 error and the CA to give") {
    auto r = healthy();
    r.chain_verified = false;
    r.verify_error = 20;
    r.verify_error_name = "unable to get local issuer certificate";
    r.verify_error_depth = 0;
    r.trust_store_is_system = true;
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_server_identity);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].problem == "the server's certificate chain does not verify: unable to get local issuer "
                                   "certificate (at depth 0: 'CN=localhost', issued by 'CN=server CA')");
    CHECK(j.findings[0].fix ==
          "trust the CA that issued the server's certificate ('CN=server CA'): give its PEM file with --cafile "
          "(cqlshrc [ssl] certfile)");
    CHECK(contains(format_tls_check_text(r, j, ""), "NOT verified against the system's CA store"));
}

TEST_CASE("a name mismatch: exit 8, the SANs listed") {
    auto r = healthy();
    r.expected_name = "node1.example.com";
    r.expected_is_ip = false;
    r.name_matches = false;
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_server_identity);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].problem ==
          "the server's certificate is not valid for 'node1.example.com'; it names DNS:localhost, IP:127.0.0.1");
    CHECK(contains(j.findings[0].fix, "--server-name"));
}

TEST_CASE("a rejected client certificate of a CA the server does not name: exit 9, the CA names in the fix") {
    auto r = healthy();
    r.client_certificate = certificate("CN=rogue", "CN=rogue", 300);
    r.client_issuer_acceptable = false;
    r.client_verdict = inspect::client_certificate_verdict::rejected;
    r.client_verdict_detail = "TLS: the server rejected the client certificate 'CN=rogue' (alert unknown_ca (48))";
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_client_certificate);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].problem == "the server rejected the client certificate 'CN=rogue'");
    CHECK(j.findings[0].fix == "the certificate is issued by 'CN=rogue', which is not among the CAs the server accepts "
                               "(CN=client CA): use a certificate issued by one of them, or add its CA to the "
                               "server's truststore");
    CHECK(contains(format_tls_check_text(r, j, ""), "Server verdict on the client certificate: rejected (TLS: the "
                                                   "server rejected the client certificate 'CN=rogue' (alert unknown_ca (48)))"));
}

TEST_CASE("a key that does not match: exit 9, named before the server's refusal it causes") {
    auto r = healthy();
    r.client_key_matches = false;
    r.client_identity_problem = "the private key in 'k.pem' does not belong to the certificate in 'c.pem'";
    r.client_verdict = inspect::client_certificate_verdict::required;
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_client_certificate);
    REQUIRE(j.findings.size() == 1);
    CHECK(j.findings[0].problem == "the private key does not belong to the client certificate 'CN=client'");
    CHECK(contains(format_tls_check_text(r, j, ""), "        private key matches: NO\n"));
}

TEST_CASE("no client certificate where one is required: exit 9, the accepted CAs in the fix") {
    auto r = healthy();
    r.client_certificate.reset();
    r.client_issuer_acceptable.reset();
    r.client_key_matches.reset();
    r.client_verdict = inspect::client_certificate_verdict::required;
    r.client_verdict_detail = "TLS: the server requires a client certificate and none was sent";
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_client_certificate);
    REQUIRE(j.findings.size() == 1);
    CHECK(contains(j.findings[0].fix, "--cert FILE --key FILE"));
    CHECK(contains(j.findings[0].fix, "(CN=client CA)"));
}

TEST_CASE("ports that do not speak TLS: exit 10, named by what answered") {
    inspect::tls_inspection r;
    r.host = "10.0.0.5";
    r.port = 9042;
    r.handshake_error = transport::errc::server_is_plaintext;
    r.handshake_message = "TLS: the server answered the TLS handshake with bytes that are not TLS";
    r.speaks = inspect::port_protocol::plaintext_cql;
    r.plaintext_answer = "a CQL server (protocol v4 SUPPORTED frame)";
    auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_not_tls);
    CHECK(j.verdict == "FAILED: the port is plaintext: a CQL server (protocol v4 SUPPORTED frame) answered without TLS");
    const auto text = format_tls_check_text(r, j, "");
    CHECK(contains(text, "  Plaintext probe:   a CQL server (protocol v4 SUPPORTED frame)\n"));
    CHECK_FALSE(contains(text, "Server verdict on the client certificate"));

    r.speaks = inspect::port_protocol::http;
    r.plaintext_answer = "an HTTP server (\"HTTP/1.1 400 Bad Request\")";
    r.http_status_line = "HTTP/1.1 400 Bad Request";
    j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls_check_not_tls);
    CHECK(j.verdict ==
          "FAILED: an HTTP server answered (\"HTTP/1.1 400 Bad Request\"); this port serves HTTP, not CQL");
}

TEST_CASE("another handshake failure: exit 4") {
    inspect::tls_inspection r;
    r.host = "h";
    r.port = 1;
    r.handshake_error = transport::errc::tls_handshake_failed;
    r.handshake_message = "TLS: the server accepts none of the TLS versions allowed by the client settings";
    r.speaks = inspect::port_protocol::tls;
    const auto j = judge_tls_check(r, "");
    CHECK(j.code == exit_code::tls);
    CHECK(contains(j.findings.at(0).fix, "--tls-min/--tls-max"));
}

TEST_CASE("the JSON report parses and carries the facts and the verdict") {
    auto r = healthy();
    r.client_verdict_detail = "quote \" and newline \n";
    const auto j = judge_tls_check(r, "/ca.pem");
    const auto text = format_tls_check_json(r, j, "/ca.pem");
    CHECK(text.back() == '\n');
    const auto v = json::parse(text).as_object();
    CHECK(v.at("tls_version").as_string() == "TLSv1.3");
    CHECK(v.at("server_chain").as_array().at(0).at("key_bits").as_int64() == 2048);
    CHECK(v.at("server_chain").as_array().at(0).at("days_until_expiry").as_int64() == 500);
    CHECK(v.at("acceptable_client_ca_names").as_array().at(0).as_string() == "CN=client CA");
    CHECK(v.at("client_issuer_acceptable").as_bool());
    CHECK(v.at("client_certificate_verdict").as_string() == "accepted");
    CHECK(v.at("client_certificate_verdict_detail").as_string() == "quote \" and newline \n");
    CHECK(v.at("trust_source").as_string() == "the CA file '/ca.pem'");
    CHECK(v.at("exit_code").as_int64() == 0);
    CHECK(v.at("findings").as_array().empty());
}

namespace {

// A fake node demanding a client certificate issued by the test PKI's client CA.
fake_cql_server::options server_requiring_client_ca() {
    const auto& pki = test_pki::instance();
    fake_cql_server::tls_settings tls;
    tls.certificate_chain_file = pki.path("server.crt");
    tls.private_key_file = pki.path("server.key");
    tls.client_ca_file = pki.path("client-ca.crt");
    tls.require_client_certificate = true;
    fake_cql_server::options o;
    o.tls = tls;
    return o;
}

}  // namespace

TEST_CASE("the command end to end against the fake server over mutual TLS") {
    const auto& pki = test_pki::instance();
    fake_cql_server server(server_requiring_client_ca());
    const std::string target = "localhost:" + std::to_string(server.port());
    const std::string ca = pki.path("server-ca.crt");
    const std::string cert = pki.path("client.crt");
    const std::string key = pki.path("client.key");

    std::ostringstream out;
    std::ostringstream err;
    std::vector<std::string_view> args = {target, "--cafile", ca, "--cert", cert, "--key", key, "--format", "json"};
    CHECK(run_tls_check(args, out, err) == 0);
    INFO(err.str());
    const auto v = json::parse(out.str()).as_object();
    CHECK(v.at("client_certificate_verdict").as_string() == "accepted");
    CHECK(v.at("port").as_int64() == server.port());

    std::ostringstream out2;
    std::ostringstream err2;
    const std::string untrusted_cert = pki.path("untrusted.crt");
    const std::string untrusted_key = pki.path("untrusted.key");
    std::vector<std::string_view> args2 = {target, "--cafile", ca, "--cert", untrusted_cert, "--key", untrusted_key};
    CHECK(run_tls_check(args2, out2, err2) == 9);
    CHECK(contains(out2.str(), "Verdict: FAILED: the server rejected the client certificate"));

    std::ostringstream out3;
    std::ostringstream err3;
    std::vector<std::string_view> args3 = {target, "--format", "csv"};
    CHECK(run_tls_check(args3, out3, err3) == 1);
    CHECK(contains(err3.str(), "--format for tls-check is table (text, the default) or json"));
}

TEST_CASE("tls-check with a PKCS#12 bundle as --cert and a PKCS#12 truststore as --cafile") {
    const auto& pki = test_pki::instance();
    fake_cql_server server(server_requiring_client_ca());
    const std::string target = "localhost:" + std::to_string(server.port());
    const std::string ca = pki.path("server-ca-open.p12");
    const std::string bundle = pki.path("client-plain.p12");

    std::ostringstream out;
    std::ostringstream err;
    std::vector<std::string_view> args = {target, "--cafile", ca, "--cert", bundle, "--format", "json"};
    CHECK(run_tls_check(args, out, err) == 0);
    INFO(err.str());
    const auto v = json::parse(out.str()).as_object();
    CHECK(v.at("client_certificate_verdict").as_string() == "accepted");
    REQUIRE(v.at("client_certificate").is_object());
    CHECK(contains(std::string(v.at("client_certificate").at("subject").as_string()), "cqlwire-tests-client"));
    CHECK(v.at("client_key_matches").as_bool());
    CHECK(server.client_certificate_subjects() == std::vector<std::string>{"/O=cqlwire tests/CN=cqlwire-tests-client"});
}

// `cqlwire tls-check` and `--protocol-version` against the real Cassandra of the testbed: the
// TLS port (mutual TLS), its plaintext port, the article's client certificate, an untrusted one,
// a wrong --server-name. Each run's report is read back as JSON (--format json) and its exit
// code checked against EXIT_CODES.md.
#include "test_support.hpp"

#include <string>

#include "run_cqlwire.hpp"

namespace json = boost::json;
using namespace cqlwire::integration;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_server_identity = 8;
constexpr int exit_client_certificate = 9;
constexpr int exit_not_tls = 10;

std::vector<std::string> check_args(const testbed_env& tb, std::uint16_t port, const std::string& cert,
                                    const std::string& key) {
    std::vector<std::string> args{"tls-check", tb.host + ":" + std::to_string(port), "--cafile",
                                  tb.pki_file("server-ca.crt")};
    if (!cert.empty()) args.insert(args.end(), {"--cert", tb.pki_file(cert), "--key", tb.pki_file(key)});
    return args;
}

json::object report_of(const process_result& r) {
    INFO(describe(r));
    json::value v;
    REQUIRE_NOTHROW(v = json::parse(r.out));
    REQUIRE(v.is_object());
    return v.as_object();
}

bool contains(const json::array& names, std::string_view text) {
    for (const auto& n : names)
        if (n.is_string() && std::string_view(n.as_string()).find(text) != std::string_view::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("tls-check with the article's client certificate: TLS 1.3, the chain, the name, the CA names, accepted") {
    const auto& tb = require_testbed();
    auto args = check_args(tb, tb.port, "rootCa.crt", "rootCa.key");
    args.insert(args.end(), {"--server-name", "localhost", "--format", "json"});
    const auto r = run_cqlwire(args);
    INFO(describe(r));
    CHECK(r.exit_code == exit_ok);
    const auto report = report_of(r);
    CHECK(report.at("tls_version").as_string() == "TLSv1.3");
    CHECK_FALSE(report.at("cipher").as_string().empty());
    const auto& chain = report.at("server_chain").as_array();
    REQUIRE(chain.size() >= 1);
    CHECK(std::string_view(chain[0].at("subject").as_string()).find("CN=localhost") != std::string_view::npos);
    CHECK(contains(chain[0].at("dns_names").as_array(), "localhost"));
    CHECK(chain[0].at("key_type").as_string() == "RSA");
    CHECK(chain[0].at("key_bits").as_int64() == 2048);
    CHECK(report.at("chain_verified").as_bool());
    CHECK(report.at("name_matches").as_bool());
    CHECK(report.at("client_certificate_requested").as_bool());
    // The node trusts the article's self-signed certificate and the testbed's client CA.
    const auto& cas = report.at("acceptable_client_ca_names").as_array();
    CHECK(contains(cas, "OU=TestCluster"));
    CHECK(contains(cas, "client CA"));
    CHECK(report.at("client_issuer_acceptable").as_bool());
    CHECK(report.at("client_key_matches").as_bool());
    CHECK(report.at("client_certificate_verdict").as_string() == "accepted");
    CHECK(report.at("exit_code").as_int64() == exit_ok);
}

TEST_CASE("tls-check text report of the article's setup ends with an OK verdict") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(check_args(tb, tb.port, "rootCa.crt", "rootCa.key"));
    INFO(describe(r));
    CHECK(r.exit_code == exit_ok);
    CHECK(r.out.find("TLSv1.3") != std::string::npos);
    CHECK(r.out.find("Server verdict on the client certificate: accepted") != std::string::npos);
    CHECK(r.out.find("Verdict: OK") != std::string::npos);
}

TEST_CASE("tls-check takes host, port and files from the cqlshrc") {
    const auto& tb = require_testbed();
    const auto rc = write_private_file("tls-check-cqlshrc", article_cqlshrc(tb));
    const auto r = run_cqlwire({"tls-check", "--cqlshrc", rc, "--format", "json"});
    INFO(describe(r));
    CHECK(r.exit_code == exit_ok);
    const auto report = report_of(r);
    CHECK(report.at("port").as_int64() == tb.port);
    CHECK(report.at("client_certificate_verdict").as_string() == "accepted");
}

TEST_CASE("tls-check with the untrusted client certificate: rejected, with the fix") {
    const auto& tb = require_testbed();
    auto args = check_args(tb, tb.port, "untrusted.crt", "untrusted.key");
    args.insert(args.end(), {"--format", "json"});
    const auto r = run_cqlwire(args);
    INFO(describe(r));
    CHECK(r.exit_code == exit_client_certificate);
    const auto report = report_of(r);
    CHECK(report.at("client_certificate_verdict").as_string() == "rejected");
    CHECK_FALSE(report.at("client_issuer_acceptable").as_bool());
    const auto& findings = report.at("findings").as_array();
    REQUIRE(findings.size() >= 1);
    const std::string_view fix = findings[0].at("fix").as_string();
    CHECK(fix.find("not among the CAs the server accepts") != std::string_view::npos);
    CHECK(fix.find("truststore") != std::string_view::npos);
}

TEST_CASE("tls-check with a wrong --server-name names the mismatch and lists the SANs") {
    const auto& tb = require_testbed();
    auto args = check_args(tb, tb.port, "rootCa.crt", "rootCa.key");
    args.insert(args.end(), {"--server-name", "node1.example.com"});
    const auto r = run_cqlwire(args);
    INFO(describe(r));
    CHECK(r.exit_code == exit_server_identity);
    CHECK(r.out.find("'node1.example.com' does NOT match") != std::string::npos);
    CHECK(r.out.find("not valid for 'node1.example.com'; it names DNS:localhost") != std::string::npos);
    CHECK(r.out.find("Fix: connect by one of the names") != std::string::npos);
}

TEST_CASE("tls-check against the plaintext port says the port is plaintext") {
    const auto& tb = require_testbed();
    REQUIRE_MESSAGE(tb.plain_port != 0, "the testbed has no plaintext port");
    auto args = check_args(tb, tb.plain_port, "", "");
    args.insert(args.end(), {"--format", "json"});
    const auto r = run_cqlwire(args);
    INFO(describe(r));
    CHECK(r.exit_code == exit_not_tls);
    const auto report = report_of(r);
    CHECK_FALSE(report.at("handshake_completed").as_bool());
    CHECK(report.at("port_speaks").as_string() == "plaintext-cql");
    CHECK(std::string_view(report.at("verdict").as_string()).find("the port is plaintext") != std::string_view::npos);
}

TEST_CASE("--protocol-version 3 runs SELECT * FROM system.local over mutual TLS") {
    const auto& tb = require_testbed();
    auto args = concat(concat(tls_args(tb), login_args(tb)),
                       {"--protocol-version", "3", "--format", "json", "-e", "SELECT * FROM system.local"});
    const auto r = run_cqlwire(args, password_env(tb));
    INFO(describe(r));
    CHECK(r.exit_code == exit_ok);
    json::value v;
    REQUIRE_NOTHROW(v = json::parse(r.out));
    REQUIRE(v.as_array().size() == 1);
    CHECK(v.as_array()[0].at("key").as_string() == "local");
}

TEST_CASE("--protocol-version 3 frames are version 3 on the wire") {
    const auto& tb = require_testbed();
    auto args = concat(concat(tls_args(tb), login_args(tb)),
                       {"--protocol-version", "3", "--trace-frames", "-e", "SELECT key FROM system.local"});
    const auto r = run_cqlwire(args, password_env(tb));
    INFO(describe(r));
    CHECK(r.exit_code == exit_ok);
    CHECK(r.err.find("C>S v3 stream=0 STARTUP") != std::string::npos);
    CHECK(r.err.find("S>C v3") != std::string::npos);
    CHECK(r.err.find(" v4 ") == std::string::npos);
}

TEST_CASE("--protocol-version 5 is refused with a clear message") {
    const auto r = run_cqlwire({"--protocol-version", "5", "-e", "SELECT key FROM system.local"});
    INFO(describe(r));
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("v5 framing is not implemented") != std::string::npos);
}

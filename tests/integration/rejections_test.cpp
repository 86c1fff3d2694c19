// Every way of getting the TLS or the login wrong, against a real Cassandra that demands client
// certificates and passwords: each run must end with the exit code of the contract and a first
// stderr line that names the cause. Plus the near misses that must work (wildcard names, TLS
// version bounds), checked against what the node itself says it negotiated.
#include "test_support.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "run_cqlwire.hpp"

namespace json = boost::json;
using namespace cqlwire::integration;

namespace {

constexpr int exit_network = 3;
constexpr int exit_tls = 4;
constexpr int exit_authentication = 5;
constexpr int exit_statement_rejected = 6;

const std::string select_version = "SELECT release_version FROM system.local";

// Runs of a case whose outcome on the wire depends on timing (see the client certificate cases).
constexpr int repeats = 5;

// TLS to the TLS port with the server's CA, presenting `cert`/`key` (none when empty).
std::vector<std::string> tls_with(const testbed_env& tb, const std::string& cert, const std::string& key) {
    std::vector<std::string> args{"--ssl", "--cafile", tb.pki_file("server-ca.crt")};
    if (!cert.empty()) args.insert(args.end(), {"--cert", tb.pki_file(cert), "--key", tb.pki_file(key)});
    return args;
}

std::vector<std::string> endpoint(const testbed_env& tb, std::uint16_t port) { return {tb.host, std::to_string(port)}; }

// A loopback port nothing listens on: bound by the kernel's choice, then released.
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    ::close(fd);
    REQUIRE(ok);
    return ntohs(a.sin_port);
}

// The TLS protocol of every TLS client the node lists in system_views.clients, seen through a
// connection made with `tls_flags`. Only a superuser may read that table. The suites run one
// at a time against their own node, so the only client listed is the cqlwire run itself.
std::vector<std::string> negotiated_tls_versions(const testbed_env& tb, const std::vector<std::string>& tls_flags) {
    const auto r = run_cqlwire(concat(concat(tls_flags, {"-u", tb.superuser, "--format", "json", "-e",
                                                          "SELECT ssl_enabled, ssl_protocol FROM system_views.clients"}),
                                      endpoint(tb, tb.port)),
                               {{"CQLWIRE_PASSWORD", tb.superpassword}});
    std::vector<std::string> versions;
    for (const auto& row : json_rows(r)) {
        const auto& o = row.as_object();
        REQUIRE(o.contains("ssl_enabled"));
        REQUIRE(o.contains("ssl_protocol"));
        if (o.at("ssl_enabled") == json::value(true)) versions.emplace_back(o.at("ssl_protocol").as_string());
    }
    return versions;
}

}  // namespace

TEST_SUITE("integration: rejections") {

TEST_CASE("no client certificate: TLS failure naming the client certificate") {
    const auto& tb = require_testbed();
    // TLS 1.3 completes the client's handshake before the node refuses; TLS 1.2 fails inside it.
    // Both must be reported as the missing certificate.
    std::vector<std::string> version;
    SUBCASE("TLS 1.3 (the default)") {}
    SUBCASE("TLS 1.2") { version = {"--tls-max", "1.2"}; }
    // Whether the node's alert is read before its connection reset depends on timing, so
    // each case runs a few times: the verdict must not.
    for (int attempt = 1; attempt <= repeats; ++attempt) {
        CAPTURE(attempt);
        const auto r = run_cqlwire(
            concat(concat(concat(tls_with(tb, "", ""), version), login_args(tb)), concat({"-e", select_version}, endpoint(tb, tb.port))),
            password_env(tb));
        if (!check_failure(r, exit_tls, {"client certificate"})) break;  // one report per case is enough
    }
}

TEST_CASE("a client certificate the node does not trust: TLS failure naming the client certificate") {
    const auto& tb = require_testbed();
    std::vector<std::string> version;
    SUBCASE("TLS 1.3 (the default)") {}
    SUBCASE("TLS 1.2") { version = {"--tls-max", "1.2"}; }
    for (int attempt = 1; attempt <= repeats; ++attempt) {
        CAPTURE(attempt);
        const auto r = run_cqlwire(concat(concat(concat(tls_with(tb, "untrusted.crt", "untrusted.key"), version), login_args(tb)),
                                          concat({"-e", select_version}, endpoint(tb, tb.port))),
                                   password_env(tb));
        if (!check_failure(r, exit_tls, {"client certificate"})) break;  // one report per case is enough
    }
}

TEST_CASE("a wrong password: authentication failure, and neither password is printed") {
    const auto& tb = require_testbed();
    const std::string wrong = "not-the-" + tb.password;
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), login_args(tb)),
                                      concat({"-e", select_version}, endpoint(tb, tb.port))),
                               {{"CQLWIRE_PASSWORD", wrong}});
    check_failure(r, exit_authentication, {"authentication"});
    CHECK(r.err.find(wrong) == std::string::npos);
    CHECK(r.out.find(wrong) == std::string::npos);
}

TEST_CASE("an unknown user: authentication failure") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), {"-u", "no_such_role_cqlwire"}),
                                      concat({"-e", select_version}, endpoint(tb, tb.port))),
                               password_env(tb));
    check_failure(r, exit_authentication, {"authentication"});
}

TEST_CASE("no credentials at all, while the node requires a login: authentication failure") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), concat({"-e", select_version}, endpoint(tb, tb.port))));
    check_failure(r, exit_authentication, {"authentication"});
}

TEST_CASE("the server's certificate signed by a CA we do not trust: TLS failure, 'not trusted'") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire({"--ssl", "--cafile", tb.pki_file("other-ca.crt"), "--cert", tb.pki_file("rootCa.crt"), "--key",
                                tb.pki_file("rootCa.key"), "-u", tb.user, "-e", select_version, tb.host,
                                std::to_string(tb.port)},
                               password_env(tb));
    check_failure(r, exit_tls, {"not trusted"});
}

TEST_CASE("a name that is not in the certificate: TLS failure naming the name and listing the SANs") {
    const auto& tb = require_testbed();
    std::string name;
    SUBCASE("unrelated") { name = "wrong.example.org"; }
    SUBCASE("two labels under the wildcard, which covers one") { name = "a.node1.cassandra.test"; }
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), login_args(tb)),
                                      concat({"--server-name", name, "-e", select_version}, endpoint(tb, tb.port))),
                               password_env(tb));
    check_failure(r, exit_tls, {"name", name});
    // The names the certificate does hold (`tools/make-pki testbed`), so the user sees what to use.
    for (const char* san : {"localhost", "127.0.0.1", "*.cassandra.test"})
        CHECK_MESSAGE(r.err.find(san) != std::string::npos, "the message does not list the SAN " << san << ": " << r.err);
}

TEST_CASE("--server-name node1.cassandra.test is accepted by the wildcard SAN while dialing the address") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), login_args(tb)),
                                      concat({"--server-name", "node1.cassandra.test", "--format", "json", "-e", select_version},
                                             endpoint(tb, tb.port))),
                               password_env(tb));
    INFO(describe(r));
    const auto rows = json_rows(r);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].as_object().at("release_version") == json::value(tb.version));
}

TEST_CASE("dialing localhost (a DNS SAN) verifies without --server-name") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), login_args(tb)),
                                      {"-e", select_version, "localhost", std::to_string(tb.port)}),
                               password_env(tb));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find(tb.version) != std::string::npos);
}

TEST_CASE("TLS to the plaintext port: TLS failure saying the port speaks plaintext") {
    const auto& tb = require_testbed();
    REQUIRE_MESSAGE(tb.plain_port != 0, "this test needs the testbed's plaintext port (do not start it with --plain-port 0)");
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), login_args(tb)),
                                      concat({"-e", select_version}, endpoint(tb, tb.plain_port))),
                               password_env(tb));
    check_failure(r, exit_tls, {"plaintext"});
}

TEST_CASE("plaintext to the TLS port (no --ssl, no cqlshrc): TLS failure saying the server expects TLS") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(login_args(tb), concat({"-e", select_version}, endpoint(tb, tb.port))), password_env(tb));
    check_failure(r, exit_tls, {"expects TLS"});
}

TEST_CASE("a port nothing listens on: network failure") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(concat(tls_with(tb, "rootCa.crt", "rootCa.key"), login_args(tb)),
                                      concat({"-e", select_version}, endpoint(tb, closed_port()))),
                               password_env(tb));
    check_failure(r, exit_network, {"connect"});
}

TEST_CASE("--tls-max 1.2 works, and the node reports a TLS 1.2 connection") {
    const auto& tb = require_testbed();
    const auto versions = negotiated_tls_versions(tb, concat(tls_with(tb, "rootCa.crt", "rootCa.key"), {"--tls-max", "1.2"}));
    REQUIRE_FALSE(versions.empty());
    for (const auto& v : versions) CHECK(v == "TLSv1.2");
}

TEST_CASE("--tls-min 1.3 works, and the node reports a TLS 1.3 connection") {
    const auto& tb = require_testbed();
    const auto versions = negotiated_tls_versions(tb, concat(tls_with(tb, "rootCa.crt", "rootCa.key"), {"--tls-min", "1.3"}));
    REQUIRE_FALSE(versions.empty());
    for (const auto& v : versions) CHECK(v == "TLSv1.3");
}

TEST_CASE("a statement with a syntax error: the server rejected it") {
    const auto r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-e", "SELEKT * FROM system.local"});
    check_failure(r, exit_statement_rejected, {"syntax"});
}

TEST_CASE("a statement the test role may not run: the server rejected it") {
    // The test role has ALL PERMISSIONS ON ALL KEYSPACES but is no superuser: system_auth is
    // out of its reach.
    const auto r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-e", "SELECT role FROM system_auth.roles"});
    check_failure(r, exit_statement_rejected, {"unauthorized"});
}

}  // TEST_SUITE

// Certificate login against real Cassandra 5.0 nodes: the client certificate's SPIFFE ID (its
// spiffe:// URI SAN) is the login, mapped to a role by ADD IDENTITY, and no password is used.
// Two nodes of tools/testbed that tools/run-integration starts beside the main one:
//   --auth mtls           MutualTlsAuthenticator, CQLWIRE_TESTBED_MTLS_STATE
//   --auth mtls-fallback  MutualTlsWithPasswordFallbackAuthenticator (the certificate on the TLS
//                         port, the password on the plaintext port), CQLWIRE_TESTBED_FALLBACK_STATE
// Every run is `cqlwire` with an empty HOME (no cqlshrc) and no password variable, unless the
// case gives one.
#include "test_support.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "run_cqlwire.hpp"

using namespace cqlwire::integration;

namespace {

constexpr int exit_ok = 0;
constexpr int exit_authentication = 5;
constexpr int exit_statement_rejected = 6;

const std::string select_cluster = "SELECT cluster_name FROM system.local";
// The node's cluster_name (tools/testbed/write-config): proof that the statement really ran.
const std::string cluster_name = "cqlwire-testbed";

const certificate_node& mtls_node() { return require_certificate_node("CQLWIRE_TESTBED_MTLS_STATE", "mtls"); }
const certificate_node& fallback_node() {
    return require_certificate_node("CQLWIRE_TESTBED_FALLBACK_STATE", "mtls-fallback");
}

// TLS to the node's TLS port, trusting its CA and presenting `cert`/`key`; nothing about a login.
std::vector<std::string> with_certificate(const certificate_node& n, const std::string& cert, const std::string& key) {
    return {"--cafile", n.ca, "--cert", cert, "--key", key, n.host, std::to_string(n.port)};
}

// No password anywhere cqlwire could find one: the hermetic environment of run_cqlwire already
// clears cqlwire's own variables and points HOME to an empty folder; cqlsh's variable goes too.
const std::map<std::string, std::string> no_password_env{{"CQLWIRE_PASSWORD", ""}, {"CQLSH_PASSWORD", ""}};

// A successful run: exit 0, the cluster name on stdout, the test role's password nowhere.
void check_cluster_name_read(const certificate_node& n, const process_result& r) {
    INFO(describe(r));
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == exit_ok);
    CHECK(r.out.find(cluster_name) != std::string::npos);
    CHECK(r.out.find(n.password) == std::string::npos);
    CHECK(r.err.find(n.password) == std::string::npos);
}

// The lines of `text` that contain `word`.
std::vector<std::string> lines_with(const std::string& text, std::string_view word) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = std::min(text.find('\n', start), text.size());
        const auto line = text.substr(start, end - start);
        if (line.find(word) != std::string::npos) out.push_back(line);
        start = end + 1;
    }
    return out;
}

}  // namespace

TEST_SUITE("integration: certificate login") {

TEST_CASE("mtls node: the mapped certificate logs in with no user name and no password") {
    const auto& n = mtls_node();
    const auto r = run_cqlwire(concat(with_certificate(n, n.identity_cert, n.identity_key), {"-e", select_cluster}),
                               no_password_env);
    check_cluster_name_read(n, r);
}

TEST_CASE("mtls node: the frame trace shows the class name and an empty AUTH_RESPONSE") {
    const auto& n = mtls_node();
    const auto r = run_cqlwire(
        concat(with_certificate(n, n.identity_cert, n.identity_key), {"--trace-frames", "-e", select_cluster}),
        no_password_env);
    check_cluster_name_read(n, r);
    const auto authenticate = lines_with(r.err, " AUTHENTICATE ");
    REQUIRE(authenticate.size() == 1);
    CHECK(authenticate[0].find("org.apache.cassandra.auth.MutualTlsAuthenticator") != std::string::npos);
    // The token is the [bytes] of the frame body: an empty one is its 4-byte length alone.
    const auto response = lines_with(r.err, " AUTH_RESPONSE ");
    REQUIRE(response.size() == 1);
    CHECK(response[0].find("length=4 ") != std::string::npos);
    CHECK(response[0].find("token=\"<0 bytes withheld>\"") != std::string::npos);
    CHECK(lines_with(r.err, " AUTH_SUCCESS ").size() == 1);
}

TEST_CASE("mtls node: who logs in is the role the identity is mapped to") {
    const auto& n = mtls_node();
    SUBCASE("the test role's certificate is the test role: it may not read system_auth") {
        const auto r = run_cqlwire(concat(with_certificate(n, n.identity_cert, n.identity_key),
                                          {"-e", "SELECT role FROM system_auth.roles"}),
                                   no_password_env);
        // The server names the logged-in role in its refusal.
        CHECK(check_failure(r, exit_statement_rejected, {"User " + n.user + " has no SELECT permission"}, n.password));
    }
    SUBCASE("the superuser's certificate reads the mapping: exactly the two identities the testbed added") {
        const auto r = run_cqlwire(concat(with_certificate(n, n.admin_cert, n.admin_key),
                                          {"--format", "json", "-e",
                                           "SELECT identity, role FROM system_auth.identity_to_role"}),
                                   no_password_env);
        const auto rows = json_rows(r);
        std::map<std::string, std::string> mapping;
        for (const auto& row : rows) {
            const auto& o = row.as_object();
            REQUIRE(o.contains("identity"));
            REQUIRE(o.contains("role"));
            mapping[std::string(o.at("identity").as_string())] = std::string(o.at("role").as_string());
        }
        CHECK(mapping == std::map<std::string, std::string>{{n.identity, n.user}, {n.admin_identity, "cassandra"}});
    }
}

TEST_CASE("mtls node: a user name and password given along are not used") {
    const auto& n = mtls_node();
    const std::string unused = "not-the-role-password-5e2d";
    const auto r = run_cqlwire(concat(with_certificate(n, n.identity_cert, n.identity_key),
                                      {"-u", n.user, "-p", unused, "--trace-frames", "-e", select_cluster}),
                               no_password_env);
    check_cluster_name_read(n, r);
    CHECK(r.out.find(unused) == std::string::npos);
    CHECK(r.err.find(unused) == std::string::npos);
}

TEST_CASE("mtls node: an unmapped identity is refused, naming it and the statement that maps it") {
    const auto& n = mtls_node();
    const auto r = run_cqlwire(concat(with_certificate(n, n.unmapped_cert, n.unmapped_key), {"-e", select_cluster}),
                               no_password_env);
    CHECK(check_failure(r, exit_authentication, {}, n.password));
    INFO(describe(r));
    CHECK(r.err.find(n.unmapped_identity) != std::string::npos);
    CHECK(r.err.find("ADD IDENTITY '" + n.unmapped_identity + "' TO ROLE") != std::string::npos);
}

TEST_CASE("mtls node: a trusted certificate without a SPIFFE identity is refused") {
    // rootCa.crt opens TLS on every testbed node, but has no URI SAN the server could read.
    const auto& n = mtls_node();
    const auto r = run_cqlwire(
        concat(with_certificate(n, n.no_identity_cert, n.no_identity_key), {"-e", select_cluster}), no_password_env);
    CHECK(check_failure(r, exit_authentication, {}, n.password));
    INFO(describe(r));
    CHECK(contains_case_insensitive(r.err, "spiffe"));
}

TEST_CASE("mtls node: the testbed's own cqlshrc (certificate, no [authentication]) logs in") {
    const auto& n = mtls_node();
    const auto r = run_cqlwire({"--cqlshrc", n.cqlshrc, "-e", select_cluster}, no_password_env);
    check_cluster_name_read(n, r);
}

TEST_CASE("mtls-fallback node: the certificate on the TLS port, the password on the plaintext port") {
    const auto& n = fallback_node();
    REQUIRE_MESSAGE(n.plain_port != 0, "the --auth mtls-fallback node has no plaintext port; tools/run-integration "
                                       "starts it with one");
    const std::vector<std::string> plain{n.host, std::to_string(n.plain_port), "-e", select_cluster};
    SUBCASE("the mapped certificate, no password") {
        const auto r = run_cqlwire(
            concat(with_certificate(n, n.identity_cert, n.identity_key), {"-e", select_cluster}), no_password_env);
        check_cluster_name_read(n, r);
    }
    SUBCASE("the test role's password over the plaintext port") {
        const auto r = run_cqlwire(concat({"-u", n.user}, plain), {{"CQLWIRE_PASSWORD", n.password}});
        check_cluster_name_read(n, r);
    }
    SUBCASE("no credentials over the plaintext port: refused") {
        const auto r = run_cqlwire(plain, no_password_env);
        CHECK(check_failure(r, exit_authentication, {}, n.password));
    }
}

}  // TEST_SUITE

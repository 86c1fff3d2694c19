// End-to-end: what the `cqlwire` binary prints and returns when a server turns it away the way
// Cassandra's TLS port does (a reset instead of, or before, an explanation), against the
// in-process servers: exit 4 with the cause named, never a bare "the server closed the
// connection" (exit 3).
#include "test_support.hpp"

#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"
#include "transport/tls_test_server.hpp"

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::process_result;
using cqlwire::test::test_pki;
using cqlwire::test::tls_test_server;

constexpr int exit_tls = 4;
constexpr int exit_authentication = 5;

// Runs the binary with an empty HOME (no ~/.cassandra/cqlshrc) and none of the variables it reads.
process_result run_cqlwire(const std::vector<std::string>& args) {
    std::string home = (std::filesystem::temp_directory_path() / "cqlwire-refusal-XXXXXX").string();
    REQUIRE(::mkdtemp(home.data()) != nullptr);
    cqlwire::test::process_options o;
    o.env = {{"HOME", home}, {"CQLWIRE_PASSWORD", "pw"}, {"CQLSH_HOST", ""}, {"CQLSH_PORT", ""},
             {"SSL_CERTFILE", ""}, {"SSL_VALIDATE", ""}};
    o.timeout = std::chrono::seconds(30);
    auto r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    std::error_code ignored;
    std::filesystem::remove_all(home, ignored);
    CHECK_FALSE(r.timed_out);
    return r;
}

// The mutual-TLS fake server that, like a node whose reset overtakes its alert, resets the
// connection right after a TLS 1.3 handshake whose client certificate it refuses.
fake_cql_server::options resetting_mtls_server() {
    const auto& pki = test_pki::instance();
    fake_cql_server::tls_settings tls;
    tls.certificate_chain_file = pki.path("server.crt");
    tls.private_key_file = pki.path("server.key");
    tls.client_ca_file = pki.path("trusted-client-cas.pem");
    tls.require_client_certificate = true;
    tls.refusal = fake_cql_server::client_certificate_refusal::reset_after_handshake;
    fake_cql_server::options o;
    o.tls = tls;
    return o;
}

std::vector<std::string> select_local(std::vector<std::string> args, std::uint16_t port) {
    for (const char* a : {"-u", "someone", "-e", "SELECT * FROM system.local", "localhost"}) args.emplace_back(a);
    args.push_back(std::to_string(port));
    return args;
}

}  // namespace

TEST_CASE("refusal reports: plaintext to a port that resets it: exit 4, the server expects TLS") {
    tls_test_server::options opts;
    opts.how = tls_test_server::mode::reset;
    tls_test_server server(opts);
    const auto r = run_cqlwire(select_local({}, server.port()));
    INFO(r.err);
    CHECK(r.exit_code == exit_tls);
    CHECK(r.err.starts_with("cqlwire: the server expects TLS, but the client spoke plaintext: most likely"));
    CHECK(r.err.find("(add --ssl") != std::string::npos);
}

TEST_CASE("refusal reports: a TLS 1.3 reset right after the handshake: exit 4 naming the client certificate") {
    fake_cql_server server(resetting_mtls_server());
    const auto& pki = test_pki::instance();
    const std::vector<std::string> tls{"--ssl", "--tls-min", "1.3", "--cafile", pki.path("server-ca.crt")};

    SUBCASE("none given") {
        const auto r = run_cqlwire(select_local(tls, server.port()));
        INFO(r.err);
        CHECK(r.exit_code == exit_tls);
        CHECK(r.err.starts_with("cqlwire: the server requires a client certificate: "));
        CHECK(r.err.find("most likely requires one (give a client certificate with --cert FILE --key FILE)\n") !=
              std::string::npos);
    }
    SUBCASE("an untrusted one") {
        auto args = tls;
        for (const std::string& a : {std::string("--cert"), pki.path("untrusted.crt"), std::string("--key"),
                                     pki.path("untrusted.key")})
            args.push_back(a);
        const auto r = run_cqlwire(select_local(args, server.port()));
        INFO(r.err);
        CHECK(r.exit_code == exit_tls);
        CHECK(r.err.starts_with("cqlwire: the server rejected the client certificate: "));
        CHECK(r.err.find("most likely refused the client certificate 'CN=cqlwire-tests-untrusted,O=cqlwire tests'") !=
              std::string::npos);
    }
}

TEST_CASE("refusal reports: no credentials for a password server: the authenticator in the cause, no 'server said'") {
    fake_cql_server::options o;
    o.authenticator_class = "org.apache.cassandra.auth.PasswordAuthenticator";
    fake_cql_server server(o);
    const auto r = run_cqlwire({"-e", "SELECT * FROM system.local", "127.0.0.1", std::to_string(server.port())});
    CHECK(r.exit_code == exit_authentication);
    CHECK(r.err ==
          "cqlwire: the server requires authentication (org.apache.cassandra.auth.PasswordAuthenticator), but no "
          "credentials were given; use -u/--username and a password (--password-file, CQLWIRE_PASSWORD or the "
          "prompt)\n");
}

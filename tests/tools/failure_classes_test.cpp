// End-to-end: the `cqlwire` binary against servers that fail in ways each of which has its
// documented exit class (EXIT_CODES.md), checking the exit code and the one-line message:
//   - a frame that breaks the protocol (over-cap length, negative length, wrong version byte,
//     unknown opcode): 7, naming what the frame got wrong — not 3, "connection broken";
//   - a client certificate refused for its key usage under TLS 1.3, where the server's alert
//     only arrives at the first read: 4, naming the extension in our words, not OpenSSL's;
//   - `tls-check` against a listener that accepts TCP and never answers: 3, within its
//     --connect-timeout — not 10, "does not speak TLS";
//   - TLS offered to an HTTP server: named as HTTP, by the main command and by tls-check.
#include "test_support.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"
#include "transport/hostile_support.hpp"
#include "transport/tls_test_server.hpp"

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::fake_request;
using cqlwire::test::fake_session;
using cqlwire::test::process_result;
using cqlwire::test::test_pki;
using cqlwire::test::tls_test_server;
using cqlwire::test::hostile::bytes;
using cqlwire::test::hostile::frame;

constexpr int exit_network = 3;
constexpr int exit_tls = 4;
constexpr int exit_protocol_violation = 7;
constexpr int exit_not_tls = 10;

constexpr std::string_view hostile_statement = "SELECT * FROM hostile.frames";

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

struct timed_result {
    process_result r;
    std::chrono::milliseconds elapsed{0};
};

// Runs the binary with a fresh, empty HOME and none of the variables it reads.
timed_result run_cqlwire(const std::vector<std::string>& args) {
    std::string home = (std::filesystem::temp_directory_path() / "cqlwire-failure-XXXXXX").string();
    REQUIRE(::mkdtemp(home.data()) != nullptr);
    cqlwire::test::process_options o;
    o.env = cqlwire::test::isolated_cqlwire_env(home);
    o.timeout = std::chrono::seconds(30);
    const auto start = std::chrono::steady_clock::now();
    timed_result out;
    out.r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::error_code ignored;
    std::filesystem::remove_all(home, ignored);
    INFO("stdout: " << out.r.out);
    INFO("stderr: " << out.r.err);
    CHECK_FALSE(out.r.timed_out);
    CHECK(out.r.exit_code < 128);  // not killed by a signal (or a sanitizer)
    return out;
}

// The command's failure is one line on stderr, "cqlwire: ...", holding `cause`.
void check_one_line(const std::string& err, std::string_view cause) {
    INFO("stderr: " << err);
    CHECK(err.starts_with("cqlwire: "));
    CHECK(err.ends_with("\n"));
    CHECK(err.find('\n') == err.size() - 1);
    CHECK(contains(err, cause));
}

// A plaintext fake server that answers the hostile statement with `reply(stream)`.
void answer_hostile_statement(fake_cql_server& server, std::function<bytes(std::int16_t)> reply) {
    server.on_query(std::string(hostile_statement), [reply](fake_session& s, const fake_request& r) {
        s.send_raw(reply(r.header.stream));
    });
}

std::vector<std::string> hostile_query_args(std::uint16_t port) {
    return {"-e", std::string(hostile_statement), "127.0.0.1", std::to_string(port)};
}

std::vector<std::string> tls_query_args(std::uint16_t port, std::vector<std::string> more = {}) {
    std::vector<std::string> args{"--ssl", "--cafile", test_pki::instance().path("server-ca.crt")};
    args.insert(args.end(), more.begin(), more.end());
    for (const std::string a : {"-e", "SELECT * FROM system.local", "localhost"}) args.push_back(a);
    args.push_back(std::to_string(port));
    return args;
}

}  // namespace

// ---- Frames that break the protocol: exit 7 ------------------------------------------------------

TEST_CASE("failure classes: a frame that breaks the protocol ends the command with exit 7, naming the lie") {
    fake_cql_server server(fake_cql_server::options{});
    std::string cause;
    SUBCASE("a body length over the cap") {
        answer_hostile_statement(server, [](std::int16_t id) { return frame(0x84, 0, id, 0x08, {}, 0x7FFFFFFFu); });
        cause = "the server violated the CQL protocol: the server sent a frame header announcing a body of "
                "2147483647 bytes, beyond the limit of 268435456 bytes";
    }
    SUBCASE("a negative body length") {
        answer_hostile_statement(server,
                                 [](std::int16_t id) { return frame(0x84, 0, id, 0x08, bytes(16, 0), 0x80000010u); });
        cause = "the server violated the CQL protocol: the server sent a frame header announcing a negative body "
                "length (-2147483632)";
    }
    SUBCASE("a version byte of a request frame") {
        answer_hostile_statement(server, [](std::int16_t id) { return frame(0x04, 0, id, 0x08, {0, 0, 0, 1}); });
        cause = "the server violated the CQL protocol: the server sent a frame starting with byte 0x04, which is not a "
                "CQL v4 response";
    }
    SUBCASE("a version byte of another protocol version") {
        answer_hostile_statement(server, [](std::int16_t id) { return frame(0x85, 0, id, 0x08, {0, 0, 0, 1}); });
        cause = "the server does not support the requested protocol version: the server answered in protocol "
                "version 5 instead of 4";
    }
    SUBCASE("an unknown opcode") {
        answer_hostile_statement(server, [](std::int16_t id) { return frame(0x84, 0, id, 0x42, {}); });
        cause = "the server violated the CQL protocol: the server sent a frame with opcode 0x42, which the CQL "
                "protocol does not define";
    }
    const auto run = run_cqlwire(hostile_query_args(server.port()));
    CHECK(run.r.exit_code == exit_protocol_violation);
    check_one_line(run.r.err, cause);
    CHECK(run.r.out.empty());
}

// ---- A client certificate refused for its key usage (TLS 1.3): exit 4 -----------------------------

TEST_CASE("failure classes: a client certificate refused for its key usage under TLS 1.3 is exit 4, naming it") {
    const auto& pki = test_pki::instance();
    std::string certificate;
    std::string cause;
    SUBCASE("extendedKeyUsage serverAuth only") {
        certificate = "client-server-eku";
        cause = "its extendedKeyUsage (serverAuth) does not include TLS client authentication (clientAuth)";
    }
    SUBCASE("keyUsage without digitalSignature") {
        certificate = "client-no-digsig";
        cause = "its keyUsage (keyEncipherment) lacks digitalSignature";
    }
    const std::string subject = "'CN=cqlwire-tests-" + certificate + ",O=cqlwire tests'";
    // However the server's refusal reaches the client: its alert at the first read, that alert
    // then a reset, or a reset alone (then the verdict is an inference: "most likely").
    using refusal = fake_cql_server::client_certificate_refusal;
    for (const auto how : {refusal::alert, refusal::alert_then_reset, refusal::reset_after_handshake}) {
        CAPTURE(static_cast<int>(how));
        fake_cql_server::tls_settings tls;
        tls.certificate_chain_file = pki.path("server.crt");
        tls.private_key_file = pki.path("server.key");
        tls.client_ca_file = pki.path("client-ca.crt");
        tls.require_client_certificate = true;
        tls.refusal = how;
        fake_cql_server::options o;
        o.tls = tls;
        fake_cql_server server(o);
        const auto run = run_cqlwire(tls_query_args(server.port(), {"--tls-min", "1.3", "--cert",
                                                                    pki.path(certificate + ".crt"), "--key",
                                                                    pki.path("client.key")}));
        CHECK(run.r.exit_code == exit_tls);
        check_one_line(run.r.err, cause);
        CHECK(contains(run.r.err, how == refusal::reset_after_handshake
                                      ? "most likely refused the client certificate " + subject
                                      : "rejected the client certificate " + subject + " (alert "));
        CHECK_FALSE(contains(run.r.err, "SSL routines"));  // OpenSSL's words are not the message
    }
}

// ---- tls-check against a listener that never answers: exit 3, within the timeout ----------------

TEST_CASE("failure classes: tls-check against a TCP listener that never answers is a timeout (3), in time") {
    tls_test_server server(tls_test_server::speaking(tls_test_server::mode::silent));
    const auto run = run_cqlwire({"tls-check", "127.0.0.1:" + std::to_string(server.port()), "--connect-timeout", "1"});
    CHECK(run.r.exit_code == exit_network);
    check_one_line(run.r.err, "accepted the TCP connection but sent nothing within 1 s");
    CHECK_FALSE(contains(run.r.err, "does not speak TLS"));
    CHECK(run.r.out.empty());
    // One second for the handshake, and the rest for starting the process on a loaded machine:
    // no second wait (a plaintext probe) follows.
    CHECK(run.elapsed < std::chrono::milliseconds(1900));
}

// ---- TLS offered to an HTTP server: named as HTTP ------------------------------------------------

TEST_CASE("failure classes: TLS offered to an HTTP server is named as HTTP, not plaintext CQL") {
    tls_test_server server(tls_test_server::speaking(tls_test_server::mode::http));
    const std::string port = std::to_string(server.port());

    SUBCASE("the main command: exit 4") {
        const auto run = run_cqlwire(tls_query_args(server.port()));
        CHECK(run.r.exit_code == exit_tls);
        check_one_line(run.r.err, "an HTTP server answered the TLS handshake (\"HTTP/1.1 400 Bad Request\"); this port "
                                  "serves HTTP, not CQL");
        CHECK_FALSE(contains(run.r.err, "plaintext CQL"));
    }
    SUBCASE("the main command without TLS: exit 7, named the same way") {
        const auto run = run_cqlwire({"-e", "SELECT * FROM system.local", "127.0.0.1", port});
        CHECK(run.r.exit_code == exit_protocol_violation);
        check_one_line(run.r.err, "an HTTP server answered (\"HTTP/1.1 400 Bad Request\"); this port serves HTTP, not "
                                  "CQL");
    }
    SUBCASE("tls-check: exit 10") {
        const auto run = run_cqlwire({"tls-check", "127.0.0.1:" + port});
        CHECK(run.r.exit_code == exit_not_tls);
        INFO(run.r.out);
        CHECK(contains(run.r.out, "\nVerdict: FAILED: an HTTP server answered (\"HTTP/1.1 400 Bad Request\"); this port "
                                  "serves HTTP, not CQL\n"));
        CHECK(contains(run.r.out, "handshake FAILED: TLS: an HTTP server answered the TLS handshake"));
        CHECK_FALSE(contains(run.r.out, "plaintext CQL"));
    }
}

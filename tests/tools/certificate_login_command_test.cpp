// The command with a client certificate and a user name but no password: nothing is asked for
// when the server logs in by the certificate; the password is asked for (on a terminal) only
// when the server checks one. And the terminal prompt stays safe: Ctrl-Z does not bring echo
// back, a file name cannot drive the terminal.
#include "test_support.hpp"

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "fake_cql_server.hpp"
#include "mtls_fake_server.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "terminal_session.hpp"

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::test_pki;

constexpr std::string_view user = "app";
constexpr std::string_view password = "s3cret-Pa55";
constexpr std::string_view spiffe_identity = "spiffe://cqlwire.test/app";

// The command tests' fake node, with another authenticator (and the identities it lets in).
fake_cql_server::options server_with(std::string authenticator_class, std::vector<std::string> identities = {}) {
    auto o = cqlwire::test::mtls_password_server_options(std::string(user), std::string(password));
    o.authenticator_class = std::move(authenticator_class);
    o.certificate_identities = std::move(identities);
    return o;
}

// -u without a password, the SPIFFE client certificate, and a statement.
std::vector<std::string> flags(std::uint16_t port) {
    const auto& pki = test_pki::instance();
    return {"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client-spiffe.crt"), "--key",
            pki.path("client.key"), "-u", std::string(user), "localhost", std::to_string(port), "-e",
            "SELECT * FROM system.local"};
}

std::map<std::string, std::string> environment(const cqlwire::test::temp_dir& home) {
    return cqlwire::test::isolated_terminal_env(home.str(), "xterm");
}

// Runs the command with `flags` and no terminal (standard input is not one).
cqlwire::test::process_result run_without_terminal(const std::vector<std::string>& args,
                                                   const cqlwire::test::temp_dir& home) {
    cqlwire::test::process_options o;
    o.env = environment(home);
    o.timeout = std::chrono::seconds(30);
    auto r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    return r;
}

}  // namespace

TEST_CASE("certificate login: -u without a password asks for nothing when the certificate is the login") {
    fake_cql_server server(server_with("org.apache.cassandra.auth.MutualTlsAuthenticator", {std::string(spiffe_identity)}));
    cqlwire::test::temp_dir home;
    SUBCASE("no terminal") {
        const auto r = run_without_terminal(flags(server.port()), home);
        INFO("stderr: " << r.err);
        CHECK(r.exit_code == 0);
        CHECK(r.err.find("password") == std::string::npos);
    }
    SUBCASE("on a terminal: no prompt either") {
        cqlwire::test::terminal_session term(CQLWIRE_BINARY, flags(server.port()), environment(home));
        CHECK(term.expect("(1 rows)"));
        CHECK(term.wait_exit() == 0);
        INFO("shown: " << term.shown());
        CHECK(term.shown().find("Password") == std::string::npos);
    }
    CHECK(server.auth_tokens() == std::vector<std::vector<std::uint8_t>>(server.auth_tokens().size()));  // all empty
}

TEST_CASE("certificate login: a server that checks passwords gets one asked for on a terminal, on a new connection") {
    fake_cql_server server(server_with("org.apache.cassandra.auth.PasswordAuthenticator"));
    cqlwire::test::temp_dir home;
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, flags(server.port()), environment(home));
    REQUIRE(term.expect("Password: "));
    term.type(std::string(password) + "\r");
    CHECK(term.expect("(1 rows)"));
    CHECK(term.wait_exit() == 0);
    INFO("shown: " << term.shown());
    CHECK(term.shown().find(password) == std::string::npos);
    CHECK(server.sessions_accepted() == 2);
    REQUIRE(server.auth_tokens().size() == 1);  // the first connection sent nothing
}

TEST_CASE("certificate login: without a terminal, a server that checks passwords is exit 5, nothing sent") {
    fake_cql_server server(server_with("org.apache.cassandra.auth.PasswordAuthenticator"));
    cqlwire::test::temp_dir home;
    const auto r = run_without_terminal(flags(server.port()), home);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 5);
    CHECK(r.err.find("the server requires authentication, and no password was given for user") !=
          std::string::npos);
    CHECK(r.err.find("--password-file") != std::string::npos);
    CHECK(server.auth_tokens().empty());
}

TEST_CASE("prompt: Ctrl-Z and fg at a password prompt keep echo off; the prompt shows again") {
    fake_cql_server server(server_with("org.apache.cassandra.auth.PasswordAuthenticator"));
    cqlwire::test::temp_dir home;
    // Job control needs a shell: a program that leads its own session cannot be stopped.
    auto env = environment(home);
    env["PS1"] = "test$ ";
    cqlwire::test::terminal_session shell("/bin/bash", {"--norc", "--noprofile", "-i"}, env);
    REQUIRE(shell.expect("test$ "));
    std::string line = CQLWIRE_BINARY;
    for (const auto& a : flags(server.port())) line += " '" + a + "'";
    shell.type(line + "\r");
    REQUIRE(shell.expect("Password: "));
    shell.type("\x1a");  // Ctrl-Z: cqlwire stops, and the shell gets an echoing terminal back
    REQUIRE(shell.expect("test$ "));
    shell.type("fg\r");
    REQUIRE(shell.expect("Password: "));  // shown again, with echo off again
    shell.type(std::string(password) + "\r");
    CHECK(shell.expect("(1 rows)"));
    REQUIRE(shell.expect("test$ "));
    shell.type("exit\r");
    CHECK(shell.wait_exit() == 0);
    INFO("shown: " << shell.shown());
    CHECK(shell.shown().find(password) == std::string::npos);
}

TEST_CASE("prompt: control characters of a file name are shown escaped, never sent to the terminal") {
    fake_cql_server server(server_with("org.apache.cassandra.auth.PasswordAuthenticator"));
    cqlwire::test::temp_dir home;
    const auto& pki = test_pki::instance();
    const std::string odd = home.str() + "/evil\x1b]0;PWNED\x07.key";
    std::filesystem::copy_file(pki.path("client-encrypted.key"), odd);
    std::filesystem::permissions(odd, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    cqlwire::test::terminal_session term(
        CQLWIRE_BINARY,
        {"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client.crt"), "--key", odd, "-u", std::string(user),
         "-p", std::string(password), "localhost", std::to_string(server.port()), "-e", "SELECT * FROM system.local"},
        environment(home));
    REQUIRE(term.expect("Passphrase for "));
    REQUIRE(term.expect(": "));
    term.type(pki.key_password() + "\r");
    CHECK(term.expect("(1 rows)"));
    CHECK(term.wait_exit() == 0);
    INFO("shown: " << term.shown());
    CHECK(term.shown().find("\x1b]0;PWNED") == std::string::npos);
    CHECK(term.shown().find("evil\\x1b]0;PWNED\\x07.key") != std::string::npos);
}

#include "test_support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "fake_cql_server.hpp"
#include "mtls_fake_server.hpp"
#include "pki/mismatched_pkcs12.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "terminal_session.hpp"

// End-to-end: the real `cqlwire` binary against the in-process fake server, over mutual TLS
// with a password, configured by flags, environment and generated cqlshrc files.

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::process_result;
using cqlwire::test::test_pki;

constexpr std::string_view user = "cassandra_user";
constexpr std::string_view password = "s3cret-Pa55";
constexpr std::string_view system_local = "SELECT * FROM system.local";

// A temporary folder, used as $HOME (so no real ~/.cassandra/cqlshrc is read) and for files.
using cqlwire::test::temp_dir;

fake_cql_server::options mtls_password_server() {
    return cqlwire::test::mtls_password_server_options(std::string(user), std::string(password));
}

struct runner {
    temp_dir home;
    std::map<std::string, std::string> env;

    runner() {
        env = cqlwire::test::isolated_cqlwire_env(home.str());
    }

    process_result operator()(const std::vector<std::string>& args) const {
        cqlwire::test::process_options o;
        o.env = env;
        o.timeout = std::chrono::seconds(30);
        auto r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
        INFO("stdout: " << r.out);
        INFO("stderr: " << r.err);
        CHECK_FALSE(r.timed_out);
        // A crash (or a sanitizer report) is shown whole.
        if (r.exit_code >= 128 || r.err.find("Sanitizer") != std::string::npos) FAIL_CHECK("cqlwire crashed: " << r.err);
        // Whatever happened, the password and the key passphrase never show.
        CHECK(r.out.find(password) == std::string::npos);
        CHECK(r.err.find(password) == std::string::npos);
        const std::string key_password = test_pki::instance().key_password();
        REQUIRE_FALSE(key_password.empty());
        CHECK(r.out.find(key_password) == std::string::npos);
        CHECK(r.err.find(key_password) == std::string::npos);
        return r;
    }
};

// Flags for mutual TLS against the fake server, verifying its certificate.
std::vector<std::string> mtls_flags(std::uint16_t port, std::vector<std::string> more = {}) {
    const auto& pki = test_pki::instance();
    std::vector<std::string> args{"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client.crt"),
                                  "--key",    pki.path("client.key"),    "localhost", std::to_string(port)};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

bool saw_credentials(const fake_cql_server& server) {
    const std::string expected = std::string(1, '\0') + std::string(user) + std::string(1, '\0') + std::string(password);
    for (const auto& token : server.auth_tokens())
        if (std::string(token.begin(), token.end()) == expected) return true;
    return false;
}

void check_system_local_table(const process_result& r) {
    INFO("stdout: " << r.out);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    // Names left-aligned, values right-aligned, as cqlsh prints them.
    CHECK(r.out.starts_with("\n key   | bootstrapped | broadcast_address | broadcast_port | cluster_name | "));
    CHECK(r.out.find("\n-------+--------------+-------------------+----------------+--------------+") !=
          std::string::npos);
    CHECK(r.out.find("\n local |    COMPLETED |         127.0.0.1 |           7000 | Test Cluster | ") !=
          std::string::npos);
    CHECK(r.out.ends_with("\n\n(1 rows)\n"));
}

}  // namespace

TEST_CASE("mutual TLS + password with a generated cqlshrc prints system.local") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    const std::string rc = run.home.write(
        "cqlshrc", "[authentication]\nusername = " + std::string(user) + "\npassword = " + std::string(password) +
                       "\n\n[connection]\nhostname = localhost\nport = " + std::to_string(server.port()) +
                       "\nssl = true\n\n[ssl]\ncertfile = " + pki.path("server-ca.crt") +
                       "\nvalidate = true\nuserkey = " + pki.path("client.key") + "\nusercert = " +
                       pki.path("client.crt") + "\n");
    const auto r = run({"--cqlshrc", rc, "-e", std::string(system_local)});
    check_system_local_table(r);
    CHECK(saw_credentials(server));
    CHECK(server.queries() == std::vector<std::string>{std::string(system_local)});
}

TEST_CASE("~/.cassandra/cqlshrc is read by default") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    std::filesystem::create_directory(run.home.str() + "/.cassandra");
    run.home.write(".cassandra/cqlshrc", "[authentication]\nusername = " + std::string(user) +
                                             "\n[ssl]\ncertfile = " + pki.path("server-ca.crt") + "\n");
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const auto r = run(mtls_flags(server.port(), {"-e", std::string(system_local)}));
    check_system_local_table(r);
    CHECK(saw_credentials(server));
}

TEST_CASE("--format json and --format csv") {
    fake_cql_server server(mtls_password_server());
    runner run;
    const std::string pw_file = run.home.write("pw", std::string(password) + "\n");

    const auto json = run(mtls_flags(server.port(), {"-u", std::string(user), "--password-file", pw_file, "--format",
                                                     "json", "-e", std::string(system_local) + ";"}));
    REQUIRE(json.exit_code == 0);
    CHECK(json.out.ends_with("]\n"));
    const auto doc = boost::json::parse(json.out);
    REQUIRE(doc.is_array());
    REQUIRE(doc.as_array().size() == 1);
    const auto& row = doc.as_array()[0].as_object();
    CHECK(row.at("key").as_string() == "local");
    CHECK(row.at("broadcast_port").as_int64() == 7000);
    CHECK(row.at("tokens").as_array().size() == 3);
    CHECK(row.size() == 20);

    const auto csv = run(mtls_flags(server.port(), {"-u", std::string(user), "--password-file", pw_file, "--format",
                                                    "csv", "-e", std::string(system_local)}));
    REQUIRE(csv.exit_code == 0);
    CHECK(csv.out.starts_with("key,bootstrapped,broadcast_address,broadcast_port,cluster_name,"));
    CHECK(csv.out.find("\nlocal,COMPLETED,127.0.0.1,7000,Test Cluster,") != std::string::npos);
    CHECK(std::count(csv.out.begin(), csv.out.end(), '\n') == 2);
}

TEST_CASE("a password file whose line holds a NUL byte is refused before connecting, in one message") {
    fake_cql_server server(mtls_password_server());
    runner run;
    const std::string pw = run.home.write("pw", std::string("abc\0def\n", 8));
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "--password-file", pw, "-e",
                                                  std::string(system_local)}));
    CHECK(r.exit_code == 2);
    CHECK(r.err == "cqlwire: password file '" + pw + "' holds a NUL byte in its first line, which no password has\n");
    CHECK(server.sessions_accepted() == 0);
}

TEST_CASE("a server that quotes the credentials it received never gets the password shown") {
    fake_cql_server server(mtls_password_server());
    // The answer to AUTH_RESPONSE quotes the SASL PLAIN token, "\0user\0password", as text.
    server.on_opcode(cqlwire::protocol::opcode::auth_response, [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
        std::string token(r.body.begin() + std::min<std::ptrdiff_t>(4, static_cast<std::ptrdiff_t>(r.body.size())), r.body.end());
        std::replace(token.begin(), token.end(), '\0', '|');
        s.send_raw(fake_cql_server::error_frame(r.header.stream, 0x0100, "bad credentials: " + token));
    });
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    for (const std::string trace : {"--trace-frames=summary", "--trace-frames=hex", "--trace-frames=jsonl", "--debug"}) {
        CAPTURE(trace);
        // The runner checks that neither output holds the password.
        const auto r = run(mtls_flags(server.port(), {trace, "-u", std::string(user), "-e", std::string(system_local)}));
        CHECK(r.exit_code == 5);
        CHECK(r.err.find("bad credentials: |" + std::string(user) + "|<withheld>") != std::string::npos);
    }
}

TEST_CASE("the password from CQLWIRE_PASSWORD, -p and no password at all") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    check_system_local_table(run(mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)})));
    run.env["CQLWIRE_PASSWORD"] = "";
    const auto p = run(mtls_flags(server.port(), {"-u", std::string(user), "-p", std::string(password), "-e",
                                                  std::string(system_local)}));
    CHECK(p.exit_code == 0);
    // With a client certificate the password waits for a server that checks one (it may log in
    // by the certificate); this one does, and there is no terminal to ask on: a clear refusal,
    // nothing sent, rather than a hang.
    const std::size_t tokens_before = server.auth_tokens().size();
    const auto none = run(mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)}));
    CHECK(none.exit_code == 5);
    CHECK(none.err.starts_with("cqlwire: the server requires authentication, and no password was given for user '" +
                               std::string(user) + "'"));
    CHECK(server.auth_tokens().size() == tokens_before);
    // Without a client certificate nothing can stand in for the password: refused before connecting.
    const auto plain = run({"localhost", std::to_string(server.port()), "-u", std::string(user), "-e",
                            std::string(system_local)});
    CHECK(plain.exit_code == 2);
    CHECK(plain.err.starts_with("cqlwire: a user name is set but no password"));
    // No user at all against a server that wants one.
    const auto anonymous = run(mtls_flags(server.port(), {"-e", std::string(system_local)}));
    CHECK(anonymous.exit_code == 5);
    CHECK(anonymous.err.starts_with("cqlwire: the server requires authentication"));
}

TEST_CASE("a wrong password exits 5") {
    fake_cql_server server(mtls_password_server());
    runner run;
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "-p", "not-the-password", "-e",
                                                  std::string(system_local)}));
    CHECK(r.exit_code == 5);
    CHECK(r.err.starts_with("cqlwire: authentication failed"));
    CHECK(r.err.find("not-the-password") == std::string::npos);
    CHECK(r.out.empty());
}

TEST_CASE("TLS failures exit 4") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string port = std::to_string(server.port());
    const std::vector<std::string> login{"-u", std::string(user), "-e", std::string(system_local)};
    auto with = [&](std::vector<std::string> args) {
        args.insert(args.end(), login.begin(), login.end());
        return run(args);
    };

    SUBCASE("server certificate from an unknown CA") {
        const auto r = with({"--cafile", pki.path("other-ca.crt"), "--cert", pki.path("client.crt"), "--key",
                             pki.path("client.key"), "localhost", port});
        CHECK(r.exit_code == 4);
        CHECK(r.err.starts_with("cqlwire: the server's certificate is not trusted"));
    }
    SUBCASE("client certificate the server does not trust") {
        const auto r = with({"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("untrusted.crt"), "--key",
                             pki.path("untrusted.key"), "localhost", port});
        CHECK(r.exit_code == 4);
    }
    SUBCASE("no client certificate") {
        const auto r = with({"--cafile", pki.path("server-ca.crt"), "localhost", port});
        CHECK(r.exit_code == 4);
    }
    SUBCASE("--server-name that the certificate does not carry") {
        const auto r = with({"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client.crt"), "--key",
                             pki.path("client.key"), "--server-name", "node1.elsewhere.example", "127.0.0.1", port});
        CHECK(r.exit_code == 4);
        CHECK(r.err.find("--server-name") != std::string::npos);
    }
    SUBCASE("--no-verify accepts the unknown CA, warning loudly") {
        const auto r = with({"--no-verify", "--cert", pki.path("client.crt"), "--key", pki.path("client.key"),
                             "localhost", port});
        CHECK(r.exit_code == 0);
        CHECK(r.err.starts_with("cqlwire: WARNING: TLS certificate verification is OFF"));
    }
}

TEST_CASE("--server-name verifies another name than the host dialed") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const auto r = run({"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client.crt"), "--key",
                        pki.path("client.key"), "--server-name", "node1.cassandra.test", "127.0.0.1",
                        std::to_string(server.port()), "-u", std::string(user), "-e", std::string(system_local)});
    check_system_local_table(r);
}

TEST_CASE("the Azure article's section-less cqlshrc") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    // The article's file with its placeholders filled in; rootCa.crt/.key is the client
    // certificate made the article's way, which the server trusts.
    const std::string rc = run.home.write(
        "cqlshrc", "username = " + std::string(user) + "\npassword = " + std::string(password) +
                       "\n\nhostname = localhost\nport = " + std::to_string(server.port()) +
                       "\n\nuserkey = " + pki.path("rootCa.key") + "\nusercert = " + pki.path("rootCa.crt") +
                       "\ncertfile = " + pki.path("server-ca.crt") + "\nvalidate = true ;; Optional, see below\n");
    const auto r = run({"--cqlshrc=" + rc, "-e", std::string(system_local)});
    CHECK(r.exit_code == 0);
    CHECK(r.err.starts_with("cqlwire: warning: " + rc + ":1: no [section] header before this line"));
    CHECK(r.out.ends_with("\n\n(1 rows)\n"));
    CHECK(saw_credentials(server));
}

TEST_CASE("a rejected statement exits 6 with the server's code and words on one line; later statements still run") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "-e",
                                                  "SELECT nonsense FROM nowhere;\n" + std::string(system_local)}));
    CHECK(r.exit_code == 6);
    CHECK(r.err == "cqlwire: -e:1: Invalid (0x2200): the fake server has no answer for this query\n");
    CHECK(r.out.ends_with("\n\n(1 rows)\n"));
    CHECK(server.queries().size() == 2);
}

TEST_CASE("statements from -f and from standard input") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string file = run.home.write("in.cql", "-- a comment; not a statement\n" + std::string(system_local) + ";\n");
    check_system_local_table(run(mtls_flags(server.port(), {"-u", std::string(user), "-f", file})));

    cqlwire::test::process_options o;
    o.env = run.env;
    o.stdin_text = std::string(system_local) + ";";
    const auto r = cqlwire::test::run_process(CQLWIRE_BINARY, mtls_flags(server.port(), {"-u", std::string(user)}), o);
    check_system_local_table(r);
}

TEST_CASE("configuration and usage errors exit 2 and 1 before connecting") {
    runner run;
    const auto missing_rc = run({"--cqlshrc", run.home.str() + "/nope", "-e", "x"});
    CHECK(missing_rc.exit_code == 2);
    CHECK(missing_rc.err.starts_with("cqlwire: cannot read cqlshrc '"));

    const std::string bad_rc = run.home.write("bad", "[connection]\nport = ninety\n");
    const auto bad = run({"--cqlshrc", bad_rc, "-e", "x"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err == "cqlwire: " + bad_rc + ":2: [connection] port: 'ninety' is not a port (1-65535)\n");

    const auto missing_key = run({"--cert", run.home.str() + "/c.pem", "--key", run.home.str() + "/k.pem", "-e", "x"});
    CHECK(missing_key.exit_code == 2);

    // A passphrase for no key at all: neither --key nor [ssl] userkey.
    const std::string pass_file = run.home.write("key.pass", "whatever\n");
    const auto passphrase_only = run({"--key-password-file", pass_file, "-e", "x"});
    CHECK(passphrase_only.exit_code == 2);
    CHECK(passphrase_only.err.starts_with("cqlwire: --key-password-file gives a key passphrase but no private key is set"));

    const auto usage = run({"--format", "yaml"});
    CHECK(usage.exit_code == 1);
    CHECK(usage.err == "cqlwire: invalid value 'yaml' for --format: expected table, json or csv\n");

    const auto unterminated = run({"-e", "SELECT 'x"});
    CHECK(unterminated.exit_code == 1);

    const auto refused = run({"-e", "x", "127.0.0.1", "1"});
    CHECK(refused.exit_code == 3);

    const auto help = run({"--help"});
    CHECK(help.exit_code == 0);
    CHECK(help.out.starts_with("Usage: cqlwire [options] [host [port]]\n"));
}

// ---- Encrypted client keys -----------------------------------------------------------------------

namespace {

// Mutual TLS with the encrypted copy of client.key; the login password comes from the
// environment so that only the key passphrase is in question.
std::vector<std::string> encrypted_key_flags(std::uint16_t port, std::vector<std::string> more) {
    const auto& pki = test_pki::instance();
    std::vector<std::string> args{"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client.crt"),
                                  "--key", pki.path("client-encrypted.key"), "localhost", std::to_string(port),
                                  "-u", std::string(user), "-e", std::string(system_local)};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

// A cqlshrc naming the encrypted key as [ssl] userkey.
std::string encrypted_key_cqlshrc(const temp_dir& home, std::uint16_t port) {
    const auto& pki = test_pki::instance();
    return home.write("cqlshrc", "[authentication]\nusername = " + std::string(user) +
                                     "\n[connection]\nhostname = localhost\nport = " + std::to_string(port) +
                                     "\n[ssl]\ncertfile = " + pki.path("server-ca.crt") + "\nuserkey = " +
                                     pki.path("client-encrypted.key") + "\nusercert = " + pki.path("client.crt") + "\n");
}

// What a run of the command on a terminal showed, and how it ended.
struct terminal_result {
    int exit_code = -1;
    bool timed_out = false;
    std::string shown;  // everything written to the terminal (output, errors, prompts, echo)
};

// Runs the binary with a pseudo-terminal as its controlling terminal and standard streams, as a
// user at a shell would, and types `answer` and Enter once `prompt` has appeared.
terminal_result run_on_terminal(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                                std::string_view prompt, std::string_view answer) {
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, args, cqlwire::test::child_environment(env));
    if (term.expect(prompt, std::chrono::seconds(30))) term.type(std::string(answer) + "\n");
    terminal_result result;
    result.exit_code = term.wait_exit(std::chrono::seconds(30));
    result.timed_out = result.exit_code == -1;
    result.shown = term.shown();
    return result;
}

}  // namespace

TEST_CASE("an encrypted client key opens with --key-password-file, CQLWIRE_KEY_PASSWORD, and from the cqlshrc") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string pass_file = run.home.write("key.pass", pki.key_password() + "\n");

    SUBCASE("--key-password-file") {
        check_system_local_table(run(encrypted_key_flags(server.port(), {"--key-password-file", pass_file})));
    }
    SUBCASE("CQLWIRE_KEY_PASSWORD") {
        run.env["CQLWIRE_KEY_PASSWORD"] = pki.key_password();
        check_system_local_table(run(encrypted_key_flags(server.port(), {})));
    }
    SUBCASE("--key-password-file beats CQLWIRE_KEY_PASSWORD") {
        run.env["CQLWIRE_KEY_PASSWORD"] = "not-the-key-passphrase";
        check_system_local_table(run(encrypted_key_flags(server.port(), {"--key-password-file", pass_file})));
    }
    SUBCASE("the key is the cqlshrc's userkey, the passphrase from --key-password-file") {
        const std::string rc = encrypted_key_cqlshrc(run.home, server.port());
        check_system_local_table(run({"--cqlshrc", rc, "--key-password-file", pass_file, "-e", std::string(system_local)}));
    }
    SUBCASE("the key is the cqlshrc's userkey, the passphrase from CQLWIRE_KEY_PASSWORD") {
        run.env["CQLWIRE_KEY_PASSWORD"] = pki.key_password();
        const std::string rc = encrypted_key_cqlshrc(run.home, server.port());
        check_system_local_table(run({"--cqlshrc", rc, "-e", std::string(system_local)}));
    }
    // The server demands a client certificate: a run that printed the row presented the key.
    CHECK(server.sessions_accepted() == 1);
    CHECK(saw_credentials(server));
}

TEST_CASE("a wrong key passphrase exits 2 naming the key file, without showing the passphrase") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    const std::string key = pki.path("client-encrypted.key");
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    constexpr std::string_view wrong = "not-the-key-passphrase";

    SUBCASE("from --key-password-file") {
        const std::string pass_file = run.home.write("wrong.pass", std::string(wrong) + "\n");
        const auto r = run(encrypted_key_flags(server.port(), {"--key-password-file", pass_file}));
        CHECK(r.exit_code == 2);
        CHECK(r.err == "cqlwire: private key file '" + key + "' could not be decrypted with the passphrase read from '" +
                           pass_file + "': the passphrase is wrong (or the file is damaged)\n");
        CHECK(r.err.find(wrong) == std::string::npos);
        CHECK(r.out.empty());
    }
    SUBCASE("from CQLWIRE_KEY_PASSWORD") {
        run.env["CQLWIRE_KEY_PASSWORD"] = std::string(wrong);
        const auto r = run(encrypted_key_flags(server.port(), {}));
        CHECK(r.exit_code == 2);
        CHECK(r.err == "cqlwire: private key file '" + key +
                           "' could not be decrypted with the passphrase in CQLWIRE_KEY_PASSWORD: the passphrase is "
                           "wrong (or the file is damaged)\n");
        CHECK(r.err.find(wrong) == std::string::npos);
    }
    // The key is checked before any connection is tried.
    CHECK(server.sessions_accepted() == 0);
}

TEST_CASE("an encrypted key with no passphrase and no terminal exits 2 naming the three ways to give one") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string expected = "cqlwire: private key file '" + pki.path("client-encrypted.key") +
                                 "' is encrypted and no passphrase was given: use --key-password-file FILE, "
                                 "CQLWIRE_KEY_PASSWORD, or run on a terminal to be asked\n";

    const auto flags = run(encrypted_key_flags(server.port(), {}));
    CHECK(flags.exit_code == 2);
    CHECK(flags.err == expected);

    const auto rc = run({"--cqlshrc", encrypted_key_cqlshrc(run.home, server.port()), "-e", std::string(system_local)});
    CHECK(rc.exit_code == 2);
    CHECK(rc.err == expected);
    CHECK(server.sessions_accepted() == 0);

    // An unencrypted key needs no passphrase, and none is asked for.
    check_system_local_table(run(mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)})));
}

TEST_CASE("on a terminal, the passphrase of an encrypted key is asked for without echo") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string prompt = "Passphrase for " + pki.path("client-encrypted.key") + ": ";

    const auto r = run_on_terminal(encrypted_key_flags(server.port(), {}), run.env, prompt, pki.key_password());
    INFO("terminal: " << r.shown);
    CHECK_FALSE(r.timed_out);
    CHECK(r.exit_code == 0);
    CHECK(r.shown.starts_with(prompt));
    // Echo was off: what was typed never reached the screen.
    CHECK(r.shown.find(pki.key_password()) == std::string::npos);
    CHECK(r.shown.find("\n(1 rows)\r\n") != std::string::npos);
    CHECK(saw_credentials(server));

    const auto wrong = run_on_terminal(encrypted_key_flags(server.port(), {}), run.env, prompt, "typed-wrongly");
    INFO("terminal: " << wrong.shown);
    CHECK(wrong.exit_code == 2);
    CHECK(wrong.shown.find("could not be decrypted with the passphrase entered: the passphrase is wrong") !=
          std::string::npos);
    CHECK(wrong.shown.find("typed-wrongly") == std::string::npos);
}

// ---- Paging ------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view paged_query = "SELECT id, name FROM ks.paged";

// Answers paged_query in three pages of rows (id int, name text) 1-3, 4-6 and 7-8. The first
// two pages carry a paging state; a request must send back exactly the state of the page
// before it, and gets an ERROR otherwise. Records the paging state and page size of every
// request.
class three_page_script {
public:
    explicit three_page_script(fake_cql_server& server) {
        server.on_query(std::string(paged_query), [this](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
            answer(s, r);
        });
    }

    std::vector<std::optional<std::string>> states_received() const {
        std::lock_guard lock(mutex_);
        return states_;
    }
    std::vector<std::optional<std::int32_t>> page_sizes_received() const {
        std::lock_guard lock(mutex_);
        return page_sizes_;
    }

private:
    void answer(cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
        namespace protocol = cqlwire::protocol;
        const auto stream = r.header.stream;
        protocol::request_prefix prefix;
        protocol::bytes_view message;
        protocol::query_view q;
        if (protocol::decode_request_prefix(r.header, r.body, prefix, message) || protocol::decode_query(message, q)) {
            s.send_raw(fake_cql_server::error_frame(stream, 0x000A, "malformed QUERY"));
            return;
        }
        std::optional<std::string> state;
        if (q.parameters.paging_state && q.parameters.paging_state->is_present()) {
            const auto b = q.parameters.paging_state->bytes;
            state = std::string(b.begin(), b.end());
        }
        {
            std::lock_guard lock(mutex_);
            states_.push_back(state);
            page_sizes_.push_back(q.parameters.page_size);
        }
        int first = 0;
        int last = 0;
        std::optional<std::string> next_state;
        if (!state) {
            first = 1, last = 3, next_state = "after-page-1";
        } else if (*state == "after-page-1") {
            first = 4, last = 6, next_state = "after-page-2";
        } else if (*state == "after-page-2") {
            first = 7, last = 8;
        } else {
            s.send_raw(fake_cql_server::error_frame(stream, 0x2200, "unexpected paging state"));
            return;
        }
        protocol::result_metadata metadata;
        metadata.flags = protocol::metadata_flags::global_tables_spec;
        metadata.column_count = 2;
        metadata.columns.push_back({"ks", "paged", "id", protocol::data_type::of(protocol::type_kind::int_)});
        metadata.columns.push_back({"ks", "paged", "name", protocol::data_type::of(protocol::type_kind::varchar)});
        std::vector<std::vector<std::uint8_t>> storage;
        std::vector<protocol::raw_value> cells;
        storage.reserve(static_cast<std::size_t>(2 * (last - first + 1)));
        for (int id = first; id <= last; ++id) {
            auto& id_bytes = storage.emplace_back();
            protocol::byte_writer(id_bytes).write_int(id);
            cells.push_back(protocol::raw_value::of(id_bytes));
            const std::string name = "row-" + std::to_string(id);
            cells.push_back(protocol::raw_value::of(storage.emplace_back(name.begin(), name.end())));
        }
        protocol::response_frame_options frame;
        frame.stream = stream;
        std::vector<std::uint8_t> out;
        std::optional<protocol::bytes_view> paging_state;
        if (next_state) paging_state = protocol::as_bytes(*next_state);
        if (protocol::encode_result_rows(out, frame, metadata, cells, paging_state)) {
            s.send_raw(fake_cql_server::error_frame(stream, 0x0000, "cannot encode the page"));
            return;
        }
        s.send_raw(std::move(out));
    }

    mutable std::mutex mutex_;
    std::vector<std::optional<std::string>> states_;
    std::vector<std::optional<std::int32_t>> page_sizes_;
};

}  // namespace

TEST_CASE("a result in three pages prints every row once, in table, JSON and CSV") {
    fake_cql_server server({});  // plaintext, no login: paging is the subject here
    three_page_script script(server);
    runner run;
    const std::vector<std::string> connect{"127.0.0.1", std::to_string(server.port()), "-e", std::string(paged_query)};
    auto with = [&](std::vector<std::string> more) {
        std::vector<std::string> args = connect;
        args.insert(args.end(), more.begin(), more.end());
        return run(args);
    };

    SUBCASE("table") {
        const auto r = with({});
        CHECK(r.exit_code == 0);
        CHECK(r.err.empty());
        CHECK(r.out ==
              "\n id | name\n----+-------\n  1 | row-1\n  2 | row-2\n  3 | row-3\n  4 | row-4\n  5 | row-5\n"
              "  6 | row-6\n  7 | row-7\n  8 | row-8\n\n(8 rows)\n");
    }
    SUBCASE("json") {
        const auto r = with({"--format", "json"});
        CHECK(r.exit_code == 0);
        const auto doc = boost::json::parse(r.out);
        REQUIRE(doc.is_array());
        REQUIRE(doc.as_array().size() == 8);
        for (std::size_t i = 0; i < 8; ++i) {
            const auto& row = doc.as_array()[i].as_object();
            CHECK(row.size() == 2);
            CHECK(row.at("id").as_int64() == static_cast<std::int64_t>(i + 1));
            CHECK(row.at("name").as_string() == "row-" + std::to_string(i + 1));
        }
    }
    SUBCASE("csv") {
        const auto r = with({"--format", "csv"});
        CHECK(r.exit_code == 0);
        CHECK(r.out == "id,name\n1,row-1\n2,row-2\n3,row-3\n4,row-4\n5,row-5\n6,row-6\n7,row-7\n8,row-8\n");
    }
    // One request per page, each sending back the state of the page before, each paged.
    const std::vector<std::optional<std::string>> expected_states{std::nullopt, "after-page-1", "after-page-2"};
    CHECK(script.states_received() == expected_states);
    for (const auto& size : script.page_sizes_received()) {
        REQUIRE(size);
        CHECK(*size > 0);
    }
    CHECK(server.queries() == std::vector<std::string>(3, std::string(paged_query)));
}

// ---- PKCS#12 bundles and truststores, Java keystores ------------------------------------------------

namespace {

constexpr std::string_view client_subject = "/O=cqlwire tests/CN=cqlwire-tests-client";

// Flags for mutual TLS presenting the PKCS#12 bundle NAME (no --key), trusting `ca`.
std::vector<std::string> bundle_flags(std::uint16_t port, const std::string& name, std::vector<std::string> more = {},
                                      const std::string& ca = "server-ca.crt") {
    const auto& pki = test_pki::instance();
    std::vector<std::string> args{"--cafile", pki.path(ca), "--cert", pki.path(name), "-u", std::string(user),
                                  "localhost", std::to_string(port)};
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

}  // namespace

TEST_CASE("a PKCS#12 bundle as --cert or [ssl] usercert logs in with no key file, presenting its certificate") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string pass_file = run.home.write("bundle.pass", pki.key_password() + "\n");
    const std::vector<std::string> query{"-e", std::string(system_local)};

    SUBCASE("openssl's bundle, the passphrase from --key-password-file") {
        auto more = query;
        more.insert(more.begin(), {"--key-password-file", pass_file});
        check_system_local_table(run(bundle_flags(server.port(), "client.p12", more)));
    }
    SUBCASE("keytool's keystore, the passphrase from CQLWIRE_KEY_PASSWORD") {
        run.env["CQLWIRE_KEY_PASSWORD"] = pki.key_password();
        check_system_local_table(run(bundle_flags(server.port(), "client-keytool.p12", query)));
    }
    SUBCASE("the legacy algorithms") {
        run.env["CQLWIRE_KEY_PASSWORD"] = pki.key_password();
        check_system_local_table(run(bundle_flags(server.port(), "client-legacy.p12", query)));
    }
    SUBCASE("an unencrypted bundle needs no passphrase") {
        check_system_local_table(run(bundle_flags(server.port(), "client-plain.p12", query)));
    }
    SUBCASE("[ssl] usercert alone") {
        run.env["CQLWIRE_KEY_PASSWORD"] = pki.key_password();
        const std::string rc = run.home.write(
            "cqlshrc", "[authentication]\nusername = " + std::string(user) + "\n[connection]\nhostname = localhost\nport = " +
                           std::to_string(server.port()) + "\n[ssl]\ncertfile = " + pki.path("server-ca.crt") +
                           "\nusercert = " + pki.path("client.p12") + "\n");
        check_system_local_table(run({"--cqlshrc", rc, "-e", std::string(system_local)}));
    }
    CHECK(server.client_certificate_subjects() == std::vector<std::string>{std::string(client_subject)});
    CHECK(saw_credentials(server));
}

TEST_CASE("a PKCS#12 truststore as --cafile trusts the server, its password given like a key passphrase") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::vector<std::string> query{"-u", std::string(user), "-e", std::string(system_local)};

    SUBCASE("keytool's truststore, password changeit from --key-password-file") {
        auto flags = mtls_flags(server.port(), query);
        flags[1] = test_pki::instance().path("server-ca-truststore.p12");
        const std::string pass_file = run.home.write("store.pass", "changeit\n");
        flags.insert(flags.begin(), {"--key-password-file", pass_file});
        check_system_local_table(run(flags));
    }
    SUBCASE("openssl's truststore with the empty passphrase") {
        auto flags = mtls_flags(server.port(), query);
        flags[1] = test_pki::instance().path("server-ca-open.p12");
        check_system_local_table(run(flags));
    }
    SUBCASE("an unencrypted bundle and keytool's truststore, its password from CQLWIRE_KEY_PASSWORD") {
        run.env["CQLWIRE_KEY_PASSWORD"] = "changeit";
        check_system_local_table(run(bundle_flags(server.port(), "client-plain.p12", {"-e", std::string(system_local)},
                                                  "server-ca-truststore.p12")));
    }
}

TEST_CASE("PKCS#12 and keystore mistakes exit 2 naming the file and the cause, before connecting") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::vector<std::string> query{"-e", std::string(system_local)};
    auto expect_failure = [&](const std::vector<std::string>& args, const std::string& expected) {
        const auto r = run(args);
        CHECK(r.exit_code == 2);
        CHECK(r.err == expected);
        CHECK(r.out.empty());
    };

    const std::string bundle = pki.path("client.p12");
    expect_failure(bundle_flags(server.port(), "client.p12", query),
                   "cqlwire: PKCS#12 file '" + bundle +
                       "' (the client certificate) is encrypted and no passphrase was given: use --key-password-file "
                       "FILE, CQLWIRE_KEY_PASSWORD, or run on a terminal to be asked\n");

    const std::string wrong_file = run.home.write("wrong.pass", "not-the-passphrase\n");
    auto more = query;
    more.insert(more.begin(), {"--key-password-file", wrong_file});
    expect_failure(bundle_flags(server.port(), "client.p12", more),
                   "cqlwire: client certificate file '" + bundle + "' is a PKCS#12 file that the passphrase read from '" +
                       wrong_file + "' does not open: the passphrase is wrong (or the file is damaged)\n");

    const std::string truststore = pki.path("server-ca-truststore.p12");
    auto trust_flags = mtls_flags(server.port(), query);
    trust_flags[1] = truststore;
    expect_failure(trust_flags, "cqlwire: PKCS#12 truststore '" + truststore +
                                    "' (the CA file) needs its password and none was given: use --key-password-file "
                                    "FILE, CQLWIRE_KEY_PASSWORD, or run on a terminal to be asked (a Java truststore's "
                                    "is often changeit)\n");

    const auto contains_all = [&](const std::vector<std::string>& args, const std::vector<std::string>& parts) {
        const auto r = run(args);
        CHECK(r.exit_code == 2);
        for (const auto& part : parts) CHECK_MESSAGE(r.err.find(part) != std::string::npos, part);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    };
    contains_all(bundle_flags(server.port(), "client-nokey.p12", query),
                 {"'" + pki.path("client-nokey.p12") + "' is a PKCS#12 file that holds no private key"});
    contains_all(bundle_flags(server.port(), "client-nocert.p12", query),
                 {"'" + pki.path("client-nocert.p12") + "' is a PKCS#12 file that holds a private key but no certificate"});
    const std::string mismatched = run.home.str() + "/mismatched.p12";
    cqlwire::test::write_mismatched_pkcs12(pki, mismatched);
    auto mismatched_flags = bundle_flags(server.port(), "client-plain.p12", query);
    mismatched_flags[3] = mismatched;
    contains_all(mismatched_flags, {"the private key in PKCS#12 file '" + mismatched + "' belongs to none of its"});

    std::ifstream in(pki.path("client-plain.p12"), std::ios::binary);
    const std::string whole{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const std::string truncated = run.home.write("truncated.p12", whole.substr(0, whole.size() / 2));
    auto truncated_flags = bundle_flags(server.port(), "client-plain.p12", query);
    truncated_flags[3] = truncated;
    contains_all(truncated_flags, {"'" + truncated + "' is a PKCS#12 file that cannot be read, damaged or truncated"});

    for (const char* keystore : {"client.jks", "client.jceks"}) {
        const std::string path = pki.path(keystore);
        contains_all(bundle_flags(server.port(), keystore, query),
                     {"client certificate file '" + path + "' is a Java keystore",
                      "`keytool -importkeystore -srckeystore " + path + " -destkeystore " + path +
                          ".p12 -deststoretype PKCS12`"});
    }
    auto jks_trust = mtls_flags(server.port(), query);
    jks_trust[1] = pki.path("server-ca.jks");
    contains_all(jks_trust, {"CA file '" + pki.path("server-ca.jks") + "' is a Java keystore in JKS format",
                             "`keytool -importkeystore -srckeystore " + pki.path("server-ca.jks")});

    auto both = bundle_flags(server.port(), "client-plain.p12", {"--key", pki.path("client.key"), "-e", "x"});
    contains_all(both, {"'" + pki.path("client-plain.p12") + "' is a PKCS#12 bundle with its own private key",
                        "a private key file ('" + pki.path("client.key") + "') was given too"});

    // The bundle given as its own key too is the same identity: it still asks for its passphrase.
    contains_all(bundle_flags(server.port(), "client.p12", {"--key", bundle, "-e", "x"}),
                 {"PKCS#12 file '" + bundle + "' (the client certificate) is encrypted and no passphrase was given"});
    // A PEM certificate alone: exit 2 once read, naming both ways to give a key.
    contains_all(bundle_flags(server.port(), "client.crt", query),
                 {"a client certificate file ('" + pki.path("client.crt") +
                  "') was given without its private key file; give both, or a PKCS#12 bundle"});

    // A passphrase that nothing needs: a PEM CA file and no client certificate.
    const std::string pass_file = run.home.write("key.pass", "whatever\n");
    contains_all({"--cafile", pki.path("server-ca.crt"), "--key-password-file", pass_file, "localhost",
                  std::to_string(server.port()), "-e", "x"},
                 {"--key-password-file gives a key passphrase but nothing needs one"});
    CHECK(server.sessions_accepted() == 0);
}

TEST_CASE("on a terminal, the passphrase of a PKCS#12 bundle and a truststore's password are asked for") {
    fake_cql_server server(mtls_password_server());
    const auto& pki = test_pki::instance();
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);

    const std::string prompt = "Passphrase for " + pki.path("client.p12") + ": ";
    const auto r = run_on_terminal(bundle_flags(server.port(), "client.p12", {"-e", std::string(system_local)}), run.env,
                                   prompt, pki.key_password());
    INFO("terminal: " << r.shown);
    CHECK(r.exit_code == 0);
    CHECK(r.shown.starts_with(prompt));
    CHECK(r.shown.find(pki.key_password()) == std::string::npos);
    CHECK(r.shown.find("\n(1 rows)\r\n") != std::string::npos);

    const std::string store_prompt = "Password for truststore " + pki.path("server-ca-truststore.p12") + ": ";
    auto flags = mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)});
    flags[1] = pki.path("server-ca-truststore.p12");
    const auto store = run_on_terminal(flags, run.env, store_prompt, "changeit");
    INFO("terminal: " << store.shown);
    CHECK(store.exit_code == 0);
    CHECK(store.shown.starts_with(store_prompt));
    CHECK(store.shown.find("changeit") == std::string::npos);
    CHECK(server.client_certificate_subjects() ==
          std::vector<std::string>{std::string(client_subject), std::string(client_subject)});
}

TEST_CASE("a cqlsh credentials file gives the login: ~/.cassandra/credentials, the cqlshrc's, --credentials") {
    fake_cql_server server(mtls_password_server());
    SUBCASE("~/.cassandra/credentials, [PlainTextAuthProvider] as cqlsh 6 reads it") {
        runner run;
        std::filesystem::create_directory(run.home.str() + "/.cassandra");
        run.home.write(".cassandra/credentials", "[PlainTextAuthProvider]\nusername = " + std::string(user) +
                                                     "\npassword = " + std::string(password) + "\n");
        const auto r = run(mtls_flags(server.port(), {"-e", std::string(system_local)}));
        check_system_local_table(r);
        CHECK(saw_credentials(server));
        CHECK(r.err.empty());
    }
    SUBCASE("--credentials FILE with [plain_text_auth]; -u still wins over its user") {
        runner run;
        const std::string file = run.home.write(
            "creds", "# mine\n[plain_text_auth]\nUserName = someone_else\npassword = " + std::string(password) + "\n");
        const auto r = run(mtls_flags(server.port(), {"--credentials", file, "-u", std::string(user), "-e",
                                                      std::string(system_local)}));
        check_system_local_table(r);
        CHECK(saw_credentials(server));
    }
    SUBCASE("[authentication] credentials in the cqlshrc") {
        runner run;
        const std::string file =
            run.home.write("creds", "[plain_text_auth]\nusername = " + std::string(user) + "\npassword = " +
                                        std::string(password) + "\n");
        const std::string rc = run.home.write("cqlshrc", "[authentication]\ncredentials = " + file + "\n");
        const auto r = run(mtls_flags(server.port(), {"--cqlshrc", rc, "-e", std::string(system_local)}));
        check_system_local_table(r);
        CHECK(saw_credentials(server));
    }
}

TEST_CASE("a credentials file others can read is not used, a missing --credentials is exit 2, a bad line names no secret") {
    fake_cql_server server(mtls_password_server());
    runner run;
    const std::string open_file = run.home.write(
        "creds", "[plain_text_auth]\nusername = " + std::string(user) + "\npassword = " + std::string(password) + "\n",
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write | std::filesystem::perms::others_read);
    const auto ignored = run(mtls_flags(server.port(), {"--credentials", open_file, "-e", std::string(system_local)}));
    CHECK(ignored.err.find("credentials file '" + open_file + "' is not used: its group or others can read it") !=
          std::string::npos);
    CHECK_FALSE(saw_credentials(server));
    CHECK(ignored.exit_code == 5);  // the server wanted the password the file was not allowed to give

    const auto missing = run(mtls_flags(server.port(), {"--credentials", run.home.path("none"), "-e", "SELECT 1"}));
    CHECK(missing.exit_code == 2);
    CHECK(missing.err.find("--credentials: cannot read '" + run.home.path("none") + "'") != std::string::npos);

    // The bad line is the password itself: the message names the line, never its text.
    const std::string bad = run.home.write("bad", "[plain_text_auth]\n" + std::string(password) + "\n");
    const auto refused = run(mtls_flags(server.port(), {"--credentials", bad, "-e", "SELECT 1"}));
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find(bad + ":2: expected 'key = value'") != std::string::npos);
}

TEST_CASE("CAPTURE appends the results to a file, the shell's messages stay on the terminal; a failing file stops the run") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string file = run.home.path("captured.txt");
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "-e",
                                                  "CAPTURE '" + file + "'; CAPTURE; " + std::string(system_local) +
                                                      "; CAPTURE OFF; CAPTURE OFF"}));
    CHECK(r.exit_code == 6);  // the second CAPTURE OFF
    CHECK(r.out == "Now capturing query output to '" + file + "'.\nCurrently capturing query output to '" + file + "'.\n");
    CHECK(r.err.find("Not currently capturing output.") != std::string::npos);
    std::ifstream in(file);
    const std::string captured((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(captured.ends_with("\n(1 rows)\n"));
    CHECK(captured.find(" key ") != std::string::npos);

    SUBCASE("a full disk: exit 11, naming the file, nothing more run") {
        const auto full = run(mtls_flags(server.port(), {"-u", std::string(user), "-e",
                                                         "CAPTURE '/dev/full'; " + std::string(system_local) + "; CONSISTENCY"}));
        CHECK(full.exit_code == 11);
        CHECK(full.err.find("cannot write to capture file '/dev/full': No space left on device") != std::string::npos);
        CHECK(full.out.find("Current consistency level") == std::string::npos);
    }
    SUBCASE("a FIFO nobody reads and a directory are refused at once") {
        const std::string fifo = run.home.path("fifo");
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        const auto refused = run(mtls_flags(server.port(), {"-u", std::string(user), "-e",
                                                            "CAPTURE '" + fifo + "'; CAPTURE '" + run.home.str() + "'"}));
        CHECK(refused.exit_code == 6);
        CHECK(refused.err.find("Could not open '" + fifo + "' for append: No such device or address") != std::string::npos);
        CHECK(refused.err.find("Could not open '" + run.home.str() + "' for append: Is a directory") != std::string::npos);
    }
}

TEST_CASE("CAPTURE refuses a file the run reads or writes: results never land in a credential") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const auto& pki = test_pki::instance();
    const std::string key_copy = run.home.write("client.key", "not a key, but it must stay as it is\n");
    const std::string trace = run.home.path("trace.txt");
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "--trace-file", trace, "-e",
                                                  "CAPTURE '" + pki.path("client.key") + "'; CAPTURE '" + trace +
                                                      "'; CAPTURE '" + key_copy + "'"}));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("CAPTURE '" + pki.path("client.key") + "' is the file given as --key") != std::string::npos);
    CHECK(r.err.find("CAPTURE '" + trace + "' is the file given as --trace-file") != std::string::npos);
    // Any other file may be captured to.
    CHECK(r.out == "Now capturing query output to '" + key_copy + "'.\n");
}

TEST_CASE("-t/--tty runs the shell on a pipe, as cqlsh's; -C is taken without a warning") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    cqlwire::test::process_options o;
    o.env = run.env;
    o.stdin_text = "CONSISTENCY QUORUM\nCONSISTENCY\n";
    o.timeout = std::chrono::seconds(30);
    const auto r = cqlwire::test::run_process(
        CQLWIRE_BINARY, mtls_flags(server.port(), {"-u", std::string(user), "--tty", "-C"}), o);
    INFO("stdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    // The prompt names the user, as cqlsh's does.
    const std::string prompt = std::string(user) + "@cqlwire> ";
    CHECK(r.out.find("Use HELP for help.\n" + prompt + "Consistency level set to QUORUM.\n" + prompt +
                     "Current consistency level is QUORUM.") != std::string::npos);
    CHECK(r.err.find("warning") == std::string::npos);
    // Without --tty the same pipe is a script: no banner, no prompt.
    const auto script = cqlwire::test::run_process(
        CQLWIRE_BINARY, mtls_flags(server.port(), {"-u", std::string(user), "--no-color"}), o);
    CHECK(script.exit_code == 0);
    CHECK(script.out == "Consistency level set to QUORUM.\nCurrent consistency level is QUORUM.\n");
}

TEST_CASE("CAPTURE refuses the SOURCE files being run and a script on standard input; SOURCE refuses the capture file") {
    // Found by an independent tester: the results were appended to the file being read, and
    // read back as statements.
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const std::string self = run.home.path("self.cql");
    run.home.write("self.cql", "CAPTURE '" + self + "'\n");
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "-e", "SOURCE '" + self + "'"}));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("CAPTURE '" + self + "' is the file given as SOURCE") != std::string::npos);
    CHECK(r.out.find("Now capturing") == std::string::npos);

    const std::string out = run.home.path("out.txt");
    const auto back = run(mtls_flags(server.port(), {"-u", std::string(user), "-e",
                                                     "CAPTURE '" + out + "'; SOURCE '" + out + "'"}));
    CHECK(back.err.find("SOURCE '" + out + "' is the file CAPTURE appends to; CAPTURE OFF first") != std::string::npos);

    const std::string script = run.home.write("script.cql", "CAPTURE '" + run.home.path("script.cql") + "'\n");
    cqlwire::test::process_options o;
    o.env = run.env;
    o.timeout = std::chrono::seconds(30);
    const auto piped = cqlwire::test::run_process(
        "/bin/sh", {"-c", std::string(CQLWIRE_BINARY) + " \"$@\" < " + script, "sh", "-u", std::string(user),
                    "--cafile", test_pki::instance().path("server-ca.crt"), "--cert", test_pki::instance().path("client.crt"),
                    "--key", test_pki::instance().path("client.key"), "localhost", std::to_string(server.port())},
        o);
    INFO("stdout: " << piped.out << "\nstderr: " << piped.err);
    CHECK(piped.exit_code == 6);
    CHECK(piped.err.find("is the file given as standard input") != std::string::npos);
}

TEST_CASE("a TZ naming a FIFO or a device: a warning, UTC, and nothing waits on it (nor the C library's time code)") {
    fake_cql_server server(mtls_password_server());
    runner run;
    std::filesystem::create_directories(run.home.str() + "/zones/Foo");
    const std::string fifo = run.home.str() + "/zones/Foo/Fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    run.env["TZDIR"] = run.home.str() + "/zones";
    for (const std::string& tz : std::vector<std::string>{"Foo/Fifo", ":" + fifo, ":/dev/zero"}) {
        CAPTURE(tz);
        run.env["TZ"] = tz;
        const auto start = std::chrono::steady_clock::now();
        const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)}));
        CHECK(r.exit_code == 0);
        CHECK(r.err.find("warning: TZ: ") != std::string::npos);
        CHECK(r.err.find("timestamps are shown in UTC") != std::string::npos);
        // A bound for a hang, not a measure of speed: the read would wait 10 s, the C library forever.
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));
    }
}

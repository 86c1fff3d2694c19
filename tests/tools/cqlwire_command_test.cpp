#include "test_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"

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
class temp_dir {
public:
    temp_dir() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cqlwire-cmd-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    std::string write(std::string_view name, std::string_view content) const {
        const auto p = path_ / name;
        std::ofstream(p, std::ios::binary) << content;
        std::filesystem::permissions(p, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
        return p.string();
    }
    std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

fake_cql_server::options mtls_password_server() {
    const auto& pki = test_pki::instance();
    fake_cql_server::options o;
    o.tls = fake_cql_server::tls_settings{pki.path("server.crt"), pki.path("server.key"),
                                          pki.path("trusted-client-cas.pem"), true};
    o.authenticator_class = "org.apache.cassandra.auth.PasswordAuthenticator";
    o.username = std::string(user);
    o.password = std::string(password);
    return o;
}

struct runner {
    temp_dir home;
    std::map<std::string, std::string> env;

    runner() {
        env["HOME"] = home.str();
        // Unset anything of the caller's that the command reads.
        for (const char* name : {"CQLWIRE_PASSWORD", "CQLSH_HOST", "CQLSH_PORT", "SSL_CERTFILE", "SSL_VALIDATE"})
            env[name] = "";
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
        // Whatever happened, the password never shows.
        CHECK(r.out.find(password) == std::string::npos);
        CHECK(r.err.find(password) == std::string::npos);
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

TEST_CASE("the password from CQLWIRE_PASSWORD, -p and no password at all") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    check_system_local_table(run(mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)})));
    run.env["CQLWIRE_PASSWORD"] = "";
    const auto p = run(mtls_flags(server.port(), {"-u", std::string(user), "-p", std::string(password), "-e",
                                                  std::string(system_local)}));
    CHECK(p.exit_code == 0);
    // No terminal to ask on: a clear configuration error rather than a hang.
    const auto none = run(mtls_flags(server.port(), {"-u", std::string(user), "-e", std::string(system_local)}));
    CHECK(none.exit_code == 2);
    CHECK(none.err.starts_with("cqlwire: a user name is set but no password"));
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

TEST_CASE("a rejected statement exits 6 with the server's text quoted; later statements still run") {
    fake_cql_server server(mtls_password_server());
    runner run;
    run.env["CQLWIRE_PASSWORD"] = std::string(password);
    const auto r = run(mtls_flags(server.port(), {"-u", std::string(user), "-e",
                                                  "SELECT nonsense FROM nowhere;\n" + std::string(system_local)}));
    CHECK(r.exit_code == 6);
    CHECK(r.err == "cqlwire: -e:1: " + make_error_code(cqlwire::protocol::server_errc::invalid).message() +
                       "\ncqlwire: server said: \"the fake server has no answer for this query\"\n");
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
    CHECK(missing_rc.err.starts_with("cqlwire: cqlshrc: cannot read '"));

    const std::string bad_rc = run.home.write("bad", "[connection]\nport = ninety\n");
    const auto bad = run({"--cqlshrc", bad_rc, "-e", "x"});
    CHECK(bad.exit_code == 2);
    CHECK(bad.err == "cqlwire: " + bad_rc + ":2: [connection] port: 'ninety' is not a port (1-65535)\n");

    const auto missing_key = run({"--cert", run.home.str() + "/c.pem", "--key", run.home.str() + "/k.pem", "-e", "x"});
    CHECK(missing_key.exit_code == 2);

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

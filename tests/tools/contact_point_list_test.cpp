// The command given a list of contact points: each is checked against its own [certfiles] CA,
// a node that refuses the start-up is passed over like one that cannot be reached, a contact
// point listed twice is tried once, and when none can be used the error says so and keeps the
// exit code of the first that answered; a connection lost during the run is replaced, from the
// node it went to on. The real binary against in-process fake servers.
#include "test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cqlwire/protocol/errc.hpp"
#include "exit_codes.hpp"
#include "fake_cql_server.hpp"
#include "mtls_fake_server.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"
#include "terminal_session.hpp"

namespace {

using cqlwire::cli::exit_code;
using cqlwire::cli::to_int;
using cqlwire::test::fake_cql_server;
using cqlwire::test::process_result;
using cqlwire::test::test_pki;
using cqlwire::test::temp_dir;

constexpr std::string_view user = "app";
constexpr std::string_view password = "list-test-password";
constexpr std::string_view system_local = "SELECT * FROM system.local";
// Nothing listens on port 1 of loopback: connecting there is refused at once.
constexpr std::string_view refused_point = "127.0.0.1:1";

fake_cql_server::options node() {
    return cqlwire::test::mtls_password_server_options(std::string(user), std::string(password));
}

// The bytes a fake node sends instead of READY, given the STARTUP's stream id.
using startup_answer = std::function<std::vector<std::uint8_t>(std::int16_t)>;

// Makes `server` answer STARTUP with `answer`.
void answer_startup(fake_cql_server& server, startup_answer answer) {
    server.on_opcode(cqlwire::protocol::opcode::startup,
                     [answer = std::move(answer)](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
                         s.send_raw(answer(r.header.stream));
                     });
}

// Makes `server` answer STARTUP with ERROR `code`.
void refuse_startup(fake_cql_server& server, cqlwire::protocol::server_errc code) {
    answer_startup(server, [code](std::int16_t stream) {
        return fake_cql_server::error_frame(stream, static_cast<std::int32_t>(code), "not now");
    });
}

std::string point(std::string_view host, const fake_cql_server& server) {
    return std::string(host) + ":" + std::to_string(server.port());
}

struct runner {
    temp_dir home{"cqlwire-list"};

    // A cqlshrc for mutual TLS with the test PKI, trusting server-ca for every host but those
    // `certfiles` names.
    std::string cqlshrc(const std::map<std::string, std::string>& certfiles = {}) const {
        const auto& pki = test_pki::instance();
        std::string rc = "[authentication]\nusername = " + std::string(user) + "\n\n[connection]\nssl = true\n\n"
                         "[ssl]\ncertfile = " + pki.path("server-ca.crt") + "\nvalidate = true\nuserkey = " +
                         pki.path("client.key") + "\nusercert = " + pki.path("client.crt") + "\n";
        if (!certfiles.empty()) {
            rc += "\n[certfiles]\n";
            for (const auto& [host, file] : certfiles) rc += host + " = " + file + "\n";
        }
        return home.write("cqlshrc", rc);
    }

    process_result operator()(const std::string& rc, const std::string& hosts,
                              const std::map<std::string, std::string>& more_env = {}) const {
        return command(rc, hosts, {"-e", std::string(system_local)}, more_env);
    }

    // The command with the cqlshrc `rc`, the contact points `hosts`, then `more`; or, with
    // `paced_statements`, the command reading those statements from standard input, two
    // seconds apart.
    process_result command(const std::string& rc, const std::string& hosts, const std::vector<std::string>& more,
                           const std::map<std::string, std::string>& more_env = {},
                           const std::vector<std::string>& paced_statements = {}) const {
        cqlwire::test::process_options o;
        o.env = cqlwire::test::isolated_cqlwire_env(home.str());
        o.env["CQLWIRE_PASSWORD"] = std::string(password);
        for (const auto& [name, value] : more_env) o.env[name] = value;
        o.timeout = std::chrono::seconds(60);
        std::vector<std::string> args{"--cqlshrc", rc, "--connect-timeout", "5", hosts};
        args.insert(args.end(), more.begin(), more.end());
        process_result r;
        if (paced_statements.empty()) {
            r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
        } else {
            // sh -c SCRIPT sh BINARY STATEMENT... -- ARG...: the statements go into the command
            // two seconds apart; it takes the arguments after the "--".
            std::vector<std::string> sh{"-c",
                                        "binary=$1; shift; "
                                        "(while [ \"$1\" != -- ]; do printf '%s\\n' \"$1\"; sleep 2; shift; done) | "
                                        "{ while [ \"$1\" != -- ]; do shift; done; shift; exec \"$binary\" \"$@\"; }",
                                        "sh", CQLWIRE_BINARY};
            sh.insert(sh.end(), paced_statements.begin(), paced_statements.end());
            sh.emplace_back("--");
            sh.insert(sh.end(), args.begin(), args.end());
            r = cqlwire::test::run_process("/bin/sh", sh, o);
        }
        INFO("stdout: " << r.out);
        INFO("stderr: " << r.err);
        CHECK_FALSE(r.timed_out);
        if (r.exit_code >= 128 || r.err.find("Sanitizer") != std::string::npos) FAIL_CHECK("cqlwire crashed: " << r.err);
        CHECK(r.out.find(password) == std::string::npos);
        CHECK(r.err.find(password) == std::string::npos);
        return r;
    }
};

bool logged_in(const fake_cql_server& server) { return !server.auth_tokens().empty(); }

// `failing` first, then `serving`: the first is named in a warning and the second serves.
void check_passed_over(const runner& run, const std::string& rc, const fake_cql_server& failing,
                       const fake_cql_server& serving) {
    const auto r = run(rc, point("localhost", failing) + "," + point("localhost", serving));
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("warning: contact point " + point("localhost", failing) + " failed") != std::string::npos);
    CHECK(r.err.find("trying the next") != std::string::npos);
    CHECK(logged_in(serving));
}

// `failing` alone: the command fails with `code`, saying `why`.
void check_fails_alone(const runner& run, const std::string& rc, const fake_cql_server& failing, exit_code code,
                       std::string_view why) {
    const auto alone = run(rc, point("localhost", failing));
    CHECK(alone.exit_code == to_int(code));
    CHECK(alone.err.find(why) != std::string::npos);
}

}  // namespace

TEST_CASE("contact points: each is checked against its own [certfiles] CA, also in a list and with a port") {
    const auto& pki = test_pki::instance();
    fake_cql_server pinned(node());
    fake_cql_server other(node());
    runner run;
    // 127.0.0.1 is pinned to a CA that did not sign the node's certificate; localhost is not.
    const auto rc = run.cqlshrc({{"127.0.0.1", pki.path("other-ca.crt")}});

    SUBCASE("alone, with its port") {
        const auto r = run(rc, point("127.0.0.1", pinned));
        CHECK(r.exit_code == to_int(exit_code::tls));
        CHECK(r.err.find("not trusted") != std::string::npos);
        // The usual hint names --cafile and [ssl] certfile; this node was checked against neither.
        CHECK(r.err.find("cqlwire: " + point("127.0.0.1", pinned) +
                         " was checked against the CA file of the cqlshrc's [certfiles] 127.0.0.1 = " +
                         pki.path("other-ca.crt") + "\n") != std::string::npos);
        CHECK_FALSE(logged_in(pinned));
    }
    SUBCASE("first of a list: passed over, the next one serves") {
        const auto r = run(rc, point("127.0.0.1", pinned) + "," + point("localhost", other));
        CHECK(r.exit_code == 0);
        CHECK(r.err.find("warning: contact point " + point("127.0.0.1", pinned) + " failed") != std::string::npos);
        CHECK(r.err.find("(checked against the CA file of the cqlshrc's [certfiles] 127.0.0.1 = " +
                         pki.path("other-ca.crt") + "); trying the next") != std::string::npos);
        CHECK(r.out.find("(1 rows)") != std::string::npos);
        CHECK_FALSE(logged_in(pinned));
        CHECK(logged_in(other));
    }
    SUBCASE("the same node under a name that is not pinned: the [ssl] CA") {
        const auto r = run(rc, point("localhost", pinned));
        CHECK(r.exit_code == 0);
        CHECK(logged_in(pinned));
    }
    SUBCASE("a pinned CA file that cannot be read is a configuration error, wherever it is in the list") {
        const auto bad = run.cqlshrc({{"localhost", run.home.path("no-such-ca.pem")}});
        const auto r = run(bad, point("127.0.0.1", other) + "," + point("localhost", other));
        CHECK(r.exit_code == to_int(exit_code::configuration));
        CHECK(r.err.find("cqlwire: that CA file is the cqlshrc's [certfiles] entry localhost = " +
                         run.home.path("no-such-ca.pem") + "\n") != std::string::npos);
        CHECK(other.sessions_accepted() == 0);
        // Alone too, where the entry is also the CA file for every host.
        const auto alone = run(bad, point("localhost", other));
        CHECK(alone.exit_code == to_int(exit_code::configuration));
        CHECK(alone.err.find("[certfiles] entry localhost = ") != std::string::npos);
    }
}

TEST_CASE("contact points: a node that refuses the start-up as busy or starting is passed over") {
    using cqlwire::protocol::server_errc;
    for (const auto code : {server_errc::overloaded, server_errc::is_bootstrapping, server_errc::server_error}) {
        CAPTURE(static_cast<int>(code));
        fake_cql_server refusing(node());
        refuse_startup(refusing, code);
        fake_cql_server serving(node());
        runner run;
        const auto rc = run.cqlshrc();
        check_passed_over(run, rc, refusing, serving);
        // Alone, it cannot serve now: a node's failure (exit 3), not a rejected statement.
        check_fails_alone(run, rc, refusing, exit_code::network, "refused the start-up");
    }
}

TEST_CASE("contact points: any other refusal of the start-up stops there, as a node's failure (exit 3)") {
    using cqlwire::protocol::server_errc;
    for (const auto code : {server_errc::protocol_error, server_errc::invalid, static_cast<server_errc>(0x9999)}) {
        CAPTURE(static_cast<int>(code));
        fake_cql_server refusing(node());
        refuse_startup(refusing, code);
        fake_cql_server serving(node());
        runner run;
        const auto r = run(run.cqlshrc(), point("localhost", refusing) + "," + point("localhost", serving));
        CHECK(r.exit_code == to_int(exit_code::network));
        CHECK(r.err.find("refused the start-up") != std::string::npos);
        CHECK(serving.sessions_accepted() == 0);
    }
}

TEST_CASE("contact points: a node whose answer to STARTUP is not CQL v4 is passed over like one that cannot be reached") {
    // What a node can send instead of READY: an answer in another protocol version (as a node
    // refusing v4 does), bytes that are no frame, a frame with an opcode no version has, and an
    // ERROR whose body ends early.
    const auto other_version = [](std::int16_t stream) {
        auto f = fake_cql_server::error_frame(stream, 0x000A, "Invalid or unsupported protocol version (4)");
        f[0] = 0x85;
        return f;
    };
    const auto no_frame = [](std::int16_t) { return std::vector<std::uint8_t>(64, 0xEE); };
    const auto unknown_opcode = [](std::int16_t stream) {
        auto f = fake_cql_server::ready_frame(stream);
        f[4] = 0x7F;
        return f;
    };
    const auto short_error = [](std::int16_t stream) {
        auto f = fake_cql_server::error_frame(stream, 0x000A, "cut");
        f.resize(f.size() - 2);
        f[8] = static_cast<std::uint8_t>(f.size() - 9);
        return f;
    };
    const std::vector<std::pair<std::string, startup_answer>> answers = {
        {"another protocol version", other_version},
        {"bytes that are no frame", no_frame},
        {"an unknown opcode", unknown_opcode},
        {"a truncated ERROR body", short_error}};
    for (const auto& [what, answer] : answers) {
        CAPTURE(what);
        fake_cql_server garbled(node());
        answer_startup(garbled, answer);
        fake_cql_server serving(node());
        runner run;
        const auto rc = run.cqlshrc();
        check_passed_over(run, rc, garbled, serving);
        // Alone, or the only one that answered: the server broke the protocol (exit 7).
        const auto alone = run(rc, point("localhost", garbled));
        CHECK(alone.exit_code == to_int(exit_code::protocol_violation));
        const auto with_refused = run(rc, std::string(refused_point) + "," + point("localhost", garbled));
        CHECK(with_refused.exit_code == to_int(exit_code::protocol_violation));
        CHECK(with_refused.err.find("none of the 2 contact points could be used") != std::string::npos);
    }
}

TEST_CASE("contact points: a node that does not trust the client certificate is passed over") {
    // As during a rotation of the client CA, when one node's truststore is not updated yet.
    const auto& pki = cqlwire::test::test_pki::instance();
    auto options = node();
    options.tls->client_ca_file = pki.path("other-ca.crt");
    fake_cql_server distrusting(options);
    fake_cql_server serving(node());
    runner run;
    const auto rc = run.cqlshrc();
    check_passed_over(run, rc, distrusting, serving);
    check_fails_alone(run, rc, distrusting, exit_code::tls, "rejected the client certificate");
}

TEST_CASE("contact points: when none can be used, the error says so and keeps the first telling exit code") {
    const auto& pki = test_pki::instance();
    fake_cql_server untrusted(node());
    runner run;
    const auto rc = run.cqlshrc({{"127.0.0.1", pki.path("other-ca.crt")}});
    // The node whose certificate does not verify says more than the refused port after it: the
    // exit code is the TLS failure's, in either order.
    for (const auto& hosts : {point("127.0.0.1", untrusted) + "," + std::string(refused_point),
                              std::string(refused_point) + "," + point("127.0.0.1", untrusted)}) {
        CAPTURE(hosts);
        const auto r = run(rc, hosts);
        CHECK(r.exit_code == to_int(exit_code::tls));
        CHECK(r.err.find("none of the 2 contact points could be used") != std::string::npos);
    }
    // The first that answered decides, also when it refused the start-up: exit 3 then.
    fake_cql_server busy(node());
    refuse_startup(busy, cqlwire::protocol::server_errc::overloaded);
    const auto busy_first = run(rc, point("localhost", busy) + "," + point("127.0.0.1", untrusted));
    CHECK(busy_first.exit_code == to_int(exit_code::network));
    const auto busy_last = run(rc, point("127.0.0.1", untrusted) + "," + point("localhost", busy));
    CHECK(busy_last.exit_code == to_int(exit_code::tls));
    // Nothing but refused ports: a network failure.
    const auto r = run(rc, std::string(refused_point) + ",127.0.0.2:1");
    CHECK(r.exit_code == to_int(exit_code::network));
    CHECK(r.err.find("none of the 2 contact points could be used") != std::string::npos);
    CHECK(r.err.find("warning: contact point 127.0.0.1:1 failed") != std::string::npos);
}

TEST_CASE("contact points: one listed twice is tried once") {
    fake_cql_server serving(node());
    runner run;
    const auto rc = run.cqlshrc();
    const auto r = run(rc, std::string(refused_point) + ",127.0.0.1:01," + std::string(refused_point) + "," +
                               point("LOCALHOST", serving) + "," + point("localhost", serving));
    CHECK(r.exit_code == 0);
    const auto count = [&](const std::string& text) {
        std::size_t n = 0;
        for (auto at = r.err.find(text); at != std::string::npos; at = r.err.find(text, at + 1)) ++n;
        return n;
    };
    CHECK(count("contact point 127.0.0.1:1 failed") == 1);
    CHECK(count("contact point 127.0.0.1:1 is listed more than once; it is tried once") == 2);
    CHECK(count("contact point localhost:" + std::to_string(serving.port()) + " is listed more than once") == 1);
    CHECK(serving.sessions_accepted() == 1);
}

TEST_CASE("contact points: an address written two ways is one contact point") {
    fake_cql_server serving(node());
    runner run;
    const auto rc = run.cqlshrc();
    const auto port = std::to_string(serving.port());
    // IPv6 loopback spelled three ways; the refused port first, so that trying it twice shows.
    const auto r = run(rc, "[::1]:1,[0:0::1]:1,[0000:0:0:0:0:0:0:1]:1,localhost:" + port);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("contact point [0:0::1]:1 is listed more than once; it is tried once") != std::string::npos);
    CHECK(r.err.find("contact point [0000:0:0:0:0:0:0:1]:1 is listed more than once") != std::string::npos);
    std::size_t failures = 0;
    for (auto at = r.err.find(" failed: "); at != std::string::npos; at = r.err.find(" failed: ", at + 1)) ++failures;
    CHECK(failures == 1);
    // The same address on another port is another contact point.
    const auto ports = run(rc, "127.0.0.1:1,127.0.0.1:" + port);
    CHECK(ports.exit_code == 0);
    CHECK(ports.err.find("listed more than once") == std::string::npos);
}

TEST_CASE("contact points: a malformed CQLSH_HOST is a configuration error, as a malformed CQLSH_PORT is") {
    temp_dir home{"cqlwire-list"};
    cqlwire::test::process_options o;
    o.env = cqlwire::test::isolated_cqlwire_env(home.str());
    o.env["CQLSH_HOST"] = "127.0.0.1,,127.0.0.2";
    o.timeout = std::chrono::seconds(30);
    const auto r = cqlwire::test::run_process(CQLWIRE_BINARY, {"-e", std::string(system_local)}, o);
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == to_int(exit_code::configuration));
    CHECK(r.err == "cqlwire: CQLSH_HOST: contact point 2 of the list is empty (two commas in a row, or one at an end)\n");
}

TEST_CASE("contact points: a PKCS#12 truststore named in [certfiles] takes the key passphrase, also in a list") {
    const auto& pki = test_pki::instance();
    fake_cql_server pinned(node());
    fake_cql_server other(node());
    runner run;
    const auto rc = run.cqlshrc({{"127.0.0.1", pki.path("server-ca-truststore.p12")}});
    const std::string hosts = point("127.0.0.1", pinned) + "," + point("localhost", other);
    // Without its password (and no terminal to ask on): named, before anything is dialed.
    const auto missing = run(rc, hosts);
    CHECK(missing.exit_code == to_int(exit_code::configuration));
    CHECK(missing.err.find("PKCS#12 truststore '" + pki.path("server-ca-truststore.p12") + "' (the CA file) needs its password") !=
          std::string::npos);
    CHECK(pinned.sessions_accepted() + other.sessions_accepted() == 0);
    // With it, the pinned node verifies through the truststore and serves.
    const auto given = run(rc, hosts, {{"CQLWIRE_KEY_PASSWORD", "changeit"}});
    CHECK(given.exit_code == 0);
    CHECK(logged_in(pinned));
    CHECK_FALSE(logged_in(other));
}

namespace {

// A RESULT Set_keyspace frame, the answer to USE.
std::vector<std::uint8_t> set_keyspace_frame(std::int16_t stream, std::string_view keyspace) {
    std::vector<std::uint8_t> out;
    const auto put_u32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
    };
    out.push_back(0x84);  // version 4, a response
    out.push_back(0x00);  // no flags
    out.push_back(static_cast<std::uint8_t>(static_cast<std::uint16_t>(stream) >> 8));
    out.push_back(static_cast<std::uint8_t>(stream));
    out.push_back(0x08);  // RESULT
    put_u32(static_cast<std::uint32_t>(4 + 2 + keyspace.size()));
    put_u32(0x0003);  // Set_keyspace
    out.push_back(0x00);
    out.push_back(static_cast<std::uint8_t>(keyspace.size()));
    for (const char c : keyspace) out.push_back(static_cast<std::uint8_t>(c));
    return out;
}

// Makes `server` answer USE shop (as the command sends it, and as it selects it again).
void serve_keyspace(fake_cql_server& server) {
    for (const auto* use : {"USE shop", "USE \"shop\""})
        server.on_query(use, [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
            s.send_raw(set_keyspace_frame(r.header.stream, "shop"));
        });
}

std::size_t count_of(const std::vector<std::string>& queries, std::string_view query) {
    return static_cast<std::size_t>(std::count(queries.begin(), queries.end(), query));
}

// A node that asks for no password (it lets in one session only, see admit_while).
fake_cql_server::options passwordless_node() {
    auto o = node();
    o.authenticator_class.clear();
    return o;
}

// Makes a passwordless `server` take a session while `open()` says so, and refuse it as
// Overloaded otherwise.
void admit_while(fake_cql_server& server, std::function<bool()> open) {
    answer_startup(server, [open = std::move(open)](std::int16_t stream) {
        return open() ? fake_cql_server::ready_frame(stream) : fake_cql_server::error_frame(stream, 0x1001, "overloaded");
    });
}

// Makes `server` take its first session only.
void admit_once(fake_cql_server& server) {
    auto startups = std::make_shared<std::atomic<int>>(0);
    admit_while(server, [startups] { return ++*startups == 1; });
}

// Makes `server` drop the connection, unanswered, when it receives `query`.
void drop_connection_on(fake_cql_server& server, std::string_view query) {
    server.on_query(std::string(query),
                    [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request&) { s.close(); });
}

}  // namespace

TEST_CASE("contact points: a connection lost under a statement: the statement is reported, not run again, and "
          "the next goes to the next contact point, in the keyspace in use") {
    constexpr std::string_view insert = "INSERT INTO t (k) VALUES (1)";
    // The first node lets in one session, drops the connection under the INSERT, and is busy
    // from then on.
    fake_cql_server first(passwordless_node());
    admit_once(first);
    serve_keyspace(first);
    drop_connection_on(first, insert);
    fake_cql_server second(node());
    serve_keyspace(second);
    runner run;
    const auto rc = run.cqlshrc();
    const auto r = run.command(rc, point("localhost", first) + "," + point("localhost", second),
                               {"-e", "USE shop; " + std::string(insert) + "; " + std::string(system_local)});
    CHECK(r.exit_code == to_int(exit_code::network));
    CHECK(r.err.find("the connection to " + point("localhost", first) +
                     " was lost; connecting again (the statement under way is not run again)") != std::string::npos);
    CHECK(r.err.find("warning: contact point " + point("localhost", first) + " failed") != std::string::npos);
    CHECK(r.err.find("warning: connected to " + point("localhost", second) + "\n") != std::string::npos);
    CHECK(r.out.find("(1 rows)") != std::string::npos);
    CHECK(count_of(first.queries(), insert) == 1);
    CHECK(count_of(second.queries(), insert) == 0);
    CHECK(count_of(second.queries(), "USE \"shop\"") == 1);
    CHECK(count_of(second.queries(), system_local) == 1);
    CHECK(logged_in(second));
}

TEST_CASE("contact points: a connection closed while no statement ran is replaced before the next one is sent") {
    fake_cql_server only(node());
    serve_keyspace(only);
    runner run;
    const auto rc = run.cqlshrc();
    process_result r;
    std::thread command([&] {
        r = run.command(rc, point("localhost", only), {}, {}, {"USE shop;", std::string(system_local) + ";"});
    });
    // Once the USE was answered, the node drops the connection, well before the next statement.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (count_of(only.queries(), "USE shop") == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    REQUIRE(only.last_session() != nullptr);
    only.last_session()->close();
    command.join();
    CHECK(r.exit_code == 0);
    // The node it went to is tried first again.
    CHECK(r.err.find("the connection to " + point("localhost", only) + " was lost (") != std::string::npos);
    CHECK(r.err.find("warning: connected to " + point("localhost", only) + "\n") != std::string::npos);
    CHECK(r.err.find("not run again") == std::string::npos);
    CHECK(r.out.find("(1 rows)") != std::string::npos);
    CHECK(only.sessions_accepted() == 2);
    CHECK(count_of(only.queries(), "USE \"shop\"") == 1);
    CHECK(count_of(only.queries(), system_local) == 1);
}

TEST_CASE("contact points: a script whose connection is lost ends when no node can take it again") {
    fake_cql_server only(passwordless_node());
    admit_once(only);
    drop_connection_on(only, "SELECT 1 FROM t");
    runner run;
    const auto rc = run.cqlshrc();
    const auto r = run.command(rc, point("localhost", only),
                               {"-e", "SELECT 1 FROM t; " + std::string(system_local) + "; " + std::string(system_local)});
    CHECK(r.exit_code == to_int(exit_code::network));
    CHECK(r.err.find("was lost; connecting again") != std::string::npos);
    CHECK(r.err.find("refused the start-up") != std::string::npos);
    CHECK(r.err.find("connected to") == std::string::npos);
    CHECK(count_of(only.queries(), system_local) == 0);
    CHECK(r.out.find("(1 rows)") == std::string::npos);
}

namespace {

// The interactive shell on a terminal, connected to `server`, after its first statement
// (`SELECT 1 FROM t`, on which the server is made to drop the connection) failed.
std::unique_ptr<cqlwire::test::terminal_session> shell_after_lost_statement(const runner& run, const std::string& rc,
                                                                           fake_cql_server& server) {
    drop_connection_on(server, "SELECT 1 FROM t");
    auto env = cqlwire::test::isolated_terminal_env(run.home.str(), "dumb");
    env["CQLWIRE_PASSWORD"] = std::string(password);
    auto term = std::make_unique<cqlwire::test::terminal_session>(
        CQLWIRE_BINARY, std::vector<std::string>{"--cqlshrc", rc, "--connect-timeout", "10", point("localhost", server)},
        env);
    REQUIRE_MESSAGE(term->expect("Use HELP for help."), term->shown());
    term->type("SELECT 1 FROM t;\r");
    REQUIRE_MESSAGE(term->expect("closed the connection"), term->shown());
    return term;
}

}  // namespace

TEST_CASE("contact points: the interactive shell stays when no node can take its lost connection, and tries again") {
    fake_cql_server only(passwordless_node());
    auto open = std::make_shared<std::atomic<bool>>(true);
    admit_while(only, [open] { return open->load(); });
    runner run;
    const auto rc = run.cqlshrc();
    auto session = shell_after_lost_statement(run, rc, only);
    auto& term = *session;
    INFO("shown: " << term.shown());
    open->store(false);
    term.type(std::string(system_local) + ";\r");
    CHECK(term.expect("was lost; connecting again"));
    CHECK(term.expect("refused the start-up"));
    open->store(true);
    term.type(std::string(system_local) + ";\r");
    CHECK(term.expect("was lost, and no node could be used since; connecting again"));
    CHECK(term.expect("warning: connected to " + point("localhost", only)));
    CHECK(term.expect("(1 rows)"));
    term.type("\x04");
    CHECK(term.wait_exit() == 0);  // as cqlsh's shell, whatever failed in it
    CHECK(term.shown().find(password) == std::string::npos);
    CHECK(count_of(only.queries(), system_local) == 1);
}

TEST_CASE("contact points: Ctrl-C while the shell connects again: the statement typed is not sent") {
    fake_cql_server only(passwordless_node());
    // The first session starts at once; later ones take 2 s to be let in.
    auto startups = std::make_shared<std::atomic<int>>(0);
    only.on_opcode(cqlwire::protocol::opcode::startup,
                   [startups](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
                       if (++*startups == 1) s.send_raw(fake_cql_server::ready_frame(r.header.stream));
                       else s.send_after(std::chrono::seconds(2), fake_cql_server::ready_frame(r.header.stream));
                   });
    runner run;
    const auto rc = run.cqlshrc();
    auto session = shell_after_lost_statement(run, rc, only);
    auto& term = *session;
    INFO("shown: " << term.shown());
    term.type(std::string(system_local) + ";\r");
    CHECK(term.expect("was lost; connecting again"));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    term.type("\x03");
    CHECK(term.expect("warning: connected to " + point("localhost", only)));
    CHECK(term.expect("interrupted: the statement was not sent"));
    term.type(std::string(system_local) + ";\r");
    CHECK(term.expect("(1 rows)"));
    term.type("\x04");
    CHECK(term.wait_exit() == 0);
    CHECK(count_of(only.queries(), system_local) == 1);
}

TEST_CASE("contact points: a keyspace that cannot be selected again on the new connection stops the statement") {
    fake_cql_server only(node());
    // The user's USE works on the first connection; selecting it again (quoted) finds it gone.
    only.on_query("USE shop", [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
        s.send_raw(set_keyspace_frame(r.header.stream, "shop"));
    });
    only.on_query("USE \"shop\"", [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
        s.send_raw(fake_cql_server::error_frame(r.header.stream, 0x2200, "Keyspace 'shop' does not exist"));
    });
    drop_connection_on(only, "SELECT 1 FROM t");
    runner run;
    const auto rc = run.cqlshrc();
    const auto r = run.command(rc, point("localhost", only),
                               {"-e", "USE shop; SELECT 1 FROM t; " + std::string(system_local)});
    CHECK(r.exit_code == to_int(exit_code::network));
    CHECK(r.err.find("warning: connected to " + point("localhost", only)) != std::string::npos);
    CHECK(r.err.find("-e:1: selecting keyspace \"shop\" again: Invalid (0x2200): Keyspace 'shop' does not exist") !=
          std::string::npos);
    CHECK(r.err.find("-e:1: the statement was not run: the keyspace in use could not be selected again") !=
          std::string::npos);
    CHECK(count_of(only.queries(), system_local) == 0);
}

// The cluster session against a real Cassandra 5.0 cluster of three nodes on 127.0.0.1..3
// (tools/testbed --nodes 3, started by tools/run-cluster-integration). Two shapes, each with its
// own test cases:
//   "cluster one-dc: ..."  --nodes 3 --plain-port 0: discovery, token-awareness against replicas
//                          computed here from token() and the ring in the system tables, a node
//                          killed under 20,000 idempotent requests and brought back, a node whose
//                          certificate does not verify, the command with a dead first contact
//                          point and its SHOW REPLICAS, the command going on over node 2 when
//                          node 1 dies between statements and over node 3 when node 2 dies
//                          under a COPY (both stay down), and last, every node killed.
//   "cluster two-dc: ..."  --nodes 3 --dcs 2:1 --plain-port 0: no request leaves the local DC.
// A test case run against the other shape, or without a cluster, fails saying so.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <semaphore>
#include <set>
#include <thread>

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/cluster/session.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "run_cqlwire.hpp"
#include "testbed_env.hpp"

namespace cluster = cqlwire::cluster;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
using namespace cqlwire::integration;

namespace {

std::string env_or_empty(const std::string& name) {
    const char* v = std::getenv(name.c_str());
    return v ? v : "";
}

struct cluster_shape {
    int nodes = 0;
    std::vector<std::string> hosts;  // index 0 is node 1
    std::vector<std::string> dcs;
    std::string state;
};

// The running cluster, REQUIREd to have `nodes` nodes and, with `two_dcs`, the 2:1 layout.
const cluster_shape& require_cluster(bool two_dcs) {
    static cluster_shape shape;
    static std::once_flag once;
    std::call_once(once, [] {
        shape.nodes = std::atoi(env_or_empty("CQLWIRE_TESTBED_NODES").c_str());
        for (int k = 1; k <= shape.nodes; ++k) {
            shape.hosts.push_back(env_or_empty("CQLWIRE_TESTBED_HOST_" + std::to_string(k)));
            shape.dcs.push_back(env_or_empty("CQLWIRE_TESTBED_DC_" + std::to_string(k)));
        }
        shape.state = env_or_empty("CQLWIRE_TESTBED_STATE");
    });
    require_testbed();
    REQUIRE_MESSAGE(shape.nodes == 3, "these tests need the 3-node testbed: run them with tools/run-cluster-integration");
    const bool has_two = shape.dcs[0] != shape.dcs[2];
    REQUIRE_MESSAGE(has_two == two_dcs, "this test case needs the cluster started "
                                            << (two_dcs ? "with" : "without") << " --dcs 2:1 (tools/run-cluster-integration)");
    return shape;
}

// tools/testbed/testbed COMMAND [K] on the running cluster.
void testbed(const std::string& command, int node) {
    const std::string line = std::string(CQLWIRE_TESTBED_SCRIPT) + " --state '" + env_or_empty("CQLWIRE_TESTBED_STATE") + "' " +
                             command + " " + std::to_string(node) + " >/dev/null 2>&1";
    REQUIRE_MESSAGE(std::system(line.c_str()) == 0, line);
}

std::shared_ptr<transport::tls_context> tls_for(const testbed_env& tb) {
    transport::tls_options tls;
    tls.ca_files = {tb.pki_file("server-ca.crt")};
    tls.certificate_file = tb.pki_file("rootCa.crt");
    tls.private_key_file = tb.pki_file("rootCa.key");
    std::shared_ptr<transport::tls_context> context;
    std::vector<std::string> warnings;
    protocol::diagnostics diag;
    REQUIRE_MESSAGE(transport::tls_context::create(tls, context, warnings, diag) == std::error_code{}, diag.client_message());
    return context;
}

cluster::session_options options_for(const cluster_shape& c, int contact_node = 1) {
    const auto& tb = require_testbed();
    cluster::session_options o;
    o.contact_points = {{c.hosts[static_cast<std::size_t>(contact_node - 1)], tb.port}};
    o.tls = tls_for(tb);
    o.authenticator = [user = tb.user, password = tb.password] {
        return std::make_unique<cqlwire::auth::plain_text_authenticator>(user, password);
    };
    o.connection.request_timeout = std::chrono::seconds(12);
    o.reconnect_base_delay = std::chrono::milliseconds(500);
    o.reconnect_max_delay = std::chrono::seconds(2);
    return o;
}

// An io_context run by a thread of its own for the session; blocking calls wait from the test's.
struct running_context {
    running_context() : work(boost::asio::make_work_guard(ioc)), thread([this] { ioc.run(); }) {}
    ~running_context() {
        work.reset();
        ioc.stop();
        thread.join();
    }
    boost::asio::io_context ioc;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work;
    std::thread thread;
};

// A session connected to the cluster, or the test stops with the reason.
cluster::session connected(running_context& rc, cluster::session_options o) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(rc.ioc.get_executor(), std::move(o), ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    return s;
}

cluster::execution_result run(cluster::session& s, const transport::statement& st) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = s.execute(st, ec, diag);
    REQUIRE_MESSAGE(!ec, st.query() << ": " << ec.message() << ": " << diag.client_message() << " "
                                    << diag.server_message());
    return r;
}

void run(cluster::session& s, const std::string& cql) { run(s, transport::statement(cql)); }

std::shared_ptr<const transport::prepared_statement> prepare(cluster::session& s, const std::string& cql) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto p = s.prepare(cql, ec, diag);
    REQUIRE_MESSAGE(!ec, cql << ": " << ec.message() << ": " << diag.client_message() << " " << diag.server_message());
    return p;
}

// The ring as the system tables give it, read here without the library's token code: token →
// the node's address. Each node's own system.local row (the session spreads these unrouted
// queries over the nodes) rather than one node's peers, whose view comes from gossip.
std::map<std::int64_t, std::string> ring_from_tables(cluster::session& s, std::size_t nodes) {
    std::map<std::int64_t, std::string> ring;
    std::set<std::string> seen;
    for (int attempt = 0; attempt < 30 && seen.size() < nodes; ++attempt) {
        auto r = run(s, transport::statement("SELECT tokens, broadcast_address FROM system.local"));
        REQUIRE(r.result.rows().size() == 1);
        const auto row = *r.result.rows().begin();
        protocol::inet_address a;
        REQUIRE(!protocol::to_inet(row[1], a));
        if (!seen.insert(protocol::to_string(a)).second) continue;
        protocol::element_cursor cursor;
        REQUIRE(!protocol::open_elements(row[0], cursor));
        protocol::value_view e = row[0];
        while (!cursor.at_end()) {
            REQUIRE(!cursor.next(e));
            std::string_view text;
            REQUIRE(!protocol::to_text(e, text));
            ring[std::stoll(std::string(text))] = protocol::to_string(a);
        }
    }
    REQUIRE(seen.size() == nodes);
    return ring;
}

std::string owner_of(const std::map<std::int64_t, std::string>& ring, std::int64_t token) {
    auto it = ring.lower_bound(token);
    if (it == ring.end()) it = ring.begin();
    return it->second;
}

void create_schema(cluster::session& s) {
    run(s, "CREATE KEYSPACE IF NOT EXISTS cluster_rf1 WITH replication = {'class': 'SimpleStrategy', "
           "'replication_factor': 1}");
    run(s, "CREATE TABLE IF NOT EXISTS cluster_rf1.kv (k int PRIMARY KEY, v int)");
    run(s, "CREATE TABLE IF NOT EXISTS cluster_rf1.composite (a int, b text, v int, PRIMARY KEY ((a, b)))");
    run(s, "CREATE KEYSPACE IF NOT EXISTS cluster_rf3 WITH replication = {'class': 'SimpleStrategy', "
           "'replication_factor': 3}");
    run(s, "CREATE TABLE IF NOT EXISTS cluster_rf3.kv (k int PRIMARY KEY, v int)");
}

}  // namespace

TEST_CASE("cluster one-dc: discovery from one contact point finds every node with its DC and rack") {
    const auto& c = require_cluster(false);
    running_context rc;
    auto s = connected(rc, options_for(c, 2));
    const auto nodes = s.nodes();
    REQUIRE(nodes.size() == 3);
    std::set<std::string> addresses;
    for (const auto& n : nodes) {
        addresses.insert(n.address.address().to_string());
        CHECK(n.state == cluster::node_state::up);
        CHECK(n.datacenter == c.dcs[0]);
        CHECK(n.rack == "rack1");
        CHECK(n.tokens.size() == 4);
        CHECK(n.release_version.starts_with("5.0"));
        CHECK(n.host_id != protocol::uuid{});
    }
    CHECK(addresses == std::set<std::string>(c.hosts.begin(), c.hosts.end()));
    CHECK(s.local_datacenter() == c.dcs[1]);
}

TEST_CASE("cluster one-dc: every request of a prepared statement is served by a replica of its key") {
    const auto& c = require_cluster(false);
    running_context rc;
    auto s = connected(rc, options_for(c));
    create_schema(s);
    const auto ring = ring_from_tables(s, 3);
    REQUIRE(ring.size() == 12);

    auto insert = prepare(s, "INSERT INTO cluster_rf1.kv (k, v) VALUES (?, ?)");
    auto token_of = prepare(s, "SELECT token(k) FROM cluster_rf1.kv WHERE k = ?");
    auto select = prepare(s, "SELECT v FROM cluster_rf1.kv WHERE k = ?");
    std::map<std::string, int> served;
    int on_replica = 0;
    for (std::int32_t k = 0; k < 1000; ++k) {
        const auto ins = run(s, transport::statement(insert).bind(k).bind(k * 2));
        const auto t = run(s, transport::statement(token_of).bind(k));
        REQUIRE(t.result.rows().size() == 1);
        const auto token = protocol::as_int64((*t.result.rows().begin())[0]);
        REQUIRE(token);
        const auto expected = owner_of(ring, *token);
        const auto sel = run(s, transport::statement(select).bind(k));
        // The values routing encoded are the ones sent: the row written under k reads back.
        REQUIRE(sel.result.rows().size() == 1);
        CHECK(protocol::as_int32((*sel.result.rows().begin())[0]) == k * 2);
        for (const auto* r : {&ins, &t, &sel}) {
            CHECK_MESSAGE(r->node.address().to_string() == expected, "key " << k << " token " << *token);
            on_replica += r->node.address().to_string() == expected;
            CHECK(r->attempts == 1);
        }
        ++served[sel.node.address().to_string()];
    }
    CHECK(on_replica == 3000);
    CHECK(served.size() == 3);  // the keys spread over every node

    // Without token-awareness nothing is encoded for routing: each request sends its own values.
    auto plain_options = options_for(c);
    plain_options.token_aware = false;
    auto plain = connected(rc, plain_options);
    auto plain_select = prepare(plain, "SELECT v FROM cluster_rf1.kv WHERE k = ?");
    for (std::int32_t k = 0; k < 100; ++k) {
        const auto sel = run(plain, transport::statement(plain_select).bind(k));
        REQUIRE(sel.result.rows().size() == 1);
        CHECK(protocol::as_int32((*sel.result.rows().begin())[0]) == k * 2);
    }

    // A composite partition key: the routing key is each component with its length and a 0.
    auto insert2 = prepare(s, "INSERT INTO cluster_rf1.composite (a, b, v) VALUES (?, ?, ?)");
    auto token2 = prepare(s, "SELECT token(a, b) FROM cluster_rf1.composite WHERE a = ? AND b = ?");
    for (std::int32_t k = 0; k < 200; ++k) {
        const std::string b = "key-" + std::to_string(k);
        const auto ins = run(s, transport::statement(insert2).bind(k).bind(b).bind(k));
        const auto t = run(s, transport::statement(token2).bind(k).bind(b));
        const auto token = protocol::as_int64((*t.result.rows().begin())[0]);
        REQUIRE(token);
        CHECK_MESSAGE(ins.node.address().to_string() == owner_of(ring, *token), "composite key " << k);
    }
}

// The replicas of a SimpleStrategy keyspace, walked here over the ring the tables give: the
// owner, then the next distinct nodes clockwise.
std::vector<std::string> simple_replicas(const std::map<std::int64_t, std::string>& ring, std::int64_t token,
                                         std::size_t factor) {
    std::vector<std::string> out;
    auto it = ring.lower_bound(token);
    for (std::size_t steps = 0; steps < ring.size() && out.size() < factor; ++steps, ++it) {
        if (it == ring.end()) it = ring.begin();
        if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
    }
    return out;
}

TEST_CASE("cluster one-dc: the command's SHOW REPLICAS names the replicas the ring and the replication give") {
    const auto& c = require_cluster(false);
    const auto& tb = require_testbed();
    running_context rc;
    auto s = connected(rc, options_for(c));
    create_schema(s);
    const auto ring = ring_from_tables(s, 3);
    std::vector<std::int64_t> tokens{INT64_MIN, INT64_MAX, 0};
    for (const auto& [token, owner] : ring) {
        tokens.push_back(token);
        tokens.push_back(token + 1);
    }
    std::string commands;
    std::string expected;
    auto python_list = [](const std::vector<std::string>& items) {
        std::string out = "[";
        for (std::size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", '" : "'") + items[i] + "'";
        return out + "]\n";
    };
    for (const auto token : tokens) {
        commands += "SHOW REPLICAS " + std::to_string(token) + " cluster_rf1\nSHOW REPLICAS " + std::to_string(token) +
                    " cluster_rf3\n";
        expected += python_list(simple_replicas(ring, token, 1)) + python_list(simple_replicas(ring, token, 3));
    }
    auto r = run_cqlwire({"--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert", tb.pki_file("rootCa.crt"), "--key",
                          tb.pki_file("rootCa.key"), c.hosts[1], std::to_string(tb.port), "-u", tb.user, "-e", commands},
                         password_env(tb), std::chrono::seconds(60));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out == expected);
}

TEST_CASE("cluster one-dc: a node killed under 20,000 idempotent requests fails none, and comes back") {
    const auto& c = require_cluster(false);
    running_context rc;
    auto o = options_for(c);
    auto s = connected(rc, o);
    create_schema(s);
    auto insert = prepare(s, "INSERT INTO cluster_rf3.kv (k, v) VALUES (?, ?)");

    // Runs `count` inserts, `depth` in flight, killing node `victim` after `kill_after` were
    // started; returns the failures (and their messages).
    struct outcome {
        int failed = 0;
        int finished_at_kill = -1;  // requests finished when the node was gone
        std::map<std::string, int> errors;
        std::map<std::string, int> served;
    };
    auto load = [&](bool idempotent, int count, int kill_after, int victim) {
        outcome out;
        std::mutex m;
        std::counting_semaphore<64> slots(64);
        std::atomic<int> finished{0};
        std::thread killer;
        for (std::int32_t k = 0; k < count; ++k) {
            if (k == kill_after)
                killer = std::thread([&] {
                    testbed("kill-node", victim);
                    out.finished_at_kill = finished.load();
                });
            slots.acquire();
            transport::statement st(insert);
            st.bind(k).bind(k);
            st.options.consistency = protocol::consistency::quorum;
            st.options.idempotent = idempotent;
            s.async_execute(st, [&](std::error_code e, cluster::execution_result r) {
                {
                    std::lock_guard lock(m);
                    if (e) {
                        ++out.failed;
                        ++out.errors[e.message()];
                    } else {
                        ++out.served[r.node.address().to_string()];
                    }
                }
                ++finished;
                slots.release();
            });
        }
        while (finished.load() < count) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (killer.joinable()) killer.join();
        return out;
    };

    const auto describe_errors = [](const outcome& run_outcome) {
        std::string e;
        for (const auto& [m, n] : run_outcome.errors) e += m + " x" + std::to_string(n) + "; ";
        return e;
    };
    // A node back: its pool reconnects within the backoff (2 s at most here), and traffic
    // reaches it again.
    const auto bring_back = [&](int node) {
        testbed("start-node", node);
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        int up = 0;
        while (std::chrono::steady_clock::now() < deadline) {
            up = 0;
            for (const auto& n : s.nodes()) up += n.state == cluster::node_state::up;
            if (up == 3) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        CHECK_MESSAGE(up == 3, "node " << node << " is not up again within 10 s of its restart");
        const auto after = load(true, 3000, -1, 0);
        CHECK(after.failed == 0);
        CHECK_MESSAGE(after.served.count(c.hosts[static_cast<std::size_t>(node - 1)]) == 1,
                      "no request reached node " << node << " after its restart");
    };

    const auto idempotent = load(true, 20000, 2000, 2);
    INFO("errors: " << describe_errors(idempotent));
    MESSAGE("idempotent run: 20000 requests at depth 64, node 2 killed (kill -9) after 2000 started and gone when "
            << idempotent.finished_at_kill << " had finished: " << idempotent.failed << " failed");
    CHECK(idempotent.failed == 0);
    CHECK(idempotent.finished_at_kill < 20000);  // the node died while the requests ran
    CHECK(idempotent.served.count(c.hosts[1]) == 1);  // node 2 served some before it died
    bring_back(2);

    const auto plain = load(false, 20000, 2000, 3);
    MESSAGE("non-idempotent run: 20000 requests at depth 64, node 3 killed after 2000 started and gone when "
            << plain.finished_at_kill << " had finished: " << plain.failed << " failed (" << describe_errors(plain)
            << ")");
    CHECK(plain.finished_at_kill < 20000);
    CHECK(plain.failed <= 64);  // at most the requests in flight on the killed node's connection
    for (const auto& [message, n] : plain.errors) CHECK_MESSAGE(message.find("connection") != std::string::npos, message);
    bring_back(3);
}

TEST_CASE("cluster one-dc: a node whose certificate does not verify is refused while the others serve") {
    const auto& c = require_cluster(false);
    running_context rc;
    auto o = options_for(c);
    // Node 2 is checked under a name its certificate does not carry.
    o.server_name_for = [&](const cluster::node_info& n) {
        return n.address.address().to_string() == c.hosts[1] ? std::string("not-this-node.cassandra.test") : std::string();
    };
    std::vector<std::string> refused;
    std::mutex m;
    o.on_node = [&](const cluster::node_report& r) {
        std::lock_guard lock(m);
        if (r.what == cluster::node_report::kind::refused) refused.push_back(r.address + " " + r.message);
    };
    auto s = connected(rc, o);
    {
        std::lock_guard lock(m);
        REQUIRE(refused.size() == 1);
        CHECK(refused[0].starts_with(c.hosts[1] + ":"));
        CHECK(refused[0].find("not-this-node.cassandra.test") != std::string::npos);
    }
    for (const auto& n : s.nodes())
        CHECK(n.state == (n.address.address().to_string() == c.hosts[1] ? cluster::node_state::refused
                                                                          : cluster::node_state::up));
    std::set<std::string> served;
    for (int i = 0; i < 30; ++i)
        served.insert(run(s, transport::statement("SELECT release_version FROM system.local")).node.address().to_string());
    CHECK(served == std::set<std::string>{c.hosts[0], c.hosts[2]});
}

TEST_CASE("cluster one-dc: the command skips a dead first contact point") {
    const auto& c = require_cluster(false);
    const auto& tb = require_testbed();
    // 127.0.0.9 is on loopback but nothing listens there.
    const std::string hosts = "127.0.0.9," + c.hosts[1];
    auto r = run_cqlwire({"--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert", tb.pki_file("rootCa.crt"), "--key",
                          tb.pki_file("rootCa.key"), hosts, std::to_string(tb.port), "-u", tb.user, "--consistency",
                          "QUORUM", "-e", "SELECT broadcast_address FROM system.local"},
                         password_env(tb), std::chrono::seconds(60));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("contact point 127.0.0.9:" + std::to_string(tb.port) + " failed") != std::string::npos);
    CHECK(r.out.find(c.hosts[1]) != std::string::npos);
    CHECK(r.out.find(tb.password) == std::string::npos);
    CHECK(r.err.find(tb.password) == std::string::npos);
}

TEST_CASE("cluster one-dc: the command checks each contact point against its own [certfiles] CA") {
    const auto& c = require_cluster(false);
    const auto& tb = require_testbed();
    // The second node is pinned to a CA that did not sign its certificate: passed over with a
    // warning in a list, refused alone, whether or not it is written with its port.
    std::string pattern = (std::filesystem::temp_directory_path() / "cqlwire-pinned-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    const std::filesystem::path dir(pattern);
    const std::string rc = (dir / "cqlshrc").string();
    std::ofstream(rc) << "[connection]\nssl = true\n[ssl]\ncertfile = " << tb.pki_file("server-ca.crt")
                      << "\nusercert = " << tb.pki_file("rootCa.crt") << "\nuserkey = " << tb.pki_file("rootCa.key")
                      << "\n[certfiles]\n" << c.hosts[1] << " = " << tb.pki_file("other-ca.crt") << "\n";
    const std::string port = std::to_string(tb.port);
    auto run = [&](const std::string& hosts) {
        return run_cqlwire({"--cqlshrc", rc, hosts, port, "-u", tb.user, "-e", "SELECT broadcast_address FROM system.local"},
                           password_env(tb), std::chrono::seconds(60));
    };
    const auto listed = run(c.hosts[1] + ":" + port + "," + c.hosts[2]);
    INFO(describe(listed));
    CHECK(listed.exit_code == 0);
    CHECK(listed.err.find("contact point " + c.hosts[1] + ":" + port + " failed: the server's certificate is not trusted") !=
          std::string::npos);
    CHECK(listed.out.find(c.hosts[2]) != std::string::npos);
    const auto alone = run(c.hosts[1]);
    INFO(describe(alone));
    CHECK(alone.exit_code == 4);
    const auto other = run(c.hosts[2]);
    INFO(describe(other));
    CHECK(other.exit_code == 0);
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

TEST_CASE("cluster one-dc: the command's schema changes reach every node before its next statement") {
    const auto& c = require_cluster(false);
    const auto& tb = require_testbed();
    // Replication factor 1: each key lives on one node, so the INSERTs right after each CREATE
    // TABLE reach all three, which must know the table by then.
    std::string script =
        "DROP KEYSPACE IF EXISTS command_schema; "
        "CREATE KEYSPACE command_schema WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};";
    for (int t = 0; t < 3; ++t) {
        script += "CREATE TABLE command_schema.t" + std::to_string(t) + " (k int PRIMARY KEY, v text);";
        for (int k = 0; k < 12; ++k)
            script += "INSERT INTO command_schema.t" + std::to_string(t) + " (k, v) VALUES (" + std::to_string(k) + ", 'x');";
    }
    script += "SELECT count(*) FROM command_schema.t2;";
    auto r = run_cqlwire({"--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert", tb.pki_file("rootCa.crt"), "--key",
                          tb.pki_file("rootCa.key"), c.hosts[0], std::to_string(tb.port), "-u", tb.user, "-e", script},
                         password_env(tb), std::chrono::seconds(120));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out.find(" 12\n") != std::string::npos);
}

// Last of the one-dc cases: it kills every node.
TEST_CASE("cluster one-dc: the command goes on over the next contact point when its node dies between statements") {
    const auto& c = require_cluster(false);
    const auto& tb = require_testbed();
    const std::string port = std::to_string(tb.port);
    // The statements go in four seconds apart; node 1, which serves the first, is killed in
    // between. The second names its table without a keyspace: the USE must hold on node 2.
    std::vector<std::string> sh{"-c",
                                "binary=$1; shift; "
                                "(printf 'USE system;\\nSELECT broadcast_address FROM local;\\n'; sleep 8; "
                                "printf 'SELECT broadcast_address FROM local;\\n') | exec \"$binary\" \"$@\"",
                                "sh", cqlwire_binary(), "--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert",
                                tb.pki_file("rootCa.crt"), "--key", tb.pki_file("rootCa.key"),
                                c.hosts[0] + "," + c.hosts[1], port, "-u", tb.user};
    cqlwire::test::process_options o;
    o.env = password_env(tb);
    o.timeout = std::chrono::seconds(90);
    cqlwire::test::process_result r;
    std::thread command([&] { r = cqlwire::test::run_process("/bin/sh", sh, o); });
    std::this_thread::sleep_for(std::chrono::seconds(4));
    testbed("kill-node", 1);
    command.join();
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("the connection to " + c.hosts[0] + ":" + port + " was lost (") != std::string::npos);
    CHECK(r.err.find("contact point " + c.hosts[0] + ":" + port + " failed") != std::string::npos);
    CHECK(r.err.find("warning: connected to " + c.hosts[1] + ":" + port + "\n") != std::string::npos);
    const auto first = r.out.find(c.hosts[0]);
    CHECK(first != std::string::npos);
    CHECK(r.out.find(c.hosts[1], first) != std::string::npos);
    CHECK(r.out.find(tb.password) == std::string::npos);
    CHECK(r.err.find(tb.password) == std::string::npos);
}

TEST_CASE("cluster one-dc: a COPY cut off by its node's death ends as a lost connection, the next statement on "
          "the next contact point") {
    const auto& c = require_cluster(false);
    const auto& tb = require_testbed();
    const std::string port = std::to_string(tb.port);
    // Node 1 is down already (the test case before): node 2 serves the COPY and is killed
    // two seconds into it; far more rows than two seconds take.
    const auto csv = std::filesystem::temp_directory_path() / ("cqlwire-cut-copy-" + std::to_string(::getpid()) + ".csv");
    // The rows lost with the connection go to a file of the test's, not to the working directory.
    const auto errors = std::filesystem::path(csv).replace_extension(".err");
    {
        std::ofstream out(csv);
        for (int k = 1'000'000; k < 1'400'000; ++k) out << k << "," << k << "\n";
        REQUIRE(out.good());
    }
    const std::vector<std::string> args{"--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert",
                                        tb.pki_file("rootCa.crt"), "--key", tb.pki_file("rootCa.key"),
                                        c.hosts[1] + "," + c.hosts[2], port, "-u", tb.user, "-e",
                                        "COPY cluster_rf3.kv (k, v) FROM '" + csv.string() + "' WITH ERRFILE = '" +
                                            errors.string() + "'; SELECT broadcast_address FROM system.local"};
    cqlwire::test::process_result r;
    std::thread command([&] { r = run_cqlwire(args, password_env(tb), std::chrono::seconds(120)); });
    std::this_thread::sleep_for(std::chrono::seconds(2));
    testbed("kill-node", 2);
    command.join();
    std::filesystem::remove(csv);
    std::filesystem::remove(errors);
    INFO(describe(r));
    CHECK(r.exit_code == 3);
    CHECK(r.err.find("the connection to " + c.hosts[1] + ":" + port +
                     " was lost; connecting again (the statement under way is not run again)") != std::string::npos);
    CHECK(r.err.find("warning: connected to " + c.hosts[2] + ":" + port + "\n") != std::string::npos);
    CHECK(r.out.find(c.hosts[2]) != std::string::npos);
}

TEST_CASE("cluster one-dc: every node down is a clear error within the timeout") {
    const auto& c = require_cluster(false);
    running_context rc;
    // Nodes 1 and 2 are down already (the test cases before).
    auto o = options_for(c, 3);
    o.connect_timeout = std::chrono::seconds(2);
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = connected(rc, o);
    for (int k = 1; k <= 3; ++k) testbed("kill-node", k);
    const auto start = std::chrono::steady_clock::now();
    transport::statement st("SELECT release_version FROM system.local");
    st.options.idempotent = true;
    for (int i = 0; i < 3; ++i) s.execute(st, ec, diag);
    CHECK(ec == cluster::errc::no_node_available);
    CHECK(diag.client_message().find("no node") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(15));
}

TEST_CASE("cluster two-dc: no request leaves the local data center while it has a live node") {
    const auto& c = require_cluster(true);
    running_context rc;
    auto s = connected(rc, options_for(c));
    CHECK(s.local_datacenter() == c.dcs[0]);
    run(s, "CREATE KEYSPACE IF NOT EXISTS cluster_dcs WITH replication = {'class': 'NetworkTopologyStrategy', '" +
               c.dcs[0] + "': 2, '" + c.dcs[2] + "': 1}");
    run(s, "CREATE TABLE IF NOT EXISTS cluster_dcs.kv (k int PRIMARY KEY, v int)");
    auto insert = prepare(s, "INSERT INTO cluster_dcs.kv (k, v) VALUES (?, ?)");
    std::map<std::string, int> served;
    for (std::int32_t k = 0; k < 500; ++k) {
        transport::statement st(insert);
        st.bind(k).bind(k);
        st.options.consistency = protocol::consistency::local_one;
        ++served[run(s, st).node.address().to_string()];
        ++served[run(s, transport::statement("SELECT release_version FROM system.local")).node.address().to_string()];
    }
    CHECK(served.count(c.hosts[2]) == 0);
    CHECK(served.count(c.hosts[0]) == 1);
    CHECK(served.count(c.hosts[1]) == 1);
    // One local node killed: the other local node takes everything.
    testbed("kill-node", 2);
    served.clear();
    for (std::int32_t k = 0; k < 200; ++k) {
        transport::statement st(insert);
        st.bind(k).bind(k);
        st.options.consistency = protocol::consistency::local_one;
        st.options.idempotent = true;
        ++served[run(s, st).node.address().to_string()];
    }
    CHECK(served.size() == 1);
    CHECK(served.count(c.hosts[0]) == 1);
}

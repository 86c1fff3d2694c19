// The cluster session against fake nodes: discovery, round robin, failover and retries, and
// the peers rows a real cluster cannot be made to send on demand.
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <thread>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>

#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/cluster/session.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/values.hpp"
#include "fake_cluster.hpp"

namespace cluster = cqlwire::cluster;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
using cqlwire::test::fake_cluster;
using cqlwire::test::fake_node_description;

namespace {

std::vector<fake_node_description> three_nodes() { return cqlwire::test::three_fake_nodes(); }

cluster::session_options options_for(const fake_cluster& c, std::vector<std::size_t> contacts) {
    cluster::session_options o;
    for (auto i : contacts) o.contact_points.push_back({"127.0.0.1", c.port(i)});
    o.reconnect_base_delay = std::chrono::milliseconds(50);
    o.reconnect_max_delay = std::chrono::milliseconds(200);
    o.connection.request_timeout = std::chrono::milliseconds(2000);
    return o;
}

std::string who(cluster::session& s, bool idempotent, std::error_code& ec, protocol::diagnostics& diag,
                cluster::execution_result* out = nullptr) {
    transport::statement st{std::string(fake_cluster::who_query)};
    st.options.idempotent = idempotent;
    auto r = s.execute(st, ec, diag);
    if (ec) return {};
    std::string_view name;
    REQUIRE(r.result.rows().size() == 1);
    REQUIRE(!protocol::to_text((*r.result.rows().begin())[0], name));
    if (out) *out = std::move(r);
    return std::string(name);
}

}  // namespace

TEST_CASE("cluster session: discovers every node from one contact point and spreads requests") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {1}), ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    const auto nodes = s.nodes();
    REQUIRE(nodes.size() == 3);
    for (const auto& n : nodes) {
        CHECK(n.state == cluster::node_state::up);
        CHECK(n.datacenter == "dc1");
        CHECK(n.tokens.size() == 1);
    }
    CHECK(s.local_datacenter() == "dc1");
    std::map<std::string, int> served;
    for (int i = 0; i < 30; ++i) {
        const auto name = who(s, false, ec, diag);
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        ++served[name];
    }
    CHECK(served.size() == 3);
    for (const auto& [name, count] : served) CHECK(count == 10);
}

TEST_CASE("cluster session: a dead first contact point is skipped and reported") {
    fake_cluster fc(three_nodes());
    const auto dead_port = fc.port(0);
    fc.kill(0);
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0, 2});
    std::vector<std::string> reports;
    o.on_node = [&](const cluster::node_report& r) {
        reports.push_back(std::string(cluster::to_string(r.what)) + " " + r.address + " " + r.message);
    };
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    const auto failed = std::find_if(reports.begin(), reports.end(), [&](const std::string& r) {
        return r.starts_with("contact point failed 127.0.0.1:" + std::to_string(dead_port));
    });
    CHECK(failed != reports.end());
    // The dead node is known from the peers table, and down; the others serve.
    int down = 0;
    for (const auto& n : s.nodes()) down += n.state == cluster::node_state::down;
    CHECK(down == 1);
    for (int i = 0; i < 6; ++i) {
        CHECK(who(s, false, ec, diag) != "a");
        CHECK(!ec);
    }
}

TEST_CASE("cluster session: no contact point reachable is a clear error, no hang") {
    std::uint16_t port = 0;
    {
        fake_cluster fc(three_nodes());
        port = fc.port(0);
    }
    boost::asio::io_context ioc;
    cluster::session_options o;
    o.contact_points = {{"127.0.0.1", port}};
    o.connect_timeout = std::chrono::milliseconds(500);
    std::error_code ec;
    protocol::diagnostics diag;
    const auto start = std::chrono::steady_clock::now();
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    CHECK(ec == cluster::errc::no_node_reachable);
    CHECK(diag.client_message().find("127.0.0.1:" + std::to_string(port)) != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(!s.valid());
}

TEST_CASE("cluster session: a node that dies is failed over for idempotent requests") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE(!ec);
    fc.kill(1);
    for (int i = 0; i < 30; ++i) {
        const auto name = who(s, true, ec, diag);
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        CHECK(name != "b");
    }
    bool b_down = false;
    for (const auto& n : s.nodes())
        if (n.address.port() == fc.port(1)) b_down = n.state == cluster::node_state::down;
    CHECK(b_down);
}

TEST_CASE("cluster session: OVERLOADED goes to the next node only when idempotent") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::vector<cluster::attempt_report> attempts;
    auto o = options_for(fc, {0});
    o.on_attempt = [&](const cluster::attempt_report& r) { attempts.push_back(r); };
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE(!ec);
    fc.fail_who_with(0, 0x1001);
    fc.fail_who_with(1, 0x1001);
    // Idempotent: every request ends on c, after at most two OVERLOADED answers.
    for (int i = 0; i < 9; ++i) {
        CHECK(who(s, true, ec, diag) == "c");
        CHECK(!ec);
    }
    // Not idempotent: a request whose first node is overloaded fails with OVERLOADED.
    int overloaded = 0, served = 0;
    for (int i = 0; i < 9; ++i) {
        const auto name = who(s, false, ec, diag);
        if (ec) {
            CHECK(ec == protocol::server_errc::overloaded);
            ++overloaded;
        } else {
            CHECK(name == "c");
            ++served;
        }
    }
    CHECK(overloaded == 6);
    CHECK(served == 3);
    const auto retried = std::count_if(attempts.begin(), attempts.end(), [](const cluster::attempt_report& a) {
        return a.decision == cluster::retry_decision::retry_next_node;
    });
    CHECK(retried == 9);  // 6 idempotent requests started on a or b, the 3 of them starting on a twice
}

TEST_CASE("cluster session: all nodes down is a clear error within the timeout") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE(!ec);
    fc.kill(0);
    fc.kill(1);
    fc.kill(2);
    const auto start = std::chrono::steady_clock::now();
    int failures = 0;
    for (int i = 0; i < 5; ++i) {
        who(s, true, ec, diag);
        if (ec) ++failures;
    }
    CHECK(failures == 5);
    CHECK(ec == cluster::errc::no_node_available);
    CHECK(diag.client_message().find("127.0.0.1:") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("cluster session: peers rows with a duplicate or missing address are reported and ignored") {
    auto nodes = three_nodes();
    nodes[2].host_id = fake_cluster::uuid_of(2);  // the same host id as b
    fake_cluster fc(nodes);
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    std::vector<std::string> ignored;
    o.on_node = [&](const cluster::node_report& r) {
        if (r.what == cluster::node_report::kind::peer_ignored) ignored.push_back(r.message);
    };
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE(!ec);
    CHECK(s.nodes().size() == 2);
    REQUIRE(ignored.size() == 1);
    CHECK(ignored[0].find("host id") != std::string::npos);
}

TEST_CASE("cluster session: a peers table without host ids or addresses is reported, and the control node still serves") {
    for (const std::string missing : {"host_id", "native_address"}) {
        CAPTURE(missing);
        fake_cluster fc(three_nodes());
        // Without native_address the peer column is the fallback; drop both to leave no address.
        if (missing == "native_address")
            fc.omit_peer_columns({"native_address", "peer"});
        else
            fc.omit_peer_columns({missing});
        boost::asio::io_context ioc;
        auto o = options_for(fc, {0});
        std::vector<std::string> ignored;
        o.on_node = [&](const cluster::node_report& r) {
            if (r.what == cluster::node_report::kind::peer_ignored) ignored.push_back(r.message);
        };
        std::error_code ec;
        protocol::diagnostics diag;
        auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        CHECK(s.nodes().size() == 1);
        CHECK(ignored.size() == 2);
        for (int i = 0; i < 3; ++i) CHECK(who(s, false, ec, diag) == "a");
    }
}

TEST_CASE("cluster session: a peer advertising an address where nothing listens is down; the others serve") {
    auto nodes = three_nodes();
    fake_cluster probe(three_nodes());  // a port that is free once `probe` is gone
    const auto free_port = probe.port(2);
    probe.kill(0);
    probe.kill(1);
    probe.kill(2);
    nodes[2].advertised_port = free_port;
    fake_cluster fc(nodes);
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    int down = 0;
    for (const auto& n : s.nodes()) down += n.state == cluster::node_state::down;
    CHECK(down == 1);
    for (int i = 0; i < 6; ++i) CHECK(who(s, false, ec, diag) != "c");
}

TEST_CASE("cluster session: flapping STATUS_CHANGE events neither break the session nor multiply connections") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE(!ec);
    const auto accepted_before = fc.server(1).sessions_accepted();
    for (int i = 0; i < 200; ++i) {
        fc.push_event(0, fc.node_event(protocol::event_type::status_change, i % 2 ? "UP" : "DOWN", 1));
        fc.push_event(0, fc.node_event(protocol::event_type::topology_change, "NEW_NODE", 1));
    }
    std::map<std::string, int> served;
    for (int i = 0; i < 30; ++i) {
        ++served[who(s, false, ec, diag)];
        REQUIRE(!ec);
    }
    CHECK(served.size() == 3);
    // The node stayed up: no reconnection storm (at most one new connection for a refresh race).
    CHECK(fc.server(1).sessions_accepted() <= accepted_before + 1);
    for (const auto& n : s.nodes()) CHECK(n.state == cluster::node_state::up);
}

TEST_CASE("cluster session: a read timeout with enough replicas but no data is retried once on the same node") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::vector<cluster::attempt_report> attempts;
    auto o = options_for(fc, {0});
    o.on_attempt = [&](const cluster::attempt_report& r) { attempts.push_back(r); };
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE(!ec);
    protocol::error_view timeout;
    timeout.code = 0x1200;
    timeout.message = "Operation timed out";
    timeout.details = protocol::read_timeout_info{protocol::consistency::quorum, 2, 2, false};
    for (std::size_t i = 0; i < 3; ++i) fc.fail_who_with_error(i, timeout, 1);
    cluster::execution_result r;
    const auto name = who(s, false, ec, diag, &r);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    CHECK(r.attempts == 2);
    REQUIRE(attempts.size() == 2);
    CHECK(attempts[0].decision == cluster::retry_decision::retry_same_node);
    CHECK(attempts[0].node == attempts[1].node);
    CHECK(attempts[1].error == std::error_code{});

    // Data present, or too few replicas: no retry, the caller gets the server's error and details.
    timeout.details = protocol::read_timeout_info{protocol::consistency::quorum, 1, 2, false};
    for (std::size_t i = 0; i < 3; ++i) fc.fail_who_with_error(i, timeout, 1);
    transport::statement st{std::string(fake_cluster::who_query)};
    auto failed = s.execute(st, ec, diag);
    CHECK(ec == protocol::server_errc::read_timeout);
    protocol::error_view details;
    REQUIRE(failed.result.server_error(details));
    const auto* info = std::get_if<protocol::read_timeout_info>(&details.details);
    REQUIRE(info != nullptr);
    CHECK(info->received == 1);
    CHECK(info->block_for == 2);
}

TEST_CASE("cluster session: UNAVAILABLE tries the next node once") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE(!ec);
    protocol::error_view unavailable;
    unavailable.code = 0x1000;
    unavailable.message = "Cannot achieve consistency level QUORUM";
    unavailable.details = protocol::unavailable_info{protocol::consistency::quorum, 2, 1};
    fc.fail_who_with_error(0, unavailable, 100);
    int retried = 0;
    for (int i = 0; i < 6; ++i) {
        cluster::execution_result r;
        CHECK(who(s, false, ec, diag, &r) != "a");
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        retried += r.attempts == 2;
    }
    CHECK(retried == 2);  // the requests whose plan started at a
    // Every node unavailable: one retry, then the caller gets the error.
    for (std::size_t i = 0; i < 3; ++i) fc.fail_who_with_error(i, unavailable, 100);
    transport::statement st{std::string(fake_cluster::who_query)};
    s.execute(st, ec, diag);
    CHECK(ec == protocol::server_errc::unavailable);
}

TEST_CASE("cluster session: a slow node is overtaken by a speculative execution, only for idempotent statements") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    o.speculative_delay = std::chrono::milliseconds(50);
    o.max_speculative_executions = 1;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE(!ec);
    fc.delay_who(0, std::chrono::milliseconds(800));
    fc.delay_who(1, std::chrono::milliseconds(800));
    // Idempotent: whichever node the plan starts with, the answer comes from a fast node first
    // or the speculative one, well before 800 ms when the first node is slow.
    int fast = 0;
    for (int i = 0; i < 6; ++i) {
        const auto start = std::chrono::steady_clock::now();
        cluster::execution_result r;
        const auto name = who(s, true, ec, diag, &r);
        REQUIRE(!ec);
        if (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(700)) ++fast;
    }
    CHECK(fast >= 2);  // at least the plans that start at c, or whose speculation reaches c
    // Not idempotent: never speculated, so a request whose plan starts at a slow node waits.
    int slow = 0;
    for (int i = 0; i < 3; ++i) {
        const auto start = std::chrono::steady_clock::now();
        cluster::execution_result r;
        who(s, false, ec, diag, &r);
        REQUIRE(!ec);
        CHECK(r.attempts == 1);
        if (std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(700)) ++slow;
    }
    CHECK(slow == 2);
}

TEST_CASE("cluster session: request_timeout bounds a request's attempts together, where each alone would retry") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    o.connection.request_timeout = std::chrono::milliseconds(400);
    std::error_code ec;
    protocol::diagnostics diag;
    // Every node stalls: an idempotent request goes from one to the next after each timeout.
    auto measure = [&](std::chrono::milliseconds bound) {
        o.request_timeout = bound;
        auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
        REQUIRE(!ec);
        for (std::size_t i = 0; i < 3; ++i) fc.delay_who(i, std::chrono::milliseconds(3000));
        std::vector<cluster::attempt_report> seen;
        const auto start = std::chrono::steady_clock::now();
        cluster::execution_result r;
        who(s, true, ec, diag, &r);
        const auto took = std::chrono::steady_clock::now() - start;
        CHECK(ec == transport::errc::request_timeout);
        for (std::size_t i = 0; i < 3; ++i) fc.delay_who(i, std::chrono::milliseconds(0));
        s.close();
        ioc.restart();
        return took;
    };
    const auto unbounded = measure(std::chrono::milliseconds(0));
    CHECK(unbounded >= std::chrono::milliseconds(1100));  // three attempts of 400 ms
    const auto bounded = measure(std::chrono::milliseconds(600));
    CHECK(bounded >= std::chrono::milliseconds(550));
    CHECK(bounded + std::chrono::milliseconds(300) < unbounded);  // 400 ms, then the 200 ms left
    CHECK(diag.client_message().find("600 ms (session_options::request_timeout) over 2 attempt(s)") !=
          std::string::npos);
}

TEST_CASE("cluster session: closing it fails the requests in flight with session_closed, and later ones too") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE(!ec);
    for (std::size_t i = 0; i < 3; ++i) fc.delay_who(i, std::chrono::milliseconds(300));
    std::vector<std::error_code> results;
    transport::statement st{std::string(fake_cluster::who_query)};
    st.options.idempotent = true;
    for (int i = 0; i < 5; ++i)
        s.async_execute(st, [&](std::error_code e, cluster::execution_result) { results.push_back(e); });
    ioc.run_for(std::chrono::milliseconds(50));
    s.close();
    ioc.run_for(std::chrono::milliseconds(500));
    REQUIRE(results.size() == 5);
    for (const auto& e : results) CHECK(e == cluster::errc::session_closed);
    ioc.restart();  // run_for ran it out of work
    s.execute(st, ec, diag);
    CHECK(ec == cluster::errc::session_closed);
}

TEST_CASE("cluster session: peers advertising internal addresses are reached through the address translator") {
    auto nodes = three_nodes();
    nodes[1].advertised_address = "10.11.0.2";
    nodes[2].advertised_address = "10.11.0.3";
    fake_cluster fc(nodes);
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    using boost::asio::ip::make_address;
    using endpoint = boost::asio::ip::tcp::endpoint;
    o.translate_address = cluster::fixed_address_translator({
        {endpoint(make_address("10.11.0.2"), fc.port(1)), endpoint(make_address("127.0.0.1"), fc.port(1))},
        {endpoint(make_address("10.11.0.3"), fc.port(2)), endpoint(make_address("127.0.0.1"), fc.port(2))},
    });
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    const auto known = s.nodes();
    REQUIRE(known.size() == 3);
    for (const auto& n : known) {
        CHECK(n.state == cluster::node_state::up);
        CHECK(n.address.address() == make_address("127.0.0.1"));
        if (n.address.port() != fc.port(0)) CHECK(n.advertised.address().to_string().starts_with("10.11.0."));
    }
    std::set<std::string> served;
    for (int i = 0; i < 9; ++i) served.insert(who(s, false, ec, diag));
    CHECK(served.size() == 3);
}

namespace {

std::shared_ptr<transport::tls_context> trusting_test_ca(std::string server_name = {}) {
    transport::tls_options tls;
    tls.ca_files = {cqlwire::test::test_pki::instance().path("server-ca.crt")};
    tls.server_name = std::move(server_name);
    std::shared_ptr<transport::tls_context> context;
    std::vector<std::string> warnings;
    protocol::diagnostics diag;
    REQUIRE(transport::tls_context::create(tls, context, warnings, diag) == std::error_code{});
    return context;
}

// Connects with `o` (which must succeed), keeping each refused node's report, "address message",
// in `refused`.
cluster::session connected_noting_refusals(boost::asio::io_context& ioc, cluster::session_options o,
                                           std::vector<std::string>& refused) {
    o.on_node = [&refused](const cluster::node_report& r) {
        if (r.what == cluster::node_report::kind::refused) refused.push_back(r.address + " " + r.message);
    };
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    return s;
}

}  // namespace

TEST_CASE("cluster session: each node's certificate is checked against its address; one that fails is refused") {
    auto nodes = three_nodes();
    nodes[0].certificate = "server.crt";      // IP SAN 127.0.0.1
    nodes[1].certificate = "wrong-name.crt";  // names only wrong.cassandra.example
    nodes[2].certificate = "server.crt";
    fake_cluster fc(nodes);
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    o.tls = trusting_test_ca();
    std::vector<std::string> refused;
    auto s = connected_noting_refusals(ioc, o, refused);
    std::error_code ec;
    protocol::diagnostics diag;
    REQUIRE(refused.size() == 1);
    CHECK(refused[0].starts_with("127.0.0.1:" + std::to_string(fc.port(1)) + " "));
    CHECK(refused[0].find("wrong.cassandra.example") != std::string::npos);
    for (int i = 0; i < 6; ++i) CHECK(who(s, false, ec, diag) != "b");
    // Refused stays refused: no reconnection is attempted.
    const auto accepted = fc.server(1).sessions_accepted();
    ioc.run_for(std::chrono::milliseconds(400));
    ioc.restart();
    CHECK(fc.server(1).sessions_accepted() == accepted);
}

TEST_CASE("cluster session: a server_name_for that throws or gives a pattern leaves that node refused") {
    auto nodes = three_nodes();
    for (auto& n : nodes) n.certificate = "server.crt";  // IP SAN 127.0.0.1
    fake_cluster fc(nodes);
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    o.tls = trusting_test_ca();
    o.server_name_for = [&](const cluster::node_info& n) -> std::string {
        if (n.address.port() == fc.port(1)) throw std::runtime_error("no name for b");
        if (n.address.port() == fc.port(2)) return "*.cassandra.test";
        return {};  // the contact point, a: checked by its address
    };
    std::vector<std::string> refused;
    auto s = connected_noting_refusals(ioc, o, refused);
    std::error_code ec;
    protocol::diagnostics diag;
    std::sort(refused.begin(), refused.end());
    REQUIRE(refused.size() == 2);
    const auto b = "127.0.0.1:" + std::to_string(fc.port(1)) + " ";
    const auto c = "127.0.0.1:" + std::to_string(fc.port(2)) + " ";
    const auto& for_b = refused[0].starts_with(b) ? refused[0] : refused[1];
    const auto& for_c = refused[0].starts_with(c) ? refused[0] : refused[1];
    CHECK(for_b.find("server_name_for threw: no name for b") != std::string::npos);
    CHECK(for_c.find("server_name_for gave a pattern") != std::string::npos);
    for (int i = 0; i < 6; ++i) CHECK(who(s, false, ec, diag) == "a");
}

TEST_CASE("cluster session: one server name for every node serves a certificate without IP SANs") {
    auto nodes = three_nodes();
    for (auto& n : nodes) n.certificate = "dns-only.crt";  // DNS:localhost only, as a wildcard deployment
    fake_cluster fc(nodes);
    boost::asio::io_context ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    {
        // Checked against the addresses, no node verifies: the contact point's failure is named.
        auto o = options_for(fc, {0});
        o.tls = trusting_test_ca();
        auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
        CHECK(ec == cluster::errc::no_node_reachable);
        CHECK(diag.client_message().find("127.0.0.1") != std::string::npos);
    }
    ioc.restart();
    {
        auto o = options_for(fc, {0});
        o.tls = trusting_test_ca("localhost");
        auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        for (const auto& n : s.nodes()) CHECK(n.state == cluster::node_state::up);
    }
    ioc.restart();
    {
        // Or a name per node from the callback (here the same name, given per node).
        auto o = options_for(fc, {0});
        o.tls = trusting_test_ca();
        o.server_name_for = [](const cluster::node_info&) { return std::string("localhost"); };
        // The contact point is dialed by its host before its node is known: name it alike.
        o.contact_points = {{"localhost", fc.port(0)}};
        auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        int up = 0;
        for (const auto& n : s.nodes()) up += n.state == cluster::node_state::up;
        CHECK(up == 3);
    }
    ioc.restart();
    {
        // A contact point written as an address is asked about before discovery, by address
        // only: the callback's name verifies it, where its address would not.
        auto o = options_for(fc, {0});
        o.tls = trusting_test_ca();
        std::vector<cluster::node_info> asked;
        o.server_name_for = [&](const cluster::node_info& n) {
            asked.push_back(n);
            return std::string("localhost");
        };
        REQUIRE(o.contact_points.front().host == "127.0.0.1");
        auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
        REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
        REQUIRE(!asked.empty());
        CHECK(asked.front().address == boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), fc.port(0)));
        CHECK(asked.front().host_id == protocol::uuid{});
        CHECK(asked.front().datacenter.empty());
        int up = 0;
        for (const auto& n : s.nodes()) up += n.state == cluster::node_state::up;
        CHECK(up == 3);
    }
}

TEST_CASE("cluster session: blocking calls on an empty handle, and from inside a handler, fail at once") {
    cluster::session empty;
    std::error_code ec;
    protocol::diagnostics diag;
    transport::statement st{std::string(fake_cluster::who_query)};
    empty.execute(st, ec, diag);
    CHECK(ec == cluster::errc::session_closed);
    CHECK(empty.prepare("SELECT 1", ec, diag) == nullptr);
    CHECK(ec == cluster::errc::session_closed);

    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE(!ec);
    std::error_code inner;
    protocol::diagnostics inner_diag;
    bool ran = false;
    s.async_execute(st, [&](std::error_code e, cluster::execution_result) {
        REQUIRE(!e);
        s.execute(st, inner, inner_diag);  // would wait for its own thread
        ran = true;
    });
    ioc.run_for(std::chrono::seconds(2));
    CHECK(ran);
    CHECK(inner == std::errc::resource_deadlock_would_occur);
    CHECK(inner_diag.client_message().find("asynchronous form") != std::string::npos);
}

TEST_CASE("cluster session: the control connection moves to another node when its node dies") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto o = options_for(fc, {0});
    o.reconnect_base_delay = o.reconnect_max_delay = std::chrono::seconds(10);
    std::vector<std::string> moved;
    o.on_node = [&](const cluster::node_report& r) {
        if (r.what == cluster::node_report::kind::control_moved) moved.push_back(r.address);
    };
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), o, ec, diag);
    REQUIRE(!ec);
    fc.kill(0);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (moved.empty() && std::chrono::steady_clock::now() < deadline) ioc.run_for(std::chrono::milliseconds(50));
    REQUIRE(moved.size() == 1);
    CHECK(moved[0] != "127.0.0.1:" + std::to_string(fc.port(0)));
    // The new control connection hears events: node c, down (its connection dropped) and not
    // to be dialed again for 10 s, is dialed at once when the server says it is UP.
    for (int i = 0; i < 6; ++i) CHECK(who(s, true, ec, diag) != "a");
    fc.server(2).last_session()->close();  // c's only connection (the control one is on b)
    for (int i = 0; i < 6; ++i) CHECK(who(s, true, ec, diag) == "b");  // c's failure noticed, retried on b
    bool c_down = false;
    for (const auto& n : s.nodes())
        if (n.address.port() == fc.port(2)) c_down = n.state == cluster::node_state::down;
    REQUIRE(c_down);
    const auto before = fc.server(2).sessions_accepted();
    fc.push_event(1, fc.node_event(protocol::event_type::status_change, "UP", 2));
    ioc.run_for(std::chrono::milliseconds(500));
    CHECK(fc.server(2).sessions_accepted() == before + 1);
    for (const auto& n : s.nodes()) CHECK(n.state == (n.address.port() == fc.port(0) ? cluster::node_state::down
                                                                                     : cluster::node_state::up));
}

namespace {

// Runs `ioc` until `done` or `limit`.
template <class Done>
bool run_until(boost::asio::io_context& ioc, Done done, std::chrono::milliseconds limit) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        ioc.run_for(std::chrono::milliseconds(10));
        if (ioc.stopped()) ioc.restart();
    }
    return done();
}

// A session over `fc`, started from its first node.
cluster::session connected(const fake_cluster& fc, boost::asio::io_context& ioc) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto s = cluster::session::connect(ioc.get_executor(), options_for(fc, {0}), ec, diag);
    REQUIRE_MESSAGE(!ec, ec.message() << ": " << diag.client_message());
    return s;
}

std::string name_in(const cluster::execution_result& r) {
    std::string_view name;
    if (r.result.rows().size() != 1 || protocol::to_text((*r.result.rows().begin())[0], name)) return "?";
    return std::string(name);
}

}  // namespace

TEST_CASE("cluster session: a handler bound to an executor runs there, and that executor stays busy until it has") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto s = connected(fc, ioc);

    // `other` has no work but the request's: its run() returns before the handler has run
    // unless the session counts the pending handler as work on it.
    boost::asio::io_context other;
    std::atomic<bool> done{false};
    std::thread::id ran_on;
    std::string served;
    s.async_execute(transport::statement{std::string(fake_cluster::who_query)},
                    boost::asio::bind_executor(other, [&](std::error_code e, cluster::execution_result r) {
                        ran_on = std::this_thread::get_id();
                        served = e ? e.message() : name_in(r);
                        done = true;
                    }));
    std::thread::id other_thread;
    std::thread runner([&] {
        other_thread = std::this_thread::get_id();
        other.run();
    });
    run_until(ioc, [&] { return done.load(); }, std::chrono::milliseconds(5000));
    runner.join();
    REQUIRE(done);
    CHECK(ran_on == other_thread);
    CHECK_MESSAGE((served == "a" || served == "b" || served == "c"), served);

    // Without an executor of its own, the handler runs on the thread running the session.
    bool plain_done = false;
    std::thread::id plain_on;
    transport::statement copied{std::string(fake_cluster::who_query)};
    s.async_execute(copied, [&](std::error_code e, cluster::execution_result r) {
        plain_on = std::this_thread::get_id();
        served = e ? e.message() : name_in(r);
        plain_done = true;
    });
    CHECK(copied.query() == fake_cluster::who_query);  // copied, not taken
    REQUIRE(run_until(ioc, [&] { return plain_done; }, std::chrono::milliseconds(5000)));
    CHECK(plain_on == std::this_thread::get_id());
    CHECK_MESSAGE((served == "a" || served == "b" || served == "c"), served);
}

TEST_CASE("cluster session: a deferred request keeps its own statement until it is started") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto s = connected(fc, ioc);
    auto op = [&] {
        transport::statement gone{std::string(fake_cluster::who_query)};
        return s.async_execute(gone, boost::asio::deferred);  // `gone` dies before the start
    }();
    auto moved = s.async_execute(transport::statement{std::string(fake_cluster::who_query)}, boost::asio::deferred);
    int finished = 0;
    std::string first, second;
    std::move(op)([&](std::error_code e, cluster::execution_result r) {
        first = e ? e.message() : name_in(r);
        ++finished;
    });
    std::move(moved)([&](std::error_code e, cluster::execution_result r) {
        second = e ? e.message() : name_in(r);
        ++finished;
    });
    REQUIRE(run_until(ioc, [&] { return finished == 2; }, std::chrono::milliseconds(5000)));
    CHECK_MESSAGE((first == "a" || first == "b" || first == "c"), first);
    CHECK_MESSAGE((second == "a" || second == "b" || second == "c"), second);
}

TEST_CASE("cluster session: requests started from handlers run on the session's strand, none inside its own call") {
    fake_cluster fc(three_nodes());
    boost::asio::io_context ioc;
    auto s = connected(fc, ioc);
    // Each handler starts the next request: those start directly on the strand; a handler must
    // still never run inside the call that started its request.
    int finished = 0;
    int failures = 0;
    bool inside_call = false;
    bool ran_inside = false;
    std::function<void()> next = [&] {
        transport::statement st{std::string(fake_cluster::who_query)};
        inside_call = true;
        s.async_execute(std::move(st), [&](std::error_code e, cluster::execution_result r) {
            if (inside_call) ran_inside = true;
            if (e || name_in(r).size() != 1) ++failures;
            if (++finished < 50) next();
        });
        inside_call = false;
    };
    next();
    REQUIRE(run_until(ioc, [&] { return finished == 50; }, std::chrono::milliseconds(10000)));
    CHECK(failures == 0);
    CHECK_FALSE(ran_inside);
}

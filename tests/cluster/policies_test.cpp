// The session's pure parts: contact point lists, the default retry policy, the query plan.
#include <doctest/doctest.h>

#include <ostream>
#include <set>

#include "query_plan.hpp"
#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/cluster/retry_policy.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cluster = cqlwire::cluster;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;

TEST_CASE("contact points: hosts, ports, IPv6 in brackets and without, spaces") {
    std::vector<cluster::contact_point> out;
    protocol::diagnostics diag;
    REQUIRE(!cluster::parse_contact_points(" 10.0.0.1 , node2:9043,[::1]:9044,[fe80::1], ::2 ", 9042, out, diag));
    REQUIRE(out.size() == 5);
    CHECK(out[0] == cluster::contact_point{"10.0.0.1", 9042});
    CHECK(out[1] == cluster::contact_point{"node2", 9043});
    CHECK(out[2] == cluster::contact_point{"::1", 9044});
    CHECK(out[3] == cluster::contact_point{"fe80::1", 9042});
    CHECK(out[4] == cluster::contact_point{"::2", 9042});
}

TEST_CASE("contact points: every malformed entry is refused, naming it") {
    const std::pair<const char*, cluster::errc> bad[] = {
        {"", cluster::errc::no_contact_point},          {"  ", cluster::errc::no_contact_point},
        {"a,,b", cluster::errc::bad_contact_point},     {"a,", cluster::errc::bad_contact_point},
        {"a:0", cluster::errc::bad_contact_point},      {"a:65536", cluster::errc::bad_contact_point},
        {"a:x", cluster::errc::bad_contact_point},      {"a:", cluster::errc::bad_contact_point},
        {":9042", cluster::errc::bad_contact_point},    {"[::1", cluster::errc::bad_contact_point},
        {"[]:9042", cluster::errc::bad_contact_point},  {"[::1]x", cluster::errc::bad_contact_point},
        {"a:-1", cluster::errc::bad_contact_point},     {"a:99999999999", cluster::errc::bad_contact_point},
        {"a b", cluster::errc::bad_contact_point},      {"10.0.0.1 10.0.0.2", cluster::errc::bad_contact_point},
        {"a\n,b", cluster::errc::bad_contact_point},    {"a\tb:9042", cluster::errc::bad_contact_point},
        {"a/b", cluster::errc::bad_contact_point},      {"user@host", cluster::errc::bad_contact_point},
        {"1.2.3.4:9042:1", cluster::errc::bad_contact_point}, {"a:b:c", cluster::errc::bad_contact_point},
        {"[name]:9042", cluster::errc::bad_contact_point}, {"[fe80::1%]", cluster::errc::bad_contact_point},
        {"fe80::1%e th0", cluster::errc::bad_contact_point}, {"ab\xe2\x80\xae" "cd", cluster::errc::bad_contact_point},
        {"caf\xc3\xa9.example", cluster::errc::bad_contact_point},
    };
    for (const auto& [text, expected] : bad) {
        CAPTURE(text);
        std::vector<cluster::contact_point> out{{"kept", 1}};
        protocol::diagnostics diag;
        CHECK(cluster::parse_contact_points(text, 9042, out, diag) == expected);
        CHECK(out.size() == 1);  // untouched
        CHECK(!diag.client_message().empty());
    }
}

TEST_CASE("contact points: hosts at the limits, zones, and what the messages say") {
    std::vector<cluster::contact_point> out;
    protocol::diagnostics diag;
    const std::string longest(253, 'a');
    REQUIRE(!cluster::parse_contact_points(longest + ",node_1.example-2:9043,fe80::1%eth0,[fe80::2%eth1]:9044", 9042, out,
                                           diag));
    REQUIRE(out.size() == 4);
    CHECK(out[1] == cluster::contact_point{"node_1.example-2", 9043});
    CHECK(out[2] == cluster::contact_point{"fe80::1%eth0", 9042});
    CHECK(out[3] == cluster::contact_point{"fe80::2%eth1", 9044});

    CHECK(cluster::parse_contact_points(longest + "a", 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message().find("longer than 253 characters") != std::string::npos);
    CHECK(diag.client_message().size() < 200);  // the entry is cut in the message

    CHECK(cluster::parse_contact_points("a,,b", 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message() == "contact point 2 of the list is empty (two commas in a row, or one at an end)");
    CHECK(cluster::parse_contact_points("a b", 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message() ==
          "contact point 'a b': a host name has no spaces or control characters (separate contact points with commas)");
    CHECK(cluster::parse_contact_points("a\x1b[2J", 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message().find("'a\\x1b[2J'") != std::string::npos);
    CHECK(diag.client_message().find('\x1b') == std::string::npos);
    // Bytes beyond ASCII are shown escaped too (a right-to-left override would reorder the line).
    CHECK(cluster::parse_contact_points("ab\xe2\x80\xae" "cd", 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message() == "contact point 'ab\\xe2\\x80\\xaecd': a host name is ASCII (write an "
                                   "internationalized name in its xn-- form)");
    CHECK(cluster::parse_contact_points("127.0.0.1:9042:1", 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message() ==
          "contact point '127.0.0.1:9042:1': not an IPv6 address; a port after one is written [address]:port");

    std::string many;
    for (std::size_t i = 0; i <= cluster::max_contact_points; ++i) many += (i ? ",10.0.0." : "10.0.0.") + std::to_string(i % 250);
    CHECK(cluster::parse_contact_points(many, 9042, out, diag) == cluster::errc::bad_contact_point);
    CHECK(diag.client_message().find("more than 100 contact points") != std::string::npos);
    many.erase(many.rfind(','));
    CHECK(!cluster::parse_contact_points(many, 9042, out, diag));
    CHECK(out.size() == cluster::max_contact_points);
}

namespace {

cluster::retry_decision decide(std::error_code ec, const protocol::error_view* e, bool idempotent, int retries = 0,
                               bool connection_failed = false, bool maybe_sent = true) {
    cluster::attempt_failure f;
    f.error = ec;
    f.server_error = e;
    f.idempotent = idempotent;
    f.retries = retries;
    f.connection_failed = connection_failed;
    f.maybe_sent = maybe_sent;
    return cluster::default_retry_policy{}.decide(f);
}

protocol::error_view error_of(protocol::server_errc code, protocol::error_details details = {}) {
    protocol::error_view e;
    e.code = static_cast<std::int32_t>(code);
    e.details = details;
    return e;
}

}  // namespace

TEST_CASE("default retry policy: the drivers' decisions") {
    using protocol::server_errc;
    using d = cluster::retry_decision;
    const auto code = [](server_errc c) { return protocol::make_server_error_code(static_cast<std::int32_t>(c)); };

    auto rt = error_of(server_errc::read_timeout, protocol::read_timeout_info{protocol::consistency::quorum, 2, 2, false});
    CHECK(decide(code(server_errc::read_timeout), &rt, false) == d::retry_same_node);
    CHECK(decide(code(server_errc::read_timeout), &rt, false, 1) == d::rethrow);
    auto rt_data = error_of(server_errc::read_timeout, protocol::read_timeout_info{protocol::consistency::quorum, 2, 2, true});
    CHECK(decide(code(server_errc::read_timeout), &rt_data, true) == d::rethrow);
    auto rt_few = error_of(server_errc::read_timeout, protocol::read_timeout_info{protocol::consistency::quorum, 1, 2, false});
    CHECK(decide(code(server_errc::read_timeout), &rt_few, true) == d::rethrow);

    auto wt_batchlog = error_of(server_errc::write_timeout,
                                protocol::write_timeout_info{protocol::consistency::quorum, 0, 2, "BATCH_LOG"});
    CHECK(decide(code(server_errc::write_timeout), &wt_batchlog, false) == d::retry_same_node);
    CHECK(decide(code(server_errc::write_timeout), &wt_batchlog, false, 1) == d::rethrow);
    auto wt_simple = error_of(server_errc::write_timeout,
                              protocol::write_timeout_info{protocol::consistency::quorum, 1, 2, "SIMPLE"});
    CHECK(decide(code(server_errc::write_timeout), &wt_simple, true) == d::rethrow);

    auto un = error_of(server_errc::unavailable, protocol::unavailable_info{protocol::consistency::quorum, 2, 1});
    CHECK(decide(code(server_errc::unavailable), &un, false) == d::retry_next_node);
    CHECK(decide(code(server_errc::unavailable), &un, false, 1) == d::rethrow);

    auto boot = error_of(server_errc::is_bootstrapping);
    CHECK(decide(code(server_errc::is_bootstrapping), &boot, false) == d::retry_next_node);
    for (auto c : {server_errc::overloaded, server_errc::server_error, server_errc::truncate_error}) {
        auto e = error_of(c);
        CHECK(decide(code(c), &e, true) == d::retry_next_node);
        CHECK(decide(code(c), &e, false) == d::rethrow);
    }
    for (auto c : {server_errc::syntax_error, server_errc::invalid, server_errc::unauthorized, server_errc::read_failure,
                   server_errc::write_failure, server_errc::already_exists}) {
        auto e = error_of(c);
        CHECK(decide(code(c), &e, true) == d::rethrow);
    }
    // Not server errors.
    CHECK(decide(transport::errc::request_timeout, nullptr, true) == d::retry_next_node);
    CHECK(decide(transport::errc::request_timeout, nullptr, false) == d::rethrow);
    CHECK(decide(transport::errc::connection_closed, nullptr, true, 0, true) == d::retry_next_node);
    CHECK(decide(transport::errc::connection_closed, nullptr, false, 0, true) == d::rethrow);
    CHECK(decide(transport::errc::stream_ids_exhausted, nullptr, false, 0, false, false) == d::retry_next_node);
    CHECK(decide(std::make_error_code(std::errc::invalid_argument), nullptr, true) == d::rethrow);
}

TEST_CASE("query plan: local replicas in turn, then other local nodes, remote only when allowed") {
    // Nodes 0..3 local, 4..5 remote; node 2 unusable.
    const std::vector<cluster::plan_candidate> nodes{{true, true}, {true, true}, {false, true},
                                                     {true, true}, {true, false}, {true, false}};
    cluster::query_plan plan;
    const auto as_vector = [&] { return std::vector<std::size_t>(plan.begin(), plan.end()); };
    const std::vector<std::size_t> replicas{3, 2, 4, 1};
    cluster::make_query_plan(nodes, replicas, 0, false, plan);
    CHECK(as_vector() == std::vector<std::size_t>{3, 1, 0});
    cluster::make_query_plan(nodes, replicas, 1, false, plan);
    CHECK(as_vector() == std::vector<std::size_t>{1, 3, 0});
    cluster::make_query_plan(nodes, replicas, 0, true, plan);
    CHECK(as_vector() == std::vector<std::size_t>{3, 1, 0, 4, 5});
    // No replicas known: round robin over the usable local nodes.
    std::set<std::size_t> firsts;
    for (std::uint64_t r = 0; r < 6; ++r) {
        cluster::make_query_plan(nodes, {}, r, false, plan);
        REQUIRE(plan.size() == 3);
        firsts.insert(plan.front());
    }
    CHECK(firsts == std::set<std::size_t>{0, 1, 3});
    // Nothing usable: an empty plan.
    const std::vector<cluster::plan_candidate> dead{{false, true}, {false, false}};
    cluster::make_query_plan(dead, {}, 0, true, plan);
    CHECK(plan.empty());
    // Replica indexes out of range are ignored.
    const std::vector<std::size_t> wild{99, 0};
    cluster::make_query_plan(nodes, wild, 0, false, plan);
    CHECK(plan.front() == 0);
}

// The ring and the replicas of each token: hand-built rings with known answers, then many
// random rings against a slow reference that follows Cassandra's walk literally.
#include "test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "cqlwire/cluster/token_ring.hpp"

namespace cluster = cqlwire::cluster;
using node_list = std::vector<std::size_t>;

namespace {

constexpr auto min_token = std::numeric_limits<std::int64_t>::min();
constexpr auto max_token = std::numeric_limits<std::int64_t>::max();

node_list replicas_of(const cluster::replica_map& map, std::int64_t token) {
    const auto span = map.replicas(token);
    return {span.begin(), span.end()};
}

cluster::replication_strategy simple(int rf) {
    cluster::replication_strategy s;
    s.kind = cluster::replication_kind::simple;
    s.replication_factor = rf;
    return s;
}

cluster::replication_strategy network_topology(std::map<std::string, int, std::less<>> factors) {
    cluster::replication_strategy s;
    s.kind = cluster::replication_kind::network_topology;
    s.datacenter_factors = std::move(factors);
    return s;
}

cluster::replication_strategy of_kind(cluster::replication_kind kind) {
    cluster::replication_strategy s;
    s.kind = kind;
    return s;
}

// Ring positions (token: node): -100: 10, 0: 20, 50: 10, 100: 30.
std::vector<cluster::ring_member> three_nodes() {
    return {{10, "dc1", "r1", {50, -100}}, {20, "dc1", "r1", {0}}, {30, "dc1", "r1", {100}}};
}

// Two data centers; ring positions (token: node rack):
//   10: 1 r1 | 20: 5 ra | 30: 2 r1 | 40: 3 r2 | 50: 6 rb | 60: 4 r2
// with nodes 1..4 in dc1 (racks r1, r2) and 5, 6 in dc2 (racks ra, rb).
std::vector<cluster::ring_member> two_datacenters() {
    return {{1, "dc1", "r1", {10}}, {2, "dc1", "r1", {30}}, {3, "dc1", "r2", {40}},
            {4, "dc1", "r2", {60}}, {5, "dc2", "ra", {20}}, {6, "dc2", "rb", {50}}};
}

}  // namespace

TEST_CASE("token_ring: tokens sorted with their owners; a token belongs to the first ring token at or above it") {
    const auto members = three_nodes();
    const cluster::token_ring ring(members);
    REQUIRE(ring.size() == 4);
    CHECK(ring.node_count() == 3);
    CHECK(std::vector(ring.tokens().begin(), ring.tokens().end()) == std::vector<std::int64_t>{-100, 0, 50, 100});
    CHECK(ring.owner_at(0) == 10);
    CHECK(ring.owner_at(1) == 20);
    CHECK(ring.owner_at(2) == 10);
    CHECK(ring.owner_at(3) == 30);
    CHECK(ring.position_of(min_token) == 0);
    CHECK(ring.position_of(-100) == 0);
    CHECK(ring.position_of(-99) == 1);
    CHECK(ring.position_of(0) == 1);
    CHECK(ring.position_of(100) == 3);
    CHECK(ring.position_of(101) == 0);  // wraps to the first
    CHECK(ring.position_of(max_token) == 0);
}

TEST_CASE("token_ring: a token claimed twice goes to the member listed last; a node listed twice is one node") {
    const std::vector<cluster::ring_member> members{
        {1, "dc1", "r1", {10, 20}}, {2, "dc1", "r1", {20, 30}}, {1, "dc2", "r9", {40, 10}}, {3, "dc1", "r1", {}}};
    const cluster::token_ring ring(members);
    REQUIRE(ring.size() == 4);
    CHECK(ring.owner_at(ring.position_of(10)) == 1);
    CHECK(ring.owner_at(ring.position_of(20)) == 2);
    CHECK(ring.owner_at(ring.position_of(30)) == 2);
    CHECK(ring.owner_at(ring.position_of(40)) == 1);
    CHECK(ring.node_count() == 2);  // node 3 has no token, so it is not in the ring

    // Node 1's last listing puts it in dc2: a dc2-only strategy replicates on it alone.
    const cluster::replica_map map(ring, network_topology({{"dc2", 3}}));
    CHECK(replicas_of(map, 25) == node_list{1});
    const cluster::replica_map dc1(ring, network_topology({{"dc1", 3}}));
    CHECK(replicas_of(dc1, 15) == node_list{2});
}

TEST_CASE("token_ring: the empty ring has no replicas under any strategy") {
    const cluster::token_ring ring;
    CHECK(ring.empty());
    CHECK(ring.position_of(5) == 0);
    const cluster::token_ring from_nothing(std::span<const cluster::ring_member>{});
    CHECK(from_nothing.empty());
    const std::vector<cluster::ring_member> tokenless{{1, "dc1", "r1", {}}};
    CHECK(cluster::token_ring(tokenless).empty());
    for (const auto& strategy : {simple(3), network_topology({{"dc1", 3}}), of_kind(cluster::replication_kind::everywhere)}) {
        const cluster::replica_map map(ring, strategy);
        CHECK(map.replicas(0).empty());
        CHECK(map.replicas(min_token).empty());
    }
    CHECK(cluster::replica_map().replicas(0).empty());
}

TEST_CASE("token_ring: one node holds every replica") {
    const std::vector<cluster::ring_member> members{{7, "dc1", "r1", {-5, 5, 500}}};
    const cluster::token_ring ring(members);
    for (const auto& strategy : {simple(1), simple(3), network_topology({{"dc1", 3}}), of_kind(cluster::replication_kind::everywhere)}) {
        const cluster::replica_map map(ring, strategy);
        for (const auto token : {min_token, std::int64_t{-5}, std::int64_t{0}, std::int64_t{501}, max_token}) {
            CAPTURE(token);
            CHECK(replicas_of(map, token) == node_list{7});
        }
    }
}

TEST_CASE("token_ring: SimpleStrategy takes distinct nodes clockwise, wrapping around") {
    const auto members = three_nodes();
    const cluster::token_ring ring(members);

    const cluster::replica_map rf1(ring, simple(1));
    CHECK(replicas_of(rf1, -100) == node_list{10});
    CHECK(replicas_of(rf1, -99) == node_list{20});
    CHECK(replicas_of(rf1, 1) == node_list{10});
    CHECK(replicas_of(rf1, 100) == node_list{30});
    CHECK(replicas_of(rf1, 101) == node_list{10});
    CHECK(replicas_of(rf1, max_token) == node_list{10});

    const cluster::replica_map rf2(ring, simple(2));
    CHECK(replicas_of(rf2, -100) == node_list{10, 20});
    CHECK(replicas_of(rf2, 1) == node_list{10, 30});
    CHECK(replicas_of(rf2, 100) == node_list{30, 10});  // wraps to -100
    CHECK(replicas_of(rf2, min_token) == node_list{10, 20});

    const cluster::replica_map rf3(ring, simple(3));
    CHECK(replicas_of(rf3, -100) == node_list{10, 20, 30});
    CHECK(replicas_of(rf3, 0) == node_list{20, 10, 30});
    CHECK(replicas_of(rf3, 50) == node_list{10, 30, 20});  // 10 again at -100 is skipped
    CHECK(replicas_of(rf3, 75) == node_list{30, 10, 20});

    // More replicas than nodes: every node once. None: nothing.
    const cluster::replica_map rf5(ring, simple(5));
    CHECK(replicas_of(rf5, 75) == node_list{30, 10, 20});
    CHECK(cluster::replica_map(ring, simple(0)).replicas(75).empty());
}

TEST_CASE("token_ring: NetworkTopologyStrategy spreads each data center over its racks") {
    const auto members = two_datacenters();
    const cluster::token_ring ring(members);

    // As many racks as the factor: one node per rack; a node of a used rack is passed over.
    const cluster::replica_map one_each(ring, network_topology({{"dc1", 2}, {"dc2", 1}}));
    CHECK(replicas_of(one_each, 10) == node_list{1, 5, 3});  // 2 (rack r1 again) is passed over
    CHECK(replicas_of(one_each, 25) == node_list{2, 3, 6});
    CHECK(replicas_of(one_each, 55) == node_list{4, 1, 5});  // wraps around

    // A data center without a factor gets no replica.
    const cluster::replica_map dc2_only(ring, network_topology({{"dc2", 1}}));
    CHECK(replicas_of(dc2_only, 10) == node_list{5});
    CHECK(replicas_of(dc2_only, 21) == node_list{6});
    CHECK(replicas_of(dc2_only, 51) == node_list{5});
}

TEST_CASE("token_ring: NetworkTopologyStrategy with fewer racks than the factor takes rack repeats as it meets them") {
    const auto members = two_datacenters();
    const cluster::token_ring ring(members);

    // dc1: factor 3 over 2 racks, so one node of an already used rack may be taken; Cassandra
    // (4.0 and later) takes it where the walk meets it, not after the other racks.
    const cluster::replica_map map(ring, network_topology({{"dc1", 3}, {"dc2", 1}}));
    CHECK(replicas_of(map, 10) == node_list{1, 5, 2, 3});
    CHECK(replicas_of(map, 35) == node_list{3, 6, 4, 1});
    CHECK(replicas_of(map, 60) == node_list{4, 1, 5, 2});

    // A data center all in one rack: its first distinct nodes in ring order.
    const std::vector<cluster::ring_member> one_rack{
        {1, "dc1", "r", {10}}, {2, "dc1", "r", {20}}, {3, "dc1", "r", {30}}, {4, "dc1", "r", {40}}};
    const cluster::token_ring ring_one_rack(one_rack);
    const cluster::replica_map rf3(ring_one_rack, network_topology({{"dc1", 3}}));
    CHECK(replicas_of(rf3, 25) == node_list{3, 4, 1});
}

TEST_CASE("token_ring: NetworkTopologyStrategy with a factor above a data center's nodes, or a data center with none") {
    const auto members = two_datacenters();
    const cluster::token_ring ring(members);

    const cluster::replica_map all_of_dc2(ring, network_topology({{"dc1", 1}, {"dc2", 5}}));
    CHECK(replicas_of(all_of_dc2, 10) == node_list{1, 5, 6});
    CHECK(replicas_of(all_of_dc2, 45) == node_list{6, 4, 5});

    const cluster::replica_map all_of_dc1(ring, network_topology({{"dc1", 9}}));
    CHECK(replicas_of(all_of_dc1, 35) == node_list{3, 4, 1, 2});

    // dc3 has no node: it is skipped, the others are served.
    const cluster::replica_map no_nodes(ring, network_topology({{"dc1", 1}, {"dc3", 2}}));
    CHECK(replicas_of(no_nodes, 10) == node_list{1});
    CHECK(cluster::replica_map(ring, network_topology({{"dc3", 2}})).replicas(10).empty());
    CHECK(cluster::replica_map(ring, network_topology({{"dc1", 0}, {"dc2", 0}})).replicas(10).empty());
}

TEST_CASE("token_ring: racks of different data centers are different racks, even with the same name") {
    // dc2 has two racks, r1 and r2, so with a factor of 2 it must not repeat r1 (node 6); were
    // dc1's r1 the same rack, dc2 would seem to have one rack and take 6.
    const std::vector<cluster::ring_member> members{
        {1, "dc1", "r1", {10}}, {5, "dc2", "r1", {20}}, {6, "dc2", "r1", {30}}, {7, "dc2", "r2", {40}}};
    const cluster::token_ring ring(members);
    const cluster::replica_map map(ring, network_topology({{"dc1", 1}, {"dc2", 2}}));
    CHECK(replicas_of(map, 15) == node_list{5, 7, 1});
}

TEST_CASE("token_ring: EverywhereStrategy gives every node, the owner first; Local and unknown give none") {
    const auto members = three_nodes();
    const cluster::token_ring ring(members);
    const cluster::replica_map everywhere(ring, of_kind(cluster::replication_kind::everywhere));
    CHECK(replicas_of(everywhere, -100) == node_list{10, 20, 30});
    CHECK(replicas_of(everywhere, 0) == node_list{20, 10, 30});
    CHECK(replicas_of(everywhere, 75) == node_list{30, 10, 20});
    CHECK(cluster::replica_map(ring, of_kind(cluster::replication_kind::local)).replicas(0).empty());
    CHECK(cluster::replica_map(ring, of_kind(cluster::replication_kind::other)).replicas(0).empty());
}

namespace {

// The slow reference: Cassandra's walk written out directly, one pass over the whole ring per
// question, with sets and maps.
struct reference_ring {
    std::map<std::int64_t, std::size_t> owner;  // token -> node
    std::map<std::size_t, std::pair<std::string, std::string>> location;

    explicit reference_ring(const std::vector<cluster::ring_member>& members) {
        for (const auto& m : members) {
            for (const auto t : m.tokens) owner[t] = m.node;  // later listings overwrite
        }
        for (const auto& m : members) {
            const bool owns = std::any_of(owner.begin(), owner.end(), [&](const auto& e) { return e.second == m.node; });
            if (owns) location[m.node] = {m.datacenter, m.rack};
        }
    }

    // The owners from `token` clockwise, one lap.
    std::vector<std::size_t> walk(std::int64_t token) const {
        std::vector<std::size_t> order;
        auto it = owner.lower_bound(token);
        for (std::size_t i = 0; i < owner.size(); ++i, ++it) {
            if (it == owner.end()) it = owner.begin();
            order.push_back(it->second);
        }
        return order;
    }

    node_list replicas(std::int64_t token, const cluster::replication_strategy& s) const {
        node_list out;
        if (owner.empty()) return out;
        const auto order = walk(token);
        if (s.kind == cluster::replication_kind::simple) {
            for (const auto n : order) {
                if (static_cast<int>(out.size()) >= s.replication_factor) break;
                if (std::find(out.begin(), out.end(), n) == out.end()) out.push_back(n);
            }
        } else if (s.kind == cluster::replication_kind::everywhere) {
            out.push_back(order.front());
            for (const auto& [n, where] : location) {
                if (n != order.front()) out.push_back(n);
            }
        } else if (s.kind == cluster::replication_kind::network_topology) {
            struct dc_state {
                int left = 0;
                int rack_repeats = 0;
            };
            std::map<std::string, dc_state> dcs;
            for (const auto& [dc, factor] : s.datacenter_factors) {
                std::set<std::size_t> nodes;
                std::set<std::string> racks;
                for (const auto& [n, where] : location) {
                    if (where.first == dc) {
                        nodes.insert(n);
                        racks.insert(where.second);
                    }
                }
                if (factor <= 0 || nodes.empty()) continue;
                dcs[dc] = {std::min(factor, static_cast<int>(nodes.size())), factor - static_cast<int>(racks.size())};
            }
            std::set<std::pair<std::string, std::string>> used_racks;
            for (const auto n : order) {
                const auto& where = location.at(n);
                const auto dc = dcs.find(where.first);
                if (dc == dcs.end() || dc->second.left == 0) continue;
                if (!used_racks.insert(where).second) {
                    if (dc->second.rack_repeats <= 0) continue;
                    if (std::find(out.begin(), out.end(), n) != out.end()) continue;
                    --dc->second.rack_repeats;
                }
                out.push_back(n);
                --dc->second.left;
            }
        }
        return out;
    }
};

}  // namespace

TEST_CASE("token_ring: replica_map agrees with a brute-force walk on random rings") {
    std::mt19937_64 rng(20261206);
    const auto uniform = [&](std::int64_t lo, std::int64_t hi) { return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng); };
    const std::vector<std::string> dc_names{"dc1", "dc2", "dc3", "dc4"};

    for (int round = 0; round < 400; ++round) {
        CAPTURE(round);
        // Sometimes a tiny token space, so that members claim the same tokens.
        const bool crowded = uniform(0, 3) == 0;
        const auto dc_count = uniform(1, 3);
        std::vector<cluster::ring_member> members;
        const auto member_count = uniform(0, 12);
        for (std::int64_t m = 0; m < member_count; ++m) {
            cluster::ring_member member;
            member.node = static_cast<std::size_t>(uniform(0, 14) * 3);  // sparse, sometimes repeated
            member.datacenter = dc_names[static_cast<std::size_t>(uniform(0, dc_count - 1))];
            member.rack = "r" + std::to_string(uniform(1, 3));
            const auto token_count = uniform(0, 8);
            for (std::int64_t t = 0; t < token_count; ++t) {
                member.tokens.push_back(crowded ? uniform(-20, 20) : uniform(min_token, max_token));
            }
            members.push_back(std::move(member));
        }
        const cluster::token_ring ring(members);
        const reference_ring reference(members);
        REQUIRE(ring.size() == reference.owner.size());

        std::vector<cluster::replication_strategy> strategies{simple(static_cast<int>(uniform(0, 5))),
                                                              of_kind(cluster::replication_kind::everywhere)};
        std::map<std::string, int, std::less<>> factors;
        for (std::size_t d = 0; d < dc_names.size(); ++d) {
            if (uniform(0, 3) != 0) factors[dc_names[d]] = static_cast<int>(uniform(0, 5));
        }
        strategies.push_back(network_topology(factors));

        std::vector<std::int64_t> probes{min_token, max_token, 0};
        for (const auto t : ring.tokens()) {
            probes.push_back(t);
            if (t != min_token) probes.push_back(t - 1);
            if (t != max_token) probes.push_back(t + 1);
        }
        for (int i = 0; i < 20; ++i) probes.push_back(crowded ? uniform(-25, 25) : uniform(min_token, max_token));

        for (const auto& strategy : strategies) {
            CAPTURE(static_cast<int>(strategy.kind));
            const cluster::replica_map map(ring, strategy);
            for (const auto token : probes) {
                CAPTURE(token);
                REQUIRE(replicas_of(map, token) == reference.replicas(token, strategy));
            }
        }
    }
}

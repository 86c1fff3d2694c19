// Fuzzes parse_replication, and replica_map over what it accepts. The input is the replication
// map as text: one "key=value" per line (split at the first '='; a line without '=' is a key
// with an empty value).
//
// Invariants: an error leaves the output untouched; what is accepted is consistent with its
// class (factors only where the kind has them, each within 0..max_replication_factor); and the
// replicas of a small three-data-center ring, for any token, are distinct ring nodes, no more
// than the strategy asks for.
#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/cluster/replication.hpp"
#include "cqlwire/cluster/token_ring.hpp"
#include "fuzz_support.hpp"

namespace cluster = cqlwire::cluster;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::map<std::string, std::string> options;
    std::string_view text = cqlwire::fuzz::as_text({data, size});
    while (!text.empty()) {
        const auto line = text.substr(0, text.find('\n'));
        text.remove_prefix(std::min(text.size(), line.size() + 1));
        const auto equals = line.find('=');
        options[std::string(line.substr(0, equals))] =
            equals == std::string_view::npos ? std::string() : std::string(line.substr(equals + 1));
    }

    cluster::replication_strategy strategy;
    strategy.class_name = "untouched";
    if (cluster::parse_replication(options, strategy)) {
        FUZZ_CHECK(strategy.class_name == "untouched" && strategy.kind == cluster::replication_kind::other);
        return 0;
    }
    FUZZ_CHECK(strategy.class_name == options.at("class"));
    const auto valid_factor = [](int f) { return f >= 0 && f <= cluster::max_replication_factor; };
    FUZZ_CHECK(valid_factor(strategy.replication_factor));
    FUZZ_CHECK(strategy.kind == cluster::replication_kind::simple || strategy.replication_factor == 0);
    FUZZ_CHECK(strategy.kind == cluster::replication_kind::network_topology || strategy.datacenter_factors.empty());
    auto wanted = static_cast<std::size_t>(strategy.replication_factor);
    for (const auto& [dc, factor] : strategy.datacenter_factors) {
        FUZZ_CHECK(valid_factor(factor));
        FUZZ_CHECK(dc != "class" && dc != "replication_factor");
        wanted += static_cast<std::size_t>(factor);
    }

    // Data centers named as a fuzzer easily writes them: dc1 with three nodes over two racks,
    // dc2 and dc3 with one node each, and "a" whose rack has an empty name.
    const std::vector<cluster::ring_member> members{
        {0, "dc1", "r1", {-50, 10}}, {1, "dc1", "r2", {-10, 60}}, {2, "dc2", "r1", {0}},
        {3, "dc3", "r1", {30, 90}},  {4, "dc1", "r1", {70}},       {5, "a", "", {-90}}};
    const cluster::token_ring ring(members);
    const cluster::replica_map map(ring, strategy);
    for (const std::int64_t token : {-100, -50, -10, 0, 5, 30, 60, 70, 90, 100}) {
        const auto replicas = map.replicas(token);
        if (strategy.kind != cluster::replication_kind::everywhere) {
            FUZZ_CHECK(replicas.size() <= wanted);
        }
        std::vector<std::size_t> nodes(replicas.begin(), replicas.end());
        std::sort(nodes.begin(), nodes.end());
        FUZZ_CHECK(std::adjacent_find(nodes.begin(), nodes.end()) == nodes.end());
        FUZZ_CHECK(nodes.empty() || nodes.back() < members.size());
    }
    return 0;
}

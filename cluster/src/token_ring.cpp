#include "cqlwire/cluster/token_ring.hpp"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

namespace cqlwire::cluster {

namespace {

// The index of `name` in `names`, appending it if absent. Data centers and racks are few, so a
// linear search is the cheapest lookup.
template <typename T>
std::uint32_t intern(std::vector<T>& names, const T& name) {
    const auto it = std::find(names.begin(), names.end(), name);
    if (it != names.end()) return static_cast<std::uint32_t>(it - names.begin());
    names.push_back(name);
    return static_cast<std::uint32_t>(names.size() - 1);
}

// The ring position owning `token` among ascending `tokens` (not empty): the first token >= it,
// else the first token.
std::size_t owning_position(std::span<const std::int64_t> tokens, std::int64_t token) noexcept {
    const auto it = std::lower_bound(tokens.begin(), tokens.end(), token);
    return it == tokens.end() ? 0 : static_cast<std::size_t>(it - tokens.begin());
}

}  // namespace

token_ring::token_ring(std::span<const ring_member> members) {
    // Every (token, member) claim, sorted: of a run of equal tokens, the last claim comes from
    // the member listed last, which wins.
    std::vector<std::pair<std::int64_t, std::size_t>> claims;
    for (std::size_t m = 0; m < members.size(); ++m) {
        for (const auto token : members[m].tokens) claims.emplace_back(token, m);
    }
    std::sort(claims.begin(), claims.end());
    std::vector<std::size_t> owner_member;
    for (std::size_t i = 0; i < claims.size(); ++i) {
        if (i + 1 < claims.size() && claims[i + 1].first == claims[i].first) continue;
        tokens_.push_back(claims[i].first);
        owner_member.push_back(claims[i].second);
    }

    for (const auto m : owner_member) node_ids_.push_back(members[m].node);
    std::sort(node_ids_.begin(), node_ids_.end());
    node_ids_.erase(std::unique(node_ids_.begin(), node_ids_.end()), node_ids_.end());
    const auto ring_number = [this](std::size_t node) {
        return static_cast<std::uint32_t>(std::lower_bound(node_ids_.begin(), node_ids_.end(), node) - node_ids_.begin());
    };
    owners_.reserve(owner_member.size());
    for (const auto m : owner_member) owners_.push_back(ring_number(members[m].node));

    // Locations, from each node's last listing.
    node_datacenter_.assign(node_ids_.size(), 0);
    node_rack_.assign(node_ids_.size(), 0);
    std::vector<std::pair<std::uint32_t, std::string>> racks;  // (data center, rack) per rack number
    for (const auto& member : members) {
        const auto n = ring_number(member.node);
        if (n == node_ids_.size() || node_ids_[n] != member.node) continue;  // owns no token
        node_datacenter_[n] = intern(datacenters_, member.datacenter);
        node_rack_[n] = intern(racks, std::pair(node_datacenter_[n], member.rack));
    }
    rack_count_ = static_cast<std::uint32_t>(racks.size());
}

std::size_t token_ring::position_of(std::int64_t token) const noexcept {
    return owning_position(tokens_, token);
}

namespace {

// The nodes among which one rule picks replicas: the whole ring for SimpleStrategy, one data
// center for NetworkTopologyStrategy. Data centers are independent of each other, so each is
// walked over its own positions only: a small data center beside a large one costs no long
// walks past the other's tokens.
struct placement_group {
    std::vector<std::uint32_t> positions;  // its ring positions, ascending
    int factor = 0;
    std::size_t node_count = 0;
    std::size_t rack_count = 0;
};

// What a group picks walking clockwise from each of its positions: the picks from
// group.positions[j] are positions[offsets[j] .. offsets[j + 1]), in walking order.
struct group_picks {
    std::vector<std::size_t> offsets;
    std::vector<std::uint32_t> positions;
};

// Cassandra's rule for one data center: a node of a rack not yet used is taken; a node of a
// used rack is taken only while the group has more factor than racks (factor - racks such
// nodes in all), and never twice; the walk stops at min(factor, nodes) replicas or after one
// lap. With every node its own rack this is SimpleStrategy: distinct nodes in ring order.
group_picks pick_replicas(const placement_group& group, std::span<const std::uint32_t> owners,
                          std::span<const std::uint32_t> node_rack, std::size_t rack_count) {
    const std::size_t laps = group.positions.size();
    const auto wanted = std::min(static_cast<std::size_t>(group.factor), group.node_count);
    group_picks picks;
    picks.offsets.reserve(laps + 1);
    picks.positions.reserve(laps * wanted);
    // Marks, per walk: taken[n] == start when node n was taken in the walk from `start`, and
    // likewise for racks; no clearing between walks.
    constexpr auto never = std::numeric_limits<std::size_t>::max();
    std::vector<std::size_t> taken(node_rack.size(), never);
    std::vector<std::size_t> rack_used(rack_count, never);
    for (std::size_t start = 0; start < laps; ++start) {
        picks.offsets.push_back(picks.positions.size());
        std::size_t left = wanted;
        auto rack_repeats = static_cast<std::int64_t>(group.factor) - static_cast<std::int64_t>(group.rack_count);
        std::size_t index = start;
        for (std::size_t step = 0; step < laps && left > 0; ++step, index = index + 1 == laps ? 0 : index + 1) {
            const auto position = group.positions[index];
            const auto node = owners[position];
            const auto rack = node_rack[node];
            if (rack_used[rack] != start) {
                rack_used[rack] = start;  // a new rack: its node cannot have been taken
            } else {
                if (rack_repeats <= 0 || taken[node] == start) continue;
                --rack_repeats;
            }
            taken[node] = start;
            picks.positions.push_back(position);
            --left;
        }
    }
    picks.offsets.push_back(picks.positions.size());
    return picks;
}

}  // namespace

replica_map::replica_map(const token_ring& ring, const replication_strategy& strategy) {
    if (ring.empty()) return;
    switch (strategy.kind) {
        case replication_kind::simple:
        case replication_kind::network_topology: place_by_groups(ring, strategy); break;
        case replication_kind::everywhere: place_everywhere(ring); break;
        case replication_kind::local:
        case replication_kind::other: break;
    }
}

void replica_map::place_by_groups(const token_ring& ring, const replication_strategy& strategy) {
    const std::size_t ring_size = ring.size();
    const std::size_t node_count = ring.node_count();
    std::vector<placement_group> groups;
    std::vector<std::uint32_t> node_rack;
    std::size_t rack_count = 0;

    if (strategy.kind == replication_kind::simple) {
        if (strategy.replication_factor <= 0) return;
        placement_group all;
        all.factor = strategy.replication_factor;
        all.node_count = node_count;
        all.rack_count = node_count;
        for (std::uint32_t p = 0; p < ring_size; ++p) all.positions.push_back(p);
        groups.push_back(std::move(all));
        for (std::uint32_t n = 0; n < node_count; ++n) node_rack.push_back(n);
        rack_count = node_count;
    } else {
        groups.resize(ring.datacenters_.size());
        for (std::size_t dc = 0; dc < groups.size(); ++dc) {
            const auto factor = strategy.datacenter_factors.find(std::string_view(ring.datacenters_[dc]));
            if (factor != strategy.datacenter_factors.end()) groups[dc].factor = factor->second;
        }
        std::vector<bool> rack_counted(ring.rack_count_, false);
        for (std::size_t n = 0; n < node_count; ++n) {
            auto& group = groups[ring.node_datacenter_[n]];
            ++group.node_count;
            if (!rack_counted[ring.node_rack_[n]]) {
                rack_counted[ring.node_rack_[n]] = true;
                ++group.rack_count;
            }
        }
        for (std::uint32_t p = 0; p < ring_size; ++p) groups[ring.node_datacenter_[ring.owners_[p]]].positions.push_back(p);
        std::erase_if(groups, [](const placement_group& g) { return g.factor <= 0 || g.positions.empty(); });
        if (groups.empty()) return;
        node_rack = ring.node_rack_;
        rack_count = ring.rack_count_;
    }

    std::vector<group_picks> picks;
    picks.reserve(groups.size());
    for (const auto& group : groups) picks.push_back(pick_replicas(group, ring.owners_, node_rack, rack_count));

    // For each ring position, each group's walk starts at its first position at or after it
    // (wrapping), and the groups' picks are merged by their distance along the ring.
    tokens_ = ring.tokens_;
    slices_.resize(ring_size);
    std::vector<std::size_t> next(groups.size(), 0);
    std::vector<std::pair<std::size_t, std::uint32_t>> merged;  // (distance, node)
    for (std::size_t p = 0; p < ring_size; ++p) {
        merged.clear();
        for (std::size_t g = 0; g < groups.size(); ++g) {
            const auto& positions = groups[g].positions;
            while (next[g] < positions.size() && positions[next[g]] < p) ++next[g];
            const std::size_t start = next[g] == positions.size() ? 0 : next[g];
            for (std::size_t i = picks[g].offsets[start]; i < picks[g].offsets[start + 1]; ++i) {
                const std::size_t q = picks[g].positions[i];
                merged.emplace_back(q >= p ? q - p : q + ring_size - p, ring.owners_[q]);
            }
        }
        if (groups.size() > 1) std::sort(merged.begin(), merged.end());
        slices_[p] = {replicas_.size(), merged.size()};
        for (const auto& [distance, node] : merged) replicas_.push_back(ring.node_ids_[node]);
    }
}

void replica_map::place_everywhere(const token_ring& ring) {
    // One list per node, itself first: the positions it owns share it.
    const std::size_t node_count = ring.node_count();
    replicas_.reserve(node_count * node_count);
    for (std::size_t primary = 0; primary < node_count; ++primary) {
        replicas_.push_back(ring.node_ids_[primary]);
        for (std::size_t n = 0; n < node_count; ++n) {
            if (n != primary) replicas_.push_back(ring.node_ids_[n]);
        }
    }
    tokens_ = ring.tokens_;
    slices_.reserve(ring.size());
    for (const auto owner : ring.owners_) slices_.push_back({owner * node_count, node_count});
}

std::span<const std::size_t> replica_map::replicas(std::int64_t token) const noexcept {
    if (tokens_.empty()) return {};
    const auto& s = slices_[owning_position(tokens_, token)];
    return {replicas_.data() + s.begin, s.size};
}

}  // namespace cqlwire::cluster

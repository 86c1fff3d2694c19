// The token ring and the replicas of each token. token_ring sorts the tokens the nodes own;
// replica_map applies a keyspace's replication strategy to every ring position once, so that
// finding the replicas of a partition is then one binary search and no allocation.
// Pure arithmetic: the session rebuilds both when the topology or a keyspace's replication
// changes, and keeps them immutable in between.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "cqlwire/cluster/export.hpp"
#include "cqlwire/cluster/replication.hpp"

namespace cqlwire::cluster {

// One node as the ring sees it.
struct CQLWIRE_CLUSTER_API ring_member {
    std::size_t node = 0;  // the caller's index of the node; replica lists are made of these
    std::string datacenter;
    std::string rack;
    std::vector<std::int64_t> tokens;  // in any order
};

// The tokens of the ring, ascending, each with the node that owns it. A token owns the range
// from the previous ring token (exclusive) up to itself (inclusive), wrapping around: a
// partition's token belongs to the first ring token >= it, or to the first ring token when it
// is above them all.
//
// When several members claim the same token (a node replaced or moved while the old entry is
// still listed), the one listed last wins. A node listed in several members is one node: its
// tokens are merged, and its last listing gives its data center and rack. A member without
// tokens is not part of the ring.
class CQLWIRE_CLUSTER_API token_ring {
public:
    token_ring() = default;  // the empty ring
    explicit token_ring(std::span<const ring_member> members);

    [[nodiscard]] bool empty() const noexcept { return tokens_.empty(); }
    // The number of ring positions (distinct tokens).
    [[nodiscard]] std::size_t size() const noexcept { return tokens_.size(); }
    // The number of distinct nodes owning at least one token.
    [[nodiscard]] std::size_t node_count() const noexcept { return node_ids_.size(); }
    [[nodiscard]] std::span<const std::int64_t> tokens() const noexcept { return tokens_; }
    // The node owning ring position `position` (< size()).
    [[nodiscard]] std::size_t owner_at(std::size_t position) const noexcept { return node_ids_[owners_[position]]; }
    // The ring position owning `token` (see above); 0 for the empty ring.
    [[nodiscard]] std::size_t position_of(std::int64_t token) const noexcept;

private:
    friend class replica_map;

    // Nodes are numbered 0..node_count()-1 inside the ring (ascending caller index), so that
    // replica_map can mark them in flat arrays; racks are numbered across the whole ring, one
    // number per (data center, rack) pair, since racks of different data centers are different
    // racks even when they share a name.
    std::vector<std::int64_t> tokens_;
    std::vector<std::uint32_t> owners_;           // per position: the owner's ring number
    std::vector<std::size_t> node_ids_;           // per ring number: the caller's index
    std::vector<std::uint32_t> node_datacenter_;  // per ring number: an index into datacenters_
    std::vector<std::uint32_t> node_rack_;        // per ring number: its rack's number
    std::vector<std::string> datacenters_;
    std::uint32_t rack_count_ = 0;
};

// The replicas of every ring position under one replication strategy, primary first, in the
// order Cassandra lists them:
//   - simple: walking the ring clockwise from the token's owner, the first
//     replication_factor distinct nodes (all nodes if there are fewer);
//   - network_topology: NetworkTopologyStrategy.calculateNaturalReplicas as current Cassandra
//     has it. For each data center with a factor above 0 and nodes in the ring, walking
//     clockwise: a node of a rack not yet used is taken; a node of a used rack is taken, where
//     the walk meets it, only while the data center has more factor than racks (factor - racks
//     such nodes at most); a data center stops at min(factor, its nodes). The data centers'
//     picks come in ring order, mixed. Data centers absent from the strategy get no replica.
//     (Older Cassandra releases, and drivers modelled on them, held those rack repeats back
//     until every rack was used, which lists the replicas in another order.)
//   - everywhere: every node of the ring, the owner first, then the others by ascending caller
//     index (the order past the primary carries no meaning for this strategy);
//   - local and other: no replica at all (empty spans): a local keyspace is served by
//     whichever node is asked, and an unknown strategy cannot be computed, so the caller
//     routes without tokens.
// The empty ring gives empty spans.
class CQLWIRE_CLUSTER_API replica_map {
public:
    replica_map() = default;  // no replicas for any token
    replica_map(const token_ring& ring, const replication_strategy& strategy);

    // The replicas (the callers' node indexes) of a partition whose token is `token`. The span
    // stays valid as long as this replica_map lives and is not assigned to.
    [[nodiscard]] std::span<const std::size_t> replicas(std::int64_t token) const noexcept;

private:
    struct slice {
        std::size_t begin = 0;
        std::size_t size = 0;
    };

    void place_by_groups(const token_ring& ring, const replication_strategy& strategy);
    void place_everywhere(const token_ring& ring);

    std::vector<std::int64_t> tokens_;  // the ring's tokens; empty when there is nothing to route
    std::vector<slice> slices_;         // per ring position: its replicas in replicas_
    std::vector<std::size_t> replicas_;
};

}  // namespace cqlwire::cluster

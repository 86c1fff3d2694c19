// How a keyspace places its replicas, read from system_schema.keyspaces.replication (a map of
// text to text): the strategy class and its replication factors. replica_map
// (token_ring.hpp) turns it into the replicas of each token.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <system_error>

#include "cqlwire/cluster/export.hpp"

namespace cqlwire::cluster {

enum class replication_kind : std::uint8_t {
    simple,            // SimpleStrategy: replication_factor nodes, clockwise from the token
    network_topology,  // NetworkTopologyStrategy: a factor per data center, racks spread
    local,             // LocalStrategy (system keyspaces): every node holds its own data
    everywhere,        // EverywhereStrategy (DSE, ScyllaDB): every node holds everything
    other,             // any other class: the session routes without tokens
};

struct CQLWIRE_CLUSTER_API replication_strategy {
    replication_kind kind = replication_kind::other;
    // The replica count of kind::simple (0 for the other kinds).
    int replication_factor = 0;
    // The replica count of each data center of kind::network_topology (empty for the others);
    // a data center not listed has no replica.
    std::map<std::string, int, std::less<>> datacenter_factors;
    // The 'class' option as the server gave it, e.g. to name an unknown strategy in a message.
    std::string class_name;
};

// The largest replication factor parse_replication accepts; more is taken as a corrupt value,
// not as a cluster that large.
inline constexpr int max_replication_factor = 65535;

// Reads the `replication` map of a system_schema.keyspaces row into `out` (left unchanged on
// error).
//
// 'class' is the strategy, by its full name (org.apache.cassandra.locator.SimpleStrategy) or its
// short one (SimpleStrategy); a class this function does not know gives kind::other, which is
// not an error. The factors: 'replication_factor' for SimpleStrategy, every other key a data
// center name for NetworkTopologyStrategy (a 'replication_factor' key there, Cassandra 4's
// shorthand that the server expands before storing, is not a data center and is ignored).
// LocalStrategy and EverywhereStrategy take no factor; their other keys are ignored.
//
// A factor is decimal digits, optionally followed by '/' and the transient replica count
// (Cassandra 4+: "3/1" is 3 replicas of which 1 is transient); the replica count is the total.
//
// Errors, std::errc::invalid_argument: no 'class'; SimpleStrategy without 'replication_factor';
// a factor that is empty, not all digits (no sign, no spaces), above max_replication_factor, or
// whose transient count is not below the total (unless both are 0).
[[nodiscard]] CQLWIRE_CLUSTER_API std::error_code parse_replication(const std::map<std::string, std::string>& options,
                                                                    replication_strategy& out);

}  // namespace cqlwire::cluster

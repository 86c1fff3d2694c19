// The order in which a request tries nodes (its query plan), decided from what the session
// knows at that moment. No I/O: the session passes a view of its nodes.
//
// The plan is: the usable replicas of the request's token in the local data center, starting
// at a rotating position so that replicas share the load; then the other usable local nodes,
// round robin; then, when remote data centers are allowed, the usable remote replicas and the
// other remote nodes, round robin. A node appears once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <boost/container/small_vector.hpp>

namespace cqlwire::cluster {

struct plan_candidate {
    bool usable = false;  // up, with an open connection
    bool local = false;   // in the local data center
};

// A plan: node indexes in the order to try them. Inline up to 8 nodes, so that planning a request
// allocates nothing on most clusters' data centers.
using query_plan = boost::container::small_vector<std::size_t, 8>;

// `replicas`: indexes into `nodes` (primary first), empty when the token or its keyspace is not
// known. `rotation` changes from request to request (a counter).
void make_query_plan(std::span<const plan_candidate> nodes, std::span<const std::size_t> replicas,
                     std::uint64_t rotation, bool allow_remote, query_plan& plan);

}  // namespace cqlwire::cluster

// SHOW REPLICAS <token> [<keyspace>]: the nodes that hold a token's data in a keyspace, printed
// as cqlsh prints them (a Python list of addresses, ['127.0.0.1', '127.0.0.2']). cqlsh asks its
// driver's token map; here the ring is read from system.local and system.peers_v2 (or
// system.peers), the keyspace's replication from system_schema.keyspaces, and the replicas
// computed by cqlwire::cluster's replica_map, primary first. As in cqlsh, a keyspace that does
// not exist, none given outside a keyspace, and a local strategy (the system keyspace) give [].
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cqlwire/transport/query_client.hpp"

namespace cqlwire::cli {

// The addresses of the replicas of `token` in `keyspace`; false with `error` when a system
// table could not be read.
bool find_replicas(transport::query_client& client, const std::string& keyspace, std::int64_t token,
                   std::vector<std::string>& addresses, std::string& error);

// ['a', 'b'], as Python prints a list of strings.
std::string python_list(const std::vector<std::string>& items);

}  // namespace cqlwire::cli

// Reading the system tables the control connection queries into plain values: one
// discovered_node per row of system.local / system.peers_v2 / system.peers, and the keyspaces'
// replication options. Rows come from the network: a row without a usable host id or address
// is reported (`problem`) and skipped, never guessed at; a column a server lacks (older
// versions, or a fake) reads as absent.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/query_result.hpp"

namespace cqlwire::cluster {

struct discovered_node {
    protocol::uuid host_id{};
    // The address clients are to dial, as the node advertises it; unset for system.local (the
    // control connection's own address is used) and for rows without one.
    std::optional<boost::asio::ip::tcp::endpoint> advertised;
    std::string datacenter;
    std::string rack;
    std::string release_version;
    std::vector<std::int64_t> tokens;
};

enum class peers_table : std::uint8_t { local, peers_v2, peers };

struct topology_read {
    std::vector<discovered_node> nodes;
    std::vector<std::string> problems;  // one line per row skipped or value not understood
};

// Reads the rows of `SELECT * FROM system.local`, `system.peers_v2` or `system.peers`.
// `default_port` is the native port of peers whose table does not give one (system.peers).
void read_topology_rows(const transport::query_result& rows, peers_table table, std::uint16_t default_port,
                        topology_read& out);

// Reads `SELECT keyspace_name, replication FROM system_schema.keyspaces`: keyspace → options.
void read_keyspace_rows(const transport::query_result& rows,
                        std::map<std::string, std::map<std::string, std::string>>& out,
                        std::vector<std::string>& problems);

// The asio form of a protocol address.
boost::asio::ip::address to_asio_address(const protocol::inet_address& a);

}  // namespace cqlwire::cluster

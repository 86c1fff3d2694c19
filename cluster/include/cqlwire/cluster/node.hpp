// What the session knows of one node of the cluster: where it is dialed, who it is (host id,
// data center, rack, tokens) and whether it currently serves. The control connection fills it
// from system.local and system.peers_v2 (or system.peers) and keeps it current from the
// server's TOPOLOGY_CHANGE and STATUS_CHANGE events; the pools change its state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "cqlwire/cluster/export.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::cluster {

enum class node_state : std::uint8_t {
    unknown,  // learnt from the peers table, no connection tried yet
    up,       // its pool holds at least one open connection
    down,     // its connections failed (or the server said DOWN); reconnection is scheduled
    refused,  // its TLS certificate did not verify: it is left out until the session restarts
    removed,  // gone from the ring (TOPOLOGY_CHANGE REMOVED_NODE)
};

[[nodiscard]] CQLWIRE_CLUSTER_API std::string_view to_string(node_state state) noexcept;

struct node_info {
    // The address the session dials (after the address translator), and the native port.
    boost::asio::ip::tcp::endpoint address;
    // The address the node advertises for clients (rpc_address / native_address), before
    // translation; equal to `address` without a translator.
    boost::asio::ip::tcp::endpoint advertised;
    protocol::uuid host_id{};  // system.local.host_id; protocol::to_string prints it
    std::string datacenter;
    std::string rack;
    std::string release_version;
    std::vector<std::int64_t> tokens;  // Murmur3 tokens, as the node reports them
    node_state state = node_state::unknown;
};

}  // namespace cqlwire::cluster

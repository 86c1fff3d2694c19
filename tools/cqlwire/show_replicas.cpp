// SHOW REPLICAS; see show_replicas.hpp.
#include "show_replicas.hpp"

#include <algorithm>
#include <map>

#include "cqlwire/cluster/replication.hpp"
#include "cqlwire/cluster/token.hpp"
#include "cqlwire/cluster/token_ring.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::cli {
namespace {

// A text cell's value; empty for a null (or a value that is not text).
std::string text_at(const protocol::value_view& v) { return std::string(protocol::as_text(v).value_or("")); }

// The node's members of the ring, from rows of (address, data_center, rack, tokens).
void add_members(const transport::query_result& rows, std::vector<cluster::ring_member>& members,
                 std::vector<std::string>& addresses) {
    for (const auto& row : rows.rows()) {
        protocol::inet_address address;
        if (row[0].is_null() || protocol::to_inet(row[0], address)) continue;
        cluster::ring_member m;
        m.node = addresses.size();
        m.datacenter = text_at(row[1]);
        m.rack = text_at(row[2]);
        protocol::element_cursor cursor;
        protocol::value_view element = row[3];
        if (!row[3].is_null() && !protocol::open_elements(row[3], cursor)) {
            while (!cursor.at_end() && !cursor.next(element)) {
                std::string_view text;
                if (protocol::to_text(element, text)) continue;
                if (const auto token = cluster::parse_token(text)) m.tokens.push_back(*token);
            }
        }
        addresses.push_back(protocol::to_string(address));
        members.push_back(std::move(m));
    }
}

bool run(transport::query_client& client, const std::string& cql, const std::vector<std::string>& values,
         transport::query_result& out, std::string& error) {
    transport::statement s(cql);
    for (const auto& v : values) s.bind(v);
    s.options.consistency = protocol::consistency::one;
    std::error_code ec;
    protocol::diagnostics diag;
    out = client.execute(s, ec, diag);
    if (!ec) return true;
    error = "could not read the ring (" + cql + "): " +
            (diag.server_message().empty() ? ec.message() : std::string(diag.server_message()));
    return false;
}

}  // namespace

bool find_replicas(transport::query_client& client, const std::string& keyspace, std::int64_t token,
                   std::vector<std::string>& addresses, std::string& error) {
    addresses.clear();
    transport::query_result rows;
    if (!run(client, "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?", {keyspace}, rows,
             error))
        return false;
    std::map<std::string, std::string> options;
    for (const auto& row : rows.rows()) {
        protocol::map_cursor cursor;
        if (row[0].is_null() || protocol::open_entries(row[0], cursor)) continue;
        protocol::value_view k = row[0], v = row[0];
        while (!cursor.at_end() && !cursor.next(k, v)) options[text_at(k)] = text_at(v);
    }
    cluster::replication_strategy strategy;
    if (options.empty() || cluster::parse_replication(options, strategy)) return true;  // cqlsh's []

    std::vector<cluster::ring_member> members;
    std::vector<std::string> node_addresses;
    if (!run(client, "SELECT rpc_address, data_center, rack, tokens FROM system.local WHERE key = 'local'", {}, rows,
             error))
        return false;
    add_members(rows, members, node_addresses);
    std::string peers_error;
    if (run(client, "SELECT native_address, data_center, rack, tokens FROM system.peers_v2", {}, rows, peers_error)) {
        add_members(rows, members, node_addresses);
    } else {
        // Before Cassandra 4 there is only system.peers.
        if (!run(client, "SELECT rpc_address, data_center, rack, tokens FROM system.peers", {}, rows, error))
            return false;
        add_members(rows, members, node_addresses);
    }
    const cluster::token_ring ring(members);
    const cluster::replica_map replicas(ring, strategy);
    for (const auto node : replicas.replicas(token)) addresses.push_back(node_addresses[node]);
    return true;
}

std::string python_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", '" : "'") + items[i] + "'";
    return out + "]";
}

}  // namespace cqlwire::cli

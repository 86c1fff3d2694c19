#include "topology_rows.hpp"

#include <array>

#include "cqlwire/cluster/token.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::cluster {
namespace {

// Where each column of interest sits in the result, if it is there at all.
class column_finder {
public:
    explicit column_finder(const transport::query_result& r) : columns_(r.metadata().columns) {}
    std::optional<std::size_t> operator()(std::string_view name) const {
        for (std::size_t i = 0; i < columns_.size(); ++i)
            if (columns_[i].name == name) return i;
        return std::nullopt;
    }

private:
    const std::vector<protocol::column_spec>& columns_;
};

std::optional<std::string> text_at(const protocol::row_view& row, std::optional<std::size_t> i) {
    if (!i) return std::nullopt;
    std::string_view text;
    if (protocol::to_text(row[*i], text)) return std::nullopt;
    return std::string(text);
}

std::optional<protocol::inet_address> inet_at(const protocol::row_view& row, std::optional<std::size_t> i) {
    if (!i) return std::nullopt;
    protocol::inet_address a;
    if (protocol::to_inet(row[*i], a)) return std::nullopt;
    return a;
}

std::optional<std::int32_t> int_at(const protocol::row_view& row, std::optional<std::size_t> i) {
    if (!i) return std::nullopt;
    return protocol::as_int32(row[*i]);
}

bool is_unspecified(const protocol::inet_address& a) {
    for (std::size_t i = 0; i < a.size; ++i)
        if (a.bytes[i] != 0) return false;
    return true;
}

// The tokens column, a set<text> of decimal Murmur3 tokens. Tokens that do not parse are counted
// in `bad` and left out.
std::vector<std::int64_t> tokens_at(const protocol::row_view& row, std::optional<std::size_t> i, std::size_t& bad) {
    std::vector<std::int64_t> tokens;
    if (!i) return tokens;
    const auto cell = row[*i];
    protocol::element_cursor cursor;
    if (protocol::open_elements(cell, cursor)) return tokens;
    tokens.reserve(cursor.size());
    protocol::value_view element = cell;
    while (!cursor.at_end()) {
        if (cursor.next(element)) break;
        std::string_view text;
        std::optional<std::int64_t> token;
        if (!protocol::to_text(element, text)) token = parse_token(text);
        if (token)
            tokens.push_back(*token);
        else
            ++bad;
    }
    return tokens;
}

}  // namespace

boost::asio::ip::address to_asio_address(const protocol::inet_address& a) {
    if (a.is_v4()) {
        boost::asio::ip::address_v4::bytes_type b{};
        std::copy_n(a.bytes.begin(), 4, b.begin());
        return boost::asio::ip::address_v4(b);
    }
    boost::asio::ip::address_v6::bytes_type b{};
    std::copy_n(a.bytes.begin(), 16, b.begin());
    return boost::asio::ip::address_v6(b);
}

void read_topology_rows(const transport::query_result& rows, peers_table table, std::uint16_t default_port,
                        topology_read& out) {
    const column_finder column(rows);
    const auto host_id = column("host_id");
    const auto dc = column("data_center");
    const auto rack = column("rack");
    const auto release = column("release_version");
    const auto tokens = column("tokens");
    // The address a peer advertises for clients, and the one it gossips on (the fallback when
    // the first is unset or 0.0.0.0, as a node listening on every interface advertises).
    const auto native = column(table == peers_table::peers_v2 ? "native_address" : "rpc_address");
    const auto native_port = column("native_port");
    const auto peer = column("peer");
    const std::string_view table_name = table == peers_table::local      ? "system.local"
                                        : table == peers_table::peers_v2 ? "system.peers_v2"
                                                                         : "system.peers";
    std::size_t index = 0;
    for (const auto& row : rows.rows()) {
        ++index;
        discovered_node node;
        protocol::uuid id;
        if (!host_id || protocol::to_uuid(row[*host_id], id)) {
            out.problems.push_back(std::string(table_name) + " row " + std::to_string(index) +
                                   " has no host_id: the node is left out");
            continue;
        }
        node.host_id = id;
        node.datacenter = text_at(row, dc).value_or("");
        node.rack = text_at(row, rack).value_or("");
        node.release_version = text_at(row, release).value_or("");
        std::size_t bad_tokens = 0;
        node.tokens = tokens_at(row, tokens, bad_tokens);
        if (bad_tokens > 0)
            out.problems.push_back(std::string(table_name) + " row " + std::to_string(index) + " (host " +
                                   protocol::to_string(id) + "): " + std::to_string(bad_tokens) +
                                   " tokens are not Murmur3 tokens and are ignored");
        if (table != peers_table::local) {
            auto address = inet_at(row, native);
            if (!address || is_unspecified(*address)) address = inet_at(row, peer);
            if (!address || is_unspecified(*address)) {
                out.problems.push_back(std::string(table_name) + " row " + std::to_string(index) + " (host " +
                                       protocol::to_string(id) + ") has no usable address: the node is left out");
                continue;
            }
            std::uint16_t port = default_port;
            if (const auto p = int_at(row, native_port); p && *p > 0 && *p <= 65535)
                port = static_cast<std::uint16_t>(*p);
            node.advertised = boost::asio::ip::tcp::endpoint(to_asio_address(*address), port);
        }
        out.nodes.push_back(std::move(node));
    }
}

void read_keyspace_rows(const transport::query_result& rows,
                        std::map<std::string, std::map<std::string, std::string>>& out,
                        std::vector<std::string>& problems) {
    const column_finder column(rows);
    const auto name = column("keyspace_name");
    const auto replication = column("replication");
    if (!name || !replication) {
        problems.push_back("system_schema.keyspaces has no keyspace_name or replication column");
        return;
    }
    for (const auto& row : rows.rows()) {
        const auto keyspace = text_at(row, name);
        if (!keyspace) continue;
        std::map<std::string, std::string> options;
        const auto cell = row[*replication];
        protocol::map_cursor cursor;
        if (protocol::open_entries(cell, cursor)) {
            problems.push_back("keyspace " + *keyspace + ": its replication is not a map");
            continue;
        }
        protocol::value_view key = cell, value = cell;
        while (!cursor.at_end()) {
            if (cursor.next(key, value)) break;
            std::string_view k, v;
            if (protocol::to_text(key, k) || protocol::to_text(value, v)) continue;
            options.emplace(std::string(k), std::string(v));
        }
        out[*keyspace] = std::move(options);
    }
}

}  // namespace cqlwire::cluster

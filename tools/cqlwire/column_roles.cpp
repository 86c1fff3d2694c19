// The roles of a result's columns in their table; see column_roles.hpp.
#include "column_roles.hpp"

#include <chrono>

#include "cqlwire/protocol/ascii.hpp"
#include "copy_support.hpp"
#include "cqlwire/transport/query_client.hpp"

namespace cqlwire::cli {
namespace {

// Only colours depend on the answer: a node that is slow to give it does not hold the result
// for long.
constexpr std::chrono::milliseconds roles_timeout{2000};

std::string_view first_word(std::string_view text) {
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string_view::npos) return {};
    text.remove_prefix(start);
    return text.substr(0, text.find_first_of(" \t\r\n;"));
}

std::string_view second_word(std::string_view text) {
    const auto first = first_word(text);
    const auto at = text.find(first);
    return first_word(text.substr(at + first.size()));
}

}  // namespace

const column_role_cache::table_roles& column_role_cache::roles_of(transport::connection& conn,
                                                                  const std::string& keyspace,
                                                                  const std::string& table) {
    const auto key = std::make_pair(keyspace, table);
    if (auto it = tables_.find(key); it != tables_.end()) return it->second;
    table_roles roles;
    transport::query_client client(conn);
    table_schema schema;
    std::string error;
    if (read_table_schema(client, keyspace, table, schema, error, "system_schema", roles_timeout) ||
        read_table_schema(client, keyspace, table, schema, error, "system_virtual_schema", roles_timeout)) {
        for (const auto& name : schema.columns) roles.emplace(name, column_role::other);
        for (const auto& name : schema.partition_key) roles[name] = column_role::partition_key;
        for (const auto& name : schema.clustering) roles[name] = column_role::clustering;
        for (const auto& name : schema.statics) roles[name] = column_role::static_column;
    }
    return tables_.emplace(key, std::move(roles)).first->second;
}

std::vector<column_role> column_role_cache::roles(transport::connection& conn, std::string_view text,
                                                  std::span<const protocol::column_spec> columns) {
    std::string keyspace, table;
    const auto word = first_word(text);
    if (protocol::equals_ignoring_ascii_case(word, "select")) {
        if (columns.empty()) return {};
        keyspace = columns.front().keyspace;
        table = columns.front().table;
    } else if (protocol::equals_ignoring_ascii_case(word, "list")) {
        const auto what = second_word(text);
        keyspace = "system_auth";
        table = protocol::equals_ignoring_ascii_case(what, "roles") || protocol::equals_ignoring_ascii_case(what, "users")
                    ? "roles"
                    : "role_permissions";
    } else {
        return {};
    }
    const auto& roles = roles_of(conn, keyspace, table);
    std::vector<column_role> out;
    out.reserve(columns.size());
    for (const auto& c : columns) {
        const auto it = roles.find(c.name);
        out.push_back(it == roles.end() ? column_role::other : it->second);
    }
    return out;
}

}  // namespace cqlwire::cli

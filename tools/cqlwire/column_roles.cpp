// The roles of a result's columns in their table; see column_roles.hpp.
#include "column_roles.hpp"

#include <chrono>

#include "cqlwire/protocol/ascii.hpp"
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

column_role role_named(std::string_view kind) {
    if (kind == "partition_key") return column_role::partition_key;
    if (kind == "clustering") return column_role::clustering;
    if (kind == "static") return column_role::static_column;
    return column_role::other;
}

}  // namespace

const column_role_cache::table_roles& column_role_cache::roles_of(transport::connection& conn,
                                                                  const std::string& keyspace,
                                                                  const std::string& table) {
    const auto key = std::make_pair(keyspace, table);
    if (auto it = tables_.find(key); it != tables_.end()) return it->second;
    table_roles roles;
    for (std::string_view schema : {"system_schema", "system_virtual_schema"}) {
        transport::statement s("SELECT column_name, kind FROM " + std::string(schema) +
                               ".columns WHERE keyspace_name = ? AND table_name = ?");
        s.bind(keyspace).bind(table);
        s.options.consistency = protocol::consistency::local_one;
        s.options.timeout = roles_timeout;
        std::error_code ec;
        protocol::diagnostics diag;
        transport::query_client client(conn);
        const auto result = client.execute(s, ec, diag);
        if (ec) break;
        for (const auto& row : result.rows()) {
            std::string_view name, kind;
            if (row[0].is_null() || row[1].is_null() || protocol::to_text(row[0], name) || protocol::to_text(row[1], kind))
                continue;
            roles.emplace(std::string(name), role_named(kind));
        }
        if (!roles.empty()) break;
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

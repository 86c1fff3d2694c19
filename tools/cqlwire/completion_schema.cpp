// The schema names completion offers, from the node; see completion_schema.hpp.
#include "completion_schema.hpp"

#include <algorithm>
#include <chrono>

#include "cqlwire/transport/query_client.hpp"

namespace cqlwire::cli {
namespace {

// Long enough for a loaded node's system tables; short enough that a stalled node does not
// hold the line being typed for long.
constexpr std::chrono::milliseconds completion_timeout{3000};
// The most names of one kind completion offers (a schema of more tables than this is not listed
// whole at a Tab anyway).
constexpr std::int32_t most_names = 10000;

}  // namespace

std::optional<std::vector<std::string>> server_schema_names::names(const std::string& cql,
                                                                   const std::vector<std::string>& values) {
    if (failed_) return std::nullopt;
    transport::statement s(cql);
    for (const auto& v : values) s.bind(v);
    s.options.consistency = protocol::consistency::local_one;
    s.options.page_size = most_names;
    s.options.timeout = completion_timeout;
    std::error_code ec;
    protocol::diagnostics diag;
    transport::query_client client(connection_());
    const auto result = client.execute(s, ec, diag);
    if (ec) {
        // No answer (a timeout, a lost connection): the attempt's other requests would wait
        // the same. An error the node answered with concerns this request only.
        if (diag.server_message().empty()) failed_ = true;
        return std::nullopt;
    }
    std::vector<std::string> out;
    for (const auto& row : result.rows()) {
        std::string_view text;
        if (row[0].is_null() || protocol::to_text(row[0], text)) continue;
        out.emplace_back(text);
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

const std::vector<std::string>& server_schema_names::cached(const std::string& cql,
                                                           const std::vector<std::string>& values) {
    auto key = std::make_pair(cql, values);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    // A failure is not kept: the next Tab asks again.
    static const std::vector<std::string> nothing;
    auto got = names(cql, values);
    if (!got) return nothing;
    return cache_.emplace(std::move(key), std::move(*got)).first->second;
}

std::vector<std::string> server_schema_names::keyspaces() {
    auto out = cached("SELECT keyspace_name FROM system_schema.keyspaces", {});
    const auto& virtual_ones = cached("SELECT keyspace_name FROM system_virtual_schema.keyspaces", {});
    out.insert(out.end(), virtual_ones.begin(), virtual_ones.end());
    return out;
}

std::vector<std::string> server_schema_names::tables(const std::string& keyspace) {
    auto out = cached("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", {keyspace});
    const auto& views = cached("SELECT view_name FROM system_schema.views WHERE keyspace_name = ?", {keyspace});
    out.insert(out.end(), views.begin(), views.end());
    if (out.empty()) {
        const auto& virtual_ones =
            cached("SELECT table_name FROM system_virtual_schema.tables WHERE keyspace_name = ?", {keyspace});
        out.insert(out.end(), virtual_ones.begin(), virtual_ones.end());
    }
    return out;
}

std::vector<std::string> server_schema_names::columns(const std::string& keyspace, const std::string& table) {
    auto out = cached("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
                      {keyspace, table});
    if (out.empty())
        out = cached("SELECT column_name FROM system_virtual_schema.columns WHERE keyspace_name = ? AND table_name = ?",
                     {keyspace, table});
    return out;
}

std::vector<std::string> server_schema_names::user_types(const std::string& keyspace) {
    return cached("SELECT type_name FROM system_schema.types WHERE keyspace_name = ?", {keyspace});
}

void server_schema_names::forget() { cache_.clear(); }

}  // namespace cqlwire::cli

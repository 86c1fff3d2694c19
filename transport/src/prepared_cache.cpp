// Prepared statements and their per-connection cache.
#include "cqlwire/transport/prepared_cache.hpp"

#include <algorithm>

namespace cqlwire::transport {

prepared_statement::prepared_statement(std::string keyspace, std::string query, const protocol::prepared_view& prepared)
    : keyspace_(std::move(keyspace)),
      query_(std::move(query)),
      id_(prepared.id.begin(), prepared.id.end()),
      bind_metadata_(prepared.metadata),
      result_metadata_(prepared.rows_metadata) {}

void prepared_statement::update(const prepared_statement& newer) {
    id_ = newer.id_;
    bind_metadata_ = newer.bind_metadata_;
    result_metadata_ = newer.result_metadata_;
    ++times_prepared_;
}

std::shared_ptr<prepared_statement> prepared_cache::find(std::string_view keyspace, std::string_view query) const {
    auto it = entries_.find(key{std::string(keyspace), std::string(query)});
    return it == entries_.end() ? nullptr : it->second.second;
}

std::shared_ptr<prepared_statement> prepared_cache::find_by_id(protocol::bytes_view id) const {
    for (const auto& [k, entry] : entries_) {
        const auto own = entry.second->id();
        if (std::equal(own.begin(), own.end(), id.begin(), id.end())) return entry.second;
    }
    return nullptr;
}

void prepared_cache::insert(std::shared_ptr<prepared_statement> statement) {
    if (!statement) return;
    key k{statement->keyspace(), statement->query()};
    if (auto it = entries_.find(k); it != entries_.end()) {
        it->second = {next_sequence_++, std::move(statement)};
        return;
    }
    if (entries_.size() >= capacity_) {
        auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                       [](const auto& a, const auto& b) { return a.second.first < b.second.first; });
        entries_.erase(oldest);
    }
    entries_.emplace(std::move(k), std::make_pair(next_sequence_++, std::move(statement)));
}

void prepared_cache::clear() noexcept { entries_.clear(); }

}  // namespace cqlwire::transport

// Prepared statements and the per-connection cache of them.
//
// A prepared_statement is what a PREPARE returned: the server's id for it, the types of its
// bind markers and the metadata of the rows it returns, plus the text and the keyspace that
// was current when it was prepared (v4 resolves unqualified table names against the
// connection's keyspace, so the same text in two keyspaces is two statements).
//
// The cache maps (keyspace, text) to the statement, so preparing the same text again sends no
// PREPARE. It is bounded: beyond `capacity` the entry prepared longest ago is dropped (handles
// to it stay usable: executing one the server forgot re-prepares it).
//
// Re-preparing (after an Unprepared error) updates the statement in place, so every handle
// sees the new id and metadata. None of this locks: the query_client that owns the cache reads
// and changes it (and the statements' ids) only on its connection's executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API prepared_statement {
public:
    prepared_statement(std::string keyspace, std::string query, const protocol::prepared_view& prepared);

    const std::string& query() const noexcept { return query_; }
    // The keyspace current on the connection when it was prepared; empty when none was.
    const std::string& keyspace() const noexcept { return keyspace_; }
    protocol::bytes_view id() const noexcept { return id_; }
    // The bind markers, in order: name and type of each.
    const protocol::prepared_metadata& bind_metadata() const noexcept { return bind_metadata_; }
    // What executing it returns (column count 0 for statements that return no rows).
    const protocol::result_metadata& result_metadata() const noexcept { return result_metadata_; }
    // How many times the server prepared it for this connection (1, then +1 per re-prepare).
    std::size_t times_prepared() const noexcept { return times_prepared_; }

    // Takes the id and metadata of a new PREPARE of the same text.
    void update(const prepared_statement& newer);

private:
    std::string keyspace_;
    std::string query_;
    std::vector<std::uint8_t> id_;
    protocol::prepared_metadata bind_metadata_;
    protocol::result_metadata result_metadata_;
    std::size_t times_prepared_ = 1;
};

class CQLWIRE_TRANSPORT_API prepared_cache {
public:
    static constexpr std::size_t default_capacity = 1024;

    explicit prepared_cache(std::size_t capacity = default_capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

    // Null when (keyspace, query) is not cached.
    std::shared_ptr<prepared_statement> find(std::string_view keyspace, std::string_view query) const;
    // The statement prepared with this id, or null (to answer an Unprepared error).
    std::shared_ptr<prepared_statement> find_by_id(protocol::bytes_view id) const;
    // Adds (or replaces) the entry for the statement's keyspace and text.
    void insert(std::shared_ptr<prepared_statement> statement);
    void clear() noexcept;
    std::size_t size() const noexcept { return entries_.size(); }
    std::size_t capacity() const noexcept { return capacity_; }

private:
    using key = std::pair<std::string, std::string>;  // keyspace, query

    std::size_t capacity_;
    std::uint64_t next_sequence_ = 0;
    // The entry and when it was inserted; eviction picks the smallest sequence.
    std::map<key, std::pair<std::uint64_t, std::shared_ptr<prepared_statement>>> entries_;
};

}  // namespace cqlwire::transport

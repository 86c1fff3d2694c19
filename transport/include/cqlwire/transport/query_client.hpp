// The query surface over one connection: QUERY, PREPARE (through a per-connection cache),
// EXECUTE with typed bind values, BATCH, paging, and the typed results of query_result.hpp.
//
// Transparent re-prepare: when the server answers an EXECUTE (or a BATCH) with Unprepared
// (0x2500: it forgot the id, e.g. after the table was dropped and created again, or a restart),
// the client PREPAREs the statement's text again, updates the prepared statement in place and
// retries once. The retried result says reprepared(); a second Unprepared is returned as is.
// v4 has no per-request keyspace: a statement is re-prepared against the connection's current
// keyspace, so re-preparing an unqualified statement after a USE of another keyspace would bind
// it there. Qualify table names, or keep one keyspace per connection, to avoid that.
//
// Results are never requested with Skip_metadata: v4 cannot tell the client that a statement's
// result columns changed (ALTER TABLE), so every Rows result carries its own metadata.
//
// The keyspace set by `USE` (a Set_keyspace result) is tracked: keyspace() gives it, and the
// cache keys statements by it.
//
// Blocking API, like connection's: the (…, std::error_code&, diagnostics&) forms and throwing
// forms (std::system_error). A server ERROR gives its code (protocol::server_errc) with the
// message in diag.server_message(). Use a query_client from one thread at a time; the
// connection must outlive it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/batch.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/pager.hpp"
#include "cqlwire/transport/prepared_cache.hpp"
#include "cqlwire/transport/query_result.hpp"
#include "cqlwire/transport/statement.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// What the client did, for tests and monitoring.
struct CQLWIRE_TRANSPORT_API query_counters {
    std::uint64_t prepares_sent = 0;       // PREPARE requests sent (re-prepares included)
    std::uint64_t cache_hits = 0;          // prepare() answered from the cache
    std::uint64_t unprepared_received = 0; // Unprepared errors seen
    std::uint64_t reprepares = 0;          // statements re-prepared after one
};

class CQLWIRE_TRANSPORT_API query_client {
public:
    explicit query_client(connection& c, std::size_t cache_capacity = prepared_cache::default_capacity)
        : connection_(&c), cache_(cache_capacity) {}

    // The prepared statement for `cql` in the current keyspace: from the cache, or PREPAREd
    // (and cached). On failure null, with ec and diag set.
    std::shared_ptr<const prepared_statement> prepare(std::string_view cql, std::error_code& ec,
                                                      protocol::diagnostics& diag);
    std::shared_ptr<const prepared_statement> prepare(std::string_view cql);

    // QUERY (a CQL string) or EXECUTE (a prepared statement, re-prepared if the server forgot
    // it). On failure the result is empty and ec says why (for a server ERROR, the server's
    // code, with its message in diag.server_message()).
    query_result execute(const statement& s, std::error_code& ec, protocol::diagnostics& diag);
    query_result execute(const statement& s);
    // A CQL string with default options and no values.
    query_result execute(std::string_view cql, std::error_code& ec, protocol::diagnostics& diag) {
        return execute(statement(std::string(cql)), ec, diag);
    }
    query_result execute(std::string_view cql) { return execute(statement(std::string(cql))); }

    query_result execute(const batch& b, std::error_code& ec, protocol::diagnostics& diag);
    query_result execute(const batch& b);

    // A pager over `s` (set s.options.page_size; without it the server sends everything in
    // one page).
    pager pages(statement s) { return pager(*this, std::move(s)); }

    // The keyspace of the last Set_keyspace result (empty before any USE).
    const std::string& keyspace() const noexcept { return keyspace_; }
    const query_counters& counters() const noexcept { return counters_; }
    prepared_cache& cache() noexcept { return cache_; }
    connection& underlying_connection() noexcept { return *connection_; }

private:
    std::shared_ptr<prepared_statement> send_prepare(std::string_view cql, std::error_code& ec,
                                                     protocol::diagnostics& diag);
    // Re-prepares the statement the Unprepared error `r` names (one of `candidates`).
    bool reprepare(const response& r, std::span<const std::shared_ptr<const prepared_statement>> candidates,
                   std::error_code& ec, protocol::diagnostics& diag);
    query_result finish(response r, std::error_code& ec, protocol::diagnostics& diag);
    // Sends what `send` sends (send(response&) returns false, with ec set, when it could not);
    // while the server answers Unprepared, re-prepares the statement it names among `candidates`
    // and sends again, at most `max_retries` times; then finish().
    template <class Send>
    query_result send_with_reprepare(std::size_t max_retries,
                                     std::span<const std::shared_ptr<const prepared_statement>> candidates,
                                     Send&& send, std::error_code& ec, protocol::diagnostics& diag);

    connection* connection_;
    prepared_cache cache_;
    std::string keyspace_;
    query_counters counters_;
};

}  // namespace cqlwire::transport

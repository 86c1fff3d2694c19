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
// Two API forms, like connection's:
//   - Asynchronous, with any Asio completion token (a callback, asio::use_future,
//     asio::use_awaitable): async_prepare, async_execute, async_batch. The completion gets the
//     error_code and the result; a server ERROR gives its code (protocol::server_errc) with its
//     message in the `diag` given to the overload that takes one (it must outlive the
//     operation, as with connection::async_startup); the overloads without `diag` drop the
//     explanation. What the caller passes (text, statement, batch) is copied at initiation.
//   - Blocking, (…, std::error_code&, diagnostics&) and throwing (std::system_error), built on
//     the asynchronous forms with run_blocking (blocking.hpp): they work while other threads
//     run the connection's io_context (everything runs on the connection's strand), and fail
//     at once with std::errc::resource_deadlock_would_occur when called from one of its
//     handlers.
//
// Threading: an operation may be started from any thread; it is carried out on the
// connection's executor, and only there are the prepared cache, the keyspace and the counters
// read or changed. So any number of operations may be in flight at once (and their
// re-prepares), without locks. Read keyspace(), counters() and cache() on the connection's
// executor, or while no operation is in flight. The connection must outlive the query_client,
// and the query_client every operation started on it.
#pragma once

#include <chrono>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/batch.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/handler_executor.hpp"
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

using query_signature = void(std::error_code, query_result);
using prepare_signature = void(std::error_code, std::shared_ptr<const prepared_statement>);

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
    // code, with its message in diag.server_message(), and the ERROR frame kept in the result
    // for query_result::server_error()).
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

    // ---- Asynchronous forms ------------------------------------------------------------------
    // PREPARE through the cache: completes with the prepared statement (null on failure).
    // Preparing a text already being prepared waits for that PREPARE rather than sending another.
    template <class CompletionToken>
    auto async_prepare(std::string_view cql, protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, prepare_signature>(
            [this](auto handler, std::string text, protocol::diagnostics* d) {
                start_prepare(std::move(text), d,
                              boost::asio::any_completion_handler<prepare_signature>(std::move(handler)));
            },
            token, std::string(cql), &diag);
    }
    template <class CompletionToken>
    auto async_prepare(std::string_view cql, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, prepare_signature>(
            [this](auto handler, std::string text) {
                start_prepare(std::move(text), nullptr,
                              boost::asio::any_completion_handler<prepare_signature>(std::move(handler)));
            },
            token, std::string(cql));
    }

    // QUERY or EXECUTE (re-prepared once if the server forgot it); on failure the result is empty.
    template <class CompletionToken>
    auto async_execute(const statement& s, protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, query_signature>(
            [this](auto handler, statement copy, protocol::diagnostics* d) {
                start_execute(std::move(copy), d,
                              boost::asio::any_completion_handler<query_signature>(std::move(handler)));
            },
            token, s, &diag);
    }
    template <class CompletionToken>
    auto async_execute(const statement& s, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, query_signature>(
            [this](auto handler, statement copy) {
                start_execute(std::move(copy), nullptr,
                              boost::asio::any_completion_handler<query_signature>(std::move(handler)));
            },
            token, s);
    }

    // QUERY or EXECUTE for a caller already running on the connection's executor (a layer built
    // on connections, such as a cluster session's attempt), without the copy of the statement
    // and the pass through the scheduler that async_execute makes. `s` and `diag` are borrowed:
    // they must stay alive and unchanged until `handler` has run. `values`, when not null, are
    // `s`'s values already encoded against its bind markers (encode_statement_values); they
    // serve the first send only and need to live only during this call. The handler may run
    // before this returns (when the request cannot be sent), on the connection's executor
    // unless it has an executor of its own. `timeout`, when positive, bounds each send of the
    // request instead of the statement's own (a cluster session's deadline across attempts).
    template <class Handler>
    void execute_here(const statement& s, const encoded_values* values, protocol::diagnostics& diag, Handler&& handler,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds{0}) {
        start_execute_here(s, values, diag,
                           boost::asio::any_completion_handler<query_signature>(std::forward<Handler>(handler)), timeout,
                           handler_executor_of<Handler>());
    }

    // BATCH (each prepared statement in it re-prepared at most once); async_execute(batch)
    // is the same operation.
    template <class CompletionToken>
    auto async_batch(const batch& b, protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, query_signature>(
            [this](auto handler, batch copy, protocol::diagnostics* d) {
                start_batch(std::move(copy), d, boost::asio::any_completion_handler<query_signature>(std::move(handler)));
            },
            token, b, &diag);
    }
    template <class CompletionToken>
    auto async_batch(const batch& b, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, query_signature>(
            [this](auto handler, batch copy) {
                start_batch(std::move(copy), nullptr,
                            boost::asio::any_completion_handler<query_signature>(std::move(handler)));
            },
            token, b);
    }
    template <class CompletionToken>
    auto async_execute(const batch& b, protocol::diagnostics& diag, CompletionToken&& token) {
        return async_batch(b, diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_execute(const batch& b, CompletionToken&& token) {
        return async_batch(b, std::forward<CompletionToken>(token));
    }

private:
    class execute_operation;

    // Each posts its work to the connection's executor; a null `diag` means the operation keeps
    // its own.
    void start_prepare(std::string cql, protocol::diagnostics* diag,
                       boost::asio::any_completion_handler<prepare_signature> handler);
    void start_execute(statement s, protocol::diagnostics* diag,
                       boost::asio::any_completion_handler<query_signature> handler);
    void start_batch(batch b, protocol::diagnostics* diag,
                     boost::asio::any_completion_handler<query_signature> handler);
    // execute_here's work; `hint` is what the handler's type told.
    void start_execute_here(const statement& s, const encoded_values* values, protocol::diagnostics& diag,
                            boost::asio::any_completion_handler<query_signature> handler,
                            std::chrono::milliseconds timeout, handler_executor hint);

    // On the connection's executor: PREPAREs `cql` in the current keyspace (no cache lookup)
    // and calls `done(ec, statement)` there, `diag` filled on failure.
    void send_prepare(std::string cql, protocol::diagnostics& diag,
                      std::function<void(std::error_code, std::shared_ptr<prepared_statement>)> done);
    // Turns a RESULT into the query_result (tracking USE); on the connection's executor.
    std::error_code finish(response r, query_result& out, protocol::diagnostics& diag);

    connection* connection_;
    prepared_cache cache_;
    // PREPAREs under way, by (keyspace, text), with everyone waiting for each.
    using prepare_waiter =
        std::function<void(std::error_code, const protocol::diagnostics&, const std::shared_ptr<prepared_statement>&)>;
    std::map<std::pair<std::string, std::string>, std::vector<prepare_waiter>> preparing_;
    std::string keyspace_;
    query_counters counters_;
    // The values of the statement being sent: encoding is synchronous, on the connection's
    // executor, so one buffer serves every send and stops allocating once warm.
    encoded_values send_values_;
};

}  // namespace cqlwire::transport

// A session over a whole cluster: discovers the nodes from one or more contact points, keeps a
// pool of connections to each, and sends every request to a node chosen for it — a replica of
// the statement's partition first (token-aware), in the local data center (DC-aware round
// robin) — retrying on another node when the retry policy allows.
//
// How it works:
//   - The control connection (one dedicated connection to one node) reads system.local,
//     system.peers_v2 (system.peers on older servers) and system_schema.keyspaces, REGISTERs for
//     TOPOLOGY_CHANGE, STATUS_CHANGE and SCHEMA_CHANGE, and keeps the node list, the token ring
//     and the keyspaces' replication current. When its node dies it moves to another.
//   - Each node has a pool (session_options::connections_per_node, each with 32768 stream ids),
//     opened at start. A node is down when its pool has lost every connection; it is dialed
//     again after an exponential, jittered delay, and at once when the server says it is UP.
//     A node whose certificate does not verify is refused: reported and left out.
//   - A request's query plan: the live replicas of its token in the local data center (in
//     turn), then the other live local nodes (round robin), then — when allowed — the remote
//     data centers. The retry policy (retry_policy.hpp) decides what follows a failure; an
//     idempotent statement may also be sent speculatively to the next node.
//   - Prepared statements are prepared where first used (or on every node, when asked); an
//     Unprepared answer from another node prepares it there and retries.
//
// API forms, as in transport: asynchronous with any Asio completion token, and blocking
// (…, std::error_code&, protocol::diagnostics&) built on them with transport::run_blocking.
// Threading: the session's state and all its connections live on one strand over its
// executor, so a request crosses no thread and no extra scheduler pass between the session and
// its connection; the cost is that one session does one thread's worth of work at a time (open
// a session per thread for more). Operations may be started from any thread. Handlers run on
// their associated executor (the session's by default); a completion found while the request
// is being started is posted, never run inside the initiating call.
// Lifetime: like any Asio I/O object, a session must be destroyed (or closed and released)
// before its executor's execution context is; requests still in flight when the context goes
// are dropped with it, their handlers never called.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "cqlwire/cluster/export.hpp"
#include "cqlwire/cluster/node.hpp"
#include "cqlwire/cluster/session_options.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/handler_executor.hpp"
#include "cqlwire/transport/prepared_cache.hpp"
#include "cqlwire/transport/query_result.hpp"
#include "cqlwire/transport/statement.hpp"

namespace cqlwire::cluster {

// A request's answer, and who gave it.
struct execution_result {
    transport::query_result result;
    boost::asio::ip::tcp::endpoint node;  // the node that served it
    protocol::uuid host_id;
    int attempts = 0;  // every attempt, retries and speculative executions included
};

class session_impl;

class session;
using connect_signature = void(std::error_code, session);
using execute_signature = void(std::error_code, execution_result);
using prepare_signature = void(std::error_code, std::shared_ptr<const transport::prepared_statement>);

class CQLWIRE_CLUSTER_API session {
public:
    session() = default;  // an empty handle: every request fails with errc::session_closed
    session(session&&) noexcept = default;
    session& operator=(session&&) noexcept;  // closes the session this handle held
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    // Closes the session (as close()).
    ~session();

    bool valid() const noexcept { return impl_ != nullptr; }

    // Connects: the control connection to the first contact point that answers (the others
    // that failed are reported to on_node), discovery, then every node's pool. Completes once
    // each pool has connected or failed once; fails with errc::no_node_reachable (diag lists
    // every contact point and why) when no contact point answered.
    template <class CompletionToken>
    static auto async_connect(boost::asio::any_io_executor ex, session_options options, protocol::diagnostics& diag,
                              CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, connect_signature>(
            [](auto handler, boost::asio::any_io_executor e, session_options o, protocol::diagnostics* d) {
                start_connect(std::move(e), std::move(o), *d,
                              boost::asio::any_completion_handler<connect_signature>(std::move(handler)));
            },
            token, std::move(ex), std::move(options), &diag);
    }
    [[nodiscard]] static session connect(boost::asio::any_io_executor ex, session_options options,
                                         std::error_code& ec, protocol::diagnostics& diag);

    // QUERY or EXECUTE on the node the plan picks (see above). A failure is the last attempt's
    // error — a server ERROR keeps its code, and the result its details (node, attempts and
    // result.server_error()) — or errc::no_node_available with diag naming each node tried and
    // why. The request keeps a copy of the statement (a statement given as an rvalue is moved
    // in, not copied).
    template <class CompletionToken>
    auto async_execute(const transport::statement& s, protocol::diagnostics& diag, CompletionToken&& token) {
        return initiate_execute(transport::statement(s), &diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_execute(transport::statement&& s, protocol::diagnostics& diag, CompletionToken&& token) {
        return initiate_execute(std::move(s), &diag, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_execute(const transport::statement& s, CompletionToken&& token) {
        return initiate_execute(transport::statement(s), nullptr, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_execute(transport::statement&& s, CompletionToken&& token) {
        return initiate_execute(std::move(s), nullptr, std::forward<CompletionToken>(token));
    }
    execution_result execute(const transport::statement& s, std::error_code& ec, protocol::diagnostics& diag);
    execution_result execute(std::string_view cql, std::error_code& ec, protocol::diagnostics& diag) {
        return execute(transport::statement(std::string(cql)), ec, diag);
    }

    // PREPARE on a node of the plan (every live node with prepare_on_all_nodes); the session
    // keeps it, so preparing the same text again costs no round trip.
    template <class CompletionToken>
    auto async_prepare(std::string_view cql, protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, prepare_signature>(
            [this](auto handler, std::string text, protocol::diagnostics* d) {
                start_prepare(std::move(text), d,
                              boost::asio::any_completion_handler<prepare_signature>(std::move(handler)));
            },
            token, std::string(cql), &diag);
    }
    std::shared_ptr<const transport::prepared_statement> prepare(std::string_view cql, std::error_code& ec,
                                                                 protocol::diagnostics& diag);

    // The nodes known now (a copy; callable from any thread).
    std::vector<node_info> nodes() const;
    // The data center requests are routed to.
    std::string local_datacenter() const;
    boost::asio::any_io_executor get_executor() const;

    // Closes every connection; pending requests fail with errc::session_closed. Thread-safe.
    void close();

private:
    explicit session(std::shared_ptr<session_impl> impl) noexcept : impl_(std::move(impl)) {}
    friend class session_impl;

    static void start_connect(boost::asio::any_io_executor ex, session_options options, protocol::diagnostics& diag,
                              boost::asio::any_completion_handler<connect_signature> handler);
    template <class CompletionToken>
    auto initiate_execute(transport::statement&& s, protocol::diagnostics* diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, execute_signature>(
            [this](auto handler, transport::statement&& st, protocol::diagnostics* d) {
                start_execute(std::move(st), d,
                              boost::asio::any_completion_handler<execute_signature>(std::move(handler)),
                              transport::handler_executor_of<decltype(handler)>());
            },
            token, std::move(s), diag);
    }
    void start_execute(transport::statement&& s, protocol::diagnostics* diag,
                       boost::asio::any_completion_handler<execute_signature> handler, transport::handler_executor hint);
    void start_prepare(std::string cql, protocol::diagnostics* diag,
                       boost::asio::any_completion_handler<prepare_signature> handler);

    std::shared_ptr<session_impl> impl_;
};

}  // namespace cqlwire::cluster

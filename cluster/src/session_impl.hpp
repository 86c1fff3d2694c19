// The session's state and the operations on it. Everything here runs on `strand`, except where
// a comment says otherwise; the files split its jobs: session.cpp (the handle, start-up,
// prepare), control_connection.cpp (discovery and events), node_pool.cpp (connections per node,
// reconnection, heartbeats), request_execution.cpp (one request's attempts), schema_agreement.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cqlwire/cluster/replication.hpp"
#include "cqlwire/cluster/session.hpp"
#include "cqlwire/cluster/token_ring.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/events.hpp"
#include "cqlwire/transport/internal/pending_completion.hpp"
#include "cqlwire/transport/query_client.hpp"
#include "query_plan.hpp"
#include "topology_rows.hpp"

namespace cqlwire::cluster {

// A caller's completion handler, held until its operation ends (transport's, shared).
template <class Signature>
using completion = transport::detail::pending_completion<Signature>;

// One open connection of a pool, with its query surface. Heap-allocated: query_client keeps a
// reference to the connection.
struct pooled_connection {
    explicit pooled_connection(transport::connection c) : conn(std::move(c)), client(conn) {}
    transport::connection conn;
    transport::query_client client;
    std::size_t in_flight = 0;  // requests of the session on it (counted on the session's strand)
    std::chrono::steady_clock::time_point last_answer = std::chrono::steady_clock::now();
};

struct node_entry {
    explicit node_entry(const boost::asio::any_io_executor& ex) : reconnect_timer(ex) {}
    node_info info;
    std::vector<std::shared_ptr<pooled_connection>> connections;
    std::size_t opening = 0;  // connections being opened
    int failed_attempts = 0;  // consecutive failed openings, for the backoff
    bool reconnect_scheduled = false;
    std::string last_error;   // why it is down or refused
    boost::asio::steady_timer reconnect_timer;
};

// A connection being opened: what must stay alive until its start-up ends.
struct connection_opening {
    protocol::diagnostics diag;
    std::unique_ptr<auth::authenticator> authenticator;
    std::optional<transport::connection> conn;
    boost::asio::ip::tcp::endpoint remote;
};
using opened_handler = std::function<void(std::error_code, std::shared_ptr<connection_opening>)>;

// The control connection: its queries, and (through its event handler) the server's events.
struct control_link {
    explicit control_link(transport::connection c) : conn(std::move(c)), client(conn) {}
    transport::connection conn;
    transport::query_client client;
    boost::asio::ip::tcp::endpoint remote;
};

class session_impl : public std::enable_shared_from_this<session_impl> {
public:
    session_impl(boost::asio::any_io_executor ex, session_options options);

    // ---- start-up and the control connection (control_connection.cpp) ----
    using ready_handler = std::function<void(std::error_code, const protocol::diagnostics&)>;
    // Where the control connection may go: a contact point (by name) or a known node.
    struct control_target {
        std::optional<contact_point> point;
        std::size_t node = 0;  // when `point` is empty
    };
    // What the targets tried so far said: each named, and whether every one refused the login
    // (then that refusal is the error, not "unreachable").
    struct control_tried {
        std::string text;
        std::error_code login_error;
        bool only_login = true;
    };
    void start(ready_handler ready);
    void try_control(std::vector<control_target> targets, std::size_t next, std::shared_ptr<control_tried> failures,
                     ready_handler done);
    void on_control_open(std::shared_ptr<control_link> link, ready_handler done);
    void open_initial_pools();
    void maybe_ready();
    void refresh_topology(std::function<void(std::error_code, const protocol::diagnostics&)> done);
    void apply_topology(topology_read local, topology_read peers,
                        std::map<std::string, std::map<std::string, std::string>> keyspaces);
    void watch_control(std::shared_ptr<control_link> link);
    void on_event(const transport::cluster_event& event);
    void schedule_refresh(std::chrono::milliseconds delay);
    void control_lost(const std::string& why);
    void reconnect_control();
    // Calls `done` (on the strand) once every live node reports the same schema version, or
    // when options.schema_agreement_timeout has passed (schema_agreement.cpp).
    void await_schema_agreement(std::function<void()> done);
    void rebuild_ring();

    // ---- pools (node_pool.cpp) ----
    void open_connection(const node_info& target, bool to_contact_point, const contact_point* point,
                         opened_handler done);
    void fill_pool(std::size_t node);
    void on_pool_connection(std::size_t node, std::error_code ec, std::shared_ptr<connection_opening> opening);
    void add_to_pool(std::size_t node, std::error_code ec, connection_opening& opening);
    void connection_failed(std::size_t node, const std::shared_ptr<pooled_connection>& pc, const std::string& why);
    void mark_down(std::size_t node, const std::string& why);
    void schedule_reconnect(std::size_t node);
    void reconnect_now(std::size_t node);
    void start_heartbeat();
    void heartbeat();
    std::shared_ptr<pooled_connection> least_busy(std::size_t node) const;
    // The name server_name_for gives for `node` (empty: none); `refusal` says why none can be
    // used when the callback threw or gave a pattern.
    std::string verify_name_for(const node_info& node, std::string& refusal) const;

    // ---- requests (request_execution.cpp) ----
    void execute(transport::statement&& s, protocol::diagnostics* diag, completion<execute_signature>&& done);
    void plan_for(const transport::statement& s, query_plan& plan);
    std::span<const std::size_t> replicas_for(const transport::statement& s);

    // ---- prepared statements (session.cpp) ----
    void prepare(std::string cql, protocol::diagnostics* diag, completion<prepare_signature>&& done);
    void forget_prepared(const std::string& keyspace, const std::string& table);

    void close();
    void report(node_report::kind what, const boost::asio::ip::tcp::endpoint& address, std::string message);
    void report_text(node_report::kind what, std::string address, std::string message);
    void publish_snapshot();
    std::vector<node_info> snapshot() const;
    std::string snapshot_datacenter() const;

    boost::asio::any_io_executor executor;  // the connections' executor
    // The strand all of the session runs on, its connections included (transport's
    // make_connection_strand: over an io_context, hops onto it allocate nothing).
    boost::asio::any_io_executor strand;
    session_options options;
    bool closed = false;
    bool started = false;  // start-up completed (its handler was called)
    ready_handler pending_ready;  // start-up's, until every first pool opening has ended

    std::vector<std::unique_ptr<node_entry>> nodes;  // indexes are stable: a removed node stays, marked
    std::string local_dc;
    std::uint64_t rotation = 0;
    std::mt19937_64 random{std::random_device{}()};

    token_ring ring;
    std::map<std::string, replication_strategy, std::less<>> keyspaces;
    std::map<std::string, std::unique_ptr<replica_map>, std::less<>> replica_maps;  // built on first use

    std::shared_ptr<control_link> control;
    std::size_t control_node = 0;  // index in nodes (meaningful while `control` is set)
    bool control_connecting = false;
    int control_failures = 0;
    boost::asio::steady_timer control_timer;    // reconnection of the control connection
    boost::asio::steady_timer control_watch_timer;  // looks for the control connection's failure
    boost::asio::steady_timer refresh_timer;    // debounced topology refresh after events
    bool refresh_scheduled = false;
    boost::asio::steady_timer heartbeat_timer;

    std::map<std::string, std::shared_ptr<const transport::prepared_statement>, std::less<>> prepared;

    // What plan_for needs per request, kept between requests so that routing allocates nothing
    // once warm (used on the strand only, and only during one call).
    struct plan_scratch {
        std::vector<plan_candidate> candidates;
        transport::encoded_values values;
        // The statement whose values `values` holds, encoded against its bind markers by the
        // last plan_for (null when they were not encoded): its first send reuses them.
        const transport::statement* values_of = nullptr;
        std::vector<protocol::bytes_view> components;
        std::vector<std::uint8_t> key;
    } scratch;

    mutable std::mutex snapshot_mutex;  // guards the two below, read from any thread
    std::vector<node_info> nodes_snapshot;
    std::string datacenter_snapshot;
};

// The textual host:port of an endpoint.
std::string endpoint_text(const boost::asio::ip::tcp::endpoint& e);

// A failure in one line, for reports and diagnostics: the error, the client's explanation, the
// server's words quoted.
std::string explain(std::error_code ec, const protocol::diagnostics& diag);

}  // namespace cqlwire::cluster

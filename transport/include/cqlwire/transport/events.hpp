// Server events: REGISTER for TOPOLOGY_CHANGE / STATUS_CHANGE / SCHEMA_CHANGE, then EVENT frames
// (stream -1) turned into owning `cluster_event`s.
//
// event_listener installs the connection's event handler, which queues each event (on the
// connection's executor); async_wait_for_event takes them off the queue, or waits for the next
// one. Waits may be started from any thread and are carried out on the connection's executor;
// several may wait at once, each taking one event in the order they started. An EVENT frame
// that cannot be decoded is queued as an error and reported by the wait that reaches it.
//
// The blocking forms (register_for, wait_for_event) are built on the asynchronous ones with
// run_blocking (blocking.hpp): they work while other threads run the connection's io_context,
// and fail at once with std::errc::resource_deadlock_would_occur when called from one of its
// handlers.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// One event, owning its text (the frame it came from is released).
struct CQLWIRE_TRANSPORT_API cluster_event {
    protocol::event_type type = protocol::event_type::topology_change;
    // TOPOLOGY_CHANGE: "NEW_NODE" / "REMOVED_NODE" / "MOVED_NODE"; STATUS_CHANGE: "UP" / "DOWN";
    // SCHEMA_CHANGE: "CREATED" / "UPDATED" / "DROPPED".
    std::string change;
    protocol::inet_endpoint address;  // topology and status changes
    // Schema changes only.
    protocol::schema_change_target target = protocol::schema_change_target::keyspace;
    std::string keyspace;
    std::string name;  // table, type, function or aggregate; empty for a keyspace
    std::vector<std::string> argument_types;  // functions and aggregates
};

// Decodes an EVENT response frame (prefix included) into `out`.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code decode_cluster_event(const response& r, cluster_event& out);

// Parses "TOPOLOGY_CHANGE", "STATUS_CHANGE" or "SCHEMA_CHANGE" (case-insensitive).
CQLWIRE_TRANSPORT_API std::optional<protocol::event_type> parse_event_type(std::string_view name) noexcept;

using event_signature = void(std::error_code, cluster_event);
using register_signature = void(std::error_code);

class CQLWIRE_TRANSPORT_API event_listener {
public:
    // Installs the connection's event handler (replacing any other). `conn` must outlive the
    // listener and every operation started on it; the handler only holds the listener's shared
    // state, so it stays safe after the listener is gone.
    explicit event_listener(connection& conn);

    // Sends REGISTER for `types` and completes once the server answered READY. A server ERROR
    // is its code, with its message in diag.server_message(). `diag` must outlive the
    // operation.
    template <class CompletionToken>
    auto async_register_for(std::span<const protocol::event_type> types, protocol::diagnostics& diag,
                            CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, register_signature>(
            [this](auto handler, std::vector<protocol::event_type> t, protocol::diagnostics* d) {
                start_register(std::move(t), *d,
                               boost::asio::any_completion_handler<register_signature>(std::move(handler)));
            },
            token, std::vector<protocol::event_type>(types.begin(), types.end()), &diag);
    }
    [[nodiscard]] std::error_code register_for(std::span<const protocol::event_type> types,
                                               protocol::diagnostics& diag);

    // Waits up to `timeout` for the next event: completes with it; with std::errc::timed_out
    // when the time ran out; with the connection's error when it failed (noticed within
    // failure_poll_interval; diag says why) or the codec's when the next EVENT frame was
    // malformed. `diag` must outlive the operation; the overload without it drops the
    // explanation.
    template <class CompletionToken>
    auto async_wait_for_event(std::chrono::milliseconds timeout, protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, event_signature>(
            [this](auto handler, std::chrono::milliseconds t, protocol::diagnostics* d) {
                start_wait(t, d, boost::asio::any_completion_handler<event_signature>(std::move(handler)));
            },
            token, timeout, &diag);
    }
    template <class CompletionToken>
    auto async_wait_for_event(std::chrono::milliseconds timeout, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, event_signature>(
            [this](auto handler, std::chrono::milliseconds t) {
                start_wait(t, nullptr, boost::asio::any_completion_handler<event_signature>(std::move(handler)));
            },
            token, timeout);
    }

    // The blocking form: true with `out` filled; false with an empty `ec` when the time ran
    // out; false with `ec` set otherwise (as above).
    bool wait_for_event(std::chrono::milliseconds timeout, cluster_event& out, std::error_code& ec,
                        protocol::diagnostics& diag);

    // Events received and not yet taken (callable from any thread).
    std::size_t queued() const;

    // At most this many events wait in the queue; past it (a server flooding events while
    // nobody waits) they are dropped and counted, and the wait that reaches the end of the
    // queue completes with std::errc::no_buffer_space, diag saying how many were lost.
    static constexpr std::size_t max_queued_events = 10000;

    // The connection tells nobody when it fails, so a waiting operation looks at failure() this
    // often.
    static constexpr std::chrono::milliseconds failure_poll_interval{20};

private:
    class shared_state;  // the queue and the waiters, shared with the event handler

    void start_register(std::vector<protocol::event_type> types, protocol::diagnostics& diag,
                        boost::asio::any_completion_handler<register_signature> handler);
    void start_wait(std::chrono::milliseconds timeout, protocol::diagnostics* diag,
                    boost::asio::any_completion_handler<event_signature> handler);

    connection& conn_;
    std::shared_ptr<shared_state> state_;
};

}  // namespace cqlwire::transport

// Server events: REGISTER for TOPOLOGY_CHANGE / STATUS_CHANGE / SCHEMA_CHANGE, then EVENT frames
// (stream -1) turned into owning `cluster_event`s.
//
// event_listener installs the connection's event handler, which queues each event (on the
// connection's executor); wait_for_event takes them off the queue. wait_for_event drives the
// connection's io_context itself, like the connection's blocking API: call it only while no
// other thread runs that io_context, and never from one of its handlers. An EVENT frame that
// cannot be decoded is queued as an error and reported by the wait that reaches it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

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

class CQLWIRE_TRANSPORT_API event_listener {
public:
    // Installs the connection's event handler (replacing any other). `conn` must outlive the
    // listener; the handler only holds the shared queue, so it stays safe after the listener
    // is gone.
    explicit event_listener(connection& conn);

    // Sends REGISTER for `types` and waits for READY. A server ERROR is returned as its code.
    [[nodiscard]] std::error_code register_for(std::span<const protocol::event_type> types,
                                               protocol::diagnostics& diag);

    // Waits up to `timeout` for the next event. Returns true with `out` filled; false with an
    // empty `ec` when the time ran out; false with `ec` set when the connection failed (its
    // error, diag saying why) or the next EVENT frame was malformed.
    bool wait_for_event(std::chrono::milliseconds timeout, cluster_event& out, std::error_code& ec,
                        protocol::diagnostics& diag);

    // Events received and not yet taken.
    std::size_t queued() const;

private:
    struct queued_event {
        cluster_event event;
        std::error_code error;
    };
    struct shared_queue {
        mutable std::mutex mutex;
        std::deque<queued_event> events;
    };
    bool take(cluster_event& out, std::error_code& ec);

    connection& conn_;
    std::shared_ptr<shared_queue> queue_ = std::make_shared<shared_queue>();
};

}  // namespace cqlwire::transport

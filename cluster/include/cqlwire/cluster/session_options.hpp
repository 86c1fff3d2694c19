// Everything a cluster session is configured with: where to start, how to connect and log in,
// how many connections per node, how to route, retry and speculate, how each node's identity is
// checked, and where its reports go.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/cluster/export.hpp"
#include "cqlwire/cluster/node.hpp"
#include "cqlwire/cluster/retry_policy.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/tls_context.hpp"

namespace cqlwire::cluster {

// Maps the address a node advertises (system.peers_v2 native_address / system.peers
// rpc_address) to the address the session dials: for clusters whose peers advertise internal
// addresses. Called on the session's executor.
using address_translator = std::function<boost::asio::ip::tcp::endpoint(const boost::asio::ip::tcp::endpoint&)>;

// An address_translator from a fixed map; addresses not in the map are dialed as advertised.
class CQLWIRE_CLUSTER_API fixed_address_translator {
public:
    explicit fixed_address_translator(std::map<boost::asio::ip::tcp::endpoint, boost::asio::ip::tcp::endpoint> map)
        : map_(std::move(map)) {}
    boost::asio::ip::tcp::endpoint operator()(const boost::asio::ip::tcp::endpoint& advertised) const;

private:
    std::map<boost::asio::ip::tcp::endpoint, boost::asio::ip::tcp::endpoint> map_;
};

// One attempt of a request, as the request observer sees it.
struct attempt_report {
    boost::asio::ip::tcp::endpoint node;
    int attempt = 1;           // 1 for the first, counting retries and speculative executions
    bool speculative = false;  // started by speculative execution, not by a retry
    std::error_code error;     // empty: this attempt answered the request
    retry_decision decision = retry_decision::rethrow;  // what followed a failed attempt
    std::chrono::steady_clock::duration took{};
};

// Something the session noticed about a node: each is also a line worth logging.
struct node_report {
    enum class kind : std::uint8_t {
        added,               // discovered (start-up or NEW_NODE)
        up,                  // its pool connected
        down,                // its pool lost its last connection, or could not connect
        refused,             // its certificate did not verify: left out
        removed,             // REMOVED_NODE, or gone from the peers table
        contact_point_failed,// a contact point could not be reached (start-up or control moves)
        peer_ignored,        // a peers row without a usable address or host id
        control_moved,       // the control connection now runs to this node
        schema_not_agreed,   // after a schema change, the nodes did not agree in time
    };
    kind what = kind::added;
    std::string address;  // host:port
    std::string message;  // says why, for down / refused / contact_point_failed / peer_ignored
};

[[nodiscard]] CQLWIRE_CLUSTER_API std::string_view to_string(node_report::kind k) noexcept;

struct session_options {
    // Where discovery starts; at least one. Tried in order until one connects.
    std::vector<contact_point> contact_points;

    // ---- connecting and logging in ----
    // TLS for every connection (null: plaintext). Each node's certificate is checked against the
    // address dialed (its IP SANs), unless the context has a server_name (tls_options), which is
    // then checked (and sent as SNI) for every node: a wildcard certificate shared by all nodes.
    std::shared_ptr<transport::tls_context> tls;
    // When set, the name to verify (and send as SNI) for a node, from what the session knows of
    // it (host id, address, DC, rack); an empty answer falls back to the rule above. A contact
    // point written as an address is asked about before discovery, with its address only (host
    // id zero, no DC or rack); one written as a DNS name is checked under that name. A callback
    // that throws, or answers with a pattern ("*.example"), leaves that node refused (reported
    // to on_node), as a node whose certificate does not verify.
    std::function<std::string(const node_info&)> server_name_for;
    // A fresh authenticator for each connection (its secrets are forgotten after its login);
    // empty when the cluster needs no login.
    std::function<std::unique_ptr<auth::authenticator>()> authenticator;
    std::chrono::milliseconds connect_timeout{5000};
    std::chrono::milliseconds handshake_timeout{5000};
    // Request timeout, start-up timeout, stream ids, write coalescing... for every connection.
    transport::connection_options connection;
    // Maps advertised peer addresses to dialed ones; empty: dial what they advertise.
    address_translator translate_address;

    // ---- pools ----
    std::size_t connections_per_node = 1;
    // Reconnection after a failure: base * 2^attempt, capped, with ±20 % jitter.
    std::chrono::milliseconds reconnect_base_delay{1000};
    std::chrono::milliseconds reconnect_max_delay{60000};
    // An idle connection is checked (OPTIONS) this often, so a node that died while nobody
    // talked to it is noticed; zero: never.
    std::chrono::milliseconds heartbeat_interval{10000};

    // ---- routing ----
    // The local data center; empty: the data center of the first contact point that answers.
    std::string local_datacenter;
    // Whether requests may go to other data centers once the local one has no live node.
    bool allow_remote_datacenters = false;
    // Send a prepared statement with a known partition key to a replica of its token first.
    bool token_aware = true;

    // ---- retries and speculative execution ----
    // The longest a request may take, all its attempts (retries and speculative executions)
    // together, as the Java driver's basic.request.timeout: each attempt waits at most what is
    // left of it (and at most the statement's own timeout, else connection.request_timeout), and
    // none starts once it has run out (errc transport::errc::request_timeout). Zero: no bound
    // but each attempt's own, so a request to stalled nodes may take that times its attempts.
    std::chrono::milliseconds request_timeout{0};
    std::shared_ptr<const retry_policy> retry = std::make_shared<default_retry_policy>();
    // For idempotent statements: after this delay without an answer, the next node of the plan
    // is asked too (up to max_speculative_executions more), and the first answer wins. Zero: off.
    std::chrono::milliseconds speculative_delay{0};
    int max_speculative_executions = 0;

    // ---- schema changes ----
    // After a statement that changed the schema, its answer waits until every live node reports
    // the same schema version (each asked on its own connection), so that the next statement
    // finds the new table wherever it goes; at most this long (then it is reported to on_node).
    // Zero: no wait.
    std::chrono::milliseconds schema_agreement_timeout{10000};

    // ---- prepared statements ----
    // Prepare a new statement on every live node at once, not only where it is first used.
    bool prepare_on_all_nodes = false;

    // ---- reports (called on the session's executor; must not block) ----
    std::function<void(const attempt_report&)> on_attempt;
    std::function<void(const node_report&)> on_node;
};

}  // namespace cqlwire::cluster

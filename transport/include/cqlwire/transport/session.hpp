// Opening a ready-to-use connection in one call: resolve + connect (+ TLS handshake), then the
// CQL start-up exchange (with SASL when the server asks), each step bounded by its timeout.
//
// Every failure comes back as one transport::errc (or a server code) with diagnostics naming
// the cause, grouped by kind: network (resolve_failed,
// connect_failed, connect_timeout, handshake_timeout, connection_closed), TLS (tls_config,
// certificate_*, client_certificate_*, server_expects_tls, server_is_plaintext), authentication
// (authentication_failed, authenticator_not_allowed, credentials_required,
// too_many_auth_rounds), protocol (protocol_violation, unsupported_protocol_version).
#pragma once

#include <optional>
#include <system_error>

#include <boost/asio/io_context.hpp>

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/startup.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

struct CQLWIRE_TRANSPORT_API open_options {
    // Host, port, TLS context (null: plaintext), connect and handshake timeouts.
    connect_options connect;
    // Answers AUTHENTICATE; null when no credentials are given. Not owned: it must outlive
    // open_connection (it forgets its secrets after a successful exchange).
    auth::authenticator* authenticator = nullptr;
    // Request timeout, start-up timeout, frame size limit, stream ids.
    connection_options connection;
    // Sees every frame of the connection, the start-up exchange included (see
    // connection::set_frame_observer); empty: none. A trace (inspect/frame_trace.hpp) plugs in here.
    frame_observer observer;
    // STARTUP's CQL_VERSION (startup_config::cql_version).
    std::string cql_version = "3.0.0";
};

// Connects, runs the start-up, and hands back a connection ready for requests. Blocking: runs
// `ioc` (restarting it first) until done, so call it while no other thread runs `ioc`.
// On failure `out` is left empty and `diag` explains.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code open_connection(boost::asio::io_context& ioc, const open_options& options,
                                              std::optional<connection>& out, protocol::diagnostics& diag);

}  // namespace cqlwire::transport

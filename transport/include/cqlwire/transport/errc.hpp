// Errors of the transport layer: connecting, TLS and the connection's own rules.
//
// Each enumerator is one cause a user can act on, grouped by kind (network, TLS, authentication,
// protocol violation) so that a caller can decide by kind. The detail for a message —
// which issuer, which names, which dates — travels in protocol::diagnostics beside the code.
#pragma once

#include <system_error>
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

enum class errc {
    // network
    resolve_failed = 1,       // the host name did not resolve
    connect_failed,           // every resolved address refused or was unreachable
    connect_timeout,          // no TCP connection within the connect timeout
    handshake_timeout,        // no TLS handshake (or CQL start-up) within the connect timeout
    request_timeout,          // no response within the request timeout
    connection_closed,        // the server closed the connection
    // TLS
    tls_config,               // our own TLS settings are unusable (file, key, version...)
    tls_handshake_failed,     // the handshake failed for a reason not named below
    certificate_untrusted,    // the server's chain does not lead to a trusted CA
    certificate_name_mismatch,// the server's certificate is not for the expected name
    certificate_expired,      // the server's certificate is expired
    certificate_not_yet_valid,// the server's certificate is not valid yet
    client_certificate_required,  // the server demands a client certificate and we have none
    client_certificate_rejected,  // the server refused our client certificate
    server_expects_tls,       // plaintext sent to a TLS port
    server_is_plaintext,      // TLS sent to a plaintext port
    // authentication
    authentication_failed,    // bad credentials (the server's ERROR 0x0100)
    authenticator_not_allowed,// the server announced an authenticator not on the allow-list
    credentials_required,     // the server wants authentication and none was configured
    too_many_auth_rounds,     // the SASL exchange went on beyond the bound
    // protocol
    protocol_violation,       // the server broke the protocol (bad frame, unexpected opcode...)
    unsupported_protocol_version,  // the server does not speak the version we asked for
    stream_ids_exhausted,     // every stream id is in use
    connection_broken,        // an I/O error ended the connection, the client closed it, or there is none
    // authentication by the TLS client certificate (kept last so that earlier values stay put)
    certificate_login_refused,      // the server did not let the certificate's identity in
    certificate_login_needs_certificate,  // the server logs in by certificate; none was presented
};

CQLWIRE_TRANSPORT_API const std::error_category& transport_category() noexcept;
CQLWIRE_TRANSPORT_API std::error_code make_error_code(errc e) noexcept;

}  // namespace cqlwire::transport

template <>
struct std::is_error_code_enum<cqlwire::transport::errc> : std::true_type {};

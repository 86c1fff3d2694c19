// Internal to cqlwire, not installed: the OpenSSL side of tls_verify.hpp, for transport's own
// sources and for the project's tools and tests (target cqlwire_transport_internal): preparing
// an SSL for one connection (the name check, SNI, the callbacks that fill a
// tls_handshake_record) and reading the facts of a certificate.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_verify.hpp"

#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

CQLWIRE_TRANSPORT_API certificate_summary summarize_certificate(X509* cert, int depth);

// A distinguished name in RFC 2253 form ("CN=localhost,O=Example"), UTF-8 kept as is.
std::string format_x509_name(const X509_NAME* name);

// Prepares `ssl` (not yet handshaken) for one connection: the name check (when `verify`),
// SNI for DNS names, the verify and message callbacks that fill `record`. `expected_name`
// is tls_options::server_name when set, else the host dialed; brackets around an IPv6
// literal are removed. `record` must outlive every use of `ssl`.
// Errors: errc::tls_config when verification is on and there is no name to check, or when
// OpenSSL refuses the name.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code prepare_tls_session(SSL* ssl, std::string_view expected_name, bool verify,
                                                  tls_handshake_record& record, protocol::diagnostics& diag);

}  // namespace cqlwire::transport

// Turning a TLS failure into a transport::errc a user can act on, with a message naming the
// cause: which certificate was not trusted and by whom it was issued, which name was expected
// and which names the certificate holds, the validity dates, which alert the server sent.
//
// Two moments need this. A failed handshake (diagnose_handshake_failure). And, because in
// TLS 1.3 the client's handshake completes before the server has judged the client's
// certificate, the first read after the handshake: the server's verdict (alert
// certificate_required, bad_certificate, unknown_ca...) arrives there
// (classify_post_handshake_error), or, when the server's alert is never read, only its closing
// of the connection before any response (classify_close_after_handshake). The reverse
// mismatch — plaintext sent to a TLS port — shows in the first response bytes
// (looks_like_tls_record).
//
// Some servers name no cause for refusing a client certificate: an untrusted one may be
// answered with internal_error or handshake_failure. Those alerts are taken to be about the
// client certificate only when the server asked for one, and the message then says "most
// likely": it is an inference, not something the server said.
#pragma once

#include <system_error>

#include <boost/system/error_code.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/tls_verify.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// Alert numbers (RFC 8446 §6, RFC 5246 §7.2) that the diagnosis tells apart.
namespace tls_alert_number {
inline constexpr int handshake_failure = 40;
inline constexpr int bad_certificate = 42;
inline constexpr int unsupported_certificate = 43;
inline constexpr int certificate_revoked = 44;
inline constexpr int certificate_expired = 45;
inline constexpr int certificate_unknown = 46;
inline constexpr int unknown_ca = 48;
inline constexpr int access_denied = 49;
inline constexpr int decrypt_error = 51;
inline constexpr int protocol_version = 70;
inline constexpr int internal_error = 80;
inline constexpr int certificate_required = 116;
}  // namespace tls_alert_number

// The alert's name as in the RFCs ("certificate_required"), or "alert N".
CQLWIRE_TRANSPORT_API std::string tls_alert_name(int description);

// Classifies a failed TLS handshake. `ec` is what the handshake completed with; `record` is the
// connection's record (tls_verify.hpp). Returns one of certificate_untrusted,
// certificate_name_mismatch, certificate_expired, certificate_not_yet_valid,
// client_certificate_required, client_certificate_rejected, server_is_plaintext,
// tls_handshake_failed (anything else, e.g. no common version or cipher), and sets the
// client message. Never returns an empty code.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code diagnose_handshake_failure(const boost::system::error_code& ec,
                                                         const tls_handshake_record& record,
                                                         protocol::diagnostics& diag);

// Classifies a read (or write) error on a TLS stream after a successful handshake. When the
// error carries a TLS alert about our client certificate (TLS 1.3 reports these here) it
// returns client_certificate_required or client_certificate_rejected and sets the message;
// for any other TLS-level error, tls_handshake_failed is NOT assumed: it returns an empty
// code and leaves `diag` alone, and the caller treats `ec` as an ordinary I/O error.
// `record` may be null (plain TCP streams have none).
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code classify_post_handshake_error(const boost::system::error_code& ec,
                                                            const tls_handshake_record* record,
                                                            protocol::diagnostics& diag);

// Explains a server that closed the connection (end of stream or reset, no alert read) after
// the TLS handshake and before sending a single byte of application data. In TLS 1.3 the
// server judges the client certificate after the client's handshake completed, so when it
// asked for one, such a close is most likely its verdict: client_certificate_required when
// none was configured, client_certificate_rejected (naming the certificate) when one was.
// `tls_version` is the negotiated version (SSL_version: TLS1_2_VERSION, TLS1_3_VERSION...).
// Returns an empty code and leaves `diag` alone when the evidence does not point at the client
// certificate: no CertificateRequest was seen, or the version is TLS 1.2 or older, whose
// handshake cannot complete once the server has refused the certificate.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code classify_close_after_handshake(const tls_handshake_record& record, int tls_version,
                                                             protocol::diagnostics& diag);

// True when `bytes` (the first bytes received from a server we spoke plaintext CQL to) begin
// a TLS record: content type 0x15 (alert) or 0x16 (handshake), then, when present, the
// major version 0x03. A CQL v4 response starts with 0x84, so the two never collide.
// Callers report errc::server_expects_tls.
CQLWIRE_TRANSPORT_API bool looks_like_tls_record(protocol::bytes_view bytes) noexcept;

}  // namespace cqlwire::transport

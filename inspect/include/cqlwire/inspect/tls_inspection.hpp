// A TLS diagnosis of one server port, instead of `openssl s_client`: connects with the
// server's verification DEFERRED, so that the server's chain is seen even when it would not
// verify, then judges each point separately and keeps the facts:
//
//   - the negotiated TLS version and cipher;
//   - the server's chain as sent (subject, issuer, SANs, validity, key type and size);
//   - whether that chain verifies against the configured CAs (or the system's), and if not the
//     X509 verify error by name and the certificate it concerns;
//   - whether the expected name (tls_options::server_name, else the host) is in the leaf,
//     checked by OpenSSL (X509_check_host with no partial wildcards and no subject-CN fallback,
//     X509_check_ip_asc for IP literals), with the leaf's SANs for the message;
//   - whether the server asked for a client certificate, the CA names its CertificateRequest
//     listed, whether our certificate's issuer is one of them, and whether our key belongs to
//     our certificate;
//   - whether the server then accepts our certificate. In TLS 1.3 the server judges the client
//     certificate after the client's handshake completed, so the inspection sends an OPTIONS
//     request and reads the reply: SUPPORTED (or any CQL frame) means accepted, an alert or a
//     close before any byte means refused;
//   - certificates (the server's and ours) that expire within `expiry_warning`.
//
// When the port does not speak TLS, a second, plaintext connection sends a CQL OPTIONS frame
// and names what answered (transport/peer_bytes.hpp): a CQL server, an HTTP server, nothing.
//
// The result is facts only; turning them into a verdict and a fix is the caller's. No secret is ever stored in it: the key is only checked.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "cqlwire/transport/tls_verify.hpp"
#include "cqlwire/inspect/export.hpp"

namespace cqlwire::inspect {

struct CQLWIRE_INSPECT_API tls_inspection_target {
    std::string host;             // DNS name or IP literal ("::1" or "[::1]")
    std::uint16_t port = 9042;
    // Bounds each step separately: TCP connect, TLS handshake, the OPTIONS round trip.
    std::chrono::milliseconds timeout{5000};
    // A certificate whose end of validity is closer than this gets a warning.
    std::chrono::hours expiry_warning{24 * 30};
};

// One certificate with what the report shows about it.
struct inspected_certificate {
    transport::certificate_summary summary;  // subject, issuer, dates, SANs (transport/tls_verify.hpp)
    std::string key_type;              // "RSA", "EC (prime256v1)", "ED25519", ...
    int key_bits = 0;
    // Seconds from the inspection to notAfter (negative: expired), and from notBefore to the
    // inspection (negative: not valid yet).
    std::int64_t seconds_until_expiry = 0;
    std::int64_t seconds_since_start = 0;
    bool expired() const noexcept { return seconds_until_expiry < 0; }
    bool not_yet_valid() const noexcept { return seconds_since_start < 0; }
};


// How the server ended up judging our client certificate.
enum class client_certificate_verdict : std::uint8_t {
    not_requested,   // the server did not ask for one
    accepted,        // it asked, and answered our OPTIONS request (the certificate, or none, was fine)
    rejected,        // it refused the certificate we sent (alert, or a close right after the handshake)
    required,        // it asked, we had none to send, and it refused the connection
    unknown,         // the handshake failed before the server judged, or the probe was inconclusive
};
CQLWIRE_INSPECT_API std::string_view to_string(client_certificate_verdict v) noexcept;

// What the port turned out to speak when it did not complete a TLS handshake.
enum class port_protocol : std::uint8_t { tls, plaintext_cql, http, silent, other };
CQLWIRE_INSPECT_API std::string_view to_string(port_protocol p) noexcept;

struct CQLWIRE_INSPECT_API tls_inspection {
    std::string host;
    std::uint16_t port = 0;
    std::string endpoint;                 // the address connected to, "127.0.0.1:19042"

    // --- The handshake ---------------------------------------------------------------------
    bool handshake_completed = false;
    std::string tls_version;              // "TLSv1.3"
    std::string cipher;                   // "TLS_AES_256_GCM_SHA384"
    // When the handshake failed: its classification (transport/tls_diagnosis.hpp) and message.
    std::error_code handshake_error;
    std::string handshake_message;
    port_protocol speaks = port_protocol::tls;
    std::string plaintext_answer;         // what answered the plaintext probe (transport/peer_bytes.hpp)
    std::string http_status_line;         // speaks == http: the status line (printable, bounded)

    // --- The server's identity --------------------------------------------------------------
    std::vector<inspected_certificate> server_chain;  // as sent: leaf first
    bool trust_store_is_system = false;   // no CA file or folder given
    bool chain_verified = false;
    long verify_error = 0;                // X509_V_OK (0) when verified
    std::string verify_error_name;        // X509_verify_cert_error_string
    int verify_error_depth = -1;
    std::string expected_name;
    bool expected_is_ip = false;
    bool name_matches = false;

    // --- The client certificate -------------------------------------------------------------
    bool certificate_requested = false;   // the server sent a CertificateRequest
    std::vector<std::string> acceptable_client_ca_names;  // from it (RFC 2253 form)
    std::optional<inspected_certificate> client_certificate;
    // Whether the client certificate's issuer is one of the acceptable CA names; empty when
    // there is no client certificate or the server named no CA.
    std::optional<bool> client_issuer_acceptable;
    // Whether the private key belongs to the certificate; empty when either could not be read.
    std::optional<bool> client_key_matches;
    // Why the client certificate could not be presented (unreadable file, wrong passphrase,
    // key mismatch...); empty when it was presented.
    std::string client_identity_problem;
    client_certificate_verdict client_verdict = client_certificate_verdict::unknown;
    std::string client_verdict_detail;    // the alert, or "SUPPORTED received"

    // --- Warnings (certificates near their end of validity) ---------------------------------
    std::vector<std::string> warnings;
};

// Runs the inspection described at the top. Returns an error only when there is nothing to
// inspect: our CA files are unusable (errc::tls_config), no TCP connection could be made
// (resolve_failed, connect_failed, connect_timeout), or the server accepted the connection and
// then sent not a byte within `target.timeout` of the ClientHello (handshake_timeout: a hung
// or filtered server, not a port shown to speak no TLS); `diag` then says why. Every TLS outcome —
// including a failed handshake — is a successful inspection whose facts are in `out`.
// `options.verify` is ignored (verification is always done, after the handshake); its other
// fields are used as a connection would use them.
[[nodiscard]] std::error_code inspect_tls(const transport::tls_options& options, const tls_inspection_target& target,
                                          tls_inspection& out, protocol::diagnostics& diag);

}  // namespace cqlwire::inspect

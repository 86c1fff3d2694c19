// Per-connection TLS set-up, as the application sees it: the facts of a certificate, and the
// record of what the handshake revealed (the certificate that failed verification, alerts,
// whether the server asked for a client certificate) so that a failure can be explained
// precisely.
//
// Name checking is OpenSSL's own: SSL_set1_host with no partial wildcards and no fallback to
// the subject CN for DNS names, X509_VERIFY_PARAM_set1_ip_asc for IP literals (IP SANs only).
// Nothing here matches names by hand; the SAN lists below are for messages only. The OpenSSL
// side (preparing an SSL for one connection, summarizing an X509) is in the internal header
// cqlwire/transport/internal/tls_verify.hpp, which is not installed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// The facts of one certificate worth showing to a user. Never holds key material.
struct CQLWIRE_TRANSPORT_API certificate_summary {
    int depth = -1;                         // 0 = the server's own certificate
    std::string subject;                    // RFC 2253 form, e.g. "CN=localhost,O=Example"
    std::string issuer;
    std::string not_before;                 // "2021-01-01 00:00:00 UTC"
    std::string not_after;
    std::vector<std::string> dns_names;     // subjectAltName DNS entries, as written; control bytes and
                                            // backslashes shown as \xNN (a NUL as \x00)
    std::vector<std::string> ip_addresses;  // subjectAltName IP entries, textual (IPv6 compressed)
    std::vector<std::string> uris;          // subjectAltName URI entries (e.g. a SPIFFE ID), escaped as DNS names
};

// "DNS:localhost, IP:127.0.0.1, URI:spiffe://example/a" — or "(no subjectAltName)".
CQLWIRE_TRANSPORT_API std::string format_subject_alt_names(const certificate_summary& cert);

// A TLS alert seen on the wire (RFC 8446 §6): description is the alert number, e.g. 116.
struct CQLWIRE_TRANSPORT_API tls_alert {
    int level = 0;
    int description = 0;
};

// What one connection's handshake revealed. Filled by OpenSSL callbacks while the session
// runs; the owner (transport::stream) keeps it at a stable address for the SSL's lifetime.
struct CQLWIRE_TRANSPORT_API tls_handshake_record {
    std::string expected_name;   // the name the certificate must carry ("" when not verifying)
    bool expected_is_ip = false; // expected_name is an IP literal, checked against IP SANs
    bool verify = true;
    std::string sni;             // the SNI sent ("" for none)

    // From the verify callback: the first certificate that failed and why.
    long verify_error = 0;       // X509_V_OK when nothing failed
    std::optional<certificate_summary> failed_certificate;
    std::optional<certificate_summary> server_certificate;  // the leaf, as the server sent it

    // From the message callback.
    bool certificate_request_received = false;  // the server asked for a client certificate
    bool client_certificate_configured = false; // we had one to present
    std::string client_certificate_subject;     // its subject, for messages
    // Its identity for a certificate login: the first URI subjectAltName that is a SPIFFE ID
    // (spiffe://…, what Cassandra's SpiffeCertificateValidator takes), else its first URI SAN;
    // empty when it has none. Escaped as certificate_summary::uris are.
    std::string client_certificate_identity;
    // Why that certificate is unfit for TLS client authentication by its own extensions
    // (extendedKeyUsage without clientAuth, keyUsage without digitalSignature), in words;
    // empty when it is fit. A server refusing it for that says only "unsupported_certificate"
    // or "certificate_unknown": this names the cause.
    std::string client_certificate_usage_problem;
    std::optional<tls_alert> alert_received;    // the first alert the server sent us
    std::optional<tls_alert> alert_sent;        // the first alert we sent
    // When the server's first record is not TLS at all (an HTTP reply, a plaintext CQL frame):
    // its first bytes, up to 128, for naming what answered (peer_bytes.hpp). Untrusted.
    std::vector<std::uint8_t> non_tls_reply;

    // The versions, for telling "the server speaks only an old TLS" apart from other refusals:
    // the legacy_version field of the ServerHello (0x0302 = TLS 1.1; TLS 1.3 servers put 0x0303
    // there), 0 when none arrived; and the lowest version the client allows (SSL_get_min_proto_version).
    int server_hello_version = 0;
    int client_min_version = 0;
};

// True when `host` is an IPv4 or IPv6 literal ("127.0.0.1", "::1", "[::1]", "fe80::1%eth0").
CQLWIRE_TRANSPORT_API bool is_ip_literal(std::string_view host) noexcept;

}  // namespace cqlwire::transport

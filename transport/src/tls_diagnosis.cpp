#include "cqlwire/transport/tls_diagnosis.hpp"

#include <cstdio>
#include <string_view>
#include <utility>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/peer_bytes.hpp"

namespace cqlwire::transport {
namespace {

// OpenSSL reports a received alert N as the SSL library reason SSL_AD_REASON_OFFSET + N.
std::optional<int> alert_from_reason(const boost::system::error_code& ec) {
    if (ec.category() != boost::asio::error::get_ssl_category()) return std::nullopt;
    const auto code = static_cast<unsigned long>(ec.value());
    if (ERR_GET_LIB(code) != ERR_LIB_SSL) return std::nullopt;
    const int reason = ERR_GET_REASON(code);
    if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) return reason - SSL_AD_REASON_OFFSET;
    return std::nullopt;
}

int ssl_reason(const boost::system::error_code& ec) {
    if (ec.category() != boost::asio::error::get_ssl_category()) return 0;
    const auto code = static_cast<unsigned long>(ec.value());
    return ERR_GET_LIB(code) == ERR_LIB_SSL ? ERR_GET_REASON(code) : 0;
}

// The alert the server sent: as recorded on the wire, else as OpenSSL's error reason says.
std::optional<int> received_alert(const boost::system::error_code& ec, const tls_handshake_record* record) {
    if (record != nullptr && record->alert_received) return record->alert_received->description;
    return alert_from_reason(ec);
}

// Reasons OpenSSL gives when the bytes that came back are not a TLS record at all.
bool is_not_tls_reason(int reason) {
    switch (reason) {
    case SSL_R_WRONG_VERSION_NUMBER:
    case SSL_R_PACKET_LENGTH_TOO_LONG:
    case SSL_R_UNKNOWN_PROTOCOL:
    case SSL_R_HTTP_REQUEST:
    case SSL_R_HTTPS_PROXY_REQUEST:
    case SSL_R_RECORD_LENGTH_MISMATCH:
    case SSL_R_BAD_PACKET_LENGTH:
#ifdef SSL_R_RECORD_LAYER_FAILURE
    case SSL_R_RECORD_LAYER_FAILURE:
#endif
        return true;
    default:
        return false;
    }
}

bool is_client_certificate_alert(int alert) {
    using namespace tls_alert_number;
    switch (alert) {
    case bad_certificate:
    case unsupported_certificate:
    case certificate_revoked:
    case certificate_expired:
    case certificate_unknown:
    case unknown_ca:
    case access_denied:
        return true;
    default:
        return false;
    }
}

// "TLS 1.1" for a protocol version number (0x0302), as the ServerHello carries it.
std::string tls_version_name(int version) {
    switch (version) {
    case SSL3_VERSION: return "SSL 3.0";
    case TLS1_VERSION: return "TLS 1.0";
    case TLS1_1_VERSION: return "TLS 1.1";
    case TLS1_2_VERSION: return "TLS 1.2";
    case TLS1_3_VERSION: return "TLS 1.3";
    default: return "version 0x" + [version] {
        char buf[8];
        std::snprintf(buf, sizeof buf, "%04x", static_cast<unsigned>(version) & 0xffffu);
        return std::string(buf);
    }();
    }
}

std::string certificate_line(const certificate_summary& c) {
    return "subject '" + c.subject + "', issued by '" + c.issuer + "'";
}

std::string which_certificate(const certificate_summary& c) {
    return c.depth == 0 ? "the server's certificate" : "the CA certificate at depth " + std::to_string(c.depth) + " of the server's chain";
}

// The messages below state the cause and the facts behind it. The fix is left to the caller:
// a command names its own flags (tools/cqlwire/report.cpp), an embedder its own settings, so
// each message says its fix once.
std::error_code verify_failure(const tls_handshake_record& record, protocol::diagnostics& diag) {
    const long err = record.verify_error;
    const char* why = X509_verify_cert_error_string(err);
    const certificate_summary none{};
    const certificate_summary& failed = record.failed_certificate ? *record.failed_certificate : none;

    switch (err) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH: {
        const certificate_summary& leaf = record.server_certificate ? *record.server_certificate : failed;
        std::string m = "TLS: the server's certificate is not valid for " +
                        std::string(record.expected_is_ip ? "the IP address '" : "the name '") + record.expected_name +
                        "'; it names " + format_subject_alt_names(leaf) + " (subject '" + leaf.subject + "')";
        if (record.expected_is_ip) m += "; an IP address is matched against the certificate's IP entries only";
        diag.set_client_message(m);
        return errc::certificate_name_mismatch;
    }
    case X509_V_ERR_CERT_HAS_EXPIRED:
        diag.set_client_message("TLS: " + which_certificate(failed) + " has expired: valid from " + failed.not_before +
                                " to " + failed.not_after + " (" + certificate_line(failed) + ")");
        return errc::certificate_expired;
    case X509_V_ERR_CERT_NOT_YET_VALID:
        diag.set_client_message("TLS: " + which_certificate(failed) + " is not valid yet: valid from " +
                                failed.not_before + " to " + failed.not_after + " (" + certificate_line(failed) + ")");
        return errc::certificate_not_yet_valid;
    default: {
        std::string m = "TLS: the server's certificate chain is not trusted: " + std::string(why) + " at " +
                        which_certificate(failed) + ": " + certificate_line(failed);
        if (err == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
            m += "; that issuer is neither a trusted CA nor sent by the server (a server should send its "
                 "intermediate certificates)";
        if (err == X509_V_ERR_INVALID_PURPOSE)
            m += "; its extendedKeyUsage does not allow TLS server authentication (serverAuth)";
        // OpenSSL's own words ("EE certificate key too weak") do not say that a setting, not
        // the signature, decided.
        if (err == X509_V_ERR_EE_KEY_TOO_SMALL || err == X509_V_ERR_CA_KEY_TOO_SMALL || err == X509_V_ERR_CA_MD_TOO_WEAK)
            m += "; its key size or signature digest is below the minimum of the client's OpenSSL security level "
                 "(SHA-1 signatures are refused from level 1, RSA keys under 2048 bits from level 2)";
        diag.set_client_message(m);
        return errc::certificate_untrusted;
    }
    }
}

// Alerts that name no cause. Sent after the server asked for a client certificate they are, most
// likely, its verdict on that certificate: a CertificateRequest comes only once the version and
// the cipher are agreed, so they are no longer what the server could object to. (An untrusted
// client certificate is answered with internal_error by some servers.)
bool is_unspecific_alert(int alert) {
    return alert == tls_alert_number::handshake_failure || alert == tls_alert_number::internal_error;
}

// What our own certificate's extensions hold against it as a TLS client certificate, as a
// clause to end a message about its refusal with; empty when they hold nothing.
std::string usage_clause(const tls_handshake_record& record, std::string_view lead) {
    if (record.client_certificate_usage_problem.empty()) return {};
    return std::string(lead) + record.client_certificate_usage_problem;
}

// The server's alert read as a verdict on our client certificate, or an empty code when it is not
// one. `in_handshake`: the alert ended the handshake (TLS 1.2), rather than arriving after the
// client's handshake completed (TLS 1.3).
std::error_code client_certificate_verdict(int alert, const tls_handshake_record* record, bool in_handshake,
                                           protocol::diagnostics& diag) {
    const bool configured = record != nullptr && record->client_certificate_configured;
    const bool requested = record != nullptr && record->certificate_request_received;
    const std::string ended = in_handshake ? "ended the handshake" : "closed the connection";
    const std::string alert_text = "alert " + tls_alert_name(alert);

    if (alert == tls_alert_number::certificate_required) {
        diag.set_client_message("TLS: the server requires a client certificate and none was sent (" + alert_text + ")");
        return errc::client_certificate_required;
    }
    if (!configured && requested && (is_client_certificate_alert(alert) || is_unspecific_alert(alert))) {
        diag.set_client_message(std::string("TLS: the server ") + (is_unspecific_alert(alert) ? "most likely " : "") +
                                "requires a client certificate and none was sent: it asked for one, then " + ended +
                                " with " + alert_text);
        return errc::client_certificate_required;
    }
    if (configured && is_client_certificate_alert(alert)) {
        std::string m = "TLS: the server rejected the client certificate '" + record->client_certificate_subject +
                        "' (" + alert_text + ")";
        if (alert == tls_alert_number::unknown_ca)
            m += ": the server does not trust the CA that issued it; that CA (or the certificate itself) must be in "
                 "the server's truststore";
        else if (alert == tls_alert_number::certificate_expired)
            m += ": it has expired";
        else
            m += usage_clause(*record, ": ");  // the alert names no cause; the certificate may show it
        diag.set_client_message(m);
        return errc::client_certificate_rejected;
    }
    if (configured && requested && is_unspecific_alert(alert)) {
        diag.set_client_message("TLS: the server most likely rejected the client certificate '" +
                                record->client_certificate_subject + "': it asked for a client certificate, was sent "
                                "this one, then " + ended + " with " + alert_text +
                                ", which some servers send for a client certificate they do not trust" +
                                usage_clause(*record, "; and "));
        return errc::client_certificate_rejected;
    }
    return {};
}

// The server answered the ClientHello with bytes that are not TLS: named by what they are when
// the record kept them (an HTTP reply, a CQL frame, bytes of no known protocol), else presumed
// plaintext CQL.
std::error_code diagnose_not_tls(const boost::system::error_code& ec, const tls_handshake_record& record,
                                 protocol::diagnostics& diag) {
    const auto answered = identify_peer_bytes(record.non_tls_reply);
    switch (answered.kind) {
    case peer_bytes_kind::http:
        // Not plaintext CQL either: the port is not Cassandra's, whatever TLS says.
        diag.set_client_message("TLS: an HTTP server answered the TLS handshake (\"" + answered.http_status_line +
                                "\"); this port serves HTTP, not CQL: check the host and port");
        return errc::tls_handshake_failed;
    case peer_bytes_kind::cql_frame:
        diag.set_client_message("TLS: " + describe_peer_bytes(answered, record.non_tls_reply) +
                                " answered the TLS handshake: the port speaks plaintext CQL");
        return errc::server_is_plaintext;
    case peer_bytes_kind::unknown:
        // Neither TLS nor CQL (an SSH greeting, another service's banner): not "plaintext CQL".
        diag.set_client_message("TLS: the server answered the TLS handshake with " +
                                describe_peer_bytes(answered, record.non_tls_reply) +
                                ", neither TLS nor CQL: this port does not serve Cassandra; check the host and port");
        return errc::tls_handshake_failed;
    default:
        diag.set_client_message("TLS: the server answered the TLS handshake with bytes that are not TLS (" +
                                ec.message() + "); the port probably speaks plaintext CQL");
        return errc::server_is_plaintext;
    }
}

}  // namespace

std::string tls_alert_name(int description) {
    // The AlertDescription names of RFC 8446 §6 (and RFC 5246 §7.2 for those TLS 1.3 dropped).
    static constexpr std::pair<int, const char*> names[] = {
        {0, "close_notify"},           {10, "unexpected_message"},
        {20, "bad_record_mac"},        {22, "record_overflow"},
        {40, "handshake_failure"},     {42, "bad_certificate"},
        {43, "unsupported_certificate"}, {44, "certificate_revoked"},
        {45, "certificate_expired"},   {46, "certificate_unknown"},
        {47, "illegal_parameter"},     {48, "unknown_ca"},
        {49, "access_denied"},         {50, "decode_error"},
        {51, "decrypt_error"},         {70, "protocol_version"},
        {71, "insufficient_security"}, {80, "internal_error"},
        {86, "inappropriate_fallback"}, {90, "user_canceled"},
        {109, "missing_extension"},    {110, "unsupported_extension"},
        {112, "unrecognized_name"},    {113, "bad_certificate_status_response"},
        {115, "unknown_psk_identity"}, {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    for (const auto& [number, name] : names) {
        if (number == description) return std::string(name) + " (" + std::to_string(number) + ")";
    }
    return "alert " + std::to_string(description);
}

std::error_code diagnose_handshake_failure(const boost::system::error_code& ec, const tls_handshake_record& record,
                                           protocol::diagnostics& diag) {
    const int reason = ssl_reason(ec);
    if (record.verify && (record.verify_error != X509_V_OK || reason == SSL_R_CERTIFICATE_VERIFY_FAILED)) {
        return verify_failure(record, diag);
    }

    // The server chose a version the client does not allow (the client then sends
    // protocol_version itself): say which, rather than OpenSSL's "unsupported protocol".
    if (reason == SSL_R_UNSUPPORTED_PROTOCOL && record.server_hello_version != 0) {
        std::string m = "TLS: the server offered " + tls_version_name(record.server_hello_version);
        if (record.client_min_version != 0 && record.server_hello_version < record.client_min_version)
            m += ", below the client's minimum, " + tls_version_name(record.client_min_version);
        else
            m += ", which the client settings do not allow";
        diag.set_client_message(m + "; the server must be configured for a newer TLS version");
        return errc::tls_handshake_failed;
    }

    if (const auto alert = received_alert(ec, &record)) {
        if (auto verdict = client_certificate_verdict(*alert, &record, true, diag)) return verdict;
        if (*alert == tls_alert_number::protocol_version) {
            diag.set_client_message("TLS: the server accepts none of the TLS versions allowed by the client settings "
                                    "(alert " + tls_alert_name(*alert) + ")");
        } else if (*alert == tls_alert_number::handshake_failure) {
            diag.set_client_message("TLS: the server ended the handshake (alert " + tls_alert_name(*alert) +
                                    "); most often no TLS version or cipher is acceptable to both sides");
        } else {
            diag.set_client_message("TLS: the server ended the handshake with alert " + tls_alert_name(*alert));
        }
        return errc::tls_handshake_failed;
    }

    if (is_not_tls_reason(reason)) return diagnose_not_tls(ec, record, diag);

    if (ec == boost::asio::ssl::error::stream_truncated || ec == boost::asio::error::eof ||
        ec == boost::asio::error::connection_reset) {
        if (record.certificate_request_received && !record.client_certificate_configured) {
            diag.set_client_message("TLS: the server closed the connection during the handshake after asking for a "
                                    "client certificate, and none was configured: it most likely requires one");
            return errc::client_certificate_required;
        }
        if (record.certificate_request_received && record.client_certificate_configured) {
            diag.set_client_message("TLS: the server closed the connection during the handshake after asking for a "
                                    "client certificate and being sent '" + record.client_certificate_subject +
                                    "': it most likely refused that certificate" + usage_clause(record, "; "));
            return errc::client_certificate_rejected;
        }
        diag.set_client_message("TLS: the server closed the connection during the handshake; it may not speak TLS "
                                "on this port, or it refused the connection");
        return errc::tls_handshake_failed;
    }

    diag.set_client_message("TLS: the handshake failed: " + ec.message());
    return errc::tls_handshake_failed;
}

std::error_code classify_post_handshake_error(const boost::system::error_code& ec, const tls_handshake_record* record,
                                              protocol::diagnostics& diag) {
    if (record == nullptr) return {};
    const auto alert = received_alert(ec, record);
    if (!alert) return {};
    protocol::diagnostics local;
    if (auto verdict = client_certificate_verdict(*alert, record, false, local)) {
        diag.set_client_message(local.client_message());
        return verdict;
    }
    return {};
}

std::error_code classify_close_after_handshake(const tls_handshake_record& record, int tls_version,
                                               protocol::diagnostics& diag) {
    // Before TLS 1.3 the server's verdict on the client certificate is part of the handshake:
    // a handshake that completed was not refused over the certificate.
    if (tls_version < TLS1_3_VERSION || !record.certificate_request_received) return {};
    if (!record.client_certificate_configured) {
        diag.set_client_message("TLS: the server asked for a client certificate during the handshake, none was "
                                "configured, and it closed the connection right after the handshake, before any "
                                "response: it most likely requires one");
        return errc::client_certificate_required;
    }
    diag.set_client_message("TLS: the server closed the connection right after the TLS handshake, before any "
                            "response: it most likely refused the client certificate '" +
                            record.client_certificate_subject + "'" + usage_clause(record, "; "));
    return errc::client_certificate_rejected;
}

bool looks_like_tls_record(protocol::bytes_view bytes) noexcept {
    if (bytes.empty()) return false;
    if (bytes[0] != 0x15 && bytes[0] != 0x16) return false;
    return bytes.size() < 2 || bytes[1] == 0x03;
}

}  // namespace cqlwire::transport

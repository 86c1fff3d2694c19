#include "cqlwire/transport/internal/tls_verify.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <utility>

#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {
namespace {

std::string name_to_string(const X509_NAME* name) {
    if (name == nullptr) return "(none)";
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio) return "(unprintable)";
    // RFC 2253 order (most specific first), UTF-8 kept as is rather than escaped.
    const unsigned long flags = XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB;
    if (X509_NAME_print_ex(bio.get(), name, 0, flags) < 0) return "(unprintable)";
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return len > 0 ? std::string(data, static_cast<std::size_t>(len)) : std::string("(empty)");
}

std::string time_to_string(const ASN1_TIME* t) {
    std::tm tm{};
    if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "(unknown)";
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                  tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

// A SAN's bytes for a message: printable ASCII and UTF-8 as they are, control bytes (a NUL
// hidden inside "localhost\0.evil.example", an escape sequence) as \xNN, so that what is shown
// is what the certificate holds and a terminal is not steered by it.
std::string printable_name(const unsigned char* data, int length) {
    std::string out;
    for (int i = 0; i < length; ++i) {
        const unsigned char c = data[i];
        if (c < 0x20 || c == 0x7f || c == '\\') {
            protocol::append_byte_escape(out, c);
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string ip_to_string(const ASN1_OCTET_STRING* ip) {
    const unsigned char* p = ASN1_STRING_get0_data(ip);
    const int len = ASN1_STRING_length(ip);
    char buf[INET6_ADDRSTRLEN] = {};
    if (len == 4 && inet_ntop(AF_INET, p, buf, sizeof buf) != nullptr) return buf;
    if (len == 16 && inet_ntop(AF_INET6, p, buf, sizeof buf) != nullptr) return buf;
    return "(malformed IP of " + std::to_string(len) + " bytes)";
}

int record_index() {
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

tls_handshake_record* record_of(SSL* ssl) {
    return ssl == nullptr ? nullptr : static_cast<tls_handshake_record*>(SSL_get_ex_data(ssl, record_index()));
}

// Called by OpenSSL for each certificate of the server's chain (and again at depth 0 for the
// name check). It never changes OpenSSL's verdict; it only remembers the first failure, so
// that the message can name the certificate, not just the error.
int verify_callback(int preverify_ok, X509_STORE_CTX* store) {
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    tls_handshake_record* record = record_of(ssl);
    if (record == nullptr) return preverify_ok;
    const int depth = X509_STORE_CTX_get_error_depth(store);
    X509* cert = X509_STORE_CTX_get_current_cert(store);
    if (depth == 0 && cert != nullptr && !record->server_certificate)
        record->server_certificate = summarize_certificate(cert, 0);
    if (preverify_ok == 0 && !record->failed_certificate) {
        record->verify_error = X509_STORE_CTX_get_error(store);
        if (cert != nullptr) record->failed_certificate = summarize_certificate(cert, depth);
    }
    return preverify_ok;
}

// The first bytes of a reply that is not TLS: the record header OpenSSL just read (`header`)
// and what else has arrived, peeked at without being consumed (asio's streams give OpenSSL a
// BIO pair, whose unread bytes BIO_nread0 shows in place). OpenSSL fails the handshake on
// such a header at once, so nothing else will read them.
void keep_non_tls_reply(SSL* ssl, const unsigned char* header, std::size_t len, tls_handshake_record& record) {
    constexpr std::size_t kept = 128;
    record.non_tls_reply.assign(header, header + std::min(len, kept));
    BIO* rbio = SSL_get_rbio(ssl);
    if (rbio == nullptr || BIO_method_type(rbio) != BIO_TYPE_BIO) return;
    char* more = nullptr;
    const int available = BIO_nread0(rbio, &more);
    if (available <= 0 || more == nullptr) return;
    const auto n = std::min(static_cast<std::size_t>(available), kept - record.non_tls_reply.size());
    const auto* from = reinterpret_cast<const unsigned char*>(more);
    record.non_tls_reply.insert(record.non_tls_reply.end(), from, from + n);
}

// Whether a received record header is TLS's: a content type from change_cipher_spec (20) to
// heartbeat (24), then the major version 3.
bool is_tls_record_header(const unsigned char* bytes, std::size_t len) {
    return len >= 2 && bytes[0] >= 20 && bytes[0] <= 24 && bytes[1] == SSL3_VERSION_MAJOR;
}

// Sees every TLS record and handshake message, in both directions (decrypted in TLS 1.3).
void message_callback(int write_p, int /*version*/, int content_type, const void* buf, std::size_t len, SSL* ssl,
                      void* /*arg*/) {
    tls_handshake_record* record = record_of(ssl);
    if (record == nullptr || buf == nullptr) return;
    const auto* bytes = static_cast<const unsigned char*>(buf);
    if (content_type == SSL3_RT_HEADER && write_p == 0) {
        // Only the server's first record can reveal another protocol: after a ServerHello or
        // an alert, the peer has shown it speaks TLS.
        if (record->server_hello_version == 0 && !record->alert_received && record->non_tls_reply.empty() &&
            !is_tls_record_header(bytes, len))
            keep_non_tls_reply(ssl, bytes, len, *record);
    } else if (content_type == SSL3_RT_ALERT && len >= 2) {
        const tls_alert alert{bytes[0], bytes[1]};
        auto& slot = write_p != 0 ? record->alert_sent : record->alert_received;
        if (!slot) slot = alert;
    } else if (content_type == SSL3_RT_HANDSHAKE && len >= 1 && write_p == 0 &&
               bytes[0] == SSL3_MT_CERTIFICATE_REQUEST) {
        record->certificate_request_received = true;
    } else if (content_type == SSL3_RT_HANDSHAKE && len >= 6 && write_p == 0 && bytes[0] == SSL3_MT_SERVER_HELLO &&
               record->server_hello_version == 0) {
        // msg_type (1), length (3), then legacy_version (2).
        record->server_hello_version = (bytes[4] << 8) | bytes[5];
    }
}

// The names of the bits of a keyUsage or extendedKeyUsage extension that are set in `bits`.
template <std::size_t N>
std::string usage_names(std::uint32_t bits, const std::pair<std::uint32_t, const char*> (&names)[N]) {
    std::string out;
    for (const auto& [bit, name] : names)
        if ((bits & bit) != 0) out += (out.empty() ? "" : ", ") + std::string(name);
    return out.empty() ? std::string("nothing OpenSSL names") : out;
}

// What OpenSSL's purpose check for a TLS client (X509_PURPOSE_SSL_CLIENT) would hold against
// `cert`, in words; empty when nothing. A server checks the same two extensions.
std::string client_usage_problem(X509* cert) {
    const std::uint32_t flags = X509_get_extension_flags(cert);  // also caches the extensions
    if ((flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) == 0) {
        static constexpr std::pair<std::uint32_t, const char*> names[] = {
            {XKU_SSL_SERVER, "serverAuth"},   {XKU_SMIME, "emailProtection"}, {XKU_CODE_SIGN, "codeSigning"},
            {XKU_OCSP_SIGN, "OCSPSigning"},   {XKU_TIMESTAMP, "timeStamping"}, {XKU_ANYEKU, "anyExtendedKeyUsage"},
        };
        return "its extendedKeyUsage (" + usage_names(X509_get_extended_key_usage(cert), names) +
               ") does not include TLS client authentication (clientAuth)";
    }
    if ((flags & EXFLAG_KUSAGE) != 0 && (X509_get_key_usage(cert) & (KU_DIGITAL_SIGNATURE | KU_KEY_AGREEMENT)) == 0) {
        static constexpr std::pair<std::uint32_t, const char*> names[] = {
            {KU_NON_REPUDIATION, "nonRepudiation"}, {KU_KEY_ENCIPHERMENT, "keyEncipherment"},
            {KU_DATA_ENCIPHERMENT, "dataEncipherment"}, {KU_KEY_CERT_SIGN, "keyCertSign"},
            {KU_CRL_SIGN, "cRLSign"}, {KU_ENCIPHER_ONLY, "encipherOnly"}, {KU_DECIPHER_ONLY, "decipherOnly"},
        };
        return "its keyUsage (" + usage_names(X509_get_key_usage(cert), names) +
               ") lacks digitalSignature, with which a TLS client proves it holds the key";
    }
    return {};
}

}  // namespace

certificate_summary summarize_certificate(X509* cert, int depth) {
    certificate_summary s;
    s.depth = depth;
    if (cert == nullptr) return s;
    s.subject = name_to_string(X509_get_subject_name(cert));
    s.issuer = name_to_string(X509_get_issuer_name(cert));
    s.not_before = time_to_string(X509_get0_notBefore(cert));
    s.not_after = time_to_string(X509_get0_notAfter(cert));
    auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (names != nullptr) {
        for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
            const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
            if (name->type == GEN_DNS) {
                const ASN1_IA5STRING* dns = name->d.dNSName;
                s.dns_names.push_back(printable_name(ASN1_STRING_get0_data(dns), ASN1_STRING_length(dns)));
            } else if (name->type == GEN_IPADD) {
                s.ip_addresses.push_back(ip_to_string(name->d.iPAddress));
            } else if (name->type == GEN_URI) {
                const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
                s.uris.push_back(printable_name(ASN1_STRING_get0_data(uri), ASN1_STRING_length(uri)));
            }
        }
        GENERAL_NAMES_free(names);
    }
    return s;
}

std::string format_x509_name(const X509_NAME* name) { return name_to_string(name); }

std::string format_subject_alt_names(const certificate_summary& cert) {
    std::string out;
    for (const auto& dns : cert.dns_names) out += (out.empty() ? "" : ", ") + std::string("DNS:") + dns;
    for (const auto& ip : cert.ip_addresses) out += (out.empty() ? "" : ", ") + std::string("IP:") + ip;
    for (const auto& uri : cert.uris) out += (out.empty() ? "" : ", ") + std::string("URI:") + uri;
    return out.empty() ? "(no subjectAltName)" : out;
}

bool is_ip_literal(std::string_view host) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (const auto zone = host.find('%'); zone != std::string_view::npos) host = host.substr(0, zone);
    if (host.empty() || host.size() >= INET6_ADDRSTRLEN) return false;
    char text[INET6_ADDRSTRLEN] = {};
    host.copy(text, host.size());
    unsigned char addr[16];
    return inet_pton(AF_INET, text, addr) == 1 || inet_pton(AF_INET6, text, addr) == 1;
}

std::error_code prepare_tls_session(SSL* ssl, std::string_view expected_name, bool verify,
                                    tls_handshake_record& record, protocol::diagnostics& diag) {
    std::string name(expected_name);
    if (name.size() >= 2 && name.front() == '[' && name.back() == ']') name = name.substr(1, name.size() - 2);
    const bool is_ip = is_ip_literal(name);
    // A zone id ("%eth0") names a local interface; certificates never carry it.
    if (is_ip) name = name.substr(0, name.find('%'));
    // A fully qualified name's trailing dot ("node1.example.") is the same name; SNI is sent
    // without it (RFC 6066 §3) and certificates never carry it.
    if (!is_ip && name.size() >= 2 && name.back() == '.' && name[name.size() - 2] != '.') name.pop_back();

    record = tls_handshake_record{};
    record.verify = verify;
    record.expected_is_ip = is_ip;
    record.expected_name = verify ? name : std::string();
    record.client_min_version = static_cast<int>(SSL_get_min_proto_version(ssl));
    if (X509* own = SSL_get_certificate(ssl)) {
        record.client_certificate_configured = true;
        const certificate_summary summary = summarize_certificate(own, 0);
        record.client_certificate_subject = summary.subject;
        // As Cassandra's SpiffeCertificateValidator reads it: the first URI that is a SPIFFE ID;
        // failing that the first URI, which another validator may take.
        for (const auto& uri : summary.uris) {
            if (!uri.starts_with("spiffe://")) continue;
            record.client_certificate_identity = uri;
            break;
        }
        if (record.client_certificate_identity.empty() && !summary.uris.empty())
            record.client_certificate_identity = summary.uris.front();
        record.client_certificate_usage_problem = client_usage_problem(own);
    }

    if (SSL_set_ex_data(ssl, record_index(), &record) != 1) {
        diag.set_client_message("TLS: could not attach the handshake record to the session");
        return errc::tls_config;
    }
    SSL_set_msg_callback(ssl, &message_callback);

    if (verify) {
        if (name.empty()) {
            diag.set_client_message(
                "TLS: server verification is on but there is no name to check; give the host or server_name");
            return errc::tls_config;
        }
        if (is_ip) {
            if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) != 1) {
                diag.set_client_message("TLS: OpenSSL refused the IP address '" + name + "' as the expected name");
                return errc::tls_config;
            }
        } else {
            SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
            if (SSL_set1_host(ssl, name.c_str()) != 1) {
                diag.set_client_message("TLS: OpenSSL refused '" + name + "' as the expected host name");
                return errc::tls_config;
            }
        }
        SSL_set_verify(ssl, SSL_VERIFY_PEER, &verify_callback);
    } else {
        SSL_set_verify(ssl, SSL_VERIFY_NONE, &verify_callback);
    }

    // SNI carries host names only (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not
    // permitted"). It is sent even without verification: it may select the certificate.
    if (!is_ip && !name.empty()) {
        if (SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
            diag.set_client_message("TLS: OpenSSL refused '" + name + "' as the server name indication");
            return errc::tls_config;
        }
        record.sni = name;
    }
    return {};
}

}  // namespace cqlwire::transport

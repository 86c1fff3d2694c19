#include "cqlwire/inspect/tls_inspection.hpp"

#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/internal/stream.hpp"
#include "cqlwire/transport/internal/tls_context.hpp"
#include "cqlwire/transport/internal/tls_preflight.hpp"
#include "cqlwire/transport/internal/tls_verify.hpp"
#include "cqlwire/transport/peer_bytes.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/tls_diagnosis.hpp"
#include "cqlwire/transport/tls_preflight.hpp"

namespace cqlwire::inspect {
using namespace cqlwire::transport;
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

struct bio_deleter {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct store_ctx_deleter {
    void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
};

// The client certificate file and key as the user named them, read independently of each other
// so that a key that does not match (or cannot be opened) still leaves a certificate to report.
struct client_files {
    x509_ptr certificate;
    std::vector<x509_ptr> chain;
    evp_pkey_ptr key;
};

int password_callback(char* buf, int size, int /*rwflag*/, void* userdata) {
    const auto* password = static_cast<const auth::secret_bytes*>(userdata);
    if (password == nullptr || password->empty() || size <= 0) return -1;
    const auto bytes = password->view();
    const std::size_t n = std::min(bytes.size(), static_cast<std::size_t>(size));
    std::memcpy(buf, bytes.data(), n);
    return static_cast<int>(n);
}

client_files read_client_files(const tls_options& options) {
    client_files files;
    if (!options.certificate_file.empty()) {
        std::unique_ptr<BIO, bio_deleter> bio(BIO_new_file(options.certificate_file.c_str(), "r"));
        while (X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr) {
            if (!files.certificate) files.certificate.reset(cert);
            else files.chain.emplace_back(cert);
        }
    }
    if (!options.private_key_file.empty()) {
        std::unique_ptr<BIO, bio_deleter> bio(BIO_new_file(options.private_key_file.c_str(), "r"));
        auto* password = const_cast<auth::secret_bytes*>(&options.private_key_password);
        if (bio) files.key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, &password_callback, password));
    }
    ERR_clear_error();
    return files;
}

// The fields of `from` that shape the handshake; the client identity only when `with_identity`.
tls_options handshake_options(const tls_options& from, bool with_identity) {
    tls_options o;
    o.ca_files = from.ca_files;
    o.ca_directory = from.ca_directory;
    o.min_version = from.min_version;
    o.max_version = from.max_version;
    o.cipher_list = from.cipher_list;
    o.ciphersuites = from.ciphersuites;
    o.server_name = from.server_name;
    o.verify = false;  // judged after the handshake, so that a failure still shows the chain
    if (with_identity) {
        o.certificate_file = from.certificate_file;
        o.private_key_file = from.private_key_file;
        o.private_key_password.append(from.private_key_password.view());
    }
    return o;
}

// Runs one asynchronous operation on `ioc` with a time limit: `start(handler)` starts it; when
// the time runs out, `socket` is cancelled (the operation then completes with
// operation_aborted) and `timed_out` is set. Returns once both the operation and the timer's
// handler ran, so that nothing queued still refers to this call's variables.
template <class Start>
boost::system::error_code run_timed(asio::io_context& ioc, tcp::socket& socket, std::chrono::milliseconds timeout,
                                    bool& timed_out, std::size_t* transferred, Start start) {
    boost::system::error_code result;
    bool done = false;
    timed_out = false;
    asio::steady_timer timer(ioc);
    timer.expires_after(timeout);
    int outstanding = 2;  // the operation and the timer
    const auto run_ec = transport::run_blocking(ioc.get_executor(), [&](auto finished) {
        timer.async_wait([&, finished](const boost::system::error_code& ec) {
            if (!ec && !done) {
                timed_out = true;
                boost::system::error_code ignored;
                socket.cancel(ignored);
            }
            if (--outstanding == 0) finished();
        });
        start([&, finished](const boost::system::error_code& ec, std::size_t n) {
            result = ec;
            if (transferred != nullptr) *transferred = n;
            done = true;
            timer.cancel();
            if (--outstanding == 0) finished();
        });
    });
    if (run_ec) return boost::system::error_code(run_ec.value(), boost::system::generic_category());
    return result;
}

// How many bytes the server has sent on this TLS stream: those OpenSSL read from its BIO and
// those waiting there unread.
std::uint64_t bytes_received(SSL* ssl) {
    BIO* rbio = SSL_get_rbio(ssl);
    return rbio == nullptr ? 0 : BIO_number_read(rbio) + BIO_ctrl_pending(rbio);
}

// "5 s", or "1500 ms" when the time is not whole seconds.
std::string duration_text(std::chrono::milliseconds d) {
    if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
    return std::to_string(d.count()) + " ms";
}

bool is_close(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::ssl::error::stream_truncated ||
           ec == asio::error::broken_pipe;
}

std::vector<std::uint8_t> options_frame() {
    std::vector<std::uint8_t> frame;
    static_cast<void>(protocol::encode_options(frame, protocol::request_frame_options{}));
    return frame;
}

// Opens a second, plaintext connection, sends a CQL OPTIONS frame and names what answered.
void probe_plaintext(asio::io_context& ioc, const tcp::endpoint& ep, std::chrono::milliseconds timeout,
                     tls_inspection& out) {
    tcp::socket socket(ioc);
    bool timed_out = false;
    auto ec = run_timed(ioc, socket, timeout, timed_out, nullptr, [&](auto handler) {
        socket.async_connect(ep, [handler](const boost::system::error_code& e) mutable { handler(e, 0); });
    });
    if (ec) {
        out.speaks = port_protocol::other;
        out.plaintext_answer = "a second, plaintext connection could not be made (" + ec.message() + ")";
        return;
    }
    const auto frame = options_frame();
    ec = run_timed(ioc, socket, timeout, timed_out, nullptr,
                   [&](auto handler) { asio::async_write(socket, asio::buffer(frame), handler); });
    std::array<std::uint8_t, 128> reply{};
    std::size_t n = 0;
    if (!ec) {
        ec = run_timed(ioc, socket, timeout, timed_out, &n, [&](auto handler) {
            asio::async_read(socket, asio::buffer(reply), asio::transfer_at_least(protocol::frame_header_size), handler);
        });
    }
    const protocol::bytes_view bytes(reply.data(), n);
    const auto id = identify_peer_bytes(bytes);
    switch (id.kind) {
    case peer_bytes_kind::cql_frame: out.speaks = port_protocol::plaintext_cql; break;
    case peer_bytes_kind::http:
        out.speaks = port_protocol::http;
        out.http_status_line = id.http_status_line;
        break;
    case peer_bytes_kind::none: out.speaks = timed_out ? port_protocol::silent : port_protocol::other; break;
    case peer_bytes_kind::tls_record: out.speaks = port_protocol::tls; break;
    case peer_bytes_kind::unknown: out.speaks = port_protocol::other; break;
    }
    if (id.kind == peer_bytes_kind::none) {
        out.plaintext_answer = timed_out ? "nothing within " + std::to_string(timeout.count()) + " ms"
                                         : describe_peer_bytes(id, bytes);
    } else {
        out.plaintext_answer = describe_peer_bytes(id, bytes);
    }
    boost::system::error_code ignored;
    socket.close(ignored);
}

void verify_chain(SSL* ssl, tls_inspection& out) {
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);  // the client's view includes the leaf
    X509* leaf = SSL_get0_peer_certificate(ssl);
    if (leaf == nullptr) return;
    std::unique_ptr<X509_STORE_CTX, store_ctx_deleter> ctx(X509_STORE_CTX_new());
    X509_STORE* store = SSL_CTX_get_cert_store(SSL_get_SSL_CTX(ssl));
    if (!ctx || X509_STORE_CTX_init(ctx.get(), store, leaf, chain) != 1) {
        out.verify_error = X509_V_ERR_UNSPECIFIED;
        out.verify_error_name = "the verification could not be set up";
        ERR_clear_error();
        return;
    }
    // The purpose a TLS client checks a server's chain for.
    X509_STORE_CTX_set_default(ctx.get(), "ssl_server");
    out.chain_verified = X509_verify_cert(ctx.get()) == 1;
    out.verify_error = out.chain_verified ? X509_V_OK : X509_STORE_CTX_get_error(ctx.get());
    out.verify_error_depth = out.chain_verified ? -1 : X509_STORE_CTX_get_error_depth(ctx.get());
    out.verify_error_name = X509_verify_cert_error_string(out.verify_error);
    ERR_clear_error();

    // The name: OpenSSL's matching, with the same rules as a connection (tls_verify.hpp).
    const std::string name = out.expected_name;
    if (out.expected_is_ip) {
        out.name_matches = X509_check_ip_asc(leaf, name.c_str(), 0) == 1;
    } else {
        out.name_matches = X509_check_host(leaf, name.c_str(), name.size(),
                                           X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                           nullptr) == 1;
    }
}

void note_expiry(const inspected_certificate& c, const std::string& which, std::chrono::hours warning,
                 std::vector<std::string>& warnings) {
    const std::int64_t seconds_per_day = 24 * 60 * 60;
    if (c.expired()) {
        warnings.push_back(which + " '" + c.summary.subject + "' has EXPIRED (not after " + c.summary.not_after + ")");
    } else if (c.not_yet_valid()) {
        warnings.push_back(which + " '" + c.summary.subject + "' is not valid yet (not before " +
                           c.summary.not_before + ")");
    } else if (c.seconds_until_expiry < std::chrono::duration_cast<std::chrono::seconds>(warning).count()) {
        const std::int64_t days = c.seconds_until_expiry / seconds_per_day;
        warnings.push_back(which + " '" + c.summary.subject + "' expires in " + std::to_string(days) +
                           (days == 1 ? " day" : " days") + " (not after " + c.summary.not_after + ")");
    }
}

bool name_in(const X509_NAME* name, STACK_OF(X509_NAME)* list) {
    if (name == nullptr || list == nullptr) return false;
    for (int i = 0; i < sk_X509_NAME_num(list); ++i)
        if (X509_NAME_cmp(name, sk_X509_NAME_value(list, i)) == 0) return true;
    return false;
}

// The server's verdict on the client certificate, read from its answer to OPTIONS.
void probe_after_handshake(asio::io_context& ioc, tls_stream& tls, const tls_handshake_record& record,
                           std::chrono::milliseconds timeout, tls_inspection& out) {
    const auto frame = options_frame();
    bool timed_out = false;
    auto ec = run_timed(ioc, tls.next_layer(), timeout, timed_out, nullptr,
                        [&](auto handler) { asio::async_write(tls, asio::buffer(frame), handler); });
    std::array<std::uint8_t, 64> reply{};
    std::size_t n = 0;
    if (!ec) {
        ec = run_timed(ioc, tls.next_layer(), timeout, timed_out, &n, [&](auto handler) {
            asio::async_read(tls, asio::buffer(reply), asio::transfer_at_least(protocol::frame_header_size), handler);
        });
    }
    const bool requested = record.certificate_request_received;
    if (n > 0) {
        const protocol::bytes_view bytes(reply.data(), n);
        const auto id = identify_peer_bytes(bytes);
        out.client_verdict = requested ? client_certificate_verdict::accepted : client_certificate_verdict::not_requested;
        out.client_verdict_detail = "OPTIONS was answered by " + describe_peer_bytes(id, bytes);
        if (id.kind != peer_bytes_kind::cql_frame) out.speaks = port_protocol::other;
        return;
    }
    protocol::diagnostics d;
    std::error_code verdict = classify_post_handshake_error(ec, &record, d);
    if (!verdict && is_close(ec)) verdict = classify_close_after_handshake(record, SSL_version(tls.native_handle()), d);
    if (verdict == errc::client_certificate_required) {
        out.client_verdict = client_certificate_verdict::required;
    } else if (verdict == errc::client_certificate_rejected) {
        out.client_verdict = client_certificate_verdict::rejected;
    } else {
        out.client_verdict = requested ? client_certificate_verdict::unknown : client_certificate_verdict::not_requested;
        if (timed_out)
            d.set_client_message("no answer to OPTIONS within " + std::to_string(timeout.count()) + " ms");
        else
            d.set_client_message("OPTIONS got no answer: " + ec.message());
    }
    out.client_verdict_detail = d.client_message();
}

}  // namespace

std::string_view to_string(client_certificate_verdict v) noexcept {
    switch (v) {
    case client_certificate_verdict::not_requested: return "not requested";
    case client_certificate_verdict::accepted: return "accepted";
    case client_certificate_verdict::rejected: return "rejected";
    case client_certificate_verdict::required: return "required";
    case client_certificate_verdict::unknown: return "unknown";
    }
    return "unknown";
}

std::string_view to_string(port_protocol p) noexcept {
    switch (p) {
    case port_protocol::tls: return "tls";
    case port_protocol::plaintext_cql: return "plaintext-cql";
    case port_protocol::http: return "http";
    case port_protocol::silent: return "silent";
    case port_protocol::other: return "other";
    }
    return "other";
}

namespace {

// What tls-check shows of one certificate (depth 0: the leaf).
inspected_certificate inspect_certificate(X509* cert, int depth) {
    inspected_certificate c;
    c.summary = summarize_certificate(cert, depth);
    if (cert == nullptr) return c;
    if (EVP_PKEY* key = X509_get0_pubkey(cert)) {
        const char* type = EVP_PKEY_get0_type_name(key);
        c.key_type = type != nullptr ? type : "unknown";
        char group[80] = {};
        std::size_t len = 0;
        if (EVP_PKEY_get_group_name(key, group, sizeof group, &len) == 1 && len > 0)
            c.key_type += " (" + std::string(group, len) + ")";
        c.key_bits = EVP_PKEY_get_bits(key);
    }
    int days = 0;
    int seconds = 0;
    if (ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(cert)) == 1)
        c.seconds_until_expiry = static_cast<std::int64_t>(days) * 86400 + seconds;
    if (ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), nullptr) == 1)
        c.seconds_since_start = static_cast<std::int64_t>(days) * 86400 + seconds;
    ERR_clear_error();
    return c;
}

}  // namespace

std::error_code inspect_tls(const tls_options& options, const tls_inspection_target& target, tls_inspection& out,
                            protocol::diagnostics& diag) {
    out = tls_inspection{};
    out.host = target.host;
    out.port = target.port;
    out.trust_store_is_system = options.ca_files.empty() && options.ca_directory.empty();
    std::string expected =
        options.server_name.empty() ? std::string(protocol::strip_brackets(target.host)) : options.server_name;
    out.expected_is_ip = is_ip_literal(expected);
    if (out.expected_is_ip) expected = expected.substr(0, expected.find('%'));
    out.expected_name = expected;

    // --- Our client certificate, judged on its own -----------------------------------------
    const bool has_identity = !options.certificate_file.empty() || !options.private_key_file.empty();
    bool identity_usable = false;
    client_files files;  // also judged against the CA names the server asks for, below
    if (has_identity) {
        client_identity identity;
        std::vector<std::string> identity_warnings;
        protocol::diagnostics identity_diag;
        identity_usable = !load_client_identity(options, identity, identity_warnings, identity_diag);
        if (!identity_usable) out.client_identity_problem = identity_diag.client_message();
        files = read_client_files(options);
        // A PKCS#12 bundle holds no PEM block: its certificate comes from the identity read above.
        if (!files.certificate && identity.certificate) {
            files.certificate = std::move(identity.certificate);
            files.chain = std::move(identity.chain);
            files.key = std::move(identity.private_key);
        }
        if (files.certificate) {
            out.client_certificate = inspect_certificate(files.certificate.get(), 0);
            note_expiry(*out.client_certificate, "the client certificate", target.expiry_warning, out.warnings);
        }
        if (files.certificate && files.key) {
            out.client_key_matches = X509_check_private_key(files.certificate.get(), files.key.get()) == 1;
            ERR_clear_error();
        }
    }

    std::shared_ptr<tls_context> context;
    std::vector<std::string> context_warnings;
    if (auto ec = tls_context::create(handshake_options(options, identity_usable), context, context_warnings, diag))
        return ec;

    // --- TCP ----------------------------------------------------------------------------------
    asio::io_context ioc;
    connect_options co;
    co.host = target.host;
    co.port = target.port;
    co.connect_timeout = target.timeout;
    std::optional<stream> plain;
    if (auto ec = connect(ioc, co, plain, diag)) return ec;
    const tcp::endpoint remote = plain->socket().remote_endpoint();
    out.endpoint = protocol::endpoint_text(remote.address().to_string(), remote.port());

    // --- The handshake, verification deferred ----------------------------------------------------
    tls_stream tls(std::move(plain->socket()), context->internals().asio_context());
    tls_handshake_record record;
    if (auto ec = prepare_tls_session(tls.native_handle(), expected, false, record, diag)) return ec;
    bool timed_out = false;
    const auto handshake_ec = run_timed(ioc, tls.next_layer(), target.timeout, timed_out, nullptr, [&](auto handler) {
        tls.async_handshake(asio::ssl::stream_base::client,
                            [handler](const boost::system::error_code& e) mutable { handler(e, 0); });
    });
    SSL* ssl = tls.native_handle();
    if (handshake_ec && timed_out && bytes_received(ssl) == 0) {
        // Nothing to inspect, and nothing to tell a port that speaks no TLS by: a plaintext
        // CQL or HTTP port answers a ClientHello (with an error) or closes; this one took the
        // connection and kept silent, like a hung server or a filter that swallows the bytes.
        diag.set_client_message("the server at " + out.endpoint +
                                " accepted the TCP connection but sent nothing within " +
                                duration_text(target.timeout) + " in answer to the TLS handshake");
        return errc::handshake_timeout;
    }
    out.handshake_completed = !handshake_ec;
    out.certificate_requested = record.certificate_request_received;

    if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) out.server_chain.push_back(inspect_certificate(sk_X509_value(chain, i), i));
        for (const auto& c : out.server_chain)
            note_expiry(c, c.summary.depth == 0 ? "the server's certificate" : "the server's CA certificate at depth " +
                                                                                    std::to_string(c.summary.depth),
                        target.expiry_warning, out.warnings);
    }
    verify_chain(ssl, out);

    // The CA names the server's CertificateRequest listed (TLS 1.2 certificate_authorities
    // field, TLS 1.3 extension); OpenSSL keeps them for the client.
    STACK_OF(X509_NAME)* ca_names = SSL_get_client_CA_list(ssl);
    if (ca_names != nullptr) {
        for (int i = 0; i < sk_X509_NAME_num(ca_names); ++i)
            out.acceptable_client_ca_names.push_back(format_x509_name(sk_X509_NAME_value(ca_names, i)));
    }
    if (out.client_certificate && !out.acceptable_client_ca_names.empty()) {
        // Acceptable when the certificate, or a CA certificate that came with it in the file, is
        // issued by (or is) one of the CAs the server named.
        bool acceptable = files.certificate && name_in(X509_get_issuer_name(files.certificate.get()), ca_names);
        for (const auto& c : files.chain) {
            acceptable = acceptable || name_in(X509_get_issuer_name(c.get()), ca_names) ||
                         name_in(X509_get_subject_name(c.get()), ca_names);
        }
        out.client_issuer_acceptable = acceptable;
    }

    if (handshake_ec) {
        protocol::diagnostics d;
        if (timed_out) {
            out.handshake_error = errc::handshake_timeout;
            d.set_client_message("the TLS handshake did not complete within " + std::to_string(target.timeout.count()) +
                                 " ms");
        } else {
            out.handshake_error = diagnose_handshake_failure(handshake_ec, record, d);
        }
        out.handshake_message = d.client_message();
        if (out.handshake_error == errc::client_certificate_rejected)
            out.client_verdict = client_certificate_verdict::rejected;
        else if (out.handshake_error == errc::client_certificate_required)
            out.client_verdict = client_certificate_verdict::required;
        // No alert and no certificate: the other end may not speak TLS at all. Ask it in CQL.
        if (out.server_chain.empty() && !record.alert_received) {
            probe_plaintext(ioc, remote, target.timeout, out);
        } else {
            out.speaks = port_protocol::tls;
        }
        return {};
    }

    out.tls_version = SSL_get_version(ssl);
    if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) out.cipher = SSL_CIPHER_get_name(cipher);
    probe_after_handshake(ioc, tls, record, target.timeout, out);
    boost::system::error_code ignored;
    tls.next_layer().close(ignored);
    return {};
}

}  // namespace cqlwire::inspect

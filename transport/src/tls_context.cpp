#include "cqlwire/transport/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/internal/tls_context.hpp"
#include "cqlwire/transport/internal/tls_keylog.hpp"
#include "cqlwire/transport/internal/tls_preflight.hpp"
#include "tls_rotation.hpp"

namespace cqlwire::transport {
namespace {

int to_openssl(tls_version v) { return v == tls_version::tls1_3 ? TLS1_3_VERSION : TLS1_2_VERSION; }
const char* to_text(tls_version v) { return v == tls_version::tls1_3 ? "TLS 1.3" : "TLS 1.2"; }

std::error_code config_error(protocol::diagnostics& diag, const std::string& message) {
    ERR_clear_error();
    diag.set_client_message(message);
    return errc::tls_config;
}

}  // namespace

tls_context::tls_context(std::unique_ptr<impl> i) : impl_(std::move(i)) {}
tls_context::~tls_context() = default;

std::uint64_t tls_context::reloads() const { return impl_->reloads(); }

std::error_code tls_context::create(const tls_options& options, std::shared_ptr<tls_context>& out,
                                    std::vector<std::string>& warnings, protocol::diagnostics& diag) {
    out.reset();
    std::shared_ptr<tls_context> ctx;
    try {
        ctx.reset(new tls_context(std::make_unique<impl>()));
    } catch (const boost::system::system_error& e) {
        return config_error(diag, std::string("OpenSSL could not create a TLS context: ") + e.what());
    }
    // Stamped before reading: a file that changes while it is read is read again later.
    ctx->impl_->watch_files(options);
    // The same checks as preflight_tls_files, with the trust anchors and identity kept.
    std::vector<x509_ptr> trust_anchors;
    if (auto ec = load_trust_anchors(options, trust_anchors, diag)) return ec;
    client_identity identity;
    if (auto ec = load_client_identity(options, identity, warnings, diag)) return ec;

    if (options.max_version && to_openssl(*options.max_version) < to_openssl(options.min_version)) {
        return config_error(diag, std::string("the minimum TLS version (") + to_text(options.min_version) +
                                      ") is above the maximum (" + to_text(*options.max_version) + ")");
    }

    SSL_CTX* native = ctx->impl_->native_handle();

    // Compression leaks plaintext lengths (CRIME) and renegotiation is never needed here.
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_min_proto_version(native, to_openssl(options.min_version)) != 1 ||
        (options.max_version && SSL_CTX_set_max_proto_version(native, to_openssl(*options.max_version)) != 1)) {
        return config_error(diag, "this OpenSSL does not support the requested TLS version range");
    }
    if (!options.cipher_list.empty() && SSL_CTX_set_cipher_list(native, options.cipher_list.c_str()) != 1) {
        return config_error(diag, "no cipher in the TLS 1.2 cipher list '" + options.cipher_list +
                                      "' is known to OpenSSL; see `openssl ciphers`");
    }
    if (!options.ciphersuites.empty() && SSL_CTX_set_ciphersuites(native, options.ciphersuites.c_str()) != 1) {
        return config_error(diag, "the TLS 1.3 ciphersuites '" + options.ciphersuites +
                                      "' are not valid; see `openssl ciphers -s -tls1_3`");
    }

    // Trust anchors: the CAs given, or the system's store when none is.
    if (options.ca_files.empty() && options.ca_directory.empty()) {
        if (SSL_CTX_set_default_verify_paths(native) != 1)
            return config_error(diag, "the system's default CA certificates could not be loaded");
    }
    // The CA files' certificates, read (PEM or PKCS#12) and checked by load_trust_anchors.
    if (auto ec = fill_trust_store(SSL_CTX_get_cert_store(native), trust_anchors, options.ca_directory, diag))
        return ec;

    // The client's identity, parsed and matched above.
    if (!identity.empty()) {
        if (SSL_CTX_use_certificate(native, identity.certificate.get()) != 1)
            return config_error(diag, "OpenSSL refused the client certificate in '" + options.certificate_file + "'");
        for (auto& intermediate : identity.chain) {
            // add0 takes ownership on success.
            if (SSL_CTX_add0_chain_cert(native, intermediate.get()) != 1)
                return config_error(diag, "OpenSSL refused an intermediate certificate in '" +
                                              options.certificate_file + "'");
            static_cast<void>(intermediate.release());
        }
        if (SSL_CTX_use_PrivateKey(native, identity.private_key.get()) != 1 || SSL_CTX_check_private_key(native) != 1)
            return config_error(diag, "OpenSSL refused the private key in '" + options.private_key_file + "'");
        ctx->has_client_certificate_ = true;
    }

    // Per-connection settings (name check, SNI, the recording callback) are applied by
    // prepare_tls_session; here only the default mode, which that call overrides per SSL.
    SSL_CTX_set_verify(native, options.verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nullptr);
    if (!options.key_log_file.empty()) {
        if (auto ec = enable_key_log(native, options.key_log_file, diag)) return ec;
    }
    ctx->verify_ = options.verify;
    ctx->server_name_ = options.server_name;
    out = std::move(ctx);
    return {};
}

}  // namespace cqlwire::transport

#include "tls_rotation.hpp"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {
namespace {

// Reads the identity and the CA files again, with the same checks as the first time; the CA
// directory, looked up by OpenSSL, is given to the new store again too.
std::shared_ptr<const tls_material> read_material(const tls_options& files, protocol::diagnostics& diag) {
    auto m = std::make_shared<tls_material>();
    std::vector<std::string> ignored_warnings;  // they were shown when the context was made
    std::vector<x509_ptr> anchors;
    if (load_trust_anchors(files, anchors, diag)) return nullptr;
    if (load_client_identity(files, m->identity, ignored_warnings, diag)) return nullptr;
    if (!files.ca_files.empty()) {
        m->trust.reset(X509_STORE_new());
        if (!m->trust) {
            diag.set_client_message("OpenSSL could not make a certificate store");
            return nullptr;
        }
        if (fill_trust_store(m->trust.get(), anchors, files.ca_directory, diag)) return nullptr;
    }
    return m;
}

// Gives `ssl` the material's identity (certificate, chain, key) and trust store.
void apply(SSL* ssl, const tls_material& m) {
    if (!m.identity.empty()) {
        // The certificate first: setting it drops a key that does not match it.
        SSL_use_certificate(ssl, m.identity.certificate.get());
        STACK_OF(X509)* chain = sk_X509_new_null();
        for (const auto& c : m.identity.chain) sk_X509_push(chain, c.get());
        SSL_set1_chain(ssl, chain);  // takes its own references
        sk_X509_free(chain);
        SSL_use_PrivateKey(ssl, m.identity.private_key.get());
    }
    if (m.trust) SSL_set1_verify_cert_store(ssl, m.trust.get());
    ERR_clear_error();
}

}  // namespace

std::error_code fill_trust_store(X509_STORE* store, const std::vector<x509_ptr>& anchors,
                                 const std::string& ca_directory, protocol::diagnostics& diag) {
    for (const auto& anchor : anchors) {
        // add_cert takes its own reference; a certificate given twice is not an error.
        if (X509_STORE_add_cert(store, anchor.get()) != 1) {
            ERR_clear_error();
            diag.set_client_message("OpenSSL refused a CA certificate from the CA files given");
            return errc::tls_config;
        }
    }
    if (!ca_directory.empty() && X509_STORE_load_path(store, ca_directory.c_str()) != 1) {
        ERR_clear_error();
        diag.set_client_message("CA directory '" + ca_directory + "' could not be loaded by OpenSSL");
        return errc::tls_config;
    }
    return {};
}

void tls_context::impl::watch_files(const tls_options& options) {
    auto r = std::make_unique<rotation_state>();
    r->files.ca_files = options.ca_files;
    r->files.ca_directory = options.ca_directory;
    r->files.certificate_file = options.certificate_file;
    r->files.private_key_file = options.private_key_file;
    r->files.private_key_password.append(options.private_key_password.view());
    r->on_failure = options.on_reload_failure;
    r->watched = options.ca_files;
    for (const std::string* file : {&options.certificate_file, &options.private_key_file})
        if (!file->empty()) r->watched.push_back(*file);
    r->stamps = detail::stamps_of(r->watched);
    rotation_ = std::move(r);
}

void tls_context::impl::prepare_session(SSL* ssl) {
    rotation_state& r = *rotation_;
    std::shared_ptr<const tls_material> material;
    std::string failure;
    {
        const std::lock_guard lock(r.mutex);
        // Looking costs one stat() per file; reading happens only when something changed.
        auto now = detail::stamps_of(r.watched);
        if (now != r.stamps) {
            r.stamps = std::move(now);
            protocol::diagnostics diag;
            if (auto fresh = read_material(r.files, diag)) {
                r.current = std::move(fresh);
                ++r.reloads;
            } else {
                failure = "the changed TLS files were not used, the previous ones stay in service: " +
                          std::string(diag.client_message());
            }
        }
        material = r.current;
    }
    if (material) apply(ssl, *material);
    // Outside the lock: the callback may log, or even open a connection itself.
    if (!failure.empty() && r.on_failure) r.on_failure(failure);
}

std::uint64_t tls_context::impl::reloads() const {
    const std::lock_guard lock(rotation_->mutex);
    return rotation_->reloads;
}

tls_context::impl::impl() : context_(boost::asio::ssl::context::tls_client) {}
tls_context::impl::~impl() = default;

}  // namespace cqlwire::transport

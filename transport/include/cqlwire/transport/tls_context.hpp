// The OpenSSL client context built from tls_options: trust anchors, client identity, protocol
// versions, ciphers, verification mode. One tls_context serves any number of connections;
// per-connection settings (the expected name, SNI) are applied by connect() through
// prepare_tls_session (tls_verify.hpp).
//
// Rotation: a long-lived application renews its client certificate (or its CAs) on disk without
// restarting. Before each new connection, connect() calls prepare_session(), which notices that
// the certificate, key or CA files changed since they were read and reads them again; the new
// identity and trust serve that connection and every later one. Connections already open keep
// what they were opened with. A replacement that cannot be used — half written, a key that does
// not match its certificate — is not used: the identity in service stays, and the failure is
// reported once (tls_options::on_reload_failure) until the files change again.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API tls_context {
public:
    // Runs the pre-flight checks (tls_preflight.hpp), then builds the context. On failure
    // returns errc::tls_config with a message naming the file or setting and leaves `out`
    // empty. Warnings (e.g. a key file readable by others) are appended to `warnings` whether
    // or not creation succeeds. The file names, and the key password (in wiped memory), are
    // kept for reading the files again when they change.
    [[nodiscard]] static std::error_code create(const tls_options& options, std::shared_ptr<tls_context>& out,
                                                std::vector<std::string>& warnings, protocol::diagnostics& diag);

    tls_context(const tls_context&) = delete;
    tls_context& operator=(const tls_context&) = delete;

    // The Asio context, for constructing ssl::stream objects. Settings must not be changed
    // once connections use it.
    boost::asio::ssl::context& asio_context() noexcept { return context_; }
    SSL_CTX* native_handle() noexcept { return context_.native_handle(); }

    bool verify() const noexcept { return verify_; }
    // tls_options::server_name; empty means "the host dialed".
    const std::string& server_name() const noexcept { return server_name_; }
    bool has_client_certificate() const noexcept { return has_client_certificate_; }

    // Gives `ssl` (made from asio_context(), not yet handshaken) the client identity and trust
    // anchors in service now, reading the files again first when they changed on disk. Safe to
    // call from several threads at once. Never fails: a replacement that cannot be used leaves
    // the previous material in service (and is reported through on_reload_failure).
    void prepare_session(SSL* ssl);
    // How many times changed files were read again and put in service.
    std::uint64_t reloads() const;

    ~tls_context();

private:
    // The files rotation watches, their stamps, and the material read from them (tls_context.cpp).
    struct rotation_state;
    // The rotation state for `options`, with the files' stamps taken now: before they are
    // read, so that a change during the read is noticed later rather than missed.
    static std::unique_ptr<rotation_state> watch_files(const tls_options& options);

    tls_context();

    boost::asio::ssl::context context_;
    bool verify_ = true;
    bool has_client_certificate_ = false;
    std::string server_name_;
    std::unique_ptr<rotation_state> rotation_;
};

}  // namespace cqlwire::transport

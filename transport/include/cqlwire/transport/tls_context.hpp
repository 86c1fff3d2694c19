// The OpenSSL client context built from tls_options: trust anchors, client identity, protocol
// versions, ciphers, verification mode. One tls_context serves any number of connections;
// per-connection settings (the expected name, SNI) are applied by connect() through
// prepare_tls_session (tls_verify.hpp).
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_options.hpp"

namespace cqlwire::transport {

class tls_context {
public:
    // Runs the pre-flight checks (tls_preflight.hpp), then builds the context. On failure
    // returns errc::tls_config with a message naming the file or setting and leaves `out`
    // empty. Warnings (e.g. a key file readable by others) are appended to `warnings` whether
    // or not creation succeeds. `options` is not kept; the key password is used once, here.
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

private:
    tls_context();

    boost::asio::ssl::context context_;
    bool verify_ = true;
    bool has_client_certificate_ = false;
    std::string server_name_;
};

}  // namespace cqlwire::transport

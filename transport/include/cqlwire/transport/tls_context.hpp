// The TLS client context built from tls_options: trust anchors, client identity, protocol
// versions, ciphers, verification mode. One tls_context serves any number of connections;
// per-connection settings (the expected name, SNI) are applied by connect(). The OpenSSL
// context itself stays out of this header (tls_context::impl, defined by the internal header
// cqlwire/transport/internal/tls_context.hpp, which is not installed).
//
// Rotation: a long-lived application renews its client certificate (or its CAs) on disk without
// restarting. Before each new connection, connect() notices that the certificate, key or CA files changed since they were read and reads them again; the new
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

    bool verify() const noexcept { return verify_; }
    // tls_options::server_name; empty means "the host dialed".
    const std::string& server_name() const noexcept { return server_name_; }
    bool has_client_certificate() const noexcept { return has_client_certificate_; }

    // How many times changed files were read again and put in service.
    std::uint64_t reloads() const;

    ~tls_context();

    // The OpenSSL context and the files it follows. Opaque here: defined by the internal header
    // cqlwire/transport/internal/tls_context.hpp, for transport's own sources and the
    // project's tools and tests.
    class impl;
    impl& internals() noexcept { return *impl_; }

private:
    explicit tls_context(std::unique_ptr<impl> i);

    std::unique_ptr<impl> impl_;
    bool verify_ = true;
    bool has_client_certificate_ = false;
    std::string server_name_;
};

}  // namespace cqlwire::transport

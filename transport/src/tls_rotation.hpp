// The part of a tls_context that follows its files on disk (tls_context.hpp, "Rotation"):
// which files, how they looked when last read, and the identity and trust read from them.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <openssl/ssl.h>

#include "cqlwire/transport/internal/tls_context.hpp"
#include "cqlwire/transport/internal/tls_preflight.hpp"
#include "file_stamp.hpp"

namespace cqlwire::transport {

struct x509_store_deleter {
    void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
};
using x509_store_ptr = std::unique_ptr<X509_STORE, x509_store_deleter>;

// A client identity and trust anchors read again after a change, ready to give to sessions.
struct tls_material {
    client_identity identity;  // empty when no certificate is configured
    x509_store_ptr trust;      // null when the context's own store serves (no CA files given)
};

// Puts the CA files' certificates (read by load_trust_anchors) and the CA directory into
// `store`: what a context trusts when it is made, and again when its files are renewed.
// Errors are errc::tls_config with a message naming the CA setting.
[[nodiscard]] std::error_code fill_trust_store(X509_STORE* store, const std::vector<x509_ptr>& anchors,
                                               const std::string& ca_directory, protocol::diagnostics& diag);

struct tls_context::impl::rotation_state {
    // The file settings of the options (and the key password, in wiped memory).
    tls_options files;
    std::vector<std::string> watched;
    std::function<void(std::string_view)> on_failure;

    std::mutex mutex;
    std::vector<detail::file_stamp> stamps;       // as last looked at (read, or found unusable)
    std::shared_ptr<const tls_material> current;  // null: the context's own, first material
    std::uint64_t reloads = 0;
};

}  // namespace cqlwire::transport

// Checks of the files a tls_options names, before any connection is tried, so that a bad
// file gets a message naming the file and the fix instead of an opaque handshake failure.
//
// Every error is errc::tls_config with a client message; the message names files but never
// prints their content or a password. Problems that do not stop a connection (a private key
// readable by other users) come back as warnings.
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_options.hpp"

namespace cqlwire::transport {

struct x509_deleter {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct evp_pkey_deleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_deleter>;

// The client certificate chain and private key, parsed and checked to belong together.
struct client_identity {
    x509_ptr certificate;         // the leaf
    std::vector<x509_ptr> chain;  // intermediates that followed it in the file, in order
    evp_pkey_ptr private_key;
    bool empty() const noexcept { return !certificate; }
};

// Reads options.certificate_file and options.private_key_file (both empty: `out` stays empty).
// Detects: a file missing or unreadable; a file that is not PEM (e.g. DER) or holds no
// certificate / no private key; the two files swapped; an encrypted key without a password; a
// wrong password; a key that does not belong to the certificate. Appends a warning when the
// key file is readable by group or others.
[[nodiscard]] std::error_code load_client_identity(const tls_options& options, client_identity& out,
                                                   std::vector<std::string>& warnings,
                                                   protocol::diagnostics& diag);

// Checks the trust settings: each CA file is a readable PEM file with at least one
// certificate; the CA directory exists and is a folder.
[[nodiscard]] std::error_code check_ca_files(const tls_options& options, protocol::diagnostics& diag);

// Checks every file of `options` — CA files (readable PEM with at least one certificate), the
// CA directory (exists, is a folder) and the client identity as above — without keeping
// anything. tls_context::create runs the same checks.
[[nodiscard]] std::error_code preflight_tls_files(const tls_options& options, std::vector<std::string>& warnings,
                                                  protocol::diagnostics& diag);

}  // namespace cqlwire::transport

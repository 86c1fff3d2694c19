// Internal to cqlwire, not installed: the parts of the TLS pre-flight checks (tls_preflight.hpp)
// that hand back OpenSSL objects, for transport's own sources and for the project's tools and
// tests (target cqlwire_transport_internal). An application never sees it.
#pragma once

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "cqlwire/transport/tls_preflight.hpp"

#include "cqlwire/transport/export.hpp"

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

// Reads the client identity: options.certificate_file and options.private_key_file (both
// empty: `out` stays empty). The certificate file is either PEM (the leaf, then intermediates;
// the key in the private key file) or a PKCS#12 bundle, known by its content whatever its name,
// that holds the certificate, its key and chain; then the private key file stays empty (or
// names the same file). options.private_key_password opens an encrypted PEM key or PKCS#12
// bundle; a bundle that opens with no or the empty passphrase needs none.
// Detects: a file missing or unreadable; a file that is not PEM (e.g. DER) or holds no
// certificate / no private key; the two files swapped; an encrypted key or bundle without a
// password; a wrong password; a key that does not belong to the certificate; a damaged
// PKCS#12 file; a Java keystore in JKS or JCEKS format (refused with the keytool command that
// converts it). Appends a warning when the file holding the key is readable by group or
// others, and when the certificate has expired. The file's bytes are wiped once parsed.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code load_client_identity(const tls_options& options, client_identity& out,
                                                   std::vector<std::string>& warnings,
                                                   protocol::diagnostics& diag);

// Reads the trust anchors of options.ca_files, in order, into `out`, with the checks of
// check_ca_files (tls_preflight.hpp). The CA directory is only checked: OpenSSL looks
// certificates up there during verification, so none is loaded here. `out` is empty on error.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code load_trust_anchors(const tls_options& options, std::vector<x509_ptr>& out,
                                                 protocol::diagnostics& diag);

}  // namespace cqlwire::transport

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
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

struct CQLWIRE_TRANSPORT_API x509_deleter {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct CQLWIRE_TRANSPORT_API evp_pkey_deleter {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;
using evp_pkey_ptr = std::unique_ptr<EVP_PKEY, evp_pkey_deleter>;

// The client certificate chain and private key, parsed and checked to belong together.
struct CQLWIRE_TRANSPORT_API client_identity {
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

// Reads the trust anchors of options.ca_files, in order, into `out`. Each file is PEM with at
// least one certificate, or a PKCS#12 truststore (known by its content): one made by
// `keytool -importcert -storetype PKCS12`, or `openssl pkcs12 -export -nokeys`. A truststore is
// opened with no or the empty passphrase first, then with options.private_key_password (Java
// truststores usually have a password, often "changeit"); a key in it is ignored. Java
// keystores in JKS/JCEKS format are refused with the keytool command that converts them. Also
// checks that options.ca_directory, when set, is a folder: OpenSSL looks certificates up there
// during verification, so none is loaded here. `out` is empty on error.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code load_trust_anchors(const tls_options& options, std::vector<x509_ptr>& out,
                                                 protocol::diagnostics& diag);

// load_trust_anchors without keeping the certificates.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code check_ca_files(const tls_options& options, protocol::diagnostics& diag);

// Checks every file of `options` — the trust anchors and the client identity as above —
// without keeping anything. tls_context::create runs the same checks.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code preflight_tls_files(const tls_options& options, std::vector<std::string>& warnings,
                                                  protocol::diagnostics& diag);

// For a caller that asks for a passphrase only when one is needed (a command that prompts).
// Each reads the file (bounded) and wipes its bytes; a file that cannot be read gives false,
// and the functions above report it.
// True when the file's content is a PKCS#12 file.
[[nodiscard]] CQLWIRE_TRANSPORT_API bool is_pkcs12_file(const std::string& path);
// True when the file is a PKCS#12 file that opens with neither no passphrase nor the empty one.
[[nodiscard]] CQLWIRE_TRANSPORT_API bool pkcs12_file_needs_passphrase(const std::string& path);
// True when the file is a PKCS#12 file that `passphrase` (or no passphrase) opens.
[[nodiscard]] CQLWIRE_TRANSPORT_API bool pkcs12_file_opens_with(const std::string& path, const auth::secret_bytes& passphrase);

}  // namespace cqlwire::transport

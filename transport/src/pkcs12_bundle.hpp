// Reading PKCS#12 files (a certificate, its private key and chain in one file; or certificates
// alone, as a truststore) and recognising Java keystores, from bytes already in memory. No file
// I/O here: tls_preflight.cpp reads the files and turns the outcomes below into messages.
// Internal to the transport library.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/transport/internal/tls_preflight.hpp"

namespace cqlwire::transport::detail {

// What a file holds, judged by its first bytes (never by its name).
enum class keystore_format {
    other,   // not a keystore: PEM, DER or anything else
    pkcs12,  // a DER PKCS#12 PFX (version 3 and a PKCS#7 content), as openssl and keytool write
    jks,     // Java's own keystore format (magic 0xFEEDFEED)
    jceks,   // the JCE variant of it (magic 0xCECECECE)
};
[[nodiscard]] keystore_format keystore_format_of(std::string_view bytes) noexcept;

enum class pkcs12_outcome {
    opened,
    damaged,           // not valid DER, truncated, or contents that cannot be decoded
    needs_passphrase,  // neither the empty passphrase nor none opens it, and none was given
    wrong_passphrase,  // the passphrase given does not open it (or, with no MAC, the file is damaged)
    too_many_iterations,  // a key derivation count is over max_pkcs12_iterations; nothing was derived
};

// The most PBKDF iterations this client runs for one key of a PKCS#12 file (the MAC key, the
// certificates' or the private key's encryption key). Files in use take 2048 (OpenSSL) to
// 10,000 (Java); a crafted count up to 2^31 would keep a connection attempt busy for minutes,
// past any timeout. At this cap one derivation takes about 0.2 to 0.5 s on current hardware;
// opening a file runs at most a few (the MAC, then each key), a few seconds in the worst case.
inline constexpr std::uint32_t max_pkcs12_iterations = 1'000'000;

struct pkcs12_contents {
    evp_pkey_ptr private_key;             // the first private key; null when there is none
    x509_ptr key_certificate;             // the certificate that belongs to private_key, if any
    std::vector<x509_ptr> certificates;   // every other certificate, in the order of the file
    bool used_passphrase = false;         // false: it opened with no (or the empty) passphrase
};

// Opens the PKCS#12 file in `der`: with no passphrase and the empty one first (files made with
// `-passout pass:` or without any encryption), then with `passphrase` when it is not empty. The
// integrity MAC, when present, tells a wrong passphrase from a damaged file; without one
// (`-nomac`) the bags are decrypted with each passphrase in turn, and a failure with the given one
// is `wrong_passphrase`. Every iteration count that can be read before a passphrase is tried (the
// MAC's, the encrypted safes', the shrouded keys' of unencrypted safes) is checked once up front,
// and a shrouded key's inside an encrypted safe before its key is derived: on
// `too_many_iterations` `reason` says which count and its value. Algorithms that
// OpenSSL 3 keeps in its legacy provider (RC2-40, as `openssl pkcs12 -legacy` and older Java and
// Windows write) are read through a library context of this file's own, leaving the process's
// provider set alone. On `damaged`, `reason` is OpenSSL's reason; on any other failure `out` is
// empty. Keys are freed (and so cleared) by OpenSSL; the caller wipes `der`.
[[nodiscard]] pkcs12_outcome open_pkcs12(std::string_view der, const auth::secret_bytes& passphrase,
                                         pkcs12_contents& out, std::string& reason);

// Whether the PKCS#12 file in `der` carries an integrity MAC (false when it cannot be decoded).
[[nodiscard]] bool pkcs12_has_mac(std::string_view der);

}  // namespace cqlwire::transport::detail

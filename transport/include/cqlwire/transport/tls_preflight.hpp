// Checks of the files a tls_options names, before any connection is tried, so that a bad
// file gets a message naming the file and the fix instead of an opaque handshake failure.
//
// Every error is errc::tls_config with a client message; the message names files but never
// prints their content or a password. Problems that do not stop a connection (a private key
// readable by other users) come back as warnings.
#pragma once

#include <string>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// Checks the trust anchors of options.ca_files, in order, without keeping them. Each file is PEM
// with at least one certificate, or a PKCS#12 truststore (known by its content): one made by
// `keytool -importcert -storetype PKCS12`, or `openssl pkcs12 -export -nokeys`. A truststore is
// opened with no or the empty passphrase first, then with options.private_key_password (Java
// truststores usually have a password, often "changeit"); a key in it is ignored. Java
// keystores in JKS/JCEKS format are refused with the keytool command that converts them. Also
// checks that options.ca_directory, when set, is a folder: OpenSSL looks certificates up there
// during verification.
[[nodiscard]] std::error_code check_ca_files(const tls_options& options, protocol::diagnostics& diag);

// Checks every file of `options` — the trust anchors as above and the client identity (the
// checks of load_client_identity in the internal header cqlwire/transport/internal/tls_preflight.hpp:
// PEM or PKCS#12, a missing, swapped, encrypted or mismatched key, a Java keystore) — without
// keeping anything. tls_context::create runs the same checks.
[[nodiscard]] std::error_code preflight_tls_files(const tls_options& options, std::vector<std::string>& warnings,
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

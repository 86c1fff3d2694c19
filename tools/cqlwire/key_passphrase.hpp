// What the command needs to know about an encrypted private key before and after the TLS
// context is built: whether the key file is encrypted (so that a passphrase is asked for only
// when one is needed), and whether a given passphrase opens it (so that a wrong passphrase is
// reported as such, naming where it came from). Neither function prints or keeps the key or the
// passphrase; the file's text is wiped once read.
#pragma once

#include <string>
#include <string_view>

#include "cqlwire/auth/secret.hpp"

namespace cqlwire::cli {

// True when `pem_text` holds an encrypted private key: a "BEGIN ENCRYPTED PRIVATE KEY" block
// (PKCS#8) or a legacy PEM block with a "Proc-Type: 4,ENCRYPTED" header.
bool pem_key_is_encrypted(std::string_view pem_text) noexcept;

// pem_key_is_encrypted on the file's content; false when the file cannot be read (the TLS
// pre-flight check then reports the unreadable file with its cause).
bool key_file_is_encrypted(const std::string& path);

// True when `passphrase` decrypts the private key in the PEM file at `path`.
bool passphrase_opens_key(const std::string& path, const auth::secret_bytes& passphrase);

}  // namespace cqlwire::cli

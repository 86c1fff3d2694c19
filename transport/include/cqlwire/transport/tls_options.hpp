// What a TLS client connection trusts, what it presents, and which name it checks.
//
// tls_options is plain data: filling it in does no I/O. tls_preflight.hpp checks the files it
// names and tls_context.hpp turns it into an OpenSSL context. The defaults are the safe ones:
// the server's chain AND name are verified, against the system trust store when no CA is given,
// with TLS 1.2 as the lowest version.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

enum class tls_version { tls1_2, tls1_3 };

struct CQLWIRE_TRANSPORT_API tls_options {
    // --- What to trust ------------------------------------------------------------------------
    // Files of CA certificates (each may hold several): PEM, or PKCS#12 truststores (opened
    // with no passphrase, then private_key_password). Empty with ca_directory empty too: the
    // system's default trust store is used.
    std::vector<std::string> ca_files;
    // A folder of CA certificates named by subject hash (as `openssl rehash` lays them out).
    std::string ca_directory;

    // --- What to present (mutual TLS) ---------------------------------------------------------
    // PEM file with the client certificate first, then any intermediate CA certificates; or a
    // PKCS#12 bundle holding the certificate, its key and chain (then private_key_file stays
    // empty). With PEM, set both or neither of certificate_file and private_key_file.
    std::string certificate_file;
    // PEM private key: PKCS#8 ("PRIVATE KEY"), encrypted PKCS#8 ("ENCRYPTED PRIVATE KEY"),
    // PKCS#1 ("RSA PRIVATE KEY") or SEC1 ("EC PRIVATE KEY"), the last two possibly with
    // legacy PEM encryption.
    std::string private_key_file;
    // The password of an encrypted private key or PKCS#12 bundle (and of a PKCS#12 truststore);
    // empty when none is encrypted. Held in memory that is wiped when released; never printed.
    // (This makes tls_options move-only.)
    auth::secret_bytes private_key_password;

    // --- Protocol ------------------------------------------------------------------------------
    tls_version min_version = tls_version::tls1_2;
    // No upper bound when empty: the highest version this OpenSSL supports.
    std::optional<tls_version> max_version;
    // OpenSSL cipher list for TLS 1.2 and below (e.g. "ECDHE+AESGCM"); empty: OpenSSL's default.
    std::string cipher_list;
    // TLS 1.3 ciphersuites (e.g. "TLS_AES_256_GCM_SHA384"); empty: OpenSSL's default.
    std::string ciphersuites;

    // --- Server identity ------------------------------------------------------------------------
    // Verify the server's chain and name. Setting this to false accepts ANY server, including
    // an attacker in the middle: it exists for debugging; a program using it should warn loudly.
    bool verify = true;
    // The name the server's certificate must carry, when it differs from the host dialed (e.g.
    // dial 10.0.0.5 but expect node1.cassandra.test). Empty: the host dialed. A DNS name is
    // also sent as SNI; an IP literal is matched against IP SANs only and never sent as SNI.
    std::string server_name;

    // --- Rotation ------------------------------------------------------------------------------
    // The context reads the certificate, key and CA files again when they change on disk (see
    // tls_context.hpp). When a changed set cannot be used, this is called once with the reason
    // (it names files, never their contents); the identity already in service stays. It may be
    // called from whichever thread opens a connection. Empty: the failure is not reported.
    std::function<void(std::string_view reason)> on_reload_failure;

    // --- Debugging ------------------------------------------------------------------------------
    // When set, the session secrets of every connection are appended to this file in the NSS
    // key log format (SSLKEYLOGFILE), for Wireshark/tshark to decrypt captures. Anyone holding
    // it can read the traffic: see tls_keylog.hpp for how the file is guarded. The library
    // never reads SSLKEYLOGFILE itself; tools decide.
    std::string key_log_file;
};

}  // namespace cqlwire::transport

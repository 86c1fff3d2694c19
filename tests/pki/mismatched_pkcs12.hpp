// A PKCS#12 file whose private key does not belong to its certificate, which neither
// `openssl pkcs12 -export` nor keytool will write (both check the pair). Made with the OpenSSL
// API the same way: PKCS12_create with the key and no certificate of its own, the foreign
// certificate passed among the extra ones, so that the check is never reached. Empty passphrase.
#pragma once

#include <cstdio>
#include <stdexcept>
#include <string>

#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "pki/test_pki.hpp"

namespace cqlwire::test {

// Writes client.crt with untrusted.key (the test PKI's) to `target`.
inline void write_mismatched_pkcs12(const test_pki& pki, const std::string& target) {
    auto read_pem = [](const std::string& path, auto reader) {
        std::FILE* f = std::fopen(path.c_str(), "r");
        if (f == nullptr) throw std::runtime_error("write_mismatched_pkcs12: cannot open " + path);
        auto* object = reader(f);
        std::fclose(f);
        if (object == nullptr) throw std::runtime_error("write_mismatched_pkcs12: cannot parse " + path);
        return object;
    };
    X509* cert = read_pem(pki.path("client.crt"), [](std::FILE* f) { return PEM_read_X509(f, nullptr, nullptr, nullptr); });
    EVP_PKEY* key =
        read_pem(pki.path("untrusted.key"), [](std::FILE* f) { return PEM_read_PrivateKey(f, nullptr, nullptr, nullptr); });
    STACK_OF(X509)* extra = sk_X509_new_null();
    sk_X509_push(extra, cert);
    PKCS12* p12 = PKCS12_create("", "mismatched", key, nullptr, extra, 0, 0, 0, 0, 0);
    std::FILE* out = p12 != nullptr ? std::fopen(target.c_str(), "wb") : nullptr;
    const bool written = out != nullptr && i2d_PKCS12_fp(out, p12) == 1;
    if (out != nullptr) std::fclose(out);
    PKCS12_free(p12);
    sk_X509_pop_free(extra, X509_free);
    EVP_PKEY_free(key);
    if (!written) throw std::runtime_error("write_mismatched_pkcs12: cannot write " + target);
}

}  // namespace cqlwire::test

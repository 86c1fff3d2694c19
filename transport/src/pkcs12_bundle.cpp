#include "pkcs12_bundle.hpp"

#include <climits>
#include <cstring>
#include <memory>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>

#include "tls_file_reader.hpp"

namespace cqlwire::transport::detail {
namespace {

struct pkcs12_deleter {
    void operator()(PKCS12* p) const noexcept { PKCS12_free(p); }
};
using pkcs12_ptr = std::unique_ptr<PKCS12, pkcs12_deleter>;

// The length octets of a BER/DER element at `at`: their count, or 0 when they are not there.
// Indefinite length (0x80) is accepted: older encoders wrote PKCS#12 files in BER.
std::size_t length_octets(std::string_view bytes, std::size_t at) noexcept {
    if (at >= bytes.size()) return 0;
    const auto first = static_cast<unsigned char>(bytes[at]);
    if (first <= 0x80) return 1;
    const std::size_t count = first & 0x7Fu;
    return count <= 4 && at + 1 + count <= bytes.size() ? 1 + count : 0;
}

// A library context with OpenSSL's default and legacy providers, for PKCS#12 files encrypted
// with RC2-40 (the legacy provider's). Made once and kept for the life of the process, so that
// keys and certificates read through it stay usable; null when the legacy provider is absent.
OSSL_LIB_CTX* legacy_context() {
    static OSSL_LIB_CTX* const context = []() -> OSSL_LIB_CTX* {
        OSSL_LIB_CTX* c = OSSL_LIB_CTX_new();
        if (c == nullptr) return nullptr;
        if (OSSL_PROVIDER_load(c, "default") == nullptr || OSSL_PROVIDER_load(c, "legacy") == nullptr) {
            ERR_clear_error();
            OSSL_LIB_CTX_free(c);
            return nullptr;
        }
        return c;
    }();
    return context;
}

// Makes `context` this thread's default library context until the scope ends: PKCS12_parse
// has no variant that takes one, and fetches its ciphers from the thread's default.
class thread_context_scope {
public:
    explicit thread_context_scope(OSSL_LIB_CTX* context) : previous_(OSSL_LIB_CTX_set0_default(context)) {}
    ~thread_context_scope() { OSSL_LIB_CTX_set0_default(previous_); }
    thread_context_scope(const thread_context_scope&) = delete;
    thread_context_scope& operator=(const thread_context_scope&) = delete;

private:
    OSSL_LIB_CTX* previous_;
};

// PKCS12_parse once with `pass` (null: no passphrase), in the process's context and then, when
// that fails (an algorithm it does not offer), in the legacy one.
bool parse(PKCS12* p12, const char* pass, pkcs12_contents& out, std::string& reason) {
    EVP_PKEY* key = nullptr;
    X509* certificate = nullptr;
    STACK_OF(X509)* others = nullptr;
    int ok = PKCS12_parse(p12, pass, &key, &certificate, &others);
    if (ok != 1) {
        reason = last_openssl_reason();
        if (OSSL_LIB_CTX* legacy = legacy_context()) {
            const thread_context_scope scope(legacy);
            ok = PKCS12_parse(p12, pass, &key, &certificate, &others);
            if (ok != 1) ERR_clear_error();
        }
    }
    if (ok != 1) return false;
    out.private_key.reset(key);
    out.key_certificate.reset(certificate);
    while (others != nullptr && sk_X509_num(others) > 0) out.certificates.emplace_back(sk_X509_shift(others));
    sk_X509_free(others);
    return true;
}

}  // namespace

keystore_format keystore_format_of(std::string_view bytes) noexcept {
    if (bytes.starts_with("\xFE\xED\xFE\xED")) return keystore_format::jks;
    if (bytes.starts_with("\xCE\xCE\xCE\xCE")) return keystore_format::jceks;
    // PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, ... } where the ContentInfo
    // starts with the OID of PKCS#7 data (1.2.840.113549.1.7.1) or signedData (.7.2).
    if (bytes.empty() || bytes[0] != '\x30') return keystore_format::other;
    std::size_t at = 1 + length_octets(bytes, 1);
    if (at == 1 || bytes.substr(at, 4) != std::string_view("\x02\x01\x03\x30", 4)) return keystore_format::other;
    const std::size_t content_info_length = length_octets(bytes, at + 4);
    if (content_info_length == 0) return keystore_format::other;
    at += 4 + content_info_length;
    constexpr std::string_view pkcs7_oid("\x06\x09\x2A\x86\x48\x86\xF7\x0D\x01\x07", 10);
    const std::string_view oid = bytes.substr(at, pkcs7_oid.size() + 1);
    if (!oid.starts_with(pkcs7_oid) || oid.size() != pkcs7_oid.size() + 1 || (oid.back() != '\x01' && oid.back() != '\x02'))
        return keystore_format::other;
    return keystore_format::pkcs12;
}

pkcs12_outcome open_pkcs12(std::string_view der, const auth::secret_bytes& passphrase, pkcs12_contents& out,
                           std::string& reason) {
    out = pkcs12_contents{};
    reason.clear();
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) return pkcs12_outcome::damaged;
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    pkcs12_ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(der.size())));
    if (!p12) {
        reason = last_openssl_reason();
        return pkcs12_outcome::damaged;
    }
    const auto parsed = static_cast<std::size_t>(cursor - reinterpret_cast<const unsigned char*>(der.data()));
    if (parsed != der.size()) {
        reason = std::to_string(der.size() - parsed) + " bytes follow its end";
        return pkcs12_outcome::damaged;
    }

    // PKCS#12 passphrases are C strings; the copy is wiped when this returns.
    std::string given(reinterpret_cast<const char*>(passphrase.view().data()), passphrase.size());
    struct wipe_given {
        std::string& text;
        ~wipe_given() { auth::wipe(text); }
    } const wipe{given};

    if (PKCS12_mac_present(p12.get()) == 1) {
        // The MAC says which passphrase is the file's before anything is decrypted with it.
        const char* pass = nullptr;
        if (PKCS12_verify_mac(p12.get(), nullptr, 0) == 1) {
            pass = nullptr;
        } else if (PKCS12_verify_mac(p12.get(), "", 0) == 1) {
            pass = "";
        } else if (given.empty()) {
            ERR_clear_error();
            return pkcs12_outcome::needs_passphrase;
        } else if (PKCS12_verify_mac(p12.get(), given.c_str(), -1) == 1) {
            pass = given.c_str();
            out.used_passphrase = true;
        } else {
            ERR_clear_error();
            return pkcs12_outcome::wrong_passphrase;
        }
        ERR_clear_error();
        if (parse(p12.get(), pass, out, reason)) return pkcs12_outcome::opened;
        out = pkcs12_contents{};
        return pkcs12_outcome::damaged;
    }

    // No MAC (`-nomac`): only decrypting tells whether a passphrase is needed and right.
    if (parse(p12.get(), nullptr, out, reason) || parse(p12.get(), "", out, reason)) return pkcs12_outcome::opened;
    if (given.empty()) return pkcs12_outcome::needs_passphrase;
    if (parse(p12.get(), given.c_str(), out, reason)) {
        out.used_passphrase = true;
        return pkcs12_outcome::opened;
    }
    return pkcs12_outcome::wrong_passphrase;
}

}  // namespace cqlwire::transport::detail

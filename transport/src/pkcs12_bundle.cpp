#include "pkcs12_bundle.hpp"

#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pkcs7.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>

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

// Makes `context` this thread's default library context until the scope ends: the PKCS#12
// decryption functions have no variant that takes one, and fetch their ciphers from the
// thread's default.
class thread_context_scope {
public:
    explicit thread_context_scope(OSSL_LIB_CTX* context) : previous_(OSSL_LIB_CTX_set0_default(context)) {}
    ~thread_context_scope() { OSSL_LIB_CTX_set0_default(previous_); }
    thread_context_scope(const thread_context_scope&) = delete;
    thread_context_scope& operator=(const thread_context_scope&) = delete;

private:
    OSSL_LIB_CTX* previous_;
};

struct authsafes_deleter {
    void operator()(STACK_OF(PKCS7) * p) const noexcept { sk_PKCS7_pop_free(p, PKCS7_free); }
};
using authsafes_ptr = std::unique_ptr<STACK_OF(PKCS7), authsafes_deleter>;

struct bags_deleter {
    void operator()(STACK_OF(PKCS12_SAFEBAG) * p) const noexcept { sk_PKCS12_SAFEBAG_pop_free(p, PKCS12_SAFEBAG_free); }
};
using bags_ptr = std::unique_ptr<STACK_OF(PKCS12_SAFEBAG), bags_deleter>;

// Safe contents nest (a safeContentsBag holds bags); deeper than this is refused as damaged.
constexpr int max_bag_depth = 4;

// The iteration count of password-based encryption `alg`, or -1 when it has none that can be
// read: PKCS#12 and PKCS#5 v1 PBE (PBEParameter), or PBES2 with PBKDF2. (PBES2 with scrypt is
// bounded by OpenSSL's own memory limit on scrypt.)
std::int64_t pbe_iterations(const X509_ALGOR* alg) {
    if (alg == nullptr || alg->parameter == nullptr) return -1;
    std::int64_t count = -1;
    if (OBJ_obj2nid(alg->algorithm) == NID_pbes2) {
        PBE2PARAM* pbes2 = static_cast<PBE2PARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBE2PARAM), alg->parameter));
        if (pbes2 != nullptr && pbes2->keyfunc != nullptr && OBJ_obj2nid(pbes2->keyfunc->algorithm) == NID_id_pbkdf2 &&
            pbes2->keyfunc->parameter != nullptr) {
            PBKDF2PARAM* kdf = static_cast<PBKDF2PARAM*>(
                ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBKDF2PARAM), pbes2->keyfunc->parameter));
            if (kdf != nullptr && ASN1_INTEGER_get_int64(&count, kdf->iter) != 1) count = -1;
            PBKDF2PARAM_free(kdf);
        }
        PBE2PARAM_free(pbes2);
    } else {
        PBEPARAM* pbe = static_cast<PBEPARAM*>(ASN1_TYPE_unpack_sequence(ASN1_ITEM_rptr(PBEPARAM), alg->parameter));
        if (pbe != nullptr && ASN1_INTEGER_get_int64(&count, pbe->iter) != 1) count = -1;
        PBEPARAM_free(pbe);
    }
    ERR_clear_error();  // an unreadable parameter is OpenSSL's to report when it decrypts
    return count;
}

// `reason` names the count when `count` is above max_pkcs12_iterations.
bool over_cap(std::int64_t count, const char* what, std::string& reason) {
    if (count <= static_cast<std::int64_t>(max_pkcs12_iterations)) return false;
    reason = std::string(what) + " iteration count is " + std::to_string(count);
    return true;
}

// The shrouded key bags of `bags` (and of the safe contents nested in them) whose iteration
// count is over the cap: true, with `reason` set, for the first.
bool key_bags_over_cap(const STACK_OF(PKCS12_SAFEBAG) * bags, int depth, std::string& reason) {
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
        const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
        if (PKCS12_SAFEBAG_get_nid(bag) == NID_pkcs8ShroudedKeyBag) {
            const X509_ALGOR* alg = nullptr;
            X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, nullptr);
            if (over_cap(pbe_iterations(alg), "its private key's encryption", reason)) return true;
        } else if (PKCS12_SAFEBAG_get_nid(bag) == NID_safeContentsBag && depth < max_bag_depth) {
            if (key_bags_over_cap(PKCS12_SAFEBAG_get0_safes(bag), depth + 1, reason)) return true;
        }
    }
    return false;
}

// Decodes the bags of `bags` into `out` with `pass` (null: none): the first private key, and
// every X.509 certificate. False when a bag cannot be decrypted or decoded; `over_cap` is set
// when a shrouded key's iteration count is over the cap (checked before its key is derived).
bool read_bags(const STACK_OF(PKCS12_SAFEBAG) * bags, const char* pass, int depth, pkcs12_contents& out,
               std::vector<x509_ptr>& certificates, std::string& over_cap_reason) {
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); ++i) {
        const PKCS12_SAFEBAG* bag = sk_PKCS12_SAFEBAG_value(bags, i);
        switch (PKCS12_SAFEBAG_get_nid(bag)) {
        case NID_keyBag:
        case NID_pkcs8ShroudedKeyBag: {
            if (out.private_key) break;  // as OpenSSL does: the first key is the file's
            PKCS8_PRIV_KEY_INFO* decrypted = nullptr;
            const PKCS8_PRIV_KEY_INFO* info = nullptr;
            if (PKCS12_SAFEBAG_get_nid(bag) == NID_keyBag) {
                info = PKCS12_SAFEBAG_get0_p8inf(bag);
            } else {
                const X509_ALGOR* alg = nullptr;
                X509_SIG_get0(PKCS12_SAFEBAG_get0_pkcs8(bag), &alg, nullptr);
                if (over_cap(pbe_iterations(alg), "its private key's encryption", over_cap_reason)) return false;
                info = decrypted = PKCS12_decrypt_skey(bag, pass, -1);
            }
            EVP_PKEY* key = info != nullptr ? EVP_PKCS82PKEY(info) : nullptr;
            PKCS8_PRIV_KEY_INFO_free(decrypted);  // clears the key it held
            if (key == nullptr) return false;
            out.private_key.reset(key);
            break;
        }
        case NID_certBag:
            if (PKCS12_SAFEBAG_get_bag_nid(bag) == NID_x509Certificate) {
                X509* cert = PKCS12_SAFEBAG_get1_cert(bag);
                if (cert == nullptr) return false;
                certificates.emplace_back(cert);
            }
            break;
        case NID_safeContentsBag:
            if (depth >= max_bag_depth ||
                !read_bags(PKCS12_SAFEBAG_get0_safes(bag), pass, depth + 1, out, certificates, over_cap_reason))
                return false;
            break;
        default: break;  // CRL and secret bags are not used here
        }
    }
    return true;
}

// Everything in `authsafes` with `pass` (null: none), in the current library context: false
// when something cannot be decrypted or decoded.
bool read_authsafes(const STACK_OF(PKCS7) * authsafes, const char* pass, pkcs12_contents& out,
                    std::string& over_cap_reason) {
    std::vector<x509_ptr> certificates;
    for (int i = 0; i < sk_PKCS7_num(authsafes); ++i) {
        PKCS7* safe = sk_PKCS7_value(authsafes, i);
        const int type = OBJ_obj2nid(safe->type);
        bags_ptr bags(type == NID_pkcs7_data        ? PKCS12_unpack_p7data(safe)
                      : type == NID_pkcs7_encrypted ? PKCS12_unpack_p7encdata(safe, pass, -1)
                                                    : nullptr);
        if (!bags || !read_bags(bags.get(), pass, 0, out, certificates, over_cap_reason)) return false;
    }
    // The key's certificate is the one whose public key is the key's (as PKCS12_parse decides).
    for (auto& cert : certificates) {
        if (out.private_key && !out.key_certificate && X509_check_private_key(cert.get(), out.private_key.get()) == 1)
            out.key_certificate = std::move(cert);
        else
            out.certificates.push_back(std::move(cert));
    }
    ERR_clear_error();
    return true;
}

enum class decrypted { yes, no, over_cap };

// read_authsafes in the process's context and then, when that fails (an algorithm it does not
// offer, or the wrong passphrase), in the legacy one. On `no`, `reason` is OpenSSL's first
// failure; on `over_cap`, what is over.
decrypted decrypt(const STACK_OF(PKCS7) * authsafes, const char* pass, pkcs12_contents& out, std::string& reason) {
    out = pkcs12_contents{};
    std::string over_cap_reason;
    if (read_authsafes(authsafes, pass, out, over_cap_reason)) return decrypted::yes;
    if (!over_cap_reason.empty()) {
        ERR_clear_error();
        out = pkcs12_contents{};
        reason = over_cap_reason;
        return decrypted::over_cap;
    }
    reason = last_openssl_reason();
    if (OSSL_LIB_CTX* legacy = legacy_context()) {
        const thread_context_scope scope(legacy);
        out = pkcs12_contents{};
        if (read_authsafes(authsafes, pass, out, over_cap_reason)) return decrypted::yes;
    }
    ERR_clear_error();
    out = pkcs12_contents{};
    return decrypted::no;
}

// The iteration counts readable before any passphrase is tried: the MAC's, the encrypted
// safes' and the shrouded keys of the unencrypted safes. True, with `reason`, when one is over.
bool iterations_over_cap(const PKCS12* p12, const STACK_OF(PKCS7) * authsafes, std::string& reason) {
    if (PKCS12_mac_present(p12) == 1) {
        const ASN1_INTEGER* mac_iterations = nullptr;
        PKCS12_get0_mac(nullptr, nullptr, nullptr, &mac_iterations, p12);
        std::int64_t count = 1;  // an absent count is 1
        if (mac_iterations != nullptr && ASN1_INTEGER_get_int64(&count, mac_iterations) != 1) count = -1;
        ERR_clear_error();
        if (over_cap(count, "its integrity MAC's", reason)) return true;
    }
    for (int i = 0; i < sk_PKCS7_num(authsafes); ++i) {
        const PKCS7* safe = sk_PKCS7_value(authsafes, i);
        const int type = OBJ_obj2nid(safe->type);
        if (type == NID_pkcs7_encrypted && safe->d.encrypted != nullptr && safe->d.encrypted->enc_data != nullptr) {
            if (over_cap(pbe_iterations(safe->d.encrypted->enc_data->algorithm), "its certificates' encryption", reason))
                return true;
        } else if (type == NID_pkcs7_data) {
            bags_ptr bags(PKCS12_unpack_p7data(const_cast<PKCS7*>(safe)));
            ERR_clear_error();  // undecodable bags are reported when the file is read
            if (bags && key_bags_over_cap(bags.get(), 0, reason)) return true;
        }
    }
    return false;
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

bool pkcs12_has_mac(std::string_view der) {
    if (der.size() > static_cast<std::size_t>(LONG_MAX)) return false;
    const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
    const pkcs12_ptr p12(d2i_PKCS12(nullptr, &cursor, static_cast<long>(der.size())));
    ERR_clear_error();
    return p12 && PKCS12_mac_present(p12.get()) == 1;
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

    authsafes_ptr authsafes(PKCS12_unpack_authsafes(p12.get()));
    if (!authsafes) {
        reason = last_openssl_reason();
        return pkcs12_outcome::damaged;
    }
    // Once, before any key is derived: each of the few derivations below (the passphrases tried
    // in turn, each safe and key decrypted) then costs at most the cap's iterations.
    if (iterations_over_cap(p12.get(), authsafes.get(), reason)) return pkcs12_outcome::too_many_iterations;

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
        } else {
            ERR_clear_error();
            return pkcs12_outcome::wrong_passphrase;
        }
        ERR_clear_error();
        switch (decrypt(authsafes.get(), pass, out, reason)) {
        case decrypted::yes: out.used_passphrase = pass == given.c_str(); return pkcs12_outcome::opened;
        case decrypted::over_cap: return pkcs12_outcome::too_many_iterations;
        case decrypted::no: break;
        }
        return pkcs12_outcome::damaged;
    }

    // No MAC (`-nomac`, or keytool with macAlgorithm NONE): only decrypting tells whether a
    // passphrase is needed and right (PKCS12_parse refuses any passphrase on such a file).
    const std::vector<const char*> passes =
        given.empty() ? std::vector<const char*>{nullptr, ""} : std::vector<const char*>{nullptr, "", given.c_str()};
    for (const char* pass : passes) {
        switch (decrypt(authsafes.get(), pass, out, reason)) {
        case decrypted::yes: out.used_passphrase = pass == given.c_str(); return pkcs12_outcome::opened;
        case decrypted::over_cap: return pkcs12_outcome::too_many_iterations;
        case decrypted::no: break;
        }
    }
    reason.clear();
    if (given.empty()) return pkcs12_outcome::needs_passphrase;
    return pkcs12_outcome::wrong_passphrase;
}

}  // namespace cqlwire::transport::detail

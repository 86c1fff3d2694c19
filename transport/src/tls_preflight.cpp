#include "cqlwire/transport/internal/tls_preflight.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>

#include <sys/stat.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/transport/internal/tls_verify.hpp"
#include "pkcs12_bundle.hpp"
#include "tls_file_reader.hpp"

namespace cqlwire::transport {
namespace {

struct bio_deleter {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

// Wipes a string that held key material when it goes out of scope.
struct wipe_on_exit {
    std::string& text;
    ~wipe_on_exit() { auth::wipe(text); }
};

using detail::read_tls_file;
std::error_code config_error(protocol::diagnostics& diag, const std::string& message) {
    return detail::tls_config_error(diag, message);
}

// The PEM blocks of a file, by label, and whether any block uses legacy PEM encryption.
struct pem_inventory {
    int certificates = 0;
    int private_keys = 0;        // any "... PRIVATE KEY" label
    int public_keys = 0;
    bool encrypted_key = false;  // "ENCRYPTED PRIVATE KEY" or "Proc-Type: 4,ENCRYPTED"
    int blocks = 0;
};

bool is_certificate_label(std::string_view label) {
    return label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE";
}

pem_inventory inventory_of(const std::string& text) {
    pem_inventory inv;
    bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) return inv;
    for (;;) {
        char* name = nullptr;
        char* header = nullptr;
        unsigned char* data = nullptr;
        long len = 0;
        if (PEM_read_bio(bio.get(), &name, &header, &data, &len) != 1) break;
        ++inv.blocks;
        const std::string_view label(name);
        if (is_certificate_label(label)) {
            ++inv.certificates;
        } else if (label.ends_with("PRIVATE KEY")) {
            ++inv.private_keys;
            if (label == "ENCRYPTED PRIVATE KEY" || std::strstr(header, "ENCRYPTED") != nullptr)
                inv.encrypted_key = true;
        } else if (label.ends_with("PUBLIC KEY")) {
            ++inv.public_keys;
        }
        OPENSSL_free(name);
        OPENSSL_free(header);
        // The block may be key material: clear it before it goes back to the allocator.
        OPENSSL_clear_free(data, static_cast<std::size_t>(len));
    }
    ERR_clear_error();  // the loop ends on "no start line", which is not an error here
    return inv;
}

std::string not_pem_message(const char* what, const std::string& path, const std::string& text, const char* kind) {
    std::string m = std::string(what) + " '" + path + "' is not a PEM file (no '-----BEGIN' block)";
    // DER starts with an ASN.1 SEQUENCE tag.
    if (!text.empty() && static_cast<unsigned char>(text[0]) == 0x30) {
        m += "; it looks like DER: convert it with `openssl ";
        m += kind;
        m += " -inform DER -in " + path + " -out " + path + ".pem`";
    } else {
        m += "; give the PEM form of the " + std::string(std::strcmp(kind, "x509") == 0 ? "certificate" : "key");
    }
    return m;
}

using detail::last_openssl_reason;

struct password_source {
    const auth::secret_bytes* password = nullptr;
    bool asked = false;
};

int password_callback(char* buf, int size, int /*rwflag*/, void* userdata) {
    auto* src = static_cast<password_source*>(userdata);
    src->asked = true;
    if (src->password == nullptr || src->password->empty() || size <= 0) return -1;
    const auto bytes = src->password->view();
    const std::size_t n = std::min(bytes.size(), static_cast<std::size_t>(size));
    std::memcpy(buf, bytes.data(), n);
    return static_cast<int>(n);
}

// `text` as one shell word: as it is when it holds only characters no shell interprets, else
// single-quoted (a quote inside written '\'').
std::string shell_word(const std::string& text) {
    const bool plain = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || (c != '\0' && std::strchr("/._-+,:@%=", c) != nullptr);
    });
    if (plain) return text;
    std::string quoted = "'";
    for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

// The one-line refusal of a Java keystore, with the keytool command that converts it.
std::string java_keystore_message(const char* what, const std::string& path, detail::keystore_format format) {
    const char* kind = format == detail::keystore_format::jks ? "JKS" : "JCEKS";
    return std::string(what) + " '" + path + "' is a Java keystore in " + kind +
           " format, which cannot be read here; convert it to PKCS#12 with `keytool -importkeystore -srckeystore " +
           shell_word(path) + " -destkeystore " + shell_word(path + ".p12") + " -deststoretype PKCS12` and give " + path +
           ".p12";
}

// Opens the PKCS#12 file `path` (its bytes in `der`) or says in one line why it cannot be.
// `passphrase_hint` ends the message when a passphrase is needed and none was given.
std::error_code open_pkcs12_file(const char* what, const std::string& path, std::string_view der,
                                 const auth::secret_bytes& passphrase, const char* passphrase_hint,
                                 detail::pkcs12_contents& out, protocol::diagnostics& diag) {
    std::string reason;
    const std::string named = std::string(what) + " '" + path + "'";
    switch (detail::open_pkcs12(der, passphrase, out, reason)) {
    case detail::pkcs12_outcome::opened: return {};
    case detail::pkcs12_outcome::damaged:
        return config_error(diag, named + " is a PKCS#12 file that cannot be read, damaged or truncated (" + reason +
                                      "); export it again");
    case detail::pkcs12_outcome::needs_passphrase:
        return config_error(diag, named + " is a PKCS#12 file protected by a passphrase and no passphrase was given; " +
                                      passphrase_hint);
    case detail::pkcs12_outcome::wrong_passphrase:
        if (!detail::pkcs12_has_mac(der)) {
            return config_error(diag, named + " is a PKCS#12 file without integrity MAC that could not be decrypted "
                                              "with the passphrase given: it is wrong, or the file is damaged");
        }
        return config_error(diag, named + " is a PKCS#12 file that the passphrase given does not open: the passphrase "
                                          "is wrong (or the file is damaged)");
    case detail::pkcs12_outcome::too_many_iterations:
        return config_error(diag, named + " is a PKCS#12 file refused unopened: " + reason + ", over the limit of " +
                                      std::to_string(detail::max_pkcs12_iterations) +
                                      " this client derives keys with (files in use take 2048 to 10000); export it "
                                      "again with a usual count (`openssl pkcs12 -export -iter 2048`)");
    }
    return config_error(diag, named + " could not be read");
}

// The certificates of one CA file, PEM or a PKCS#12 truststore, appended to `out`.
std::error_code load_ca_file(const std::string& path, const auth::secret_bytes& passphrase, std::vector<x509_ptr>& out,
                             protocol::diagnostics& diag) {
    std::string text;
    const wipe_on_exit wipe{text};  // a keystore given as a truststore holds an encrypted key
    if (auto ec = read_tls_file(path, "CA file", text, diag)) return ec;
    const auto format = detail::keystore_format_of(text);
    if (format == detail::keystore_format::jks || format == detail::keystore_format::jceks)
        return config_error(diag, java_keystore_message("CA file", path, format));
    if (format == detail::keystore_format::pkcs12) {
        detail::pkcs12_contents contents;
        if (auto ec = open_pkcs12_file("CA file", path, text, passphrase,
                                       "supply the truststore's password as the key passphrase (a Java truststore's "
                                       "is often 'changeit')",
                                       contents, diag))
            return ec;
        if (!contents.key_certificate && contents.certificates.empty()) {
            return config_error(diag, "CA file '" + path +
                                          "' is a PKCS#12 file that holds no certificate; give the truststore with the "
                                          "certificate of the CA that signed the server's certificate");
        }
        // A keystore given as a truststore: its certificates are trusted, its key is not used.
        if (contents.key_certificate) out.push_back(std::move(contents.key_certificate));
        for (auto& cert : contents.certificates) out.push_back(std::move(cert));
        return {};
    }
    const pem_inventory inv = inventory_of(text);
    if (inv.blocks == 0) return config_error(diag, not_pem_message("CA file", path, text, "x509"));
    if (inv.certificates == 0) {
        return config_error(diag, "CA file '" + path + "' holds no certificate" +
                                      (inv.private_keys > 0 ? " (it holds a private key: wrong file?)" : "") +
                                      "; give the PEM certificate of the CA that signed the server's certificate");
    }
    // Every certificate block, "TRUSTED CERTIFICATE" ones with their trust settings included.
    bio_ptr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    int parsed = 0;
    while (X509* cert = bio ? PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr) : nullptr) {
        out.emplace_back(cert);
        ++parsed;
    }
    ERR_clear_error();
    if (parsed < inv.certificates) {
        return config_error(diag, "CA file '" + path + "' has a certificate block that OpenSSL cannot parse (" +
                                      std::to_string(parsed) + " of " + std::to_string(inv.certificates) +
                                      " read); is it damaged?");
    }
    return {};
}

// Appends a warning when the file holding a private key can be read by group or others.
void warn_if_key_readable_by_others(const std::string& path, const char* what, std::vector<std::string>& warnings) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        warnings.push_back(std::string(what) + " '" + path + "' is accessible by other users (mode " + mode +
                           "); restrict it with `chmod 600 " + path + "`");
    }
}

void warn_if_expired(const client_identity& identity, const std::string& path, std::vector<std::string>& warnings) {
    if (X509_cmp_current_time(X509_get0_notAfter(identity.certificate.get())) < 0) {
        warnings.push_back("the client certificate in '" + path + "' has expired (not after " +
                           summarize_certificate(identity.certificate.get(), 0).not_after +
                           "); the server will likely reject it");
    }
}

// The client identity from a PKCS#12 bundle given as the certificate file (its bytes in `der`).
std::error_code load_pkcs12_identity(const tls_options& options, std::string_view der, client_identity& out,
                                     std::vector<std::string>& warnings, protocol::diagnostics& diag) {
    const std::string& path = options.certificate_file;
    const std::string& key_path = options.private_key_file;
    if (!key_path.empty()) {
        // The same file given as the key too is the same identity; another key file is a
        // contradiction that is refused rather than resolved by guessing.
        std::error_code fs_ec;
        if (!std::filesystem::equivalent(path, key_path, fs_ec)) {
            detail::pkcs12_contents peek;
            std::string reason;
            const bool opened =
                detail::open_pkcs12(der, options.private_key_password, peek, reason) == detail::pkcs12_outcome::opened;
            if (opened && !peek.private_key) {
                return config_error(diag, "client certificate file '" + path +
                                              "' is a PKCS#12 bundle that holds no private key, only certificates, "
                                              "which cannot be the client identity even with the private key file ('" +
                                              key_path + "'); give the PEM certificate and its key, or a bundle with both");
            }
            if (opened) {
                return config_error(diag, "client certificate file '" + path +
                                              "' is a PKCS#12 bundle with its own private key, and a private key file "
                                              "('" + key_path + "') was given too; give the bundle alone");
            }
            return config_error(diag, "client certificate file '" + path + "' is a PKCS#12 bundle, and a private key file ('" +
                                          key_path + "') was given too; give the bundle alone (it holds the key), or the "
                                          "PEM certificate and its key");
        }
    }
    detail::pkcs12_contents contents;
    if (auto ec = open_pkcs12_file("client certificate file", path, der, options.private_key_password,
                                   "supply the bundle's passphrase (as for an encrypted private key)", contents, diag))
        return ec;
    const std::size_t certificates = contents.certificates.size() + (contents.key_certificate ? 1 : 0);
    if (!contents.private_key) {
        return config_error(diag, "client certificate file '" + path + "' is a PKCS#12 file that holds no private key" +
                                      (certificates > 0 ? " (only certificates: a truststore?)" : "") +
                                      "; export the bundle with the client's key, or give a PEM certificate and key");
    }
    if (certificates == 0) {
        return config_error(diag, "client certificate file '" + path +
                                      "' is a PKCS#12 file that holds a private key but no certificate; export the "
                                      "bundle with the client certificate");
    }
    if (!contents.key_certificate) {
        return config_error(diag, "the private key in PKCS#12 file '" + path + "' belongs to none of its " +
                                      std::to_string(certificates) + " certificate" + (certificates == 1 ? "" : "s") +
                                      "; export the bundle again with the certificate issued for that key");
    }
    out.certificate = std::move(contents.key_certificate);
    out.chain = std::move(contents.certificates);
    out.private_key = std::move(contents.private_key);
    warn_if_key_readable_by_others(path, "PKCS#12 file", warnings);
    warn_if_expired(out, path, warnings);
    return {};
}

}  // namespace

std::error_code load_client_identity(const tls_options& options, client_identity& out,
                                     std::vector<std::string>& warnings, protocol::diagnostics& diag) {
    out = client_identity{};
    const std::string& cert_path = options.certificate_file;
    const std::string& key_path = options.private_key_file;
    if (cert_path.empty() && key_path.empty()) return {};
    if (cert_path.empty()) {
        return config_error(diag, "a private key file ('" + key_path +
                                      "') was given without its client certificate file; give both");
    }

    // Read before anything else is decided: a PKCS#12 bundle (known by its content, not its
    // name) needs no separate key file. It holds the encrypted key, so it is wiped too.
    std::string cert_text;
    std::string key_text;
    const wipe_on_exit wipe_cert{cert_text};
    const wipe_on_exit wipe_key{key_text};
    if (auto ec = read_tls_file(cert_path, "client certificate file", cert_text, diag)) return ec;
    const auto cert_format = detail::keystore_format_of(cert_text);
    if (cert_format == detail::keystore_format::jks || cert_format == detail::keystore_format::jceks)
        return config_error(diag, java_keystore_message("client certificate file", cert_path, cert_format));
    if (cert_format == detail::keystore_format::pkcs12) {
        if (auto ec = load_pkcs12_identity(options, cert_text, out, warnings, diag)) {
            out = client_identity{};
            return ec;
        }
        return {};
    }
    if (key_path.empty()) {
        return config_error(diag, "a client certificate file ('" + cert_path +
                                      "') was given without its private key file; give both, or a PKCS#12 bundle "
                                      "that holds the certificate and its key");
    }
    if (auto ec = read_tls_file(key_path, "private key file", key_text, diag)) return ec;
    const auto key_format = detail::keystore_format_of(key_text);
    if (key_format == detail::keystore_format::jks || key_format == detail::keystore_format::jceks)
        return config_error(diag, java_keystore_message("private key file", key_path, key_format));
    if (key_format == detail::keystore_format::pkcs12) {
        // What to advise depends on what the bundle holds: only one with a certificate can stand alone.
        detail::pkcs12_contents peek;
        std::string reason;
        if (detail::open_pkcs12(key_text, options.private_key_password, peek, reason) == detail::pkcs12_outcome::opened &&
            (!peek.key_certificate && peek.certificates.empty())) {
            return config_error(diag, "private key file '" + key_path + "' is a PKCS#12 bundle that holds " +
                                          (peek.private_key ? "a private key but no certificate" : "nothing usable") +
                                          ", not a PEM key; give the key in PEM (`openssl pkcs12 -nocerts -nodes -in " +
                                          shell_word(key_path) + "`), or a bundle with the certificate and key as the "
                                          "client certificate file, alone");
        }
        return config_error(diag, "private key file '" + key_path +
                                      "' is a PKCS#12 bundle, not a PEM key; give the bundle as the client certificate "
                                      "file, alone");
    }

    const pem_inventory cert_inv = inventory_of(cert_text);
    const pem_inventory key_inv = inventory_of(key_text);

    // The two files exchanged is a common slip (the Azure guide's own list swaps them).
    if (cert_inv.certificates == 0 && cert_inv.private_keys > 0 && key_inv.certificates > 0 &&
        key_inv.private_keys == 0) {
        return config_error(diag, "the client certificate and private key files look swapped: '" + cert_path +
                                      "' (given as the certificate) holds a private key and '" + key_path +
                                      "' (given as the key) holds a certificate; exchange them");
    }
    if (cert_inv.blocks == 0) return config_error(diag, not_pem_message("client certificate file", cert_path, cert_text, "x509"));
    if (cert_inv.certificates == 0) {
        return config_error(diag, "client certificate file '" + cert_path + "' holds no certificate" +
                                      (cert_inv.private_keys > 0 ? " (it holds a private key)" : "") +
                                      "; give the PEM file that starts with '-----BEGIN CERTIFICATE-----'");
    }
    if (key_inv.blocks == 0) return config_error(diag, not_pem_message("private key file", key_path, key_text, "pkey"));
    if (key_inv.private_keys == 0) {
        std::string holds = key_inv.certificates > 0  ? " (it holds a certificate)"
                            : key_inv.public_keys > 0 ? " (it holds a public key)"
                                                      : "";
        return config_error(diag, "private key file '" + key_path + "' holds no private key" + holds +
                                      "; give the PEM private key that belongs to '" + cert_path + "'");
    }
    if (key_inv.encrypted_key && options.private_key_password.empty()) {
        return config_error(diag, "private key file '" + key_path +
                                      "' is encrypted and no password was given; supply the key's password");
    }

    // The certificate chain: the leaf first, then intermediates.
    {
        bio_ptr bio(BIO_new_mem_buf(cert_text.data(), static_cast<int>(cert_text.size())));
        while (X509* cert = bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr) {
            if (!out.certificate)
                out.certificate.reset(cert);
            else
                out.chain.emplace_back(cert);
        }
        ERR_clear_error();
        if (!out.certificate) {
            return config_error(diag, "client certificate file '" + cert_path +
                                          "' has a certificate block that OpenSSL cannot parse; is it damaged?");
        }
    }

    // The private key, decrypted with the caller's password when it is encrypted.
    {
        bio_ptr bio(BIO_new_mem_buf(key_text.data(), static_cast<int>(key_text.size())));
        password_source source{&options.private_key_password, false};
        EVP_PKEY* key = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, &password_callback, &source) : nullptr;
        if (key == nullptr) {
            const std::string reason = last_openssl_reason();
            out = client_identity{};
            if (key_inv.encrypted_key) {
                return config_error(diag, "private key file '" + key_path +
                                              "' could not be decrypted: the password is wrong (or the file is damaged)");
            }
            return config_error(diag, "private key file '" + key_path + "' could not be read: " + reason);
        }
        out.private_key.reset(key);
    }

    if (X509_check_private_key(out.certificate.get(), out.private_key.get()) != 1) {
        ERR_clear_error();
        out = client_identity{};
        return config_error(diag, "the private key in '" + key_path + "' does not belong to the certificate in '" +
                                      cert_path + "'; give the key the certificate was issued for");
    }

    warn_if_key_readable_by_others(key_path, "private key file", warnings);
    warn_if_expired(out, cert_path, warnings);
    return {};
}

std::error_code load_trust_anchors(const tls_options& options, std::vector<x509_ptr>& out,
                                   protocol::diagnostics& diag) {
    out.clear();
    for (const auto& file : options.ca_files) {
        if (auto ec = load_ca_file(file, options.private_key_password, out, diag)) {
            out.clear();
            return ec;
        }
    }
    if (!options.ca_directory.empty()) {
        std::error_code fs_ec;
        if (!std::filesystem::is_directory(options.ca_directory, fs_ec)) {
            out.clear();
            return config_error(diag, "CA directory '" + options.ca_directory + "' does not exist or is not a folder");
        }
    }
    return {};
}

std::error_code check_ca_files(const tls_options& options, protocol::diagnostics& diag) {
    std::vector<x509_ptr> anchors;
    return load_trust_anchors(options, anchors, diag);
}

namespace {

// The outcome of opening the file at `path` with `passphrase`; nullopt when it cannot be read
// or is not PKCS#12. The bytes are wiped before this returns.
std::optional<detail::pkcs12_outcome> try_pkcs12_file(const std::string& path, const auth::secret_bytes& passphrase) {
    std::string bytes;
    const wipe_on_exit wipe{bytes};
    protocol::diagnostics ignored;  // an unreadable file is reported by the loading functions
    if (read_tls_file(path, "file", bytes, ignored) || detail::keystore_format_of(bytes) != detail::keystore_format::pkcs12)
        return std::nullopt;
    detail::pkcs12_contents contents;
    std::string reason;
    return detail::open_pkcs12(bytes, passphrase, contents, reason);
}

}  // namespace

bool is_pkcs12_file(const std::string& path) {
    std::string bytes;
    const wipe_on_exit wipe{bytes};
    protocol::diagnostics ignored;
    return !read_tls_file(path, "file", bytes, ignored) &&
           detail::keystore_format_of(bytes) == detail::keystore_format::pkcs12;
}

bool pkcs12_file_needs_passphrase(const std::string& path) {
    return try_pkcs12_file(path, auth::secret_bytes()) == detail::pkcs12_outcome::needs_passphrase;
}

bool pkcs12_file_opens_with(const std::string& path, const auth::secret_bytes& passphrase) {
    return try_pkcs12_file(path, passphrase) == detail::pkcs12_outcome::opened;
}

std::error_code preflight_tls_files(const tls_options& options, std::vector<std::string>& warnings,
                                    protocol::diagnostics& diag) {
    if (auto ec = check_ca_files(options, diag)) return ec;
    client_identity identity;
    return load_client_identity(options, identity, warnings, diag);
}

}  // namespace cqlwire::transport

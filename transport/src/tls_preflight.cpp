#include "cqlwire/transport/tls_preflight.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tls_verify.hpp"

namespace cqlwire::transport {
namespace {

// No certificate or key file is anywhere near this; a bundle of every CA the web trusts is
// about 220 KiB.
constexpr std::size_t max_pem_file_size = 2u * 1024 * 1024;
// How long a pipe or FIFO given as a PEM file may stay silent before the read gives up.
constexpr std::chrono::milliseconds max_pem_silence{30'000};

struct bio_deleter {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
using bio_ptr = std::unique_ptr<BIO, bio_deleter>;

// Wipes a string that held key material when it goes out of scope.
struct wipe_on_exit {
    std::string& text;
    ~wipe_on_exit() { auth::wipe(text); }
};

std::error_code config_error(protocol::diagnostics& diag, const std::string& message) {
    diag.set_client_message(message);
    return errc::tls_config;
}

// `what` says which setting names the file, e.g. "client certificate file". Bounded in size and
// in time: /dev/zero, a FIFO that never ends or one whose writer never writes is an error naming
// the file, not a hang or an exhausted memory. Non-blocking, so that opening a FIFO cannot wait.
std::error_code read_file(const std::string& path, const char* what, std::string& out, protocol::diagnostics& diag) {
    out.clear();
    const std::string named = std::string(what) + " '" + path + "'";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) return config_error(diag, named + " does not exist; check the path");
        return config_error(diag, named + " cannot be read: " + std::strerror(err) +
                                      (err == EACCES ? "; check its permissions" : ""));
    }
    struct fd_closer {
        int fd;
        ~fd_closer() { ::close(fd); }
    } const closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return config_error(diag, named + " cannot be read: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return config_error(diag, named + " is a directory, not a file");
    // OpenSSL opens certificates and keys again by their path after this check: a pipe or FIFO
    // would be empty by then (or block with no writer), a device is no certificate.
    if (!S_ISREG(st.st_mode))
        return config_error(diag, named + " is not a regular file (a pipe, FIFO or device); give a file");
    const std::string too_large = named + " is larger than " + std::to_string(max_pem_file_size / (1024 * 1024)) +
                                  " MiB, too large for a PEM file";
    if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > max_pem_file_size)
        return config_error(diag, too_large);
    // Read straight into `out`, grown once to the cap: no copy of a key is left behind in a
    // released block.
    out.reserve(max_pem_file_size + 1);
    // A pipe, FIFO or device is waited on in poll(), never in read(): a FIFO whose writer has
    // not opened it yet, or one that writes nothing, costs at most max_pem_silence.
    const bool wait_in_poll = !S_ISREG(st.st_mode);
    auto deadline = std::chrono::steady_clock::now() + max_pem_silence;
    for (;;) {
        if (wait_in_poll) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd, POLLIN, 0};
            const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) {
                const int err = errno;
                auth::wipe(out);
                return config_error(diag, named + " could not be read to the end: " + std::strerror(err));
            }
            if (ready == 0) {
                auth::wipe(out);
                return config_error(diag, named + " sent no data for " + std::to_string(max_pem_silence.count() / 1000) +
                                              " s; give a file");
            }
        }
        const std::size_t before = out.size();
        const std::size_t room = std::min<std::size_t>(16 * 1024, max_pem_file_size + 1 - before);
        out.resize(before + room);
        const ssize_t n = ::read(fd, out.data() + before, room);
        const int err = errno;
        out.resize(before + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0) {
            if (out.size() > max_pem_file_size) {
                auth::wipe(out);
                return config_error(diag, too_large);
            }
            deadline = std::chrono::steady_clock::now() + max_pem_silence;
            continue;
        }
        if (n == 0) return {};
        if (err == EINTR || err == EAGAIN || err == EWOULDBLOCK) continue;
        auth::wipe(out);
        return config_error(diag, named + " could not be read to the end: " + std::strerror(err));
    }
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

std::string last_openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return reason != nullptr ? reason : "unknown reason";
}

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

std::error_code check_ca_file(const std::string& path, protocol::diagnostics& diag) {
    std::string text;
    if (auto ec = read_file(path, "CA file", text, diag)) return ec;
    const pem_inventory inv = inventory_of(text);
    if (inv.blocks == 0) return config_error(diag, not_pem_message("CA file", path, text, "x509"));
    if (inv.certificates == 0) {
        return config_error(diag, "CA file '" + path + "' holds no certificate" +
                                      (inv.private_keys > 0 ? " (it holds a private key: wrong file?)" : "") +
                                      "; give the PEM certificate of the CA that signed the server's certificate");
    }
    return {};
}

}  // namespace

std::error_code load_client_identity(const tls_options& options, client_identity& out,
                                     std::vector<std::string>& warnings, protocol::diagnostics& diag) {
    out = client_identity{};
    const std::string& cert_path = options.certificate_file;
    const std::string& key_path = options.private_key_file;
    if (cert_path.empty() && key_path.empty()) return {};
    if (key_path.empty()) {
        return config_error(diag, "a client certificate file ('" + cert_path +
                                      "') was given without its private key file; give both");
    }
    if (cert_path.empty()) {
        return config_error(diag, "a private key file ('" + key_path +
                                      "') was given without its client certificate file; give both");
    }

    std::string cert_text;
    std::string key_text;
    const wipe_on_exit wipe_key{key_text};
    if (auto ec = read_file(cert_path, "client certificate file", cert_text, diag)) return ec;
    if (auto ec = read_file(key_path, "private key file", key_text, diag)) return ec;

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

    struct stat st {};
    if (::stat(key_path.c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        warnings.push_back("private key file '" + key_path + "' is accessible by other users (mode " + mode +
                           "); restrict it with `chmod 600 " + key_path + "`");
    }
    if (X509_cmp_current_time(X509_get0_notAfter(out.certificate.get())) < 0) {
        warnings.push_back("the client certificate in '" + cert_path + "' has expired (not after " +
                           summarize_certificate(out.certificate.get(), 0).not_after +
                           "); the server will likely reject it");
    }
    return {};
}

std::error_code check_ca_files(const tls_options& options, protocol::diagnostics& diag) {
    for (const auto& file : options.ca_files) {
        if (auto ec = check_ca_file(file, diag)) return ec;
    }
    if (!options.ca_directory.empty()) {
        std::error_code fs_ec;
        if (!std::filesystem::is_directory(options.ca_directory, fs_ec)) {
            return config_error(diag, "CA directory '" + options.ca_directory + "' does not exist or is not a folder");
        }
    }
    return {};
}

std::error_code preflight_tls_files(const tls_options& options, std::vector<std::string>& warnings,
                                    protocol::diagnostics& diag) {
    if (auto ec = check_ca_files(options, diag)) return ec;
    client_identity identity;
    return load_client_identity(options, identity, warnings, diag);
}

}  // namespace cqlwire::transport

#include "key_passphrase.hpp"

#include <algorithm>
#include <cstring>
#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "bounded_file.hpp"

namespace cqlwire::cli {
namespace {

// Holds a file's text and wipes it when released: an unencrypted key is a secret in itself.
struct wiped_text {
    std::string text;
    ~wiped_text() { auth::wipe(text); }
};

// The bounded reader's cap also keeps the size within the int that BIO takes.
bool read_key_file(const std::string& path, wiped_text& out) {
    std::string ignored_message;  // the TLS pre-flight check reports an unreadable key file
    return !read_bounded_file(path, "private key file", {max_key_file_size}, out.text, ignored_message);
}

// OpenSSL asks for the passphrase through this callback; it copies at most `size` bytes.
int passphrase_callback(char* buf, int size, int /*rwflag*/, void* userdata) {
    const auto* passphrase = static_cast<const auth::secret_bytes*>(userdata);
    if (passphrase->empty() || size <= 0) return -1;
    const auto bytes = passphrase->view();
    const std::size_t n = std::min(bytes.size(), static_cast<std::size_t>(size));
    std::memcpy(buf, bytes.data(), n);
    return static_cast<int>(n);
}

}  // namespace

bool pem_key_is_encrypted(std::string_view pem_text) noexcept {
    if (pem_text.find("-----BEGIN ENCRYPTED PRIVATE KEY-----") != std::string_view::npos) return true;
    // A legacy encrypted block carries its header lines right after its BEGIN line.
    for (std::size_t at = pem_text.find("Proc-Type:"); at != std::string_view::npos;
         at = pem_text.find("Proc-Type:", at + 1)) {
        std::string_view rest = pem_text.substr(at + std::strlen("Proc-Type:"));
        rest = rest.substr(0, rest.find('\n'));
        while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
        if (rest.starts_with("4,ENCRYPTED")) return true;
    }
    return false;
}

bool key_file_is_encrypted(const std::string& path) {
    wiped_text content;
    return read_key_file(path, content) && pem_key_is_encrypted(content.text);
}

bool passphrase_opens_key(const std::string& path, const auth::secret_bytes& passphrase) {
    wiped_text content;
    if (!read_key_file(path, content)) return false;
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(content.text.data(), static_cast<int>(content.text.size())), &BIO_free);
    if (!bio) return false;
    // The callback only reads the passphrase; OpenSSL's prototype just is not const.
    EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, &passphrase_callback,
                                            const_cast<auth::secret_bytes*>(&passphrase));
    ERR_clear_error();
    if (key == nullptr) return false;
    EVP_PKEY_free(key);
    return true;
}

}  // namespace cqlwire::cli

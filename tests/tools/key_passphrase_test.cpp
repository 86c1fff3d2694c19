#include "test_support.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "key_passphrase.hpp"
#include "pki/test_pki.hpp"

using namespace cqlwire::cli;
using cqlwire::auth::secret_bytes;
using cqlwire::test::test_pki;

namespace {

// The PEM of `source_key` re-encrypted in the legacy way ("Proc-Type: 4,ENCRYPTED" headers
// inside "BEGIN RSA PRIVATE KEY"), as older tools and `openssl rsa -aes256` write it.
std::string legacy_encrypted_pem(const std::string& source_key, const std::string& passphrase) {
    std::unique_ptr<BIO, decltype(&BIO_free)> in(BIO_new_file(source_key.c_str(), "r"), &BIO_free);
    REQUIRE(in);
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(PEM_read_bio_PrivateKey(in.get(), nullptr, nullptr, nullptr),
                                                            &EVP_PKEY_free);
    REQUIRE(key);
    std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new(BIO_s_mem()), &BIO_free);
    REQUIRE(PEM_write_bio_PrivateKey_traditional(
                out.get(), key.get(), EVP_aes_256_cbc(),
                reinterpret_cast<const unsigned char*>(passphrase.data()), static_cast<int>(passphrase.size()),
                nullptr, nullptr) == 1);
    char* data = nullptr;
    const long n = BIO_get_mem_data(out.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

TEST_CASE("pem_key_is_encrypted recognises PKCS#8 and legacy PEM encryption only") {
    CHECK(pem_key_is_encrypted("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF\n-----END ENCRYPTED PRIVATE KEY-----\n"));
    CHECK(pem_key_is_encrypted("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                               "DEK-Info: AES-256-CBC,00112233445566778899AABBCCDDEEFF\n\nMIIE\n"
                               "-----END RSA PRIVATE KEY-----\n"));
    CHECK(pem_key_is_encrypted("-----BEGIN EC PRIVATE KEY-----\r\nProc-Type:  4,ENCRYPTED\r\n"));
    CHECK_FALSE(pem_key_is_encrypted("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"));
    CHECK_FALSE(pem_key_is_encrypted("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----\n"));
    // Other Proc-Type values and a bare word are not encryption.
    CHECK_FALSE(pem_key_is_encrypted("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,MIC-ONLY\n"));
    CHECK_FALSE(pem_key_is_encrypted("ENCRYPTED"));
    CHECK_FALSE(pem_key_is_encrypted(""));
}

TEST_CASE("key files of the test PKI: which are encrypted, and which passphrase opens them") {
    const auto& pki = test_pki::instance();
    CHECK(key_file_is_encrypted(pki.path("client-encrypted.key")));
    CHECK_FALSE(key_file_is_encrypted(pki.path("client.key")));
    CHECK_FALSE(key_file_is_encrypted(pki.path("client-pkcs1.key")));
    CHECK_FALSE(key_file_is_encrypted(pki.path("client-ec.key")));
    CHECK_FALSE(key_file_is_encrypted(pki.path("no-such-file.key")));

    const std::string right = pki.key_password();
    REQUIRE(right.size() == 48);  // 24 random bytes in hex: a test of nothing if it were empty
    CHECK(passphrase_opens_key(pki.path("client-encrypted.key"), secret_bytes(right)));
    CHECK_FALSE(passphrase_opens_key(pki.path("client-encrypted.key"), secret_bytes(right + "x")));
    CHECK_FALSE(passphrase_opens_key(pki.path("client-encrypted.key"), secret_bytes("wrong")));
    CHECK_FALSE(passphrase_opens_key(pki.path("client-encrypted.key"), secret_bytes()));
    CHECK_FALSE(passphrase_opens_key(pki.path("no-such-file.key"), secret_bytes(right)));
}

TEST_CASE("a legacy PEM-encrypted key is recognised and opened") {
    const auto& pki = test_pki::instance();
    const std::string pem = legacy_encrypted_pem(pki.path("client.key"), "legacy-pass");
    REQUIRE(pem.find("Proc-Type: 4,ENCRYPTED") != std::string::npos);
    CHECK(pem_key_is_encrypted(pem));

    const std::string path = (pki.dir() / ("legacy-" + std::to_string(::getpid()) + ".key")).string();
    std::ofstream(path, std::ios::binary) << pem;
    CHECK(key_file_is_encrypted(path));
    CHECK(passphrase_opens_key(path, secret_bytes("legacy-pass")));
    CHECK_FALSE(passphrase_opens_key(path, secret_bytes("legacy-pasS")));
    std::filesystem::remove(path);
}

TEST_CASE("a directory or an endless device given as the key is read no further than the cap") {
    const auto& pki = test_pki::instance();
    const std::string right = pki.key_password();
    for (const std::string& path : {pki.dir().string(), std::string("/dev/zero"), std::string("/dev/urandom")}) {
        CAPTURE(path);
        const auto start = std::chrono::steady_clock::now();
        CHECK_FALSE(key_file_is_encrypted(path));
        CHECK_FALSE(passphrase_opens_key(path, secret_bytes(right)));
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
    }
}

// Pre-flight checks of the TLS files: each mistake a user can make with certificate and key
// files gets errc::tls_config and a message naming the file and the fix; a key file open to
// other users is a warning. No message may contain a password or key material.
#include "test_support.hpp"

#include <filesystem>
#include <fstream>

#include <sys/stat.h>

#include "transport/transport_test_support.hpp"

#include "cqlwire/transport/tls_preflight.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct preflight_outcome {
    std::error_code ec;
    std::string message;
    std::vector<std::string> warnings;
};

preflight_outcome preflight(const transport::tls_options& o) {
    preflight_outcome out;
    protocol::diagnostics diag;
    out.ec = transport::preflight_tls_files(o, out.warnings, diag);
    out.message = diag.client_message();
    return out;
}

transport::tls_options identity(const std::string& cert, const std::string& key) {
    transport::tls_options o = trust_server_ca();
    o.certificate_file = cert;
    o.private_key_file = key;
    return o;
}

// A copy of a PKI file in the PKI folder under a new name, with the given mode.
std::string copy_of(const std::string& name, const std::string& copy, std::filesystem::perms mode) {
    const std::string target = pki().path(copy);
    std::filesystem::copy_file(pki().path(name), target, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(target, mode);
    return target;
}

TEST_CASE("tls preflight: good files pass without warnings, for each key format") {
    for (const auto& [cert, key] : std::vector<std::pair<std::string, std::string>>{
             {"client", "client"}, {"client", "client-pkcs1"}, {"client-ec", "client-ec"}, {"rootCa", "rootCa"}}) {
        CAPTURE(key);
        const auto out = preflight(identity(pki().path(cert + ".crt"), pki().path(key + ".key")));
        CHECK_MESSAGE(!out.ec, out.message);
        CHECK(out.warnings.empty());
    }
}

TEST_CASE("tls preflight: a missing certificate or key file is named") {
    const std::string missing = pki().path("no-such-file.crt");
    auto out = preflight(identity(missing, pki().path("client.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "client certificate file '" + missing + "' does not exist"));

    out = preflight(identity(pki().path("client.crt"), pki().path("no-such-file.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "private key file '" + pki().path("no-such-file.key") + "' does not exist"));
}

TEST_CASE("tls preflight: a folder given as a file is named") {
    auto out = preflight(identity(pki().dir().string(), pki().path("client.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "is a directory, not a file"));
}

TEST_CASE("tls preflight: a certificate without its key, or a key without its certificate") {
    auto o = trust_server_ca();
    o.certificate_file = pki().path("client.crt");
    auto out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "without its private key file"));

    o = trust_server_ca();
    o.private_key_file = pki().path("client.key");
    out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "without its client certificate file"));
}

TEST_CASE("tls preflight: certificate and key files swapped are detected as such") {
    // The Azure guide's own list of settings exchanges the two descriptions.
    const auto out = preflight(identity(pki().path("rootCa.key"), pki().path("rootCa.crt")));
    CHECK(out.ec == errc::tls_config);
    INFO(out.message);
    CHECK(contains(out.message, "look swapped"));
    CHECK(contains(out.message, "'" + pki().path("rootCa.key") + "' (given as the certificate) holds a private key"));
    CHECK_FALSE(contains(out.message, "BEGIN"));
}

TEST_CASE("tls preflight: a key that does not belong to the certificate") {
    const auto out = preflight(identity(pki().path("client.crt"), pki().path("untrusted.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "does not belong to the certificate in '" + pki().path("client.crt") + "'"));
}

TEST_CASE("tls preflight: a key file holding a certificate, a certificate file holding a key") {
    auto out = preflight(identity(pki().path("client.crt"), pki().path("client-ca.crt")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "holds no private key (it holds a certificate)"));

    out = preflight(identity(pki().path("client.key"), pki().path("client.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "holds no certificate (it holds a private key)"));
}

TEST_CASE("tls preflight: files that are not PEM, and DER recognised as such") {
    auto out = preflight(identity(pki().path("gen_rootCa_cert.conf"), pki().path("client.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "is not a PEM file"));
    // The DER advice, not the letters: the test PKI's random folder name may hold "DER".
    CHECK_FALSE(contains(out.message, "looks like DER"));

    const std::string der = pki().path("client.der");
    const std::string command =
        "openssl x509 -in '" + pki().path("client.crt") + "' -outform DER -out '" + der + "'";
    REQUIRE(std::system(command.c_str()) == 0);
    out = preflight(identity(der, pki().path("client.key")));
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "looks like DER"));
    CHECK(contains(out.message, "openssl x509 -inform DER -in " + der));
}

TEST_CASE("tls preflight: an encrypted key needs its password, and a wrong one is named as such") {
    auto o = identity(pki().path("client.crt"), pki().path("client-encrypted.key"));
    auto out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "is encrypted and no password was given"));

    const std::string wrong = "not-the-password-4242";
    o.private_key_password = auth::secret_bytes(wrong);
    out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "the password is wrong"));
    CHECK_FALSE(contains(out.message, wrong));

    o.private_key_password = auth::secret_bytes(pki().key_password());
    out = preflight(o);
    CHECK_MESSAGE(!out.ec, out.message);
    CHECK_FALSE(contains(out.message, pki().key_password()));
}

TEST_CASE("tls preflight: a key file readable by others is a warning, not an error") {
    using std::filesystem::perms;
    const std::string open_key = copy_of("client.key", "client-open.key", perms::owner_read | perms::owner_write |
                                                                               perms::group_read | perms::others_read);
    auto out = preflight(identity(pki().path("client.crt"), open_key));
    CHECK_MESSAGE(!out.ec, out.message);
    REQUIRE(out.warnings.size() == 1);
    CHECK(contains(out.warnings[0], "(mode 0644)"));
    CHECK(contains(out.warnings[0], "chmod 600 " + open_key));

    // The same warning comes from tls_context::create, which still succeeds.
    std::shared_ptr<transport::tls_context> ctx;
    std::vector<std::string> warnings;
    protocol::diagnostics diag;
    CHECK_FALSE(transport::tls_context::create(identity(pki().path("client.crt"), open_key), ctx, warnings, diag));
    CHECK(ctx);
    CHECK(warnings.size() == 1);

    const std::string closed_key = copy_of("client.key", "client-closed.key", perms::owner_read);
    out = preflight(identity(pki().path("client.crt"), closed_key));
    CHECK_MESSAGE(!out.ec, out.message);
    CHECK(out.warnings.empty());
}

TEST_CASE("tls preflight: CA files and folders") {
    transport::tls_options o;
    o.ca_files = {pki().path("missing-ca.crt")};
    auto out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "CA file '" + pki().path("missing-ca.crt") + "' does not exist"));

    o.ca_files = {pki().path("server-ca.key")};
    out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "holds no certificate (it holds a private key: wrong file?)"));

    o.ca_files = {pki().path("server-ca.crt"), pki().path("client-ca.crt")};
    out = preflight(o);
    CHECK_MESSAGE(!out.ec, out.message);

    o.ca_files.clear();
    o.ca_directory = pki().path("no-such-folder");
    out = preflight(o);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "CA directory '" + pki().path("no-such-folder") + "' does not exist"));

    o.ca_directory = pki().dir().string();
    out = preflight(o);
    CHECK_MESSAGE(!out.ec, out.message);
}

}  // namespace

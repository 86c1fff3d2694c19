// PKCS#12 bundles and truststores as TLS files, and Java keystores refused with the command that
// converts them: the files come from `tools/make-pki tests` (openssl and keytool). Each
// mistake gets errc::tls_config and one line naming the file and the cause; no message holds
// a passphrase. Ends with handshakes that present a PKCS#12 identity and trust a PKCS#12 store.
#include "test_support.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include <openssl/x509.h>

#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/internal/tls_preflight.hpp"
#include "fake_cql_server.hpp"
#include "pki/mismatched_pkcs12.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct identity_outcome {
    std::error_code ec;
    std::string message;
    std::vector<std::string> warnings;
    transport::client_identity identity;
};

identity_outcome load_identity(const std::string& cert, const std::string& key = "", const std::string& passphrase = "") {
    transport::tls_options o;
    o.certificate_file = cert;
    o.private_key_file = key;
    o.private_key_password = auth::secret_bytes(passphrase);
    identity_outcome out;
    protocol::diagnostics diag;
    out.ec = transport::load_client_identity(o, out.identity, out.warnings, diag);
    out.message = diag.client_message();
    return out;
}

struct anchors_outcome {
    std::error_code ec;
    std::string message;
    std::vector<transport::x509_ptr> anchors;
};

anchors_outcome load_anchors(const std::string& ca_file, const std::string& passphrase = "") {
    transport::tls_options o;
    o.ca_files = {ca_file};
    o.private_key_password = auth::secret_bytes(passphrase);
    anchors_outcome out;
    protocol::diagnostics diag;
    out.ec = transport::load_trust_anchors(o, out.anchors, diag);
    out.message = diag.client_message();
    return out;
}

std::string common_name(X509* cert) {
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    return cn;
}

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `bytes` written to NAME in the PKI folder, mode 0600.
std::string write_file(const std::string& name, const std::string& bytes) {
    const std::string path = pki().path(name);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path;
}

std::string passphrase() { return pki().key_password(); }

TEST_CASE("pkcs12: bundles made by openssl and keytool give the certificate, its key and the chain") {
    for (const auto& [file, pass] : std::vector<std::pair<std::string, std::string>>{{"client.p12", passphrase()},
                                                                                     {"client-legacy.p12", passphrase()},
                                                                                     {"client-keytool.p12", passphrase()},
                                                                                     {"client-plain.p12", ""}}) {
        CAPTURE(file);
        const auto out = load_identity(pki().path(file), "", pass);
        REQUIRE_MESSAGE(!out.ec, out.message);
        CHECK(out.warnings.empty());
        CHECK(common_name(out.identity.certificate.get()) == "cqlwire-tests-client");
        REQUIRE(out.identity.chain.size() == 1);
        CHECK(common_name(out.identity.chain[0].get()) == "cqlwire tests client CA");
        CHECK(X509_check_private_key(out.identity.certificate.get(), out.identity.private_key.get()) == 1);
    }
}

TEST_CASE("pkcs12: bundles without integrity MAC open with their passphrase, and a wrong one fails to decrypt") {
    for (const char* file : {"client-nomac.p12", "client-legacy-nomac.p12", "client-keytool-nomac.p12"}) {
        CAPTURE(file);
        const std::string path = pki().path(file);
        auto out = load_identity(path, "", passphrase());
        REQUIRE_MESSAGE(!out.ec, out.message);
        CHECK(common_name(out.identity.certificate.get()) == "cqlwire-tests-client");
        CHECK(X509_check_private_key(out.identity.certificate.get(), out.identity.private_key.get()) == 1);
        CHECK(transport::pkcs12_file_needs_passphrase(path));
        CHECK(transport::pkcs12_file_opens_with(path, auth::secret_bytes(passphrase())));

        CHECK(contains(load_identity(path).message, "no passphrase was given"));
        const std::string wrong = "not-" + passphrase();
        out = load_identity(path, "", wrong);
        CHECK(out.ec == errc::tls_config);
        CHECK(out.message == "client certificate file '" + path +
                                 "' is a PKCS#12 file without integrity MAC that could not be decrypted with the "
                                 "passphrase given: it is wrong, or the file is damaged");
        CHECK_FALSE(contains(out.message, wrong));
        CHECK(out.identity.empty());
    }
}

// `bytes` with the `index`th (from 0) occurrence of the 3-byte INTEGER 65536 made 8388607.
std::string with_iterations_raised(const std::string& bytes, int index) {
    const std::string from("\x02\x03\x01\x00\x00", 5);
    std::size_t at = bytes.find(from);
    for (int i = 0; i < index && at != std::string::npos; ++i) at = bytes.find(from, at + 1);
    REQUIRE(at != std::string::npos);
    std::string raised = bytes;
    raised.replace(at, from.size(), std::string("\x02\x03\x7F\xFF\xFF", 5));
    return raised;
}

TEST_CASE("pkcs12: a file with an iteration count over the cap is refused before any key is derived") {
    const std::string whole = file_bytes(pki().path("client-iter65536.p12"));
    // openssl writes the encrypted certificates first, then the shrouded key, then the MAC.
    const auto out = load_identity(pki().path("client-iter65536.p12"), "", passphrase());
    REQUIRE_MESSAGE(!out.ec, out.message);
    for (const auto& [index, what] : std::vector<std::pair<int, std::string>>{{0, "its certificates' encryption"},
                                                                             {1, "its private key's encryption"},
                                                                             {2, "its integrity MAC's"}}) {
        CAPTURE(what);
        const std::string path = write_file("many-iterations.p12", with_iterations_raised(whole, index));
        for (const std::string& pass : {std::string(), passphrase(), std::string("wrong")}) {
            const auto started = std::chrono::steady_clock::now();
            const auto refused = load_identity(path, "", pass);
            // 8388607 iterations take several seconds per derivation; a refusal takes none.
            CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(1));
            CHECK(refused.ec == errc::tls_config);
            CHECK(refused.message == "client certificate file '" + path + "' is a PKCS#12 file refused unopened: " +
                                         what + " iteration count is 8388607, over the limit of 1000000 this client "
                                                "derives keys with (files in use take 2048 to 10000); export it again "
                                                "with a usual count (`openssl pkcs12 -export -iter 2048`)");
        }
        CHECK(contains(load_anchors(path, passphrase()).message, "CA file '" + path + "' is a PKCS#12 file refused"));
    }
}

TEST_CASE("pkcs12: a bundle is known by its content, whatever its name") {
    const std::string renamed = write_file("bundle-named-like.crt", file_bytes(pki().path("client.p12")));
    const auto out = load_identity(renamed, "", passphrase());
    CHECK_MESSAGE(!out.ec, out.message);
    CHECK(out.identity.private_key);
}

TEST_CASE("pkcs12: an encrypted bundle needs its passphrase, and a wrong one is named as such") {
    const std::string path = pki().path("client.p12");
    auto out = load_identity(path);
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "client certificate file '" + path +
                             "' is a PKCS#12 file protected by a passphrase and no passphrase was given; supply the "
                             "bundle's passphrase (as for an encrypted private key)");
    CHECK(out.identity.empty());

    const std::string wrong = "not-" + passphrase();
    out = load_identity(path, "", wrong);
    CHECK(out.ec == errc::tls_config);
    CHECK(contains(out.message, "client certificate file '" + path + "' is a PKCS#12 file that the passphrase given "
                                                                     "does not open: the passphrase is wrong"));
    CHECK_FALSE(contains(out.message, wrong));
    CHECK_FALSE(contains(out.message, passphrase()));

    // The legacy algorithms and keytool's output are told apart the same way.
    for (const char* file : {"client-legacy.p12", "client-keytool.p12"}) {
        CAPTURE(file);
        CHECK(contains(load_identity(pki().path(file)).message, "no passphrase was given"));
        CHECK(contains(load_identity(pki().path(file), "", wrong).message, "the passphrase is wrong"));
    }
}

TEST_CASE("pkcs12: a bundle with no key, no certificate, or a key that is not the certificate's") {
    auto out = load_identity(pki().path("client-nokey.p12"));
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "client certificate file '" + pki().path("client-nokey.p12") +
                             "' is a PKCS#12 file that holds no private key (only certificates: a truststore?); "
                             "export the bundle with the client's key, or give a PEM certificate and key");

    out = load_identity(pki().path("client-nocert.p12"));
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "client certificate file '" + pki().path("client-nocert.p12") +
                             "' is a PKCS#12 file that holds a private key but no certificate; export the bundle "
                             "with the client certificate");

    const std::string mismatched = pki().path("mismatched.p12");
    write_mismatched_pkcs12(pki(), mismatched);
    out = load_identity(mismatched);
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "the private key in PKCS#12 file '" + mismatched +
                             "' belongs to none of its 1 certificate; export the bundle again with the certificate "
                             "issued for that key");
    CHECK(out.identity.empty());
}

TEST_CASE("pkcs12: a damaged or truncated bundle is a clear error at every length") {
    const std::string whole = file_bytes(pki().path("client.p12"));
    REQUIRE(whole.size() > 1000);
    // Every length through the header that tells PKCS#12 apart, then every 37th.
    for (std::size_t length = 1; length < whole.size(); length += length < 64 ? 1 : 37) {
        CAPTURE(length);
        const std::string path = write_file("truncated.p12", whole.substr(0, length));
        const auto out = load_identity(path, "", passphrase());
        CHECK(out.ec == errc::tls_config);
        CHECK(contains(out.message, "'" + path + "'"));
    }
    // Cut after its header: still recognised as PKCS#12, and named damaged.
    const std::string cut = write_file("cut.p12", whole.substr(0, whole.size() / 2));
    const auto out = load_identity(cut, "", passphrase());
    CHECK(contains(out.message, "client certificate file '" + cut + "' is a PKCS#12 file that cannot be read, damaged "
                                                                    "or truncated ("));
    // One byte changed inside: the MAC no longer verifies.
    std::string flipped = whole;
    flipped[whole.size() / 2] = static_cast<char>(flipped[whole.size() / 2] ^ 0x55);
    const std::string changed = write_file("changed.p12", flipped);
    CHECK(load_identity(changed, "", passphrase()).ec == errc::tls_config);
    // Bytes after its end.
    const std::string trailing = write_file("trailing.p12", whole + "junk");
    CHECK(contains(load_identity(trailing, "", passphrase()).message, "damaged or truncated (4 bytes follow its end)"));
}

TEST_CASE("pkcs12: Java keystores in JKS and JCEKS format are refused with the conversion") {
    for (const auto& [file, kind] : std::vector<std::pair<std::string, std::string>>{{"client.jks", "JKS"},
                                                                                     {"client.jceks", "JCEKS"}}) {
        const std::string path = pki().path(file);
        const auto out = load_identity(path, "", passphrase());
        CHECK(out.ec == errc::tls_config);
        CHECK(out.message == "client certificate file '" + path + "' is a Java keystore in " + kind +
                                 " format, which cannot be read here; convert it to PKCS#12 with `keytool "
                                 "-importkeystore -srckeystore " +
                                 path + " -destkeystore " + path + ".p12 -deststoretype PKCS12` and give " + path +
                                 ".p12");
    }
    const std::string truststore = pki().path("server-ca.jks");
    const auto out = load_anchors(truststore, "changeit");
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message.starts_with("CA file '" + truststore + "' is a Java keystore in JKS format"));
    CHECK(contains(out.message, "`keytool -importkeystore -srckeystore " + truststore + " -destkeystore " +
                                    truststore + ".p12 -deststoretype PKCS12`"));
}

TEST_CASE("pkcs12: the keytool command for a Java keystore quotes a name a shell would interpret") {
    const std::string quoted_dir = pki().path("it's a $dir");
    std::filesystem::create_directories(quoted_dir);
    const std::string path = quoted_dir + "/client.jks";
    std::filesystem::copy_file(pki().path("client.jks"), path, std::filesystem::copy_options::overwrite_existing);
    const std::string quoted = "'" + pki().path("it'\\''s a $dir") + "/client.jks";
    const auto out = load_identity(path, "", passphrase());
    CHECK(contains(out.message, "`keytool -importkeystore -srckeystore " + quoted + "' -destkeystore " + quoted +
                                    ".p12' -deststoretype PKCS12`"));
}

TEST_CASE("pkcs12: a separate key file with a bundle is refused, unless it is the bundle itself") {
    const std::string bundle = pki().path("client.p12");
    auto out = load_identity(bundle, pki().path("client.key"), passphrase());
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "client certificate file '" + bundle +
                             "' is a PKCS#12 bundle with its own private key, and a private key file ('" +
                             pki().path("client.key") + "') was given too; give the bundle alone");
    out = load_identity(bundle, bundle, passphrase());
    CHECK_MESSAGE(!out.ec, out.message);

    // A bundle of certificates only is no identity, with or without a key file.
    out = load_identity(pki().path("client-nokey.p12"), pki().path("client.key"));
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "client certificate file '" + pki().path("client-nokey.p12") +
                             "' is a PKCS#12 bundle that holds no private key, only certificates, which cannot be the "
                             "client identity even with the private key file ('" +
                             pki().path("client.key") + "'); give the PEM certificate and its key, or a bundle with both");

    // A bundle given as the key of a PEM certificate.
    out = load_identity(pki().path("client.crt"), bundle, passphrase());
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "private key file '" + bundle +
                             "' is a PKCS#12 bundle, not a PEM key; give the bundle as the client certificate file, "
                             "alone");
    // A key-only bundle given as the key: it cannot stand alone either.
    const std::string key_only = pki().path("client-nocert.p12");
    out = load_identity(pki().path("client.crt"), key_only);
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "private key file '" + key_only +
                             "' is a PKCS#12 bundle that holds a private key but no certificate, not a PEM key; give "
                             "the key in PEM (`openssl pkcs12 -nocerts -nodes -in " +
                             key_only + "`), or a bundle with the certificate and key as the client certificate file, "
                                        "alone");
    out = load_identity(pki().path("client.crt"), pki().path("client.jks"), passphrase());
    CHECK(contains(out.message, "private key file '" + pki().path("client.jks") + "' is a Java keystore in JKS"));

    // A PEM certificate alone still needs its key.
    out = load_identity(pki().path("client.crt"));
    CHECK(contains(out.message, "was given without its private key file; give both, or a PKCS#12 bundle"));
}

TEST_CASE("pkcs12: a bundle readable by others is a warning") {
    const std::string open_copy = pki().path("client-open.p12");
    std::filesystem::copy_file(pki().path("client.p12"), open_copy, std::filesystem::copy_options::overwrite_existing);
    std::filesystem::permissions(open_copy, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                                std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    const auto out = load_identity(open_copy, "", passphrase());
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(out.warnings == std::vector<std::string>{"PKCS#12 file '" + open_copy +
                                                   "' is accessible by other users (mode 0644); restrict it with "
                                                   "`chmod 600 " +
                                                   open_copy + "`"});
}

TEST_CASE("pkcs12: trust anchors from PEM files and PKCS#12 truststores") {
    auto out = load_anchors(pki().path("trusted-client-cas.pem"));
    REQUIRE_MESSAGE(!out.ec, out.message);
    REQUIRE(out.anchors.size() == 2);
    CHECK(common_name(out.anchors[0].get()) == "cqlwire tests client CA");

    // openssl's certificates-only file with the empty passphrase needs none.
    out = load_anchors(pki().path("server-ca-open.p12"));
    REQUIRE_MESSAGE(!out.ec, out.message);
    REQUIRE(out.anchors.size() == 1);
    CHECK(common_name(out.anchors[0].get()) == "cqlwire tests server CA");

    // keytool's truststore has a password.
    const std::string truststore = pki().path("server-ca-truststore.p12");
    out = load_anchors(truststore);
    CHECK(out.ec == errc::tls_config);
    CHECK(out.message == "CA file '" + truststore +
                             "' is a PKCS#12 file protected by a passphrase and no passphrase was given; supply the "
                             "truststore's password as the key passphrase (a Java truststore's is often 'changeit')");
    CHECK(out.anchors.empty());
    out = load_anchors(truststore, "changeit");
    REQUIRE_MESSAGE(!out.ec, out.message);
    REQUIRE(out.anchors.size() == 1);
    CHECK(common_name(out.anchors[0].get()) == "cqlwire tests server CA");
    out = load_anchors(truststore, "changeme");
    CHECK(contains(out.message, "the passphrase is wrong"));
    CHECK_FALSE(contains(out.message, "changeme"));

    // A key-only bundle holds nothing to trust; a whole keystore's certificates are trusted.
    CHECK(contains(load_anchors(pki().path("client-nocert.p12")).message, "is a PKCS#12 file that holds no certificate"));
    out = load_anchors(pki().path("client.p12"), passphrase());
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(out.anchors.size() == 2);
}

TEST_CASE("pkcs12: what a command asks before prompting for a passphrase") {
    CHECK(transport::is_pkcs12_file(pki().path("client.p12")));
    CHECK(transport::is_pkcs12_file(pki().path("server-ca-truststore.p12")));
    CHECK_FALSE(transport::is_pkcs12_file(pki().path("client.crt")));
    CHECK_FALSE(transport::is_pkcs12_file(pki().path("client.jks")));
    CHECK_FALSE(transport::is_pkcs12_file(pki().path("no-such-file.p12")));

    CHECK(transport::pkcs12_file_needs_passphrase(pki().path("client.p12")));
    CHECK(transport::pkcs12_file_needs_passphrase(pki().path("client-legacy.p12")));
    CHECK(transport::pkcs12_file_needs_passphrase(pki().path("server-ca-truststore.p12")));
    CHECK_FALSE(transport::pkcs12_file_needs_passphrase(pki().path("client-plain.p12")));
    CHECK_FALSE(transport::pkcs12_file_needs_passphrase(pki().path("server-ca-open.p12")));
    CHECK_FALSE(transport::pkcs12_file_needs_passphrase(pki().path("client-encrypted.key")));

    CHECK(transport::pkcs12_file_opens_with(pki().path("client.p12"), auth::secret_bytes(passphrase())));
    CHECK_FALSE(transport::pkcs12_file_opens_with(pki().path("client.p12"), auth::secret_bytes("wrong")));
    CHECK(transport::pkcs12_file_opens_with(pki().path("server-ca-truststore.p12"), auth::secret_bytes("changeit")));
}

fake_cql_server::options server_requiring_client_ca() {
    fake_cql_server::options o;
    o.tls = fake_server_tls("client-ca.crt", true);
    return o;
}

// Connects with `o` and runs the start-up exchange, so that the server has seen the handshake.
void connect_and_start(const fake_cql_server& server, const transport::tls_options& o) {
    boost::asio::io_context ioc;
    auto outcome = connect_to(ioc, "localhost", server.port(), make_context(o));
    REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    transport::connection c(std::move(*outcome.stream), {});
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
}

TEST_CASE("pkcs12: the server sees the certificate of a PKCS#12 identity") {
    for (const auto& [file, pass] : std::vector<std::pair<std::string, std::string>>{{"client.p12", passphrase()},
                                                                                     {"client-legacy.p12", passphrase()},
                                                                                     {"client-keytool.p12", passphrase()}}) {
        CAPTURE(file);
        fake_cql_server server(server_requiring_client_ca());
        transport::tls_options o = trust_server_ca();
        o.certificate_file = pki().path(file);
        o.private_key_password = auth::secret_bytes(pass);
        connect_and_start(server, o);
        CHECK(server.client_certificate_subjects() ==
              std::vector<std::string>{"/O=cqlwire tests/CN=cqlwire-tests-client"});
    }
}

TEST_CASE("pkcs12: a server is trusted through a PKCS#12 truststore, and only through what it holds") {
    fake_cql_server server(server_requiring_client_ca());
    transport::tls_options o = with_client_certificate("client");
    o.ca_files = {pki().path("server-ca-truststore.p12")};
    o.private_key_password = auth::secret_bytes("changeit");
    connect_and_start(server, o);

    // A truststore without the server's CA: the same server is not trusted.
    transport::tls_options other = with_client_certificate("client");
    other.ca_files = {pki().path("client-nokey.p12")};
    boost::asio::io_context ioc;
    const auto outcome = connect_to(ioc, "localhost", server.port(), make_context(other));
    CHECK(outcome.ec == errc::certificate_untrusted);
}

}  // namespace

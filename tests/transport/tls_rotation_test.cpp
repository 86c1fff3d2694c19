// Certificates rotated without a restart: a tls_context reads its files again when they change
// on disk, for the connections opened after the change; a replacement it cannot use leaves the
// old identity in service and is reported once.
#include "test_support.hpp"

#include <filesystem>
#include <fstream>
#include <string>
#include <tuple>
#include <vector>

#include <openssl/bn.h>
#include <openssl/pem.h>
#include <unistd.h>

#include "cqlwire/transport/connection.hpp"
#include "fake_cql_server.hpp"
#include "transport_test_support.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::transport;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

fake_cql_server::options server_asking_for_certificates() {
    fake_cql_server::options o;
    o.tls = fake_server_tls();
    return o;
}

std::string read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

// Replaces `to` the way deployment tools do: written beside it, then renamed over it.
void replace_file(const fs::path& to, const std::string& content) {
    const fs::path temp = to.string() + ".new";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << content;
    }
    fs::rename(temp, to);
}

// The serial number of the certificate in a PEM file, in upper-case hex.
std::string serial_of(const std::string& pem_file) {
    const std::string text = read_all(pem_file);
    BIO* bio = BIO_new_mem_buf(text.data(), static_cast<int>(text.size()));
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    REQUIRE(cert != nullptr);
    BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
    char* hex = BN_bn2hex(bn);
    std::string serial = hex;
    OPENSSL_free(hex);
    BN_free(bn);
    X509_free(cert);
    return serial;
}

// A folder of its own holding the files the context is built from.
struct scratch_dir {
    fs::path path = fs::temp_directory_path() / ("cqlwire-rotation-" + std::to_string(::getpid()));
    scratch_dir() {
        fs::remove_all(path);
        fs::create_directories(path);
    }
    ~scratch_dir() {
        std::error_code ignored;
        fs::remove_all(path, ignored);
    }
};

// Opens a connection and finishes the CQL start-up, so that the server has recorded the
// certificate it saw before this returns.
std::error_code open_and_start(const fake_cql_server& server, const std::shared_ptr<tls_context>& ctx) {
    asio::io_context ioc;
    auto outcome = connect_to(ioc, "localhost", server.port(), ctx);
    if (outcome.ec) return outcome.ec;
    connection c(std::move(*outcome.stream), {});
    protocol::diagnostics diag;
    return c.startup({}, diag);
}

// A client identity in files of its own (client.crt/.key at first) and a context made from them
// that records what it reports.
struct rotating_identity {
    scratch_dir dir;
    fs::path cert = dir.path / "identity.crt";
    fs::path key = dir.path / "identity.key";
    std::vector<std::string> failures;
    std::shared_ptr<tls_context> ctx;

    rotating_identity() {
        replace_file(cert, read_all(pki().path("client.crt")));
        replace_file(key, read_all(pki().path("client.key")));
        tls_options o = trust_server_ca();
        o.certificate_file = cert.string();
        o.private_key_file = key.string();
        o.on_reload_failure = [this](std::string_view reason) { failures.emplace_back(reason); };
        ctx = make_context(o);
    }
};

}  // namespace

TEST_CASE("rotation: a renewed client certificate is presented by the next connection; a mismatched pair is not") {
    fake_cql_server server(server_asking_for_certificates());
    rotating_identity identity;
    const auto& [cert, key, failures, ctx] = std::tie(identity.cert, identity.key, identity.failures, identity.ctx);

    const std::string first = serial_of(pki().path("client.crt"));
    const std::string second = serial_of(pki().path("client-ec.crt"));
    REQUIRE(first != second);

    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == first);

    // Both files renewed: the next connection presents the new certificate.
    replace_file(cert, read_all(pki().path("client-ec.crt")));
    replace_file(key, read_all(pki().path("client-ec.key")));
    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == second);
    CHECK(ctx->reloads() == 1);
    CHECK(failures.empty());

    // Only the certificate replaced so far: it does not match the key on disk. The identity in
    // service stays, and the failure is reported once, not on every connection.
    replace_file(cert, read_all(pki().path("client.crt")));
    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == second);
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].find("does not belong to the certificate") != std::string::npos);
    CHECK(failures[0].find("previous ones stay in service") != std::string::npos);
    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == second);
    CHECK(failures.size() == 1);

    // The key follows: the pair matches again and is put in service.
    replace_file(key, read_all(pki().path("client.key")));
    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == first);
    CHECK(ctx->reloads() == 2);
    CHECK(failures.size() == 1);
}

TEST_CASE("rotation: a half-written certificate file is not used; the old identity keeps working") {
    fake_cql_server server(server_asking_for_certificates());
    rotating_identity identity;
    const auto& [cert, failures, ctx] = std::tie(identity.cert, identity.failures, identity.ctx);

    const std::string whole = read_all(pki().path("client-ec.crt"));
    // Written in place, and cut off in the middle: what a reader sees while a copy is running.
    {
        std::ofstream out(cert, std::ios::binary | std::ios::trunc);
        out << whole.substr(0, whole.size() / 2);
    }
    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == serial_of(pki().path("client.crt")));
    REQUIRE(failures.size() == 1);
    CHECK(failures[0].find(cert.string()) != std::string::npos);

    // A file that vanished for a moment is a failure too, not a crash.
    fs::remove(cert);
    REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(server.client_certificate_serials().back() == serial_of(pki().path("client.crt")));
    CHECK(failures.size() == 2);
    CHECK(ctx->reloads() == 0);
}

TEST_CASE("rotation: a renewed CA file is trusted by the next connection") {
    fake_cql_server server(server_asking_for_certificates());
    scratch_dir dir;
    const fs::path ca = dir.path / "ca.pem";
    replace_file(ca, read_all(pki().path("other-ca.crt")));  // not the server's CA yet
    tls_options o;
    o.ca_files = {ca.string()};
    o.certificate_file = pki().path("client.crt");
    o.private_key_file = pki().path("client.key");
    const auto ctx = make_context(o);

    CHECK(open_and_start(server, ctx) == errc::certificate_untrusted);
    replace_file(ca, read_all(pki().path("server-ca.crt")));
    CHECK(open_and_start(server, ctx) == std::error_code{});
    CHECK(ctx->reloads() == 1);
}

TEST_CASE("rotation: without changes nothing is read again") {
    fake_cql_server server(server_asking_for_certificates());
    const auto ctx = make_context(with_client_certificate("client"));
    for (int i = 0; i < 3; ++i) REQUIRE(open_and_start(server, ctx) == std::error_code{});
    CHECK(ctx->reloads() == 0);
    CHECK(server.client_certificate_serials().size() == 3);
}

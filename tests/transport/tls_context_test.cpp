// Building the client context: settings OpenSSL refuses are tls_config errors that name the
// setting; good settings give a context whose defaults are the safe ones.
#include "test_support.hpp"

#include <filesystem>

#include "cqlwire/transport/internal/stream.hpp"
#include "cqlwire/transport/internal/tls_context.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::pair<std::error_code, std::string> create(const transport::tls_options& o,
                                               std::shared_ptr<transport::tls_context>* keep = nullptr) {
    std::shared_ptr<transport::tls_context> ctx;
    std::vector<std::string> warnings;
    protocol::diagnostics diag;
    const auto ec = transport::tls_context::create(o, ctx, warnings, diag);
    CHECK(static_cast<bool>(ec) != static_cast<bool>(ctx));  // exactly one of error or context
    if (keep != nullptr) *keep = ctx;
    return {ec, diag.client_message()};
}

TEST_CASE("tls context: the defaults verify the server, with TLS 1.2 as the floor") {
    std::shared_ptr<transport::tls_context> ctx;
    const auto [ec, message] = create(transport::tls_options{}, &ctx);  // the system trust store
    REQUIRE_MESSAGE(!ec, message);
    CHECK(ctx->verify());
    CHECK(ctx->server_name().empty());
    CHECK_FALSE(ctx->has_client_certificate());
    CHECK(SSL_CTX_get_verify_mode(ctx->internals().native_handle()) == SSL_VERIFY_PEER);
    CHECK(SSL_CTX_get_min_proto_version(ctx->internals().native_handle()) == TLS1_2_VERSION);
    CHECK(SSL_CTX_get_max_proto_version(ctx->internals().native_handle()) == 0);
}

TEST_CASE("tls context: settings are carried into the context") {
    auto o = with_client_certificate("client");
    o.server_name = "node1.cassandra.test";
    o.min_version = transport::tls_version::tls1_3;
    o.max_version = transport::tls_version::tls1_3;
    std::shared_ptr<transport::tls_context> ctx;
    const auto [ec, message] = create(o, &ctx);
    REQUIRE_MESSAGE(!ec, message);
    CHECK(ctx->server_name() == "node1.cassandra.test");
    CHECK(ctx->has_client_certificate());
    CHECK(SSL_CTX_get_min_proto_version(ctx->internals().native_handle()) == TLS1_3_VERSION);
    CHECK(SSL_CTX_get_max_proto_version(ctx->internals().native_handle()) == TLS1_3_VERSION);

    o = transport::tls_options{};
    o.verify = false;
    REQUIRE_FALSE(create(o, &ctx).first);
    CHECK_FALSE(ctx->verify());
    CHECK(SSL_CTX_get_verify_mode(ctx->internals().native_handle()) == SSL_VERIFY_NONE);
}

TEST_CASE("tls context: a minimum version above the maximum is refused") {
    auto o = trust_server_ca();
    o.min_version = transport::tls_version::tls1_3;
    o.max_version = transport::tls_version::tls1_2;
    const auto [ec, message] = create(o);
    CHECK(ec == errc::tls_config);
    CHECK(contains(message, "minimum TLS version (TLS 1.3) is above the maximum (TLS 1.2)"));
}

TEST_CASE("tls context: unknown ciphers are refused, naming the list") {
    auto o = trust_server_ca();
    o.cipher_list = "NO-SUCH-CIPHER";
    auto [ec, message] = create(o);
    CHECK(ec == errc::tls_config);
    CHECK(contains(message, "'NO-SUCH-CIPHER'"));

    o = trust_server_ca();
    o.ciphersuites = "TLS_NO_SUCH_SUITE";
    std::tie(ec, message) = create(o);
    CHECK(ec == errc::tls_config);
    CHECK(contains(message, "'TLS_NO_SUCH_SUITE'"));
}

TEST_CASE("tls context: the cipher settings limit what is negotiated") {
    for (const bool tls13 : {false, true}) {
        CAPTURE(tls13);
        auto server_opts = server_with();
        tls_test_server server(server_opts);
        auto o = trust_server_ca();
        if (tls13) {
            o.min_version = transport::tls_version::tls1_3;
            o.ciphersuites = "TLS_CHACHA20_POLY1305_SHA256";
        } else {
            o.max_version = transport::tls_version::tls1_2;
            o.cipher_list = "ECDHE-RSA-AES128-GCM-SHA256";
        }
        boost::asio::io_context ioc;
        auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
        REQUIRE_MESSAGE(!out.ec, out.message);
        const std::string cipher = SSL_get_cipher_name(tls_stream_of(*out.stream)->native_handle());
        CHECK(cipher == (tls13 ? "TLS_CHACHA20_POLY1305_SHA256" : "ECDHE-RSA-AES128-GCM-SHA256"));
    }
}

TEST_CASE("tls context: a file problem found by the pre-flight checks stops creation") {
    auto o = with_client_certificate("client");
    o.private_key_file = pki().path("client-encrypted.key");
    const auto [ec, message] = create(o);
    CHECK(ec == errc::tls_config);
    CHECK(contains(message, "is encrypted and no password was given"));
}

TEST_CASE("tls context: a client chain file sends its intermediates") {
    // server-chain.crt/.key used as a client identity: leaf + intermediate in one file.
    auto o = trust_server_ca();
    o.certificate_file = pki().path("server-chain.crt");
    o.private_key_file = pki().path("server-chain.key");
    std::shared_ptr<transport::tls_context> ctx;
    REQUIRE_FALSE(create(o, &ctx).first);
    STACK_OF(X509)* chain = nullptr;
    REQUIRE(SSL_CTX_get0_chain_certs(ctx->internals().native_handle(), &chain) == 1);
    REQUIRE(chain != nullptr);
    CHECK(sk_X509_num(chain) == 1);
}

}  // namespace

namespace {

TEST_CASE("tls context: without a CA the system store is used, and it does not know the test CA") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "localhost", server.port(), make_context(transport::tls_options{}));
    CHECK(out.ec == errc::certificate_untrusted);
    CHECK(contains(out.message, "issued by 'CN=cqlwire tests server CA,O=cqlwire tests'"));
}

TEST_CASE("tls context: a CA folder laid out by `openssl rehash` is trusted") {
    const auto folder = pki().dir() / "ca-folder";
    std::filesystem::create_directories(folder);
    std::filesystem::copy_file(pki().path("server-ca.crt"), folder / "server-ca.crt",
                               std::filesystem::copy_options::overwrite_existing);
    const std::string command = "openssl rehash '" + folder.string() + "'";
    REQUIRE(std::system(command.c_str()) == 0);

    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    transport::tls_options o;
    o.ca_directory = folder.string();
    auto out = connect_to(ioc, "localhost", server.port(), make_context(o));
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
}

}  // namespace

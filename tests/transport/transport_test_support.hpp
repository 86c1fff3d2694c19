// Shared pieces of the transport tests: building client contexts from the test PKI, a blocking
// connect that returns everything the tests look at, and reading the server's first bytes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio.hpp>

#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/tls_diagnosis.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"
#include "transport/tls_test_server.hpp"

namespace cqlwire::test {

inline const test_pki& pki() { return test_pki::instance(); }

// Client options that trust the server CA and present nothing.
inline transport::tls_options trust_server_ca() {
    transport::tls_options o;
    o.ca_files = {pki().path("server-ca.crt")};
    return o;
}

// ... and present the named client certificate (NAME.crt / NAME.key).
inline transport::tls_options with_client_certificate(const std::string& name) {
    transport::tls_options o = trust_server_ca();
    o.certificate_file = pki().path(name + ".crt");
    o.private_key_file = pki().path(name + ".key");
    return o;
}

// The fake CQL server's TLS settings: it presents SERVER.crt/.key (default: the good "server"
// leaf) and, unless `client_cas` is empty, asks for a client certificate from the CAs in that
// file of the test PKI — demanding one when `require_client_certificate`.
inline fake_cql_server::tls_settings fake_server_tls(const std::string& client_cas = "trusted-client-cas.pem",
                                                     bool require_client_certificate = true,
                                                     const std::string& server = "server") {
    fake_cql_server::tls_settings tls;
    tls.certificate_chain_file = pki().path(server + ".crt");
    tls.private_key_file = pki().path(server + ".key");
    if (!client_cas.empty()) tls.client_ca_file = pki().path(client_cas);
    tls.require_client_certificate = require_client_certificate;
    return tls;
}

inline std::shared_ptr<transport::tls_context> make_context(const transport::tls_options& o) {
    std::shared_ptr<transport::tls_context> ctx;
    std::vector<std::string> warnings;
    protocol::diagnostics diag;
    const std::error_code ec = transport::tls_context::create(o, ctx, warnings, diag);
    REQUIRE_MESSAGE(!ec, diag.client_message());
    REQUIRE(ctx);
    return ctx;
}

// A server presenting NAME.crt / NAME.key (default: the good "server" leaf).
inline tls_test_server::options server_with(const std::string& name = "server") {
    tls_test_server::options o;
    o.certificate_chain_file = pki().path(name + ".crt");
    o.private_key_file = pki().path(name + ".key");
    return o;
}

// ... that also demands a client certificate from client-ca or the Azure-style rootCa.
inline tls_test_server::options server_requiring_client_certificate(int tls_version) {
    tls_test_server::options o = server_with();
    o.client_ca_file = pki().path("trusted-client-cas.pem");
    o.require_client_certificate = true;
    o.min_version = tls_version;
    o.max_version = tls_version;
    return o;
}

struct connect_outcome {
    std::error_code ec;
    std::string message;
    std::optional<transport::stream> stream;
};

inline connect_outcome connect_to(boost::asio::io_context& ioc, const std::string& host, std::uint16_t port,
                                  std::shared_ptr<transport::tls_context> tls,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    transport::connect_options o;
    o.host = host;
    o.port = port;
    o.tls = std::move(tls);
    o.connect_timeout = timeout;
    o.handshake_timeout = timeout;
    connect_outcome out;
    protocol::diagnostics diag;
    out.ec = transport::connect(ioc, o, out.stream, diag);
    out.message = diag.client_message();
    return out;
}

struct first_read {
    boost::system::error_code io_error;
    std::error_code classified;  // classify_post_handshake_error's verdict
    std::string message;
    std::string bytes;
};

// Reads until 5 bytes ("hello") arrived or the read fails. Blocking: the test server always
// either writes or closes, so this cannot wait forever.
inline first_read read_first_bytes(transport::stream& s) {
    first_read r;
    char buf[5];
    const std::size_t n = boost::asio::read(s, boost::asio::buffer(buf), r.io_error);
    r.bytes.assign(buf, n);
    if (r.io_error) {
        protocol::diagnostics diag;
        r.classified = transport::classify_post_handshake_error(r.io_error, s.tls_record(), diag);
        r.message = diag.client_message();
    }
    return r;
}

}  // namespace cqlwire::test

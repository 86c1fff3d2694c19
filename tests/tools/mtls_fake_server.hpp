// The fake node the command tests log in to: set up like the testbed and a managed cluster —
// mutual TLS with the test PKI's server certificate (a client certificate from its trusted CAs
// required) and PasswordAuthenticator with one user.
#pragma once

#include <string>
#include <utility>

#include "fake_cql_server.hpp"
#include "pki/test_pki.hpp"

namespace cqlwire::test {

inline fake_cql_server::options mtls_password_server_options(std::string user, std::string password) {
    const auto& pki = test_pki::instance();
    fake_cql_server::options o;
    o.tls = fake_cql_server::tls_settings{pki.path("server.crt"), pki.path("server.key"),
                                          pki.path("trusted-client-cas.pem"), true};
    o.authenticator_class = "org.apache.cassandra.auth.PasswordAuthenticator";
    o.username = std::move(user);
    o.password = std::move(password);
    return o;
}

}  // namespace cqlwire::test

// A started-up connection to the testbed node with a query_client over it, for the suites that
// use the library directly rather than the command.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/transport/query_client.hpp"
#include "cqlwire/transport/session.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "test_support.hpp"
#include "testbed_env.hpp"

namespace cqlwire::integration {

// A connection to the testbed's TLS port, presenting the article's client certificate and
// logging in with the test role's password.
struct testbed_connection {
    testbed_connection() {
        const auto& tb = require_testbed();
        transport::tls_options tls;
        tls.ca_files = {tb.pki_file("server-ca.crt")};
        tls.certificate_file = tb.pki_file("rootCa.crt");
        tls.private_key_file = tb.pki_file("rootCa.key");
        tls.server_name = "localhost";
        std::vector<std::string> warnings;
        protocol::diagnostics diag;
        REQUIRE_MESSAGE(transport::tls_context::create(tls, context, warnings, diag) == std::error_code{},
                        diag.client_message());
        auth::plain_text_authenticator authenticator(tb.user, tb.password);
        transport::open_options o;
        o.connect.host = tb.host;
        o.connect.port = tb.port;
        o.connect.tls = context;
        o.authenticator = &authenticator;
        o.connection.request_timeout = std::chrono::seconds(30);
        const auto ec = transport::open_connection(ioc, o, connection, diag);
        REQUIRE_MESSAGE(ec == std::error_code{}, diag.client_message());
        REQUIRE(connection);
        client.emplace(*connection);
    }

    boost::asio::io_context ioc;
    std::shared_ptr<transport::tls_context> context;
    std::optional<transport::connection> connection;
    std::optional<transport::query_client> client;
};

}  // namespace cqlwire::integration

// The frame tracer fed by a connection's frame observer, as `cqlwire --trace-frames` uses it:
// the frames of a real start-up over TLS, the login token among them, traced without the secret.
#include "test_support.hpp"

#include <string>
#include <utility>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/transport/connection.hpp"
#include "fake_cql_server.hpp"
#include "transport/transport_test_support.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
namespace asio = boost::asio;

TEST_CASE("frame tracer over a frame observer: the login token is masked, the query shown") {
    fake_cql_server::options o;
    o.tls = fake_server_tls();
    o.authenticator_class = "org.apache.cassandra.auth.PasswordAuthenticator";
    o.username = "cassandra";
    o.password = "s3cret";
    fake_cql_server server(std::move(o));
    asio::io_context ioc;
    auto outcome = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate("client")));
    REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    transport::connection c(std::move(*outcome.stream));

    std::string trace;
    inspect::frame_tracer tracer;
    c.set_frame_observer([&](const transport::frame_event& e) {
        const auto sender = e.dir == transport::frame_event::direction::sent ? inspect::frame_sender::client
                                                                             : inspect::frame_sender::server;
        tracer.append({0, sender, e.header, e.body}, trace);
    });

    auth::plain_text_authenticator creds("cassandra", "s3cret");
    protocol::diagnostics diag;
    REQUIRE(c.startup({&creds}, diag) == std::error_code{});
    std::error_code ec;
    static_cast<void>(c.query("SELECT * FROM system.local", ec, diag));
    REQUIRE(ec == std::error_code{});

    CHECK(trace.find("s3cret") == std::string::npos);
    CHECK(trace.find("AUTH_RESPONSE flags=- length=") != std::string::npos);
    CHECK(trace.find("query=\"SELECT * FROM system.local\"") != std::string::npos);
}

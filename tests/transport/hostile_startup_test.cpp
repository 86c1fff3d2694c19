// Hostile server during the start-up exchange: endless AUTH_CHALLENGEs, answers out of order
// (READY where AUTHENTICATE's sequel was due and the reverse), an authenticator class outside the
// allow-list, a STARTUP never answered. Each ends in its own error within the start-up timeout;
// no credential leaves for a server that was not allowed to have it; a request issued while the
// exchange runs is refused at once (operation_in_progress), and one issued after the failure
// fails with the start-up's own error.
#include "test_support.hpp"

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "transport/hostile_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::test::hostile;
using transport::errc;
namespace asio = boost::asio;

constexpr std::string_view password_authenticator = "org.apache.cassandra.auth.PasswordAuthenticator";

struct startup_outcome {
    std::error_code ec;
    protocol::diagnostics diag;
    std::chrono::milliseconds elapsed{0};
    std::error_code during;  // a request issued while the exchange ran
    std::error_code after;   // a request issued after it failed
};

// Runs the start-up against `server` with `authenticator`, a request issued alongside it.
startup_outcome start_up(const fake_cql_server& server, auth::authenticator* authenticator) {
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, server.port()), short_timeouts());
    startup_outcome out;
    bool started = false;
    bool during_done = false;
    const auto start = clock::now();
    c.async_startup(transport::startup_config{authenticator}, out.diag, [&](std::error_code ec) {
        out.ec = ec;
        out.elapsed = since(start);
        started = true;
    });
    c.async_query("SELECT * FROM system.local", [&](std::error_code ec, transport::response) {
        out.during = ec;
        during_done = true;
    });
    while ((!started || !during_done) && since(start) < hard_stop) ioc.run_one_for(50ms);
    REQUIRE(started);
    REQUIRE(during_done);
    std::error_code ec;
    protocol::diagnostics diag;
    c.query("SELECT * FROM system.local", ec, diag);
    out.after = ec;
    return out;
}

void check_failed(const startup_outcome& o, std::error_code expected, std::string_view message_part) {
    INFO(o.diag.client_message());
    CHECK(o.ec == expected);
    CHECK(contains(o.diag.client_message(), message_part));
    CHECK(o.elapsed < startup_timeout + slack);
    CHECK(o.during == std::errc::operation_in_progress);
    CHECK(o.after == expected);
}

fake_cql_server::options with_authenticator(std::string_view cls = password_authenticator) {
    fake_cql_server::options o;
    o.authenticator_class = std::string(cls);
    o.username = "u";
    o.password = "p";
    return o;
}

// The frame `op` with an empty-token body where it has one, on the request's stream.
bytes answer(protocol::opcode op, std::int16_t stream) {
    protocol::response_frame_options f;
    f.stream = stream;
    bytes out;
    std::error_code ec;
    switch (op) {
    case protocol::opcode::ready: ec = protocol::encode_ready(out, f); break;
    case protocol::opcode::authenticate: ec = protocol::encode_authenticate(out, f, password_authenticator); break;
    case protocol::opcode::auth_success:
        ec = protocol::encode_auth_success(out, f, protocol::raw_value::null());
        break;
    default: FAIL("no canned answer for this opcode");
    }
    REQUIRE_FALSE(ec);
    return out;
}

}  // namespace

TEST_CASE("hostile start-up: AUTH_CHALLENGE without end stops at the bound") {
    auto o = with_authenticator("com.datastax.bdp.cassandra.auth.DseAuthenticator");
    o.challenges = {"PLAIN-START", "again"};
    o.endless_challenges = true;
    fake_cql_server server(o);
    // Answers every challenge, so that only the bound can end the loop.
    class always_answers final : public auth::authenticator {
    public:
        std::error_code initial_response(std::string_view, auth::secret_bytes& out) override {
            out.append("x");
            return {};
        }
        std::error_code evaluate_challenge(std::span<const std::uint8_t>, auth::secret_bytes& out) override {
            out.append("y");
            return {};
        }
        void on_success(std::span<const std::uint8_t>) override {}
    } yes;
    const auto r = start_up(server, &yes);
    check_failed(r, errc::too_many_auth_rounds,
                 "more than " + std::to_string(auth::max_challenge_rounds) + " authentication challenges");
    CHECK(server.auth_tokens().size() == static_cast<std::size_t>(1 + auth::max_challenge_rounds));
}

TEST_CASE("hostile start-up: READY where the answer to AUTH_RESPONSE was due") {
    fake_cql_server server(with_authenticator());
    server.on_opcode(protocol::opcode::auth_response, [](fake_session& s, const fake_request& r) {
        s.send_raw(answer(protocol::opcode::ready, r.header.stream));
    });
    auth::plain_text_authenticator creds("u", "p");
    check_failed(start_up(server, &creds), errc::protocol_violation, "unexpected READY to AUTH_RESPONSE");
}

TEST_CASE("hostile start-up: AUTHENTICATE again where the answer to AUTH_RESPONSE was due") {
    fake_cql_server server(with_authenticator());
    server.on_opcode(protocol::opcode::auth_response, [](fake_session& s, const fake_request& r) {
        s.send_raw(answer(protocol::opcode::authenticate, r.header.stream));
    });
    auth::plain_text_authenticator creds("u", "p");
    check_failed(start_up(server, &creds), errc::protocol_violation, "unexpected AUTHENTICATE to AUTH_RESPONSE");
}

TEST_CASE("hostile start-up: AUTH_SUCCESS where READY or AUTHENTICATE was due") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::startup, [](fake_session& s, const fake_request& r) {
        s.send_raw(answer(protocol::opcode::auth_success, r.header.stream));
    });
    auth::plain_text_authenticator creds("u", "p");
    check_failed(start_up(server, &creds), errc::protocol_violation, "unexpected AUTH_SUCCESS to STARTUP");
}

TEST_CASE("hostile start-up: an authenticator class outside the allow-list gets no credentials") {
    fake_cql_server server(with_authenticator("com.example.CredentialHarvester"));
    auth::plain_text_authenticator creds("u", "p");
    const auto r = start_up(server, &creds);
    check_failed(r, errc::authenticator_not_allowed, "no credentials were sent");
    CHECK(r.diag.server_message() == "com.example.CredentialHarvester");
    CHECK(server.auth_tokens().empty());
}

TEST_CASE("hostile start-up: a STARTUP never answered ends at the start-up timeout") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::startup, [](fake_session&, const fake_request&) {});
    const auto r = start_up(server, nullptr);
    check_failed(r, errc::handshake_timeout, "did not complete the CQL start-up within 600 ms");
    CHECK(r.elapsed >= startup_timeout);
}

TEST_CASE("hostile start-up: the answer to STARTUP on another stream id") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::startup, [](fake_session& s, const fake_request&) {
        s.send_raw(answer(protocol::opcode::ready, 7));
    });
    check_failed(start_up(server, nullptr), errc::protocol_violation, "on stream 7 instead of 0");
}

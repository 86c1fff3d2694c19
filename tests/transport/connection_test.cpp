#include "test_support.hpp"

#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "cql_test_client.hpp"
#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/session.hpp"
#include "fake_cql_server.hpp"
#include "transport/transport_test_support.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
using transport::connection;
using transport::errc;
namespace asio = boost::asio;

namespace {

constexpr std::string_view password_authenticator = "org.apache.cassandra.auth.PasswordAuthenticator";

fake_cql_server::options mtls_password_server() {
    fake_cql_server::options o;
    o.tls = fake_server_tls();
    o.authenticator_class = std::string(password_authenticator);
    o.username = "cassandra";
    o.password = "s3cret";
    return o;
}

// Connects over TLS presenting client certificate NAME, and wraps the stream in a connection.
connection tls_connection_to(asio::io_context& ioc, const fake_cql_server& server, const std::string& client = "client",
                             transport::connection_options options = {}) {
    auto outcome = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate(client)));
    REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    REQUIRE(outcome.stream);
    return connection(std::move(*outcome.stream), options);
}

}  // namespace

TEST_CASE("connection: mutual TLS + password, then SELECT * FROM system.local") {
    fake_cql_server server(mtls_password_server());
    asio::io_context ioc;
    auto c = tls_connection_to(ioc, server);
    CHECK(c.is_tls());

    auth::plain_text_authenticator creds("cassandra", "s3cret");
    protocol::diagnostics diag;
    REQUIRE(c.startup({&creds}, diag) == std::error_code{});

    std::error_code ec;
    auto r = c.query("SELECT * FROM system.local", ec, diag);
    REQUIRE(ec == std::error_code{});
    REQUIRE(r.op() == protocol::opcode::result);

    protocol::response_prefix prefix;
    protocol::bytes_view message;
    REQUIRE_FALSE(r.split_prefix(prefix, message));
    protocol::result_view result;
    REQUIRE_FALSE(protocol::decode_result(message, result));
    REQUIRE(result.kind == protocol::result_kind::rows);
    CHECK(result.rows.size() == 1);
    REQUIRE(result.rows.column_count() == 20);
    const std::vector<std::string> expected{"key",
                                            "bootstrapped",
                                            "broadcast_address",
                                            "broadcast_port",
                                            "cluster_name",
                                            "cql_version",
                                            "data_center",
                                            "gossip_generation",
                                            "host_id",
                                            "listen_address",
                                            "listen_port",
                                            "native_protocol_version",
                                            "partitioner",
                                            "rack",
                                            "release_version",
                                            "rpc_address",
                                            "rpc_port",
                                            "schema_version",
                                            "tokens",
                                            "truncated_at"};
    for (std::size_t i = 0; i < expected.size(); ++i) CHECK(result.rows.columns()[i].name == expected[i]);
    CHECK(result.rows.columns()[18].type == protocol::data_type::set_of(protocol::data_type::of(protocol::type_kind::varchar)));
    auto row = *result.rows.begin();
    CHECK(protocol::as_chars(row.raw(0).bytes) == "local");
    CHECK(protocol::as_chars(row.raw(4).bytes) == "Test Cluster");

    // What the server saw: CQL_VERSION, no COMPRESSION, and exactly one SASL PLAIN token.
    auto options = server.startup_options();
    CHECK(options["CQL_VERSION"] == "3.0.0");
    CHECK(options.count("COMPRESSION") == 0);
    auto tokens = server.auth_tokens();
    REQUIRE(tokens.size() == 1);
    CHECK(std::string(tokens[0].begin(), tokens[0].end()) == std::string("\0cassandra\0s3cret", 17));
    CHECK(server.queries() == std::vector<std::string>{"SELECT * FROM system.local"});
}

TEST_CASE("connection: a wrong password over mutual TLS is authentication_failed, and the connection is closed") {
    fake_cql_server server(mtls_password_server());
    asio::io_context ioc;
    auto c = tls_connection_to(ioc, server);
    auth::plain_text_authenticator creds("cassandra", "not-the-password");
    protocol::diagnostics diag;
    CHECK(c.startup({&creds}, diag) == errc::authentication_failed);
    CHECK(diag.server_message().find("incorrect") != std::string::npos);
    CHECK(diag.client_message().find("not-the-password") == std::string::npos);
    CHECK(c.failure() == errc::authentication_failed);

    // A later request carries the cause, with its message.
    std::error_code ec;
    protocol::diagnostics later;
    c.query("SELECT * FROM system.local", ec, later);
    CHECK(ec == errc::authentication_failed);
    CHECK(later.server_message().find("incorrect") != std::string::npos);
}

TEST_CASE("connection: a client certificate the server rejects surfaces at start-up (TLS 1.3)") {
    fake_cql_server server(mtls_password_server());
    asio::io_context ioc;
    // In TLS 1.3 the client's handshake completes before the server judges the certificate;
    // the verdict (an alert) arrives at the first read, which is the start-up's.
    auto options = with_client_certificate("untrusted");
    options.min_version = transport::tls_version::tls1_3;
    auto outcome = connect_to(ioc, "localhost", server.port(), make_context(options));
    REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    connection c(std::move(*outcome.stream));
    auth::plain_text_authenticator creds("cassandra", "s3cret");
    protocol::diagnostics diag;
    CHECK(c.startup({&creds}, diag) == errc::client_certificate_rejected);
    CHECK(server.auth_tokens().empty());
}

TEST_CASE("connection: AUTHENTICATE without credentials is credentials_required") {
    fake_cql_server::options o;
    o.authenticator_class = std::string(password_authenticator);
    fake_cql_server server(o);
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    CHECK(c.startup({}, diag) == errc::credentials_required);
}

TEST_CASE("connection: DSE-style challenge over the wire") {
    fake_cql_server::options o;
    o.authenticator_class = "com.datastax.bdp.cassandra.auth.DseAuthenticator";
    o.username = "u";
    o.password = "p";
    o.challenges = {"PLAIN-START"};
    fake_cql_server server(o);
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    auth::plain_text_authenticator creds("u", "p");
    protocol::diagnostics diag;
    REQUIRE(c.startup({&creds}, diag) == std::error_code{});
    auto tokens = server.auth_tokens();
    REQUIRE(tokens.size() == 2);
    CHECK(std::string(tokens[0].begin(), tokens[0].end()) == "PLAIN");
}

TEST_CASE("connection: endless challenges stop at the bound") {
    fake_cql_server::options o;
    o.authenticator_class = "com.datastax.bdp.cassandra.auth.DseAuthenticator";
    o.challenges = {"PLAIN-START", "again"};
    o.endless_challenges = true;
    fake_cql_server server(o);
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    // An authenticator that answers anything, so that only the bound can stop the loop.
    class yes_authenticator final : public auth::authenticator {
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
    protocol::diagnostics diag;
    CHECK(c.startup({&yes}, diag) == errc::too_many_auth_rounds);
    CHECK(server.auth_tokens().size() == static_cast<std::size_t>(1 + auth::max_challenge_rounds));
}

TEST_CASE("connection: an EVENT is delivered to the event handler, not to a request") {
    fake_cql_server server({});
    // REGISTER is answered with READY and then, at once, an event.
    server.on_opcode(protocol::opcode::register_, [](fake_session& s, const fake_request& r) {
        auto bytes = fake_cql_server::ready_frame(r.header.stream);
        auto event = fake_cql_server::status_up_event_frame();
        bytes.insert(bytes.end(), event.begin(), event.end());
        s.send_raw(std::move(bytes));
    });
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<transport::response> events;
    c.set_event_handler([&](transport::response r) { events.push_back(std::move(r)); });

    const std::string_view types[] = {"STATUS_CHANGE"};
    auto encode_register = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_register(out, protocol::request_frame_options{}, types);
    };
    std::error_code ec;
    auto ready = c.request(encode_register, {}, ec, diag);
    REQUIRE(ec == std::error_code{});
    CHECK(ready.op() == protocol::opcode::ready);

    auto local = c.query("SELECT * FROM system.local", ec, diag);
    REQUIRE(ec == std::error_code{});
    CHECK(first_text_cell(local) == "local");

    REQUIRE(events.size() == 1);
    CHECK(events[0].stream() == -1);
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    REQUIRE_FALSE(events[0].split_prefix(prefix, message));
    protocol::event_view event;
    REQUIRE_FALSE(protocol::decode_event(message, event));
    CHECK(event.type == protocol::event_type::status_change);
    CHECK(event.change == "UP");
}

TEST_CASE("connection: a timed-out request's late response never reaches another request") {
    fake_cql_server server({});
    server.on_query("slow", [](fake_session& s, const fake_request& r) {
        s.send_after(std::chrono::milliseconds(400), fake_cql_server::single_text_row_frame(r.header.stream, "slow"));
    });
    server.on_query("fast", [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::single_text_row_frame(r.header.stream, "fast"));
    });
    asio::io_context ioc;
    transport::connection_options options;
    options.request_timeout = std::chrono::milliseconds(100);
    options.stream_ids = 1;  // one id: the next request would reuse it, were it not quarantined
    connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::error_code ec;
    auto slow = c.query("slow", ec, diag);
    CHECK(ec == errc::request_timeout);
    CHECK(slow.empty());
    CHECK(c.quarantined_stream_ids() == 1);

    // The only id is quarantined until the late answer arrives.
    c.query("fast", ec, diag);
    CHECK(ec == errc::stream_ids_exhausted);

    // The late answer comes (and is dropped); the id is free again.
    run_for(ioc, std::chrono::milliseconds(600));
    CHECK(c.quarantined_stream_ids() == 0);
    CHECK(c.failure() == std::error_code{});

    auto fast = c.query("fast", ec, diag);
    REQUIRE(ec == std::error_code{});
    CHECK(first_text_cell(fast) == "fast");
}

TEST_CASE("connection: a request's timeout counts from its turn, also after a request without one in that turn") {
    // No connection-wide timeout: the first request has none, the second its own. Both are
    // issued in one turn of the event loop and answered at once.
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::query, [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    asio::io_context ioc;
    transport::connection_options options;
    options.request_timeout = std::chrono::milliseconds(0);
    connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::error_code> results;
    auto note = [&](std::error_code ec, transport::response) { results.push_back(ec); };
    transport::request_options timed;
    timed.timeout = std::chrono::seconds(5);
    auto encode = [](std::vector<std::uint8_t>& out) {
        return protocol::encode_query(out, protocol::request_frame_options{}, "timed", protocol::query_parameters{});
    };
    c.async_query("untimed", note);
    c.async_request(encode, timed, note);
    ioc.restart();
    while (results.size() < 2 && ioc.run_one_for(std::chrono::seconds(10)) != 0) {
    }
    REQUIRE(results.size() == 2);
    CHECK(results[0] == std::error_code{});
    CHECK(results[1] == std::error_code{});  // not timed out against a clock never read
}

TEST_CASE("connection: with spare ids, a late answer is dropped while the next request gets its own") {
    fake_cql_server server({});
    server.on_query("slow", [](fake_session& s, const fake_request& r) {
        s.send_after(std::chrono::milliseconds(300), fake_cql_server::single_text_row_frame(r.header.stream, "slow"));
    });
    server.on_query("fast", [](fake_session& s, const fake_request& r) {
        // Answered after the slow one's late answer, so both cross the wire in that order.
        s.send_after(std::chrono::milliseconds(500), fake_cql_server::single_text_row_frame(r.header.stream, "fast"));
    });
    asio::io_context ioc;
    transport::connection_options options;
    options.request_timeout = std::chrono::milliseconds(100);
    connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::error_code ec;
    c.query("slow", ec, diag);
    CHECK(ec == errc::request_timeout);
    transport::request_options patient;
    patient.timeout = std::chrono::milliseconds(3000);
    auto encode_fast = [](std::vector<std::uint8_t>& out) {
        return protocol::encode_query(out, protocol::request_frame_options{}, "fast", protocol::query_parameters{});
    };
    auto fast = c.request(encode_fast, patient, ec, diag);
    REQUIRE(ec == std::error_code{});
    CHECK(first_text_cell(fast) == "fast");
    CHECK(c.quarantined_stream_ids() == 0);
}

TEST_CASE("connection: the server closing mid-way fails every pending request with connection_closed") {
    fake_cql_server server({});
    int held = 0;
    server.on_opcode(protocol::opcode::query, [&held](fake_session& s, const fake_request&) {
        if (++held == 5) s.close();  // never answers; closes once five are waiting
    });
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::error_code> results;
    for (int i = 0; i < 5; ++i)
        c.async_query("q" + std::to_string(i), [&](std::error_code ec, transport::response) { results.push_back(ec); });
    run_for(ioc, std::chrono::milliseconds(2000));
    REQUIRE(results.size() == 5);
    for (auto& ec : results) CHECK(ec == errc::connection_closed);
    CHECK(c.failure() == errc::connection_closed);
    CHECK(c.pending_requests() == 0);

    std::error_code ec;
    protocol::diagnostics after;
    // This test ran the io_context itself until it ran out of work: as for any run, it is
    // restarted before it is run again (by the blocking call).
    ioc.restart();
    c.query("after", ec, after);
    CHECK(ec == errc::connection_closed);
    CHECK(after.client_message() == "while 5 requests were waiting for a response");
}

TEST_CASE("connection: hostile first bytes are classified") {
    asio::io_context ioc;
    // The server answers STARTUP with `reply`, or closes the connection when it is empty.
    auto startup_against = [&](std::vector<std::uint8_t> reply) {
        fake_cql_server server({});
        server.on_opcode(protocol::opcode::startup, [reply](fake_session& s, const fake_request&) {
            if (reply.empty())
                s.close();
            else
                s.send_raw(reply);
        });
        connection c(plain_stream_to(ioc, server.port()));
        protocol::diagnostics diag;
        return c.startup({}, diag);
    };
    SUBCASE("a TLS alert record: the port expects TLS") {
        CHECK(startup_against({0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46}) == errc::server_expects_tls);
    }
    SUBCASE("a v3 response frame: another protocol version") {
        auto frame = fake_cql_server::error_frame(0, 0x000A, "Invalid or unsupported protocol version (4)");
        frame[0] = 0x83;
        CHECK(startup_against(frame) == errc::unsupported_protocol_version);
    }
    SUBCASE("a compressed frame, though none was negotiated") {
        auto frame = fake_cql_server::ready_frame(0);
        frame[1] = protocol::frame_flags::compression;
        CHECK(startup_against(frame) == errc::protocol_violation);
    }
    SUBCASE("the server closes instead of answering") { CHECK(startup_against({}) == errc::connection_closed); }
}

TEST_CASE("connection: protocol violations after start-up break the connection") {
    fake_cql_server server({});
    server.on_query("wrong stream", [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::void_result_frame(static_cast<std::int16_t>(r.header.stream + 100)));
    });
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
    std::error_code ec;
    c.query("wrong stream", ec, diag);
    CHECK(ec == errc::protocol_violation);
    CHECK(diag.client_message().find("no request") != std::string::npos);
    CHECK(c.failure() == errc::protocol_violation);
    CHECK(c.failure_diagnostics().client_message().find("no request") != std::string::npos);
}

TEST_CASE("connection: a frame body beyond the configured maximum is refused") {
    fake_cql_server server({});
    asio::io_context ioc;
    transport::connection_options options;
    options.max_frame_body_length = 64;
    connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
    std::error_code ec;
    c.query("SELECT * FROM system.local", ec, diag);
    CHECK(ec == errc::protocol_violation);
    CHECK(diag.client_message().starts_with("the server sent a frame header announcing a body of "));
    CHECK(diag.client_message().ends_with(" bytes, beyond the limit of 64 bytes"));
    CHECK(c.failure() == errc::protocol_violation);
}

TEST_CASE("connection: a server ERROR is the request's error, with the message") {
    fake_cql_server server({});
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
    std::error_code ec;
    auto r = c.query("SELECT nonsense", ec, diag);
    CHECK(ec == protocol::server_errc::invalid);
    CHECK(r.op() == protocol::opcode::error);
    CHECK(diag.server_message() == "the fake server has no answer for this query");
    CHECK_THROWS_AS(c.query("SELECT nonsense"), std::system_error);
    CHECK(c.failure() == std::error_code{});  // the connection itself is fine
}

TEST_CASE("connection: the asynchronous API with a callback, a future and a coroutine") {
    fake_cql_server server({});
    asio::io_context ioc;
    connection c(plain_stream_to(ioc, server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    SUBCASE("callback") {
        std::optional<std::string> value;
        std::error_code result = make_error_code(errc::connection_broken);
        c.async_query("SELECT * FROM system.local", [&](std::error_code ec, transport::response r) {
            result = ec;
            value = first_text_cell(r);
        });
        ioc.restart();
        ioc.run_for(std::chrono::seconds(5));
        CHECK(result == std::error_code{});
        CHECK(value == "local");
    }
    SUBCASE("future, with the io_context run by another thread") {
        auto guard = asio::make_work_guard(ioc);
        ioc.restart();
        std::thread runner([&] { ioc.run(); });
        auto f = c.async_query("SELECT * FROM system.local", asio::use_future);
        auto [ec, r] = f.get();
        CHECK(ec == std::error_code{});
        CHECK(first_text_cell(r) == "local");
        guard.reset();
        c.close();
        runner.join();
    }
    SUBCASE("coroutine") {
        std::optional<std::string> value;
        std::error_code result = make_error_code(errc::connection_broken);
        asio::co_spawn(
            ioc,
            [&]() -> asio::awaitable<void> {
                auto [ec, r] = co_await c.async_query("SELECT * FROM system.local", asio::use_awaitable);
                result = ec;
                value = first_text_cell(r);
            },
            asio::detached);
        ioc.restart();
        ioc.run_for(std::chrono::seconds(5));
        CHECK(result == std::error_code{});
        CHECK(value == "local");
    }
}

TEST_CASE("connection: an empty handle fails every operation with connection_broken") {
    connection c;
    std::error_code ec;
    protocol::diagnostics diag;
    c.query("x", ec, diag);
    CHECK(ec == errc::connection_broken);
    CHECK(c.startup({}, diag) == errc::connection_broken);
}

namespace {

// A session object in Asio's usual shape: kept alive by the handler of its pending request.
struct owning_session : std::enable_shared_from_this<owning_session> {
    explicit owning_session(connection c, std::atomic<int>& alive) : conn(std::move(c)), alive_(alive) { ++alive_; }
    ~owning_session() { --alive_; }
    void ask() {
        conn.async_query("never answered", [self = shared_from_this()](std::error_code, transport::response) {});
    }
    connection conn;
    std::atomic<int>& alive_;
};

}  // namespace

TEST_CASE("connection: destroying the io_context destroys pending handlers, and what they own") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::query, [](fake_session&, const fake_request&) {});  // never answers
    std::atomic<int> alive{0};
    {
        asio::io_context ioc;
        for (int i = 0; i < 5; ++i) {
            connection c(plain_stream_to(ioc, server.port()));
            protocol::diagnostics diag;
            REQUIRE(c.startup({}, diag) == std::error_code{});
            std::make_shared<owning_session>(std::move(c), alive)->ask();
        }
        ioc.restart();
        ioc.run_for(std::chrono::milliseconds(50));
        CHECK(alive == 5);
    }
    // Each session went with the handler that held it, and its connection with it.
    CHECK(alive == 0);
}

namespace {

// Options that open a connection to `server` (mutual TLS, password login with `creds`).
transport::open_options mtls_open_options(const fake_cql_server& server, auth::plain_text_authenticator& creds) {
    transport::open_options options;
    options.connect.host = "localhost";
    options.connect.port = server.port();
    options.connect.tls = make_context(with_client_certificate("client"));
    options.authenticator = &creds;
    return options;
}

}  // namespace

TEST_CASE("open_connection: connect, TLS with a client certificate, SASL, and a query") {
    fake_cql_server server(mtls_password_server());
    asio::io_context ioc;
    auth::plain_text_authenticator creds("cassandra", "s3cret");
    auto options = mtls_open_options(server, creds);
    std::optional<connection> c;
    protocol::diagnostics diag;
    REQUIRE(transport::open_connection(ioc, options, c, diag) == std::error_code{});
    REQUIRE(c);
    std::error_code ec;
    auto r = c->query("SELECT * FROM system.local", ec, diag);
    REQUIRE(ec == std::error_code{});
    CHECK(first_text_cell(r) == "local");
}

TEST_CASE("open_connection: the options' frame observer sees the start-up exchange and every later frame") {
    fake_cql_server server(mtls_password_server());
    asio::io_context ioc;
    auth::plain_text_authenticator creds("cassandra", "s3cret");
    auto options = mtls_open_options(server, creds);
    std::vector<std::pair<transport::frame_event::direction, protocol::opcode>> seen;
    options.observer = [&seen](const transport::frame_event& e) { seen.emplace_back(e.dir, e.header.op); };
    std::optional<connection> c;
    protocol::diagnostics diag;
    REQUIRE(transport::open_connection(ioc, options, c, diag) == std::error_code{});
    std::error_code ec;
    c->query("SELECT * FROM system.local", ec, diag);
    REQUIRE(ec == std::error_code{});
    using dir = transport::frame_event::direction;
    const std::vector<std::pair<dir, protocol::opcode>> expected{
        {dir::sent, protocol::opcode::startup},        {dir::received, protocol::opcode::authenticate},
        {dir::sent, protocol::opcode::auth_response},  {dir::received, protocol::opcode::auth_success},
        {dir::sent, protocol::opcode::query},          {dir::received, protocol::opcode::result}};
    CHECK(seen == expected);
}

TEST_CASE("open_connection: each failure keeps its own classification") {
    asio::io_context ioc;
    protocol::diagnostics diag;
    std::optional<connection> c;
    SUBCASE("bad password: authentication") {
        fake_cql_server server(mtls_password_server());
        auth::plain_text_authenticator creds("cassandra", "wrong");
        transport::open_options options;
        options.connect.host = "localhost";
        options.connect.port = server.port();
        options.connect.tls = make_context(with_client_certificate("client"));
        options.authenticator = &creds;
        CHECK(transport::open_connection(ioc, options, c, diag) == errc::authentication_failed);
        CHECK_FALSE(c);
    }
    SUBCASE("nothing listening: network") {
        std::uint16_t port = 0;
        {
            asio::ip::tcp::acceptor probe(ioc, {asio::ip::make_address("127.0.0.1"), 0});
            port = probe.local_endpoint().port();
        }  // closed again: connecting to it is refused
        transport::open_options options;
        options.connect.host = "127.0.0.1";
        options.connect.port = port;
        CHECK(transport::open_connection(ioc, options, c, diag) == errc::connect_failed);
        CHECK_FALSE(c);
    }
}

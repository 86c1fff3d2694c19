// Hostile server over TLS: a connection cut in the middle of a TLS record (no close_notify),
// closed after a frame without close_notify, answers one byte per record, and post-handshake
// messages interleaved with data: KeyUpdate and NewSessionTicket (TLS 1.3: accepted, the data
// flows on), and a HelloRequest (TLS 1.2 renegotiation: refused — the client sets
// SSL_OP_NO_RENEGOTIATION, answers with a no_renegotiation alert and never renegotiates).
#include "test_support.hpp"

#include "transport/hostile_support.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::test::hostile;
using transport::errc;
namespace asio = boost::asio;

fake_cql_server::options tls_server() {
    fake_cql_server::tls_settings tls;
    tls.certificate_chain_file = pki().path("server.crt");
    tls.private_key_file = pki().path("server.key");
    fake_cql_server::options o;
    o.tls = tls;
    return o;
}

struct tls_setup {
    fake_cql_server server{tls_server()};
    asio::io_context ioc;

    explicit tls_setup(fake_cql_server::handler script,
                       std::optional<std::chrono::milliseconds> answer_bystanders_after = std::nullopt) {
        install_bystanders(server, bystander_count, answer_bystanders_after);
        server.on_query("hostile", std::move(script));
    }

    transport::connection connect(transport::tls_version max_version = transport::tls_version::tls1_3,
                                  transport::connection_options options = short_timeouts()) {
        auto client = trust_server_ca();
        client.max_version = max_version;
        auto out = connect_to(ioc, "localhost", server.port(), make_context(client));
        REQUIRE_MESSAGE(!out.ec, out.message);
        transport::connection c(std::move(*out.stream), options);
        protocol::diagnostics diag;
        REQUIRE_MESSAGE(c.startup({}, diag) == std::error_code{}, diag.client_message());
        return c;
    }
};

// The request goes through on a connection that has seen the hostile act.
void check_still_works(asio::io_context& ioc, transport::connection& c) {
    (void)ioc;
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = c.query("SELECT * FROM system.local", ec, diag);
    CHECK(ec == std::error_code{});
    CHECK(first_text_cell(r) == "local");
}

void check_all_answered(const outcome& o, std::string_view hostile_text, std::chrono::milliseconds bound) {
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == hostile_text);
    for (std::size_t i = 0; i < o.bystanders.size(); ++i) {
        CHECK(o.bystanders[i].ec == std::error_code{});
        CHECK(first_text_cell(o.bystanders[i].r) == "bystander " + std::to_string(i));
    }
    CHECK(o.failure == std::error_code{});
    CHECK(o.elapsed < bound);
}

}  // namespace

TEST_CASE("hostile TLS: the connection cut in the middle of a TLS record, without close_notify") {
    // An application-data record header announcing 256 bytes, 10 of them, then a TCP close.
    tls_setup t([](fake_session& s, const fake_request&) {
        bytes record{0x17, 0x03, 0x03, 0x01, 0x00};
        record.insert(record.end(), 10, 0xAB);
        s.send_tcp_raw(std::move(record), true);
    });
    auto c = t.connect();
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::connection_closed, "while 4 requests were waiting for a response");
}

TEST_CASE("hostile TLS: closed right after a whole frame, without close_notify") {
    tls_setup t([](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::single_text_row_frame(r.header.stream, "last words"));
        s.send_tcp_raw({}, true);  // after the answer's write, on the server's thread
    });
    auto c = t.connect();
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == "last words");
    for (const auto& b : o.bystanders) CHECK(b.ec == errc::connection_closed);
    CHECK(o.failure == errc::connection_closed);
    CHECK(o.elapsed < request_timeout + slack);
}

TEST_CASE("hostile TLS: an answer sent one byte per TLS record arrives whole and right") {
    tls_setup t([](fake_session&, const fake_request&) {});
    install_trickled(t.server, bystander_count, 1ms);  // replaces the scripts set above
    auto options = short_timeouts();
    options.request_timeout = 6000ms;
    auto c = t.connect(transport::tls_version::tls1_3, options);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_all_answered(o, "slowly", options.request_timeout);
}

TEST_CASE("hostile TLS: a KeyUpdate (update requested) interleaved with data is accepted") {
    tls_setup t(
        [](fake_session& s, const fake_request& r) {
            s.tls_event_then_send(fake_session::tls_event::key_update,
                                  fake_cql_server::single_text_row_frame(r.header.stream, "after key update"));
        },
        100ms);
    auto c = t.connect();
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(t.server.last_session());
    CHECK(t.server.last_session()->tls_event_accepted() == true);
    check_all_answered(o, "after key update", request_timeout + slack);
    // Our answering KeyUpdate went with the next write; the server still reads us.
    check_still_works(t.ioc, c);
}

TEST_CASE("hostile TLS: a post-handshake NewSessionTicket interleaved with data is accepted") {
    tls_setup t(
        [](fake_session& s, const fake_request& r) {
            s.tls_event_then_send(fake_session::tls_event::new_session_ticket,
                                  fake_cql_server::single_text_row_frame(r.header.stream, "after ticket"));
        },
        100ms);
    auto c = t.connect();
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(t.server.last_session());
    CHECK(t.server.last_session()->tls_event_accepted() == true);
    check_all_answered(o, "after ticket", request_timeout + slack);
    check_still_works(t.ioc, c);
}

TEST_CASE("hostile TLS: a TLS 1.2 renegotiation request is refused, never carried out") {
    // The client answers the HelloRequest with a no_renegotiation warning alert. An OpenSSL
    // server treats that refusal as fatal (handshake_failure), so the connection ends; a server
    // that accepted the refusal would carry on. Either way no renegotiation takes place, and
    // the requests end (answered, or failed with the connection's failure), none is left waiting.
    tls_setup t([](fake_session& s, const fake_request& r) {
        s.tls_event_then_send(fake_session::tls_event::renegotiate,
                              fake_cql_server::single_text_row_frame(r.header.stream, "after hello request"));
    });
    auto c = t.connect(transport::tls_version::tls1_2);
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(t.server.last_session());
    CHECK(t.server.last_session()->tls_event_accepted() == true);
    REQUIRE(o.all_done);
    INFO(o.failure_message);
    // The data behind the HelloRequest was read; the server's fatal alert then ended the rest.
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == "after hello request");
    for (const auto& b : o.bystanders) CHECK(b.ec == errc::connection_broken);
    CHECK(o.failure == errc::connection_broken);
    // Named in our words, not OpenSSL's ("sslv3 alert handshake failure").
    CHECK(o.failure_message == "TLS: the server ended the connection with alert handshake_failure (40)");
    CHECK(o.elapsed < request_timeout + slack);
}

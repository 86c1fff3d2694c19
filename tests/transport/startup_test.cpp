#include "test_support.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/startup.hpp"
#include "startup_frames.hpp"

using namespace cqlwire;
using namespace cqlwire::transport;
using namespace cqlwire::test;
using protocol::bytes_view;

namespace {

constexpr std::string_view password_authenticator = "org.apache.cassandra.auth.PasswordAuthenticator";
constexpr std::string_view dse_authenticator = "com.datastax.bdp.cassandra.auth.DseAuthenticator";

// The request frame a `send` action carries, decoded.
struct sent_frame {
    protocol::frame_header header;
    std::vector<std::uint8_t> body;
};
sent_frame parse_sent(const startup_action& a) {
    REQUIRE(a.is_send());
    sent_frame s;
    REQUIRE_FALSE(protocol::decode_frame_header(a.bytes, s.header));
    REQUIRE(a.bytes.size() == protocol::frame_header_size + s.header.length);
    s.body.assign(a.bytes.begin() + protocol::frame_header_size, a.bytes.end());
    return s;
}

std::string token_of(const sent_frame& s) {
    REQUIRE(s.header.op == protocol::opcode::auth_response);
    protocol::raw_value token;
    REQUIRE_FALSE(protocol::decode_auth_response(s.body, token));
    REQUIRE(token.is_present());
    return std::string(protocol::as_chars(token.bytes));
}

// Sends STARTUP and reaches the point where the server's answer is awaited.
void start(startup_machine& m) {
    auto a = m.resume();
    auto s = parse_sent(a);
    CHECK(s.header.op == protocol::opcode::startup);
    CHECK(s.header.version == 0x04);
    CHECK(s.header.stream == 0);
    REQUIRE(m.resume().is_wait());
}

// Records what the machine asks of it, answering every challenge.
class recording_authenticator final : public auth::authenticator {
public:
    std::error_code initial_response(std::string_view, auth::secret_bytes& out) override {
        ++initial_calls;
        out.append("hello");
        return {};
    }
    std::error_code evaluate_challenge(std::span<const std::uint8_t>, auth::secret_bytes& out) override {
        ++challenge_calls;
        out.append("again");
        return {};
    }
    void on_success(std::span<const std::uint8_t>) override { ++success_calls; }
    int initial_calls = 0;
    int challenge_calls = 0;
    int success_calls = 0;
};

}  // namespace

TEST_CASE("startup: STARTUP carries CQL_VERSION 3.0.0 and no COMPRESSION; READY completes it") {
    startup_machine m({});
    auto a = m.resume();
    auto s = parse_sent(a);
    CHECK(s.header.op == protocol::opcode::startup);
    protocol::string_map_view options;
    REQUIRE_FALSE(protocol::decode_startup(s.body, options));
    auto find = [&](std::string_view key) -> std::string_view {
        for (auto& [k, v] : options)
            if (k == key) return v;
        return "<absent>";
    };
    CHECK(find("CQL_VERSION") == "3.0.0");
    CHECK(find("COMPRESSION") == "<absent>");
    CHECK(find("DRIVER_NAME") == "cqlwire");

    CHECK(m.resume().is_wait());
    auto r = ready();
    auto done = m.resume(r.header, r.body());
    CHECK(done.is_done());
    CHECK(m.done());
    CHECK(m.server_authenticator().empty());

    // Another CQL version when one is asked for (cqlwire --cqlversion).
    startup_config config;
    config.cql_version = "3.4.7";
    startup_machine asked(config);
    auto sent = parse_sent(asked.resume());
    protocol::string_map_view asked_options;
    REQUIRE_FALSE(protocol::decode_startup(sent.body, asked_options));
    bool found = false;
    for (auto& [k, v] : asked_options)
        if (k == "CQL_VERSION") found = v == "3.4.7";
    CHECK(found);
}

TEST_CASE("startup: READY is accepted even when credentials were configured") {
    auth::plain_text_authenticator creds("cassandra", "s3cret");
    startup_machine m({&creds});
    start(m);
    auto r = ready();
    CHECK(m.resume(r.header, r.body()).is_done());
}

TEST_CASE("startup: PasswordAuthenticator with SASL PLAIN, and the sent token is wiped afterwards") {
    auth::plain_text_authenticator creds("cassandra", "s3cret");
    startup_machine m({&creds});
    start(m);
    auto auth_frame = authenticate(password_authenticator);
    auto a = m.resume(auth_frame.header, auth_frame.body());
    auto s = parse_sent(a);
    CHECK(s.header.stream == 0);
    CHECK(token_of(s) == std::string("\0cassandra\0s3cret", 17));
    CHECK(m.server_authenticator() == password_authenticator);

    // Once the write is reported done the buffer that held the password is zeroed.
    const std::uint8_t* sent = a.bytes.data();
    const std::size_t sent_size = a.bytes.size();
    REQUIRE(m.resume().is_wait());
    CHECK(std::all_of(sent, sent + sent_size, [](std::uint8_t b) { return b == 0; }));

    auto ok = success();
    CHECK(m.resume(ok.header, ok.body()).is_done());
    CHECK(m.challenge_rounds() == 0);
}

TEST_CASE("startup: DseAuthenticator names the mechanism, then answers PLAIN-START") {
    auth::plain_text_authenticator creds("dse_user", "pw");
    startup_machine m({&creds});
    start(m);
    auto auth_frame = authenticate(dse_authenticator);
    auto first = parse_sent(m.resume(auth_frame.header, auth_frame.body()));
    CHECK(token_of(first) == "PLAIN");
    REQUIRE(m.resume().is_wait());

    auto c = challenge("PLAIN-START");
    auto second = parse_sent(m.resume(c.header, c.body()));
    CHECK(token_of(second) == std::string("\0dse_user\0pw", 12));
    REQUIRE(m.resume().is_wait());

    auto ok = success();
    CHECK(m.resume(ok.header, ok.body()).is_done());
    CHECK(m.challenge_rounds() == 1);
}

TEST_CASE("startup: a challenge loop beyond the bound fails with too_many_auth_rounds") {
    recording_authenticator spy;
    startup_machine m({&spy});
    start(m);
    auto auth_frame = authenticate(password_authenticator);
    REQUIRE(m.resume(auth_frame.header, auth_frame.body()).is_send());
    REQUIRE(m.resume().is_wait());
    auto c = challenge("more");
    for (int round = 0; round < auth::max_challenge_rounds; ++round) {
        REQUIRE(m.resume(c.header, c.body()).is_send());
        REQUIRE(m.resume().is_wait());
    }
    auto last = m.resume(c.header, c.body());
    CHECK(last.is_failed());
    CHECK(last.error == errc::too_many_auth_rounds);
    CHECK(spy.challenge_calls == auth::max_challenge_rounds);
    CHECK(m.failed());
}

TEST_CASE("startup: an authenticator outside the allow-list is refused before any credential is made") {
    recording_authenticator spy;
    startup_machine m({&spy});
    start(m);
    auto auth_frame = authenticate("com.example.KerberosAuthenticator");
    auto a = m.resume(auth_frame.header, auth_frame.body());
    CHECK(a.is_failed());
    CHECK(a.error == errc::authenticator_not_allowed);
    CHECK(spy.initial_calls == 0);
    CHECK(m.diagnostics().server_message() == "com.example.KerberosAuthenticator");
}

TEST_CASE("startup: bad credentials keep the server's message and never echo the password") {
    auth::plain_text_authenticator creds("cassandra", "wrong-password");
    startup_machine m({&creds});
    start(m);
    auto auth_frame = authenticate(password_authenticator);
    REQUIRE(m.resume(auth_frame.header, auth_frame.body()).is_send());
    REQUIRE(m.resume().is_wait());
    constexpr std::string_view text = "Provided username cassandra and/or password are incorrect";
    auto e = error(0x0100, text);
    auto a = m.resume(e.header, e.body());
    CHECK(a.is_failed());
    CHECK(a.error == errc::authentication_failed);
    CHECK(m.diagnostics().server_message() == text);
    CHECK(m.diagnostics().client_message().find("wrong-password") == std::string::npos);
    CHECK_FALSE(m.diagnostics().client_message().empty());
}

TEST_CASE("startup: an unexpected opcode is a protocol violation") {
    SUBCASE("AUTH_SUCCESS in answer to STARTUP") {
        startup_machine m({});
        start(m);
        auto ok = success();
        auto a = m.resume(ok.header, ok.body());
        CHECK(a.error == errc::protocol_violation);
        CHECK(m.diagnostics().client_message().find("AUTH_SUCCESS") != std::string::npos);
    }
    SUBCASE("READY in answer to AUTH_RESPONSE") {
        auth::plain_text_authenticator creds("u", "p");
        startup_machine m({&creds});
        start(m);
        auto auth_frame = authenticate(password_authenticator);
        REQUIRE(m.resume(auth_frame.header, auth_frame.body()).is_send());
        REQUIRE(m.resume().is_wait());
        auto r = ready();
        CHECK(m.resume(r.header, r.body()).error == errc::protocol_violation);
    }
    SUBCASE("a frame on another stream") {
        startup_machine m({});
        start(m);
        auto r = ready(5);
        CHECK(m.resume(r.header, r.body()).error == errc::protocol_violation);
    }
    SUBCASE("a frame before STARTUP was even sent") {
        startup_machine m({});
        auto r = ready();
        CHECK(m.resume(r.header, r.body()).error == errc::protocol_violation);
    }
}

TEST_CASE("startup: AUTHENTICATE without configured credentials is credentials_required") {
    startup_machine m({});
    start(m);
    auto auth_frame = authenticate(password_authenticator);
    auto a = m.resume(auth_frame.header, auth_frame.body());
    CHECK(a.error == errc::credentials_required);
}

TEST_CASE("startup: a server that refuses v4 names the versions it supports") {
    startup_machine m({});
    start(m);
    auto e = error(0x000A, "Invalid or unsupported protocol version (4); supported versions are (3/v3, 5/v5-beta)");
    e.header.version = 0x83;  // an old server answers in its own version
    auto a = m.resume(e.header, e.body());
    CHECK(a.error == errc::unsupported_protocol_version);
    CHECK(m.server_supported_versions() == std::vector<int>{3, 5});
    CHECK(m.diagnostics().client_message().find("3 5") != std::string::npos);
}

TEST_CASE("startup: the refusal names the configured protocol version, and the server's words match in any case") {
    startup_config config;
    config.protocol_version = 3;
    startup_machine m(config);
    auto s = parse_sent(m.resume());
    CHECK(s.header.version == 3);
    REQUIRE(m.resume().is_wait());
    auto e = error(0x000A, "UNSUPPORTED PROTOCOL VERSION 3; supported versions are (4/v4, 5/v5)");
    e.header.version = 0x84;  // the server answers in its own version
    auto a = m.resume(e.header, e.body());
    CHECK(a.error == errc::unsupported_protocol_version);
    CHECK(m.diagnostics().client_message() == "the server does not accept protocol v3; it names the versions 4 5");
}

TEST_CASE("startup: other ERRORs during start-up are the server's code") {
    startup_machine m({});
    start(m);
    auto e = error(0x0000, "boom");
    auto a = m.resume(e.header, e.body());
    CHECK(a.error == protocol::server_errc::server_error);
    CHECK(m.diagnostics().server_message() == "boom");
}

TEST_CASE("startup: every truncation of a server frame fails cleanly") {
    auth::plain_text_authenticator creds("u", "p");
    for (auto frame : {authenticate(password_authenticator), error(0x0100, "no"), challenge("x")}) {
        for (std::size_t cut = 0; cut < frame.header.length; ++cut) {
            startup_machine m({&creds});
            start(m);
            if (frame.header.op == protocol::opcode::auth_challenge) {
                auto auth_frame = authenticate(password_authenticator);
                REQUIRE(m.resume(auth_frame.header, auth_frame.body()).is_send());
                REQUIRE(m.resume().is_wait());
            }
            // An exact-size copy, so that any read past the end is caught by ASan.
            std::vector<std::uint8_t> body(frame.body().begin(), frame.body().begin() + static_cast<std::ptrdiff_t>(cut));
            auto h = frame.header;
            h.length = static_cast<std::uint32_t>(cut);
            auto a = m.resume(h, body);
            CHECK(a.error == errc::protocol_violation);
        }
    }
}

TEST_CASE("parse_supported_versions takes only well-formed numbers from the server's text") {
    CHECK(parse_supported_versions("supported versions are (3/v3, 4/v4, 5/v5, 6/v6-beta)") ==
          std::vector<int>{3, 4, 5, 6});
    CHECK(parse_supported_versions("no list here").empty());
    CHECK(parse_supported_versions("supported versions are (123456789/v1)").empty());
}

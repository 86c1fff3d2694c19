// connect(): resolution, the per-address fallback, the two timeouts with their own errors,
// plaintext and TLS, and the blocking and asynchronous forms (callback, std::future via
// asio::use_future, C++20 coroutine via asio::use_awaitable).
#include "test_support.hpp"

#include <cerrno>
#include <chrono>
#include <future>
#include <thread>

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "cqlwire/protocol/endpoint_text.hpp"
#include "transport/transport_test_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using transport::errc;
using tcp = boost::asio::ip::tcp;

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// A loopback port with nothing listening: bound, then released.
std::uint16_t closed_port(boost::asio::io_context& ioc, const boost::asio::ip::address& address) {
    tcp::acceptor a(ioc, tcp::endpoint(address, 0));
    const auto port = a.local_endpoint().port();
    a.close();
    return port;
}

std::string endpoint_text(const tcp::endpoint& ep) {
    return cqlwire::protocol::endpoint_text(ep.address().to_string(), ep.port());
}

TEST_CASE("connect: a name that does not resolve is resolve_failed") {
    boost::asio::io_context ioc;
    // A 70-character label is refused by the resolver itself, so no DNS query leaves the host.
    const std::string host = std::string(70, 'a') + ".invalid";
    auto out = connect_to(ioc, host, 9042, nullptr);
    CHECK(out.ec == errc::resolve_failed);
    CHECK(contains(out.message, "could not resolve '" + host + "'"));
    CHECK_FALSE(out.stream);
}

TEST_CASE("connect: no host and no endpoints is resolve_failed") {
    boost::asio::io_context ioc;
    auto out = connect_to(ioc, "", 9042, nullptr);
    CHECK(out.ec == errc::resolve_failed);
    CHECK(contains(out.message, "no host"));
}

TEST_CASE("connect: every address refusing is connect_failed, listing each address tried") {
    boost::asio::io_context ioc;
    const tcp::endpoint v6(boost::asio::ip::make_address("::1"), closed_port(ioc, boost::asio::ip::make_address("::1")));
    const tcp::endpoint v4(boost::asio::ip::make_address("127.0.0.1"),
                           closed_port(ioc, boost::asio::ip::make_address("127.0.0.1")));
    transport::connect_options o;
    o.host = "localhost";
    o.endpoints = {v6, v4};
    protocol::diagnostics diag;
    std::optional<transport::stream> s;
    CHECK(transport::connect(ioc, o, s, diag) == errc::connect_failed);
    INFO(diag.client_message());
    CHECK(contains(diag.client_message(), endpoint_text(v6) + " (Connection refused)"));
    CHECK(contains(diag.client_message(), endpoint_text(v4) + " (Connection refused)"));
    CHECK(diag.client_message().find(endpoint_text(v6)) < diag.client_message().find(endpoint_text(v4)));
    CHECK_FALSE(s);
}

TEST_CASE("connect: a refused address is skipped for the next one, then TLS verifies the host name") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    transport::connect_options o;
    o.host = "localhost";
    o.endpoints = {tcp::endpoint(boost::asio::ip::make_address("::1"),
                                 closed_port(ioc, boost::asio::ip::make_address("::1"))),
                   tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), server.port())};
    o.tls = make_context(trust_server_ca());
    protocol::diagnostics diag;
    std::optional<transport::stream> s;
    REQUIRE_MESSAGE(!transport::connect(ioc, o, s, diag), diag.client_message());
    REQUIRE(s);
    CHECK(s->socket().remote_endpoint().port() == server.port());
    CHECK(read_first_bytes(*s).bytes == "hello");
    CHECK(server.sni_seen() == std::vector<std::string>{"localhost"});
}

TEST_CASE("connect: without TLS the stream is plain TCP") {
    boost::asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    auto out = connect_to(ioc, "127.0.0.1", acceptor.local_endpoint().port(), nullptr);
    REQUIRE_MESSAGE(!out.ec, out.message);
    CHECK_FALSE(out.stream->is_tls());
    CHECK(out.stream->tls_version() == 0);
    CHECK(out.stream->tls_record() == nullptr);
    tcp::socket peer = acceptor.accept();
    boost::asio::write(peer, boost::asio::buffer("hello", 5));
    CHECK(read_first_bytes(*out.stream).bytes == "hello");
}

TEST_CASE("connect: a TCP connect that gets no answer is connect_timeout") {
    boost::asio::io_context ioc;
    // A listener whose accept queue is full: Linux drops further SYNs, so a connect neither
    // succeeds nor fails until the client gives up. Loopback only.
    tcp::acceptor acceptor(ioc);
    const tcp::endpoint ep(boost::asio::ip::make_address("127.0.0.1"), 0);
    acceptor.open(ep.protocol());
    acceptor.bind(ep);
    acceptor.listen(0);
    const tcp::endpoint target(ep.address(), acceptor.local_endpoint().port());
    std::vector<tcp::socket> fillers;
    for (int i = 0; i < 4; ++i) {
        fillers.emplace_back(ioc);
        fillers.back().open(tcp::v4());
        fillers.back().non_blocking(true);
        // A raw non-blocking connect: Asio's synchronous connect would wait for the answer.
        const int rc = ::connect(fillers.back().native_handle(), target.data(), static_cast<socklen_t>(target.size()));
        REQUIRE((rc == 0 || errno == EINPROGRESS));
    }
    const auto started = std::chrono::steady_clock::now();
    auto out = connect_to(ioc, "127.0.0.1", target.port(), nullptr, std::chrono::milliseconds(300));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    CHECK(out.ec == errc::connect_timeout);
    INFO(out.message);
    CHECK(contains(out.message, endpoint_text(target) + " (timed out after 300 ms)"));
    CHECK(elapsed >= std::chrono::milliseconds(300));
    CHECK(elapsed < std::chrono::seconds(5));
}

TEST_CASE("connect: a server that accepts TCP but never answers the handshake is handshake_timeout") {
    tls_test_server::options opts;
    opts.how = tls_test_server::mode::silent;
    tls_test_server server(opts);
    boost::asio::io_context ioc;
    transport::connect_options o;
    o.host = "localhost";
    o.port = server.port();
    o.tls = make_context(trust_server_ca());
    o.handshake_timeout = std::chrono::milliseconds(250);
    protocol::diagnostics diag;
    std::optional<transport::stream> s;
    const auto started = std::chrono::steady_clock::now();
    CHECK(transport::connect(ioc, o, s, diag) == errc::handshake_timeout);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(5));
    CHECK(contains(diag.client_message(), "did not complete within 250 ms"));
    CHECK_FALSE(s);
}

TEST_CASE("connect: the blocking form works while two other threads run the io_context") {
    // The operation's steps and its timer share a strand: a timeout cancelling the socket never
    // meets a step of the handshake on another thread.
    tls_test_server::options silent_opts;
    silent_opts.how = tls_test_server::mode::silent;
    tls_test_server silent(silent_opts);
    tls_test_server answering(server_with());
    boost::asio::io_context ioc;
    auto work = boost::asio::make_work_guard(ioc);
    std::thread first([&] { ioc.run(); }), second([&] { ioc.run(); });

    int connected = 0, timed_out = 0;
    for (int i = 0; i < 20; ++i) {
        transport::connect_options o;
        o.host = "localhost";
        o.port = i % 2 == 0 ? answering.port() : silent.port();
        o.tls = make_context(trust_server_ca());
        o.handshake_timeout = std::chrono::milliseconds(i % 2 == 0 ? 5000 : 20);
        protocol::diagnostics diag;
        std::optional<transport::stream> s;
        const auto ec = transport::connect(ioc, o, s, diag);
        if (i % 2 == 0 && !ec && s && s->is_tls()) ++connected;
        if (i % 2 == 1 && ec == errc::handshake_timeout && !s) ++timed_out;
    }
    work.reset();
    ioc.stop();
    first.join();
    second.join();
    CHECK(connected == 10);
    CHECK(timed_out == 10);
}

transport::connect_options options_for(const tls_test_server& server) {
    transport::connect_options o;
    o.host = "localhost";
    o.port = server.port();
    o.tls = make_context(trust_server_ca());
    return o;
}

TEST_CASE("connect: async form with a callback") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    protocol::diagnostics diag;
    std::optional<std::error_code> result;
    std::optional<transport::stream> s;
    transport::async_connect(ioc.get_executor(), options_for(server), diag,
                             [&](std::error_code ec, transport::stream st) {
                                 result = ec;
                                 s.emplace(std::move(st));
                             });
    CHECK_FALSE(result);  // never completes inside the initiating call
    ioc.run();
    REQUIRE(result);
    CHECK_MESSAGE(!*result, diag.client_message());
    CHECK(s->is_tls());
    CHECK(read_first_bytes(*s).bytes == "hello");
}

TEST_CASE("connect: async form with a callback reports errors with the diagnostics") {
    tls_test_server server(server_with("expired"));
    boost::asio::io_context ioc;
    protocol::diagnostics diag;
    std::error_code result;
    bool open = true;
    transport::async_connect(ioc.get_executor(), options_for(server), diag,
                             [&](std::error_code ec, transport::stream st) {
                                 result = ec;
                                 open = st.is_open();
                             });
    ioc.run();
    CHECK(result == errc::certificate_expired);
    CHECK_FALSE(open);
    CHECK(contains(diag.client_message(), "2021-01-01"));
}

TEST_CASE("connect: async form with asio::use_future") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    protocol::diagnostics diag;
    auto future = transport::async_connect(ioc.get_executor(), options_for(server), diag, boost::asio::use_future);
    std::thread runner([&] { ioc.run(); });
    auto [ec, s] = future.get();
    runner.join();
    CHECK_MESSAGE(!ec, diag.client_message());
    CHECK(s.is_tls());
    CHECK(read_first_bytes(s).bytes == "hello");
}

TEST_CASE("connect: async form in a C++20 coroutine with asio::use_awaitable") {
    tls_test_server server(server_with());
    boost::asio::io_context ioc;
    std::string received;
    std::error_code result = errc::connection_broken;
    auto task = [&]() -> boost::asio::awaitable<void> {
        protocol::diagnostics diag;
        auto [ec, s] = co_await transport::async_connect(co_await boost::asio::this_coro::executor,
                                                          options_for(server), diag, boost::asio::use_awaitable);
        result = ec;
        if (ec) co_return;
        char buf[5];
        auto [read_ec, n] = co_await boost::asio::async_read(
            s, boost::asio::buffer(buf), boost::asio::as_tuple(boost::asio::use_awaitable));
        if (!read_ec) received.assign(buf, n);
    };
    boost::asio::co_spawn(ioc, task(), boost::asio::detached);
    ioc.run();
    CHECK_FALSE(result);
    CHECK(received == "hello");
}

}  // namespace

// connection_options::write_coalesce_delay: a request issued while others await their answers
// is held back so that requests close together leave in one write; a lone request is not; a
// connection that fails while a write is held completes the held requests at once. Every timing
// checked here is a lower bound (a timer never fires early) or a margin of seconds against a
// delay of ten, so a loaded machine cannot make these tests fail.
#include "test_support.hpp"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "cql_test_client.hpp"
#include "cqlwire/transport/connection.hpp"
#include "fake_cql_server.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

namespace {

transport::connection_options holding_for(std::chrono::microseconds delay) {
    transport::connection_options options;
    options.request_timeout = std::chrono::seconds(60);
    options.write_coalesce_delay = delay;
    return options;
}

// Runs `ioc` until `done` holds or `limit` passes; whether `done` holds.
template <class Done>
bool run_until(asio::io_context& ioc, Done done, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto end = clock_type::now() + limit;
    ioc.restart();
    while (!done() && clock_type::now() < end) ioc.run_one_for(std::chrono::milliseconds(50));
    return done();
}

// When each query reached the server, by its text (on the server's thread).
struct arrivals {
    std::mutex m;
    std::vector<std::pair<std::string, clock_type::time_point>> seen;
    void add(const std::string& q) {
        std::lock_guard lock(m);
        seen.emplace_back(q, clock_type::now());
    }
    std::optional<clock_type::time_point> of(const std::string& q) {
        std::lock_guard lock(m);
        for (const auto& [text, at] : seen)
            if (text == q) return at;
        return std::nullopt;
    }
};

// After the server has the first request: runs the client's loop a little more, so that the
// completion of that request's write (posted by then) has run. A request issued while a write
// is under way goes out when it completes, held back by nothing else.
void let_first_write_complete(asio::io_context& ioc) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(100));
}

}  // namespace

TEST_CASE("write coalescing: a lone request is written at once, however long the delay") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::query, [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, server.port()), holding_for(std::chrono::seconds(10)));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    const auto started = clock_type::now();
    std::optional<std::error_code> result;
    c.async_query("alone", [&](std::error_code ec, transport::response) { result = ec; });
    REQUIRE(run_until(ioc, [&] { return result.has_value(); }));
    CHECK(*result == std::error_code{});
    CHECK(clock_type::now() - started < std::chrono::seconds(5));  // the delay is 10 s
}

TEST_CASE("write coalescing: requests issued while another awaits its answer leave together after the delay") {
    constexpr auto delay = std::chrono::milliseconds(300);
    fake_cql_server server({});
    arrivals arrived;
    std::atomic<bool> first_arrived{false};
    std::vector<std::int16_t> held;  // server thread only
    server.on_opcode(protocol::opcode::query, [&](fake_session& s, const fake_request& r) {
        arrived.add(r.query);
        held.push_back(r.header.stream);
        if (r.query == "first") first_arrived = true;
        if (r.query != "third") return;
        for (auto stream : held) s.send_raw(fake_cql_server::void_result_frame(stream));
        held.clear();
    });
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, server.port()), holding_for(delay));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::string> answered;
    auto note = [&](std::string name) {
        return [&answered, name](std::error_code ec, transport::response) {
            CHECK_MESSAGE(ec == std::error_code{}, name, ": ", ec.message());
            answered.push_back(name);
        };
    };
    c.async_query("first", note("first"));
    REQUIRE(run_until(ioc, [&] { return first_arrived.load(); }));
    let_first_write_complete(ioc);

    // "first" awaits its answer: "second" is held, and "third", issued in a later turn of the
    // event loop, joins it.
    const auto issued = clock_type::now();
    c.async_query("second", note("second"));
    asio::post(ioc, [&] { c.async_query("third", note("third")); });
    REQUIRE(run_until(ioc, [&] { return answered.size() == 3; }));

    const auto second = arrived.of("second");
    const auto third = arrived.of("third");
    REQUIRE(second);
    REQUIRE(third);
    CHECK(*second - issued >= delay - std::chrono::milliseconds(5));
    CHECK(*third - issued >= delay - std::chrono::milliseconds(5));
    CHECK(answered == std::vector<std::string>{"first", "second", "third"});
}

TEST_CASE("write coalescing: a connection that fails while a write is held completes the held request at once") {
    fake_cql_server server({});
    std::atomic<bool> first_arrived{false};
    std::atomic<int> later_arrived{0};
    server.on_opcode(protocol::opcode::query, [&](fake_session&, const fake_request& r) {
        if (r.query == "first")
            first_arrived = true;
        else
            ++later_arrived;
    });
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, server.port()), holding_for(std::chrono::seconds(10)));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::error_code> results;
    auto note = [&](std::error_code ec, transport::response) { results.push_back(ec); };
    c.async_query("first", note);
    REQUIRE(run_until(ioc, [&] { return first_arrived.load(); }));
    let_first_write_complete(ioc);

    SUBCASE("the server closes the connection") {
        const auto started = clock_type::now();
        c.async_query("held", note);
        server.last_session()->close();
        REQUIRE(run_until(ioc, [&] { return results.size() == 2; }));
        CHECK(clock_type::now() - started < std::chrono::seconds(5));
    }
    SUBCASE("the client closes the connection") {
        const auto started = clock_type::now();
        c.async_query("held", note);
        c.close();
        REQUIRE(run_until(ioc, [&] { return results.size() == 2; }));
        CHECK(clock_type::now() - started < std::chrono::seconds(5));
    }
    CHECK(results[0] != std::error_code{});
    CHECK(results[1] != std::error_code{});
    CHECK(later_arrived.load() == 0);  // the held write never went out
    // Nothing is left waiting: the held write's timer went with the connection.
    ioc.restart();
    const auto drained = clock_type::now();
    ioc.run_for(std::chrono::seconds(5));
    CHECK(ioc.stopped());
    CHECK(clock_type::now() - drained < std::chrono::seconds(5));
}

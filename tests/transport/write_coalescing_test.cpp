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
#include <boost/asio/steady_timer.hpp>

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

// A plaintext connection to the fake server on `port`, started up.
struct started_client {
    asio::io_context ioc;
    transport::connection connection;
    started_client(std::uint16_t port, const transport::connection_options& options)
        : connection(plain_stream_to(ioc, port), options) {
        protocol::diagnostics diag;
        REQUIRE(connection.startup({}, diag) == std::error_code{});
    }
};

// A server that answers no query until "third" arrives, then every one it holds, noting when
// each arrived.
struct answering_at_third {
    arrivals arrived;
    std::atomic<bool> first_arrived{false};
    std::vector<std::int16_t> held;  // the server's thread only
    fake_cql_server server{fake_cql_server::options{}};  // last: stopped before the rest goes

    answering_at_third() {
        server.on_opcode(protocol::opcode::query, [this](fake_session& s, const fake_request& r) {
            arrived.add(r.query);
            held.push_back(r.header.stream);
            if (r.query == "first") first_arrived = true;
            if (r.query != "third") return;
            for (auto stream : held) s.send_raw(fake_cql_server::void_result_frame(stream));
            held.clear();
        });
    }
};

// A connection holding writes for 300 ms to an answering_at_third server.
struct held_for_300ms {
    static constexpr auto delay = std::chrono::milliseconds(300);
    answering_at_third fake;
    started_client client{fake.server.port(), holding_for(delay)};
    asio::io_context& ioc = client.ioc;
    transport::connection& c = client.connection;
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
    started_client client(server.port(), holding_for(std::chrono::seconds(10)));
    auto& ioc = client.ioc;
    auto& c = client.connection;

    const auto started = clock_type::now();
    std::optional<std::error_code> result;
    c.async_query("alone", [&](std::error_code ec, transport::response) { result = ec; });
    REQUIRE(run_until(ioc, [&] { return result.has_value(); }));
    CHECK(*result == std::error_code{});
    CHECK(clock_type::now() - started < std::chrono::seconds(5));  // the delay is 10 s
}

TEST_CASE_FIXTURE(held_for_300ms, "write coalescing: requests issued while another awaits its answer leave together after the delay") {
    // The frames of one write are reported with one time stamp, read once for the write.
    std::vector<std::chrono::system_clock::time_point> sent_at;
    c.set_frame_observer([&](const transport::frame_event& e) {
        if (e.dir == transport::frame_event::direction::sent) sent_at.push_back(e.time);
    });

    std::vector<std::string> answered;
    auto note = [&](std::string name) {
        return [&answered, name](std::error_code ec, transport::response) {
            CHECK_MESSAGE(ec == std::error_code{}, name, ": ", ec.message());
            answered.push_back(name);
        };
    };
    c.async_query("first", note("first"));
    REQUIRE(run_until(ioc, [&] { return fake.first_arrived.load(); }));
    let_first_write_complete(ioc);

    // "first" awaits its answer: "second" is held, and "third", issued in a later turn of the
    // event loop, joins it.
    const auto issued = clock_type::now();
    c.async_query("second", note("second"));
    asio::post(ioc, [&] { c.async_query("third", note("third")); });
    REQUIRE(run_until(ioc, [&] { return answered.size() == 3; }));

    const auto second = fake.arrived.of("second");
    const auto third = fake.arrived.of("third");
    REQUIRE(second);
    REQUIRE(third);
    CHECK(*second - issued >= delay - std::chrono::milliseconds(5));
    CHECK(*third - issued >= delay - std::chrono::milliseconds(5));
    CHECK(answered == std::vector<std::string>{"first", "second", "third"});
    REQUIRE(sent_at.size() == 3);
    CHECK(sent_at[1] == sent_at[2]);  // "second" and "third" left in one write
    CHECK(sent_at[0] != sent_at[1]);
}

TEST_CASE_FIXTURE(held_for_300ms, "write coalescing: the time a request is held counts from when it was issued, not from when the hold began") {
    // "second" starts a hold of 300 ms; "third", issued 150 ms into it with a timeout of
    // 250 ms, is due 400 ms after the hold began: it leaves at 300 ms and is answered. Timed
    // from the hold's start it would have expired at 250 ms, before it was even sent.

    std::vector<std::pair<std::string, std::error_code>> results;
    auto note = [&](std::string name) {
        return [&results, name](std::error_code ec, transport::response) { results.emplace_back(name, ec); };
    };
    c.async_query("first", note("first"));
    REQUIRE(run_until(ioc, [&] { return fake.first_arrived.load(); }));
    let_first_write_complete(ioc);

    const auto hold_began = clock_type::now();
    c.async_query("second", note("second"));
    asio::steady_timer later(ioc, std::chrono::milliseconds(150));
    later.async_wait([&](const boost::system::error_code&) {
        transport::request_options options;
        options.timeout = std::chrono::milliseconds(250);
        auto encode = [](std::vector<std::uint8_t>& out) {
            return protocol::encode_query(out, protocol::request_frame_options{}, "third", protocol::query_parameters{});
        };
        c.async_request(encode, options, note("third"));
    });
    REQUIRE(run_until(ioc, [&] { return results.size() == 3; }));
    // Only meaningful if "third" was issued while "second" was still held.
    REQUIRE(clock_type::now() - hold_began >= delay - std::chrono::milliseconds(5));
    for (const auto& [name, ec] : results) CHECK_MESSAGE(ec == std::error_code{}, name, ": ", ec.message());
}

TEST_CASE("write coalescing: a held write that grows past its limit goes out at once") {
    // max_pending_write_bytes 8 KiB: a held write goes out once it holds 4 KiB.
    fake_cql_server server({});
    std::atomic<bool> first_arrived{false};
    std::atomic<bool> big_arrived{false};
    server.on_opcode(protocol::opcode::query, [&](fake_session& s, const fake_request& r) {
        if (r.query == "first") {
            first_arrived = true;
            return;
        }
        big_arrived = true;
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    auto options = holding_for(std::chrono::seconds(10));
    options.max_pending_write_bytes = 8 * 1024;
    started_client client(server.port(), options);
    auto& ioc = client.ioc;
    auto& c = client.connection;

    std::optional<std::error_code> first;
    std::optional<std::error_code> big;
    c.async_query("first", [&](std::error_code ec, transport::response) { first = ec; });
    REQUIRE(run_until(ioc, [&] { return first_arrived.load(); }));
    let_first_write_complete(ioc);

    const auto started = clock_type::now();
    c.async_query("SELECT '" + std::string(5000, 'x') + "'", [&](std::error_code ec, transport::response) { big = ec; });
    REQUIRE(run_until(ioc, [&] { return big.has_value(); }, std::chrono::seconds(8)));
    CHECK(*big == std::error_code{});
    CHECK(big_arrived.load());
    CHECK(clock_type::now() - started < std::chrono::seconds(5));  // the delay is 10 s
    CHECK_FALSE(first.has_value());  // still awaiting its answer: the write was held, then sent
    c.close();
    REQUIRE(run_until(ioc, [&] { return first.has_value(); }));
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
    started_client client(server.port(), holding_for(std::chrono::seconds(10)));
    auto& ioc = client.ioc;
    auto& c = client.connection;

    std::vector<std::error_code> results;
    auto note = [&](std::error_code ec, transport::response) { results.push_back(ec); };
    c.async_query("first", note);
    REQUIRE(run_until(ioc, [&] { return first_arrived.load(); }));
    let_first_write_complete(ioc);

    const auto started = clock_type::now();
    c.async_query("held", note);
    let_first_write_complete(ioc);  // "held" is now waiting for its 10 s hold
    REQUIRE(results.empty());
    SUBCASE("the server closes the connection") { server.last_session()->close(); }
    SUBCASE("the client closes the connection") { c.close(); }
    REQUIRE(run_until(ioc, [&] { return results.size() == 2; }));
    CHECK(clock_type::now() - started < std::chrono::seconds(5));
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

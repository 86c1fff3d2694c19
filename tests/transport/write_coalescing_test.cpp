// connection_options::write_coalesce_delay: a request issued while others await their answers
// is held back so that requests close together leave in one write; a lone request is not; a
// connection that fails while a write is held completes the held requests at once; a held write
// that reaches its size limit goes out at once; the time held counts against each request's
// timeout from when it was issued, and a request that times out while held is not sent. Every
// timing checked here is a lower bound (a timer never fires early) or leaves at least a second
// (most leave five against a hold of ten), so that a loaded machine or valgrind does not make
// these tests fail.
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
#include "transport/hostile_support.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using cqlwire::test::hostile::started_connection;

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

// After the server has the first request: runs the client's loop until that request's write
// has completed. A request issued while a write is under way goes out when it completes, held
// back by nothing else.
void let_first_write_complete(asio::io_context& ioc, const transport::connection& c) {
    REQUIRE(run_until(ioc, [&] { return c.pending_write_bytes() == 0; }));
}

// Runs the client's loop a little, so that a request just issued reaches its connection.
void run_briefly(asio::io_context& ioc) {
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
    auto c = started_connection(ioc, server, holding_for(std::chrono::seconds(10)));

    const auto started = clock_type::now();
    std::optional<std::error_code> result;
    c.async_query("alone", [&](std::error_code ec, transport::response) { result = ec; });
    REQUIRE(run_until(ioc, [&] { return result.has_value(); }));
    CHECK(*result == std::error_code{});
    CHECK(clock_type::now() - started < std::chrono::seconds(5));  // the delay is 10 s
}

TEST_CASE("write coalescing: requests issued while another awaits its answer leave together after the delay") {
    constexpr auto delay = std::chrono::milliseconds(300);
    answering_at_third fake;
    asio::io_context ioc;
    auto c = started_connection(ioc, fake.server, holding_for(delay));

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
    let_first_write_complete(ioc, c);

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

namespace {

// A connection holding writes for 3 s to an answering_at_third server, with "first" sent (and
// held by the server), so that the next request starts a hold; results in completion order.
struct holding_after_first {
    static constexpr auto delay = std::chrono::seconds(3);
    answering_at_third fake;
    asio::io_context ioc;
    transport::connection c = started_connection(ioc, fake.server, holding_for(delay));
    std::vector<std::pair<std::string, std::error_code>> results;

    auto note(std::string name) {
        return [this, name](std::error_code ec, transport::response) { results.emplace_back(name, ec); };
    }
    // Sends "first" and waits until the server has it; returns when the hold may begin.
    clock_type::time_point send_first() {
        c.async_query("first", note("first"));
        REQUIRE(run_until(ioc, [&] { return fake.first_arrived.load(); }));
        let_first_write_complete(ioc, c);
        return clock_type::now();
    }
    void query_with_timeout(const std::string& text, std::chrono::milliseconds timeout) {
        transport::request_options options;
        options.timeout = timeout;
        auto encode = [text](std::vector<std::uint8_t>& out) {
            return protocol::encode_query(out, protocol::request_frame_options{}, text, protocol::query_parameters{});
        };
        c.async_request(encode, options, note(text));
    }
};

}  // namespace

TEST_CASE_FIXTURE(holding_after_first, "write coalescing: the time a request is held counts from when it was issued, not from when the hold began") {
    // "second" starts a hold of 3 s; "third", issued 1.5 s into it with a timeout of 2.5 s, is
    // due 4 s after the hold began: it leaves with the hold at 3 s and is answered, with a
    // second to spare. Timed from the hold's start it would expire at 2.5 s, before it was sent.
    const auto hold_began = send_first();
    c.async_query("second", note("second"));
    asio::steady_timer later(ioc, std::chrono::milliseconds(1500));
    later.async_wait(
        [&](const boost::system::error_code&) { query_with_timeout("third", std::chrono::milliseconds(2500)); });
    REQUIRE(run_until(ioc, [&] { return results.size() == 3; }));
    const auto third = fake.arrived.of("third");
    REQUIRE(third);
    CHECK(*third - hold_began >= delay - std::chrono::milliseconds(5));  // it was held with "second"
    for (const auto& [name, ec] : results) CHECK_MESSAGE(ec == std::error_code{}, name, ": ", ec.message());
}

TEST_CASE_FIXTURE(holding_after_first, "write coalescing: a request that times out while held is never sent, and ends its hold") {
    // "second", held for 3 s with a timeout of 1 s, times out while held: it is never sent, and
    // the hold, which held nothing else, ends. "third", issued then, is held for a full 3 s of
    // its own: joining the old hold it would leave 2 s after it was issued.
    send_first();
    query_with_timeout("second", std::chrono::milliseconds(1000));
    REQUIRE(run_until(ioc, [&] { return !results.empty(); }));
    REQUIRE(results[0].first == "second");
    CHECK(results[0].second == transport::errc::request_timeout);
    CHECK(c.pending_write_bytes() == 0);  // its frame no longer counts
    run_briefly(ioc);                     // the hold's cancelled timer completes

    const auto third_issued = clock_type::now();
    c.async_query("third", note("third"));
    REQUIRE(run_until(ioc, [&] { return results.size() == 3; }));
    const auto third = fake.arrived.of("third");
    REQUIRE(third);
    CHECK(*third - third_issued >= delay - std::chrono::milliseconds(5));
    CHECK_FALSE(fake.arrived.of("second"));
    for (std::size_t i = 1; i < results.size(); ++i)
        CHECK_MESSAGE(results[i].second == std::error_code{}, results[i].first, ": ", results[i].second.message());
    CHECK(c.pending_requests() == 0);
    CHECK(c.quarantined_stream_ids() == 0);  // "second" was never sent: no late answer to await
}

TEST_CASE("write coalescing: a held write that grows past its limit goes out at once") {
    // max_pending_write_bytes 8 KiB: a held write goes out once it holds 4 KiB.
    fake_cql_server server({});
    std::atomic<bool> first_arrived{false};
    server.on_opcode(protocol::opcode::query, [&](fake_session& s, const fake_request& r) {
        if (r.query == "first") {
            first_arrived = true;
            return;
        }
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    auto options = holding_for(std::chrono::seconds(10));
    options.max_pending_write_bytes = 8 * 1024;
    asio::io_context ioc;
    auto c = started_connection(ioc, server, options);

    std::optional<std::error_code> first;
    std::vector<std::error_code> later;
    auto note = [&](std::error_code ec, transport::response) { later.push_back(ec); };
    c.async_query("first", [&](std::error_code ec, transport::response) { first = ec; });
    REQUIRE(run_until(ioc, [&] { return first_arrived.load(); }));
    let_first_write_complete(ioc, c);

    const auto started = clock_type::now();
    SUBCASE("a big request joins a held small one") {
        c.async_query("small", note);
        run_briefly(ioc);  // "small" is held now, for 10 s
        REQUIRE(later.empty());
        c.async_query("SELECT '" + std::string(5000, 'x') + "'", note);
    }
    SUBCASE("a big request alone is not held") {
        c.async_query("SELECT '" + std::string(5000, 'x') + "'", note);
        c.async_query("small", note);
    }
    REQUIRE(run_until(ioc, [&] { return later.size() == 2; }, std::chrono::seconds(8)));
    CHECK(later[0] == std::error_code{});
    CHECK(later[1] == std::error_code{});
    CHECK(clock_type::now() - started < std::chrono::seconds(5));  // the hold is 10 s
    CHECK_FALSE(first.has_value());  // still awaiting its answer
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
    asio::io_context ioc;
    auto c = started_connection(ioc, server, holding_for(std::chrono::seconds(10)));

    std::vector<std::error_code> results;
    auto note = [&](std::error_code ec, transport::response) { results.push_back(ec); };
    c.async_query("first", note);
    REQUIRE(run_until(ioc, [&] { return first_arrived.load(); }));
    let_first_write_complete(ioc, c);

    const auto started = clock_type::now();
    c.async_query("held", note);
    run_briefly(ioc);  // "held" is now waiting for its 10 s hold
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

#include "test_support.hpp"

#include <algorithm>
#include <atomic>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "cql_test_client.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "fake_cql_server.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
namespace asio = boost::asio;

TEST_CASE("pipelining: 10,000 requests on one connection, answered in a shuffled order") {
    constexpr std::size_t count = 10000;
    fake_cql_server server({});
    // Holds every query until all have arrived, then answers them in a random order, each with
    // a row naming the query it answers, in chunks so that frames straddle the reads.
    std::vector<std::pair<std::int16_t, std::string>> held;
    server.on_opcode(protocol::opcode::query, [&](fake_session& s, const fake_request& r) {
        held.emplace_back(r.header.stream, r.query);
        if (held.size() < count) return;
        std::mt19937 rng(20240531);
        std::shuffle(held.begin(), held.end(), rng);
        std::vector<std::uint8_t> chunk;
        for (std::size_t i = 0; i < held.size(); ++i) {
            auto frame = fake_cql_server::single_text_row_frame(held[i].first, "answer to " + held[i].second);
            chunk.insert(chunk.end(), frame.begin(), frame.end());
            if (i % 997 == 996 || i + 1 == held.size()) {
                s.send_raw(std::move(chunk));
                chunk.clear();
            }
        }
    });

    asio::io_context ioc;
    transport::connection_options options;
    options.request_timeout = std::chrono::seconds(60);
    transport::connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::optional<std::string>> answers(count);
    std::size_t completed = 0;
    std::size_t failed = 0;
    for (std::size_t i = 0; i < count; ++i) {
        c.async_query("query " + std::to_string(i), [&, i](std::error_code ec, transport::response r) {
            ++completed;
            if (ec) {
                ++failed;
                return;
            }
            answers[i] = first_text_cell(r);
        });
    }
    ioc.restart();
    while (completed < count && ioc.run_one_for(std::chrono::seconds(30)) != 0) {
    }
    REQUIRE(completed == count);
    CHECK(failed == 0);
    std::size_t mismatched = 0;
    for (std::size_t i = 0; i < count; ++i)
        if (answers[i] != "answer to query " + std::to_string(i)) ++mismatched;
    CHECK(mismatched == 0);
    CHECK(c.pending_requests() == 0);
    CHECK(server.requests_received() == count + 1);  // + STARTUP
}

TEST_CASE("pipelining: more requests than stream ids fail fast with stream_ids_exhausted") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::query, [](fake_session&, const fake_request&) {});  // never answers
    asio::io_context ioc;
    transport::connection_options options;
    options.stream_ids = 8;
    options.request_timeout = std::chrono::seconds(30);
    transport::connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::error_code> results;
    for (int i = 0; i < 10; ++i)
        c.async_query("q", [&](std::error_code ec, transport::response) { results.push_back(ec); });
    run_for(ioc, std::chrono::milliseconds(300));
    REQUIRE(results.size() == 2);
    CHECK(results[0] == transport::errc::stream_ids_exhausted);
    CHECK(results[1] == transport::errc::stream_ids_exhausted);
    CHECK(c.pending_requests() == 8);

    // Closing completes the eight that wait.
    c.close();
    run_for(ioc, std::chrono::milliseconds(300));
    REQUIRE(results.size() == 10);
    for (std::size_t i = 2; i < results.size(); ++i) CHECK(results[i] == transport::errc::connection_broken);
}

namespace {

// A server that answers each query with one row holding the query's text, all of a burst in
// one write (so the client reads them together and delivers them as one batch).
struct echo_server {
    fake_cql_server server{{}};
    std::vector<std::uint8_t> pending;  // the server's thread only
    std::atomic<std::size_t> burst;     // set by the test between bursts

    explicit echo_server(std::size_t burst_size) : burst(burst_size) {
        server.on_opcode(protocol::opcode::query, [this](fake_session& s, const fake_request& r) {
            auto frame = fake_cql_server::single_text_row_frame(r.header.stream, r.query);
            pending.insert(pending.end(), frame.begin(), frame.end());
            if (--burst == 0) s.send_raw(std::move(pending));
        });
    }
};

}  // namespace

TEST_CASE("pipelining: responses read together are delivered in order, outside the initiating call") {
    echo_server echo(5);
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, echo.server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::string> seen;
    bool initiating = false;
    for (int i = 0; i < 5; ++i) {
        initiating = true;
        c.async_query("q" + std::to_string(i), [&](std::error_code ec, transport::response r) {
            CHECK_FALSE(initiating);
            REQUIRE_FALSE(ec);
            seen.push_back(first_text_cell(r).value_or("?"));
            // A request started from a handler of the batch goes out and completes too.
            if (seen.size() == 5) {
                echo.burst = 1;
                c.async_query("from a handler", [&](std::error_code ec2, transport::response r2) {
                    REQUIRE_FALSE(ec2);
                    seen.push_back(first_text_cell(r2).value_or("?"));
                });
            }
        });
        initiating = false;
    }
    ioc.restart();
    while (seen.size() < 6 && ioc.run_one_for(std::chrono::seconds(10)) != 0) {
    }
    CHECK(seen == std::vector<std::string>{"q0", "q1", "q2", "q3", "q4", "from a handler"});
}

TEST_CASE("pipelining: a handler that throws does not lose the rest of its batch") {
    echo_server echo(3);
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, echo.server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    std::vector<std::string> seen;
    for (int i = 0; i < 3; ++i) {
        c.async_query("q" + std::to_string(i), [&, i](std::error_code ec, transport::response r) {
            REQUIRE_FALSE(ec);
            seen.push_back(first_text_cell(r).value_or("?"));
            if (i == 0) throw std::runtime_error("handler failed");
        });
    }
    ioc.restart();
    bool thrown = false;
    try {
        while (seen.empty() && ioc.run_one_for(std::chrono::seconds(10)) != 0) {
        }
    } catch (const std::runtime_error&) {
        thrown = true;
    }
    CHECK(thrown);
    ioc.restart();
    while (seen.size() < 3 && ioc.run_one_for(std::chrono::seconds(10)) != 0) {
    }
    CHECK(seen == std::vector<std::string>{"q0", "q1", "q2"});
    CHECK(c.pending_requests() == 0);
    // The handler threw from inside the read that brought its answer: the connection still
    // reads, and answers the next request.
    echo.burst = 1;
    c.async_query("after", [&](std::error_code ec, transport::response r) {
        REQUIRE_FALSE(ec);
        seen.push_back(first_text_cell(r).value_or("?"));
    });
    ioc.restart();
    while (seen.size() < 4 && ioc.run_one_for(std::chrono::seconds(10)) != 0) {
    }
    CHECK(seen.back() == "after");
}

TEST_CASE("pipelining: a handler bound to a strand runs on that strand") {
    echo_server echo(3);
    asio::io_context ioc;
    transport::connection c(plain_stream_to(ioc, echo.server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});

    auto strand = asio::make_strand(ioc);
    int on_strand = 0, completed = 0;
    for (int i = 0; i < 3; ++i) {
        c.async_query("q", asio::bind_executor(strand, [&](std::error_code ec, transport::response) {
                          CHECK_FALSE(ec);
                          if (strand.running_in_this_thread()) ++on_strand;
                          ++completed;
                      }));
    }
    ioc.restart();
    while (completed < 3 && ioc.run_one_for(std::chrono::seconds(10)) != 0) {
    }
    CHECK(completed == 3);
    CHECK(on_strand == 3);
}

#include "test_support.hpp"

#include <algorithm>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

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

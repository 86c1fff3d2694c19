// Hostile server, flow: a server that accepts requests and never answers, one that stops reading
// (the client's write queue must stay under connection_options::max_pending_write_bytes), more
// requests than stream ids, and a late answer to a request that timed out (it must reach no
// other request).
#include "test_support.hpp"

#include <algorithm>
#include <string>

#include "transport/hostile_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::test::hostile;
using transport::errc;
namespace asio = boost::asio;

// Runs `ioc` until `done()` or hard_stop.
template <class Done>
void run_until(asio::io_context& ioc, Done done) {
    const auto start = clock::now();
    ioc.restart();
    while (!done() && since(start) < hard_stop) ioc.run_one_for(20ms);
}

}  // namespace

TEST_CASE("hostile flow: a request never answered times out at the request timeout; the connection lives on") {
    fake_cql_server server({});
    install_bystanders(server, 2, 100ms);
    server.on_query("hostile", [](fake_session&, const fake_request&) {});
    asio::io_context ioc;
    auto c = started_connection(ioc, server);
    const auto o = provoke(ioc, c, 2);
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == errc::request_timeout);
    CHECK(o.hostile.r.empty());
    CHECK(o.hostile.after >= request_timeout);
    CHECK(o.hostile.after < request_timeout + slack);
    for (std::size_t i = 0; i < o.bystanders.size(); ++i)
        CHECK(first_text_cell(o.bystanders[i].r) == "bystander " + std::to_string(i));
    CHECK(o.failure == std::error_code{});
    CHECK(c.quarantined_stream_ids() == 1);

    std::error_code ec;
    protocol::diagnostics diag;
    auto r = c.query("SELECT * FROM system.local", ec, diag);
    CHECK(ec == std::error_code{});
    CHECK(first_text_cell(r) == "local");
}

TEST_CASE("hostile flow: a server that stops reading: the write queue stays under its cap, requests time out") {
    fake_cql_server server({});
    server.on_query("stop reading", [](fake_session& s, const fake_request& r) {
        s.stop_reading();
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    asio::io_context ioc;
    auto options = short_timeouts();
    options.max_pending_write_bytes = 1024 * 1024;
    auto c = started_connection(ioc, server, options);
    {
        std::error_code ec;
        protocol::diagnostics diag;
        c.query("stop reading", ec, diag);
        REQUIRE(ec == std::error_code{});
    }

    // 256 KiB requests, four per turn, far more than the kernel's buffers take from a reader
    // that does not read.
    const std::string big(256 * 1024, 'x');
    constexpr int rounds = 40;
    std::size_t accepted = 0, refused = 0, timed_out = 0, other = 0, ended = 0, issued = 0;
    std::size_t largest_pending = 0;
    const auto start = clock::now();
    for (int round = 0; round < rounds; ++round) {
        for (int i = 0; i < 4; ++i) {
            ++issued;
            c.async_query(big, [&](std::error_code ec, transport::response) {
                ++ended;
                if (ec == std::errc::no_buffer_space)
                    ++refused;
                else if (ec == errc::request_timeout)
                    ++timed_out;
                else
                    ++other;
            });
        }
        ioc.restart();
        ioc.run_for(10ms);
        largest_pending = std::max(largest_pending, c.pending_write_bytes());
    }
    const auto issuing_took = since(start);
    run_until(ioc, [&] { return ended == issued; });
    accepted = issued - refused;
    INFO("accepted " << accepted << ", refused " << refused << ", timed out " << timed_out << ", other " << other);
    REQUIRE(ended == issued);
    CHECK(refused > 0);
    CHECK(other == 0);
    CHECK(timed_out == accepted);  // every request taken ended at its timeout
    CHECK(largest_pending > 0);  // the queue did fill: the server really stopped taking bytes
    CHECK(largest_pending <= options.max_pending_write_bytes);
    CHECK(since(start) < issuing_took + request_timeout + slack);
    CHECK(c.pending_requests() == 0);
    CHECK(c.failure() == std::error_code{});
}

TEST_CASE("hostile flow: more requests than stream ids: the extra ones are refused at once") {
    // By design ids are not queued for: acquire() fails and the request ends with
    // stream_ids_exhausted, so that a caller sees the back-pressure instead of a hidden queue.
    fake_cql_server server({});
    install_bystanders(server, 4, 200ms);
    asio::io_context ioc;
    auto options = short_timeouts();
    options.stream_ids = 4;
    auto c = started_connection(ioc, server, options);

    std::vector<request_end> ends(6);
    const auto start = clock::now();
    for (std::size_t i = 0; i < ends.size(); ++i) {
        c.async_query("bystander " + std::to_string(i % 4), [&, i](std::error_code ec, transport::response r) {
            ends[i].done = true;
            ends[i].ec = ec;
            ends[i].r = std::move(r);
            ends[i].after = since(start);
        });
    }
    run_until(ioc, [&] { return std::all_of(ends.begin(), ends.end(), [](auto& e) { return e.done; }); });
    for (std::size_t i = 0; i < 4; ++i) {
        CHECK(ends[i].ec == std::error_code{});
        CHECK(first_text_cell(ends[i].r) == "bystander " + std::to_string(i));
    }
    for (std::size_t i = 4; i < 6; ++i) {
        CHECK(ends[i].ec == errc::stream_ids_exhausted);
        CHECK(ends[i].r.empty());
        CHECK(ends[i].after < 200ms + slack);  // refused, not held until an id frees up
    }
    CHECK(c.failure() == std::error_code{});
    // The ids came back: a new request goes through.
    std::error_code ec;
    protocol::diagnostics diag;
    CHECK(first_text_cell(c.query("bystander 0", ec, diag)) == "bystander 0");
}

TEST_CASE("hostile flow: a late answer to a timed-out request reaches no other request") {
    // Two ids. "late" times out and is answered afterwards; meanwhile a patient request holds
    // the other id, and a third one finds no id free (the late one's is quarantined). After the
    // late answer the id is reused, and its new request gets its own answer, not the late one.
    fake_cql_server server({});
    server.on_query("late", [](fake_session& s, const fake_request& r) {
        s.send_after(1000ms, fake_cql_server::single_text_row_frame(r.header.stream, "late"));
    });
    server.on_query("patient", [](fake_session& s, const fake_request& r) {
        s.send_after(1300ms, fake_cql_server::single_text_row_frame(r.header.stream, "patient"));
    });
    server.on_query("after", [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::single_text_row_frame(r.header.stream, "after"));
    });
    asio::io_context ioc;
    auto options = short_timeouts();
    options.stream_ids = 2;
    auto c = started_connection(ioc, server, options);

    request_end late, patient, squeezed;
    const auto start = clock::now();
    auto record = [&start](request_end& e) {
        return [&e, &start](std::error_code ec, transport::response r) {
            e.done = true;
            e.ec = ec;
            e.r = std::move(r);
            e.after = since(start);
        };
    };
    c.async_query("late", record(late));
    transport::request_options long_wait;
    long_wait.timeout = 5000ms;
    auto encode_patient = [](std::vector<std::uint8_t>& out) {
        return protocol::encode_query(out, protocol::request_frame_options{}, "patient", protocol::query_parameters{});
    };
    c.async_request(encode_patient, long_wait, record(patient));
    run_until(ioc, [&] { return late.done; });
    CHECK(late.ec == errc::request_timeout);
    CHECK(late.after < request_timeout + slack);
    CHECK(c.quarantined_stream_ids() == 1);

    c.async_query("after", record(squeezed));
    run_until(ioc, [&] { return squeezed.done; });
    CHECK(squeezed.ec == errc::stream_ids_exhausted);

    run_until(ioc, [&] { return patient.done; });
    CHECK(patient.ec == std::error_code{});
    CHECK(first_text_cell(patient.r) == "patient");
    CHECK(c.quarantined_stream_ids() == 0);
    CHECK(c.failure() == std::error_code{});

    std::error_code ec;
    protocol::diagnostics diag;
    CHECK(first_text_cell(c.query("after", ec, diag)) == "after");
    CHECK(ec == std::error_code{});
}

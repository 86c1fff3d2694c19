// The harness of the hostile-server suite (hostile_*_test.cpp): a fake server whose "hostile"
// query gets a scripted misbehaviour while "bystander" requests are in flight on the same
// connection, and a record of how every request ended and how long it took.
//
// The bar each case meets: the specific error (code, and the message naming the cause), an end
// within the configured timeout (short timeouts, elapsed time bounded with slack for a loaded
// machine), and the bystanders failing cleanly with the connection's failure — the cause, e.g.
// protocol_violation, and retryable: nothing was misdelivered — when the connection breaks, or
// getting their own answers when it does not.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cql_test_client.hpp"
#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "fake_cql_server.hpp"

namespace cqlwire::test::hostile {

using namespace std::chrono_literals;

// How many bystander requests the hostile cases keep in flight beside the hostile one.
inline constexpr std::size_t bystander_count = 3;
using clock = std::chrono::steady_clock;
using bytes = std::vector<std::uint8_t>;

// Short, so that the suite is quick; a case that ends "within the timeout" must end before
// timeout + slack, the slack covering a loaded machine.
inline constexpr std::chrono::milliseconds request_timeout = 600ms;
inline constexpr std::chrono::milliseconds startup_timeout = 600ms;
inline constexpr std::chrono::milliseconds slack = 1500ms;
// Nothing in the suite may run longer than this, whatever goes wrong.
inline constexpr std::chrono::milliseconds hard_stop = 10s;

inline transport::connection_options short_timeouts() {
    transport::connection_options o;
    o.request_timeout = request_timeout;
    o.startup_timeout = startup_timeout;
    return o;
}

inline bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

inline std::chrono::milliseconds since(clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(clock::now() - start);
}

// ---- frames built by hand, so that any field can lie ---------------------------------------

// A response frame header (9 bytes) followed by `body`; `length` replaces the true body length.
inline bytes frame(std::uint8_t version, std::uint8_t flags, std::int16_t stream, std::uint8_t op,
                   const bytes& body, std::optional<std::uint32_t> length = std::nullopt) {
    const std::uint32_t n = length.value_or(static_cast<std::uint32_t>(body.size()));
    const auto id = static_cast<std::uint16_t>(stream);
    bytes out;
    out.reserve(protocol::frame_header_size + body.size());
    for (const std::uint8_t b : {version, flags, static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), op,
                                 static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                                 static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)})
        out.push_back(b);
    for (const std::uint8_t b : body) out.push_back(b);
    return out;
}

inline bytes response_frame(std::int16_t stream, protocol::opcode op, const bytes& body, std::uint8_t flags = 0) {
    return frame(0x84, flags, stream, static_cast<std::uint8_t>(op), body);
}

// ---- the fake server and the connection ------------------------------------------------------

// Bystander queries are named "bystander N"; with `answer_after` each is answered after that
// delay with a one-row result holding its own name, otherwise never.
inline void install_bystanders(fake_cql_server& server, std::size_t count,
                               std::optional<std::chrono::milliseconds> answer_after = std::nullopt) {
    for (std::size_t i = 0; i < count; ++i) {
        const std::string name = "bystander " + std::to_string(i);
        server.on_query(name, [name, answer_after](fake_session& s, const fake_request& r) {
            if (answer_after) s.send_after(*answer_after, fake_cql_server::single_text_row_frame(r.header.stream, name));
        });
    }
}

// A plaintext connection to `server`, started up (READY) with short timeouts.
inline transport::connection started_connection(boost::asio::io_context& ioc, const fake_cql_server& server,
                                                transport::connection_options options = short_timeouts()) {
    transport::connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    const auto ec = c.startup({}, diag);
    REQUIRE_MESSAGE(ec == std::error_code{}, diag.client_message());
    return c;
}

// ---- provoking ---------------------------------------------------------------------------

struct request_end {
    bool done = false;
    std::error_code ec;
    transport::response r;
    std::chrono::milliseconds after{0};  // from the moment the requests were issued
};

struct outcome {
    request_end hostile;
    std::vector<request_end> bystanders;
    std::chrono::milliseconds elapsed{0};  // until the last request ended
    bool all_done = false;
    std::error_code failure;  // the connection's, afterwards
    std::string failure_message;
};

// Issues `bystanders` bystander queries, then the query `hostile_query` (whose server script
// misbehaves), and runs the io_context until every one of them has ended (or hard_stop).
inline outcome provoke(boost::asio::io_context& ioc, transport::connection& c, std::size_t bystanders,
                       std::string_view hostile_query = "hostile") {
    outcome out;
    out.bystanders.resize(bystanders);
    const auto start = clock::now();
    auto record = [start](request_end& slot) {
        return [&slot, start](std::error_code ec, transport::response r) {
            slot.done = true;
            slot.ec = ec;
            slot.r = std::move(r);
            slot.after = since(start);
        };
    };
    for (std::size_t i = 0; i < bystanders; ++i)
        c.async_query("bystander " + std::to_string(i), record(out.bystanders[i]));
    c.async_query(hostile_query, record(out.hostile));

    auto all_done = [&] {
        if (!out.hostile.done) return false;
        for (auto& b : out.bystanders)
            if (!b.done) return false;
        return true;
    };
    ioc.restart();
    while (!all_done() && since(start) < hard_stop) ioc.run_one_for(50ms);
    out.all_done = all_done();
    if (!out.all_done) {
        // A hang (the failure the checks will report): end it, so that no handler outlives `out`.
        c.close();
        ioc.restart();
        while (!all_done() && since(start) < hard_stop + 2s) ioc.run_one_for(50ms);
    }
    out.elapsed = out.hostile.after;
    for (auto& b : out.bystanders) out.elapsed = std::max(out.elapsed, b.after);
    out.failure = c.failure();
    out.failure_message = c.failure_diagnostics().client_message();
    return out;
}

// The checks shared by every case where the misbehaviour breaks the connection: the hostile
// request and every bystander end with the error that broke it (the connection's failure(); a
// request may be sent again on another connection: nothing was misdelivered), quickly, and
// nothing stays pending. A request made afterwards carries the same error, and its diagnostics
// name the cause.
inline void check_broken(const outcome& o, transport::connection& c, std::error_code expected_failure,
                         std::string_view message_part,
                         std::chrono::milliseconds bound = request_timeout + slack) {
    INFO("failure: " << o.failure.message() << " / " << o.failure_message);
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == expected_failure);
    CHECK(o.hostile.r.empty());
    for (const auto& b : o.bystanders) {
        CHECK(b.ec == expected_failure);
        CHECK(b.r.empty());
    }
    CHECK(o.failure == expected_failure);
    CHECK(contains(o.failure_message, message_part));
    CHECK(o.elapsed < bound);
    CHECK(c.pending_requests() == 0);

    std::error_code later;
    protocol::diagnostics diag;
    c.query("after the failure", later, diag);
    CHECK(later == expected_failure);
    CHECK(contains(diag.client_message(), message_part));
}

// For the byte-by-byte cases: the bystanders' ids are recorded and their answers go out in the
// same trickle as the hostile one, after it (one trickle, so that no other write lands in the
// middle of a frame). Runs on the server's thread only.
struct trickled_answers {
    std::vector<std::pair<std::int16_t, std::string>> bystanders;
};

inline std::shared_ptr<trickled_answers> install_trickled(fake_cql_server& server, std::size_t count,
                                                          std::chrono::milliseconds interval) {
    auto answers = std::make_shared<trickled_answers>();
    for (std::size_t i = 0; i < count; ++i) {
        const std::string name = "bystander " + std::to_string(i);
        server.on_query(name, [answers, name](fake_session&, const fake_request& r) {
            answers->bystanders.emplace_back(r.header.stream, name);
        });
    }
    server.on_query("hostile", [answers, interval](fake_session& s, const fake_request& r) {
        auto all = fake_cql_server::single_text_row_frame(r.header.stream, "slowly");
        for (const auto& [id, name] : answers->bystanders) {
            const auto f = fake_cql_server::single_text_row_frame(id, name);
            all.insert(all.end(), f.begin(), f.end());
        }
        s.send_trickle(std::move(all), interval);
    });
    return answers;
}

}  // namespace cqlwire::test::hostile

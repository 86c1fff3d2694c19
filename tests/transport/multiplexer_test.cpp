// The multiplexer driven directly: no socket, no thread, no clock — time is a number here.
#include "cqlwire/transport/multiplexer.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/errc.hpp"

namespace {

using cqlwire::transport::frame_route;
using cqlwire::transport::multiplexer;
using cqlwire::transport::multiplexer_options;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
using time_point = std::chrono::steady_clock::time_point;
using namespace std::chrono_literals;

// A request's handler in these tests: the name of the request.
using tag = std::string;

const time_point t0{};

std::error_code submit_options(multiplexer<tag>& m, tag name, std::optional<time_point> deadline = {}) {
    auto encode = [](std::vector<std::uint8_t>& out) {
        return protocol::encode_options(out, protocol::request_frame_options{});
    };
    return m.submit(encode, name, deadline);
}

protocol::frame_header response_on(std::int16_t stream, protocol::opcode op = protocol::opcode::result) {
    protocol::frame_header h;
    h.version = protocol::protocol_v4 | protocol::response_direction_bit;
    h.stream = stream;
    h.op = op;
    return h;
}

// The stream ids of the frames in `bytes`, in order.
std::vector<std::int16_t> stream_ids_in(protocol::bytes_view bytes) {
    std::vector<std::int16_t> ids;
    while (bytes.size() >= protocol::frame_header_size) {
        protocol::frame_header h;
        REQUIRE_FALSE(protocol::decode_frame_header(bytes, h));
        ids.push_back(h.stream);
        bytes = bytes.subspan(protocol::frame_header_size + h.length);
    }
    return ids;
}

// A request frame (OPTIONS) with a body of `body` bytes, each of value `body % 256`: frames of
// different sizes whose bytes tell them apart.
std::vector<std::uint8_t> frame_of(std::size_t body) {
    std::vector<std::uint8_t> f(protocol::frame_header_size + body, static_cast<std::uint8_t>(body));
    f[1] = 0;
    f[4] = static_cast<std::uint8_t>(protocol::opcode::options);
    f[5] = static_cast<std::uint8_t>(body >> 24);
    f[6] = static_cast<std::uint8_t>(body >> 16);
    f[7] = static_cast<std::uint8_t>(body >> 8);
    f[8] = static_cast<std::uint8_t>(body);
    return f;
}

// Whether `bytes` are the frames of `bodies` (as frame_of makes them) in that order.
bool frames_are(protocol::bytes_view bytes, std::vector<std::size_t> bodies) {
    for (const auto body : bodies) {
        if (bytes.size() < protocol::frame_header_size + body) return false;
        const auto b = bytes.subspan(protocol::frame_header_size, body);
        const auto value = static_cast<std::uint8_t>(body);
        if (!std::all_of(b.begin(), b.end(), [&](auto x) { return x == value; })) return false;
        bytes = bytes.subspan(protocol::frame_header_size + body);
    }
    return bytes.empty();
}

}  // namespace

TEST_CASE("multiplexer: ids go out in the frames, responses in any order reach their requests") {
    multiplexer<tag> m;
    REQUIRE_FALSE(submit_options(m, "a"));
    REQUIRE_FALSE(submit_options(m, "b"));
    REQUIRE_FALSE(submit_options(m, "c"));
    CHECK(m.pending() == 3);
    const auto written = m.prepare_write();
    CHECK(stream_ids_in(written) == std::vector<std::int16_t>{0, 1, 2});
    CHECK(written[0] == protocol::protocol_v4);
    CHECK(m.prepare_write().empty());  // one write at a time
    m.commit_write();

    tag got;
    std::string violation;
    CHECK(m.consume(response_on(2), got, violation) == frame_route::response);
    CHECK(got == "c");
    CHECK(m.consume(response_on(0), got, violation) == frame_route::response);
    CHECK(got == "a");
    CHECK(m.consume(response_on(1), got, violation) == frame_route::response);
    CHECK(got == "b");
    CHECK(m.pending() == 0);
}

TEST_CASE("multiplexer: the configured protocol version is written into every frame") {
    multiplexer_options o;
    o.protocol_version = 3;
    multiplexer<tag> m(o);
    REQUIRE_FALSE(submit_options(m, "a"));
    CHECK(m.prepare_write()[0] == 3);
}

TEST_CASE("multiplexer: a request past its deadline is handed back, its id quarantined until the late answer") {
    multiplexer<tag> m;
    REQUIRE_FALSE(submit_options(m, "slow", t0 + 100ms));
    REQUIRE_FALSE(submit_options(m, "patient", t0 + 500ms));
    REQUIRE_FALSE(submit_options(m, "forever"));
    CHECK(m.next_deadline() == t0 + 100ms);
    REQUIRE(stream_ids_in(m.prepare_write()).size() == 3);  // sent: the server may answer late
    m.commit_write();

    std::vector<tag> expired;
    m.expire(t0 + 99ms, [&](tag&& t) { expired.push_back(t); });
    CHECK(expired.empty());
    m.expire(t0 + 100ms, [&](tag&& t) { expired.push_back(t); });
    CHECK(expired == std::vector<tag>{"slow"});
    CHECK(m.quarantined() == 1);
    CHECK(m.next_deadline() == t0 + 500ms);

    // The late answer is dropped and frees the id; a second one is a violation.
    tag got;
    std::string violation;
    CHECK(m.consume(response_on(0), got, violation) == frame_route::late);
    CHECK(got.empty());
    CHECK(m.quarantined() == 0);
    CHECK(m.consume(response_on(0), got, violation) == frame_route::violation);
    CHECK(violation.find("stream 0") != std::string::npos);

    // An answered request's deadline is gone with it.
    CHECK(m.consume(response_on(1), got, violation) == frame_route::response);
    CHECK(got == "patient");
    CHECK_FALSE(m.next_deadline());
    m.expire(t0 + 1h, [&](tag&& t) { expired.push_back(t); });
    CHECK(expired.size() == 1);
    CHECK(m.pending() == 1);  // "forever" has no deadline
}

TEST_CASE("multiplexer: a request that times out before it was written is never sent, and its id is free then") {
    multiplexer<tag> m;
    REQUIRE_FALSE(submit_options(m, "sent", t0 + 100ms));
    REQUIRE(stream_ids_in(m.prepare_write()) == std::vector<std::int16_t>{0});
    // Queued behind the write under way (or held back by the connection): frames of three
    // sizes, so that the ones kept must be moved whole.
    const auto small = frame_of(3), large = frame_of(300), medium = frame_of(40);
    tag a = "expiring", b = "kept", c = "expiring too", d = "kept too";
    REQUIRE_FALSE(m.submit(protocol::bytes_view(small), a, t0 + 100ms));
    REQUIRE_FALSE(m.submit(protocol::bytes_view(large), b, std::nullopt));
    REQUIRE_FALSE(m.submit(protocol::bytes_view(medium), c, t0 + 50ms));
    REQUIRE_FALSE(m.submit(protocol::bytes_view(medium), d, t0 + 1s));
    CHECK(m.queued_requests() == 4);
    const auto before = m.pending_write_bytes();

    std::vector<tag> expired;
    m.expire(t0 + 100ms, [&](tag&& t) { expired.push_back(t); });
    std::sort(expired.begin(), expired.end());
    CHECK(expired == std::vector<tag>{"expiring", "expiring too", "sent"});
    CHECK(m.pending() == 2);
    CHECK(m.queued_requests() == 2);
    CHECK(m.pending_write_bytes() == before - small.size() - medium.size());

    // Not sent, so not answerable: an answer on their ids is a violation, and leaves them taken.
    tag got;
    std::string violation;
    CHECK(m.consume(response_on(1), got, violation) == frame_route::violation);
    CHECK(violation.find("before the request on it was sent") != std::string::npos);
    CHECK(m.consume(response_on(3), got, violation) == frame_route::violation);
    CHECK(m.quarantined() == 3);  // the two unsent ones keep their ids until their frames go

    m.commit_write();
    const auto second_write = m.prepare_write();
    CHECK(stream_ids_in(second_write) == std::vector<std::int16_t>{2, 4});
    CHECK(frames_are(second_write, {300, 40}));
    CHECK(m.pending_write_bytes() == second_write.size());
    CHECK(m.quarantined() == 1);  // "sent" only: its answer may still come
    m.commit_write();

    CHECK(m.consume(response_on(1), got, violation) == frame_route::violation);
    CHECK(violation.find("which no request was waiting on") != std::string::npos);  // free now
    CHECK(m.consume(response_on(0), got, violation) == frame_route::late);
    CHECK(m.consume(response_on(2), got, violation) == frame_route::response);
    CHECK(got == "kept");
    CHECK(m.consume(response_on(4), got, violation) == frame_route::response);
    CHECK(got == "kept too");
    CHECK(m.pending() == 0);
}

TEST_CASE("multiplexer: requests timed out unsent among frames a write takes only part of") {
    // Batches of at most 100 bytes: frames of 49, 49, 49, 49 and 9 bytes (bodies 40 and 0).
    multiplexer_options o;
    o.max_write_batch_bytes = 100;
    multiplexer<tag> m(o);
    const auto forty = frame_of(40), empty = frame_of(0);
    std::vector<tag> names = {"a", "b", "c", "d", "e"};
    for (std::size_t i = 0; i < 4; ++i) REQUIRE_FALSE(m.submit(protocol::bytes_view(forty), names[i], t0 + 1s));
    REQUIRE_FALSE(m.submit(protocol::bytes_view(empty), names[4], t0 + 10ms));
    CHECK(stream_ids_in(m.prepare_write()) == std::vector<std::int16_t>{0, 1});
    CHECK(m.queued_requests() == 3);

    // "e" (the last) times out while "c" and "d" wait ahead of it: the frames before it stay
    // where they are.
    std::vector<tag> expired;
    m.expire(t0 + 10ms, [&](tag&& t) { expired.push_back(t); });
    CHECK(expired == std::vector<tag>{"e"});
    CHECK(m.queued_requests() == 2);
    tag got;
    std::string violation;
    CHECK(m.consume(response_on(2), got, violation) == frame_route::violation);  // "c" is not sent yet
    m.commit_write();
    CHECK(stream_ids_in(m.prepare_write()) == std::vector<std::int16_t>{2, 3});
    CHECK(m.queued_requests() == 0);
    CHECK(m.consume(response_on(2), got, violation) == frame_route::response);  // sent now
    CHECK(got == "c");
    m.commit_write();
    CHECK(m.prepare_write().empty());  // "e" was dropped
    CHECK(m.pending_write_bytes() == 0);
    CHECK(m.quarantined() == 0);
}

TEST_CASE("multiplexer: frames of requests timed out unsent do not pile up behind a write that does not end") {
    // A server that stopped reading: the first write never completes. Requests keep coming and
    // timing out behind it, each frame of its own size; one waits without a deadline.
    multiplexer_options o;
    o.max_pending_write_bytes = 200;
    SUBCASE("bounded by bytes") {}
    SUBCASE("bounded by stream ids") { o.stream_ids = 6; }
    multiplexer<tag> m(o);
    tag first = "stuck", patient = "patient";
    REQUIRE_FALSE(m.submit(protocol::bytes_view(frame_of(7)), first, std::nullopt));
    REQUIRE_FALSE(m.prepare_write().empty());
    REQUIRE_FALSE(m.submit(protocol::bytes_view(frame_of(5)), patient, std::nullopt));
    std::size_t most_held = 0;
    for (int i = 1; i <= 200; ++i) {
        tag t = "doomed";
        REQUIRE_FALSE(m.submit(protocol::bytes_view(frame_of(10 + static_cast<std::size_t>(i % 30))), t, t0 + i * 1ms));
        m.expire(t0 + i * 1ms, [](tag&&) {});
        most_held = std::max(most_held, m.held_bytes());
    }
    CHECK(most_held <= o.max_pending_write_bytes + protocol::frame_header_size + 39);
    CHECK(m.pending_write_bytes() == 2 * protocol::frame_header_size + 7 + 5);
    CHECK(m.quarantined() <= 4);  // the ids of the dropped frames came back
    m.commit_write();
    const auto next = m.prepare_write();
    CHECK(stream_ids_in(next) == std::vector<std::int16_t>{1});  // "patient" alone, intact
    CHECK(frames_are(next, {5}));
}

TEST_CASE("multiplexer: a request refused after frames timed out unsent were dropped leaves the queue whole") {
    multiplexer_options o;
    o.max_pending_write_bytes = 150;
    multiplexer<tag> m(o);
    tag stuck = "stuck", live = "live", doomed = "doomed";
    REQUIRE_FALSE(m.submit(protocol::bytes_view(frame_of(20)), stuck, std::nullopt));  // 29 bytes
    REQUIRE_FALSE(m.prepare_write().empty());
    REQUIRE_FALSE(m.submit(protocol::bytes_view(frame_of(60)), live, std::nullopt));         // 69 bytes
    REQUIRE_FALSE(m.submit(protocol::bytes_view(frame_of(30)), doomed, t0 + 1ms));           // 39 bytes
    m.expire(t0 + 1ms, [](tag&&) {});
    CHECK(m.quarantined() == 1);
    // 29 + 69 + 39 held; 69 more would go beyond 150 even with "doomed" dropped (29 + 69 + 69).
    tag big = "big";
    CHECK(m.submit(protocol::bytes_view(frame_of(60)), big, std::nullopt) == std::errc::no_buffer_space);
    CHECK(big == "big");
    CHECK(m.quarantined() == 0);  // "doomed" was dropped on the way
    CHECK(m.held_bytes() == m.pending_write_bytes());
    CHECK(m.held_bytes() == 29 + 69);
    m.commit_write();
    const auto next = m.prepare_write();
    CHECK(stream_ids_in(next) == std::vector<std::int16_t>{1});
    CHECK(frames_are(next, {60}));
}

TEST_CASE("multiplexer: a frame whose length disagrees with its bytes is refused") {
    multiplexer<tag> m;
    auto frame = frame_of(10);
    frame.pop_back();  // the header says 10 body bytes; there are 9
    tag t = "short";
    CHECK(m.submit(protocol::bytes_view(frame), t, std::nullopt) == transport::errc::protocol_violation);
    frame.push_back(0x0a);
    frame.push_back(0x0a);  // and now 11
    CHECK(m.submit(protocol::bytes_view(frame), t, std::nullopt) == transport::errc::protocol_violation);
    CHECK(t == "short");
    CHECK(m.pending() == 0);
    CHECK(m.prepare_write().empty());
}

TEST_CASE("multiplexer: a reused id's old deadline does not expire the new request") {
    multiplexer_options o;
    o.stream_ids = 1;
    multiplexer<tag> m(o);
    REQUIRE_FALSE(submit_options(m, "first", t0 + 10ms));
    REQUIRE_FALSE(m.prepare_write().empty());
    m.commit_write();
    tag got;
    std::string violation;
    REQUIRE(m.consume(response_on(0), got, violation) == frame_route::response);
    REQUIRE_FALSE(submit_options(m, "second", t0 + 1s));
    std::vector<tag> expired;
    m.expire(t0 + 20ms, [&](tag&& t) { expired.push_back(t); });
    CHECK(expired.empty());
    CHECK(m.next_deadline() == t0 + 1s);
}

TEST_CASE("multiplexer: EVENT frames, and other frames on negative ids") {
    multiplexer<tag> m;
    tag got;
    std::string violation;
    CHECK(m.consume(response_on(-1, protocol::opcode::event), got, violation) == frame_route::event);
    CHECK(m.consume(response_on(-1, protocol::opcode::result), got, violation) == frame_route::violation);
    CHECK(violation.find("only EVENT frames use negative stream ids") != std::string::npos);
    CHECK(m.consume(response_on(7), got, violation) == frame_route::violation);
    CHECK(violation.find("which no request was waiting on") != std::string::npos);
}

TEST_CASE("multiplexer: stream ids run out, then come back") {
    multiplexer_options o;
    o.stream_ids = 2;
    multiplexer<tag> m(o);
    REQUIRE_FALSE(submit_options(m, "a"));
    REQUIRE_FALSE(submit_options(m, "b"));
    tag c = "c";
    auto encode = [](std::vector<std::uint8_t>& out) {
        return protocol::encode_options(out, protocol::request_frame_options{});
    };
    CHECK(m.submit(encode, c, std::nullopt) == transport::errc::stream_ids_exhausted);
    CHECK(c == "c");  // refused: the handler stays with the caller
    CHECK(stream_ids_in(m.prepare_write()).size() == 2);  // the refused frame was taken back out
    m.commit_write();
    tag got;
    std::string violation;
    REQUIRE(m.consume(response_on(1), got, violation) == frame_route::response);
    CHECK_FALSE(m.submit(encode, c, std::nullopt));
    CHECK(stream_ids_in(m.prepare_write()) == std::vector<std::int16_t>{1});
}

TEST_CASE("multiplexer: back-pressure bounds the bytes held, but one request alone always goes") {
    auto big_query = [](std::size_t size) {
        return [size](std::vector<std::uint8_t>& out) {
            const std::string cql(size, 'x');
            return protocol::encode_query(out, protocol::request_frame_options{}, cql, protocol::query_parameters{});
        };
    };
    multiplexer_options o;
    o.max_pending_write_bytes = 1000;
    multiplexer<tag> m(o);
    tag huge = "huge";
    CHECK_FALSE(m.submit(big_query(5000), huge, std::nullopt));  // alone: taken
    tag small = "small";
    CHECK(m.submit(big_query(10), small, std::nullopt) == std::errc::no_buffer_space);
    CHECK(m.pending() == 1);
    const auto bytes = m.prepare_write();
    CHECK(bytes.size() > 5000);
    // Still being written: it still counts.
    CHECK(m.submit(big_query(10), small, std::nullopt) == std::errc::no_buffer_space);
    m.commit_write();
    CHECK(m.pending_write_bytes() == 0);
    CHECK_FALSE(m.submit(big_query(10), small, std::nullopt));
}

TEST_CASE("multiplexer: a buffer grown by a large request is let go once writes are small again") {
    multiplexer<tag> m;
    constexpr std::size_t large = 3u * 1024u * 1024u;
    auto write_one = [&](std::size_t body) {
        const auto f = frame_of(body);
        tag t = "r";
        REQUIRE_FALSE(m.submit(protocol::bytes_view(f), t, std::nullopt));
        REQUIRE(m.prepare_write().size() == f.size());
        m.commit_write();
    };
    write_one(large);
    write_one(large);
    // Steady large writes keep their buffer.
    CHECK(m.buffer_capacity() >= large);
    write_one(100);
    write_one(100);
    CHECK(m.buffer_capacity() < 64u * 1024u);
    // Writes of just over a quarter of the buffer keep it too.
    write_one(large);
    write_one(large / 4 + 1024);
    write_one(large / 4 + 1024);
    CHECK(m.buffer_capacity() >= large);
}

TEST_CASE("multiplexer: writes are batched up to the batch limit, in whole frames") {
    multiplexer_options o;
    o.max_write_batch_bytes = 40;  // an OPTIONS frame is 9 bytes: four fit
    multiplexer<tag> m(o);
    for (int i = 0; i < 10; ++i) REQUIRE_FALSE(submit_options(m, "r" + std::to_string(i)));
    CHECK(stream_ids_in(m.prepare_write()).size() == 4);
    m.commit_write();
    CHECK(stream_ids_in(m.prepare_write()) == std::vector<std::int16_t>{4, 5, 6, 7});
    // Requests queued meanwhile join the queue behind.
    REQUIRE_FALSE(submit_options(m, "late"));
    m.commit_write();
    CHECK(stream_ids_in(m.prepare_write()) == std::vector<std::int16_t>{8, 9, 10});
    m.commit_write();
    CHECK(m.prepare_write().empty());
    CHECK_FALSE(m.has_queued_bytes());
}

TEST_CASE("multiplexer: an encoder's failure leaves no trace and hands its error back") {
    multiplexer<tag> m;
    tag t = "bad";
    auto failing = [](std::vector<std::uint8_t>& out) {
        out.push_back(0x42);  // half a frame, then the failure
        return cqlwire::protocol::make_error_code(cqlwire::protocol::client_errc::frame_too_large);
    };
    CHECK(m.submit(failing, t, std::nullopt) == cqlwire::protocol::client_errc::frame_too_large);
    CHECK(t == "bad");
    CHECK(m.pending() == 0);
    CHECK(m.prepare_write().empty());
}

TEST_CASE("multiplexer: failure hands every waiting request back with the cause, and refuses later ones") {
    multiplexer<tag> m;
    REQUIRE_FALSE(submit_options(m, "a", t0 + 1s));
    REQUIRE_FALSE(submit_options(m, "b"));
    const auto written = m.prepare_write();
    REQUIRE_FALSE(written.empty());
    std::vector<tag> failed;
    m.fail(make_error_code(transport::errc::connection_closed), [&](tag&& t) { failed.push_back(t); });
    CHECK(failed == std::vector<tag>{"a", "b"});
    CHECK(m.pending() == 0);
    CHECK_FALSE(m.next_deadline());
    CHECK(m.failure() == transport::errc::connection_closed);
    CHECK(submit_options(m, "c") == transport::errc::connection_closed);
    // The write under way still owns its bytes until it completes.
    CHECK(written.size() == 18);
    m.commit_write();
}

// Hostile server, frame level: a server that closes or resets at every point of a frame, trickles
// it byte by byte, lies in the header (length, version, opcode, flags) or answers on stream ids
// nobody waits on. Each case: the specific error, an end well within the timeout, bystander
// requests on the same connection failing cleanly (with the cause that broke it) or answered
// correctly.
//
// Memory: a test-thread allocation counter (a replaced global operator new) shows that a header
// announcing a huge body costs no allocation of that size (see hostile_support.hpp for the cap).
#include "test_support.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>

#include "transport/hostile_support.hpp"

// ---- the largest single allocation made by the test thread while `tracking` is set ----------
namespace {
std::atomic<std::size_t> largest_tracked_allocation{0};
thread_local bool tracking_allocations = false;

void note_allocation(std::size_t n) {
    if (tracking_allocations) {
        std::size_t seen = largest_tracked_allocation.load(std::memory_order_relaxed);
        while (n > seen && !largest_tracked_allocation.compare_exchange_weak(seen, n, std::memory_order_relaxed)) {
        }
    }
}

void* counted_allocate(std::size_t n) noexcept {
    note_allocation(n);
    return std::malloc(n == 0 ? 1 : n);
}

void* counted_allocate(std::size_t n, std::align_val_t alignment) noexcept {
    note_allocation(n);
    const auto a = std::max(static_cast<std::size_t>(alignment), sizeof(void*));
    return std::aligned_alloc(a, (std::max<std::size_t>(n, 1) + a - 1) / a * a);
}

template <class... Alignment>
void* allocate_or_throw(std::size_t n, Alignment... a) {
    if (void* p = counted_allocate(n, a...)) return p;
    throw std::bad_alloc();
}
}  // namespace

// Every form of the global allocation functions is replaced, and every one allocates with
// malloc/aligned_alloc and releases with free: a form left to the runtime would pair its own
// allocation with this free (sanitizers and valgrind report such pairs as mismatches).
void* operator new(std::size_t n) { return allocate_or_throw(n); }
void* operator new[](std::size_t n) { return allocate_or_throw(n); }
void* operator new(std::size_t n, std::align_val_t a) { return allocate_or_throw(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return allocate_or_throw(n, a); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return counted_allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return counted_allocate(n); }
void* operator new(std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept { return counted_allocate(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t&) noexcept {
    return counted_allocate(n, a);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { std::free(p); }

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::test::hostile;
using transport::errc;
namespace asio = boost::asio;

// Sets up a server whose "hostile" query runs `script`, with held bystanders (never answered:
// they can only end by the connection breaking, or by timing out if it does not).
struct hostile_setup {
    fake_cql_server server{fake_cql_server::options{}};
    asio::io_context ioc;

    explicit hostile_setup(fake_cql_server::handler script,
                           std::optional<std::chrono::milliseconds> answer_bystanders_after = std::nullopt) {
        install_bystanders(server, bystander_count, answer_bystanders_after);
        server.on_query("hostile", std::move(script));
    }
};

// The hostile query is answered with `reply` as raw bytes.
fake_cql_server::handler reply_with(std::function<bytes(std::int16_t stream)> reply) {
    return [reply](fake_session& s, const fake_request& r) { s.send_raw(reply(r.header.stream)); };
}

bytes first(const bytes& b, std::size_t n) { return bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }

}  // namespace

// ---- closing and resetting ------------------------------------------------------------------

TEST_CASE("hostile: the server closes before sending any byte of the answer") {
    hostile_setup t([](fake_session& s, const fake_request&) { s.close(); });
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::connection_closed, "while 4 requests were waiting for a response");
}

TEST_CASE("hostile: the server closes in the middle of a frame header") {
    hostile_setup t([](fake_session& s, const fake_request& r) {
        s.send_tcp_raw(first(fake_cql_server::void_result_frame(r.header.stream), 5), true);
    });
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::connection_closed, "while 4 requests were waiting for a response");
}

TEST_CASE("hostile: the server closes in the middle of a frame body") {
    hostile_setup t([](fake_session& s, const fake_request& r) {
        const auto whole = fake_cql_server::single_text_row_frame(r.header.stream, "never finished");
        s.send_tcp_raw(first(whole, whole.size() - 7), true);
    });
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::connection_closed, "while 4 requests were waiting for a response");
}

TEST_CASE("hostile: the server closes right after a whole frame: that request is answered, the rest fail") {
    hostile_setup t([](fake_session& s, const fake_request& r) {
        s.send_tcp_raw(fake_cql_server::single_text_row_frame(r.header.stream, "last words"), true);
    });
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == "last words");
    for (const auto& b : o.bystanders) CHECK(b.ec == errc::connection_closed);
    CHECK(o.failure == errc::connection_closed);
    CHECK(contains(o.failure_message, "while 3 requests were waiting for a response"));
    CHECK(o.elapsed < request_timeout + slack);
}

TEST_CASE("hostile: the server resets the connection instead of answering") {
    hostile_setup t([](fake_session& s, const fake_request&) { s.reset(); });
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::connection_closed, "by a reset, while 4 requests were waiting");
}

// ---- slow but correct -----------------------------------------------------------------------

TEST_CASE("hostile: an answer sent one byte per write arrives whole and right") {
    fake_cql_server server({});
    install_trickled(server, bystander_count, 1ms);
    asio::io_context ioc;
    auto options = short_timeouts();
    options.request_timeout = 6000ms;  // ~300 bytes, one per write: a while on a loaded machine
    auto c = started_connection(ioc, server, options);
    const auto o = provoke(ioc, c, bystander_count);
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == "slowly");
    for (std::size_t i = 0; i < o.bystanders.size(); ++i) {
        CHECK(o.bystanders[i].ec == std::error_code{});
        CHECK(first_text_cell(o.bystanders[i].r) == "bystander " + std::to_string(i));
    }
    CHECK(o.failure == std::error_code{});
    CHECK(o.elapsed < options.request_timeout);
}

// ---- lengths --------------------------------------------------------------------------------

TEST_CASE("hostile: a header announcing 200 MiB (within the cap) costs no 200 MiB before the bytes come") {
    // Within the default cap of 256 MiB, so the header alone is acceptable; the server sends 1000
    // bytes of the body and closes. The read buffer grows with what arrived, not with the claim.
    hostile_setup t([](fake_session& s, const fake_request& r) {
        auto f = frame(0x84, 0, r.header.stream, 0x08, bytes(1000, 0x41), 200u * 1024u * 1024u);
        s.send_tcp_raw(std::move(f), true);
    });
    auto c = started_connection(t.ioc, t.server);
    largest_tracked_allocation = 0;
    tracking_allocations = true;
    const auto o = provoke(t.ioc, c, bystander_count);
    tracking_allocations = false;
    check_broken(o, c, errc::connection_closed, "while 4 requests were waiting for a response");
    CHECK(largest_tracked_allocation.load() < 1024u * 1024u);
}

TEST_CASE("hostile: a header announcing 2 GiB - 1 (beyond the default cap) fails from the header alone") {
    // Only the header is sent and the connection stays open: the verdict cannot wait for a body.
    hostile_setup t([](fake_session& s, const fake_request& r) {
        s.send_raw(frame(0x84, 0, r.header.stream, 0x08, {}, 0x7FFFFFFFu));
    });
    auto c = started_connection(t.ioc, t.server);
    largest_tracked_allocation = 0;
    tracking_allocations = true;
    const auto o = provoke(t.ioc, c, bystander_count);
    tracking_allocations = false;
    check_broken(o, c, errc::protocol_violation,
                 "announcing a body of 2147483647 bytes, beyond the limit of 268435456 bytes", request_timeout);
    CHECK(largest_tracked_allocation.load() < 1024u * 1024u);
}

TEST_CASE("hostile: a negative body length (high bit set) is a protocol violation") {
    hostile_setup t([](fake_session& s, const fake_request& r) {
        s.send_raw(frame(0x84, 0, r.header.stream, 0x08, bytes(16, 0), 0x80000010u));
    });
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "announcing a negative body length (-2147483632)", request_timeout);
}

TEST_CASE("hostile: a body beyond connection_options::max_frame_body_length fails from the header alone") {
    hostile_setup t([](fake_session& s, const fake_request& r) {
        s.send_raw(frame(0x84, 0, r.header.stream, 0x08, {}, 4097));  // header only; the socket stays open
    });
    auto options = short_timeouts();
    options.max_frame_body_length = 4096;
    auto c = started_connection(t.ioc, t.server, options);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "announcing a body of 4097 bytes, beyond the limit of 4096 bytes",
                 request_timeout);
}

// ---- header fields ------------------------------------------------------------------------------

TEST_CASE("hostile: version byte 0x04 (a request frame) is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) {
        auto f = fake_cql_server::void_result_frame(id);
        f[0] = 0x04;
        return f;
    }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "starting with byte 0x04, which is not a CQL v4 response",
                 request_timeout);
}

TEST_CASE("hostile: version byte 0x85 (a v5 response) is unsupported_protocol_version") {
    hostile_setup t(reply_with([](std::int16_t id) {
        auto f = fake_cql_server::void_result_frame(id);
        f[0] = 0x85;
        return f;
    }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::unsupported_protocol_version, "protocol version 5 instead of 4", request_timeout);
}

TEST_CASE("hostile: version byte 0x03 (no direction bit, v3) is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) {
        auto f = fake_cql_server::void_result_frame(id);
        f[0] = 0x03;
        return f;
    }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "starting with byte 0x03", request_timeout);
}

TEST_CASE("hostile: an opcode v4 does not define is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) { return frame(0x84, 0, id, 0x42, {}); }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "a frame with opcode 0x42, which the CQL protocol does not define",
                 request_timeout);
}

TEST_CASE("hostile: a request opcode (QUERY) in a response frame is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) { return frame(0x84, 0, id, 0x07, {}); }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "an opcode that is not valid at this point", request_timeout);
}

TEST_CASE("hostile: the compression flag without negotiated compression is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) {
        auto f = fake_cql_server::void_result_frame(id);
        f[1] = protocol::frame_flags::compression;
        return f;
    }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "compressed frame, but no compression was negotiated",
                 request_timeout);
}

// ---- stream ids ---------------------------------------------------------------------------------

TEST_CASE("hostile: an answer on a stream id nobody waits on is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) {
        return fake_cql_server::void_result_frame(static_cast<std::int16_t>(id + 1000));
    }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "which no request was waiting on", request_timeout);
}

TEST_CASE("hostile: a second answer on the same stream id is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t id) {
        auto f = fake_cql_server::single_text_row_frame(id, "first");
        auto again = fake_cql_server::single_text_row_frame(id, "second");
        f.insert(f.end(), again.begin(), again.end());
        return f;
    }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(o.all_done);
    // The first answer is the request's; the duplicate cannot reach anyone else.
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == "first");
    for (const auto& b : o.bystanders) {
        CHECK(b.ec == errc::protocol_violation);
        CHECK(b.r.empty());
    }
    CHECK(o.failure == errc::protocol_violation);
    CHECK(contains(o.failure_message, "which no request was waiting on"));
    CHECK(o.elapsed < request_timeout);
}

TEST_CASE("hostile: an EVENT nobody registered for is dropped; no request sees it") {
    // Ignored by design (a null event handler drops events): an unasked-for event is harmless.
    hostile_setup t(
        reply_with([](std::int16_t id) {
            auto f = fake_cql_server::status_up_event_frame();
            auto answer = fake_cql_server::single_text_row_frame(id, "after the event");
            f.insert(f.end(), answer.begin(), answer.end());
            return f;
        }),
        100ms);
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    REQUIRE(o.all_done);
    CHECK(o.hostile.ec == std::error_code{});
    CHECK(first_text_cell(o.hostile.r) == "after the event");
    for (std::size_t i = 0; i < o.bystanders.size(); ++i)
        CHECK(first_text_cell(o.bystanders[i].r) == "bystander " + std::to_string(i));
    CHECK(o.failure == std::error_code{});
    CHECK(o.elapsed < request_timeout + slack);
}

TEST_CASE("hostile: a RESULT on stream -1 (only EVENTs may use it) is a protocol violation") {
    hostile_setup t(reply_with([](std::int16_t) { return fake_cql_server::void_result_frame(-1); }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::protocol_violation, "only EVENT frames use negative stream ids", request_timeout);
}

TEST_CASE("hostile: a TLS alert in the middle of a plaintext session is named, not parsed") {
    hostile_setup t(reply_with([](std::int16_t) { return bytes{0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28}; }));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_broken(o, c, errc::server_expects_tls, "the server answered with a TLS record", request_timeout);
}

#include "test_support.hpp"

#include <set>

#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/stream_ids.hpp"

using namespace cqlwire::transport;

TEST_CASE("stream ids: a fresh allocator hands out 0, 1, 2... and all 32768 distinct ids") {
    stream_id_allocator ids;
    CHECK(ids.capacity() == 32768);
    std::set<std::int16_t> seen;
    for (int i = 0; i < 32768; ++i) {
        std::int16_t id = -1;
        REQUIRE_FALSE(ids.acquire(id));
        if (i < 3) CHECK(id == i);
        CHECK(id >= 0);
        seen.insert(id);
    }
    CHECK(seen.size() == 32768);
    CHECK(ids.in_use() == 32768);
    CHECK(ids.available() == 0);
}

TEST_CASE("stream ids: exhaustion is an error, and an answered id can be used again") {
    stream_id_allocator ids(4);
    std::int16_t id = -1;
    for (int i = 0; i < 4; ++i) REQUIRE_FALSE(ids.acquire(id));
    std::int16_t extra = 99;
    CHECK(ids.acquire(extra) == errc::stream_ids_exhausted);
    CHECK(extra == 99);

    CHECK(ids.on_response(2) == stream_id_state::in_use);
    CHECK(ids.state(2) == stream_id_state::free);
    REQUIRE_FALSE(ids.acquire(extra));
    CHECK(extra == 2);
}

TEST_CASE("stream ids: a timed-out id stays quarantined until its late response arrives") {
    stream_id_allocator ids(2);
    std::int16_t a = -1, b = -1;
    REQUIRE_FALSE(ids.acquire(a));
    REQUIRE_FALSE(ids.acquire(b));
    CHECK(ids.on_response(b) == stream_id_state::in_use);

    ids.quarantine(a);
    CHECK(ids.state(a) == stream_id_state::quarantined);
    CHECK(ids.quarantined() == 1);
    CHECK(ids.in_use() == 0);

    // Only b is free; a is not handed out while the server may still answer it.
    std::int16_t c = -1, d = -1;
    REQUIRE_FALSE(ids.acquire(c));
    CHECK(c == b);
    CHECK(ids.acquire(d) == errc::stream_ids_exhausted);

    // The late response frees a.
    CHECK(ids.on_response(a) == stream_id_state::quarantined);
    CHECK(ids.quarantined() == 0);
    REQUIRE_FALSE(ids.acquire(d));
    CHECK(d == a);
}

TEST_CASE("stream ids: responses for ids nobody waits for are reported as such") {
    stream_id_allocator ids(8);
    CHECK(ids.on_response(3) == stream_id_state::free);
    CHECK(ids.on_response(-1) == stream_id_state::free);
    CHECK(ids.on_response(100) == stream_id_state::free);
    CHECK(ids.available() == 8);  // nothing was pushed twice

    std::int16_t id = -1;
    REQUIRE_FALSE(ids.acquire(id));
    CHECK(ids.on_response(id) == stream_id_state::in_use);
    CHECK(ids.on_response(id) == stream_id_state::free);  // a second response for the same id
    CHECK(ids.available() == 8);

    ids.quarantine(5);  // not in use: no effect
    CHECK(ids.state(5) == stream_id_state::free);
}

TEST_CASE("stream ids: reset frees in-use and quarantined ids") {
    stream_id_allocator ids(3);
    std::int16_t a = -1, b = -1;
    REQUIRE_FALSE(ids.acquire(a));
    REQUIRE_FALSE(ids.acquire(b));
    ids.quarantine(a);
    ids.reset();
    CHECK(ids.available() == 3);
    CHECK(ids.in_use() == 0);
    CHECK(ids.quarantined() == 0);
    CHECK(ids.state(a) == stream_id_state::free);
}

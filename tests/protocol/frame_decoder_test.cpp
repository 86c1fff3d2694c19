#include "test_support.hpp"

#include <cstring>

#include "cqlwire/protocol/frame_decoder.hpp"
#include "wire_support.hpp"

using namespace cqlwire::protocol;
using wire_test::wire;

namespace {

decode_status next(frame_decoder& d, frame_view& f, std::error_code& ec) { return d.next(f, ec); }

}  // namespace

TEST_CASE("frame_decoder: one READY frame, header fields as on the wire") {
    frame_decoder d;
    d.feed(wire("84 00 0102 02 00000000"));
    frame_view f;
    std::error_code ec;
    REQUIRE(next(d, f, ec) == decode_status::frame);
    CHECK_FALSE(ec);
    CHECK(f.header.version == 0x84);
    CHECK(f.header.flags == 0);
    CHECK(f.header.stream == 0x0102);
    CHECK(f.header.op == opcode::ready);
    CHECK(f.header.length == 0);
    CHECK(f.body.empty());
    CHECK(next(d, f, ec) == decode_status::need_more);
    CHECK_FALSE(ec);
}

TEST_CASE("frame_decoder: negative stream id of an EVENT and a body") {
    frame_decoder d;
    d.feed(wire("84 00 FFFF 0C 00000003 AABBCC"));
    frame_view f;
    std::error_code ec;
    REQUIRE(next(d, f, ec) == decode_status::frame);
    CHECK(f.header.stream == -1);
    CHECK(f.header.op == opcode::event);
    CHECK(std::vector<std::uint8_t>(f.body.begin(), f.body.end()) == wire("AABBCC"));
}

TEST_CASE("frame_decoder: prepare/commit lets a reader fill the buffer directly") {
    frame_decoder d;
    const auto frame = wire("84 00 0000 08 00000004 00000001");  // RESULT Void
    auto space = d.prepare(64);
    REQUIRE(space.size() == 64);
    std::memcpy(space.data(), frame.data(), 5);
    d.commit(5);
    frame_view f;
    std::error_code ec;
    CHECK(next(d, f, ec) == decode_status::need_more);
    CHECK(d.bytes_needed() == 4);  // the rest of the header
    space = d.prepare(64);
    std::memcpy(space.data(), frame.data() + 5, frame.size() - 5);
    d.commit(frame.size() - 5);
    REQUIRE(next(d, f, ec) == decode_status::frame);
    CHECK(f.header.op == opcode::result);
    CHECK(std::vector<std::uint8_t>(f.body.begin(), f.body.end()) == wire("00000001"));
}

TEST_CASE("frame_decoder: commit is capped to what was prepared") {
    frame_decoder d;
    auto space = d.prepare(2);
    space[0] = 0x84;
    space[1] = 0x00;
    d.commit(100);
    CHECK(d.buffered() == 2);
}

TEST_CASE("frame_decoder: bytes_needed follows the header, then the body") {
    frame_decoder d;
    CHECK(d.bytes_needed() == 9);
    d.feed(wire("84 00 0000 08 00000010"));
    frame_view f;
    std::error_code ec;
    CHECK(next(d, f, ec) == decode_status::need_more);
    CHECK(d.bytes_needed() == 16);
    d.feed(wire("00000001 00000000 00000000"));
    CHECK(d.bytes_needed() == 4);
    d.feed(wire("00000000"));
    CHECK(d.bytes_needed() == 0);
    CHECK(next(d, f, ec) == decode_status::frame);
}

TEST_CASE("frame_decoder: a body over the maximum is refused from the header, before allocation") {
    SUBCASE("the specification's limit") {
        frame_decoder d;
        d.feed(wire("84 00 0000 08 10000001"));  // 256 MiB + 1
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::frame_too_large);
        CHECK(d.capacity() < 1024);
    }
    SUBCASE("exactly the limit is accepted (and waits for the body)") {
        frame_decoder d;
        d.feed(wire("84 00 0000 08 10000000"));
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::need_more);
        CHECK(d.bytes_needed() == 256u * 1024u * 1024u);
        CHECK(d.capacity() < 1024);
    }
    SUBCASE("a configured lower limit") {
        frame_decoder_options o;
        o.max_body_length = 100;
        frame_decoder d(o);
        d.feed(wire("84 00 0000 08 00000065"));  // 101
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::frame_too_large);
        CHECK(d.bytes_needed() == 0);
    }
}

TEST_CASE("frame_decoder: a negative body length is refused") {
    frame_decoder d;
    d.feed(wire("84 00 0000 08 FFFFFFFF"));
    frame_view f;
    std::error_code ec;
    CHECK(next(d, f, ec) == decode_status::error);
    CHECK(ec == client_errc::length_out_of_range);
    d.reset();
    d.feed(wire("84 00 0000 08 80000000"));
    CHECK(next(d, f, ec) == decode_status::error);
    CHECK(ec == client_errc::length_out_of_range);
}

TEST_CASE("frame_decoder: the version byte is judged on its own, so TLS is recognised early") {
    SUBCASE("a TLS alert record (seven bytes, fewer than a header)") {
        frame_decoder d;
        d.feed(wire("15 0303 0002 02 28"));
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::bad_version);
        REQUIRE(d.first_byte());
        CHECK(*d.first_byte() == 0x15);
    }
    SUBCASE("a TLS handshake record, one byte") {
        frame_decoder d;
        d.feed(wire("16"));
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(*d.first_byte() == 0x16);
    }
    SUBCASE("a v3 response") {
        frame_decoder d;
        d.feed(wire("83 00 0000 02 00000000"));
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::bad_version);
        CHECK(*d.first_byte() == 0x83);
    }
    SUBCASE("a request where responses are expected") {
        frame_decoder d;
        d.feed(wire("04 00 0000 05 00000000"));
        frame_view f;
        std::error_code ec;
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::bad_version);
    }
    SUBCASE("a server decoder expects requests") {
        frame_decoder_options o;
        o.expected_version = 0x04;
        frame_decoder d(o);
        d.feed(wire("04 00 0000 05 00000000 84"));
        frame_view f;
        std::error_code ec;
        REQUIRE(next(d, f, ec) == decode_status::frame);
        CHECK(f.header.op == opcode::options);
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::bad_version);
        CHECK(*d.first_byte() == 0x84);
    }
    SUBCASE("no byte yet") {
        frame_decoder d;
        CHECK_FALSE(d.first_byte());
    }
}

TEST_CASE("frame_decoder: unknown and misdirected opcodes") {
    frame_view f;
    std::error_code ec;
    {
        frame_decoder d;
        d.feed(wire("84 00 0000 04 00000000"));  // 0x04 does not exist in v4
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::unknown_opcode);
    }
    {
        frame_decoder d;
        d.feed(wire("84 00 0000 11 00000000"));
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::unknown_opcode);
    }
    {
        frame_decoder d;
        d.feed(wire("84 00 0000 07 00000000"));  // QUERY is a request
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::unexpected_opcode);
    }
    {
        frame_decoder_options o;
        o.expected_version = 0x04;
        frame_decoder d(o);
        d.feed(wire("04 00 0000 02 00000000"));  // READY is a response
        CHECK(next(d, f, ec) == decode_status::error);
        CHECK(ec == client_errc::unexpected_opcode);
    }
}

TEST_CASE("frame_decoder: compressed frames only when accepted") {
    frame_view f;
    std::error_code ec;
    frame_decoder d;
    d.feed(wire("84 01 0000 08 00000001 FF"));
    CHECK(next(d, f, ec) == decode_status::error);
    CHECK(ec == client_errc::compression_unsupported);

    frame_decoder_options o;
    o.accept_compressed = true;
    frame_decoder c(o);
    c.feed(wire("84 01 0000 08 00000001 FF"));
    REQUIRE(next(c, f, ec) == decode_status::frame);
    CHECK(f.header.has_flag(frame_flags::compression));
}

TEST_CASE("frame_decoder: an error is sticky until reset") {
    frame_decoder d;
    d.feed(wire("99"));
    frame_view f;
    std::error_code ec;
    CHECK(next(d, f, ec) == decode_status::error);
    d.feed(wire("84 00 0000 02 00000000"));
    ec.clear();
    CHECK(next(d, f, ec) == decode_status::error);
    CHECK(ec == client_errc::bad_version);
    CHECK(d.failed());
    CHECK(d.error() == client_errc::bad_version);
    CHECK(d.bytes_needed() == 0);
    d.reset();
    CHECK_FALSE(d.failed());
    d.feed(wire("84 00 0000 02 00000000"));
    CHECK(next(d, f, ec) == decode_status::frame);
}

TEST_CASE("frame_decoder: many frames in one chunk, then one byte at a time") {
    std::vector<std::uint8_t> stream;
    for (int i = 0; i < 50; ++i) {
        auto f = wire("84 00 0000 08 00000008 00000003 0002 'ks'");
        f[3] = static_cast<std::uint8_t>(i);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    for (bool bytewise : {false, true}) {
        frame_decoder d;
        int seen = 0;
        auto drain = [&] {
            frame_view f;
            std::error_code ec;
            decode_status st;
            while ((st = d.next(f, ec)) == decode_status::frame) {
                CHECK(f.header.stream == seen);
                CHECK(f.body.size() == 8);
                ++seen;
            }
            CHECK(st == decode_status::need_more);
        };
        if (bytewise) {
            for (auto b : stream) {
                d.feed(bytes_view(&b, 1));
                drain();
            }
        } else {
            d.feed(stream);
            drain();
        }
        CHECK(seen == 50);
        CHECK(d.buffered() == 0);
    }
}

TEST_CASE("frame_decoder: memory stays bounded by one frame plus one read") {
    // 1,000 frames of 1,000 body bytes, read 4,096 bytes at a time.
    std::vector<std::uint8_t> stream;
    for (int i = 0; i < 1000; ++i) {
        auto f = wire("84 00 0000 08 000003E8");
        f.resize(f.size() + 1000, static_cast<std::uint8_t>(i));
        stream.insert(stream.end(), f.begin(), f.end());
    }
    frame_decoder d;
    std::size_t pos = 0, frames = 0, max_capacity = 0;
    while (pos < stream.size()) {
        std::size_t n = std::min<std::size_t>(4096, stream.size() - pos);
        auto space = d.prepare(4096);
        std::memcpy(space.data(), stream.data() + pos, n);
        d.commit(n);
        pos += n;
        frame_view f;
        std::error_code ec;
        while (d.next(f, ec) == decode_status::frame) {
            CHECK(f.body.size() == 1000);
            CHECK(f.body[999] == static_cast<std::uint8_t>(frames));
            ++frames;
        }
        max_capacity = std::max(max_capacity, d.capacity());
    }
    CHECK(frames == 1000);
    CHECK(max_capacity <= 2 * (1009 + 4096));
}

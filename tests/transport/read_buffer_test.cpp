// The receive buffer whose blocks the responses share: a response's bytes stay put while the
// connection reads on, and a steady state reuses blocks instead of allocating.
#include "read_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/response.hpp"

namespace {

namespace protocol = cqlwire::protocol;
using cqlwire::transport::response;
using cqlwire::transport::detail::read_block;
using cqlwire::transport::detail::read_buffer;

protocol::frame_decoder_options client_side() { return protocol::frame_decoder_options{}; }

// A RESULT frame on `stream` whose body is `body`.
std::vector<std::uint8_t> result_frame(std::int16_t stream, const std::string& body) {
    std::vector<std::uint8_t> f{0x84, 0, static_cast<std::uint8_t>(stream >> 8), static_cast<std::uint8_t>(stream), 0x08};
    const auto n = static_cast<std::uint32_t>(body.size());
    f.push_back(static_cast<std::uint8_t>(n >> 24));
    f.push_back(static_cast<std::uint8_t>(n >> 16));
    f.push_back(static_cast<std::uint8_t>(n >> 8));
    f.push_back(static_cast<std::uint8_t>(n));
    f.insert(f.end(), body.begin(), body.end());
    return f;
}

// Copies `bytes` in the way a socket read would, `piece` bytes at a time.
void receive(read_buffer& b, const std::vector<std::uint8_t>& bytes, std::size_t piece = SIZE_MAX) {
    std::size_t at = 0;
    while (at < bytes.size()) {
        auto space = b.prepare_read();
        const auto n = std::min({space.size(), bytes.size() - at, piece});
        std::memcpy(space.data(), bytes.data() + at, n);
        b.commit(n);
        at += n;
    }
}

std::string text(protocol::bytes_view v) { return std::string(v.begin(), v.end()); }

}  // namespace

TEST_CASE("read_buffer: responses keep their bytes while later reads reuse or replace the block") {
    read_buffer b(client_side());
    std::vector<response> kept;
    std::vector<std::string> expected;
    // Enough frames for several blocks, each arriving split across reads.
    for (int i = 0; i < 3000; ++i) {
        const std::string body = "row-" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 97), '.');
        receive(b, result_frame(static_cast<std::int16_t>(i % 100), body), 7 + static_cast<std::size_t>(i % 13));
        protocol::frame_view f;
        std::error_code ec;
        REQUIRE(b.next(f, ec) == protocol::decode_status::frame);
        kept.emplace_back(f.header, f.body, b.block());
        expected.push_back(body);
        if (i % 3 == 0) kept.erase(kept.begin());  // some die early, letting blocks go
        if (i % 3 == 0) expected.erase(expected.begin());
    }
    REQUIRE(kept.size() == expected.size());
    for (std::size_t i = 0; i < kept.size(); ++i) CHECK(text(kept[i].body()) == expected[i]);
}

TEST_CASE("read_buffer: a frame larger than a block gets a block of its own") {
    read_buffer b(client_side());
    const std::string body(300 * 1024, 'z');
    receive(b, result_frame(1, body), 10000);
    protocol::frame_view f;
    std::error_code ec;
    REQUIRE(b.next(f, ec) == protocol::decode_status::frame);
    CHECK(b.block()->capacity() >= body.size());
    const response r(f.header, f.body, b.block());
    receive(b, result_frame(2, "next"));
    REQUIRE(b.next(f, ec) == protocol::decode_status::frame);
    CHECK(text(f.body) == "next");
    CHECK(text(r.body()) == body);
    // The large block is not kept for what follows: the next frames go to a standard block.
    CHECK(b.block()->capacity() == read_block::standard_capacity);
}

TEST_CASE("read_buffer: with no response held, the block is reused in place") {
    read_buffer b(client_side());
    receive(b, result_frame(1, "first"));
    protocol::frame_view f;
    std::error_code ec;
    REQUIRE(b.next(f, ec) == protocol::decode_status::frame);
    const auto* first_block = b.block();
    for (int i = 0; i < 5000; ++i) {
        receive(b, result_frame(1, "again and again"));
        REQUIRE(b.next(f, ec) == protocol::decode_status::frame);
    }
    CHECK(b.block() == first_block);
}

TEST_CASE("read_buffer: a bad frame leaves the buffer failed, with the offending bytes to judge") {
    read_buffer b(client_side());
    receive(b, {0x16, 0x03, 0x01});
    protocol::frame_view f;
    std::error_code ec;
    CHECK(b.next(f, ec) == protocol::decode_status::error);
    CHECK(ec == protocol::client_errc::bad_version);
    CHECK(b.first_byte() == 0x16);
    CHECK(b.buffered_bytes().size() == 3);
    CHECK(b.next(f, ec) == protocol::decode_status::error);
    CHECK(b.bytes_needed() == 0);
}

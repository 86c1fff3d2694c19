// Every hand-written message vector, decoded whole, truncated at every length, and carried in
// frames through frame_decoder in every possible split: all paths must agree exactly.
#include "test_support.hpp"

#include "cqlwire/protocol/frame_decoder.hpp"
#include "message_vectors.hpp"

using namespace cqlwire::protocol;
using namespace wire_test;

namespace {

struct decoded_frame {
    frame_header header;
    std::vector<std::uint8_t> body;
    std::string summary;
    std::error_code ec;
};

frame_decoder_options options_for(bool response) {
    frame_decoder_options o;
    o.expected_version = response ? 0x84 : 0x04;
    return o;
}

// Feeds `chunks` one after the other, collecting every frame (and decoding its body at once,
// while the view is valid).
std::vector<decoded_frame> run(bool response, const std::vector<bytes_view>& chunks) {
    frame_decoder d(options_for(response));
    std::vector<decoded_frame> out;
    for (auto chunk : chunks) {
        d.feed(chunk);
        for (;;) {
            frame_view f;
            std::error_code ec;
            auto st = d.next(f, ec);
            if (st == decode_status::need_more) break;
            REQUIRE(st == decode_status::frame);
            decoded_frame df;
            df.header = f.header;
            df.body.assign(f.body.begin(), f.body.end());
            df.ec = decode_any(f.header, f.body, df.summary);
            out.push_back(std::move(df));
        }
    }
    REQUIRE(d.buffered() == 0);
    return out;
}

void check_same(const std::vector<decoded_frame>& got, const std::vector<decoded_frame>& want) {
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        CHECK(got[i].header.version == want[i].header.version);
        CHECK(got[i].header.flags == want[i].header.flags);
        CHECK(got[i].header.stream == want[i].header.stream);
        CHECK(got[i].header.op == want[i].header.op);
        CHECK(got[i].header.length == want[i].header.length);
        CHECK(got[i].body == want[i].body);
        CHECK(got[i].summary == want[i].summary);
        CHECK(got[i].ec == want[i].ec);
    }
}

}  // namespace

TEST_CASE("every message vector decodes from a buffer of exactly its size") {
    for (const auto& v : message_vectors()) {
        CAPTURE(v.name);
        auto body = wire(v.body);
        exact_buffer exact(body);
        std::string summary;
        CHECK(decode_any(header_for(v, static_cast<std::uint32_t>(body.size())), exact.view(), summary) ==
              std::error_code());
        CHECK_FALSE(summary.empty());
    }
}

TEST_CASE("every truncation of every message vector is reported as truncated") {
    for (const auto& v : message_vectors()) {
        auto body = wire(v.body);
        REQUIRE(body.size() >= v.trailing);
        const std::size_t needed = body.size() - v.trailing;
        for (std::size_t n = 0; n < needed; ++n) {
            CAPTURE(v.name);
            CAPTURE(n);
            exact_buffer prefix(bytes_view(body).first(n));
            std::string summary;
            CHECK(decode_any(header_for(v, static_cast<std::uint32_t>(n)), prefix.view(), summary) ==
                  client_errc::truncated);
        }
        // Growth room: everything from the required part on decodes the same.
        std::string whole, cut;
        REQUIRE_FALSE(decode_any(header_for(v, 0), body, whole));
        for (std::size_t n = needed; n < body.size(); ++n) {
            exact_buffer prefix(bytes_view(body).first(n));
            CHECK_FALSE(decode_any(header_for(v, 0), prefix.view(), cut));
            CHECK(cut == whole);
        }
    }
}

TEST_CASE("every message vector survives every split through frame_decoder") {
    for (const auto& v : message_vectors()) {
        CAPTURE(v.name);
        auto body = wire(v.body);
        auto header = header_for(v, static_cast<std::uint32_t>(body.size()));
        auto frame = framed(header.version, header.flags, header.stream, header.op, body);
        const auto reference = run(v.response, {frame});
        REQUIRE(reference.size() == 1);
        CHECK(reference[0].body == body);
        CHECK_FALSE(reference[0].ec);

        for (std::size_t cut = 0; cut <= frame.size(); ++cut) {
            CAPTURE(cut);
            bytes_view all(frame);
            check_same(run(v.response, {all.first(cut), all.subspan(cut)}), reference);
        }
        std::vector<bytes_view> bytes;
        for (std::size_t i = 0; i < frame.size(); ++i) bytes.emplace_back(frame.data() + i, 1);
        check_same(run(v.response, bytes), reference);
    }
}

TEST_CASE("all vectors of one direction concatenated decode as in isolation") {
    for (bool response : {false, true}) {
        std::vector<std::uint8_t> stream;
        std::vector<decoded_frame> expected;
        for (const auto& v : message_vectors()) {
            if (v.response != response) continue;
            auto body = wire(v.body);
            auto header = header_for(v, static_cast<std::uint32_t>(body.size()));
            auto frame = framed(header.version, header.flags, header.stream, header.op, body);
            auto one = run(response, {frame});
            expected.insert(expected.end(), one.begin(), one.end());
            stream.insert(stream.end(), frame.begin(), frame.end());
        }
        REQUIRE(expected.size() > 10);
        check_same(run(response, {stream}), expected);
        // And in chunks of every size from 1 to 64 bytes.
        for (std::size_t size = 1; size <= 64; ++size) {
            CAPTURE(size);
            std::vector<bytes_view> chunks;
            for (std::size_t i = 0; i < stream.size(); i += size)
                chunks.push_back(bytes_view(stream).subspan(i, std::min(size, stream.size() - i)));
            check_same(run(response, chunks), expected);
        }
    }
}

TEST_CASE("every byte of every vector corrupted: decoding succeeds or fails cleanly") {
    // Lengths and counts flipped to huge, negative or zero land wherever a length field is. The
    // decoders must neither read outside the exact-size buffer (AddressSanitizer) nor allocate
    // without bound; failures must be codec errors.
    std::size_t failures = 0, successes = 0;
    for (const auto& v : message_vectors()) {
        const auto body = wire(v.body);
        for (std::size_t i = 0; i < body.size(); ++i) {
            for (std::uint8_t b : {0xFF, 0x7F, 0x80, 0x00}) {
                if (body[i] == b) continue;
                auto corrupted = body;
                corrupted[i] = b;
                exact_buffer exact(corrupted);
                std::string summary;
                auto ec = decode_any(header_for(v, static_cast<std::uint32_t>(corrupted.size())), exact.view(), summary);
                if (ec) {
                    CAPTURE(v.name);
                    CAPTURE(i);
                    CHECK(ec.category() == client_category());
                    ++failures;
                } else {
                    ++successes;
                }
            }
        }
    }
    // Both outcomes occur: the sweep really reaches length fields and payload bytes.
    CHECK(failures > 100);
    CHECK(successes > 100);
}

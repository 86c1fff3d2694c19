// Fuzzes frame_decoder: the input is a byte stream fed in arbitrary pieces.
//
// Input: byte 0 holds the options —
//   bits 0-2  how many chunk-size bytes follow (1..8); the sizes are used in turn, each + 1
//   bit 3     decode as a server (expect 0x04 requests) instead of a client (0x84 responses)
//   bit 4     accept compressed frames
//   bit 5     fill the buffer through prepare()/commit() instead of feed()
//   bit 6     a tiny body limit (64 bytes) instead of 1 MiB, to reach frame_too_large
// then the chunk sizes, then the stream.
//
// Invariants: every frame handed out has a body exactly as long as its header says, within the
// limit, with the expected version, and header + body are exactly the next bytes of the stream;
// the decoder never holds more than one frame plus one read; after an error it stays failed with
// the same error; and the frames and the final error do not depend on how the stream was split
// (a second decoder fed the whole stream at once must agree).
#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "cqlwire/protocol/frame_decoder.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;
using cqlwire::fuzz::input_cursor;

namespace {

struct decoded_frame {
    proto::frame_header header;
    std::size_t offset = 0;  // of the header in the stream
};

// Header and body must be the stream's next bytes, re-encoded exactly.
void check_frame_matches_stream(const proto::frame_view& f, std::span<const std::uint8_t> stream,
                                std::size_t offset, const proto::frame_decoder_options& options) {
    FUZZ_CHECK(f.body.size() == f.header.length);
    FUZZ_CHECK(f.header.length <= options.max_body_length);
    FUZZ_CHECK(f.header.version == options.expected_version);
    FUZZ_CHECK(options.accept_compressed || !f.header.has_flag(proto::frame_flags::compression));
    FUZZ_CHECK(proto::is_known_opcode(static_cast<std::uint8_t>(f.header.op)));
    FUZZ_CHECK(offset + proto::frame_header_size + f.body.size() <= stream.size());
    std::array<std::uint8_t, proto::frame_header_size> header_bytes{};
    proto::encode_frame_header(f.header, header_bytes);
    FUZZ_CHECK(std::memcmp(header_bytes.data(), stream.data() + offset, header_bytes.size()) == 0);
    FUZZ_CHECK(f.body.empty() ||
               std::memcmp(f.body.data(), stream.data() + offset + proto::frame_header_size, f.body.size()) == 0);
}

// Drains every complete frame; returns the final status (need_more or error).
proto::decode_status drain(proto::frame_decoder& decoder, std::span<const std::uint8_t> stream,
                           std::size_t& offset, std::vector<decoded_frame>& frames, std::error_code& ec) {
    for (;;) {
        proto::frame_view f;
        auto status = decoder.next(f, ec);
        if (status != proto::decode_status::frame) {
            if (status == proto::decode_status::need_more) FUZZ_CHECK(!ec);
            if (status == proto::decode_status::error) {
                FUZZ_CHECK(ec);
                FUZZ_CHECK(decoder.failed() && decoder.error() == ec);
                FUZZ_CHECK(decoder.bytes_needed() == 0);
            }
            return status;
        }
        check_frame_matches_stream(f, stream, offset, decoder.options());
        frames.push_back({f.header, offset});
        offset += proto::frame_header_size + f.body.size();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    input_cursor in(data, size);
    const std::uint8_t control = in.byte();
    const std::size_t split_count = (control & 0x07u) + 1;
    std::array<std::size_t, 8> splits{};
    for (std::size_t i = 0; i < split_count; ++i) splits[i] = static_cast<std::size_t>(in.byte()) + 1;
    const auto stream = in.rest();

    proto::frame_decoder_options options;
    options.expected_version = (control & 0x08u) ? proto::protocol_v4 : proto::protocol_v4 | proto::response_direction_bit;
    options.accept_compressed = (control & 0x10u) != 0;
    options.max_body_length = (control & 0x40u) ? 64u : 1024u * 1024u;
    const bool use_prepare = (control & 0x20u) != 0;

    // The stream, in pieces.
    proto::frame_decoder split_decoder(options);
    std::vector<decoded_frame> split_frames;
    std::size_t split_offset = 0;
    std::error_code split_ec;
    auto split_status = proto::decode_status::need_more;
    for (std::size_t pos = 0, piece = 0; pos < stream.size() && split_status != proto::decode_status::error; ++piece) {
        const std::size_t n = std::min(splits[piece % split_count], stream.size() - pos);
        const auto chunk = stream.subspan(pos, n);
        if (use_prepare) {
            auto space = split_decoder.prepare(n);
            FUZZ_CHECK(space.size() == n);
            std::memcpy(space.data(), chunk.data(), n);
            split_decoder.commit(n);
        } else {
            split_decoder.feed(chunk);
        }
        pos += n;
        // Consumed bytes were dropped before this read: what is buffered is the rest of the frame
        // under way (less than one whole frame) plus this read.
        FUZZ_CHECK(split_decoder.buffered() <= proto::frame_header_size + options.max_body_length + n);
        FUZZ_CHECK(split_decoder.buffered() == (pos - split_offset));
        split_status = drain(split_decoder, stream, split_offset, split_frames, split_ec);
        if (split_status == proto::decode_status::need_more) {
            // What is left is an incomplete frame; bytes_needed() says how much it lacks at least.
            const std::size_t held = split_decoder.buffered();
            FUZZ_CHECK(held == pos - split_offset);
            FUZZ_CHECK(split_decoder.bytes_needed() > 0);
            if (held < proto::frame_header_size) FUZZ_CHECK(split_decoder.bytes_needed() == proto::frame_header_size - held);
        }
    }
    if (split_status == proto::decode_status::error) {
        // Stays failed with the same error, whatever comes next.
        proto::frame_view f;
        std::error_code again;
        split_decoder.feed(stream.first(std::min<std::size_t>(stream.size(), 16)));
        FUZZ_CHECK(split_decoder.next(f, again) == proto::decode_status::error && again == split_ec);
        FUZZ_CHECK(split_decoder.first_byte().has_value());
    }

    // The whole stream at once must give the same frames and the same ending.
    proto::frame_decoder whole_decoder(options);
    whole_decoder.feed(stream);
    std::vector<decoded_frame> whole_frames;
    std::size_t whole_offset = 0;
    std::error_code whole_ec;
    const auto whole_status = drain(whole_decoder, stream, whole_offset, whole_frames, whole_ec);
    if (!stream.empty()) {
        FUZZ_CHECK(whole_status == split_status);
        FUZZ_CHECK(whole_ec == split_ec);
        FUZZ_CHECK(whole_frames.size() == split_frames.size());
        for (std::size_t i = 0; i < whole_frames.size(); ++i) FUZZ_CHECK(whole_frames[i].offset == split_frames[i].offset);
    }

    // reset() forgets everything: the decoder works again from a clean state.
    split_decoder.reset();
    FUZZ_CHECK(!split_decoder.failed() && split_decoder.buffered() == 0);
    return 0;
}

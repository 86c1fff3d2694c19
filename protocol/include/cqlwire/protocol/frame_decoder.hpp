// Splits a byte stream into CQL v4 frames, without doing any I/O.
//
// The decoder owns one growable buffer. A socket reads straight into it (prepare(n) gives
// writable space, commit(n) says how much was filled) or the caller copies bytes in (feed).
// next() then hands out one complete frame at a time as a frame_view.
//
// Invariants:
//   - The header is checked as soon as its bytes arrive: the version byte alone (so that a TLS
//     record, whose first byte is 0x15/0x16, is recognised even when fewer than nine bytes
//     come), then opcode, direction, compression flag and body length. A body longer than
//     the configured maximum is refused from the header alone, before any space is made for
//     it; the decoder never allocates on its own, only prepare() grows the buffer, and only
//     by what the caller asks.
//   - Consumed bytes are dropped (the rest moved to the front) at the next prepare()/feed(),
//     so the buffer holds at most one frame plus one read.
//   - After an error the decoder stays failed: next() keeps returning the same error until
//     reset().
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <system_error>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

enum class decode_status {
    frame,      // `out` holds a complete frame
    need_more,  // more bytes are needed; not an error
    error,      // `ec` says why; the decoder is now failed
};

// One frame: its header and its (still compressed, if the header says so) body.
// Lifetime: `body` points into the decoder's buffer and is valid until the next call to
// prepare(), commit(), feed(), next() or reset() on the decoder that produced it.
struct CQLWIRE_PROTOCOL_API frame_view {
    frame_header header;
    bytes_view body;
};

struct CQLWIRE_PROTOCOL_API frame_decoder_options {
    // Bodies longer than this are refused with client_errc::frame_too_large.
    std::uint32_t max_body_length = max_frame_body_length;
    // The exact first byte every frame must have: 0x84 (v4 response) for a client, 0x04
    // (v4 request) for a server. Anything else is client_errc::bad_version.
    std::uint8_t expected_version = protocol_v4 | response_direction_bit;
    // Whether frames with the compression flag are acceptable (only after a STARTUP that
    // negotiated compression); otherwise they are client_errc::compression_unsupported.
    bool accept_compressed = false;
};

// The frame at the start of `available`, for callers that keep the bytes themselves (a
// connection whose responses share its read buffers): `frame` with `out` filled (its size is
// frame_header_size + out.header.length), `need_more`, or `error` with `ec` set. The header is
// checked as frame_decoder checks it, as far as its bytes have arrived.
CQLWIRE_PROTOCOL_API decode_status split_frame(bytes_view available, const frame_decoder_options& options, frame_view& out,
                          std::error_code& ec) noexcept;
// How many more bytes the frame starting at `available` needs at least; 0 when it is complete
// or its header is invalid.
CQLWIRE_PROTOCOL_API std::size_t frame_bytes_needed(bytes_view available, const frame_decoder_options& options) noexcept;

class CQLWIRE_PROTOCOL_API frame_decoder {
public:
    explicit frame_decoder(frame_decoder_options options = {}) noexcept : options_(options) {}

    // Writable space for exactly n more bytes at the end of the buffered data. Drops consumed
    // bytes first. The span is valid until the next call on this decoder other than commit().
    std::span<std::uint8_t> prepare(std::size_t n);
    // Marks n bytes of the space from the last prepare() as filled (n is capped to that space).
    void commit(std::size_t n) noexcept;
    // Copies `data` in (prepare + copy + commit).
    void feed(bytes_view data);

    // The next complete frame, if one is buffered. See frame_view for how long `out` lives.
    decode_status next(frame_view& out, std::error_code& ec);

    // How many more bytes the frame under way needs at least (the rest of its header, or of
    // its body once the header is known and valid); useful as a read size hint. 0 when a
    // complete frame is already buffered or the decoder is failed.
    std::size_t bytes_needed() const noexcept;

    // The first byte of the frame being decoded, if any byte of it has arrived. After a
    // bad_version error this is the offending byte: 0x15 or 0x16 there means the peer speaks
    // TLS (an alert or a handshake record) where plain CQL was expected, and a 0x03 or 0x05
    // means another protocol version.
    std::optional<std::uint8_t> first_byte() const noexcept;

    bool failed() const noexcept { return static_cast<bool>(error_); }
    std::error_code error() const noexcept { return error_; }
    std::size_t buffered() const noexcept { return end_ - begin_; }
    // The buffered bytes not yet handed out, e.g. after a bad_version error: the frame of
    // another protocol version that caused it. Valid until the next non-const call.
    bytes_view buffered_bytes() const noexcept { return bytes_view(buffer_.get() + begin_, end_ - begin_); }
    std::size_t capacity() const noexcept { return capacity_; }
    const frame_decoder_options& options() const noexcept { return options_; }

    // Forgets all buffered bytes and any error; keeps the buffer's memory.
    void reset() noexcept;

private:
    void fail(std::error_code ec) noexcept { error_ = ec; }

    frame_decoder_options options_;
    std::unique_ptr<std::uint8_t[]> buffer_;
    std::size_t capacity_ = 0;
    std::size_t begin_ = 0;     // first byte not yet handed out
    std::size_t end_ = 0;       // one past the last committed byte
    std::size_t prepared_ = 0;  // size of the span from the last prepare() not yet committed
    std::error_code error_;
};

}  // namespace cqlwire::protocol

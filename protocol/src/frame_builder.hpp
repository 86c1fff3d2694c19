// Internal to the codec: appends one whole frame (header, then body) to a caller-owned vector.
//
// The header is written first with a zero length, the body through writer(), and finish()
// patches the length. If anything failed (a field too long for its length prefix, a body over
// the specification's 256 MiB limit), finish() removes the partial frame again, so a vector
// that coalesces several frames never holds half of one.
#pragma once

#include <array>
#include <cstdint>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/frame_header.hpp"

namespace cqlwire::protocol::detail {

class frame_builder {
public:
    frame_builder(std::vector<std::uint8_t>& out, std::uint8_t version, std::uint8_t flags, std::int16_t stream,
                  opcode op)
        : out_(out), start_(out.size()), writer_(out) {
        frame_header h;
        h.version = version;
        h.flags = flags;
        h.stream = stream;
        h.op = op;
        std::array<std::uint8_t, frame_header_size> bytes{};
        encode_frame_header(h, bytes);
        writer_.write_raw(bytes);
    }

    byte_writer& writer() noexcept { return writer_; }
    std::size_t body_start() const noexcept { return start_ + frame_header_size; }

    [[nodiscard]] std::error_code finish() {
        std::error_code ec = writer_.error();
        std::size_t body = out_.size() - body_start();
        if (!ec && body > max_frame_body_length) ec = make_error_code(client_errc::frame_too_large);
        if (ec) {
            out_.resize(start_);
            return ec;
        }
        writer_.patch_int(start_ + 5, static_cast<std::int32_t>(body));
        return {};
    }

    // Abandons the frame (used when a check fails before anything meaningful was written).
    [[nodiscard]] std::error_code abandon(std::error_code ec) {
        out_.resize(start_);
        return ec;
    }

private:
    std::vector<std::uint8_t>& out_;
    std::size_t start_;
    byte_writer writer_;
};

}  // namespace cqlwire::protocol::detail

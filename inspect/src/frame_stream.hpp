// Cutting one direction of a byte stream (a TCP direction, a raw file) into CQL frames, checking
// each header as it comes: a stream that stops making sense as CQL is given up with the reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cqlwire/inspect/capture.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/frame_header.hpp"

namespace cqlwire::inspect {

// The version bytes of CQL v3 and v4 requests and responses.
inline bool is_request_version(std::uint8_t v) noexcept { return v == 0x03 || v == 0x04; }
inline bool is_response_version(std::uint8_t v) noexcept { return v == 0x83 || v == 0x84; }

// Splits one direction's bytes into frames.
class frame_splitter {
public:
    // Appends frames completed by the new bytes to `out`. Returns false once the stream stopped
    // being CQL (the reason is in `why`).
    bool feed(protocol::bytes_view data, const capture_options& options, std::optional<std::int64_t> time, frame_sender sender,
              const std::string& connection, std::vector<captured_frame>& out, std::string& why) {
        if (dead_) return false;
        buffer_.insert(buffer_.end(), data.begin(), data.end());
        std::size_t at = 0;
        while (buffer_.size() - at >= protocol::frame_header_size) {
            const protocol::bytes_view rest(buffer_.data() + at, buffer_.size() - at);
            const std::uint8_t version = rest[0];
            if (!is_request_version(version) && !is_response_version(version)) {
                why = "a byte " + hex_byte(version) + " where a CQL frame header should start";
                return die();
            }
            protocol::frame_header h;
            if (auto ec = protocol::decode_frame_header(rest, h, options.max_body_length)) {
                why = "a frame header that is not valid CQL (" + ec.message() + ")";
                return die();
            }
            if (h.is_response() != (sender == frame_sender::server)) {
                why = std::string(h.is_response() ? "a response" : "a request") + " frame sent by the " +
                      std::string(to_string(sender));
                return die();
            }
            if (rest.size() - protocol::frame_header_size < h.length) break;
            captured_frame f;
            f.time_us = time;
            f.sender = sender;
            f.header = h;
            f.body.assign(rest.begin() + protocol::frame_header_size, rest.begin() + protocol::frame_header_size + h.length);
            f.connection = connection;
            out.push_back(std::move(f));
            at += protocol::frame_header_size + h.length;
        }
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
        return true;
    }
    std::size_t buffered() const noexcept { return dead_ ? 0 : buffer_.size(); }
    bool dead() const noexcept { return dead_; }

private:
    static std::string hex_byte(std::uint8_t b) {
        std::string out = "0x";
        protocol::append_hex_byte(out, b);
        return out;
    }
    bool die() {
        dead_ = true;
        buffer_.clear();
        buffer_.shrink_to_fit();
        return false;
    }
    std::vector<std::uint8_t> buffer_;
    bool dead_ = false;
};

}  // namespace cqlwire::inspect

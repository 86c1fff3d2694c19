#include "cqlwire/protocol/frame_decoder.hpp"

#include <algorithm>
#include <cstring>

#include "cqlwire/protocol/errc.hpp"

namespace cqlwire::protocol {

std::span<std::uint8_t> frame_decoder::prepare(std::size_t n) {
    // Drop what was handed out already, so that the buffer holds one frame plus one read.
    if (begin_ > 0) {
        if (end_ > begin_) std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (capacity_ - end_ < n) {
        // Grow geometrically so that a large frame read in small pieces is not copied over and
        // over, but never beyond what was asked for plus the data already held twice over.
        std::size_t wanted = end_ + n;
        std::size_t grown = std::max(wanted, std::min(capacity_ * 2, wanted + end_));
        auto bigger = std::make_unique_for_overwrite<std::uint8_t[]>(grown);
        if (end_ > 0) std::memcpy(bigger.get(), buffer_.get(), end_);
        buffer_ = std::move(bigger);
        capacity_ = grown;
    }
    prepared_ = n;
    return {buffer_.get() + end_, n};
}

void frame_decoder::commit(std::size_t n) noexcept {
    n = std::min(n, prepared_);
    end_ += n;
    prepared_ = 0;
}

void frame_decoder::feed(bytes_view data) {
    if (data.empty()) return;
    auto space = prepare(data.size());
    std::memcpy(space.data(), data.data(), data.size());
    commit(data.size());
}

void frame_decoder::reset() noexcept {
    begin_ = end_ = prepared_ = 0;
    error_.clear();
}

std::optional<std::uint8_t> frame_decoder::first_byte() const noexcept {
    if (end_ == begin_) return std::nullopt;
    return buffer_[begin_];
}

// Checks as much of the header as has arrived (`available` bytes at begin_); fills *header
// once all nine bytes are there and valid.
std::error_code frame_decoder::check_header(std::size_t available, frame_header* header) const noexcept {
    if (available == 0) return {};
    const std::uint8_t* p = buffer_.get() + begin_;
    // The version byte is judged alone: a TLS alert record is only seven bytes long, and a
    // client waiting for nine would wait forever.
    if (p[0] != options_.expected_version) return make_error_code(client_errc::bad_version);
    if (available < frame_header_size) return {};
    frame_header h;
    if (auto ec = decode_frame_header(bytes_view(p, frame_header_size), h, options_.max_body_length)) return ec;
    // A request opcode in a response stream (or the reverse) is a protocol violation.
    bool want_response = (options_.expected_version & response_direction_bit) != 0;
    if (is_request_opcode(h.op) == want_response) return make_error_code(client_errc::unexpected_opcode);
    if (h.has_flag(frame_flags::compression) && !options_.accept_compressed)
        return make_error_code(client_errc::compression_unsupported);
    *header = h;
    return {};
}

decode_status frame_decoder::next(frame_view& out, std::error_code& ec) {
    if (error_) {
        ec = error_;
        return decode_status::error;
    }
    std::size_t available = end_ - begin_;
    frame_header h;
    if (auto e = check_header(available, &h)) {
        fail(e);
        ec = e;
        return decode_status::error;
    }
    if (available < frame_header_size || available - frame_header_size < h.length) {
        ec.clear();
        return decode_status::need_more;
    }
    out.header = h;
    out.body = bytes_view(buffer_.get() + begin_ + frame_header_size, h.length);
    begin_ += frame_header_size + h.length;
    ec.clear();
    return decode_status::frame;
}

std::size_t frame_decoder::bytes_needed() const noexcept {
    if (error_) return 0;
    std::size_t available = end_ - begin_;
    if (available < frame_header_size) return frame_header_size - available;
    frame_header h;
    if (check_header(available, &h)) return 0;
    std::size_t total = frame_header_size + h.length;
    return available >= total ? 0 : total - available;
}

}  // namespace cqlwire::protocol

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

namespace {

// Checks as much of the header as has arrived; fills *header once all nine bytes are there and
// valid.
std::error_code check_header(bytes_view available, const frame_decoder_options& options,
                             frame_header* header) noexcept {
    if (available.empty()) return {};
    // The version byte is judged alone: a TLS alert record is only seven bytes long, and a
    // client waiting for nine would wait forever.
    if (available[0] != options.expected_version) return make_error_code(client_errc::bad_version);
    if (available.size() < frame_header_size) return {};
    frame_header h;
    if (auto ec = decode_frame_header(available.first(frame_header_size), h, options.max_body_length)) return ec;
    // A request opcode in a response stream (or the reverse) is a protocol violation.
    bool want_response = (options.expected_version & response_direction_bit) != 0;
    if (is_request_opcode(h.op) == want_response) return make_error_code(client_errc::unexpected_opcode);
    if (h.has_flag(frame_flags::compression) && !options.accept_compressed)
        return make_error_code(client_errc::compression_unsupported);
    *header = h;
    return {};
}

}  // namespace

decode_status split_frame(bytes_view available, const frame_decoder_options& options, frame_view& out,
                          std::error_code& ec) noexcept {
    frame_header h;
    if (auto e = check_header(available, options, &h)) {
        ec = e;
        return decode_status::error;
    }
    ec.clear();
    if (available.size() < frame_header_size || available.size() - frame_header_size < h.length)
        return decode_status::need_more;
    out.header = h;
    out.body = available.subspan(frame_header_size, h.length);
    return decode_status::frame;
}

std::size_t frame_bytes_needed(bytes_view available, const frame_decoder_options& options) noexcept {
    if (available.size() < frame_header_size) return frame_header_size - available.size();
    frame_header h;
    if (check_header(available, options, &h)) return 0;
    const std::size_t total = frame_header_size + h.length;
    return available.size() >= total ? 0 : total - available.size();
}

decode_status frame_decoder::next(frame_view& out, std::error_code& ec) {
    if (error_) {
        ec = error_;
        return decode_status::error;
    }
    const auto status = split_frame(buffered_bytes(), options_, out, ec);
    if (status == decode_status::error) fail(ec);
    if (status == decode_status::frame) begin_ += frame_header_size + out.header.length;
    return status;
}

std::size_t frame_decoder::bytes_needed() const noexcept {
    if (error_) return 0;
    return frame_bytes_needed(buffered_bytes(), options_);
}

}  // namespace cqlwire::protocol

// The connection's receive buffer: blocks that the responses decoded from them share.
//
// Bytes are read into the current block; each whole frame in it is handed out as a view, and a
// response made from it holds a reference to the block (response.hpp). When the next read needs
// room, a block nobody else holds is compacted in place; one that responses still hold is left
// to them and the unfinished frame's bytes move to a fresh block. Blocks of the standard size
// come from a process-wide pool (each thread keeps a few of its own in front of it), so a
// connection in a steady state allocates nothing. A frame larger than a standard block gets a
// block of its own size, which is freed, not pooled, when released.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "cqlwire/protocol/frame_decoder.hpp"

namespace cqlwire::transport::detail {

class read_block;
// Count the references to a block (null: none); the last release gives it back to the pool.
void retain(read_block* block) noexcept;
void release(read_block* block) noexcept;

class read_block {
public:
    static constexpr std::size_t standard_capacity = 64u * 1024u;

    // A block of at least `capacity` bytes with one reference (the caller's).
    static read_block* make(std::size_t capacity);

    std::uint8_t* data() noexcept { return reinterpret_cast<std::uint8_t*>(this + 1); }
    std::size_t capacity() const noexcept { return capacity_; }
    bool shared() const noexcept { return references_.load(std::memory_order_acquire) > 1; }

private:
    friend void retain(read_block*) noexcept;
    friend void release(read_block*) noexcept;
    explicit read_block(std::size_t capacity) noexcept : capacity_(capacity) {}

    std::atomic<std::uint32_t> references_{1};
    std::size_t capacity_;
};

class read_buffer {
public:
    explicit read_buffer(const protocol::frame_decoder_options& options) noexcept : options_(options) {}
    ~read_buffer() { release(block_); }
    read_buffer(const read_buffer&) = delete;
    read_buffer& operator=(const read_buffer&) = delete;

    // Writable space for exactly `n` more bytes after the buffered ones. Valid until the next call
    // other than commit().
    std::span<std::uint8_t> prepare(std::size_t n);
    // The space for the next read: the rest of the current block when enough is left; a standard
    // block while the frame under way fits one; for a larger frame, room that doubles with what
    // of it has arrived — so a header announcing 200 MiB costs nothing until the bytes come.
    std::span<std::uint8_t> prepare_read();
    void commit(std::size_t n) noexcept;

    // The next whole frame, if one is buffered: its body lies in block(). After an error the
    // buffer stays failed and keeps returning it.
    protocol::decode_status next(protocol::frame_view& out, std::error_code& ec);
    // The block the last frame handed out lies in (a response takes a reference to it).
    read_block* block() const noexcept { return block_; }

    // The bytes buffered and not handed out (after an error: the offending frame's start).
    protocol::bytes_view buffered_bytes() const noexcept {
        return block_ == nullptr ? protocol::bytes_view{} : protocol::bytes_view(block_->data() + begin_, end_ - begin_);
    }
    std::size_t buffered() const noexcept { return end_ - begin_; }
    std::optional<std::uint8_t> first_byte() const noexcept {
        if (end_ == begin_) return std::nullopt;
        return block_->data()[begin_];
    }
    // How many more bytes the frame under way needs at least (0: complete, or failed).
    std::size_t bytes_needed() const noexcept {
        return error_ ? 0 : protocol::frame_bytes_needed(buffered_bytes(), options_);
    }
    const protocol::frame_decoder_options& options() const noexcept { return options_; }

private:
    protocol::frame_decoder_options options_;
    read_block* block_ = nullptr;
    std::size_t begin_ = 0;     // first byte not yet handed out
    std::size_t end_ = 0;       // one past the last committed byte
    std::size_t prepared_ = 0;  // the size of the last prepare()'s span, not yet committed
    std::error_code error_;
};

}  // namespace cqlwire::transport::detail

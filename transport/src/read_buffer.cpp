#include "read_buffer.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <vector>

#include "per_thread.hpp"

namespace cqlwire::transport {

namespace detail {
namespace {

void destroy(read_block* block) noexcept {
    block->~read_block();
    ::operator delete(static_cast<void*>(block));
}

// Standard blocks let go of, for the next make(). Shared by every connection of the process.
class block_pool {
public:
    static constexpr std::size_t max_kept = 64;  // 4 MiB

    read_block* take() {
        std::lock_guard lock(mutex_);
        if (free_.empty()) return nullptr;
        auto* b = free_.back();
        free_.pop_back();
        return b;
    }
    void give_back(read_block* b) noexcept {
        {
            std::lock_guard lock(mutex_);
            if (free_.size() < max_kept) {
                free_.push_back(b);  // reserved up front: does not allocate
                return;
            }
        }
        destroy(b);
    }
    block_pool() { free_.reserve(max_kept); }
    ~block_pool() {
        for (auto* b : free_) destroy(b);
    }

private:
    std::mutex mutex_;
    std::vector<read_block*> free_;
};

block_pool& shared_pool() {
    static block_pool pool;
    return pool;
}

// Each thread keeps a few blocks in front of the shared pool: a connection's thread both
// releases blocks (its responses die there) and takes them, without a lock.
struct thread_blocks {
    static constexpr std::size_t max_kept = 16;  // 1 MiB
    std::vector<read_block*> free;
    thread_blocks() { free.reserve(max_kept); }
    ~thread_blocks() {
        for (auto* b : free) shared_pool().give_back(b);
    }
};


}  // namespace

read_block* read_block::make(std::size_t capacity) {
    if (capacity <= standard_capacity) {
        auto* mine = per_thread<thread_blocks>::get();
        read_block* b = nullptr;
        if (mine != nullptr && !mine->free.empty()) {
            b = mine->free.back();
            mine->free.pop_back();
        } else {
            b = shared_pool().take();
        }
        if (b != nullptr) {
            b->references_.store(1, std::memory_order_relaxed);
            return b;
        }
        capacity = standard_capacity;
    }
    void* memory = ::operator new(sizeof(read_block) + capacity);
    return new (memory) read_block(capacity);
}

void retain(read_block* block) noexcept {
    if (block != nullptr) block->references_.fetch_add(1, std::memory_order_relaxed);
}

void release(read_block* block) noexcept {
    if (block == nullptr || block->references_.fetch_sub(1, std::memory_order_acq_rel) != 1) return;
    if (block->capacity() != read_block::standard_capacity) {
        destroy(block);
        return;
    }
    auto* mine = per_thread<thread_blocks>::get();  // null once this thread's blocks are gone
    if (mine != nullptr && mine->free.size() < thread_blocks::max_kept) {
        mine->free.push_back(block);
        return;
    }
    shared_pool().give_back(block);
}

std::span<std::uint8_t> read_buffer::prepare(std::size_t n) {
    const std::size_t kept = end_ - begin_;
    // A block grown for one large frame is let go as soon as what comes next fits a standard
    // one: a connection does not keep up to a whole maximum frame for the rest of its life.
    const bool shrink = block_ != nullptr && block_->capacity() > read_block::standard_capacity &&
                        kept + n <= read_block::standard_capacity;
    if (block_ == nullptr || block_->capacity() - end_ < n || shrink) {
        if (!shrink && block_ != nullptr && !block_->shared() && kept + n <= block_->capacity()) {
            // Nobody else holds the block: the unfinished frame moves to its front.
            if (kept > 0) std::memmove(block_->data(), block_->data() + begin_, kept);
        } else {
            // Grow geometrically, so that a large frame read in pieces is not copied over and
            // over, but never beyond what was asked for plus the data held, twice over.
            const std::size_t wanted = kept + n;
            const std::size_t current = block_ == nullptr ? 0 : block_->capacity();
            auto* fresh = read_block::make(wanted <= read_block::standard_capacity
                                               ? read_block::standard_capacity
                                               : std::max(wanted, std::min(current * 2, wanted + kept)));
            if (kept > 0) std::memcpy(fresh->data(), block_->data() + begin_, kept);
            release(block_);
            block_ = fresh;
        }
        begin_ = 0;
        end_ = kept;
    }
    prepared_ = n;
    return {block_->data() + end_, n};
}

std::span<std::uint8_t> read_buffer::prepare_read() {
    constexpr std::size_t smallest_read = 4096;
    const std::size_t kept = end_ - begin_;
    const std::size_t needed = bytes_needed();
    if (block_ != nullptr && block_->capacity() - end_ >= std::max(smallest_read, needed))
        return prepare(block_->capacity() - end_);
    if (kept + needed <= read_block::standard_capacity) return prepare(read_block::standard_capacity - kept);
    return prepare(std::max(read_block::standard_capacity, std::min(needed, kept)));
}

void read_buffer::commit(std::size_t n) noexcept {
    end_ += std::min(n, prepared_);
    prepared_ = 0;
}

protocol::decode_status read_buffer::next(protocol::frame_view& out, std::error_code& ec) {
    if (error_) {
        ec = error_;
        return protocol::decode_status::error;
    }
    const auto status = protocol::split_frame(buffered_bytes(), options_, out, ec);
    if (status == protocol::decode_status::error) error_ = ec;
    if (status == protocol::decode_status::frame) begin_ += protocol::frame_header_size + out.header.length;
    return status;
}

}  // namespace detail
}  // namespace cqlwire::transport

#include "operation_pool.hpp"

#include <new>
#include <utility>

namespace cqlwire::transport::detail {

namespace {

// Every pooled block has this size: Asio's operations around a strand hop are a few dozen
// bytes. Larger requests go to operator new.
constexpr std::size_t block_size = 256;
// How many free blocks a thread keeps; more are given back to the heap.
constexpr std::size_t cached_blocks = 16;

struct free_block {
    free_block* next;
};

class thread_cache {
public:
    thread_cache() = default;
    thread_cache(const thread_cache&) = delete;
    thread_cache& operator=(const thread_cache&) = delete;
    ~thread_cache() {
        while (head_ != nullptr) ::operator delete(std::exchange(head_, head_->next));
    }

    void* take() {
        if (head_ == nullptr) return ::operator new(block_size);
        --count_;
        return std::exchange(head_, head_->next);
    }
    void give(void* p) noexcept {
        if (count_ == cached_blocks) {
            ::operator delete(p);
            return;
        }
        ++count_;
        head_ = ::new (p) free_block{head_};
    }

private:
    free_block* head_ = nullptr;
    std::size_t count_ = 0;
};

thread_cache& this_thread_cache() {
    thread_local thread_cache cache;
    return cache;
}

}  // namespace

void* pooled_allocate(std::size_t size) {
    if (size > block_size) return ::operator new(size);
    return this_thread_cache().take();
}

void pooled_deallocate(void* p, std::size_t size) noexcept {
    if (size > block_size) {
        ::operator delete(p);
        return;
    }
    this_thread_cache().give(p);
}

}  // namespace cqlwire::transport::detail

#include "operation_pool.hpp"

#include <new>
#include <utility>

#include "per_thread.hpp"

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


}  // namespace

void* pooled_allocate(std::size_t size) {
    if (size > block_size) return ::operator new(size);
    auto* cache = per_thread<thread_cache>::get();
    return cache != nullptr ? cache->take() : ::operator new(block_size);
}

void pooled_deallocate(void* p, std::size_t size) noexcept {
    if (size > block_size) {
        ::operator delete(p);
        return;
    }
    auto* cache = per_thread<thread_cache>::get();  // null once this thread's cache is gone
    if (cache == nullptr) {
        ::operator delete(p);
        return;
    }
    cache->give(p);
}

}  // namespace cqlwire::transport::detail

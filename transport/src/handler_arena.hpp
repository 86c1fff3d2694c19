// Memory for the state of an asynchronous operation that a connection never has two of at once
// (its read, its write, its batch delivery). Asio allocates each operation's state through the
// handler's associated allocator; bound to an arena (asio::bind_allocator with
// arena_allocator), an operation reuses the same block every time. Without it Asio falls back
// to a per-thread cache of two blocks, which misses (and goes to the heap) whenever a read, a
// write and a posted delivery are pending together.
//
// A second allocation while the block is in use (a nested operation, a block too big) goes to
// operator new, so an arena is never wrong, only sometimes not used. Asio frees an operation's
// state before it calls the handler, so the block is free again when the handler starts the
// next operation.
#pragma once

#include <atomic>
#include <cstddef>
#include <new>

namespace cqlwire::transport::detail {

class handler_arena {
public:
    handler_arena() = default;
    handler_arena(const handler_arena&) = delete;
    handler_arena& operator=(const handler_arena&) = delete;

    void* allocate(std::size_t size, std::size_t align) {
        if (size <= sizeof block_ && align <= alignof(std::max_align_t) && !in_use_.exchange(true)) return block_;
        if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new(size, std::align_val_t(align));
        return ::operator new(size);
    }
    void deallocate(void* p, std::size_t align) noexcept {
        if (p == block_) {
            in_use_.store(false);
        } else if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
            ::operator delete(p, std::align_val_t(align));
        } else {
            ::operator delete(p);
        }
    }

private:
    // Large enough for a TLS read or write operation around the connection's handler.
    alignas(std::max_align_t) unsigned char block_[1024];
    std::atomic<bool> in_use_{false};
};

template <class T>
class arena_allocator {
public:
    using value_type = T;

    explicit arena_allocator(handler_arena& arena) noexcept : arena_(&arena) {}
    template <class U>
    arena_allocator(const arena_allocator<U>& other) noexcept : arena_(other.arena()) {}

    T* allocate(std::size_t n) { return static_cast<T*>(arena_->allocate(n * sizeof(T), alignof(T))); }
    void deallocate(T* p, std::size_t) noexcept { arena_->deallocate(p, alignof(T)); }

    handler_arena* arena() const noexcept { return arena_; }
    template <class U>
    bool operator==(const arena_allocator<U>& other) const noexcept {
        return arena_ == other.arena();
    }

private:
    handler_arena* arena_;
};

}  // namespace cqlwire::transport::detail

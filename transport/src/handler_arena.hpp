// Memory for the state of an asynchronous operation that a connection never has two of at once
// (its read, its write, its batch delivery). Asio allocates each operation's state through the
// handler's associated allocator; bound to an arena (asio::bind_allocator with
// arena_allocator), an operation reuses the same block every time. Without it Asio falls back
// to a per-thread cache of two blocks, which misses (and goes to the heap) whenever a read, a
// write and a posted delivery are pending together.
//
// An allocation while both blocks are in use (a deeper nesting, a block too big) goes to
// operator new, so an arena is never wrong, only sometimes not used. Asio frees an operation's
// state before it calls the handler, so the blocks are free again when the handler starts the
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
        if (size <= block_size && align <= alignof(std::max_align_t)) {
            for (std::size_t i = 0; i < block_count; ++i)
                if (!in_use_[i].exchange(true)) return blocks_[i];
        }
        if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) return ::operator new(size, std::align_val_t(align));
        return ::operator new(size);
    }
    void deallocate(void* p, std::size_t align) noexcept {
        for (std::size_t i = 0; i < block_count; ++i) {
            if (p == blocks_[i]) {
                in_use_[i].store(false);
                return;
            }
        }
        if (align > __STDCPP_DEFAULT_NEW_ALIGNMENT__) {
            ::operator delete(p, std::align_val_t(align));
        } else {
            ::operator delete(p);
        }
    }

private:
    // Each large enough for a TLS read or write operation around the connection's handler. Over
    // TLS one operation holds two blocks at once: the type-erased handler that carries it into
    // the TLS layer (stream.hpp) and the TLS operation around that handler. The third leaves
    // room for the hop of a completion onto the connection's strand, whose queue entry comes
    // from the handler's allocator.
    static constexpr std::size_t block_size = 1024;
    static constexpr std::size_t block_count = 3;
    alignas(std::max_align_t) unsigned char blocks_[block_count][block_size];
    std::atomic<bool> in_use_[block_count] = {};
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

// Memory for the small operations Asio allocates as handlers hop onto a connection's strand
// (the strand's queue entries, its turn on the io_context). The connection's strand allocates
// through pooled_allocator, so that this costs no heap allocation in the steady state: each
// thread keeps the blocks it freed and reuses them. Asio's own per-thread cache holds only two
// blocks and misses whenever a read, a write and a delivery hop at once.
//
// The allocator is stateless, so the strand stays small enough to sit inside an
// any_io_executor without a heap block of its own.
#pragma once

#include <cstddef>

#include <boost/asio/io_context.hpp>

namespace cqlwire::transport::detail {

// A block of at least `size` bytes, aligned for any type: from this thread's cache when the
// size is small, from operator new otherwise. Freed with the same size, on any thread.
void* pooled_allocate(std::size_t size);
void pooled_deallocate(void* p, std::size_t size) noexcept;

template <class T>
class pooled_allocator {
public:
    using value_type = T;

    pooled_allocator() noexcept = default;
    template <class U>
    pooled_allocator(const pooled_allocator<U>&) noexcept {}

    T* allocate(std::size_t n) { return static_cast<T*>(pooled_allocate(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { pooled_deallocate(p, n * sizeof(T)); }

    template <class U>
    bool operator==(const pooled_allocator<U>&) const noexcept {
        return true;
    }
};

// An io_context executor allocating from the pool.
using pooled_io_executor = boost::asio::io_context::basic_executor_type<pooled_allocator<void>, 0>;

}  // namespace cqlwire::transport::detail

// Counts heap allocations in a benchmark binary. Include it in exactly one translation unit of
// the program: it replaces the global operator new / delete (every allocation of the process,
// the libraries' included, goes through the counter).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace cqlwire::bench {

inline std::atomic<std::uint64_t> heap_allocations{0};

// malloc and free are reached through functions the compiler may not inline, so that it does
// not mistake the pairing of the replaced operator new with free for a mismatch.
[[gnu::noinline]] inline void* counted_malloc(std::size_t n) noexcept {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] inline void* counted_aligned_malloc(std::size_t n, std::align_val_t a) noexcept {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
    const auto align = static_cast<std::size_t>(a);
    // aligned_alloc wants a size that is a multiple of the alignment.
    return std::aligned_alloc(align, ((n == 0 ? 1 : n) + align - 1) / align * align);
}
[[gnu::noinline]] inline void counted_free(void* p) noexcept { std::free(p); }

}  // namespace cqlwire::bench

void* operator new(std::size_t n) {
    if (void* p = cqlwire::bench::counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = cqlwire::bench::counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return cqlwire::bench::counted_malloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return cqlwire::bench::counted_malloc(n); }
void operator delete(void* p) noexcept { cqlwire::bench::counted_free(p); }
void operator delete[](void* p) noexcept { cqlwire::bench::counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { cqlwire::bench::counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { cqlwire::bench::counted_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { cqlwire::bench::counted_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { cqlwire::bench::counted_free(p); }
// The aligned forms (Asio's recycling allocator uses them).
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = cqlwire::bench::counted_aligned_malloc(n, a)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
    if (void* p = cqlwire::bench::counted_aligned_malloc(n, a)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p, std::align_val_t) noexcept { cqlwire::bench::counted_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { cqlwire::bench::counted_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { cqlwire::bench::counted_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { cqlwire::bench::counted_free(p); }

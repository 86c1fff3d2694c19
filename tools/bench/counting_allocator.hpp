// Counts heap allocations in a benchmark binary. Include it in exactly one translation unit of
// the program. Every way of getting heap memory is counted once:
//   - the global operator new in all its forms (replaced here), and
//   - the C allocation functions malloc, calloc, realloc, aligned_alloc, posix_memalign and
//     memalign, which this binary defines itself so that calls from anywhere in the process
//     (Asio's recycling allocator calls aligned_alloc, OpenSSL calls malloc) reach the counter
//     first, then the implementation that would have been used without it (found with
//     dlsym(RTLD_NEXT): the C library's, or a sanitizer's or valgrind's when one is loaded).
// free is not replaced: every block still comes from, and goes back to, that implementation.
// OpenSSL's own requests are also counted apart (through CRYPTO_set_mem_functions, installed
// before anything runs), so that a report can say which allocations are the TLS library's.
//
// Under AddressSanitizer the C functions are left to the sanitizer (it must see every block
// from the first one on): only operator new is counted there. The figures that count are those
// of an ordinary build.
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define CQLWIRE_BENCH_COUNT_C_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CQLWIRE_BENCH_COUNT_C_ALLOCATIONS 0
#endif
#endif
#ifndef CQLWIRE_BENCH_COUNT_C_ALLOCATIONS
#define CQLWIRE_BENCH_COUNT_C_ALLOCATIONS 1
#endif

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <dlfcn.h>
#include <openssl/crypto.h>

namespace cqlwire::bench {

inline std::atomic<std::uint64_t> heap_allocations{0};     // every allocation, OpenSSL's included
inline std::atomic<std::uint64_t> openssl_allocations{0};  // those OpenSSL asked for

struct allocation_counts {
    std::uint64_t all = 0;
    std::uint64_t openssl = 0;
    allocation_counts operator-(const allocation_counts& o) const { return {all - o.all, openssl - o.openssl}; }
};
inline allocation_counts allocations_now() noexcept { return {heap_allocations.load(), openssl_allocations.load()}; }

namespace detail {

#if CQLWIRE_BENCH_COUNT_C_ALLOCATIONS
template <class F>
F next_function(const char* name) noexcept {
    return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

struct c_allocator {
    using malloc_fn = void* (*)(std::size_t);
    using calloc_fn = void* (*)(std::size_t, std::size_t);
    using realloc_fn = void* (*)(void*, std::size_t);
    using aligned_alloc_fn = void* (*)(std::size_t, std::size_t);
    using posix_memalign_fn = int (*)(void**, std::size_t, std::size_t);

    malloc_fn malloc = next_function<malloc_fn>("malloc");
    calloc_fn calloc = next_function<calloc_fn>("calloc");
    realloc_fn realloc = next_function<realloc_fn>("realloc");
    aligned_alloc_fn aligned_alloc = next_function<aligned_alloc_fn>("aligned_alloc");
    posix_memalign_fn posix_memalign = next_function<posix_memalign_fn>("posix_memalign");
    aligned_alloc_fn memalign = next_function<aligned_alloc_fn>("memalign");
};

// dlsym may itself ask for memory (calloc) before the functions are known: such early requests
// are served from a small static arena, whose blocks are never freed (they are few, and free is
// not ours to intercept).
inline thread_local bool resolving = false;
alignas(std::max_align_t) inline unsigned char early_arena[8192];
inline std::atomic<std::size_t> early_used{0};

inline void* early_block(std::size_t n) noexcept {
    const std::size_t size = (n + alignof(std::max_align_t) - 1) / alignof(std::max_align_t) * alignof(std::max_align_t);
    const std::size_t at = early_used.fetch_add(size);
    return at + size <= sizeof early_arena ? early_arena + at : nullptr;
}

inline const c_allocator* real() noexcept {
    if (resolving) return nullptr;
    resolving = true;
    static const c_allocator functions;
    resolving = false;
    return &functions;
}

#endif

inline void count() noexcept { heap_allocations.fetch_add(1, std::memory_order_relaxed); }

// Reached through functions the compiler may not inline, so that it does not mistake the
// pairing of the replaced operator new with malloc and free for a mismatch.
[[gnu::noinline]] inline void* new_block(std::size_t n) noexcept {
    if (!CQLWIRE_BENCH_COUNT_C_ALLOCATIONS) count();  // else malloc counts it
    return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] inline void* new_aligned_block(std::size_t n, std::align_val_t a) noexcept {
    if (!CQLWIRE_BENCH_COUNT_C_ALLOCATIONS) count();
    const auto align = static_cast<std::size_t>(a);
    // aligned_alloc wants a size that is a multiple of the alignment.
    return std::aligned_alloc(align, ((n == 0 ? 1 : n) + align - 1) / align * align);
}
[[gnu::noinline]] inline void release(void* p) noexcept { std::free(p); }

#if CQLWIRE_BENCH_COUNT_C_ALLOCATIONS
// OpenSSL's allocation functions: counted as heap allocations and as OpenSSL's, then served by
// the implementation behind malloc (directly, so that they are not counted twice).
inline void* openssl_malloc(std::size_t n, const char*, int) noexcept {
    openssl_allocations.fetch_add(1, std::memory_order_relaxed);
    count();
    return real()->malloc(n);
}
inline void* openssl_realloc(void* p, std::size_t n, const char*, int) noexcept {
    openssl_allocations.fetch_add(1, std::memory_order_relaxed);
    count();
    return real()->realloc(p, n);
}
inline void openssl_free(void* p, const char*, int) noexcept { std::free(p); }

// Installed before main and before any static object of the program asks OpenSSL for memory
// (CRYPTO_set_mem_functions refuses once it has).
[[gnu::constructor(101)]] inline void install_openssl_counting() noexcept {
    CRYPTO_set_mem_functions(&openssl_malloc, &openssl_realloc, &openssl_free);
}

#endif

}  // namespace detail
}  // namespace cqlwire::bench

#if CQLWIRE_BENCH_COUNT_C_ALLOCATIONS
extern "C" {

void* malloc(std::size_t n) noexcept {
    const auto* c = cqlwire::bench::detail::real();
    if (c == nullptr) return cqlwire::bench::detail::early_block(n);
    cqlwire::bench::detail::count();
    return c->malloc(n);
}
void* calloc(std::size_t count, std::size_t n) noexcept {
    const auto* c = cqlwire::bench::detail::real();
    if (c == nullptr) return n != 0 && count > SIZE_MAX / n ? nullptr : cqlwire::bench::detail::early_block(count * n);
    cqlwire::bench::detail::count();
    return c->calloc(count, n);
}
void* realloc(void* p, std::size_t n) noexcept {
    const auto* c = cqlwire::bench::detail::real();
    if (c == nullptr) return nullptr;
    cqlwire::bench::detail::count();
    return c->realloc(p, n);
}
void* aligned_alloc(std::size_t align, std::size_t n) noexcept {
    const auto* c = cqlwire::bench::detail::real();
    if (c == nullptr) return nullptr;
    cqlwire::bench::detail::count();
    return c->aligned_alloc(align, n);
}
int posix_memalign(void** out, std::size_t align, std::size_t n) noexcept {
    const auto* c = cqlwire::bench::detail::real();
    if (c == nullptr) return ENOMEM;
    cqlwire::bench::detail::count();
    return c->posix_memalign(out, align, n);
}
void* memalign(std::size_t align, std::size_t n) noexcept {
    const auto* c = cqlwire::bench::detail::real();
    if (c == nullptr) return nullptr;
    cqlwire::bench::detail::count();
    return c->memalign(align, n);
}

}  // extern "C"
#endif

// operator new reaches malloc above (counted there), whichever form; replacing it keeps a
// sanitizer's own operator new from bypassing the count (and counts under one).
void* operator new(std::size_t n) {
    if (void* p = cqlwire::bench::detail::new_block(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return ::operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return cqlwire::bench::detail::new_block(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return cqlwire::bench::detail::new_block(n); }
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = cqlwire::bench::detail::new_aligned_block(n, a)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return ::operator new(n, a); }
void operator delete(void* p) noexcept { cqlwire::bench::detail::release(p); }
void operator delete[](void* p) noexcept { cqlwire::bench::detail::release(p); }
void operator delete(void* p, std::size_t) noexcept { cqlwire::bench::detail::release(p); }
void operator delete[](void* p, std::size_t) noexcept { cqlwire::bench::detail::release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { cqlwire::bench::detail::release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { cqlwire::bench::detail::release(p); }
void operator delete(void* p, std::align_val_t) noexcept { cqlwire::bench::detail::release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { cqlwire::bench::detail::release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { cqlwire::bench::detail::release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { cqlwire::bench::detail::release(p); }

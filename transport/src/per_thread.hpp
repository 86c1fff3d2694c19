// A per-thread object (a cache of blocks or buffers) that can tell it is gone. Objects that
// give memory back to it may die after it: a response or a result held by another thread_local
// object or a static one is destroyed after this thread's caches. get() then returns null, and
// the caller frees what it would have kept.
#pragma once

namespace cqlwire::transport::detail {

template <class T>
class per_thread {
public:
    // This thread's T (made on first use), or null once it has been destroyed.
    static T* get() noexcept {
        if (gone_) return nullptr;
        thread_local holder h;
        return &h.value;
    }

private:
    struct holder {
        T value;
        ~holder() { gone_ = true; }
    };
    // Trivially destructible, so it can still be read after the holder's destruction.
    static inline thread_local bool gone_ = false;
};

}  // namespace cqlwire::transport::detail

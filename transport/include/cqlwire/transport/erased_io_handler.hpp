// A completion handler of signature void(boost::system::error_code, std::size_t) whose type is
// erased: stream (stream.hpp) hands it to its TLS layer, which is compiled apart from the
// templates that start the operation.
//
// What Asio asks of a handler is kept. Its state, and every allocation Asio makes for the
// operation around it, come from the wrapped handler's associated allocator (with an arena
// bound, an operation costs no heap allocation). It forwards the handler's cancellation slot.
// And its associated executor has the I/O objects' own type, any_io_executor: Asio then tracks
// work exactly as for the unerased handler, and converting the executor allocates nothing.
// That last point is why it is not boost::asio::any_completion_handler, whose executor type
// (any_completion_executor) wraps an any_io_executor in a heap block on every operation.
//
// Lifetime: the state is freed before the wrapped handler runs, so the handler may start the
// next operation in the same memory. An allocation requested through get_allocator() must be
// freed before the handler is called, as Asio does with every operation's state.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/system/error_code.hpp>

namespace cqlwire::transport::detail {

class erased_io_handler {
    // The wrapped handler, in memory from its own allocator.
    class state {
    public:
        // Frees the state, then calls the handler.
        virtual void complete(const boost::system::error_code& ec, std::size_t n) = 0;
        // Frees the state without calling the handler (an operation that never completes).
        virtual void destroy() noexcept = 0;
        virtual void* allocate(std::size_t size) const = 0;
        virtual void deallocate(void* p, std::size_t size) const noexcept = 0;

    protected:
        ~state() = default;
    };
    template <class Handler>
    class state_of;

public:
    using executor_type = boost::asio::any_io_executor;
    using cancellation_slot_type = boost::asio::cancellation_slot;

    // Allocates through the wrapped handler's allocator. Alignment up to that of max_align_t,
    // which is all Asio's operation states need.
    template <class T>
    class allocator {
    public:
        using value_type = T;

        explicit allocator(const state* s) noexcept : state_(s) {}
        template <class U>
        allocator(const allocator<U>& other) noexcept : state_(other.state_) {}

        T* allocate(std::size_t n) const { return static_cast<T*>(state_->allocate(n * sizeof(T))); }
        void deallocate(T* p, std::size_t n) const noexcept { state_->deallocate(p, n * sizeof(T)); }

        template <class U>
        bool operator==(const allocator<U>& other) const noexcept {
            return state_ == other.state_;
        }

    private:
        template <class>
        friend class allocator;
        const state* state_;
    };
    using allocator_type = allocator<void>;

    // `io_executor` is the executor of the I/O object the operation runs on: the handler's
    // associated executor when it has none of its own.
    template <class Handler>
    erased_io_handler(Handler handler, const executor_type& io_executor)
        : executor_(boost::asio::get_associated_executor(handler, io_executor)),
          slot_(boost::asio::get_associated_cancellation_slot(handler)),
          state_(state_of<Handler>::make(std::move(handler))) {}

    erased_io_handler(erased_io_handler&& other) noexcept
        : executor_(std::move(other.executor_)), slot_(other.slot_), state_(std::exchange(other.state_, nullptr)) {}
    erased_io_handler& operator=(erased_io_handler&&) = delete;
    erased_io_handler(const erased_io_handler&) = delete;
    erased_io_handler& operator=(const erased_io_handler&) = delete;
    ~erased_io_handler() {
        if (state_) state_->destroy();
    }

    void operator()(const boost::system::error_code& ec, std::size_t n) {
        std::exchange(state_, nullptr)->complete(ec, n);
    }

    executor_type get_executor() const noexcept { return executor_; }
    cancellation_slot_type get_cancellation_slot() const noexcept { return slot_; }
    allocator_type get_allocator() const noexcept { return allocator_type(state_); }

private:
    executor_type executor_;
    cancellation_slot_type slot_;
    state* state_;
};

template <class Handler>
class erased_io_handler::state_of final : public state {
    using handler_allocator = boost::asio::associated_allocator_t<Handler, boost::asio::recycling_allocator<void>>;
    using self_allocator = typename std::allocator_traits<handler_allocator>::template rebind_alloc<state_of>;
    // The unit erased allocations are counted in, so that they are aligned for any operation.
    struct alignas(std::max_align_t) unit {
        unsigned char bytes[alignof(std::max_align_t)];
    };
    using unit_allocator = typename std::allocator_traits<handler_allocator>::template rebind_alloc<unit>;

public:
    explicit state_of(Handler&& h) : handler_(std::move(h)) {}

    static state_of* make(Handler&& h) {
        self_allocator a(allocator_of(h));
        state_of* p = std::allocator_traits<self_allocator>::allocate(a, 1);
        try {
            return ::new (static_cast<void*>(p)) state_of(std::move(h));
        } catch (...) {
            std::allocator_traits<self_allocator>::deallocate(a, p, 1);
            throw;
        }
    }

    void complete(const boost::system::error_code& ec, std::size_t n) override {
        Handler h(std::move(handler_));
        free_self(allocator_of(h));
        std::move(h)(ec, n);
    }

    void destroy() noexcept override { free_self(allocator_of(handler_)); }

    void* allocate(std::size_t size) const override {
        unit_allocator a(allocator_of(handler_));
        return std::allocator_traits<unit_allocator>::allocate(a, units(size));
    }

    void deallocate(void* p, std::size_t size) const noexcept override {
        unit_allocator a(allocator_of(handler_));
        std::allocator_traits<unit_allocator>::deallocate(a, static_cast<unit*>(p), units(size));
    }

private:
    static handler_allocator allocator_of(const Handler& h) noexcept {
        return boost::asio::get_associated_allocator(h, boost::asio::recycling_allocator<void>());
    }
    static std::size_t units(std::size_t size) noexcept { return (size + sizeof(unit) - 1) / sizeof(unit); }

    // `from` is a copy of the handler's allocator taken before the handler is destroyed.
    void free_self(handler_allocator from) noexcept {
        self_allocator a(from);
        this->~state_of();
        std::allocator_traits<self_allocator>::deallocate(a, this, 1);
    }

    Handler handler_;
};

}  // namespace cqlwire::transport::detail

// How every blocking call of the library waits: it starts the asynchronous form and waits for
// its completion, running the I/O context on the calling thread when nobody else does.
//
// run_blocking(ex, start) calls `start(done)`, where `done` (a blocking_done) is a callable taking
// no argument that the operation's completion handler must call last (after storing its
// results). Then:
//   - called on a thread that is running `ex`'s io_context (inside one of its handlers), it
//     returns std::errc::resource_deadlock_would_occur at once, before calling `start`: the
//     completion could only run after the caller returned;
//   - otherwise it runs that io_context on this thread until `done` was called. Another thread
//     may run the same io_context meanwhile: the completion then runs on whichever thread picks
//     it up, and this one notices within a few milliseconds;
//   - when the io_context runs out of work (or is stopped) before `done` was called, it returns
//     std::errc::operation_canceled: nothing is left that could complete the operation. A
//     context stopped by its owner (stop(), or a run() that returned) stays stopped, and a
//     blocking call on it returns operation_canceled at once, until the owner restart()s it;
//     one that a blocking wait ran out of work is restarted by the next blocking call;
//   - called on a thread inside a handler of a thread pool (the executor's, or the one under
//     its strand), it returns std::errc::resource_deadlock_would_occur at once too;
//   - an executor not backed by an io_context (a thread pool) is run by its own threads: this
//     thread only waits for `done` (a pool that was stopped or joined never calls it: only the
//     deadline or `stop_requested` end such a wait).
// `stop_requested`, when given, is asked between slices of the wait (a few milliseconds apart):
// once it says true, the wait ends with std::errc::interrupted (a command's Ctrl-C), the operation
// still under way as for a deadline.
// A `deadline` bounds the wait: reaching it returns std::errc::timed_out; the operation is then
// still under way and `done` may still be called later, so the caller must keep what it gave
// `start` alive until it is cancelled or has completed (event waits use it with operations that
// own their state).
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <type_traits>
#include <system_error>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

namespace detail {
class blocking_wait;
}

// What run_blocking's `start` is given: the operation's completion handler calls it once, last
// (after storing its results), on whatever thread it runs.
class CQLWIRE_TRANSPORT_API blocking_done {
public:
    explicit blocking_done(std::shared_ptr<detail::blocking_wait> wait) noexcept : wait_(std::move(wait)) {}
    void operator()() const noexcept;

private:
    std::shared_ptr<detail::blocking_wait> wait_;
};

// run_blocking with the start type-erased: `start(context, done)` starts the operation. The
// template below calls it; it is the one function a program using it links to.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code run_blocking_erased(
    const boost::asio::any_io_executor& ex, void (*start)(void* context, blocking_done done), void* context,
    std::optional<std::chrono::steady_clock::time_point> deadline, bool (*stop_requested)() noexcept);

template <class Start>
[[nodiscard]] std::error_code run_blocking(const boost::asio::any_io_executor& ex, Start&& start,
                                           std::optional<std::chrono::steady_clock::time_point> deadline = {},
                                           bool (*stop_requested)() noexcept = nullptr) {
    using start_type = std::remove_reference_t<Start>;
    return run_blocking_erased(
        ex, [](void* context, blocking_done done) { (*static_cast<start_type*>(context))(std::move(done)); },
        const_cast<void*>(static_cast<const volatile void*>(std::addressof(start))), deadline, stop_requested);
}

}  // namespace cqlwire::transport

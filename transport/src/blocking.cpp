#include "cqlwire/transport/blocking.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>

#include "operation_pool.hpp"

namespace cqlwire::transport::detail {

namespace asio = boost::asio;

class blocking_wait {
public:
    void finish() noexcept {
        {
            std::lock_guard lock(mutex_);
            done_.store(true, std::memory_order_release);
        }
        changed_.notify_all();
    }
    bool done() const noexcept { return done_.load(std::memory_order_acquire); }
    // Waits for finish() (up to `deadline`, when given); true once finished.
    bool wait(std::optional<std::chrono::steady_clock::time_point> deadline) {
        std::unique_lock lock(mutex_);
        if (!deadline) {
            changed_.wait(lock, [this] { return done(); });
            return true;
        }
        return changed_.wait_until(lock, *deadline, [this] { return done(); });
    }

private:
    std::atomic<bool> done_{false};
    std::mutex mutex_;
    std::condition_variable changed_;
};

namespace {

// The io_context behind `ex` — a plain or work-tracking io_context executor, or a strand over
// one (a connection's own included) — or null for any other kind of executor (a thread pool's,
// the system executor).
asio::io_context* io_context_of(const asio::any_io_executor& ex) {
    using plain = asio::io_context::executor_type;
    using tracked = decltype(asio::require(std::declval<plain>(), asio::execution::outstanding_work.tracked));
    if (!ex) return nullptr;
    if (auto* e = ex.target<plain>()) return &asio::query(*e, asio::execution::context);
    if (auto* e = ex.target<tracked>()) return &asio::query(*e, asio::execution::context);
    if (auto* s = ex.target<asio::strand<plain>>()) return &asio::query(s->get_inner_executor(), asio::execution::context);
    if (auto* s = ex.target<asio::strand<asio::any_io_executor>>()) return io_context_of(s->get_inner_executor());
    // The strand a connection puts its handlers on (connection_impl.hpp).
    if (auto* s = ex.target<asio::strand<pooled_io_executor>>()) return &asio::query(s->get_inner_executor(), asio::execution::context);
    return nullptr;
}

// Whether this thread is inside a handler of the thread pool under `ex` (a strand's included),
// for an executor not backed by an io_context.
bool runs_in_pool_here(const asio::any_io_executor& ex) {
    using pool = asio::thread_pool::executor_type;
    if (auto* e = ex.target<pool>()) return e->running_in_this_thread();
    if (auto* s = ex.target<asio::strand<pool>>()) return s->get_inner_executor().running_in_this_thread();
    if (auto* s = ex.target<asio::strand<asio::any_io_executor>>())
        return s->running_in_this_thread() || runs_in_pool_here(s->get_inner_executor());
    return false;
}

// Remembers, per io_context, that a blocking wait ran it out of work and so stopped it: the next
// blocking call restarts it. A context stopped any other way (its owner's stop(), or a run()
// that ended) is left stopped, as Asio asks: other threads may still be inside run(), and the
// owner's stop must hold.
class blocking_stop_record : public asio::execution_context::service {
public:
    static asio::execution_context::id id;
    explicit blocking_stop_record(asio::execution_context& owner) : service(owner) {}
    std::atomic<bool> ran_out{false};

private:
    void shutdown() override {}
};
asio::execution_context::id blocking_stop_record::id;

// Whether a blocking wait on `ex` (whose io_context is `ioc`, or null) can run, checked before
// the operation starts. Called inside a handler of that io_context or thread pool, a wait could
// end only by luck (another thread taking the completion) or never: refused. An io_context its
// owner stopped: refused; one that a blocking wait ran out of work: restarted (nobody is inside
// its run()).
std::error_code prepare_blocking(const asio::any_io_executor& ex, asio::io_context* ioc) {
    if (!ex) return std::make_error_code(std::errc::operation_not_supported);
    if (ioc == nullptr) {
        if (runs_in_pool_here(ex)) return std::make_error_code(std::errc::resource_deadlock_would_occur);
        return {};
    }
    if (ioc->get_executor().running_in_this_thread()) return std::make_error_code(std::errc::resource_deadlock_would_occur);
    if (ioc->stopped()) {
        if (!asio::use_service<blocking_stop_record>(*ioc).ran_out.exchange(false))
            return std::make_error_code(std::errc::operation_canceled);
        ioc->restart();
    }
    return {};
}

// Waits for `w`, running `ioc` on this thread when there is one (otherwise the executor's own
// threads complete the operation).
std::error_code wait_blocking(asio::io_context* ioc, blocking_wait& w,
                              std::optional<std::chrono::steady_clock::time_point> deadline,
                              bool (*stop_requested)() noexcept) {
    if (ioc == nullptr) {
        // Others run the executor: wait in slices when a stop may be asked for.
        if (stop_requested == nullptr) return w.wait(deadline) ? std::error_code{} : std::make_error_code(std::errc::timed_out);
        for (;;) {
            auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(16);
            if (deadline) until = std::min(until, *deadline);
            if (w.wait(until)) return {};
            if (stop_requested()) return std::make_error_code(std::errc::interrupted);
            if (deadline && std::chrono::steady_clock::now() >= *deadline) return std::make_error_code(std::errc::timed_out);
        }
    }
    auto& record = asio::use_service<blocking_stop_record>(*ioc);
    // run_one_for returns as soon as a handler ran here; the slice only bounds how late this
    // thread notices a completion that another thread running the same context delivered.
    constexpr auto longest_slice = std::chrono::milliseconds(16);
    std::chrono::milliseconds slice(1);
    while (!w.done()) {
        if (stop_requested != nullptr && stop_requested()) return std::make_error_code(std::errc::interrupted);
        auto until = std::chrono::steady_clock::now() + slice;
        if (deadline) {
            if (std::chrono::steady_clock::now() >= *deadline) return std::make_error_code(std::errc::timed_out);
            until = std::min(until, *deadline);
        }
        if (ioc->run_one_until(until) > 0) {
            slice = std::chrono::milliseconds(1);
            continue;
        }
        if (w.done()) break;
        if (ioc->stopped()) {
            record.ran_out = true;
            return std::make_error_code(std::errc::operation_canceled);
        }
        slice = std::min(slice * 2, longest_slice);
    }
    // The completion may have been the context's last work, which stops it.
    if (ioc->stopped()) record.ran_out = true;
    return {};
}

}  // namespace

}  // namespace cqlwire::transport::detail

namespace cqlwire::transport {

void blocking_done::operator()() const noexcept { wait_->finish(); }

std::error_code run_blocking_erased(const boost::asio::any_io_executor& ex, void (*start)(void*, blocking_done),
                                    void* context, std::optional<std::chrono::steady_clock::time_point> deadline,
                                    bool (*stop_requested)() noexcept) {
    auto* ioc = detail::io_context_of(ex);
    if (auto ec = detail::prepare_blocking(ex, ioc)) return ec;
    auto wait = std::make_shared<detail::blocking_wait>();
    start(context, blocking_done(wait));
    return detail::wait_blocking(ioc, *wait, deadline, stop_requested);
}

}  // namespace cqlwire::transport

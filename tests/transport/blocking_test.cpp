// run_blocking: the one way the library's blocking calls wait. It must work whoever runs the
// io_context, and refuse at once where waiting could never end.
#include "cqlwire/transport/blocking.hpp"

#include <atomic>
#include <chrono>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <doctest/doctest.h>

namespace asio = boost::asio;
using cqlwire::transport::run_blocking;
using namespace std::chrono_literals;

TEST_CASE("run_blocking runs the io_context on the calling thread until the operation completes") {
    asio::io_context ioc;
    asio::steady_timer timer(ioc, 20ms);
    bool fired = false;
    const auto ec = run_blocking(ioc.get_executor(), [&](auto done) {
        timer.async_wait([&fired, done](const boost::system::error_code&) {
            fired = true;
            done();
        });
    });
    CHECK_FALSE(ec);
    CHECK(fired);
    // Twice in a row: the context stopped when it ran out of work and is restarted.
    asio::steady_timer again(ioc, 1ms);
    CHECK_FALSE(run_blocking(ioc.get_executor(), [&](auto done) {
        again.async_wait([done](const boost::system::error_code&) { done(); });
    }));
}

TEST_CASE("run_blocking inside a handler of its io_context fails at once instead of deadlocking") {
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    std::error_code plain_ec;
    std::error_code strand_ec;
    bool started = false;
    asio::post(ioc, [&] {
        plain_ec = run_blocking(ioc.get_executor(), [&](auto) { started = true; });
    });
    asio::post(strand, [&] {
        strand_ec = run_blocking(asio::any_io_executor(strand), [&](auto) { started = true; });
    });
    ioc.run();
    CHECK(plain_ec == std::errc::resource_deadlock_would_occur);
    CHECK(strand_ec == std::errc::resource_deadlock_would_occur);
    CHECK_FALSE(started);  // refused before anything was started
}

TEST_CASE("run_blocking inside a handler of a thread pool, or of a strand over one, fails at once") {
    asio::thread_pool pool(1);
    auto strand = asio::make_strand(pool.get_executor());
    std::error_code pool_ec, strand_ec;
    bool started = false;
    asio::post(pool, [&] { pool_ec = run_blocking(pool.get_executor(), [&](auto) { started = true; }); });
    asio::post(strand, [&] { strand_ec = run_blocking(asio::any_io_executor(strand), [&](auto) { started = true; }); });
    pool.join();
    CHECK(pool_ec == std::errc::resource_deadlock_would_occur);
    CHECK(strand_ec == std::errc::resource_deadlock_would_occur);
    CHECK_FALSE(started);
}

TEST_CASE("run_blocking leaves an io_context its owner stopped stopped, and restarts one it ran out of work") {
    asio::io_context ioc;
    SUBCASE("stopped by its owner: refused at once, before starting, and still stopped") {
        auto guard = asio::make_work_guard(ioc);
        ioc.stop();
        bool started = false;
        CHECK(run_blocking(ioc.get_executor(), [&](auto) { started = true; }) == std::errc::operation_canceled);
        CHECK_FALSE(started);
        CHECK(ioc.stopped());
        // Once its owner restarts it, blocking calls run again.
        ioc.restart();
        asio::steady_timer timer(ioc, 1ms);
        CHECK_FALSE(run_blocking(ioc.get_executor(), [&](auto done) {
            timer.async_wait([done](const boost::system::error_code&) { done(); });
        }));
    }
    SUBCASE("a run() of its owner that returned: the same") {
        ioc.run();
        CHECK(run_blocking(ioc.get_executor(), [](auto done) { done(); }) == std::errc::operation_canceled);
    }
    SUBCASE("ran out of work by a blocking wait that failed: the next one restarts it") {
        CHECK(run_blocking(ioc.get_executor(), [](auto) {}) == std::errc::operation_canceled);
        CHECK(ioc.stopped());
        asio::steady_timer timer(ioc, 1ms);
        CHECK_FALSE(run_blocking(ioc.get_executor(), [&](auto done) {
            timer.async_wait([done](const boost::system::error_code&) { done(); });
        }));
    }
}

TEST_CASE("run_blocking does not undo a stop() made while another thread runs the io_context") {
    asio::io_context ioc;
    auto guard = asio::make_work_guard(ioc);
    std::atomic<bool> in_handler{false}, release{false};
    asio::post(ioc, [&] {
        in_handler = true;
        while (!release) std::this_thread::sleep_for(1ms);
    });
    std::thread runner([&] { ioc.run(); });
    while (!in_handler) std::this_thread::sleep_for(1ms);
    ioc.stop();  // the runner is still inside run(), in the handler
    CHECK(run_blocking(ioc.get_executor(), [](auto done) { done(); }) == std::errc::operation_canceled);
    release = true;
    runner.join();  // returns: the stop held
    CHECK(ioc.stopped());
}

TEST_CASE("run_blocking works while another thread runs the same io_context") {
    asio::io_context ioc;
    auto guard = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });
    for (int i = 0; i < 20; ++i) {
        asio::steady_timer timer(ioc, 2ms);
        std::atomic<bool> fired{false};
        const auto ec = run_blocking(ioc.get_executor(), [&](auto done) {
            timer.async_wait([&fired, done](const boost::system::error_code&) {
                fired = true;
                done();
            });
        });
        CHECK_FALSE(ec);
        CHECK(fired);
    }
    guard.reset();
    runner.join();
}

TEST_CASE("run_blocking on a thread pool's executor waits for the pool's threads") {
    asio::thread_pool pool(1);
    std::atomic<bool> ran{false};
    const auto ec = run_blocking(pool.get_executor(), [&](auto done) {
        asio::post(pool, [&ran, done] {
            ran = true;
            done();
        });
    });
    CHECK_FALSE(ec);
    CHECK(ran);
    pool.join();
}

TEST_CASE("run_blocking reports an operation nothing can complete, and a deadline reached") {
    SUBCASE("the io_context runs out of work first") {
        asio::io_context ioc;
        const auto ec = run_blocking(ioc.get_executor(), [](auto) {});
        CHECK(ec == std::errc::operation_canceled);
    }
    SUBCASE("the deadline comes first") {
        asio::io_context ioc;
        asio::steady_timer timer(ioc, 10s);
        const auto ec = run_blocking(
            ioc.get_executor(),
            [&](auto done) { timer.async_wait([done](const boost::system::error_code&) { done(); }); },
            std::chrono::steady_clock::now() + 30ms);
        CHECK(ec == std::errc::timed_out);
        timer.cancel();
        ioc.run();
    }
    SUBCASE("an empty executor") {
        CHECK(run_blocking(asio::any_io_executor{}, [](auto done) { done(); }) == std::errc::operation_not_supported);
    }
}

namespace {
std::atomic<bool> stop_flag{false};
bool stop_asked() noexcept { return stop_flag.load(); }
}  // namespace

TEST_CASE("run_blocking ends with interrupted once stop_requested says so, leaving the operation under way") {
    asio::io_context ioc;
    asio::steady_timer timer(ioc, 10s);
    asio::steady_timer stopper(ioc, 30ms);
    stop_flag = false;
    stopper.async_wait([](const boost::system::error_code&) { stop_flag = true; });
    const auto started = std::chrono::steady_clock::now();
    const auto ec = run_blocking(
        ioc.get_executor(),
        [&](auto done) { timer.async_wait([done](const boost::system::error_code&) { done(); }); }, std::nullopt,
        stop_asked);
    CHECK(ec == std::errc::interrupted);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    timer.cancel();
    ioc.run();
}

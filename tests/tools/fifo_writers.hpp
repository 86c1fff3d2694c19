// FIFOs for the tests of the bounded file reader and of the command's file flags: one whose
// writer writes forever, one whose writer never writes. Both always let the test end: the
// endless writer opens without blocking and stops when the FIFO is destroyed.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <string>
#include <thread>

#include "test_support.hpp"

namespace cqlwire::test {

// A FIFO at `path` with a writer thread that writes forever, to every reader that opens it
// (one after the other), until the object is destroyed.
class endless_fifo {
public:
    explicit endless_fifo(std::string path) : path_(std::move(path)) {
        REQUIRE(::mkfifo(path_.c_str(), 0600) == 0);
        writer_ = std::thread([this] { write_forever(); });
    }
    ~endless_fifo() {
        stop_ = true;
        writer_.join();
        ::unlink(path_.c_str());
    }
    endless_fifo(const endless_fifo&) = delete;
    endless_fifo& operator=(const endless_fifo&) = delete;

    const std::string& path() const noexcept { return path_; }
    std::size_t bytes_written() const noexcept { return written_; }

private:
    void write_forever() {
        // A reader that closes makes write() fail with EPIPE; the signal would end the test run.
        sigset_t pipe_signal;
        sigemptyset(&pipe_signal);
        sigaddset(&pipe_signal, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
        const std::string chunk(4096, 'A');
        while (!stop_) {
            // Non-blocking: with no reader the open fails (ENXIO) instead of waiting.
            const int fd = ::open(path_.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            while (!stop_) {
                pollfd p{fd, POLLOUT, 0};
                if (::poll(&p, 1, 50) <= 0) continue;
                const auto n = ::write(fd, chunk.data(), chunk.size());
                if (n > 0) written_ += static_cast<std::size_t>(n);
                else if (errno != EAGAIN && errno != EINTR) break;  // the reader went away
            }
            ::close(fd);
        }
        // A SIGPIPE left pending on this thread is discarded with it.
    }

    std::string path_;
    std::atomic<bool> stop_{false};
    std::atomic<std::size_t> written_{0};
    std::thread writer_;
};

// A FIFO at `path` held open for writing (so a reader sees a writer) that nothing writes to.
class silent_fifo {
public:
    explicit silent_fifo(std::string path) : path_(std::move(path)) {
        REQUIRE(::mkfifo(path_.c_str(), 0600) == 0);
        // O_RDWR opens a FIFO at once on Linux, and counts as a writer.
        fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);
        REQUIRE(fd_ >= 0);
    }
    ~silent_fifo() {
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    silent_fifo(const silent_fifo&) = delete;
    silent_fifo& operator=(const silent_fifo&) = delete;

    const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace cqlwire::test

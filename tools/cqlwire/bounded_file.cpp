// Reading the command's input files with a cap and a bounded wait; see bounded_file.hpp.
#include "bounded_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

#include "cqlwire/auth/secret.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {
namespace {

using steady = std::chrono::steady_clock;

// Bytes asked of the kernel per read: a key or a cqlshrc comes in one or two.
constexpr std::size_t read_chunk = 16 * kibibyte;

std::error_code refuse(std::string& out, std::string& message, std::string text) {
    auth::wipe(out);
    message = std::move(text);
    return make_error_code(cli_errc::file_unreadable);
}

// Grows `out` to hold `needed` bytes; the old block is wiped before it is released, so that no
// copy of a secret is left behind in freed memory.
void grow_wiped(std::string& out, std::size_t needed) {
    if (needed <= out.capacity()) return;
    std::string bigger;
    bigger.reserve(std::max(needed, out.capacity() * 2));
    bigger.assign(out);
    auth::wipe(out);
    out.swap(bigger);
}

}  // namespace

std::string describe_size(std::size_t bytes) {
    if (bytes >= mebibyte && bytes % mebibyte == 0) return std::to_string(bytes / mebibyte) + " MiB";
    if (bytes >= kibibyte && bytes % kibibyte == 0) return std::to_string(bytes / kibibyte) + " KiB";
    return std::to_string(bytes) + " bytes";
}

std::string readable_by_others_warning(const std::string& path, std::string_view holds, mode_t mode) {
    if (!S_ISREG(mode) || (mode & 077) == 0) return {};
    return path + " holds " + std::string(holds) + " and is readable by other users; chmod 600 it";
}

bounded_file::~bounded_file() {
    if (fd_ >= 0) ::close(fd_);
}

std::error_code bounded_file::open(const std::string& path, std::string_view what, const file_limits& limits,
                                   std::string& message) {
    if (fd_ >= 0) ::close(fd_);
    what_ = std::string(what);
    named_ = what_ + " '" + path + "'";
    limits_ = limits;
    // Non-blocking, so that neither the open nor a read can wait on a FIFO or a device; the
    // waits happen in poll(), with a limit.
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (limits.follow_links ? 0 : O_NOFOLLOW));
    if (fd_ < 0) {
        const int e = errno;
        message = e == ELOOP && !limits.follow_links ? named_ + " is a symbolic link; it is not followed"
                                                     : "cannot read " + named_ + ": " + std::strerror(e);
        return make_error_code(cli_errc::file_unreadable);
    }
    if (::fstat(fd_, &status_) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        message = "cannot read " + named_ + ": " + std::strerror(e);
        return make_error_code(cli_errc::file_unreadable);
    }
    return {};
}

std::error_code bounded_file::read(std::string& out, std::string& message) {
    auth::wipe(out);
    if (fd_ < 0) return refuse(out, message, "cannot read " + named_ + ": " + std::strerror(EBADF));
    if (S_ISDIR(status_.st_mode)) return refuse(out, message, named_ + " is a directory; give a file");
    const std::string over_cap =
        named_ + " is larger than " + describe_size(limits_.max_bytes) + ", the limit for a " + what_;
    if (S_ISREG(status_.st_mode) && static_cast<std::uintmax_t>(status_.st_size) > limits_.max_bytes)
        return refuse(out, message, over_cap);

    // A pipe, FIFO or device is waited on in poll(), never in read(): a FIFO whose writer has
    // not opened it yet, or one that writes nothing, costs at most max_wait.
    const bool wait_in_poll = !S_ISREG(status_.st_mode);
    auto deadline = steady::now() + limits_.max_wait;
    for (;;) {
        if (wait_in_poll) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - steady::now());
            pollfd p{fd_, POLLIN, 0};
            const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) {
                const int e = errno;
                return refuse(out, message, "cannot read " + named_ + ": " + std::strerror(e));
            }
            if (ready == 0) {
                const auto ms = limits_.max_wait.count();
                const std::string wait = ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
                return refuse(out, message,
                              named_ + " did not reach its end within " + wait +
                                  "; give a file, or a pipe whose writer writes and closes it");
            }
        }
        // One byte beyond the cap is read, to tell a file of exactly the cap from a longer one.
        const std::size_t room = std::min(read_chunk, limits_.max_bytes + 1 - out.size());
        const std::size_t before = out.size();
        grow_wiped(out, before + room);
        out.resize(before + room);
        const ssize_t n = ::read(fd_, out.data() + before, room);
        const int e = errno;
        out.resize(before + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0) {
            if (limits_.first_line_only && S_ISFIFO(status_.st_mode) && out.find('\n', before) != std::string::npos)
                return {};
            if (out.size() > limits_.max_bytes) return refuse(out, message, over_cap);
            continue;  // the deadline stays: a writer that trickles must end in time too
        }
        if (n == 0) return {};
        if (e == EINTR || e == EAGAIN || e == EWOULDBLOCK) continue;
        return refuse(out, message, "cannot read " + named_ + ": " + std::strerror(e));
    }
}

std::error_code read_bounded_file(const std::string& path, std::string_view what, const file_limits& limits,
                                  std::string& out, std::string& message, mode_t* mode) {
    auth::wipe(out);
    bounded_file file;
    if (auto ec = file.open(path, what, limits, message)) return ec;
    if (mode != nullptr) *mode = file.status().st_mode;
    return file.read(out, message);
}

}  // namespace cqlwire::cli

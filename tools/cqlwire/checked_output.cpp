#include "checked_output.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cqlwire::cli {

int write_fully(int fd, const char* data, std::size_t size) noexcept {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (n == 0) return EIO;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return 0;
}

bool checked_output::write_all(const char* data, std::size_t size) noexcept {
    if (error_ != 0) return false;
    error_ = write_fully(fd_, data, size);
    return error_ == 0;
}

bool checked_output::flush_buffer() noexcept {
    const auto pending = static_cast<std::size_t>(pptr() - pbase());
    const bool ok = write_all(pbase(), pending);
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return ok;
}

checked_output::int_type checked_output::overflow(int_type ch) {
    if (!flush_buffer()) return traits_type::eof();
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    *pptr() = traits_type::to_char_type(ch);
    pbump(1);
    return ch;
}

std::streamsize checked_output::xsputn(const char* s, std::streamsize n) {
    if (error_ != 0) return 0;
    const auto size = static_cast<std::size_t>(n);
    if (size <= static_cast<std::size_t>(epptr() - pptr())) {
        std::memcpy(pptr(), s, size);
        pbump(static_cast<int>(size));
        return n;
    }
    // Larger than what is left: send the buffer, then the data itself.
    if (!flush_buffer()) return 0;
    if (size < buffer_.size() / 2) {
        std::memcpy(pptr(), s, size);
        pbump(static_cast<int>(size));
        return n;
    }
    return write_all(s, size) ? n : 0;
}

int checked_output::sync() { return flush_buffer() ? 0 : -1; }

namespace {
bool stderr_was_closed = false;
}  // namespace

bool standard_error_was_closed() noexcept { return stderr_was_closed; }

bool plug_standard_descriptors() noexcept {
    bool stdout_closed = false;
    for (int fd = 0; fd <= 2; ++fd) {
        if (::fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
        if (fd == 1) stdout_closed = true;
        if (fd == 2) stderr_was_closed = true;
        // open() returns the lowest free number, which is `fd` itself.
        const int opened = ::open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened != fd && opened >= 0) ::close(opened);
    }
    return stdout_closed;
}

}  // namespace cqlwire::cli

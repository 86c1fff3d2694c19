#include "tls_file_reader.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport::detail {
namespace {

// How long a pipe or FIFO given as a TLS file may stay silent before the read gives up.
constexpr std::chrono::milliseconds max_silence{30'000};

}  // namespace

std::error_code tls_config_error(protocol::diagnostics& diag, const std::string& message) {
    diag.set_client_message(message);
    return errc::tls_config;
}

std::string last_openssl_reason() {
    const unsigned long e = ERR_peek_last_error();
    const char* reason = e != 0 ? ERR_reason_error_string(e) : nullptr;
    ERR_clear_error();
    return reason != nullptr ? reason : "unknown reason";
}

// Bounded in size and in time: /dev/zero, a FIFO that never ends or one whose writer never
// writes is an error naming the file, not a hang or an exhausted memory. Non-blocking, so that
// opening a FIFO cannot wait.
std::error_code read_tls_file(const std::string& path, const char* what, std::string& out, protocol::diagnostics& diag) {
    out.clear();
    const std::string named = std::string(what) + " '" + path + "'";
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT) return tls_config_error(diag, named + " does not exist; check the path");
        return tls_config_error(diag, named + " cannot be read: " + std::strerror(err) +
                                      (err == EACCES ? "; check its permissions" : ""));
    }
    struct fd_closer {
        int fd;
        ~fd_closer() { ::close(fd); }
    } const closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0) return tls_config_error(diag, named + " cannot be read: " + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) return tls_config_error(diag, named + " is a directory, not a file");
    // OpenSSL opens certificates and keys again by their path after this check: a pipe or FIFO
    // would be empty by then (or block with no writer), a device is no certificate.
    if (!S_ISREG(st.st_mode))
        return tls_config_error(diag, named + " is not a regular file (a pipe, FIFO or device); give a file");
    const std::string too_large = named + " is larger than " + std::to_string(max_tls_file_size / (1024 * 1024)) +
                                  " MiB, too large for a certificate, key or keystore file";
    if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > max_tls_file_size)
        return tls_config_error(diag, too_large);
    // Read straight into `out`, grown once to the cap: no copy of a key is left behind in a
    // released block.
    out.reserve(max_tls_file_size + 1);
    // A pipe, FIFO or device is waited on in poll(), never in read(): a FIFO whose writer has
    // not opened it yet, or one that writes nothing, costs at most max_silence.
    const bool wait_in_poll = !S_ISREG(st.st_mode);
    auto deadline = std::chrono::steady_clock::now() + max_silence;
    for (;;) {
        if (wait_in_poll) {
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
            pollfd p{fd, POLLIN, 0};
            const int ready = left.count() > 0 ? ::poll(&p, 1, static_cast<int>(left.count())) : 0;
            if (ready < 0 && errno == EINTR) continue;
            if (ready < 0) {
                const int err = errno;
                auth::wipe(out);
                return tls_config_error(diag, named + " could not be read to the end: " + std::strerror(err));
            }
            if (ready == 0) {
                auth::wipe(out);
                return tls_config_error(diag, named + " sent no data for " + std::to_string(max_silence.count() / 1000) +
                                              " s; give a file");
            }
        }
        const std::size_t before = out.size();
        const std::size_t room = std::min<std::size_t>(16 * 1024, max_tls_file_size + 1 - before);
        out.resize(before + room);
        const ssize_t n = ::read(fd, out.data() + before, room);
        const int err = errno;
        out.resize(before + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0) {
            if (out.size() > max_tls_file_size) {
                auth::wipe(out);
                return tls_config_error(diag, too_large);
            }
            deadline = std::chrono::steady_clock::now() + max_silence;
            continue;
        }
        if (n == 0) return {};
        if (err == EINTR || err == EAGAIN || err == EWOULDBLOCK) continue;
        auth::wipe(out);
        return tls_config_error(diag, named + " could not be read to the end: " + std::strerror(err));
    }
}

}  // namespace cqlwire::transport::detail

#include "cqlwire/transport/internal/tls_keylog.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {
namespace {

// The open key log of one SSL_CTX, kept in the context's ex_data and freed with it.
struct key_log_file {
    int fd = -1;
    std::mutex mutex;  // handshakes of several connections may run on several threads

    ~key_log_file() {
        if (fd >= 0) ::close(fd);
    }
};

void free_key_log(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<key_log_file*>(ptr); }

int key_log_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, free_key_log);
    return index;
}

void write_key_line(const SSL* ssl, const char* line) {
    auto* file = static_cast<key_log_file*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), key_log_index()));
    if (file == nullptr || line == nullptr) return;
    std::string text(line);
    text += '\n';
    std::lock_guard lock(file->mutex);
    // One write per line, to a file opened with O_APPEND: lines of concurrent writers (other
    // processes sharing SSLKEYLOGFILE) do not interleave within a line.
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        const auto n = ::write(file->fd, p, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;  // nowhere to report it from inside a handshake; the log is best effort
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

std::error_code refuse(protocol::diagnostics& diag, const std::string& message) {
    diag.set_client_message(message);
    return errc::tls_config;
}

}  // namespace

std::error_code enable_key_log(SSL_CTX* context, const std::string& path, protocol::diagnostics& diag) {
    if (path.empty()) return refuse(diag, "the TLS key log file name is empty");
    if (key_log_index() < 0) return refuse(diag, "OpenSSL could not reserve room for the TLS key log");
    // O_NOFOLLOW: a symbolic link planted at the path must not redirect the secrets elsewhere.
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0600);
    if (fd < 0) {
        if (errno == ELOOP)
            return refuse(diag, "TLS key log file '" + path + "' is a symbolic link; refusing to write secrets through it");
        return refuse(diag, "cannot open TLS key log file '" + path + "': " + std::strerror(errno));
    }
    auto file = new key_log_file;
    file->fd = fd;
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        const int saved = errno;
        delete file;
        return refuse(diag, "cannot inspect TLS key log file '" + path + "': " + std::strerror(saved));
    }
    if (!S_ISREG(st.st_mode)) {
        delete file;
        return refuse(diag, "TLS key log file '" + path + "' is not a regular file");
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        delete file;
        return refuse(diag, "TLS key log file '" + path +
                                "' is writable by other users; refusing to append secrets to it (chmod 600 it)");
    }
    // Enabled twice: the earlier file is replaced (contexts are set up before any handshake).
    auto* earlier = static_cast<key_log_file*>(SSL_CTX_get_ex_data(context, key_log_index()));
    if (SSL_CTX_set_ex_data(context, key_log_index(), file) != 1) {
        delete file;
        return refuse(diag, "OpenSSL could not attach the TLS key log to the context");
    }
    delete earlier;
    SSL_CTX_set_keylog_callback(context, write_key_line);
    return {};
}

std::string key_log_warning(const std::string& path) {
    return "writing TLS session keys to '" + path + "': anyone with that file can decrypt captured traffic";
}

}  // namespace cqlwire::transport

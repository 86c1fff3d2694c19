// The files of COPY FROM; see copy_files.hpp.
#include "copy_files.hpp"

#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>

#include "cqlwire/protocol/ascii.hpp"
#include "checked_output.hpp"
#include "interrupt.hpp"

namespace cqlwire::cli {

namespace {

}  // namespace

record_source::~record_source() { close_current(); }

bool record_source::add_files(const std::string& list, std::string& error) {
    std::string_view rest = list;
    for (;;) {
        const auto comma = rest.find(',');
        const std::string name = std::string(protocol::trim_ascii_blank(rest.substr(0, comma)));
        if (!name.empty()) {
            if (struct stat st {}; ::stat(name.c_str(), &st) == 0) {
                paths_.push_back(name);
            } else {
                glob_t g{};
                const int rc = ::glob(name.c_str(), 0, nullptr, &g);
                if (rc != 0 || g.gl_pathc == 0) {
                    ::globfree(&g);
                    error = "Can't open '" + name + "' for reading: no matching file found";
                    return false;
                }
                for (std::size_t i = 0; i < g.gl_pathc; ++i) paths_.emplace_back(g.gl_pathv[i]);
                ::globfree(&g);
            }
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (paths_.empty()) {
        error = "COPY FROM names no file";
        return false;
    }
    return true;
}

const std::vector<bool>& record_source::quoted() const noexcept { return reader_ ? reader_->quoted() : no_fields_; }

std::string record_source::where() const {
    return (stdin_ ? std::string("standard input") : "'" + current_ + "'") + ", line " + std::to_string(line_);
}

record_source::status record_source::next(std::vector<std::string>& fields, std::string& error) {
    for (;;) {
        if (!reader_ && !open_next(error)) return error.empty() ? status::end : status::bad_source;
        const auto s = reader_->next(fields);
        if (s == csv_reader::status::record) {
            line_ = reader_->record_line();
            if (skip_header_) {
                skip_header_ = false;
                continue;
            }
            return status::record;
        }
        if (s == csv_reader::status::error) {
            line_ = reader_->record_line();
            if (reader_->error() == "read error") {
                error = where() + ": cannot read: " + read_error_;
                close_current();  // what cannot be read ends this source
                return status::bad_source;
            }
            error = where() + ": " + reader_->error();
            return status::bad_record;
        }
        close_current();
    }
}

bool record_source::open_next(std::string& error) {
    error.clear();
    if (stdin_) {
        if (opened_ > 0) return false;
        ++opened_;
        fd_ = STDIN_FILENO;
        if (terminal_) std::cout << "[Use . on a line by itself to end input]\n" << std::flush;
    } else {
        if (next_path_ == paths_.size()) return false;
        current_ = paths_[next_path_++];
        // Opened without waiting (a FIFO's open would wait for a writer); reads wait instead,
        // where Ctrl-C is heard.
        fd_ = ::open(current_.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd_ < 0) {
            error = "Can't open '" + current_ + "' for reading: " + std::strerror(errno);
            return false;
        }
        struct stat st {};
        if (::fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
            error = "Can't open '" + current_ + "' for reading: it is a directory";
            close_current();
            return false;
        }
        fifo_ = S_ISFIFO(st.st_mode);
        fifo_writer_seen_ = false;
        if (!fifo_) ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
        ++opened_;
    }
    line_ = 0;
    reader_ = std::make_unique<csv_reader>(dialect_, [this](char* buffer, std::size_t size) -> long {
        return stdin_ ? read_stdin_line(buffer, size) : read_file(buffer, size);
    });
    skip_header_ = header_;
    return true;
}

long record_source::read_file(char* buffer, std::size_t size) {
    for (;;) {
        if (interrupt_requested()) return 0;
        const ssize_t n = ::read(fd_, buffer, size);
        if (n > 0) {
            fifo_writer_seen_ = true;
            return static_cast<long>(n);
        }
        if (n < 0 && errno == EINTR) continue;
        const bool would_wait = n < 0 && errno == EAGAIN;
        if (n < 0 && !would_wait) {
            read_error_ = std::strerror(errno);
            return -1;
        }
        // A FIFO reads as ended (0) before any writer came: wait for one, or for data.
        if (!fifo_ || (n == 0 && fifo_writer_seen_)) return 0;
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, 100);
        if (ready > 0 && (p.revents & POLLHUP) != 0) fifo_writer_seen_ = true;
    }
}

long record_source::read_stdin_line(char* buffer, std::size_t size) {
    if (line_pending_.empty()) {
        if (stdin_ended_) return 0;
        if (terminal_) std::cout << "[copy] " << std::flush;
        std::string line;
        for (;;) {
            const auto newline = stdin_buffer_.find('\n');
            if (newline != std::string::npos) {
                line = stdin_buffer_.substr(0, newline + 1);
                stdin_buffer_.erase(0, newline + 1);
                break;
            }
            if (interrupt_requested()) return 0;
            char chunk[64 * 1024];
            // A terminal is read a byte at a time, so that nothing typed after the rows is taken.
            const ssize_t n = ::read(STDIN_FILENO, chunk, terminal_ ? 1 : sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) {
                read_error_ = std::strerror(errno);
                return -1;
            }
            if (n == 0) {
                stdin_ended_ = true;
                line = std::move(stdin_buffer_);
                stdin_buffer_.clear();
                if (line.empty()) return 0;
                break;
            }
            stdin_buffer_.append(chunk, static_cast<std::size_t>(n));
        }
        if (line == ".\n" || line == ".\r\n" || line == ".") {
            stdin_ended_ = true;
            return 0;
        }
        line_pending_ = std::move(line);
    }
    const std::size_t n = std::min(size, line_pending_.size());
    std::memcpy(buffer, line_pending_.data(), n);
    line_pending_.erase(0, n);
    return static_cast<long>(n);
}

void record_source::close_current() {
    reader_.reset();
    if (fd_ >= 0 && fd_ != STDIN_FILENO) ::close(fd_);
    fd_ = -1;
}

error_file::~error_file() {
    if (fd_ >= 0) ::close(fd_);
}

bool error_file::add(const std::vector<std::string>& fields, std::string& error) {
    if (fd_ < 0 && !open(error)) return false;
    std::string record;
    csv_append_record(dialect_, fields, record);
    const int failure = write_fully(fd_, record.data(), record.size());
    if (failure == 0) return true;
    error = "cannot write to '" + path_ + "': " + std::strerror(failure);
    return false;
}

bool error_file::open(std::string& error) {
    if (struct stat st {}; ::stat(path_.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
        char stamp[32];
        const std::time_t now = std::time(nullptr);
        std::tm local{};
        ::localtime_r(&now, &local);
        std::strftime(stamp, sizeof stamp, ".%Y%m%d_%H%M%S", &local);
        std::string aside = path_ + stamp;
        for (int n = 1; ::access(aside.c_str(), F_OK) == 0; ++n) aside = path_ + stamp + "." + std::to_string(n);
        if (::rename(path_.c_str(), aside.c_str()) != 0) {
            error = "cannot move the earlier '" + path_ + "' aside: " + std::strerror(errno);
            return false;
        }
    }
    // A FIFO with no reader is refused at once rather than waited on.
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
    if (fd_ < 0) {
        error = "Can't open '" + path_ + "' for writing: " + std::strerror(errno);
        return false;
    }
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
    return true;
}

}  // namespace cqlwire::cli

// Standard output that remembers why a write failed.
//
// std::cout only knows that "something failed" and forgets errno; a full disk (/dev/full), a
// closed descriptor or a reader that went away must each end the command with their own report.
// checked_output is a std::streambuf writing straight to a file descriptor: it buffers, retries
// short and interrupted writes, and keeps the errno of the first failure (after which it drops
// what it is given). main() puts it under std::cout, so every writer of the command is checked.
#pragma once

#include <array>
#include <cstddef>
#include <streambuf>
#include <string>

namespace cqlwire::cli {

class checked_output : public std::streambuf {
public:
    // `name` says what the descriptor is in messages ("standard output").
    checked_output(int fd, std::string name) : fd_(fd), name_(std::move(name)) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
    checked_output(const checked_output&) = delete;
    checked_output& operator=(const checked_output&) = delete;
    ~checked_output() override { flush_buffer(); }

    // The errno of the first failed write, or 0.
    int error() const noexcept { return error_; }
    const std::string& name() const noexcept { return name_; }
    // Marks the output as failed before anything is written (e.g. EBADF for a closed stdout).
    void fail(int error) noexcept {
        if (error_ == 0) error_ = error;
    }

protected:
    int_type overflow(int_type ch) override;
    std::streamsize xsputn(const char* s, std::streamsize n) override;
    int sync() override;

private:
    bool flush_buffer() noexcept;
    bool write_all(const char* data, std::size_t size) noexcept;

    int fd_;
    std::string name_;
    int error_ = 0;
    std::array<char, 64 * 1024> buffer_{};
};

// Writes all of `data` to `fd`, again after short and interrupted writes; 0, or the errno of the
// failure (EIO for a write that took nothing).
int write_fully(int fd, const char* data, std::size_t size) noexcept;

// Makes sure descriptors 0, 1 and 2 are open, so that no socket or file opened later takes one
// of their numbers (and receives table rows or messages). A closed one is opened on /dev/null;
// returns whether descriptor 1 (standard output) was closed.
bool plug_standard_descriptors() noexcept;
// Whether plug_standard_descriptors() found descriptor 2 closed (what goes to standard error,
// a frame trace say, is then lost: the trace reports it).
bool standard_error_was_closed() noexcept;

}  // namespace cqlwire::cli

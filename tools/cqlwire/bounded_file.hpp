// The one reader of the files the `cqlwire` command is given (cqlshrc, credentials file, password
// and key passphrase files, private keys, the history): whole files into memory, with a size cap
// chosen for what the file holds and a bounded wait, so that a directory, /dev/zero, /dev/urandom
// or a FIFO that never ends (or never starts) is a clean "fix your files" error naming the path,
// never a hang or an exhausted memory. Pipes that deliver data (`--password-file <(pass show db)`)
// work.
//
// Every buffer the content passes through is wiped before it is released: these files hold
// passwords and private keys.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace cqlwire::cli {

inline constexpr std::size_t kibibyte = 1024;
inline constexpr std::size_t mebibyte = 1024 * kibibyte;

// The caps, by what a file holds. A password or passphrase is one line; a PEM private key is a
// few kilobytes; a cqlshrc is a few dozen lines.
inline constexpr std::size_t max_secret_file_size = 64 * kibibyte;
inline constexpr std::size_t max_key_file_size = mebibyte;
inline constexpr std::size_t max_cqlshrc_size = mebibyte;

// How long reading a pipe, FIFO or device may take in all (a writer that never comes, or one
// that trickles): long enough for a program that asks for its own passphrase first
// (`<(gpg -d pw.gpg)`), short of a hang.
inline constexpr std::chrono::milliseconds default_max_wait{10'000};

struct file_limits {
    std::size_t max_bytes;
    std::chrono::milliseconds max_wait = default_max_wait;  // for the whole read
    bool follow_links = true;  // false: a symbolic link is refused (O_NOFOLLOW)
    // For a pipe or FIFO, stop after the first line break: a password file's first line is the
    // password, and a writer that goes on after it (`<(echo pw; sleep 60)`) need not be waited
    // for. (Regular files and devices are read to their end or their cap.)
    bool first_line_only = false;
};

// Reads the whole file at `path` into `out`. `what` names the file's role in messages
// ("password file", "cqlshrc"). Refuses a directory (and, unless limits.follow_links, a symbolic
// link); stops at `limits.max_bytes` (a regular file
// over the cap is refused before it is read); gives up on a pipe, FIFO or device silent for
// `limits.max_wait`. Errors are cli_errc::file_unreadable with one line in `message` naming the
// path and the cause ("password file '/x' is a directory; give a file"). `mode`, when given,
// receives the file's st_mode (for permission warnings). `out` is empty on error.
[[nodiscard]] std::error_code read_bounded_file(const std::string& path, std::string_view what,
                                                const file_limits& limits, std::string& out, std::string& message,
                                                mode_t* mode = nullptr);

// The same reading in two steps, for a caller that decides from the file's owner or mode whether
// to read it at all (the credentials file): the decision is made on the file that was opened, so
// that a file swapped in between a stat() of the path and the open cannot be read in its place.
class bounded_file {
public:
    bounded_file() = default;
    ~bounded_file();  // closes the file
    bounded_file(const bounded_file&) = delete;
    bounded_file& operator=(const bounded_file&) = delete;

    // Opens `path` as read_bounded_file does (never waiting: a FIFO or device opens at once)
    // and fstat()s it. Errors are read_bounded_file's ("cannot read password file '/x': No such
    // file or directory", "... is a symbolic link; it is not followed").
    [[nodiscard]] std::error_code open(const std::string& path, std::string_view what, const file_limits& limits,
                                       std::string& message);
    // What fstat() said of the opened file; valid once open() succeeded.
    const struct stat& status() const noexcept { return status_; }
    // Reads the opened file whole into `out`, with read_bounded_file's checks (a directory, the
    // size cap) and waits. Once only, after open() succeeded.
    [[nodiscard]] std::error_code read(std::string& out, std::string& message);

private:
    int fd_ = -1;
    struct stat status_ {};
    std::string what_;
    std::string named_;  // "<what> '<path>'", as messages name the file
    file_limits limits_{0};
};

// The warning for a file holding `holds` ("a password") that group or others may read, or an
// empty string when `mode` is not such a regular file. One text for the cqlshrc and the
// password files.
std::string readable_by_others_warning(const std::string& path, std::string_view holds, mode_t mode);

// "1 MiB", "64 KiB", "100 bytes": a cap as messages name it.
std::string describe_size(std::size_t bytes);

}  // namespace cqlwire::cli

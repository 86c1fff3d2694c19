// Reading statements from the -f file or standard input as they complete, so that each runs as
// soon as its `;` has arrived: an endless producer (`yes 'SELECT ...;' | cqlwire`) gets results
// continuously, and memory holds one statement at most (max_statement_bytes).
//
// What is refused, each naming the input and the line:
//   - a NUL byte (binary data, /dev/zero): cli_errc::not_text, at once;
//   - a statement that is not valid UTF-8: cli_errc::bad_statements, before it is sent;
//   - a statement over max_statement_bytes: cli_errc::bad_statements;
//   - at the end of input, a statement without its `;` (or a batch without APPLY BATCH):
//     cli_errc::bad_statements — an unfinished statement is never run;
//   - an unclosed string, quoted identifier or comment: cli_errc::bad_statements.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <system_error>

#include "statements.hpp"

namespace cqlwire::cli {

// The largest statement accepted from a file or standard input: Cassandra refuses frames over
// 16 MiB by default (native_transport_max_frame_size), so a longer statement could not run.
inline constexpr std::size_t max_statement_bytes = 16 * 1024 * 1024;

class statement_reader {
public:
    // Reads from `fd` (not owned); `name` names the input in messages ("<stdin>", the path).
    statement_reader(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}

    // The next complete statement. Returns false at the end of input or on error (`ec` set,
    // `message` saying what, where).
    bool next(statement& out, std::error_code& ec, std::string& message);

    const std::string& name() const noexcept { return name_; }

private:
    bool fill(std::error_code& ec, std::string& message);

    int fd_;
    std::string name_;
    statement_splitter splitter_;
    std::deque<statement> ready_;
    bool at_end_ = false;
    bool started_ = false;  // whether the first bytes (and a byte order mark there) were seen
    std::error_code failure_;  // reported once the statements read before it have been taken
    std::string failure_message_;
    int line_ = 1;  // line of the next byte read, for the NUL report
};

// Checks that a statement is valid UTF-8; otherwise cli_errc::bad_statements with `message`
// naming `where` and the line of the first bad byte (`from_file`: and how to fix the file).
[[nodiscard]] std::error_code check_statement_text(const statement& st, std::string_view where, std::string& message,
                                                   bool from_file = true);

}  // namespace cqlwire::cli

#include "statement_reader.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {

std::error_code check_statement_text(const statement& st, std::string_view where, std::string& message,
                                     bool from_file) {
    const auto bad = first_invalid_utf8(st.text);
    if (!bad) return {};
    const auto line = st.line + static_cast<int>(std::count(st.text.begin(), st.text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    const auto byte = static_cast<std::uint8_t>(st.text[*bad]);
    std::string hex;
    protocol::append_hex_byte(hex, byte);
    message = std::string(where) + ":" + std::to_string(line) + ": the statement is not valid UTF-8 (byte 0x" + hex +
              "); it was not sent" +
              (from_file ? " (save the file as UTF-8)" : " (set the terminal to UTF-8)");
    return make_error_code(cli_errc::bad_statements);
}

bool statement_reader::fill(std::error_code& ec, std::string& message) {
    std::array<char, 64 * 1024> chunk;
    ssize_t n = 0;
    do {
        n = ::read(fd_, chunk.data(), chunk.size());
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        message = "cannot read " + name_ + ": " + std::strerror(errno);
        ec = make_error_code(cli_errc::file_unreadable);
        return false;
    }
    if (n == 0) {
        at_end_ = true;
        std::optional<statement> last;
        if ((ec = splitter_.finish(last, message))) {
            message = name_ + ": " + message;
            return false;
        }
        if (last) {
            message = name_ + ":" + std::to_string(last->line) +
                      ": the input ends inside a statement (no ';' after it); it was not run";
            ec = make_error_code(cli_errc::bad_statements);
            return false;
        }
        return true;
    }
    std::string_view data(chunk.data(), static_cast<std::size_t>(n));
    if (!started_) {
        // Editors on Windows start UTF-8 files with a byte order mark; it is not CQL.
        started_ = true;
        if (data.starts_with("\xEF\xBB\xBF")) data.remove_prefix(3);
    }
    // The statements completed before a NUL byte still run; the NUL ends the input after them.
    const auto nul = data.find('\0');
    const std::string_view text = data.substr(0, nul);
    std::vector<statement> done;
    splitter_.feed(text, done);
    for (auto& st : done) ready_.push_back(std::move(st));
    if (nul != std::string_view::npos) {
        const auto line = line_ + static_cast<int>(std::count(text.begin(), text.end(), '\n'));
        message = name_ + ":" + std::to_string(line) + ": holds a NUL byte: this is not CQL text";
        ec = make_error_code(cli_errc::not_text);
        return false;
    }
    line_ += static_cast<int>(std::count(data.begin(), data.end(), '\n'));
    if (splitter_.pending_bytes() > max_statement_bytes) {
        message = name_ + ":" + std::to_string(std::max(1, splitter_.pending_line())) +
                  ": the statement starting here is longer than " + std::to_string(max_statement_bytes >> 20) +
                  " MiB (the most a statement can be); it was not run";
        ec = make_error_code(cli_errc::bad_statements);
        return false;
    }
    return true;
}

bool statement_reader::next(statement& out, std::error_code& ec, std::string& message) {
    ec.clear();
    while (ready_.empty()) {
        if (failure_) {
            ec = failure_;
            message = failure_message_;
            return false;
        }
        if (at_end_) return false;
        // A failure while reading comes after the statements completed before it.
        if (!fill(failure_, failure_message_)) at_end_ = true;
    }
    out = std::move(ready_.front());
    ready_.pop_front();
    if ((ec = check_statement_text(out, name_, message))) return false;
    return true;
}

}  // namespace cqlwire::cli

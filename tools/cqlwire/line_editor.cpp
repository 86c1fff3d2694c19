// The line editor's logic and the history; see line_editor.hpp.
#include "line_editor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "bounded_file.hpp"
#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {
namespace {

bool is_continuation(char c) noexcept { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

namespace {

class history_category_impl : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.history"; }
    std::string message(int ev) const override {
        switch (static_cast<history_errc>(ev)) {
        case history_errc::symbolic_link: return "is a symbolic link; history is not read/written through links";
        case history_errc::not_regular_file: return "is not a regular file; history is kept only in a regular file";
        case history_errc::too_large:
            return "is larger than " + std::to_string(line_history::max_file_size / (1024 * 1024)) +
                   " MiB; history is not loaded";
        }
        return "unknown history error";
    }
};

// Whether `path` names a file the history may use: an existing regular file (true), nothing
// (false), or something refused (`ec`).
bool existing_history_file(const std::string& path, std::error_code& ec, off_t* size = nullptr) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        if (errno != ENOENT) ec = {errno, std::system_category()};
        return false;
    }
    if (S_ISLNK(st.st_mode)) ec = history_errc::symbolic_link;
    else if (!S_ISREG(st.st_mode)) ec = history_errc::not_regular_file;
    if (size != nullptr) *size = st.st_size;
    return !ec;
}

}  // namespace

const std::error_category& history_category() noexcept {
    static const history_category_impl category;
    return category;
}

std::error_code make_error_code(history_errc e) noexcept { return {static_cast<int>(e), history_category()}; }

bool line_history::is_secret(std::string_view entry) noexcept {
    if (protocol::find_ignoring_ascii_case(entry, "password") != std::string_view::npos) return true;
    // LOGIN user pass, wherever it stands on the line (`CONSISTENCY ONE; LOGIN u 'pw'`): the
    // line may hold a password. A line that merely names a `login` column is left out too.
    return protocol::find_ignoring_ascii_case(entry, "login") != std::string_view::npos;
}

bool line_history::add(std::string_view entry) {
    if (entry.empty() || is_secret(entry)) return false;
    if (entry.find_first_not_of(" \t") == std::string_view::npos) return false;
    if (entry.find('\n') != std::string_view::npos || entry.find('\r') != std::string_view::npos) return false;
    if (!entries_.empty() && entries_.back() == entry) return false;
    entries_.emplace_back(entry);
    if (entries_.size() > max_entries) entries_.erase(entries_.begin());
    return true;
}

std::error_code line_history::load(const std::string& path) {
    off_t size = 0;
    if (!existing_history_file(path, refused_, &size)) return refused_;
    if (static_cast<std::uintmax_t>(size) > max_file_size) return refused_ = history_errc::too_large;
    std::string text;
    std::string message;
    // No link is followed even if one replaced the file since the check above.
    if (auto ec = read_bounded_file(path, "history file", {max_file_size, default_max_wait, false}, text, message))
        return ec;
    std::string_view rest(text);
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        add(rest.substr(0, nl));
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    return {};
}

std::error_code line_history::append_to_file(const std::string& path, std::string_view entry) const {
    if (refused_) return refused_;
    std::error_code ec;
    if (!existing_history_file(path, ec) && ec) return ec;
    // O_NOFOLLOW: a link put in place after the check is refused too (ELOOP); O_NONBLOCK: a
    // FIFO put there cannot make the open wait (and is refused below).
    const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
    if (fd < 0) {
        if (errno == ELOOP) return history_errc::symbolic_link;
        if (errno == EISDIR || errno == ENXIO) return history_errc::not_regular_file;
        return {errno, std::system_category()};
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0) ec = {errno, std::system_category()};
    else if (!S_ISREG(st.st_mode)) ec = history_errc::not_regular_file;
    // A file created earlier with a laxer umask or by hand is narrowed too.
    else if (::fchmod(fd, 0600) != 0) ec = {errno, std::system_category()};
    std::string line(entry);
    line.push_back('\n');
    std::size_t done = 0;
    while (!ec && done < line.size()) {
        const auto n = ::write(fd, line.data() + done, line.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            ec = {errno, std::system_category()};
            break;
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return ec;
}

void line_editor::reset() {
    buffer_.clear();
    draft_.clear();
    cursor_ = 0;
    history_index_ = history_.entries().size();
    escape_ = escape_state::none;
    escape_params_.clear();
}

std::string line_editor::take_line() {
    std::string line = std::move(buffer_);
    reset();
    return line;
}

line_editor::status line_editor::feed(std::string_view bytes) {
    for (char b : bytes)
        if (auto s = feed(b); s != status::editing) return s;
    return status::editing;
}

line_editor::status line_editor::feed(char byte) {
    switch (escape_) {
    case escape_state::escape:
        if (byte == '[') escape_ = escape_state::bracket;
        else if (byte == 'O') escape_ = escape_state::o_prefix;
        else escape_ = escape_state::none;  // Alt-<key>: ignored
        return status::editing;
    case escape_state::o_prefix:
        escape_ = escape_state::none;
        escape_final(byte);
        return status::editing;
    case escape_state::bracket:
        if ((byte >= '0' && byte <= '9') || byte == ';') {
            if (escape_params_.size() < 16) escape_params_.push_back(byte);
            return status::editing;
        }
        escape_ = escape_state::none;
        escape_final(byte);
        escape_params_.clear();
        return status::editing;
    case escape_state::none: break;
    }
    return key(byte);
}

void line_editor::escape_final(char final_byte) {
    switch (final_byte) {
    case 'A':
        if (history_index_ > 0) recall(history_index_ - 1);
        break;
    case 'B':
        if (history_index_ < history_.entries().size()) recall(history_index_ + 1);
        break;
    case 'C': move_right(); break;
    case 'D': move_left(); break;
    case 'H': cursor_ = 0; break;
    case 'F': cursor_ = buffer_.size(); break;
    case '~':
        if (escape_params_ == "3") erase_at();
        else if (escape_params_ == "1" || escape_params_ == "7") cursor_ = 0;
        else if (escape_params_ == "4" || escape_params_ == "8") cursor_ = buffer_.size();
        break;
    default: break;
    }
}

line_editor::status line_editor::key(char byte) {
    const auto u = static_cast<unsigned char>(byte);
    switch (u) {
    case 0x1B: escape_ = escape_state::escape; return status::editing;
    case '\r':
    case '\n': return status::accepted;
    case 0x03:  // Ctrl-C
        buffer_.clear();
        cursor_ = 0;
        history_index_ = history_.entries().size();
        draft_.clear();
        return status::interrupted;
    case 0x04:  // Ctrl-D
        if (buffer_.empty()) return status::end_of_input;
        erase_at();
        return status::editing;
    case 0x01: cursor_ = 0; return status::editing;               // Ctrl-A
    case 0x05: cursor_ = buffer_.size(); return status::editing;  // Ctrl-E
    case 0x02: move_left(); return status::editing;               // Ctrl-B
    case 0x06: move_right(); return status::editing;              // Ctrl-F
    case 0x7F:
    case 0x08: erase_before(); return status::editing;
    default: break;
    }
    if (u < 0x20) return status::editing;  // other control bytes
    buffer_.insert(buffer_.begin() + static_cast<std::ptrdiff_t>(cursor_), byte);
    ++cursor_;
    return status::editing;
}

void line_editor::move_left() {
    if (cursor_ == 0) return;
    --cursor_;
    while (cursor_ > 0 && is_continuation(buffer_[cursor_])) --cursor_;
}

void line_editor::move_right() {
    if (cursor_ >= buffer_.size()) return;
    ++cursor_;
    while (cursor_ < buffer_.size() && is_continuation(buffer_[cursor_])) ++cursor_;
}

void line_editor::erase_before() {
    if (cursor_ == 0) return;
    const std::size_t end = cursor_;
    move_left();
    buffer_.erase(cursor_, end - cursor_);
}

void line_editor::erase_at() {
    if (cursor_ >= buffer_.size()) return;
    const std::size_t start = cursor_;
    move_right();
    buffer_.erase(start, cursor_ - start);
    cursor_ = start;
}

void line_editor::recall(std::size_t index) {
    const auto& entries = history_.entries();
    if (history_index_ == entries.size()) draft_ = buffer_;
    history_index_ = index;
    buffer_ = index == entries.size() ? draft_ : entries[index];
    cursor_ = buffer_.size();
}

}  // namespace cqlwire::cli

// The line editor's logic and the history; see line_editor.hpp.
#include "line_editor.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "bounded_file.hpp"
#include "checked_output.hpp"
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
    // A line with control characters (an ESC pasted into a plain read) would drive the terminal
    // when recalled; tabs are kept.
    if (std::any_of(entry.begin(), entry.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return (u < 0x20 && c != '\t') || u == 0x7F;
        }))
        return false;
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
    std::size_t lines = 0;
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        add(rest.substr(0, nl));
        ++lines;
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
    // The file keeps the newest max_entries too: it is written again, whole, when it grew past
    // them (appends add one line each). A failure leaves the longer file, which still loads.
    if (lines > max_entries) (void)rewrite_file(path);
    return {};
}

std::error_code line_history::rewrite_file(const std::string& path) const {
    std::string text;
    for (const auto& e : entries_) text += e + "\n";
    // A new file beside it, then renamed over it: the history is whole at every moment.
    const std::string temporary = path + ".new." + std::to_string(::getpid());
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return {errno, std::system_category()};
    std::error_code ec;
    if (const int e = write_fully(fd, text.data(), text.size())) ec = {e, std::system_category()};
    if (::close(fd) != 0 && !ec) ec = {errno, std::system_category()};
    if (!ec && ::rename(temporary.c_str(), path.c_str()) != 0) ec = {errno, std::system_category()};
    if (ec) ::unlink(temporary.c_str());
    return ec;
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
    if (!ec) {
        if (const int e = write_fully(fd, line.data(), line.size())) ec = {e, std::system_category()};
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
    tab_pressed_ = false;
    listed_.clear();
    searching_ = false;
    search_failed_ = false;
    search_text_.clear();
}

std::string line_editor::take_line() {
    std::string line = std::move(buffer_);
    reset();
    return line;
}

std::optional<std::string> line_editor::search_prompt() const {
    if (!searching_) return std::nullopt;
    return std::string(search_failed_ ? "(failed reverse-i-search)`" : "(reverse-i-search)`") + search_text_ + "': ";
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
        else {
            escape_ = escape_state::none;
            alt_key(byte);
        }
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
    if (searching_) return search_key(byte);
    if (pasting_) return pasted(byte);
    const bool tab = byte == '\t';
    const auto s = key(byte);
    if (!tab) tab_pressed_ = false;
    return s;
}

void line_editor::escape_final(char final_byte) {
    // Ctrl-Left/Right: ESC [ 1 ; 5 D/C (Alt: ;3).
    const bool by_word = escape_params_ == "1;5" || escape_params_ == "1;3";
    switch (final_byte) {
    case 'A':
        if (history_index_ > 0) recall(history_index_ - 1);
        break;
    case 'B':
        if (history_index_ < history_.entries().size()) recall(history_index_ + 1);
        break;
    case 'C': by_word ? word_right() : move_right(); break;
    case 'D': by_word ? word_left() : move_left(); break;
    case 'H': cursor_ = 0; break;
    case 'F': cursor_ = buffer_.size(); break;
    case '~':
        if (escape_params_ == "200") pasting_ = true;
        else if (escape_params_ == "201") pasting_ = false;
        else if (escape_params_ == "3") erase_at();
        else if (escape_params_ == "1" || escape_params_ == "7") cursor_ = 0;
        else if (escape_params_ == "4" || escape_params_ == "8") cursor_ = buffer_.size();
        break;
    default: break;
    }
}

void line_editor::alt_key(char byte) {
    switch (byte) {
    case 'b':
    case 'B': word_left(); break;
    case 'f':
    case 'F': word_right(); break;
    case 'd':
    case 'D': {
        const std::size_t from = cursor_;
        word_right();
        kill(from, cursor_);
        break;
    }
    case 0x7F:
    case 0x08: {
        const std::size_t to = cursor_;
        word_left();
        kill(cursor_, to);
        break;
    }
    default: break;  // other Alt-<key>: ignored
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
    case '\t': return complete();
    case 0x0B: kill(cursor_, buffer_.size()); return status::editing;  // Ctrl-K
    case 0x15: kill(0, cursor_); return status::editing;               // Ctrl-U
    case 0x17: {                                                        // Ctrl-W: back to a blank
        std::size_t from = cursor_;
        while (from > 0 && (buffer_[from - 1] == ' ' || buffer_[from - 1] == '\t')) --from;
        while (from > 0 && buffer_[from - 1] != ' ' && buffer_[from - 1] != '\t') --from;
        kill(from, cursor_);
        return status::editing;
    }
    case 0x19:  // Ctrl-Y
        buffer_.insert(cursor_, killed_);
        cursor_ += killed_.size();
        return status::editing;
    case 0x0C: return status::clear_screen;  // Ctrl-L
    case 0x10:                               // Ctrl-P
        if (history_index_ > 0) recall(history_index_ - 1);
        return status::editing;
    case 0x0E:  // Ctrl-N
        if (history_index_ < history_.entries().size()) recall(history_index_ + 1);
        return status::editing;
    case 0x12:  // Ctrl-R
        searching_ = true;
        search_failed_ = false;
        search_text_.clear();
        search_saved_line_ = buffer_;
        search_saved_cursor_ = cursor_;
        search_match_ = history_index_;
        return status::editing;
    default: break;
    }
    if (u < 0x20) return status::editing;  // other control bytes
    buffer_.insert(buffer_.begin() + static_cast<std::ptrdiff_t>(cursor_), byte);
    ++cursor_;
    return status::editing;
}

line_editor::status line_editor::pasted(char byte) {
    const auto u = static_cast<unsigned char>(byte);
    if (u == 0x1B) {  // the paste's end mark
        escape_ = escape_state::escape;
        return status::editing;
    }
    if (byte == '\r' || byte == '\n') return status::accepted;
    if (u < 0x20 && byte != '\t') return status::editing;
    if (u == 0x7F) return status::editing;
    buffer_.insert(buffer_.begin() + static_cast<std::ptrdiff_t>(cursor_), byte);
    ++cursor_;
    return status::editing;
}

line_editor::status line_editor::search_key(char byte) {
    const auto u = static_cast<unsigned char>(byte);
    if (u == 0x12) {
        // Ctrl-R on an empty search: the last search again, as readline does.
        if (search_text_.empty() && !last_search_.empty()) {
            search_text_ = last_search_;
            search_from(history_.entries().size());
            return status::editing;
        }
        // Ctrl-R again: an older match.
        if (search_match_ > 0) search_from(search_match_ - 1);
        return status::editing;
    }
    if (u == 0x07) {  // Ctrl-G: give the search up
        searching_ = false;
        if (!search_text_.empty()) last_search_ = search_text_;
        buffer_ = search_saved_line_;
        cursor_ = search_saved_cursor_;
        return status::editing;
    }
    if (u == 0x7F || u == 0x08) {
        // A whole character goes: its continuation bytes, then its first.
        while (!search_text_.empty() && is_continuation(search_text_.back())) search_text_.pop_back();
        if (!search_text_.empty()) search_text_.pop_back();
        search_from(history_.entries().size());
        return status::editing;
    }
    if (u >= 0x20) {
        search_text_.push_back(byte);
        // A character's continuation bytes are searched for once it is whole.
        search_from(search_match_ < history_.entries().size() ? search_match_ : history_.entries().size());
        return status::editing;
    }
    // Any other key ends the search with the match in the line, and then does its own work.
    searching_ = false;
    if (!search_text_.empty()) last_search_ = search_text_;
    if (search_match_ < history_.entries().size()) history_index_ = search_match_;
    return key(byte);
}

void line_editor::search_from(std::size_t from) {
    const auto& entries = history_.entries();
    if (search_text_.empty()) {
        search_failed_ = false;
        return;
    }
    for (std::size_t i = std::min(from + 1, entries.size()); i-- > 0;) {
        const auto at = entries[i].find(search_text_);
        if (at == std::string::npos) continue;
        search_failed_ = false;
        search_match_ = i;
        buffer_ = entries[i];
        cursor_ = at;
        return;
    }
    search_failed_ = true;
}

line_editor::status line_editor::complete() {
    if (!completer_) return status::editing;
    auto offer = completer_(std::string_view(buffer_).substr(0, cursor_));
    if (offer.word_start > cursor_ || offer.candidates.empty()) return status::editing;
    const std::string typed = buffer_.substr(offer.word_start, cursor_ - offer.word_start);
    std::string replacement;
    if (offer.candidates.size() == 1) {
        replacement = offer.candidates.front();
        const char last = replacement.empty() ? '.' : replacement.back();
        if (last != '.' && last != '(') replacement.push_back(' ');
    } else {
        // The candidates' common beginning (without regard to case, as they were matched).
        replacement = offer.candidates.front();
        for (const auto& c : offer.candidates) {
            std::size_t n = 0;
            while (n < replacement.size() && n < c.size() &&
                   protocol::ascii_lower(replacement[n]) == protocol::ascii_lower(c[n]))
                ++n;
            replacement.resize(n);
        }
        // Never cut a UTF-8 character in two.
        while (!replacement.empty() && is_continuation(replacement.back())) replacement.pop_back();
        if (!replacement.empty() && static_cast<unsigned char>(replacement.back()) >= 0xC0) replacement.pop_back();
        if (replacement.size() <= typed.size()) {
            if (tab_pressed_) {
                listed_ = std::move(offer.candidates);
                tab_pressed_ = false;
                return status::list_candidates;
            }
            tab_pressed_ = true;
            return status::editing;
        }
    }
    buffer_.replace(offer.word_start, cursor_ - offer.word_start, replacement);
    cursor_ = offer.word_start + replacement.size();
    // Several candidates share the new beginning: the next Tab lists them (as readline does).
    tab_pressed_ = offer.candidates.size() > 1;
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

namespace {
// Words, for Alt-B/F and Ctrl-Left/Right: runs of letters, digits, '_' and non-ASCII bytes.
bool in_word(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
}  // namespace

void line_editor::word_left() {
    while (cursor_ > 0 && !in_word(buffer_[cursor_ - 1])) --cursor_;
    while (cursor_ > 0 && in_word(buffer_[cursor_ - 1])) --cursor_;
}

void line_editor::word_right() {
    while (cursor_ < buffer_.size() && !in_word(buffer_[cursor_])) ++cursor_;
    while (cursor_ < buffer_.size() && in_word(buffer_[cursor_])) ++cursor_;
}

void line_editor::kill(std::size_t from, std::size_t to) {
    if (from >= to) return;
    killed_ = buffer_.substr(from, to - from);
    buffer_.erase(from, to - from);
    cursor_ = from;
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

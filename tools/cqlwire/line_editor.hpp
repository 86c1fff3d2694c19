// The interactive shell's line editor, as pure logic: key bytes in, buffer / cursor / history
// state out. The terminal side (raw mode, drawing) lives in interactive_shell.cpp, so this part
// is tested by feeding bytes, without a terminal.
//
// Keys: printable bytes insert at the cursor (UTF-8 sequences are kept whole: the cursor and
// Backspace move over complete characters); Left/Right (ESC [ D / ESC [ C, also ESC O D/C);
// Home/End and Ctrl-A/Ctrl-E; Backspace (DEL or Ctrl-H); Delete (ESC [ 3 ~); Up/Down
// (ESC [ A / ESC [ B) walk the history, keeping the line being typed to come back to; Enter
// (CR or LF) accepts the line; Ctrl-C clears it; Ctrl-D on an empty line ends the input (on a
// non-empty one it deletes the character under the cursor). Other control bytes and unknown
// escape sequences are ignored.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace cqlwire::cli {

// Why the history file was refused; the messages follow the file's path ("cannot write PATH: ...").
enum class history_errc {
    symbolic_link = 1,   // the history is never read or written through a link
    not_regular_file,    // a directory, FIFO, device...: never opened, so never waited on
    too_large,           // over line_history::max_file_size; not loaded
};
const std::error_category& history_category() noexcept;
std::error_code make_error_code(history_errc e) noexcept;

// The statements entered in this session (oldest first), and their copy on disk.
class line_history {
public:
    static constexpr std::size_t max_entries = 1000;
    // A full history of long statements stays well below this; a bigger file is not ours.
    static constexpr std::size_t max_file_size = 8 * 1024 * 1024;

    // Adds an entry unless it is empty, repeats the newest entry, or is_secret(). Returns
    // whether added.
    bool add(std::string_view entry);
    const std::vector<std::string>& entries() const noexcept { return entries_; }

    // Reads the entries of a history file (one per line), keeping the newest max_entries and
    // applying the same rules as add(). A missing file is not an error. A symbolic link, a file
    // that is not a regular file, or one over max_file_size is refused (history_errc) and not
    // read; append_to_file then refuses it too, so the session goes on without a history file.
    // The caller reports the error as "cannot read PATH: <message>".
    std::error_code load(const std::string& path);
    // Appends one entry (already accepted by add()) to the file, creating it with mode 0600 and
    // setting 0600 on an existing one. Never follows a symbolic link and never opens anything
    // but a regular file (history_errc). Returns an error from the system, if any.
    [[nodiscard]] std::error_code append_to_file(const std::string& path, std::string_view entry) const;

    // True when the entry must not be stored: it contains PASSWORD (any case: a CREATE/ALTER
    // ROLE ... PASSWORD must never be kept), or it holds LOGIN anywhere (`...; LOGIN user pass`).
    static bool is_secret(std::string_view entry) noexcept;

private:
    std::vector<std::string> entries_;
    std::error_code refused_;  // why load() refused the file; appending refuses it the same way
};

class line_editor {
public:
    enum class status {
        editing,       // keep feeding
        accepted,      // Enter: take_line() gives the line
        interrupted,   // Ctrl-C: the line was cleared
        end_of_input,  // Ctrl-D on an empty line
    };

    // `history` must outlive the editor; its entries are read when Up/Down are pressed.
    explicit line_editor(const line_history& history) : history_(history) { reset(); }

    // Starts a new, empty line (history position after the newest entry).
    void reset();
    status feed(char byte);
    status feed(std::string_view bytes);  // stops at the first status other than editing

    const std::string& buffer() const noexcept { return buffer_; }
    std::size_t cursor() const noexcept { return cursor_; }  // a byte offset in buffer()
    // The accepted line; the editor is reset.
    std::string take_line();

private:
    status key(char byte);
    void escape_final(char final_byte);
    void move_left();
    void move_right();
    void erase_before();
    void erase_at();
    void recall(std::size_t index);

    const line_history& history_;
    std::string buffer_;
    std::size_t cursor_ = 0;
    std::size_t history_index_ = 0;  // == entries().size() while on the line being typed
    std::string draft_;              // the line being typed, kept while browsing the history
    enum class escape_state { none, escape, bracket, o_prefix } escape_ = escape_state::none;
    std::string escape_params_;      // digits between "ESC [" and the final byte
};

}  // namespace cqlwire::cli

template <>
struct std::is_error_code_enum<cqlwire::cli::history_errc> : std::true_type {};

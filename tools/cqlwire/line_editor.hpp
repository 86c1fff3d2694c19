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

// The statements entered in this session (oldest first), and their copy on disk.
class line_history {
public:
    static constexpr std::size_t max_entries = 1000;

    // Adds an entry unless it is empty, repeats the newest entry, or contains "PASSWORD" in
    // any case (a CREATE/ALTER ROLE ... PASSWORD must never be kept). Returns whether added.
    bool add(std::string_view entry);
    const std::vector<std::string>& entries() const noexcept { return entries_; }

    // Reads the entries of a history file (one per line), keeping the newest max_entries and
    // applying the same rules as add(). A missing file is not an error.
    void load(const std::string& path);
    // Appends one entry (already accepted by add()) to the file, creating it with mode 0600 and
    // setting 0600 on an existing one. Returns an error from the system, if any.
    [[nodiscard]] std::error_code append_to_file(const std::string& path, std::string_view entry) const;

    // True when the entry must not be stored (contains PASSWORD, case-insensitive).
    static bool is_secret(std::string_view entry) noexcept;

private:
    std::vector<std::string> entries_;
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

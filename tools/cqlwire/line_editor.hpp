// The interactive shell's line editor, as pure logic: key bytes in, buffer / cursor / history
// state out. The terminal side (raw mode, drawing) lives in interactive_shell.cpp, so this part
// is tested by feeding bytes, without a terminal.
//
// Keys, as readline's emacs mode has them (and cqlsh's users know them):
// - printable bytes insert at the cursor (UTF-8 sequences are kept whole: the cursor and
//   Backspace move over complete characters);
// - Left/Right (ESC [ D / ESC [ C, also ESC O D/C) and Ctrl-B/Ctrl-F; Ctrl-Left/Ctrl-Right and
//   Alt-B/Alt-F move by words; Home/End and Ctrl-A/Ctrl-E;
// - Backspace (DEL or Ctrl-H); Delete (ESC [ 3 ~); Ctrl-U kills to the start of the line,
//   Ctrl-K to its end, Ctrl-W the blank-delimited word before the cursor, Alt-Backspace and
//   Alt-D the word before / after it; Ctrl-Y puts back what was killed last;
// - Up/Down and Ctrl-P/Ctrl-N walk the history, keeping the line being typed to come back to;
//   Ctrl-R searches it backwards as typed (again for an older match, or on an empty search for
//   the last search's text; Enter takes the line, Ctrl-G gives the search up, any other key ends
//   it keeping the match and then does its own work);
// - Tab completes the word before the cursor with the completer's candidates: one candidate is
//   put in (with a space after a whole word), several are extended to their common beginning,
//   and a second Tab lists them (status list_candidates);
// - Ctrl-L asks for the screen to be cleared (status clear_screen);
// - text pasted between the terminal's bracketed-paste marks (ESC [ 200 ~ ... ESC [ 201 ~) is
//   taken as text: a tab in it is a tab, not a completion, and other control keys do nothing;
//   a line break in it still ends the line, so a pasted script runs line by line as typed;
// - Enter (CR or LF) accepts the line; Ctrl-C clears it; Ctrl-D on an empty line ends the input
//   (on a non-empty one it deletes the character under the cursor).
// Other control bytes and unknown escape sequences are ignored.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "completion.hpp"

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

    // Adds an entry unless it is empty, repeats the newest entry, is_secret(), or holds a
    // control character other than a tab (a line break included). Returns whether added.
    bool add(std::string_view entry);
    const std::vector<std::string>& entries() const noexcept { return entries_; }

    // Reads the entries of a history file (one per line), keeping the newest max_entries and
    // applying the same rules as add(). A missing file is not an error. A symbolic link, a file
    // that is not a regular file, or one over max_file_size is refused (history_errc) and not
    // read; append_to_file then refuses it too, so the session goes on without a history file.
    // A file of more than max_entries lines is written again with the entries kept (newest
    // max_entries). The caller reports the error as "cannot read PATH: <message>".
    std::error_code load(const std::string& path);
    // Appends one entry (already accepted by add()) to the file, creating it with mode 0600 and
    // setting 0600 on an existing one. Never follows a symbolic link and never opens anything
    // but a regular file (history_errc). Returns an error from the system, if any.
    [[nodiscard]] std::error_code append_to_file(const std::string& path, std::string_view entry) const;

    // True when the entry must not be stored: it contains PASSWORD (any case: a CREATE/ALTER
    // ROLE ... PASSWORD must never be kept), or it holds LOGIN anywhere (`...; LOGIN user pass`).
    static bool is_secret(std::string_view entry) noexcept;

private:
    // Replaces the file by the entries kept (a new file renamed over it, mode 0600).
    std::error_code rewrite_file(const std::string& path) const;

    std::vector<std::string> entries_;
    std::error_code refused_;  // why load() refused the file; appending refuses it the same way
};

class line_editor {
public:
    enum class status {
        editing,          // keep feeding
        accepted,         // Enter: take_line() gives the line
        interrupted,      // Ctrl-C: the line was cleared
        end_of_input,     // Ctrl-D on an empty line
        list_candidates,  // a second Tab: show listed(), then the line again
        clear_screen,     // Ctrl-L: clear the screen, then show the line again
    };

    // Given the line up to the cursor, what Tab may put in place of the text from the offer's
    // word_start to the cursor.
    using completer = std::function<completion(std::string_view line_before_cursor)>;

    // `history` must outlive the editor; its entries are read when Up/Down are pressed.
    explicit line_editor(const line_history& history) : history_(history) { reset(); }

    void set_completer(completer c) { completer_ = std::move(c); }

    // Starts a new, empty line (history position after the newest entry).
    void reset();
    status feed(char byte);
    status feed(std::string_view bytes);  // stops at the first status other than editing

    const std::string& buffer() const noexcept { return buffer_; }
    std::size_t cursor() const noexcept { return cursor_; }  // a byte offset in buffer()
    // The accepted line; the editor is reset.
    std::string take_line();
    // The candidates to show after status::list_candidates.
    const std::vector<std::string>& listed() const noexcept { return listed_; }
    // While Ctrl-R searches: the text to show before the line in place of the prompt
    // ("(reverse-i-search)`text': ", "(failed reverse-i-search)`text': " when nothing matches).
    std::optional<std::string> search_prompt() const;

private:
    status key(char byte);
    status search_key(char byte);
    status pasted(char byte);
    void escape_final(char final_byte);
    void alt_key(char byte);
    void move_left();
    void move_right();
    void word_left();
    void word_right();
    void erase_before();
    void erase_at();
    void kill(std::size_t from, std::size_t to);
    void recall(std::size_t index);
    status complete();
    // Looks for the search text in history entries from `from` back to the oldest.
    void search_from(std::size_t from);

    const line_history& history_;
    std::string buffer_;
    std::size_t cursor_ = 0;
    std::size_t history_index_ = 0;  // == entries().size() while on the line being typed
    std::string draft_;              // the line being typed, kept while browsing the history
    enum class escape_state { none, escape, bracket, o_prefix } escape_ = escape_state::none;
    std::string escape_params_;      // digits between "ESC [" and the final byte
    std::string killed_;             // what Ctrl-U/K/W took last, for Ctrl-Y
    // Inside a bracketed paste; kept across lines (reset() leaves it), as a paste of several
    // lines arrives over several of them.
    bool pasting_ = false;
    completer completer_;
    bool tab_pressed_ = false;       // the key before was a Tab that could not choose
    std::vector<std::string> listed_;
    // Ctrl-R: the search text, the entry matched (none: entries().size()), the line before.
    bool searching_ = false;
    bool search_failed_ = false;
    std::string search_text_;
    std::size_t search_match_ = 0;
    std::string search_saved_line_;
    std::string last_search_;  // the text of the last search, for Ctrl-R Ctrl-R; kept across lines
    std::size_t search_saved_cursor_ = 0;
};

}  // namespace cqlwire::cli

template <>
struct std::is_error_code_enum<cqlwire::cli::history_errc> : std::true_type {};

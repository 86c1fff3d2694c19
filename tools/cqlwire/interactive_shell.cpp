// The interactive shell; see interactive_shell.hpp.
#include "interactive_shell.hpp"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <iostream>
#include <optional>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "completion.hpp"
#include "completion_schema.hpp"
#include "describe_output.hpp"
#include "line_display.hpp"
#include "line_editor.hpp"
#include "output_format.hpp"
#include "statement_reader.hpp"
#include "safe_stderr.hpp"
#include "statements.hpp"

namespace cqlwire::cli {
namespace {

// Puts the terminal in raw mode for the life of the object (only while a line is read, so that
// results print with the terminal's usual settings).
class raw_mode {
public:
    raw_mode() {
        if (::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
        termios raw = saved_;
        // No line buffering, no echo, Ctrl-C / Ctrl-Z / Ctrl-V and flow control as plain bytes;
        // output processing stays on (LF still starts a new line).
        raw.c_lflag &= ~static_cast<tcflag_t>(ICANON | ECHO | ISIG | IEXTEN);
        raw.c_iflag &= ~static_cast<tcflag_t>(IXON | ICRNL | INLCR);
        raw.c_cc[VMIN] = 1;
        raw.c_cc[VTIME] = 0;
        // TCSANOW, not TCSAFLUSH: keys typed (or lines pasted) while the previous statement ran
        // are input too, and must not be discarded.
        active_ = ::tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
        // Bracketed paste: the terminal marks pasted text, so that a tab in it is not a Tab key.
        if (active_) std::cout << "\x1b[?2004h" << std::flush;
    }
    ~raw_mode() {
        if (!active_) return;
        std::cout << "\x1b[?2004l" << std::flush;
        ::tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_);
    }
    raw_mode(const raw_mode&) = delete;
    raw_mode& operator=(const raw_mode&) = delete;
    bool active() const noexcept { return active_; }

private:
    termios saved_{};
    bool active_ = false;
};

// The terminal's width in columns, for lists of candidates (80 when it does not say).
std::size_t terminal_width() {
    winsize size{};
    if (::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

// Standard input as the shell reads it. The plain reader takes what is there a chunk at a time
// (one poll and one read for many lines when a script is piped in with --tty), and the bytes
// after a line's newline wait here for the next line, ---MORE---'s Enter or the editor, which
// takes them before it reads the terminal.
class shell_input {
public:
    // One line read plainly (no editor: TERM=dumb, output not a terminal, --tty, ---MORE---);
    // nullopt at end of input. Ctrl-C (the terminal's own SIGINT here) sets `interrupted` and
    // gives an empty line.
    std::optional<std::string> read_plain_line(const std::string& prompt, bool& interrupted) {
        interrupted = false;
        std::cout << prompt << std::flush;
        bool waited = false;
        for (;;) {
            // A Ctrl-C that came before the read began (while the prompt was being written) would
            // not interrupt it: the flag is looked at before each wait, and the wait is short.
            if (interrupt_requested()) {
                clear_interrupt();
                // The part of the line read while waiting goes with it (the buffer holds no
                // newline then); what was already here before the wait stays for the next read.
                if (waited) take_rest();
                std::cout << "\n" << std::flush;
                interrupted = true;
                return std::string();
            }
            if (auto line = take_line()) return line;
            waited = true;
            pollfd ready{STDIN_FILENO, POLLIN, 0};
            if (::poll(&ready, 1, 100) <= 0) continue;  // nothing yet, or EINTR: look at the flag again
            const auto got = fill();
            if (got == filled::some) {
                if (auto line = take_line()) return line;
            } else if (got == filled::end) {
                std::cout << "\n";
                if (used_ == bytes_.size()) return std::nullopt;
                return take_rest();  // a last line without its newline
            }
        }
    }

    // Whether a byte is waiting (here, or on the terminal): the editor draws the line only once
    // the keys that came together (a paste) are all in.
    bool has_pending() const {
        if (used_ < bytes_.size()) return true;
        pollfd ready{STDIN_FILENO, POLLIN, 0};
        return ::poll(&ready, 1, 0) > 0;
    }

    // The next byte for the line editor: one a plain read left, else one from the terminal;
    // nullopt at end of input. The terminal is read a byte at a time here: keys come one by one,
    // and bytes read in raw mode (Enter as \r) must not be left for a plain read.
    std::optional<char> next_byte() {
        if (used_ < bytes_.size()) return bytes_[used_++];
        for (;;) {
            char byte = 0;
            const auto n = ::read(STDIN_FILENO, &byte, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;
            return byte;
        }
    }

private:
    // Bytes asked of the kernel per read: a pasted or piped script comes in a few.
    static constexpr std::size_t read_chunk = 16 * 1024;

    enum class filled : std::uint8_t { some, again, end };

    // Appends what standard input has, up to a chunk. A read error ends the input, as its end does.
    filled fill() {
        bytes_.erase(0, used_);
        used_ = 0;
        const std::size_t before = bytes_.size();
        bytes_.resize(before + read_chunk);
        const auto n = ::read(STDIN_FILENO, bytes_.data() + before, read_chunk);
        const int e = errno;
        bytes_.resize(before + static_cast<std::size_t>(std::max<ssize_t>(n, 0)));
        if (n > 0) return filled::some;
        return n < 0 && e == EINTR ? filled::again : filled::end;
    }

    // The next whole line without its newline, if one is here.
    std::optional<std::string> take_line() {
        const auto nl = bytes_.find('\n', used_);
        if (nl == std::string::npos) return std::nullopt;
        std::string line = bytes_.substr(used_, nl - used_);
        used_ = nl + 1;
        return line;
    }

    // Everything not used yet.
    std::string take_rest() {
        std::string rest = bytes_.substr(used_);
        bytes_.clear();
        used_ = 0;
        return rest;
    }

    std::string bytes_;     // read from standard input
    std::size_t used_ = 0;  // how many of bytes_ are used; the rest waits
};

// One line from the terminal through the editor; nullopt at end of input. `interrupted` is
// set when Ctrl-C cleared the line.
std::optional<std::string> read_edited_line(const std::string& prompt, line_editor& editor, shell_input& input,
                                            bool& interrupted) {
    interrupted = false;
    raw_mode raw;
    editor.reset();
    line_display display;
    auto draw = [&] {
        std::cout << display.draw(editor.search_prompt().value_or(prompt), editor.buffer(), editor.cursor(),
                                  terminal_width())
                  << std::flush;
    };
    draw();
    for (;;) {
        const auto byte = input.next_byte();
        if (!byte) {
            std::cout << display.to_end() << "\n";
            return std::nullopt;
        }
        switch (editor.feed(*byte)) {
        case line_editor::status::editing:
            if (!input.has_pending()) draw();
            break;
        case line_editor::status::accepted:
            draw();
            std::cout << display.to_end() << "\n" << std::flush;
            return editor.take_line();
        case line_editor::status::interrupted:
            // The typed text stays on the screen, ^C after it (the editor already let it go).
            std::cout << display.to_end() << "^C\n" << std::flush;
            interrupted = true;
            return std::string();
        case line_editor::status::end_of_input:
            std::cout << display.to_end() << "\n" << std::flush;
            return std::nullopt;
        case line_editor::status::list_candidates:
            std::cout << display.to_end() << "\n" << columnize(editor.listed(), terminal_width());
            display.start_afresh();
            draw();
            break;
        case line_editor::status::clear_screen:
            std::cout << "\x1b[H\x1b[2J";
            display.start_afresh();
            draw();
            break;
        }
    }
}

}  // namespace

std::string shell_prompt(std::string_view keyspace, bool continuation, std::string_view user,
                         int empty_continuation_lines) {
    // The keyspace is the server's word: a hostile one must not reach the terminal raw.
    const std::string shown_keyspace = escape_controls(keyspace);
    if (continuation) {
        if (empty_continuation_lines >= 3)
            return "Statements are terminated with a ';'.  You can press CTRL-C to cancel an incomplete statement.";
        if (keyspace.empty()) return "   ... ";
        return std::string(display_width(shown_keyspace), ' ') + "    ... ";
    }
    const std::string who = user.empty() ? std::string() : escape_controls(user) + "@";
    if (keyspace.empty()) return who + "cqlwire> ";
    return who + "cqlwire:" + shown_keyspace + "> ";
}

std::string custom_prompt_line(const environment_lookup& env) {
    const auto custom = env("CQLSH_PROMPT");
    return custom && !custom->empty() ? escape_controls(*custom) : std::string();
}

std::string history_file_path(const environment_lookup& env) {
    if (auto chosen = env("CQL_HISTORY"); chosen && !chosen->empty()) return *chosen;
    if (auto home = env("HOME"); home && !home->empty()) return *home + "/.cassandra/cqlwire_history";
    return {};
}

namespace {

// Makes the history file's directory (mode 0700, as cqlsh makes ~/.cassandra) when it is
// missing, and moves the history of earlier versions (~/.cqlwire_history) to the default place
// when nothing is there yet. A failure shows when the history is written.
void prepare_history_file(const std::string& path, const environment_lookup& env) {
    const auto slash = path.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        const std::string dir = path.substr(0, slash);
        if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return;
    }
    const auto home = env("HOME");
    if (!home || home->empty() || path != *home + "/.cassandra/cqlwire_history") return;
    const std::string old_path = *home + "/.cqlwire_history";
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 || errno != ENOENT) return;
    if (::lstat(old_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return;
    (void)::rename(old_path.c_str(), path.c_str());
}

}  // namespace

bool is_exit_command(std::string_view line) noexcept {
    while (!line.empty() && (line.back() == ';' || line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
        line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    return protocol::equals_ignoring_ascii_case(line, "exit") || protocol::equals_ignoring_ascii_case(line, "quit");
}

int run_interactive_shell(statement_runner& runner, const environment_lookup& env) {
    const auto term = env("TERM");
    const bool editing = ::isatty(STDIN_FILENO) == 1 && ::isatty(STDOUT_FILENO) == 1 && !(term && *term == "dumb");
    line_history history;
    std::string history_path;
    bool history_warned = false;
    if (history_path = history_file_path(env); !history_path.empty()) {
        prepare_history_file(history_path, env);
        if (auto ec = history.load(history_path)) {
            std::cerr << "cqlwire: warning: cannot read " << escape_controls(history_path) << ": " << ec.message() << "\n";
            history_warned = true;  // appending refuses the same file; say it once
        }
    }
    line_editor editor(history);
    runner.use_history(&history, history_path);
    // Tab: completion reads the statement so far, its earlier lines included.
    server_schema_names schema([&runner]() -> transport::connection& { return runner.connection(); });
    std::string statement_lines;  // the earlier lines of the statement being entered, each with its newline
    editor.set_completer([&](std::string_view line) {
        const std::string text = statement_lines + std::string(line);
        schema.begin_attempt();
        auto found = complete_statement(text, runner.current_keyspace(), schema);
        // A word begun on an earlier line (an unclosed quoted name) is not completed.
        if (found.word_start < statement_lines.size()) return completion{};
        found.word_start -= statement_lines.size();
        return found;
    });
    // cqlsh's "---MORE---" between pages: Enter goes on; Ctrl-C or the end of input stops.
    shell_input input;
    runner.use_terminal([&input] {
        bool interrupted = false;
        const auto line = input.read_plain_line("---MORE---", interrupted);
        return line.has_value() && !interrupted;
    });
    runner.print_banner();

    statement_splitter splitter;
    std::string pending;  // the lines of the statement being entered, joined by spaces
    const std::string custom_line = custom_prompt_line(env);
    int empty_lines = 0;  // empty lines in a row within a statement: cqlsh's hint after three
    for (;;) {
        const bool continuation = !splitter.idle();
        const std::string prompt =
            shell_prompt(runner.current_keyspace(), continuation, runner.user_name(), empty_lines);
        if (empty_lines >= 3) empty_lines = 0;
        // CQLSH_PROMPT's line stands above the prompt, drawn once (the editor redraws one row).
        if (!continuation && !custom_line.empty()) std::cout << custom_line << "\n";
        bool interrupted = false;
        auto line = editing ? read_edited_line(prompt, editor, input, interrupted)
                            : input.read_plain_line(prompt, interrupted);
        if (!line) break;
        if (interrupted) {
            // Ctrl-C abandons the statement being entered, as well as the line (as in cqlsh).
            splitter = statement_splitter();
            pending.clear();
            statement_lines.clear();
            continue;
        }
        if (splitter.idle() && is_exit_command(*line)) return 0;
        empty_lines = continuation && line->find_first_not_of(" \t") == std::string::npos ? empty_lines + 1 : 0;
        std::vector<statement> ready;
        splitter.feed(*line + "\n", ready);
        if (!line->empty()) pending += (pending.empty() ? "" : " ") + *line;
        statement_lines = splitter.idle() ? std::string() : statement_lines + *line + "\n";
        if (!ready.empty()) schema.forget();  // what ran may have changed the schema
        if (splitter.idle()) {
            if (history.add(pending) && !history_path.empty()) {
                if (auto ec = history.append_to_file(history_path, pending); ec && !history_warned) {
                    std::cerr << "cqlwire: warning: cannot write " << escape_controls(history_path) << ": " << ec.message()
                              << "\n";
                    history_warned = true;
                }
            }
            pending.clear();
        }
        for (const auto& st : ready) {
            std::string message;
            if (auto ec = check_statement_text(st, "input line", message, false)) {
                std::cerr << "cqlwire: " << message << "\n";
                continue;
            }
            // EXIT/QUIT leave as Ctrl-D does; a failure that ends the session keeps its code.
            if (!runner.run(st, {})) return runner.exit_requested() ? 0 : runner.exit_status();
            // Ctrl-C: back to the prompt; what else the line held is not run either.
            if (runner.interrupted()) break;
        }
    }
    // End of input (Ctrl-D). An unfinished statement is never run: it may be half of what the
    // user meant (a TRUNCATE without its WHERE-less intent confirmed by the `;`).
    std::optional<statement> rest;
    std::string message;
    const int line = splitter.pending_line();
    if (auto ec = splitter.finish(rest, message)) {
        std::cerr << "cqlwire: the unfinished input was not run: " << message << "\n";
    } else if (rest) {
        std::cerr << "cqlwire: the unfinished statement (no ';' after it, begun on line " << line
                  << ") was not run\n";
    }
    // As before the editor existed: a rejected statement in a session does not fail the exit.
    return 0;
}

}  // namespace cqlwire::cli

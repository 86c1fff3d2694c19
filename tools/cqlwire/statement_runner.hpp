// Running CQL statements on one connection and printing their results the way cqlsh reports
// them: rows as a table, JSON or CSV on stdout, printed page by page as they arrive (--page-size
// rows per request), so that memory holds one page and a failure part-way has printed every row
// before it; nothing for results without rows (DDL, USE, INSERT...); a non-SELECT that returns
// rows (a lightweight transaction's "[applied]") as a table without the "(N rows)" line; server
// warnings as a "Warnings :" block and failures on stderr; with --tracing, the trace after the
// result on stdout.
//
// Every page written is flushed and checked (checked_output.hpp): when standard output fails,
// the runner stops with exit_code::output_failed (a reader that went away — EPIPE, `| head` —
// ends it quietly, as it ends any Unix tool). In the interactive shell (catch_interrupts()),
// Ctrl-C stops waiting for the statement and returns to the prompt; the connection stays usable.
//
// cqlsh's own commands (shell_commands.hpp) are carried out here too, on the settings they
// change (consistency levels, EXPAND, TRACING, PAGING, CAPTURE); shell_command_runner.cpp holds
// that half, describe_output.hpp the printing of DESCRIBE.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <iostream>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "checked_output.hpp"
#include "column_roles.hpp"
#include "cql_names.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "output_aliasing.hpp"
#include "output_format.hpp"
#include "settings.hpp"
#include "shell_commands.hpp"
#include "statements.hpp"

namespace cqlwire::cli {

class line_history;

// Rows fetched per page when no --page-size is given: cqlsh's 100 for a table, whose column
// widths are those of each page (so that the table reads as cqlsh's), 5000 for JSON and CSV,
// whose output does not depend on it.
inline constexpr std::int32_t table_page_size = 100;
inline constexpr std::int32_t default_page_size = 5000;


// Runs statements on one connection and prints their results. Holds references to the
// connection, the settings and the output; all must outlive the runner.
class statement_runner {
public:
    statement_runner(transport::connection& conn, const settings& s, const checked_output& out)
        : conn_(conn), settings_(s), out_(out), initial_shell_(initial_shell_settings(s)), shell_(initial_shell_) {}

    // Runs one statement, or carries out a shell command (shell_commands.hpp). Returns false
    // when nothing more can be run: the connection can no longer be used (and none replaces
    // it, see set_reconnect), standard output failed, or EXIT/QUIT. With `traceable` false,
    // tracing does not apply and the text is never a shell command (the session's own USE for
    // --keyspace).
    bool run(const statement& st, std::string_view context, bool traceable = true);

    // The exit code so far: 0; 6 after a rejected statement; 12 after values printed as hex;
    // the failure's own code after one that ends the session.
    int exit_status() const noexcept { return status_; }
    // The interactive shell's greeting, as cqlsh's: "Connected to <cluster> at host:port", the
    // versions as SHOW VERSION prints them, "Use HELP for help." What the node does not answer is
    // left out, silently.
    void print_banner();
    // The interactive shell's history, which HISTORY shows (none elsewhere), and its file (which
    // CAPTURE may not append to); the history must outlive the runner's use of it.
    void use_history(const line_history* history, std::string file) {
        history_ = history;
        history_file_ = std::move(file);
    }
    // LOGIN: opens a new connection to the same node as `user`, replacing the runner's connection
    // when it logs in; returns 0, or the failure's exit code after saying why (the old
    // connection then stays). Without it, LOGIN is refused.
    using login_function = std::function<int(const std::string& user, auth::secret_bytes password)>;
    void set_login(login_function login) { login_ = std::move(login); }
    // After the connection was lost: `reconnect` opens another (to the node it went to, else to
    // another contact point), replacing the runner's connection, and returns 0, or the
    // failure's exit code after saying why. `poll` lets the connection take in what arrived
    // while no statement ran, so that one closed meanwhile (a node restarted while the shell
    // waited) is replaced before the next statement is sent rather than after it failed.
    // With them, a lost connection no longer ends the run: a statement under way when it was
    // lost is reported (and not run again: it may have been carried out), and the next one goes
    // over the new connection, after the keyspace in use is selected there again. Without
    // them, or when no node can be reached, a lost connection ends a script; the interactive
    // shell stays and tries again at its next statement.
    using reconnect_function = std::function<int()>;
    void set_reconnect(reconnect_function reconnect, std::function<void()> poll) {
        reconnect_ = std::move(reconnect);
        poll_ = std::move(poll);
    }
    // The interactive shell: cqlsh's terminal layout of tables (each page under its header), and
    // `pause` between the pages of a table while PAGING is on and nothing is captured (cqlsh's
    // "---MORE---"); `pause` returns false to stop the result there.
    void use_terminal(std::function<bool()> pause) {
        terminal_ = true;
        pause_ = std::move(pause);
    }
    // Whether run() stopped at EXIT or QUIT.
    bool exit_requested() const noexcept { return exit_requested_; }
    // Whether the last run() was interrupted by Ctrl-C.
    bool interrupted() const noexcept { return interrupted_; }
    // Flushes standard output and checks it and the watched output; false (with the status set
    // and the failure reported) when one failed.
    bool output_written();
    // Another output to check with standard output after every page (the frame trace).
    void watch_output(std::shared_ptr<const checked_output> output) { watched_ = std::move(output); }
    // Whether standard output's reader went away (EPIPE): stop quietly.
    bool reader_gone() const noexcept { return out_.error() == EPIPE; }

    // The keyspace the last successful USE switched to (the server's spelling), or empty.
    const std::string& current_keyspace() const noexcept { return keyspace_; }
    // The user name the session logged in with (LOGIN changes it); empty without one.
    std::string_view user_name() const noexcept {
        return settings_.username ? std::string_view(*settings_.username) : std::string_view();
    }
    // The connection statements go to (the shell's completion asks the schema on it).
    transport::connection& connection() noexcept { return conn_; }

private:
    // run() without the reconnect around it.
    bool run_statement(const statement& st, std::string_view context, bool traceable);
    // Opens a new connection after the last was lost, in the keyspace in use; false (said why)
    // when none could be. `where` goes before its messages ("file:3: ", or empty).
    bool reconnect(const std::string& where);
    enum class wait_outcome { completed, interrupted };
    wait_outcome send_query(std::string_view cql, const protocol::query_parameters& params, bool traced,
                            transport::response& r, std::error_code& ec, protocol::diagnostics& diag);
    // `colored`: as the settings say (a table on a terminal); false for values the shell prints
    // within its own lines (SHOW HOST, SHOW VERSION).
    void render_page(const protocol::rows_view& page, rendered_rows& rows, std::size_t first_row,
                     std::string_view context, bool colored = true);
    // `statement` is what the server's text answers: its password literals are masked there.
    bool report(const std::error_code& ec, const protocol::diagnostics& diag, std::string_view context,
                std::string_view statement);
    void print_trace(const protocol::uuid& id, std::string_view context, std::string_view statement);
    // After a schema change, until the other nodes have it (schema_agreement.hpp).
    void await_schema_agreement(std::string_view context);
    // A shell command (shell_command_runner.cpp).
    bool run_shell_command(const shell_parse& parse, std::string_view context);
    bool run_source(const std::string& path, std::string_view context);
    bool capture(const shell_command& c, std::string_view context);
    // COPY TO / COPY FROM (copy_runner.hpp).
    bool run_copy(const statement& st, std::string_view context);
    // The files a command's output must never go to: those the run reads (credentials, the
    // statements, SOURCE files), its trace, key log, history and CAPTURE file.
    std::vector<named_file> files_not_to_write() const;
    bool login(const shell_command& c, std::string_view context);
    // Where results go: the CAPTURE file, else standard output.
    std::ostream& results() noexcept { return capture_ ? capture_->stream : std::cout; }
    bool show_session(const protocol::uuid& id, std::string_view context);
    // The cluster's name as SHOW HOST and the banner show it.
    std::string cluster_name_shown(const std::string& name) const;
    void refuse_shell_command(std::string_view message, std::string_view context);
    // One row of system.local's columns `columns` (comma-separated), rendered as cqlsh shows
    // them; false (reported) when the query failed.
    // `quiet`: a failure is not reported and leaves the exit status alone.
    bool read_local(std::string_view columns, std::vector<std::string>& values, std::string_view context,
                    bool quiet = false);

    transport::connection& conn_;
    const settings& settings_;
    const checked_output& out_;
    std::shared_ptr<const checked_output> watched_;
    int status_ = 0;
    bool interrupted_ = false;
    bool output_reported_ = false;
    std::size_t undecodable_cells_ = 0;  // in the statement being run
    // Peers a schema agreement wait found down (they refused a dial), and when: not waited for
    // again by the DDL statements that follow within schema_down_peer_memory.
    std::map<std::string, std::chrono::steady_clock::time_point> peers_found_down_;
    std::string keyspace_;
    // What the shell commands change; they start from the settings (--consistency, --tracing,
    // --page-size).
    struct shell_settings {
        protocol::consistency consistency = protocol::consistency::one;
        std::optional<protocol::consistency> serial_consistency;  // none: the server's (SERIAL)
        bool tracing = false;
        bool expand = false;
        bool paging = true;
        std::int32_t page_size = default_page_size;
        std::int64_t page_size_asked = default_page_size;  // what PAGING shows (PAGING 0 asks 0)
    };
    static shell_settings initial_shell_settings(const settings& s) {
        shell_settings o;
        o.consistency = s.consistency;
        o.tracing = s.tracing;
        o.page_size = s.page_size.value_or(s.format == output_format::table ? table_page_size : default_page_size);
        o.page_size_asked = o.page_size;
        return o;
    }
    const shell_settings initial_shell_;
    shell_settings shell_;
    bool exit_requested_ = false;
    // CAPTURE: results are appended to this file instead of standard output (as in cqlsh, the
    // shell's own messages and errors are not).
    struct capture_file {
        capture_file(int descriptor, std::string file) : fd(descriptor), path(std::move(file)), buffer(fd, "capture file '" + path + "'"), stream(&buffer) {}
        capture_file(const capture_file&) = delete;
        capture_file& operator=(const capture_file&) = delete;
        ~capture_file();
        int fd;
        std::string path;
        checked_output buffer;
        std::ostream stream;
    };
    std::unique_ptr<capture_file> capture_;
    const line_history* history_ = nullptr;
    std::string history_file_;
    std::vector<std::string> sources_;  // the SOURCE files being run, outermost first
    login_function login_;
    reconnect_function reconnect_;
    std::function<void()> poll_;
    bool connection_lost_ = false;  // the next statement needs a new connection first
    bool lost_under_statement_ = false;  // ... and the last one failed with the connection
    bool reconnect_failed_ = false;      // ... and the last try found no node to use
    bool terminal_ = false;
    std::function<bool()> pause_;
    column_role_cache column_roles_;  // for the colours of column names
    std::size_t history_shown_ = 50;  // HISTORY's count, as cqlsh's default
};

// True when the statement's first word is SELECT (case-insensitive).
bool is_select_statement(std::string_view text) noexcept;
// True when the statement's first word is SELECT or LIST (LIST ROLES, LIST ALL PERMISSIONS...):
// cqlsh prints "(N rows)" after a table only for those.
bool shows_row_count(std::string_view text) noexcept;

// The "Warnings :" block printed after a result that carried server warnings (text escaped).
std::string format_warnings(std::span<const std::string> warnings);

}  // namespace cqlwire::cli

// The shell commands statement_runner carries out itself (shell_commands.hpp), with cqlsh's
// messages: they go to standard output, like cqlsh's, so that a script's output reads the same;
// failures go to standard error.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "cell_rendering.hpp"
#include "cli_options.hpp"
#include "copy_options.hpp"
#include "copy_runner.hpp"
#include "copy_statement.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tracing.hpp"
#include "exit_codes.hpp"
#include "line_editor.hpp"
#include "output_aliasing.hpp"
#include "password_source.hpp"
#include "safe_stderr.hpp"
#include "shell_help.hpp"
#include "show_replicas.hpp"
#include "statement_reader.hpp"
#include "statement_runner.hpp"
#include "trace_output.hpp"

namespace cqlwire::cli {
namespace {

std::string_view on_off_name(bool on) { return on ? "ON" : "OFF"; }

// cqlsh's ON/OFF switch: shows the state, or sets it and says so.
bool switch_state(std::string_view name, bool current, switch_value requested) {
    if (requested == switch_value::none) {
        std::cout << name << " is " << on_off_name(current) << "\n";
        return current;
    }
    const bool wanted = requested == switch_value::on;
    if (wanted == current) std::cout << name << " is already " << on_off_name(current) << "\n";
    else std::cout << name << " set to " << on_off_name(wanted) << "\n";
    return wanted;
}

}  // namespace

void statement_runner::refuse_shell_command(std::string_view message, std::string_view context) {
    const std::string text = "cqlwire: " + (context.empty() ? std::string() : std::string(context) + ": ") +
                             escape_controls(message) + "\n";
    if (settings_.color && !capture_) write_stderr_colored(text, ansi::red);
    else std::cerr << text;
    // As a statement the server rejected: the session goes on.
    if (status_ == 0 || status_ == to_int(exit_code::undecodable_values))
        status_ = to_int(exit_code::statement_rejected);
}

bool statement_runner::read_local(std::string_view columns, std::vector<std::string>& values,
                                  std::string_view context, bool quiet) {
    const std::string cql = "SELECT " + std::string(columns) + " FROM system.local WHERE key = 'local'";
    protocol::query_parameters params;
    params.consistency_level = protocol::consistency::one;
    std::error_code ec;
    protocol::diagnostics diag;
    transport::response r;
    if (send_query(cql, params, false, r, ec, diag) == wait_outcome::interrupted) {
        interrupted_ = true;
        return false;
    }
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    protocol::result_view result;
    if (!ec) ec = r.split_prefix(prefix, message);
    if (!ec) ec = protocol::decode_result(message, result);
    if (ec) {
        if (!quiet) report(ec, diag, context, cql);
        return false;
    }
    rendered_rows rows;
    if (result.kind == protocol::result_kind::rows) {
        for (const auto& col : result.rows.columns()) rows.column_names.emplace_back(col.name);
        render_page(result.rows, rows, 0, context, false);
    }
    if (rows.rows.empty() || rows.rows.front().size() < rows.column_names.size() || rows.column_names.empty()) {
        if (!quiet) refuse_shell_command("system.local has no row for this node", context);
        return false;
    }
    values.clear();
    for (const auto& cell : rows.rows.front()) values.push_back(cell.value_or("null"));
    return true;
}

std::string statement_runner::cluster_name_shown(const std::string& name) const {
    // cqlsh shows the cluster's name in blue.
    if (!settings_.color || capture_) return name;
    return std::string(ansi::blue) + name + std::string(ansi::reset);
}

void statement_runner::print_banner() {
    std::vector<std::string> v;
    if (read_local("cluster_name", v, {}, true))
        std::cout << "Connected to " << cluster_name_shown(v[0]) << " at "
                  << protocol::endpoint_text(settings_.host, settings_.port) << "\n";
    if (read_local("release_version, cql_version", v, {}, true) && v.size() == 2)
        std::cout << "[" << version_text() << " | Cassandra " << v[0] << " | CQL spec " << v[1]
                  << " | Native protocol v" << static_cast<int>(conn_.options().protocol_version) << "]\n";
    std::cout << "Use HELP for help.\n";
    (void)output_written();
}

bool statement_runner::show_session(const protocol::uuid& id, std::string_view context) {
    transport::fetch_trace_options options;
    options.consistency = shell_.consistency;
    options.timeout = settings_.max_trace_wait;  // [tracing] max_trace_wait, as for TRACING ON
    transport::query_trace trace;
    protocol::diagnostics diag;
    if (auto ec = transport::fetch_trace(conn_, id, options, trace, diag)) {
        if (ec == transport::errc::request_timeout && !conn_.failure()) {
            // What cqlsh says of a session that is not (or not yet completely) recorded.
            refuse_shell_command("Session " + protocol::to_string(id) + " wasn't found.", context);
        } else {
            report(ec, diag, context, {});
        }
        return output_written() && !conn_.failure();
    }
    if (settings_.format == output_format::json) results() << format_trace_json(trace, {});
    else results() << format_trace_table(trace, {});
    return output_written();
}

statement_runner::capture_file::~capture_file() {
    stream.flush();
    ::close(fd);
}

std::vector<named_file> statement_runner::files_not_to_write() const {
    auto files = input_files(settings_, settings_.cqlshrc_file.empty() ? std::nullopt
                                                                       : std::optional<std::string>(settings_.cqlshrc_file));
    files.push_back({"--trace-file", settings_.trace_file});
    files.push_back({"--keylog", settings_.tls.key_log_file});
    files.push_back({"the line history", history_file_});
    for (const auto& source : sources_) files.push_back({"SOURCE", source});
    if (capture_) files.push_back({"CAPTURE", capture_->path});
    // Statements read from a file through standard input (`cqlwire < script.cql`).
    if (struct stat in {}; ::fstat(STDIN_FILENO, &in) == 0 && S_ISREG(in.st_mode))
        files.push_back({"standard input", "/dev/stdin"});
    return files;
}

bool statement_runner::run_copy(const statement& st, std::string_view context) {
    const char* home = std::getenv("HOME");
    std::string error;
    const auto copy = parse_copy_statement(st.text, home != nullptr ? home : "", error);
    if (!copy) {
        refuse_shell_command(error, context);
        return output_written();
    }
    const std::string keyspace = copy->keyspace.empty() ? keyspace_ : copy->keyspace;
    std::vector<std::string> notes;
    const auto options = resolve_copy_options(*copy, keyspace, settings_.copy_sections, read_copy_config_file, error,
                                              &notes, settings_.cqlshrc_file);
    if (!options) {
        refuse_shell_command(error, context);
        return output_written();
    }
    // Where the options came from, as cqlsh says it (not among the rows of COPY TO STDOUT).
    if (copy->file || copy->direction == copy_direction::from)
        for (const auto& note : notes) std::cout << escape_controls(note) << "\n";
    copy_environment env;
    env.conn = &conn_;
    env.consistency = shell_.consistency;
    env.keyspace = keyspace_;
    env.context = std::string(context);
    env.input_files = files_not_to_write();
    env.progress = ::isatty(STDOUT_FILENO) == 1;
    env.stdin_holds_statements = !settings_.execute && !settings_.file && !stdin_is_terminal();
    if (!output_written()) return false;
    const auto result = copy->direction == copy_direction::to ? run_copy_to(*copy, *options, env)
                                                              : run_copy_from(*copy, *options, env);
    if (result.interrupted) interrupted_ = true;
    if (result.status != 0 && (status_ == 0 || status_ == to_int(exit_code::undecodable_values) ||
                               result.status != to_int(exit_code::statement_rejected)))
        status_ = result.status;
    if (result.status == to_int(exit_code::output_failed)) return false;
    return output_written() && result.connection_usable;
}

bool statement_runner::capture(const shell_command& c, std::string_view context) {
    if (c.path.empty() && c.toggle == switch_value::none) {
        if (capture_) std::cout << "Currently capturing query output to '" << escape_controls(capture_->path) << "'.\n";
        else std::cout << "Currently not capturing query output.\n";
        return output_written();
    }
    if (c.toggle == switch_value::off) {
        if (!capture_) {
            refuse_shell_command("Not currently capturing output.", context);
            return output_written();
        }
        // What was captured must have reached the file before it is let go.
        if (!output_written()) return false;
        capture_.reset();
        return output_written();
    }
    if (capture_) {
        refuse_shell_command("Already capturing output to " + capture_->path + ". Use CAPTURE OFF to disable.", context);
        return output_written();
    }
    // Results appended to a credential, the statements or a trace would damage them.
    for (const auto& input : files_not_to_write()) {
        if (input.path.empty() || !same_file(c.path, input.path)) continue;
        refuse_shell_command("CAPTURE '" + c.path + "' is the file given as " + input.option + " ('" + input.path +
                                 "'), which capturing would append to; give CAPTURE another file",
                             context);
        return output_written();
    }
    // Appended to, created if need be (0666 less the umask, as any new file); a FIFO with no
    // reader is refused at once rather than waited on.
    const int fd = ::open(c.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
    if (fd < 0) {
        const int err = errno;
        refuse_shell_command("Could not open '" + c.path + "' for append: " + std::strerror(err), context);
        return output_written();
    }
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    capture_ = std::make_unique<capture_file>(fd, c.path);
    std::cout << "Now capturing query output to '" << escape_controls(c.path) << "'.\n";
    return output_written();
}

bool statement_runner::login(const shell_command& c, std::string_view context) {
    if (!login_) {
        refuse_shell_command("LOGIN is not available here", context);
        return output_written();
    }
    auth::secret_bytes password;
    if (c.password) {
        password = auth::secret_bytes(std::string_view(reinterpret_cast<const char*>(c.password->view().data()),
                                                       c.password->size()));
    } else {
        std::string message;
        if (!stdin_is_terminal()) {
            refuse_shell_command("LOGIN " + c.username + " has no password, and there is no terminal to ask for it on; "
                                 "give it as LOGIN " + c.username + " '<password>'",
                                 context);
            return output_written();
        }
        bool abandoned = false;
        // In the shell (terminal_), Ctrl-C only sets the interrupt flag: it abandons the prompt.
        if (auto ec = prompt_secret("Password: ", "password", password, message, terminal_, &abandoned)) {
            if (abandoned) {
                // Ctrl-C: the user changed their mind, as at any statement; the session goes on.
                std::cerr << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ") << "LOGIN "
                          << escape_controls(c.username) << ": " << message << "\n";
                interrupted_ = true;
                return output_written();
            }
            refuse_shell_command(message, context);
            return output_written();
        }
    }
    if (const int code = login_(c.username, std::move(password)); code != 0) {
        // The old connection goes on, as in cqlsh; the failure shows in the exit status.
        if (status_ == 0 || status_ == to_int(exit_code::undecodable_values)) status_ = code;
        return output_written();
    }
    // The new connection starts in no keyspace: the one in use carries over.
    if (!keyspace_.empty()) return run({"USE " + quote_identifier(keyspace_), 0}, context, false);
    return output_written();
}

bool statement_runner::run_source(const std::string& path, std::string_view context) {
    // cqlsh recurses until Python gives up; a file that sources itself stops here instead.
    constexpr std::size_t max_source_depth = 16;
    if (sources_.size() >= max_source_depth) {
        refuse_shell_command("SOURCE files nested more than " + std::to_string(max_source_depth) +
                                 " deep: '" + path + "' was not run",
                             context);
        return output_written();
    }
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        const int err = errno;
        refuse_shell_command("Could not open '" + path + "': " + std::strerror(err), context);
        return output_written();
    }
    struct close_on_exit {
        int fd;
        ~close_on_exit() { ::close(fd); }
    } closer{fd};
    // Reading the file results are being appended to would read them back as statements.
    if (capture_ && same_file(path, capture_->path)) {
        refuse_shell_command("SOURCE '" + path + "' is the file CAPTURE appends to; CAPTURE OFF first", context);
        return output_written();
    }
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        refuse_shell_command("Could not open '" + path + "': " + std::strerror(EISDIR), context);
        return output_written();
    }
    // As in cqlsh, the file runs in a shell of its own: the consistency levels, EXPAND and
    // PAGING start from the defaults there (TRACING carries over), and what it changes is
    // forgotten afterwards; EXIT in it ends the file only.
    const shell_settings outer = shell_;
    shell_ = initial_shell_;
    shell_.tracing = outer.tracing;
    sources_.push_back(path);
    statement_reader reader(fd, path);
    statement st_read;
    std::error_code ec;
    std::string message;
    bool go_on = true;
    while (go_on && reader.next(st_read, ec, message)) {
        const std::string where = path + ":" + std::to_string(st_read.line);
        if (auto bad = check_statement_text(st_read, path, message)) {
            refuse_shell_command(message, context);
            continue;
        }
        go_on = run(st_read, where);
        if (!go_on && exit_requested_) {
            exit_requested_ = false;
            go_on = true;
            break;
        }
        if (interrupted_) break;  // Ctrl-C: back to the prompt, the rest of the file not run
    }
    if (ec) refuse_shell_command(message, context);
    sources_.pop_back();
    shell_ = outer;
    return go_on && output_written();
}

bool statement_runner::run_shell_command(const shell_parse& parse, std::string_view context) {
    if (!parse.command) {
        refuse_shell_command(parse.error, context);
        return output_written();
    }
    const auto& c = *parse.command;
    switch (c.kind) {
    case shell_command_kind::consistency:
        if (c.level) {
            shell_.consistency = *c.level;
            std::cout << "Consistency level set to " << protocol::to_string(*c.level) << ".\n";
        } else {
            std::cout << "Current consistency level is " << protocol::to_string(shell_.consistency) << ".\n";
        }
        break;
    case shell_command_kind::serial_consistency:
        if (c.level) {
            shell_.serial_consistency = *c.level;
            std::cout << "Serial consistency level set to " << protocol::to_string(*c.level) << ".\n";
        } else {
            std::cout << "Current serial consistency level is "
                      << protocol::to_string(shell_.serial_consistency.value_or(protocol::consistency::serial))
                      << ".\n";
        }
        break;
    case shell_command_kind::expand: shell_.expand = switch_state("EXPAND", shell_.expand, c.toggle); break;
    case shell_command_kind::tracing: shell_.tracing = switch_state("TRACING", shell_.tracing, c.toggle); break;
    case shell_command_kind::paging:
        if (c.page_size) {
            shell_.paging = true;
            shell_.page_size_asked = *c.page_size;
            // 0 or more than a request can carry: rows come in the default pages (cqlsh would
            // fetch them all at once).
            shell_.page_size = *c.page_size == 0 || *c.page_size > INT32_MAX ? default_page_size
                                                                                : static_cast<std::int32_t>(*c.page_size);
        } else {
            const bool was = shell_.paging;
            shell_.paging = switch_state("PAGING", shell_.paging, c.toggle);
            if (shell_.paging && !was) shell_.page_size = initial_shell_.page_size;
            if (shell_.paging && !was) shell_.page_size_asked = shell_.page_size;
        }
        if (shell_.paging) std::cout << "Page size: " << shell_.page_size_asked << "\n";
        // Off, cqlsh fetches every row at once; here rows still arrive in pages, so that memory
        // stays bounded, but large ones: a table is laid out as cqlsh's up to 5000 rows.
        else shell_.page_size_asked = shell_.page_size = std::max(shell_.page_size, default_page_size);
        break;
    case shell_command_kind::show_session: return show_session(*c.session_id, context);
    case shell_command_kind::capture: return capture(c, context);
    case shell_command_kind::login: return login(c, context);
    case shell_command_kind::history:
        if (c.page_size) history_shown_ = static_cast<std::size_t>(*c.page_size);
        if (history_ != nullptr) {
            // The newest entry is this HISTORY line itself: the ones before it are shown.
            const auto& entries = history_->entries();
            const std::size_t before = entries.empty() ? 0 : entries.size() - 1;
            for (std::size_t i = before - std::min(before, history_shown_); i < before; ++i)
                std::cout << escape_controls(entries[i]) << "\n";
        }
        break;
    case shell_command_kind::help:
        if (c.topics.empty()) std::cout << shell_help_overview();
        for (const auto& topic : c.topics) {
            if (auto text = shell_help_topic(topic)) std::cout << *text;
            else std::cout << "No help on " << escape_controls(topic) << ": it is not a shell command (HELP lists them); CQL statements go to the server.\n";
        }
        break;
    case shell_command_kind::source: return run_source(c.path, context);
    case shell_command_kind::show_version: {
        std::vector<std::string> v;
        if (!read_local("release_version, cql_version", v, context)) return output_written() && !conn_.failure();
        std::cout << "[" << version_text() << " | Cassandra " << v[0] << " | CQL spec " << v[1]
                  << " | Native protocol v" << static_cast<int>(conn_.options().protocol_version) << "]\n";
        break;
    }
    case shell_command_kind::show_host: {
        std::vector<std::string> v;
        if (!read_local("cluster_name", v, context)) return output_written() && !conn_.failure();
        std::cout << "Connected to " << cluster_name_shown(v[0]) << " at "
                  << protocol::endpoint_text(settings_.host, settings_.port) << "\n";
        break;
    }
    case shell_command_kind::clear:
        // cqlsh runs `clear`; the same escape sequences, and only where they mean something.
        if (::isatty(STDOUT_FILENO) == 1) std::cout << "\x1b[H\x1b[2J\x1b[3J";
        break;
    case shell_command_kind::exit:
        exit_requested_ = true;
        return false;
    case shell_command_kind::show_replicas: {
        // cqlsh's: the keyspace given, else the current one; none gives [].
        const std::string keyspace = c.keyspace.value_or(keyspace_);
        std::vector<std::string> addresses;
        std::string error;
        if (!keyspace.empty()) {
            transport::query_client client(conn_);
            if (!find_replicas(client, keyspace, c.token, addresses, error)) {
                refuse_shell_command(error, context);
                return output_written() && !conn_.failure();
            }
        }
        std::cout << python_list(addresses) << "\n";  // cqlsh prints it, past any CAPTURE
        break;
    }
    case shell_command_kind::not_supported:
        refuse_shell_command("the cqlsh command " + c.word + " is not carried out by cqlwire yet", context);
        break;
    }
    return output_written();
}

}  // namespace cqlwire::cli

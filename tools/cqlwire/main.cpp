// The `cqlwire` command: reads the settings (flags, environment, cqlshrc), connects (TLS and
// SASL PLAIN when configured), runs the statements from -e, -f or standard input, and prints
// each result as a table, JSON or CSV. See --help and EXIT_CODES.md.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "checked_output.hpp"
#include "cli_options.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "decode_command.hpp"
#include "events_command.hpp"
#include "exit_codes.hpp"
#include "interactive_shell.hpp"
#include "interrupt.hpp"
#include "output_aliasing.hpp"
#include "password_source.hpp"
#include "report.hpp"
#include "safe_stderr.hpp"
#include "session_setup.hpp"
#include "settings.hpp"
#include "statement_reader.hpp"
#include "statement_runner.hpp"
#include "statements.hpp"
#include "tls_check_command.hpp"

namespace cli = cqlwire::cli;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;

namespace {

int fail(const std::error_code& ec, std::string_view message) {
    // One line, whatever a path or value in it holds (a file name may hold a line break).
    std::cerr << "cqlwire: " << cli::escape_controls(message) << "\n";
    return cli::to_int(cli::exit_code_for(ec));
}

// A -p value stays in /proc/PID/cmdline for the life of the process; blank it once parsed
// (it has been copied into wiped memory by then).
void hide_password_argument(int argc, char** argv) {
    auto blank = [](char* s) {
        for (; *s != '\0'; ++s) *s = 'x';
    };
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a == "--") break;
        // The values of these flags may look like "-pX"; they are not passwords.
        if (a == "-e" || a == "--execute" || a == "-u" || a == "--username" || a == "-f" || a == "--file") {
            ++i;
            continue;
        }
        if ((a == "-p" || a == "--password") && i + 1 < argc) blank(argv[++i]);
        else if (a.starts_with("--password=")) blank(argv[i] + std::strlen("--password="));
        else if (a.starts_with("-p") && a.size() > 2) blank(argv[i] + 2);
    }
}

// Owns a descriptor opened by the command.
struct file_descriptor {
    int fd = -1;
    file_descriptor() = default;
    file_descriptor(const file_descriptor&) = delete;
    file_descriptor& operator=(const file_descriptor&) = delete;
    ~file_descriptor() {
        if (fd >= 0) ::close(fd);
    }
};

// Whether `path` names the file that standard input is (/dev/stdin, /dev/fd/0, or the file
// redirected to it).
bool is_standard_input(const std::string& path) {
    if (path.empty()) return false;
    struct stat named {};
    struct stat in {};
    return ::stat(path.c_str(), &named) == 0 && ::fstat(STDIN_FILENO, &in) == 0 && named.st_dev == in.st_dev &&
           named.st_ino == in.st_ino;
}

// Opens the -f file: a directory or an unreadable path is a file error (2) naming it.
int open_statement_file(const std::string& path, file_descriptor& out) {
    out.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (out.fd < 0) {
        const int err = errno;
        return fail(make_error_code(cli::cli_errc::file_unreadable), "-f: cannot read '" + path + "': " + std::strerror(err));
    }
    struct stat st {};
    if (::fstat(out.fd, &st) == 0 && S_ISDIR(st.st_mode))
        return fail(make_error_code(cli::cli_errc::file_unreadable),
                    "-f: '" + path + "' is a directory, not a file of statements");
    return 0;
}

int run(int argc, char** argv, const cli::checked_output& out) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
    // Subcommands take the same flags; their own files do the rest.
    if (!args.empty() && args[0] == "events") {
        const int code = cli::run_events(std::span(args).subspan(1), std::cout, std::cerr);
        hide_password_argument(argc, argv);
        return code;
    }
    if (!args.empty() && args[0] == "decode") return cli::run_decode(std::span(args).subspan(1), std::cout, std::cerr);
    if (!args.empty() && args[0] == "tls-check") {
        const int code = cli::run_tls_check(std::span(args).subspan(1), std::cout, std::cerr);
        hide_password_argument(argc, argv);
        return code;
    }
    cli::cli_options flags;
    std::string message;
    if (auto ec = cli::parse_command_line(args, flags, message)) {
        hide_password_argument(argc, argv);
        return fail(ec, message);
    }
    hide_password_argument(argc, argv);
    if (flags.help) {
        std::cout << cli::help_text();
        return 0;
    }
    if (flags.version) {
        std::cout << cli::version_text() << "\n";
        return 0;
    }

    // Settings: cqlshrc <- environment <- flags.
    const auto env = cli::process_environment();
    cli::settings s;
    if (int code = cli::load_settings(flags, env, s, std::cerr, "cqlwire")) return code;
    if (s.tz_variable_unusable) ::unsetenv("TZ");

    // -e text is split before connecting, so that malformed text costs no connection; -f and
    // standard input are read as they come, each statement run as soon as it is complete.
    std::vector<cli::statement> statements;
    std::optional<cli::statement_reader> reader;
    file_descriptor input_file;
    bool interactive_session = false;
    if (s.execute) {
        if (auto ec = cli::split_statements(*s.execute, statements, message)) return fail(ec, "-e: " + message);
        for (const auto& st : statements)
            if (auto ec = cli::check_statement_text(st, "-e", message, false)) return fail(ec, message);
    } else if (s.file) {
        if (int code = open_statement_file(*s.file, input_file)) return code;
        reader.emplace(input_file.fd, *s.file);
    } else if (cli::stdin_is_terminal()) {
        interactive_session = true;
    } else {
        // A password read from standard input (--password-file /dev/stdin) must not also be
        // read as statements: it would be sent to the server, and echoed back in its error.
        for (const std::string* secret_file : {&s.password_file, &s.tls.key_password_file}) {
            if (is_standard_input(*secret_file))
                return fail(make_error_code(cli::cli_errc::usage),
                            "'" + *secret_file + "' is standard input, which holds the statements; give the "
                            "statements with -e or -f, or the secret in another file");
        }
        // -t/--tty: the shell (banner, prompts, ---MORE---) on a pipe, as cqlsh's.
        if (flags.tty) interactive_session = true;
        else reader.emplace(STDIN_FILENO, "<stdin>");
    }
    // A trace or key log written into a credential (`--trace-file k.key`) would destroy it.
    {
        const std::string history = interactive_session ? cli::history_file_path(env) : std::string();
        const std::string clash = cli::output_overwriting_input(flags, env, s, history);
        if (!clash.empty()) return fail(make_error_code(cli::cli_errc::usage), clash);
    }

    boost::asio::io_context ioc;
    transport::connection conn;
    cli::statement_runner runner(conn, s, out);
    // What LOGIN's connection takes over from the first (TLS context, frame trace).
    cli::connection_reuse reuse;
    runner.set_login([&](const std::string& user, cqlwire::auth::secret_bytes password) {
        const auto previous_user = s.username;
        s.username = user;
        s.password = std::move(password);
        s.password_from = cli::password_origin::flag;
        transport::connection fresh;
        const int code = cli::open_connection(s, ioc, fresh, std::cerr, "cqlwire LOGIN", nullptr, &reuse);
        s.password.clear();
        if (code != 0) {
            s.username = previous_user;
            return code;
        }
        conn.close();
        conn = std::move(fresh);
        return 0;
    });
    runner.set_reconnect([&] {
        transport::connection fresh;
        const int code = cli::reopen_connection(s, ioc, fresh, std::cerr, "cqlwire", reuse);
        if (code != 0) return code;
        conn.close();
        conn = std::move(fresh);
        return 0;
    }, [&] {
        // A context that a blocking wait ran out of work stays as it is: the next wait restarts
        // it. One that runs out here is restarted at once, since no wait knows it ran out.
        if (ioc.stopped()) return;
        ioc.poll();
        if (ioc.stopped()) ioc.restart();
    });
    bool connected = false;
    // Connects and applies --keyspace; 0 or the exit code of the failure.
    auto connect = [&]() -> int {
        connected = true;
        std::shared_ptr<const cli::checked_output> trace_file;
        if (int code = cli::open_connection(s, ioc, conn, std::cerr, "cqlwire", &trace_file, &reuse)) return code;
        runner.watch_output(std::move(trace_file));
        // A frame trace that already failed (during the login) runs nothing.
        if (!runner.output_written()) return runner.exit_status();
        if (s.keyspace) {
            if (!runner.run({"USE " + cli::quote_identifier(*s.keyspace), 0}, "--keyspace", false) ||
                runner.exit_status() != 0)
                return runner.exit_status();
        }
        return 0;
    };

    if (interactive_session) {
        if (int code = connect()) return code;
        cli::catch_interrupts();
        return cli::run_interactive_shell(runner, env);
    }
    if (!reader) {
        if (int code = connect()) return code;
        for (std::size_t i = 0; i < statements.size(); ++i) {
            const std::string context = statements.size() == 1 ? std::string() : "-e:" + std::to_string(statements[i].line);
            if (!runner.run(statements[i], context)) break;
        }
        conn.close();
        return runner.exit_status();
    }
    cli::statement st;
    std::error_code ec;
    while (reader->next(st, ec, message)) {
        if (!connected)
            if (int code = connect()) return code;
        if (!runner.run(st, reader->name() + ":" + std::to_string(st.line))) {
            conn.close();
            return runner.exit_status();
        }
    }
    if (ec) return fail(ec, message);
    // Input with no statement still checks that the connection and the login work.
    if (!connected)
        if (int code = connect()) return code;
    conn.close();
    return runner.exit_status();
}

}  // namespace

int main(int argc, char** argv) {
    // A closed standard output must not be taken over by a socket; writing to it fails instead.
    const bool stdout_closed = cli::plug_standard_descriptors();
    const cli::safe_stderr terminal_safe_errors(std::cerr);
    // A reader that goes away (`| head`) is noticed as EPIPE on a write and ends the command
    // quietly; sockets are written with MSG_NOSIGNAL anyway.
    std::signal(SIGPIPE, SIG_IGN);
    cli::checked_output out(STDOUT_FILENO, "standard output");
    if (stdout_closed) out.fail(EBADF);
    auto* const original = std::cout.rdbuf(&out);
    int code = 0;
    try {
        code = run(argc, argv, out);
    } catch (const std::exception& e) {
        // Exceptions here are bugs or resource exhaustion; their text never holds a secret.
        std::cerr << "cqlwire: internal error: " << e.what() << "\n";
        code = cli::to_int(cli::exit_code::network);
    }
    std::cout.flush();
    std::cout.rdbuf(original);
    if (out.error() != 0 && out.error() != EPIPE && code != cli::to_int(cli::exit_code::output_failed)) {
        std::cerr << "cqlwire: cannot write to standard output: " << std::strerror(out.error())
                  << "; the output is incomplete\n";
        return cli::to_int(cli::exit_code::output_failed);
    }
    return code;
}

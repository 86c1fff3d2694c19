// The `cqlwire` command: reads the settings (flags, environment, cqlshrc), connects (TLS and
// SASL PLAIN when configured), runs the statements from -e, -f or standard input, and prints
// each result as a table, JSON or CSV. See --help and EXIT_CODES.md.
#include <cstring>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cli_options.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "decode_command.hpp"
#include "events_command.hpp"
#include "exit_codes.hpp"
#include "interactive_shell.hpp"
#include "password_source.hpp"
#include "report.hpp"
#include "safe_stderr.hpp"
#include "session_setup.hpp"
#include "settings.hpp"
#include "statement_runner.hpp"
#include "statements.hpp"
#include "tls_check_command.hpp"

namespace cli = cqlwire::cli;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;

namespace {

int fail(const std::error_code& ec, std::string_view message) {
    std::cerr << "cqlwire: " << message << "\n";
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

int run(int argc, char** argv) {
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

    // Statements are split before connecting, so that malformed input costs no connection.
    std::vector<cli::statement> statements;
    std::string source;
    bool interactive_session = false;
    if (s.execute) {
        source = "-e";
        if (auto ec = cli::split_statements(*s.execute, statements, message)) return fail(ec, "-e: " + message);
    } else if (s.file) {
        source = *s.file;
        std::string text;
        if (auto ec = cli::read_text_file(*s.file, text, message)) return fail(ec, message);
        if (auto ec = cli::split_statements(text, statements, message)) return fail(ec, *s.file + ": " + message);
    } else if (cli::stdin_is_terminal()) {
        interactive_session = true;
    } else {
        source = "<stdin>";
        const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        if (auto ec = cli::split_statements(text, statements, message)) return fail(ec, "<stdin>: " + message);
    }

    boost::asio::io_context ioc;
    transport::connection conn;
    if (int code = cli::open_connection(s, ioc, conn, std::cerr, "cqlwire")) return code;

    cli::statement_runner runner(conn, s);
    if (s.keyspace) {
        if (!runner.run({"USE " + cli::quote_identifier(*s.keyspace), 0}, "--keyspace", false)) return runner.exit_status();
        if (runner.exit_status() != 0) return runner.exit_status();
    }
    if (interactive_session) return cli::run_interactive_shell(runner, env);
    for (std::size_t i = 0; i < statements.size(); ++i) {
        const std::string context =
            statements.size() == 1 && source == "-e"
                ? std::string()
                : source + ":" + std::to_string(statements[i].line);
        if (!runner.run(statements[i], context)) break;
    }
    conn.close();
    return runner.exit_status();
}

}  // namespace

int main(int argc, char** argv) {
    const cli::safe_stderr terminal_safe_errors(std::cerr);
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        // Exceptions here are bugs or resource exhaustion; their text never holds a secret.
        std::cerr << "cqlwire: internal error: " << e.what() << "\n";
        return cli::to_int(cli::exit_code::network);
    }
}

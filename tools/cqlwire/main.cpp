// The `cqlwire` command: reads the settings (flags, environment, cqlshrc), connects (TLS and
// SASL PLAIN when configured), runs the statements from -e, -f or standard input, and prints
// each result as a table, JSON or CSV. See --help and EXIT_CODES.md.
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cli_options.hpp"
#include "cqlshrc.hpp"
#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "exit_codes.hpp"
#include "key_passphrase.hpp"
#include "output_format.hpp"
#include "password_source.hpp"
#include "report.hpp"
#include "settings.hpp"
#include "statements.hpp"

namespace cli = cqlwire::cli;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;

namespace {

// Rows fetched per page; all pages of a result are fetched and printed as one result.
constexpr std::int32_t page_size = 5000;

int fail(const std::error_code& ec, std::string_view message) {
    std::cerr << "cqlwire: " << message << "\n";
    return cli::to_int(cli::exit_code_for(ec));
}

int fail(const std::error_code& ec, const protocol::diagnostics& diag, std::string_view context = {}) {
    std::cerr << cli::format_failure(ec, diag.client_message(), diag.server_message(), context);
    return cli::to_int(cli::exit_code_for(ec));
}

void print_warnings(const std::vector<std::string>& warnings) {
    for (const auto& w : warnings) {
        if (w.starts_with("WARNING")) std::cerr << "cqlwire: " << w << "\n";
        else std::cerr << "cqlwire: warning: " << w << "\n";
    }
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

std::error_code read_text_file(const std::string& path, std::string& out, std::string& message) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        message = "cannot read '" + path + "': " + std::strerror(errno);
        return make_error_code(cli::cli_errc::file_unreadable);
    }
    out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    if (in.bad()) {
        message = "cannot read '" + path + "': read error";
        return make_error_code(cli::cli_errc::file_unreadable);
    }
    return {};
}

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

// Runs statements on one connection and prints their results.
class statement_runner {
public:
    statement_runner(transport::connection& conn, const cli::settings& s) : conn_(conn), settings_(s) {}

    // Runs one statement. Returns false when the connection can no longer be used.
    bool run(const cli::statement& st, std::string_view context) {
        cli::rendered_rows rows;
        bool has_rows = false;
        std::vector<std::uint8_t> paging_state;
        for (;;) {
            protocol::query_parameters params;
            params.consistency_level = settings_.consistency;
            params.page_size = page_size;
            if (!paging_state.empty()) params.paging_state = protocol::bytes_view(paging_state);
            std::error_code ec;
            protocol::diagnostics diag;
            transport::response r = conn_.query(st.text, params, ec, diag);
            if (ec) return report(ec, diag, context);
            protocol::response_prefix prefix;
            protocol::bytes_view message;
            if (auto e = r.split_prefix(prefix, message)) return report(e, diag, context);
            if (prefix.warnings)
                for (auto w : *prefix.warnings) std::cerr << "cqlwire: server warning: " << cli::quote_untrusted(w) << "\n";
            protocol::result_view result;
            if (auto e = protocol::decode_result(message, result)) return report(e, diag, context);
            // Void, Set_keyspace and Schema_change print nothing, as in cqlsh.
            if (result.kind != protocol::result_kind::rows) return true;
            if (!has_rows) {
                has_rows = true;
                for (const auto& col : result.rows.columns()) rows.column_names.push_back(col.name);
                if (rows.column_names.empty())
                    for (std::size_t i = 0; i < result.rows.column_count(); ++i)
                        rows.column_names.push_back("column" + std::to_string(i + 1));
            }
            render_page(result.rows, rows, context);
            if (!result.rows.has_more_pages()) break;
            const auto state = result.rows.paging_state();
            paging_state.assign(state.bytes.begin(), state.bytes.end());
            if (paging_state.empty()) break;  // a server that says "more" without a state
        }
        cli::write_rows(std::cout, settings_.format, rows);
        std::cout.flush();
        return true;
    }

    // The exit code so far: 0, 6 after a rejected statement, 7 after an undecodable value.
    int exit_status() const noexcept { return status_; }

private:
    void render_page(const protocol::rows_view& page, cli::rendered_rows& rows, std::string_view context) {
        const bool json = cli::cell_rendering_for(settings_.format) == cli::cell_rendering::json;
        for (const auto& row : page) {
            auto& out = rows.rows.emplace_back();
            out.reserve(row.size());
            for (std::size_t i = 0; i < row.size(); ++i) {
                const protocol::value_view v = row[i];
                if (v.is_null()) {
                    out.emplace_back(std::nullopt);
                    continue;
                }
                std::string text;
                const auto ec = json ? protocol::render_json(v, text) : protocol::render_cql(v, text);
                if (ec) {
                    // Show the raw bytes, as cqlsh does for a value it cannot decode.
                    text = json ? "\"0x" : "0x";
                    static constexpr char hex[] = "0123456789abcdef";
                    for (auto b : v.bytes()) {
                        text.push_back(hex[b >> 4]);
                        text.push_back(hex[b & 0xF]);
                    }
                    if (json) text.push_back('"');
                    if (decode_problems_++ < 2)
                        std::cerr << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ") << "column "
                                  << cli::quote_untrusted(rows.column_names[i]) << ": " << ec.message() << "\n";
                    status_ = std::max(status_, cli::to_int(cli::exit_code::protocol_violation));
                }
                out.emplace_back(std::move(text));
            }
        }
    }

    bool report(const std::error_code& ec, const protocol::diagnostics& diag, std::string_view context) {
        std::cerr << cli::format_failure(ec, diag.client_message(), diag.server_message(), context);
        const int code = cli::to_int(cli::exit_code_for(ec));
        if (status_ == 0 || code != cli::to_int(cli::exit_code::statement_rejected)) status_ = code;
        // A statement the server refused leaves the connection usable; anything else does not.
        return ec.category() == protocol::server_category();
    }

    transport::connection& conn_;
    const cli::settings& settings_;
    int status_ = 0;
    int decode_problems_ = 0;
};

// Where the key passphrase came from, for the message that says it did not open the key.
std::string passphrase_source(const cli::tls_settings& t) {
    switch (t.key_password_from) {
    case cli::password_origin::file: return "the passphrase read from '" + t.key_password_file + "'";
    case cli::password_origin::environment: return "the passphrase in CQLWIRE_KEY_PASSWORD";
    case cli::password_origin::prompt: return "the passphrase entered";
    default: return "the passphrase given";
    }
}

// Builds the TLS context; the key passphrase is moved out of `s` and wiped once used.
std::error_code build_tls(cli::settings& s, std::shared_ptr<transport::tls_context>& out,
                          protocol::diagnostics& diag, std::string& message) {
    transport::tls_options o;
    if (!s.tls.ca_file.empty()) o.ca_files.push_back(s.tls.ca_file);
    o.certificate_file = s.tls.cert_file;
    o.private_key_file = s.tls.key_file;
    o.private_key_password = std::move(s.tls.key_password);
    auto to_transport = [](cli::tls_version v) {
        return v == cli::tls_version::v1_2 ? transport::tls_version::tls1_2 : transport::tls_version::tls1_3;
    };
    if (s.tls.min_version) o.min_version = to_transport(*s.tls.min_version);
    if (s.tls.max_version) o.max_version = to_transport(*s.tls.max_version);
    o.verify = s.tls.verify;
    o.server_name = s.tls.server_name;
    std::vector<std::string> warnings;
    const auto ec = transport::tls_context::create(o, out, warnings, diag);
    print_warnings(warnings);
    // The pre-flight check cannot tell a wrong passphrase from a damaged file, nor say where the
    // passphrase came from; when the passphrase is what failed, say so in those terms.
    if (ec && !o.private_key_password.empty() && cli::key_file_is_encrypted(o.private_key_file) &&
        !cli::passphrase_opens_key(o.private_key_file, o.private_key_password)) {
        message = "private key file '" + o.private_key_file + "' could not be decrypted with " +
                  passphrase_source(s.tls) + ": the passphrase is wrong (or the file is damaged)";
        return make_error_code(cli::cli_errc::bad_config);
    }
    return ec;
}

// Reads statements interactively from a terminal, running each as its `;` arrives.
int interactive(statement_runner& runner) {
    cli::statement_splitter splitter;
    std::string line;
    for (;;) {
        std::cout << (splitter.idle() ? "cqlwire> " : "   ... ") << std::flush;
        if (!std::getline(std::cin, line)) break;
        if (splitter.idle()) {
            std::string word(line);
            while (!word.empty() && (word.back() == ';' || word.back() == ' ')) word.pop_back();
            for (char& c : word) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (word == "exit" || word == "quit") return 0;
        }
        std::vector<cli::statement> ready;
        splitter.feed(line + "\n", ready);
        for (const auto& st : ready)
            if (!runner.run(st, {})) return runner.exit_status();
    }
    std::cout << "\n";
    std::vector<cli::statement> rest;
    std::string message;
    if (auto ec = splitter.finish(rest, message)) return fail(ec, message);
    for (const auto& st : rest)
        if (!runner.run(st, {})) return runner.exit_status();
    return 0;
}

int run(int argc, char** argv) {
    std::vector<std::string_view> args(argv + 1, argv + argc);
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
    std::optional<cli::cqlshrc_values> rc;
    const auto rc_path = cli::choose_cqlshrc(flags, env, [](const std::string& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0;
    });
    if (rc_path) {
        std::string text;
        if (auto ec = read_text_file(*rc_path, text, message)) return fail(ec, "cqlshrc: " + message);
        rc.emplace();
        const auto ec = cli::parse_cqlshrc(text, *rc_path, *rc, message);
        cqlwire::auth::wipe(text);  // it may hold a password
        if (ec) return fail(ec, message);
        struct stat st {};
        if (rc->password && ::stat(rc_path->c_str(), &st) == 0 && (st.st_mode & 077) != 0)
            rc->warnings.push_back(*rc_path + " holds a password and is readable by other users; chmod 600 it");
    }
    cli::settings s;
    if (auto ec = cli::merge_settings(flags, rc ? &*rc : nullptr, rc_path.value_or(""), env, s, message))
        return fail(ec, message);
    print_warnings(s.warnings);

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
        if (auto ec = read_text_file(*s.file, text, message)) return fail(ec, message);
        if (auto ec = cli::split_statements(text, statements, message)) return fail(ec, *s.file + ": " + message);
    } else if (cli::stdin_is_terminal()) {
        interactive_session = true;
    } else {
        source = "<stdin>";
        const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
        if (auto ec = cli::split_statements(text, statements, message)) return fail(ec, "<stdin>: " + message);
    }

    // The key passphrase first: TLS comes before the login.
    if (auto ec = cli::resolve_key_password(s, message)) return fail(ec, message);
    if (auto ec = cli::resolve_password(s, message)) return fail(ec, message);

    protocol::diagnostics diag;
    std::shared_ptr<transport::tls_context> tls;
    if (s.tls.enabled) {
        message.clear();
        if (auto ec = build_tls(s, tls, diag, message)) {
            if (!message.empty()) return fail(ec, message);
            return fail(ec, diag);
        }
    }

    boost::asio::io_context ioc;
    transport::connect_options co;
    co.host = s.host;
    co.port = s.port;
    co.connect_timeout = s.connect_timeout;
    co.handshake_timeout = s.connect_timeout;
    co.tls = tls;
    std::optional<transport::stream> stream;
    if (auto ec = transport::connect(ioc, co, stream, diag)) return fail(ec, diag);

    transport::connection_options conn_options;
    conn_options.request_timeout = s.request_timeout;
    conn_options.startup_timeout = s.connect_timeout;
    transport::connection conn(std::move(*stream), conn_options);

    std::optional<cqlwire::auth::plain_text_authenticator> authenticator;
    if (s.username) {
        const auto pw = s.password.view();
        authenticator.emplace(*s.username, std::string_view(reinterpret_cast<const char*>(pw.data()), pw.size()));
        s.password.clear();
    }
    transport::startup_config startup;
    startup.authenticator = authenticator ? &*authenticator : nullptr;
    if (auto ec = conn.startup(startup, diag)) return fail(ec, diag);

    statement_runner runner(conn, s);
    if (s.keyspace) {
        if (!runner.run({"USE " + quote_identifier(*s.keyspace), 0}, "--keyspace")) return runner.exit_status();
        if (runner.exit_status() != 0) return runner.exit_status();
    }
    if (interactive_session) return interactive(runner);
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
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        // Exceptions here are bugs or resource exhaustion; their text never holds a secret.
        std::cerr << "cqlwire: internal error: " << e.what() << "\n";
        return cli::to_int(cli::exit_code::network);
    }
}

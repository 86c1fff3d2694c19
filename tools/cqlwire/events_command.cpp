// `cqlwire events`; see events_command.hpp.
#include "events_command.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "cqlwire/protocol/endpoint_text.hpp"
#include "exit_codes.hpp"
#include "output_aliasing.hpp"
#include "output_format.hpp"
#include "report.hpp"
#include "safe_stderr.hpp"
#include "session_setup.hpp"
#include "trace_output.hpp"

namespace cqlwire::cli {
namespace {

volatile std::sig_atomic_t stop_requested = 0;
void request_stop(int) { stop_requested = 1; }

std::error_code usage(std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(cli_errc::usage);
}

std::string schema_subject(const transport::cluster_event& e) {
    std::string s(protocol::to_string(e.target));
    s += ' ';
    s += e.keyspace;
    if (!e.name.empty()) s += "." + e.name;
    if (e.target == protocol::schema_change_target::function || e.target == protocol::schema_change_target::aggregate) {
        s += '(';
        for (std::size_t i = 0; i < e.argument_types.size(); ++i) s += (i > 0 ? ", " : "") + e.argument_types[i];
        s += ')';
    }
    return s;
}

std::string endpoint_text(const protocol::inet_endpoint& a) {
    return protocol::endpoint_text(protocol::to_string(a.address), a.port);
}

std::int64_t now_us() {
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

const char* events_help =
    "Usage: cqlwire events [--types LIST] [--count N] [--timeout SECONDS] [options] [host [port]]\n"
    "\n"
    "Registers for server events and prints one line per event as it arrives (--format json: one\n"
    "JSON object per line), until interrupted (Ctrl-C, SIGTERM: exit 0).\n"
    "\n"
    "  --types LIST        comma-separated: TOPOLOGY_CHANGE, STATUS_CHANGE, SCHEMA_CHANGE (default: all)\n"
    "  --count N           exit 0 after N events\n"
    "  --timeout SECONDS   stop after SECONDS: exit 0, or 3 when --count was not reached\n"
    "\n"
    "Connection options, environment and cqlshrc: as for the main command (cqlwire --help).\n";

}  // namespace

std::error_code parse_events_arguments(std::span<const std::string_view> args, events_options& out,
                                       std::vector<std::string_view>& rest, std::string& message) {
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        std::string_view name;
        std::optional<std::string_view> value;
        for (std::string_view flag : {"--types", "--count", "--timeout"}) {
            if (a == flag) name = flag;
            else if (a.size() > flag.size() && a.starts_with(flag) && a[flag.size()] == '=') {
                name = flag;
                value = a.substr(flag.size() + 1);
            }
        }
        if (name.empty()) {
            if (a == "-e" || a == "--execute" || a == "-f" || a == "--file" || a.starts_with("--execute=") ||
                a.starts_with("--file="))
                return usage(message, "cqlwire events runs no statements: -e/--execute and -f/--file do not apply");
            rest.push_back(a);
            if (a == "--") {
                for (++i; i < args.size(); ++i) rest.push_back(args[i]);
            }
            continue;
        }
        if (!value) {
            if (i + 1 >= args.size()) return usage(message, std::string(name) + " needs a value");
            value = args[++i];
        }
        if (name == "--types") {
            out.types.clear();
            std::string_view list = *value;
            while (true) {
                const auto comma = list.find(',');
                const auto item = list.substr(0, comma);
                const auto t = transport::parse_event_type(item);
                if (!t)
                    return usage(message, "invalid event type '" + std::string(item) +
                                              "' for --types: expected TOPOLOGY_CHANGE, STATUS_CHANGE or SCHEMA_CHANGE");
                bool seen = false;
                for (auto have : out.types) seen = seen || have == *t;
                if (!seen) out.types.push_back(*t);
                if (comma == std::string_view::npos) break;
                list.remove_prefix(comma + 1);
            }
        } else if (name == "--count") {
            std::uint64_t n = 0;
            bool ok = !value->empty() && value->size() <= 18;
            for (char c : *value) {
                if (c < '0' || c > '9') ok = false;
                else n = n * 10 + static_cast<std::uint64_t>(c - '0');
            }
            if (!ok || n == 0) return usage(message, "invalid value '" + std::string(*value) + "' for --count: expected a whole number from 1");
            out.count = n;
        } else {
            out.timeout = parse_seconds(*value);
            if (!out.timeout)
                return usage(message, "invalid value '" + std::string(*value) + "' for --timeout: expected seconds, from 0.001 to 86400");
        }
    }
    return {};
}

std::string format_event_line(const transport::cluster_event& e, std::int64_t received_us) {
    std::string line = format_utc_micros(received_us) + " " + std::string(protocol::to_string(e.type)) + " " +
                       escape_controls(e.change) + " ";
    line += e.type == protocol::event_type::schema_change ? escape_controls(schema_subject(e)) : endpoint_text(e.address);
    return line + "\n";
}

std::string format_event_json(const transport::cluster_event& e, std::int64_t received_us) {
    std::string out = "{\"time\":" + json_quote(format_utc_micros(received_us)) +
                      ",\"type\":" + json_quote(protocol::to_string(e.type)) + ",\"change\":" + json_quote(e.change);
    if (e.type == protocol::event_type::schema_change) {
        out += ",\"target\":" + json_quote(protocol::to_string(e.target)) + ",\"keyspace\":" + json_quote(e.keyspace);
        if (!e.name.empty()) out += ",\"name\":" + json_quote(e.name);
        if (e.target == protocol::schema_change_target::function || e.target == protocol::schema_change_target::aggregate) {
            out += ",\"argument_types\":[";
            for (std::size_t i = 0; i < e.argument_types.size(); ++i)
                out += (i > 0 ? "," : "") + json_quote(e.argument_types[i]);
            out += "]";
        }
    } else {
        out += ",\"address\":" + json_quote(protocol::to_string(e.address.address)) +
               ",\"port\":" + std::to_string(e.address.port);
    }
    return out + "}\n";
}

int run_events(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    constexpr std::string_view who = "cqlwire events";
    events_options options;
    std::vector<std::string_view> rest;
    std::string message;
    if (auto ec = parse_events_arguments(args, options, rest, message)) {
        err << who << ": " << message << "\n";
        return to_int(exit_code_for(ec));
    }
    cli_options flags;
    if (auto ec = parse_command_line(rest, flags, message)) {
        err << who << ": " << message << "\n";
        return to_int(exit_code_for(ec));
    }
    if (flags.help) {
        out << events_help;
        return 0;
    }
    if (flags.format && *flags.format == output_format::csv) {
        err << who << ": --format for events is table (one line per event, the default) or json\n";
        return to_int(exit_code::usage);
    }
    const bool json = flags.format && *flags.format == output_format::json;
    if (options.types.empty())
        options.types = {protocol::event_type::topology_change, protocol::event_type::status_change,
                         protocol::event_type::schema_change};

    settings s;
    if (int code = load_settings(flags, process_environment(), s, err, who)) return code;
    if (const auto clash = output_overwriting_input(flags, process_environment(), s, ""); !clash.empty()) {
        err << who << ": " << escape_controls(clash) << "\n";
        return to_int(exit_code::usage);
    }
    boost::asio::io_context ioc;
    transport::connection conn;
    connection_reuse reuse;
    if (int code = open_connection(s, ioc, conn, err, who, nullptr, &reuse)) return code;

    std::optional<transport::event_listener> listener;
    protocol::diagnostics diag;
    // Listens on `conn`: 0, or the exit code after saying why.
    auto listen = [&]() -> int {
        listener.emplace(conn);
        diag.clear();
        if (auto ec = listener->register_for(options.types, diag)) {
            err << format_failure(ec, diag.client_message(), diag.server_message(), "events: REGISTER");
            return to_int(exit_code_for(ec));
        }
        return 0;
    };
    if (int code = listen()) return code;

    stop_requested = 0;
    struct sigaction action {};
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    struct sigaction old_int {};
    struct sigaction old_term {};
    ::sigaction(SIGINT, &action, &old_int);
    ::sigaction(SIGTERM, &action, &old_term);

    // Waits in short slices so that a signal is noticed promptly.
    constexpr std::chrono::milliseconds slice{200};
    const auto deadline = options.timeout ? std::chrono::steady_clock::now() + *options.timeout
                                          : std::chrono::steady_clock::time_point::max();
    std::uint64_t printed = 0;
    int code = 0;
    while (stop_requested == 0) {
        if (options.count && printed >= *options.count) break;
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            if (options.count) {
                err << who << ": " << printed << " of " << *options.count << " events before the time-out\n";
                code = to_int(exit_code::network);
            }
            break;
        }
        const auto wait = std::min<std::chrono::milliseconds>(
            slice, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1));
        transport::cluster_event event;
        std::error_code ec;
        diag.clear();
        if (listener->wait_for_event(wait, event, ec, diag)) {
            out << (json ? format_event_json(event, now_us()) : format_event_line(event, now_us()));
            out.flush();
            ++printed;
        } else if (ec && !conn.failure()) {
            // A malformed EVENT frame is reported and skipped.
            err << format_failure(ec, diag.client_message(), diag.server_message(), "events");
            code = to_int(exit_code_for(ec));
        } else if (ec) {
            // A lost connection: the listening goes on from a contact point that can be used
            // (the node it went to first), as the command's statements do; when none can, the
            // run ends with that error.
            const std::string why = diag.client_message().empty() ? ec.message() : diag.client_message();
            err << who << ": warning: the connection to " << escape_controls(protocol::endpoint_text(s.host, s.port))
                << " was lost (" << escape_controls(why) << "); connecting again\n";
            listener.reset();
            transport::connection fresh;
            if (int failed = reopen_connection(s, ioc, fresh, err, who, reuse)) {
                code = failed;
                break;
            }
            conn.close();
            conn = std::move(fresh);
            if (int failed = listen()) {
                code = failed;
                break;
            }
            err << who << ": warning: connected to " << escape_controls(protocol::endpoint_text(s.host, s.port))
                << "; the events of the time without a connection are missed\n";
        }
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGTERM, &old_term, nullptr);
    conn.close();
    return code;
}

}  // namespace cqlwire::cli

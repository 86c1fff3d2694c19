#include "cli_options.hpp"

#include <array>
#include <functional>

#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "safe_stderr.hpp"
#include "exit_codes.hpp"

#ifndef CQLWIRE_VERSION
#define CQLWIRE_VERSION "unknown"
#endif

namespace cqlwire::cli {

namespace {

// --server-name: a host name or an IP address, as a contact point's host is
// (cluster/contact_points.hpp), without a port. A pattern would be matched as a literal name, so
// that a wildcard certificate would pass for any node: the name to expect is one the wildcard
// covers.
std::string check_server_name(std::string_view v, std::optional<std::string>& out) {
    if (v.find('*') != std::string_view::npos) {
        std::string m = "--server-name is the name to expect, not a pattern: give one the certificate's wildcard covers";
        const bool one_leading = v.starts_with("*.") && v.find('*', 1) == std::string_view::npos;
        if (one_leading) m += " (for '" + escape_controls(v) + "', e.g. 'node1" + escape_controls(v.substr(1)) + "')";
        return m;
    }
    std::vector<cluster::contact_point> points;
    protocol::diagnostics diag;
    if (cluster::parse_contact_points(v, 1, points, diag) || points.size() != 1 || points.front().host != v)
        return "--server-name '" + escape_controls(v) +
               "' is not a host name (ASCII letters, digits, '-', '.' and '_', at most 253 characters) nor an IP address";
    out = std::string(v);
    return {};
}

}  // namespace

namespace {

constexpr std::int64_t max_timeout_ms = 24LL * 60 * 60 * 1000;

// One flag: its names, whether it takes a value, how the value is stored, and its help line.
struct flag_spec {
    std::string_view long_name;  // without the leading "--"
    char short_name;             // 0 when the flag has no short form
    std::string_view metavar;    // empty for a flag without a value
    std::string_view help;
    // Stores the value (or sets the switch). Returns a message on a bad value, empty on success.
    std::function<std::string(cli_options&, std::string_view)> apply;
};

std::string bad_value(std::string_view flag, std::string_view value, std::string_view expected) {
    return "invalid value '" + std::string(value) + "' for --" + std::string(flag) + ": expected " +
           std::string(expected);
}

std::string set_tls_version(std::optional<tls_version>& slot, std::string_view flag, std::string_view value) {
    if (value == "1.2") slot = tls_version::v1_2;
    else if (value == "1.3") slot = tls_version::v1_3;
    else return bad_value(flag, value, "1.2 or 1.3");
    return {};
}

std::string set_path(std::optional<std::string>& slot, std::string_view flag, std::string_view value) {
    if (value.empty()) return "--" + std::string(flag) + " needs a non-empty path";
    slot = std::string(value);
    return {};
}

const std::vector<flag_spec>& flags() {
    static const std::vector<flag_spec> table = {
        {"execute", 'e', "STATEMENTS", "execute the statements (separated by ';') and exit",
         [](cli_options& o, std::string_view v) { o.execute = std::string(v); return std::string(); }},
        {"file", 'f', "FILE", "execute the statements in FILE and exit",
         [](cli_options& o, std::string_view v) { return set_path(o.file, "file", v); }},
        {"username", 'u', "NAME", "log in as NAME (SASL PLAIN)",
         [](cli_options& o, std::string_view v) { o.username = std::string(v); return std::string(); }},
        {"password", 'p', "PASSWORD",
         "log in with PASSWORD (others may see it: prefer --password-file)",
         [](cli_options& o, std::string_view v) { o.password.emplace(v); return std::string(); }},
        {"password-file", 0, "FILE", "read the password from the first line of FILE",
         [](cli_options& o, std::string_view v) { return set_path(o.password_file, "password-file", v); }},
        {"keyspace", 'k', "KEYSPACE", "use KEYSPACE for the session",
         [](cli_options& o, std::string_view v) {
             if (v.empty()) return std::string("--keyspace needs a non-empty name");
             o.keyspace = std::string(v);
             return std::string();
         }},
        {"cqlshrc", 0, "FILE", "read settings from FILE (default: ~/.cassandra/cqlshrc when it exists)",
         [](cli_options& o, std::string_view v) { return set_path(o.cqlshrc, "cqlshrc", v); }},
        {"credentials", 0, "FILE",
         "read the user name and password from FILE, a cqlsh credentials file (default: the cqlshrc's "
         "[authentication] credentials, else ~/.cassandra/credentials when it exists)",
         [](cli_options& o, std::string_view v) { return set_path(o.credentials, "credentials", v); }},
        {"connect-timeout", 0, "SECONDS", "time allowed to connect, handshake and log in, for each contact point tried (default 5)",
         [](cli_options& o, std::string_view v) {
             o.connect_timeout = parse_seconds(v);
             return o.connect_timeout ? std::string() : bad_value("connect-timeout", v, "seconds, from 0.001 to 86400");
         }},
        {"request-timeout", 0, "SECONDS", "time allowed for each statement's response (default 10)",
         [](cli_options& o, std::string_view v) {
             o.request_timeout = parse_seconds(v);
             return o.request_timeout ? std::string() : bad_value("request-timeout", v, "seconds, from 0.001 to 86400");
         }},
        {"consistency", 0, "LEVEL", "consistency level of every statement (default ONE)",
         [](cli_options& o, std::string_view v) {
             o.consistency = protocol::parse_consistency(v);
             return o.consistency ? std::string()
                                  : bad_value("consistency", v,
                                              "ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, "
                                              "SERIAL, LOCAL_SERIAL or LOCAL_ONE");
         }},
        {"format", 0, "FORMAT", "output format: table (default), json or csv",
         [](cli_options& o, std::string_view v) {
             if (v == "table") o.format = output_format::table;
             else if (v == "json") o.format = output_format::json;
             else if (v == "csv") o.format = output_format::csv;
             else return bad_value("format", v, "table, json or csv");
             return std::string();
         }},
        {"page-size", 0, "N", "rows fetched per page (default 100 for a table, as cqlsh; 5000 for json and csv); every page is fetched",
         [](cli_options& o, std::string_view v) {
             o.page_size = parse_page_size(v);
             return o.page_size ? std::string() : bad_value("page-size", v, "a whole number from 1 to 2147483647");
         }},
        {"tracing", 0, "", "trace each statement and print the trace after its result",
         [](cli_options& o, std::string_view) { o.tracing = true; return std::string(); }},
        {"ssl", 0, "", "connect with TLS (implied by every TLS flag below)",
         [](cli_options& o, std::string_view) { o.ssl = true; return std::string(); }},
        {"cafile", 0, "FILE", "trust the CAs in FILE (PEM, or a PKCS#12 truststore) instead of the system's",
         [](cli_options& o, std::string_view v) { o.ssl = true; return set_path(o.cafile, "cafile", v); }},
        {"cert", 0, "FILE", "present the client certificate in FILE (PEM chain, or PKCS#12 with its key)",
         [](cli_options& o, std::string_view v) { o.ssl = true; return set_path(o.cert, "cert", v); }},
        {"key", 0, "FILE", "the private key of a PEM client certificate (PEM)",
         [](cli_options& o, std::string_view v) { o.ssl = true; return set_path(o.key, "key", v); }},
        {"key-password-file", 0, "FILE", "read the passphrase of the key, bundle or truststore from FILE's first line",
         [](cli_options& o, std::string_view v) {
             o.ssl = true;
             return set_path(o.key_password_file, "key-password-file", v);
         }},
        {"server-name", 0, "NAME", "expect the server's certificate to name NAME (default: the host); also sent as SNI",
         [](cli_options& o, std::string_view v) {
             o.ssl = true;
             if (v.empty()) return std::string("--server-name needs a non-empty name");
             return check_server_name(v, o.server_name);
             return std::string();
         }},
        {"no-verify", 0, "", "do NOT verify the server's certificate (insecure; prints a warning)",
         [](cli_options& o, std::string_view) { o.ssl = true; o.no_verify = true; return std::string(); }},
        {"tls-min", 0, "VERSION", "lowest TLS version to accept: 1.2 (default) or 1.3",
         [](cli_options& o, std::string_view v) { o.ssl = true; return set_tls_version(o.tls_min, "tls-min", v); }},
        {"protocol-version", 0, "VERSION", "CQL native protocol version to speak: 4 (default) or 3",
         [](cli_options& o, std::string_view v) {
             if (v == "3" || v == "4") {
                 o.protocol_version = static_cast<std::uint8_t>(v[0] - '0');
                 return std::string();
             }
             if (v == "5" || v == "6")
                 return "--protocol-version " + std::string(v) +
                        " is not supported: cqlwire speaks versions 3 and 4 (v5 framing is not implemented)";
             return bad_value("protocol-version", v, "3 or 4");
         }},
        {"cqlversion", 0, "VERSION", "the CQL version to ask the server for, as cqlsh's (e.g. 3.4.7; default 3.0.0)",
         [](cli_options& o, std::string_view v) {
             // N.N or N.N.N: what the server's version check reads.
             int dots = 0;
             bool ok = !v.empty() && v.front() != '.' && v.back() != '.';
             for (std::size_t i = 0; ok && i < v.size(); ++i) {
                 if (v[i] == '.') ok = (++dots <= 2) && v[i - 1] != '.';
                 else ok = v[i] >= '0' && v[i] <= '9';
             }
             if (!ok || dots == 0) return bad_value("cqlversion", v, "a version such as 3.4.7");
             o.cql_version = std::string(v);
             return std::string();
         }},
        {"debug", 0, "", "show debugging information: every frame sent and received, in summary, on stderr",
         [](cli_options& o, std::string_view) { o.debug = true; return std::string(); }},
        {"tls-max", 0, "VERSION", "highest TLS version to offer: 1.2 or 1.3 (default)",
         [](cli_options& o, std::string_view v) { o.ssl = true; return set_tls_version(o.tls_max, "tls-max", v); }},
        {"trace-frames", 0, "[=FORMAT]",
         "print every frame sent and received to stderr: summary (default), hex or jsonl",
         [](cli_options& o, std::string_view v) {
             if (v.empty()) v = "summary";
             o.trace_frames = inspect::parse_trace_format(v);
             return o.trace_frames ? std::string() : bad_value("trace-frames", v, "summary, hex or jsonl");
         }},
        {"trace-file", 0, "FILE", "write the --trace-frames output to FILE instead of stderr (implies it)",
         [](cli_options& o, std::string_view v) { return set_path(o.trace_file, "trace-file", v); }},
        {"keylog", 0, "FILE",
         "append the TLS session keys to FILE for Wireshark (as SSLKEYLOGFILE; anyone with FILE can decrypt)",
         [](cli_options& o, std::string_view v) { return set_path(o.keylog, "keylog", v); }},
        {"color", 'C', "", "cqlsh's colours in tables and errors, also when standard output is not a terminal",
         [](cli_options& o, std::string_view) { o.color = true; return std::string(); }},
        {"no-color", 0, "", "no colours (by default tables are coloured on a terminal, as in cqlsh)",
         [](cli_options& o, std::string_view) { o.no_color = true; return std::string(); }},
        {"encoding", 0, "ENCODING", "the terminal's encoding: UTF-8 only (as utf8 or utf-8, any case)",
         [](cli_options&, std::string_view v) {
             const std::string lower = protocol::ascii_lowered(v);
             if (lower == "utf8" || lower == "utf-8") return std::string();
             return "--encoding " + std::string(v) + " is not supported: cqlwire reads and writes UTF-8 only";
         }},
        {"tty", 't', "", "run the interactive shell (prompt, banner) even when standard input is not a terminal",
         [](cli_options& o, std::string_view) { o.tty = true; return std::string(); }},
        {"help", 'h', "", "print this help and exit",
         [](cli_options& o, std::string_view) { o.help = true; return std::string(); }},
        {"version", 0, "", "print the version and exit",
         [](cli_options& o, std::string_view) { o.version = true; return std::string(); }},
    };
    return table;
}

const flag_spec* find_long(std::string_view name) {
    for (const auto& f : flags())
        if (f.long_name == name) return &f;
    return nullptr;
}

const flag_spec* find_short(char name) {
    for (const auto& f : flags())
        if (f.short_name != 0 && f.short_name == name) return &f;
    return nullptr;
}

std::error_code usage_error(std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(cli_errc::usage);
}

// Checks that need the whole command line.
std::error_code check_combinations(const cli_options& o, std::string& message) {
    if (o.execute && o.file) return usage_error(message, "use either --execute or --file, not both");
    if (o.password && o.password_file) return usage_error(message, "use either --password or --password-file, not both");
    if (o.tls_min && o.tls_max && *o.tls_min > *o.tls_max)
        return usage_error(message, "--tls-min " + std::string(to_string(*o.tls_min)) + " is above --tls-max " +
                                        std::string(to_string(*o.tls_max)));
    // --cert alone is a PKCS#12 bundle (a PEM certificate alone is refused once its file is read).
    if (o.key && !o.cert) return usage_error(message, "--key needs --cert (the certificate that goes with the key)");
    return {};
}

}  // namespace

std::string_view to_string(output_format f) noexcept {
    switch (f) {
    case output_format::table: return "table";
    case output_format::json: return "json";
    case output_format::csv: return "csv";
    }
    return "table";
}

std::string_view to_string(tls_version v) noexcept { return v == tls_version::v1_2 ? "1.2" : "1.3"; }

std::optional<std::chrono::milliseconds> parse_seconds(std::string_view text) noexcept {
    std::size_t i = 0;
    std::int64_t whole = 0;
    std::size_t whole_digits = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++whole_digits) {
        if (whole > max_timeout_ms) return std::nullopt;  // keeps the arithmetic far from overflow
        whole = whole * 10 + (text[i] - '0');
    }
    std::int64_t millis = 0;
    std::size_t fraction_digits = 0;
    if (i < text.size() && text[i] == '.') {
        ++i;
        for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++fraction_digits) {
            // Digits beyond the millisecond are accepted and dropped.
            if (fraction_digits < 3) millis = millis * 10 + (text[i] - '0');
        }
        for (std::size_t k = fraction_digits; k < 3; ++k) millis *= 10;
    }
    if (i != text.size() || (whole_digits == 0 && fraction_digits == 0)) return std::nullopt;
    const std::int64_t total = whole * 1000 + millis;
    if (total <= 0 || total > max_timeout_ms) return std::nullopt;
    return std::chrono::milliseconds(total);
}

std::optional<std::int32_t> parse_page_size(std::string_view text) noexcept {
    if (text.empty() || text.size() > 10) return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
    }
    if (value < 1 || value > 2147483647) return std::nullopt;
    return static_cast<std::int32_t>(value);
}

std::optional<std::uint16_t> parse_port(std::string_view text) noexcept {
    // Leading zeros and blanks around the number are allowed, as by cqlsh's int() and in a
    // contact point's host:port (a list's entries may have blanks around them).
    text = protocol::trim_ascii_blank(text);
    if (text.empty()) return std::nullopt;
    std::uint32_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + static_cast<std::uint32_t>(c - '0');
        if (value > 65535) return std::nullopt;
    }
    if (value == 0) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

std::error_code parse_command_line(std::span<const std::string_view> args, cli_options& out, std::string& message) {
    std::vector<std::string_view> positionals;
    bool options_ended = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (options_ended || arg.size() < 2 || arg[0] != '-') {
            positionals.push_back(arg);
            continue;
        }
        if (arg == "--") {
            options_ended = true;
            continue;
        }
        const flag_spec* spec = nullptr;
        std::optional<std::string_view> attached;  // value given in the same argument
        std::string shown;                          // how the flag is named in messages
        if (arg.starts_with("--")) {
            std::string_view name = arg.substr(2);
            if (const auto eq = name.find('='); eq != std::string_view::npos) {
                attached = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            shown = "--" + std::string(name);
            spec = find_long(name);
        } else {
            shown = std::string(arg.substr(0, 2));
            spec = find_short(arg[1]);
            if (arg.size() > 2) attached = arg.substr(2);
        }
        // The unknown flag is named without its value: `--passwrod=secret` must not print the secret.
        if (spec == nullptr) return usage_error(message, "unknown option " + shown + " (see --help)");
        std::string_view value;
        if (spec->metavar.starts_with('[')) {
            // An optional value, only ever attached with '=' (the next argument is not taken).
            value = attached.value_or(std::string_view());
            if (attached && attached->empty()) return usage_error(message, shown + "= needs a value after '='");
        } else if (spec->metavar.empty()) {
            if (attached) return usage_error(message, shown + " takes no value");
        } else if (attached) {
            value = *attached;
        } else {
            if (i + 1 >= args.size()) return usage_error(message, shown + " needs a value (" + std::string(spec->metavar) + ")");
            value = args[++i];
        }
        if (std::string problem = spec->apply(out, value); !problem.empty()) {
            // Bad values are echoed by the handlers above; none of them takes a secret.
            return usage_error(message, problem);
        }
    }
    if (positionals.size() > 2)
        return usage_error(message, "too many arguments: expected at most [host [port]] (quote -e statements)");
    if (!positionals.empty()) {
        if (positionals[0].empty()) return usage_error(message, "the host must not be empty");
        out.host = std::string(positionals[0]);
    }
    if (positionals.size() == 2) {
        out.port = parse_port(positionals[1]);
        if (!out.port) return usage_error(message, "invalid port '" + std::string(positionals[1]) + "': expected 1-65535");
    }
    return check_combinations(out, message);
}

std::string version_text() { return std::string("cqlwire ") + CQLWIRE_VERSION; }

std::string help_text() {
    std::string text =
        "Usage: cqlwire [options] [host [port]]\n"
        "       cqlwire events [--types LIST] [--count N] [--timeout SECONDS] [options] [host [port]]\n"
        "\n"
        "Runs CQL statements against Apache Cassandra over the native protocol v4 and prints the\n"
        "results. Connects to 127.0.0.1:9042 unless the cqlshrc, CQLSH_HOST/CQLSH_PORT or the\n"
        "arguments say otherwise. Reads statements from -e, -f, or standard input.\n"
        "\n"
        "Options:\n";
    for (const auto& f : flags()) {
        std::string left = "  ";
        left += f.short_name != 0 ? std::string("-") + f.short_name + ", " : std::string("    ");
        left += "--" + std::string(f.long_name);
        if (f.metavar.starts_with('[')) left += std::string(f.metavar);
        else if (!f.metavar.empty()) left += " " + std::string(f.metavar);
        if (left.size() < 32) left.resize(32, ' ');
        else left += "\n" + std::string(32, ' ');
        text += left + std::string(f.help) + "\n";
    }
    text +=
        "\n"
        "Precedence: flags override the environment, which overrides the cqlshrc, which overrides\n"
        "the defaults.\n"
        "\n"
        "Environment:\n"
        "  CQLWIRE_PASSWORD      the password (when neither -p nor --password-file is given)\n"
        "  CQLWIRE_KEY_PASSWORD  the passphrase of the key, bundle or truststore (when --key-password-file\n"
        "                        is not given)\n"
        "  CQLSH_HOST, CQLSH_PORT  the host and port (the arguments override them)\n"
        "  SSL_CERTFILE          as --cafile\n"
        "  SSL_VALIDATE          true/false: verify the server's certificate (false is insecure)\n"
        "  SSLKEYLOGFILE         as --keylog (which overrides it): log TLS keys for Wireshark\n"
        "  TZ                    the time zone of timestamps in tables (over [ui] timezone; UTC by default)\n"
        "\n"
        "cqlshrc keys read: [authentication] username password keyspace credentials; [connection]\n"
        "hostname port ssl timeout connect_timeout request_timeout; [ssl] certfile validate userkey\n"
        "usercert (version is ignored); [certfiles] HOST = FILE; [ui] float_precision\n"
        "double_precision time_format timezone color; [tracing] max_trace_wait. A client\n"
        "certificate in the cqlshrc turns TLS on unless [connection]\n"
        "ssl = false. The credentials file (cqlsh's) holds [plain_text_auth] or\n"
        "[PlainTextAuthProvider] username and password; it is used only when it is yours and\n"
        "neither group nor others can read it.\n"
        "\n"
        "In the shell, -e and -f, cqlsh's commands work too: CONSISTENCY, SERIAL CONSISTENCY,\n"
        "EXPAND, TRACING, PAGING, SHOW VERSION|HOST|SESSION, SOURCE, CAPTURE, HISTORY, LOGIN,\n"
        "HELP, EXIT, CLEAR; DESCRIBE prints as cqlsh prints it. HELP tells more.\n"
        "\n"
        "With a user name and no password, cqlwire asks for one on the terminal (without echo).\n"
        "Likewise, when the private key (--key or [ssl] userkey) is encrypted and no passphrase\n"
        "was given, it asks \"Passphrase for <key file>:\"; with no terminal, it exits with 2.\n"
        "\n"
        "PKCS#12: --cert (or usercert) may name a PKCS#12 bundle (.p12/.pfx, known by its content)\n"
        "holding the certificate, its key and chain; then give no --key. --cafile (or certfile) may\n"
        "name a PKCS#12 truststore, e.g. made by `keytool -importcert -storetype PKCS12`. Both are\n"
        "opened with no passphrase first, then with the key passphrase above (asked for on a\n"
        "terminal when needed; a Java truststore's is often \"changeit\"). A Java keystore in JKS or\n"
        "JCEKS format is refused (exit 2) with the keytool command that converts it to PKCS#12.\n"
        "\n";
    text += exit_codes_help();
    return text;
}

}  // namespace cqlwire::cli

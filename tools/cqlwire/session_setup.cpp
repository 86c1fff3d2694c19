// Opening a connection from the command line; see session_setup.hpp.
#include "session_setup.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "bounded_file.hpp"
#include "cqlshrc.hpp"
#include "credentials_file.hpp"
#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/session.hpp"
#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/tls_keylog.hpp"
#include "cqlwire/transport/tls_preflight.hpp"
#include "exit_codes.hpp"
#include "frame_trace_output.hpp"
#include "key_passphrase.hpp"
#include "password_source.hpp"
#include "report.hpp"
#include "safe_stderr.hpp"
#include "withheld_secrets.hpp"

namespace cqlwire::cli {
namespace {

int failed(std::ostream& err, std::string_view who, const std::error_code& ec, std::string_view message) {
    // One line, whatever a path in it holds (a file name may hold a line break).
    err << who << ": " << escape_controls(message) << "\n";
    return to_int(exit_code_for(ec));
}

int failed(std::ostream& err, std::string_view who, const std::error_code& ec, const protocol::diagnostics& diag) {
    // The main command's failures carry no context; a subcommand's name its subcommand.
    const auto space = who.find(' ');
    const std::string_view context = space == std::string_view::npos ? std::string_view() : who.substr(space + 1);
    err << format_failure(ec, diag.client_message(), diag.server_message(), context);
    return to_int(exit_code_for(ec));
}

void print_warnings(std::ostream& err, std::span<const std::string> warnings) {
    for (const auto& w : warnings) {
        if (w.starts_with("WARNING")) err << "cqlwire: " << escape_controls(w) << "\n";
        else err << "cqlwire: warning: " << escape_controls(w) << "\n";
    }
}

// Where the key passphrase came from, for the message that says it did not open the key.
std::string passphrase_source(const tls_settings& t) {
    switch (t.key_password_from) {
    case password_origin::file: return "the passphrase read from '" + t.key_password_file + "'";
    case password_origin::environment: return "the passphrase in CQLWIRE_KEY_PASSWORD";
    case password_origin::prompt: return "the passphrase entered";
    default: return "the passphrase given";
    }
}

// Builds the TLS context; the key passphrase is moved out of `s` and wiped once used.
// `show_warnings` false: a second context of the same run (another contact point's CA file),
// whose warnings the first already printed.
int build_tls(settings& s, std::shared_ptr<transport::tls_context>& out, std::ostream& err, std::string_view who,
              bool show_warnings = true) {
    const auto passphrase_origin = passphrase_source(s.tls);
    transport::tls_options o = tls_options_from(s);
    std::vector<std::string> warnings;
    if (!o.key_log_file.empty()) warnings.push_back(transport::key_log_warning(o.key_log_file));
    protocol::diagnostics diag;
    const auto ec = transport::tls_context::create(o, out, warnings, diag);
    if (show_warnings) print_warnings(err, warnings);
    if (!ec) return 0;
    // The pre-flight check cannot tell a wrong passphrase from a damaged file, nor say where the
    // passphrase came from; when the passphrase is what failed, say so in those terms.
    if (!o.private_key_password.empty() && key_file_is_encrypted(o.private_key_file) &&
        !passphrase_opens_key(o.private_key_file, o.private_key_password)) {
        return failed(err, who, make_error_code(cli_errc::bad_config),
                      "private key file '" + o.private_key_file + "' could not be decrypted with " +
                          passphrase_origin + ": the passphrase is wrong (or the file is damaged)");
    }
    // The same for a PKCS#12 truststore or bundle, in the order the files are read.
    const std::pair<std::string, const char*> bundles[] = {
        {o.ca_files.empty() ? std::string() : o.ca_files.front(), "CA file"},
        {o.certificate_file, "client certificate file"}};
    for (const auto& [path, what] : bundles) {
        if (!o.private_key_password.empty() && !path.empty() && transport::pkcs12_file_needs_passphrase(path) &&
            !transport::pkcs12_file_opens_with(path, o.private_key_password)) {
            return failed(err, who, make_error_code(cli_errc::bad_config),
                          std::string(what) + " '" + path + "' is a PKCS#12 file that " + passphrase_origin +
                              " does not open: the passphrase is wrong (or the file is damaged)");
        }
    }
    return failed(err, who, ec, diag);
}

// Failures that are the node's (unreachable, down, busy, starting, a certificate that does not
// verify, a client certificate it does not trust, an answer that is not CQL v4): the next
// contact point may do better. Login and configuration failures would fail there too.
bool is_node_failure(std::error_code ec) {
    using transport::errc;
    using protocol::server_errc;
    return ec == errc::resolve_failed || ec == errc::connect_failed || ec == errc::connect_timeout ||
           ec == errc::handshake_timeout || ec == errc::connection_closed || ec == errc::connection_broken ||
           ec == errc::tls_handshake_failed || ec == errc::certificate_untrusted ||
           ec == errc::client_certificate_rejected ||
           ec == errc::certificate_name_mismatch || ec == errc::certificate_expired ||
           ec == errc::certificate_not_yet_valid || ec == errc::server_expects_tls ||
           ec == errc::server_is_plaintext || ec == errc::protocol_violation ||
           ec == errc::unsupported_protocol_version ||
           ec == server_errc::overloaded || ec == server_errc::is_bootstrapping || ec == server_errc::server_error;
}

// Whether two contact points name the same endpoint: the same port, and host names equal but
// for case, or IP addresses equal however written (`[0:0::1]` and `::1`).
bool same_contact_point(const cluster::contact_point& a, const cluster::contact_point& b) {
    if (a.port != b.port) return false;
    if (protocol::ascii_lowered(a.host) == protocol::ascii_lowered(b.host)) return true;
    boost::system::error_code ea, eb;
    const auto address_a = boost::asio::ip::make_address(a.host, ea);
    const auto address_b = boost::asio::ip::make_address(b.host, eb);
    return !ea && !eb && address_a == address_b;
}

// The exit code of a failure to connect: a server's ERROR before the login is a refusal to take
// the connection (busy, still starting, in trouble, or anything else it says then), as a node
// that cannot be reached; no statement was rejected.
exit_code exit_code_for_connect_failure(std::error_code ec) {
    if (ec.category() == protocol::server_category()) return exit_code::network;
    return exit_code_for(ec);
}

// A contact point's own CA file from the cqlshrc's [certfiles], or null.
const std::string* own_ca_file(const tls_settings& t, const std::string& host) {
    const std::string lowered = protocol::ascii_lowered(host);
    for (const auto& [h, path] : t.ca_file_by_host)
        if (h == lowered) return &path;
    return nullptr;
}

// For a certificate that did not verify against a contact point's own [certfiles] CA file:
// which file that was (the usual hint names --cafile and [ssl] certfile).
std::string pinned_ca_note(const tls_settings& t, const cluster::contact_point& point, std::error_code ec) {
    if (ec != transport::errc::certificate_untrusted) return {};
    const std::string* own = own_ca_file(t, point.host);
    if (own == nullptr) return {};
    return "checked against the CA file of the cqlshrc's [certfiles] " + protocol::ascii_lowered(point.host) + " = " +
           *own;
}

// The CA file a contact point is checked against: its own in the cqlshrc's [certfiles], else
// the one for every host.
const std::string& ca_file_for(const tls_settings& t, const std::string& host) {
    const std::string* own = own_ca_file(t, host);
    return own != nullptr ? *own : t.ca_file;
}

// The TLS context of each contact point: one per distinct CA file, in the order the contact
// points name them. The key passphrase serves each and is wiped after the last.
int build_tls_per_ca_file(settings& s, const std::vector<cluster::contact_point>& points,
                          std::vector<std::shared_ptr<transport::tls_context>>& out, std::ostream& err,
                          std::string_view who) {
    std::vector<std::string> ca_files;   // distinct, in order of first use
    std::vector<std::size_t> ca_of_point;  // each point's index in ca_files
    for (const auto& point : points) {
        const auto& ca = ca_file_for(s.tls, point.host);
        const auto at = std::find(ca_files.begin(), ca_files.end(), ca);
        ca_of_point.push_back(static_cast<std::size_t>(at - ca_files.begin()));
        if (at == ca_files.end()) ca_files.push_back(ca);
    }
    std::vector<std::shared_ptr<transport::tls_context>> contexts(ca_files.size());
    const std::string every_host_ca = s.tls.ca_file;
    for (std::size_t i = 0; i < ca_files.size(); ++i) {
        auth::secret_bytes passphrase;  // a copy for the contexts still to make
        if (i + 1 < ca_files.size()) passphrase.append(s.tls.key_password.view());
        s.tls.ca_file = ca_files[i];
        const int code = build_tls(s, contexts[i], err, who, i == 0);
        s.tls.key_password = std::move(passphrase);
        if (code != 0) {
            s.tls.key_password.clear();
            s.tls.ca_file = every_host_ca;
            // The report named the file; say where it came from when that is [certfiles].
            for (const auto& [host, path] : s.tls.ca_file_by_host)
                if (path == ca_files[i])
                    err << who << ": that CA file is the cqlshrc's [certfiles] entry " << escape_controls(host) << " = "
                        << escape_controls(path) << "\n";
            return code;
        }
    }
    s.tls.ca_file = every_host_ca;
    for (std::size_t p = 0; p < points.size(); ++p) out[p] = contexts[ca_of_point[p]];
    return 0;
}

// A failure in one line, for a warning.
std::string one_line(std::error_code ec, const protocol::diagnostics& diag) {
    std::string m = ec.message();
    if (!diag.client_message().empty()) m += ": " + diag.client_message();
    if (!diag.server_message().empty()) m += " (server: \"" + diag.server_message() + "\")";
    return without_withheld_secrets(m);
}

// The credentials file cqlsh would read: --credentials, else the cqlshrc's, else
// ~/.cassandra/credentials. One that is not there is an error only when --credentials names it;
// one that others could read, or another user owns, is not used (as in cqlsh), with a warning.
int load_credentials(const cli_options& flags, const cqlshrc_values* rc, const environment_lookup& env,
                     std::optional<credentials_values>& out, std::string& used_path, std::ostream& err,
                     std::string_view who) {
    std::string path;
    std::string named_by;
    if (flags.credentials) {
        path = expand_home(*flags.credentials, env);
        named_by = "--credentials";
    } else if (rc != nullptr && rc->credentials) {
        path = expand_home(*rc->credentials, env);
        named_by = "the cqlshrc's [authentication] credentials";
    } else if (const auto home = env("HOME"); home && !home->empty()) {
        path = *home + "/.cassandra/credentials";
    } else {
        return 0;
    }
    // Whether the file may be used is decided on the file opened, and what is read is that file:
    // a stat() of the path before the open would judge whatever was there a moment earlier.
    bounded_file file;
    std::string message;
    const auto open_error = file.open(path, "credentials file", {max_cqlshrc_size}, message);
    struct stat st {};
    if (!open_error) {
        st = file.status();
    } else if (::stat(path.c_str(), &st) != 0) {
        // Nothing is read from a file that did not open, so the path's stat() here only tells a
        // missing file (not an error unless --credentials names it) from one that is there but
        // cannot be opened (another user's, say: that has its own warning below).
        const int e = errno;
        if (flags.credentials)
            return failed(err, who, make_error_code(cli_errc::file_unreadable),
                          "--credentials: cannot read '" + path + "': " + std::strerror(e));
        if (!named_by.empty())
            err << who << ": warning: " << escape_controls("credentials file '" + path + "' (" + named_by +
                                                           ") cannot be read: " + std::strerror(e) + "; not used")
                << "\n";
        return 0;
    }
    if (S_ISREG(st.st_mode) && !credentials_file_is_private(st.st_uid, st.st_mode, ::getuid())) {
        err << who << ": warning: "
            << escape_controls("credentials file '" + path + "' is not used: " +
                               (st.st_uid != ::getuid() ? std::string("another user owns it")
                                                        : std::string("its group or others can read it")) +
                               "; make it yours and private (chown $USER, chmod 600)")
            << "\n";
        return 0;
    }
    if (open_error) return failed(err, who, open_error, message);
    std::string text;
    if (auto ec = file.read(text, message)) return failed(err, who, ec, message);
    out.emplace();
    const auto ec = parse_credentials(text, path, *out, message);
    auth::wipe(text);
    if (ec) return failed(err, who, ec, message);
    used_path = path;
    return 0;
}

}  // namespace

int load_settings(cli_options& flags, const environment_lookup& env, settings& s, std::ostream& err,
                  std::string_view who) {
    std::string message;
    std::optional<cqlshrc_values> rc;
    const auto rc_path = choose_cqlshrc(flags, env, [](const std::string& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0;
    });
    if (rc_path) {
        std::string text;
        mode_t mode = 0;
        if (auto ec = read_bounded_file(*rc_path, "cqlshrc", {max_cqlshrc_size}, text, message, &mode))
            return failed(err, who, ec, message);
        rc.emplace();
        const auto ec = parse_cqlshrc(text, *rc_path, *rc, message);
        auth::wipe(text);  // it may hold a password
        if (ec) return failed(err, who, ec, message);
        if (rc->password) {
            if (auto w = readable_by_others_warning(*rc_path, "a password", mode); !w.empty())
                rc->warnings.push_back(std::move(w));
        }
    }
    std::optional<credentials_values> credentials;
    std::string credentials_path;
    if (int code = load_credentials(flags, rc ? &*rc : nullptr, env, credentials, credentials_path, err, who))
        return code;
    if (auto ec = merge_settings(flags, rc ? &*rc : nullptr, rc_path.value_or(""), env, s, message,
                                 credentials ? &*credentials : nullptr))
        return failed(err, who, ec, message);
    s.credentials_file = credentials_path;
    s.cqlshrc_file = rc_path.value_or("");
    print_warnings(err, s.warnings);
    return 0;
}

transport::tls_options tls_options_from(settings& s) {
    transport::tls_options o;
    if (!s.tls.ca_file.empty()) o.ca_files.push_back(s.tls.ca_file);
    o.certificate_file = s.tls.cert_file;
    o.private_key_file = s.tls.key_file;
    o.private_key_password = std::move(s.tls.key_password);
    auto to_transport = [](tls_version v) {
        return v == tls_version::v1_2 ? transport::tls_version::tls1_2 : transport::tls_version::tls1_3;
    };
    if (s.tls.min_version) o.min_version = to_transport(*s.tls.min_version);
    if (s.tls.max_version) o.max_version = to_transport(*s.tls.max_version);
    o.verify = s.tls.verify;
    o.server_name = s.tls.server_name;
    o.key_log_file = s.tls.key_log_file;
    return o;
}

namespace {

// One connection attempt: connect (and handshake), install the frame trace, log in. On failure
// `message` holds the command's own words, or else `diag` the connection's.
std::error_code open_and_start(settings& s, const cluster::contact_point& point, boost::asio::io_context& ioc,
                               const std::shared_ptr<transport::tls_context>& tls,
                               transport::connection& conn, std::ostream& err,
                               std::shared_ptr<const checked_output>& trace_file_output, protocol::diagnostics& diag,
                               std::string& message, transport::frame_observer* observer) {
    message.clear();
    transport::open_options o;
    o.connect.host = point.host;
    o.connect.port = point.port;
    o.connect.connect_timeout = s.connect_timeout;
    o.connect.handshake_timeout = s.connect_timeout;
    o.connect.tls = tls;
    o.connection.request_timeout = s.request_timeout;
    o.connection.startup_timeout = s.connect_timeout;
    o.connection.protocol_version = s.protocol_version;
    o.cql_version = s.cql_version;
    // The trace sees the start-up exchange too.
    if (observer != nullptr && *observer) {
        o.observer = *observer;
    } else if (s.trace_frames) {
        if (auto ec = make_frame_trace(*s.trace_frames, s.trace_file, err, message, trace_file_output, o.observer))
            return ec;
        if (observer != nullptr) *observer = o.observer;
    }
    // No authenticator while the password is deferred: nothing is sent unless the server logs
    // in by certificate, and a server that wants a password says so (credentials_required).
    std::optional<auth::plain_text_authenticator> authenticator;
    if (s.username && !password_deferred(s)) {
        const auto pw = s.password.view();
        // The password stays in `s` until a login succeeded: the next contact point may need it.
        authenticator.emplace(*s.username, std::string_view(reinterpret_cast<const char*>(pw.data()), pw.size()));
    }
    o.authenticator = authenticator ? &*authenticator : nullptr;
    std::optional<transport::connection> opened;
    if (auto ec = transport::open_connection(ioc, o, opened, diag)) return ec;
    conn = std::move(*opened);
    return {};
}

// Tries `points` in order, each with its TLS context, until one connects and logs in; `served`
// is then its index. Returns 0, or the exit code after printing why: each contact point that
// fails as a node named in a warning, the last one's error, and when none could be used, the
// exit code of the first that answered.
int connect_to_first_usable(settings& s, std::span<const cluster::contact_point> points,
                            std::span<const std::shared_ptr<transport::tls_context>> tls_of_point,
                            boost::asio::io_context& ioc, transport::connection& conn, std::ostream& err,
                            std::string_view who, std::shared_ptr<const checked_output>& trace_file_output,
                            transport::frame_observer& observer, std::size_t& served) {
    std::string message;
    // When every contact point fails, the first one that answered (refused the start-up, or had a
    // certificate that does not verify, or spoke no CQL) tells more than those that could not be
    // reached: its exit code is the command's.
    std::optional<exit_code> first_answered;
    auto note_failure = [&](std::error_code ec) {
        const bool answered = ec.category() == protocol::server_category() || exit_code_for(ec) != exit_code::network;
        if (answered && !first_answered) first_answered = exit_code_for_connect_failure(ec);
    };
    for (std::size_t index = 0; index < points.size(); ++index) {
        const auto& point = points[index];
        const auto& tls = tls_of_point[index];
        const bool last = index + 1 == points.size();
        // A password deferred because of the client certificate is asked for only when the
        // server checks one; then the login is tried again on a new connection (the first one
        // was turned away before any credential was sent).
        for (int attempt = 0;; ++attempt) {
            protocol::diagnostics diag;
            const auto ec = open_and_start(s, point, ioc, tls, conn, err, trace_file_output, diag, message, &observer);
            if (ec == transport::errc::credentials_required && attempt == 0 && password_deferred(s)) {
                // The user name was given; only its password is missing.
                if (!stdin_is_terminal())
                    return failed(err, who, ec,
                                  "the server requires authentication, and no password was given for user '" +
                                      *s.username +
                                      "' (none is asked for without a terminal): use --password-file FILE, "
                                      "CQLWIRE_PASSWORD, or run on a terminal to be asked");
                if (auto prompted = prompt_deferred_password(s, message)) return failed(err, who, prompted, message);
                withhold_secret(s.password.view());
                continue;
            }
            const bool node_failure = ec && is_node_failure(ec) && message.empty();
            const std::string pinned = pinned_ca_note(s.tls, point, ec);
            if (node_failure && !last) {
                err << who << ": warning: contact point " << escape_controls(protocol::endpoint_text(point.host, point.port))
                    << " failed: " << escape_controls(one_line(ec, diag))
                    << (pinned.empty() ? "" : " (" + escape_controls(pinned) + ")") << "; trying the next\n";
                note_failure(ec);
                break;
            }
            if (ec && !message.empty()) return failed(err, who, ec, message);
            if (node_failure) {
                failed(err, who, ec, diag);
                if (!pinned.empty())
                    err << who << ": " << escape_controls(protocol::endpoint_text(point.host, point.port)) << " was "
                        << escape_controls(pinned) << "\n";
                note_failure(ec);
                if (points.size() > 1)
                    err << who << ": none of the " << points.size()
                        << " contact points could be used (the warnings above say why for the others)\n";
                return to_int(first_answered.value_or(exit_code_for_connect_failure(ec)));
            }
            if (ec) {
                failed(err, who, ec, diag);
                return to_int(exit_code_for_connect_failure(ec));
            }
            served = index;
            return 0;
        }
    }
    return failed(err, who, make_error_code(cli_errc::usage), "no contact point");
}

// A login succeeded on `point`: it is the host from now on (SHOW HOST, messages), and the
// password leaves the settings, kept in `reuse` (when given) for a reconnect.
void note_connected(settings& s, const cluster::contact_point& point, connection_reuse* reuse) {
    s.host = point.host;
    s.port = point.port;
    if (reuse != nullptr) reuse->password = std::move(s.password);
    s.password.clear();
    forget_withheld_secrets();
}

}  // namespace

int open_connection(settings& s, boost::asio::io_context& ioc, transport::connection& conn, std::ostream& err,
                    std::string_view who, std::shared_ptr<const checked_output>* trace_file,
                    connection_reuse* reuse) {
    const bool reusing = reuse != nullptr && reuse->filled;
    std::shared_ptr<const checked_output> trace_file_output;
    std::string message;
    // The key passphrase first: TLS comes before the login. Reading their files may add
    // warnings (a file others can read); the earlier ones were printed by load_settings.
    const std::size_t printed_warnings = s.warnings.size();
    if (!reusing)
        if (auto ec = resolve_key_password(s, message)) return failed(err, who, ec, message);
    if (auto ec = resolve_password(s, message)) return failed(err, who, ec, message);
    print_warnings(err, std::span<const std::string>(s.warnings).subspan(printed_warnings));
    // A server may quote the credentials it received: until the login succeeded, the password
    // is withheld from the reports and the frame trace.
    withhold_secret(s.password.view());

    transport::frame_observer observer = reusing ? reuse->observer : transport::frame_observer{};

    // The host may be a comma-separated list of contact points: they are tried in order, and
    // one that cannot be reached (or whose certificate does not verify) is named in a warning.
    std::vector<cluster::contact_point> points;
    {
        protocol::diagnostics diag;
        if (cluster::parse_contact_points(s.host, s.port, points, diag)) {
            std::string why = diag.client_message();
            const auto ec = host_error(s, why);
            return failed(err, who, ec, why);
        }
    }
    // A contact point listed twice is tried once (a stalled one would cost its timeout again).
    for (std::size_t i = 1; i < points.size();) {
        const auto same = [&](const cluster::contact_point& p) { return same_contact_point(p, points[i]); };
        if (std::any_of(points.begin(), points.begin() + static_cast<std::ptrdiff_t>(i), same)) {
            err << who << ": warning: contact point " << escape_controls(protocol::endpoint_text(points[i].host, points[i].port))
                << " is listed more than once; it is tried once\n";
            points.erase(points.begin() + static_cast<std::ptrdiff_t>(i));
        } else {
            ++i;
        }
    }
    // One TLS context per CA file the contact points use, all made before the first is dialed:
    // the key passphrase is wiped once they are, and a CA file that cannot be read is a
    // configuration error whichever contact point names it. A later connection of the run (the
    // shell's LOGIN, to the node in use) takes that node's.
    std::vector<std::shared_ptr<transport::tls_context>> tls_of_point(points.size());
    if (reusing) {
        std::fill(tls_of_point.begin(), tls_of_point.end(), reuse->tls_of_point[reuse->serving]);
    } else if (s.tls.enabled) {
        if (int code = build_tls_per_ca_file(s, points, tls_of_point, err, who)) return code;
    }

    std::size_t served = 0;
    if (int code = connect_to_first_usable(s, points, tls_of_point, ioc, conn, err, who, trace_file_output, observer,
                                           served))
        return code;
    if (trace_file != nullptr && trace_file_output) *trace_file = trace_file_output;
    if (reuse != nullptr && !reuse->filled) {
        reuse->filled = true;
        reuse->points = points;
        reuse->tls_of_point = tls_of_point;
        reuse->serving = served;
        reuse->observer = observer;
    }
    note_connected(s, points[served], reuse);
    return 0;
}

int reopen_connection(settings& s, boost::asio::io_context& ioc, transport::connection& conn, std::ostream& err,
                      std::string_view who, connection_reuse& reuse) {
    if (!reuse.filled) return failed(err, who, make_error_code(cli_errc::usage), "no connection to reopen");
    // The node that served first (the connection may have dropped while it stays up), then
    // the others in the order given.
    std::vector<std::size_t> order{reuse.serving};
    for (std::size_t i = 0; i < reuse.points.size(); ++i)
        if (i != reuse.serving) order.push_back(i);
    std::vector<cluster::contact_point> points;
    std::vector<std::shared_ptr<transport::tls_context>> tls_of_point;
    for (const auto i : order) {
        points.push_back(reuse.points[i]);
        tls_of_point.push_back(reuse.tls_of_point[i]);
    }
    // The last login's credentials, as they were accepted.
    if (!reuse.password.empty()) {
        s.password.clear();
        s.password.append(reuse.password.view());
        s.password_from = password_origin::flag;
    }
    withhold_secret(s.password.view());
    transport::frame_observer observer = reuse.observer;
    std::shared_ptr<const checked_output> trace_file_output;  // the trace's file is already open
    std::size_t served = 0;
    if (int code = connect_to_first_usable(s, points, tls_of_point, ioc, conn, err, who, trace_file_output, observer,
                                           served)) {
        s.password.clear();
        forget_withheld_secrets();
        return code;
    }
    reuse.serving = order[served];
    note_connected(s, points[served], &reuse);
    return 0;
}

}  // namespace cqlwire::cli

#include "settings.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "copy_time_format.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {
namespace {

std::error_code config_error(std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(cli_errc::bad_config);
}

// Whether a port given apart from `host` (a list, as parse_contact_points reads it) is used by
// none of its contact points: each names its own port (the list reads the same whatever the
// default port), and none names this one. A host that does not parse is not judged here (it is
// reported when dialed).
bool port_unused_by_contact_points(const std::string& host, std::uint16_t port) {
    std::vector<cluster::contact_point> with_1, with_2;
    protocol::diagnostics ignored;
    if (cluster::parse_contact_points(host, 1, with_1, ignored) || cluster::parse_contact_points(host, 2, with_2, ignored))
        return false;
    return with_1 == with_2 &&
           std::none_of(with_1.begin(), with_1.end(), [&](const cluster::contact_point& p) { return p.port == port; });
}

}  // namespace

environment_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

std::string expand_home(std::string_view path, const environment_lookup& env) {
    if (path == "~" || path.starts_with("~/")) {
        if (auto home = env("HOME"); home && !home->empty()) return *home + std::string(path.substr(1));
    }
    return std::string(path);
}

std::optional<std::string> choose_cqlshrc(const cli_options& flags, const environment_lookup& env,
                                          const std::function<bool(const std::string&)>& file_exists) {
    if (flags.cqlshrc) return expand_home(*flags.cqlshrc, env);
    const auto home = env("HOME");
    if (!home || home->empty()) return std::nullopt;
    std::string path = *home + "/.cassandra/cqlshrc";
    if (file_exists(path)) return path;
    return std::nullopt;
}

bool decide_color(std::optional<bool> forced, bool runs_file, bool stdout_is_terminal, const environment_lookup& env) {
    if (forced) return *forced;
    if (runs_file || !stdout_is_terminal) return false;
    const auto term = env("TERM");
    return term && !term->empty() && *term != "dumb";
}

std::string_view no_verify_warning() noexcept {
    return "WARNING: TLS certificate verification is OFF. The server's identity is not checked: anyone "
           "on the network path can impersonate it and read the password and the data. Use --cafile "
           "(and --server-name) instead of --no-verify / validate = false.";
}

std::error_code host_error(const settings& s, std::string& why) {
    switch (s.host_from) {
        case host_source::cqlshrc:
            why = "the cqlshrc's [connection] hostname: " + why;
            return make_error_code(cli_errc::bad_config);
        case host_source::environment:
            why = "CQLSH_HOST: " + why;
            return make_error_code(cli_errc::bad_config);  // as CQLSH_PORT's
        case host_source::command_line: break;
    }
    return make_error_code(cli_errc::usage);
}

std::error_code merge_settings(cli_options& flags, cqlshrc_values* rc, std::string_view rc_name,
                               const environment_lookup& env, settings& out, std::string& message,
                               credentials_values* credentials) {
    const std::string rc_label(rc_name);
    // A credentials file's two sections rank on either side of the cqlshrc, as in cqlsh.
    auto take_credentials = [&](std::optional<std::string>& username, std::optional<auth::secret_bytes>& password) {
        if (username) out.username = std::move(username);
        if (password) {
            out.password = std::move(*password);
            out.password_from = password_origin::credentials_file;
            password.reset();
        }
    };
    if (credentials != nullptr) take_credentials(credentials->provider_username, credentials->provider_password);

    // cqlshrc
    bool rc_names_client_cert = false;
    if (rc != nullptr) {
        out.warnings.insert(out.warnings.end(), rc->warnings.begin(), rc->warnings.end());
        if (rc->hostname) {
            out.host = *rc->hostname;
            out.host_from = host_source::cqlshrc;
        }
        if (rc->port) out.port = *rc->port;
        if (rc->username) out.username = rc->username;
        if (rc->password) {
            out.password = std::move(*rc->password);
            out.password_from = password_origin::cqlshrc;
            rc->password.reset();
        }
        if (rc->keyspace) out.keyspace = rc->keyspace;
        if (rc->float_precision) out.float_precision = *rc->float_precision;
        out.copy_sections = rc->copy_sections;
        if (rc->double_precision) out.double_precision = *rc->double_precision;
        if (rc->connect_timeout) out.connect_timeout = *rc->connect_timeout;
        if (rc->request_timeout) out.request_timeout = *rc->request_timeout;
        if (rc->ssl) out.tls.enabled = *rc->ssl;
        if (rc->validate) out.tls.verify = *rc->validate;
        if (rc->certfile) out.tls.ca_file = expand_home(*rc->certfile, env);
        if (rc->usercert) out.tls.cert_file = expand_home(*rc->usercert, env);
        if (rc->userkey) out.tls.key_file = expand_home(*rc->userkey, env);
        // usercert alone may be a PKCS#12 bundle with its key; a PEM certificate alone is
        // refused once its file is read.
        if (rc->userkey && !rc->usercert)
            return config_error(message, rc_label + ": [ssl] userkey needs usercert (the certificate that goes with "
                                                    "the key); only userkey is set");
        // A client certificate is only ever presented over TLS, so naming one turns TLS on
        // unless the file says `ssl = false` outright (Azure's section-less file relies on it).
        rc_names_client_cert = rc->usercert.has_value();
        if (rc_names_client_cert && !rc->ssl) out.tls.enabled = true;
    }

    if (credentials != nullptr) take_credentials(credentials->username, credentials->password);

    // environment
    if (auto h = env("CQLSH_HOST"); h && !h->empty()) {
        out.host = *h;
        out.host_from = host_source::environment;
    }
    if (auto p = env("CQLSH_PORT"); p && !p->empty()) {
        const auto port = parse_port(*p);
        if (!port) return config_error(message, "CQLSH_PORT='" + *p + "' is not a port (1-65535)");
        out.port = *port;
    }
    // As CQLWIRE_KEY_PASSWORD's, an empty variable counts as unset (`export CQLWIRE_PASSWORD=`
    // clears it; it does not log in with an empty password).
    if (auto pw = env("CQLWIRE_PASSWORD"); pw && !pw->empty()) {
        out.password = auth::secret_bytes(*pw);
        out.password_from = password_origin::environment;
        auth::wipe(*pw);
    }
    // An empty passphrase opens no key, so an empty variable counts as unset.
    if (auto kp = env("CQLWIRE_KEY_PASSWORD"); kp && !kp->empty()) {
        out.tls.key_password = auth::secret_bytes(*kp);
        out.tls.key_password_from = password_origin::environment;
        auth::wipe(*kp);
    }
    if (auto v = env("SSL_VALIDATE"); v && !v->empty()) {
        const auto b = parse_config_boolean(*v);
        if (!b) return config_error(message, "SSL_VALIDATE='" + *v + "' is not a boolean (true/false)");
        out.tls.verify = *b;
    }
    if (auto c = env("SSL_CERTFILE"); c && !c->empty()) out.tls.ca_file = expand_home(*c, env);

    // flags
    if (flags.host) {
        out.host = *flags.host;
        out.host_from = host_source::command_line;
    }
    if (flags.port) {
        out.port = *flags.port;
        if (port_unused_by_contact_points(out.host, *flags.port))
            out.warnings.push_back("the port argument " + std::to_string(*flags.port) +
                                   " is not used: every contact point of the host argument names its own port");
    }
    if (flags.username) out.username = flags.username;
    if (flags.password) {
        out.password = std::move(*flags.password);
        out.password_from = password_origin::flag;
        flags.password.reset();
    } else if (flags.password_file) {
        out.password.clear();
        out.password_from = password_origin::file;
        out.password_file = expand_home(*flags.password_file, env);
    }
    if (flags.keyspace) out.keyspace = flags.keyspace;
    if (flags.connect_timeout) out.connect_timeout = *flags.connect_timeout;
    if (flags.request_timeout) out.request_timeout = *flags.request_timeout;
    if (flags.consistency) out.consistency = *flags.consistency;
    if (flags.format) out.format = *flags.format;
    out.page_size = flags.page_size;
    out.tracing = flags.tracing;
    if (flags.protocol_version) out.protocol_version = *flags.protocol_version;
    if (flags.cql_version) out.cql_version = *flags.cql_version;
    out.execute = flags.execute;
    out.file = flags.file;
    if (flags.ssl) out.tls.enabled = true;
    if (flags.cafile) out.tls.ca_file = expand_home(*flags.cafile, env);
    if (flags.cert) out.tls.cert_file = expand_home(*flags.cert, env);
    if (flags.key) out.tls.key_file = expand_home(*flags.key, env);
    if (flags.key_password_file) {
        out.tls.key_password.clear();
        out.tls.key_password_from = password_origin::file;
        out.tls.key_password_file = expand_home(*flags.key_password_file, env);
    }
    if (flags.no_verify) out.tls.verify = false;
    // Display: colours, and the zone and pattern of timestamps.
    std::optional<bool> forced_color;
    if (rc != nullptr) forced_color = rc->color;
    if (flags.no_color) forced_color = false;
    else if (flags.color) forced_color = true;
    out.color = decide_color(forced_color, flags.file.has_value(), ::isatty(STDOUT_FILENO) == 1, env);
    if (rc != nullptr) {
        if (rc->time_format && *rc->time_format != default_datetime_format) out.time_format = *rc->time_format;
        if (rc->max_trace_wait) out.max_trace_wait = *rc->max_trace_wait;
    }
    // As in cqlsh, TZ names the zone over [ui] timezone; a zone that is not known is said and
    // UTC is used.
    std::optional<std::string> zone_name;
    std::string zone_origin;
    if (rc != nullptr && rc->timezone) {
        zone_name = rc->timezone;
        zone_origin = rc_label + ": [ui] timezone";
    }
    if (auto tz = env("TZ"); tz && !tz->empty()) {
        zone_name = *tz;
        zone_origin = "TZ";
    }
    // TZ may be in C's form, ":Europe/Paris" or ":/etc/localtime".
    if (zone_origin == "TZ" && zone_name->starts_with(':')) zone_name->erase(0, 1);
    if (zone_name && *zone_name != "UTC") {
        std::string error;
        const auto tzdir = env("TZDIR");
        auto zone = zone_origin == "TZ" && zone_name->starts_with('/')
                        ? load_time_zone_file(*zone_name, error)
                        : load_time_zone(*zone_name, tzdir ? *tzdir : std::string(), error);
        if (zone) {
            out.display_zone = std::make_shared<const time_zone>(std::move(*zone));
        } else {
            out.warnings.push_back(zone_origin + ": " + error + "; timestamps are shown in UTC");
            out.tz_variable_unusable = zone_origin == "TZ";
        }
    }
    out.tls.min_version = flags.tls_min;
    out.tls.max_version = flags.tls_max;
    // Frame tracing and the TLS key log: off unless asked for; --keylog beats SSLKEYLOGFILE.
    out.trace_frames = flags.trace_frames;
    // --debug, as cqlsh's: more about what happens; here every frame, in summary, on stderr.
    if (flags.debug && !out.trace_frames) out.trace_frames = inspect::trace_format::summary;
    if (flags.trace_file) {
        out.trace_file = expand_home(*flags.trace_file, env);
        if (!out.trace_frames) out.trace_frames = inspect::trace_format::summary;
    }
    if (flags.keylog) out.tls.key_log_file = expand_home(*flags.keylog, env);
    else if (auto v = env("SSLKEYLOGFILE"); v && !v->empty()) out.tls.key_log_file = *v;

    // [certfiles] names a CA file per host; it beats [ssl] certfile (as in cqlsh) but not
    // SSL_CERTFILE or --cafile. Only the hosts of the contact points count. Each contact point is
    // looked up when it is dialed; a single one's file is also the CA file, which the truststore
    // passphrase, tls-check and the output checks read.
    const auto env_ca = env("SSL_CERTFILE");
    if (rc != nullptr && !flags.cafile && !(env_ca && !env_ca->empty())) {
        std::vector<cluster::contact_point> points;
        protocol::diagnostics ignored;  // a malformed host is reported when it is dialed
        const bool parsed = !cluster::parse_contact_points(out.host, out.port, points, ignored);
        const auto dialed = [&](const std::string& host) {
            if (!parsed) return host == protocol::ascii_lowered(out.host);
            return std::any_of(points.begin(), points.end(),
                               [&](const cluster::contact_point& p) { return protocol::ascii_lowered(p.host) == host; });
        };
        for (const auto& [h, path] : rc->certfiles)
            if (dialed(h)) out.tls.ca_file_by_host.emplace_back(h, expand_home(path, env));
        if (out.tls.ca_file_by_host.size() == 1 && (!parsed || points.size() == 1))
            out.tls.ca_file = out.tls.ca_file_by_host.front().second;
    }
    // Checked only now: the key the passphrase opens may come from the cqlshrc. A passphrase
    // asked for on the command line with no file it could open is a mistake worth naming; one
    // exported in the environment is ignored, as CQLWIRE_PASSWORD is without a user name, so that
    // a shell which exports it can still reach clusters that need no client certificate. A
    // certificate or CA file may be a PKCS#12 bundle or truststore that the passphrase opens:
    // resolve_key_password reads them to tell.
    if (out.tls.key_password_from != password_origin::none && out.tls.key_file.empty() && out.tls.cert_file.empty() &&
        out.tls.ca_file.empty() && out.tls.ca_file_by_host.empty()) {
        if (out.tls.key_password_from == password_origin::environment) {
            out.tls.key_password.clear();
            out.tls.key_password_from = password_origin::none;
        } else {
            return config_error(message, "--key-password-file gives a key passphrase but no private key is set; give "
                                         "--cert FILE --key FILE (or usercert and userkey in the cqlshrc's [ssl]), "
                                         "or a PKCS#12 bundle or truststore as --cert or --cafile");
        }
    }
    // Empty: each contact point's own host is the name checked (the host may be a list).
    out.tls.server_name = flags.server_name ? *flags.server_name : std::string();
    if (out.tls.enabled && !out.tls.verify) out.warnings.emplace_back(no_verify_warning());
    return {};
}

}  // namespace cqlwire::cli

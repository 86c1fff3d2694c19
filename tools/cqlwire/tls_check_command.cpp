#include "tls_check_command.hpp"

#include <openssl/x509_vfy.h>

#include "cli_options.hpp"
#include "cqlshrc.hpp"
#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/transport/errc.hpp"
#include "output_aliasing.hpp"
#include "output_format.hpp"
#include "password_source.hpp"
#include "report.hpp"
#include "session_setup.hpp"
#include "settings.hpp"

namespace cqlwire::cli {
namespace {

using inspect::client_certificate_verdict;
using inspect::port_protocol;

constexpr std::int64_t seconds_per_day = 24 * 60 * 60;

std::string join(const std::vector<std::string>& items, std::string_view separator) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : std::string(separator)) + item;
    return out;
}

// The report with its control characters (but the line ends) escaped: names come from the
// command line and the certificates from the server, and a terminal must not act on them.
std::string printable_lines(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\n') || u == 0x7f) protocol::append_byte_escape(out, u);
        else out += c;
    }
    return out;
}

std::string sans_of(const inspect::tls_inspection& r) {
    return r.server_chain.empty() ? "(no certificate)" : transport::format_subject_alt_names(r.server_chain[0].summary);
}

std::string trust_source(const inspect::tls_inspection& r, std::string_view ca_file) {
    if (!ca_file.empty()) return "the CA file '" + std::string(ca_file) + "'";
    return r.trust_store_is_system ? std::string("the system's CA store") : std::string("the configured CAs");
}

std::string where(const inspect::tls_inspection& r) { return protocol::endpoint_text(r.host, r.port); }

void add(tls_check_judgement& j, std::string problem, std::string fix, exit_code code) {
    j.findings.push_back({std::move(problem), std::move(fix), code});
}

void judge_not_tls(const inspect::tls_inspection& r, tls_check_judgement& j) {
    switch (r.speaks) {
    case port_protocol::plaintext_cql:
        add(j, "the port is plaintext: " + r.plaintext_answer + " answered without TLS",
            "drop --ssl (and [connection] ssl) to use this port without TLS, or connect to the server's TLS port "
            "(client_encryption_options in cassandra.yaml)",
            exit_code::tls_check_not_tls);
        return;
    case port_protocol::http:
        add(j, "an HTTP server answered (\"" + r.http_status_line + "\"); this port serves HTTP, not CQL",
            "check the host and port: this is a web server (CQL listens on 9042 by default)", exit_code::tls_check_not_tls);
        return;
    case port_protocol::silent:
    case port_protocol::other:
        add(j, "the port does not speak TLS (" + r.handshake_message + "); to a plaintext CQL request it answered " +
                   r.plaintext_answer,
            "check the host and port", exit_code::tls_check_not_tls);
        return;
    case port_protocol::tls: break;
    }
}

std::string verify_problem(const inspect::tls_inspection& r) {
    std::string m = "the server's certificate chain does not verify: " + r.verify_error_name;
    if (r.verify_error_depth >= 0 && static_cast<std::size_t>(r.verify_error_depth) < r.server_chain.size()) {
        const auto& c = r.server_chain[static_cast<std::size_t>(r.verify_error_depth)].summary;
        m += " (at depth " + std::to_string(r.verify_error_depth) + ": '" + c.subject + "', issued by '" + c.issuer + "')";
    }
    return m;
}

std::string verify_fix(const inspect::tls_inspection& r, std::string_view ca_file) {
    switch (r.verify_error) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "the server's certificate must be renewed; until then nothing but --no-verify connects (insecure)";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "check this machine's clock, or wait until the certificate's start of validity";
    default: break;
    }
    std::string issuer;
    if (!r.server_chain.empty()) issuer = r.server_chain.back().summary.issuer;
    std::string fix = "trust the CA that issued the server's certificate";
    if (!issuer.empty()) fix += " ('" + issuer + "')";
    fix += ca_file.empty() ? ": give its PEM file with --cafile (cqlshrc [ssl] certfile)"
                           : ": '" + std::string(ca_file) + "' does not hold it; give the right file with --cafile";
    return fix;
}

void judge_client(const inspect::tls_inspection& r, tls_check_judgement& j) {
    const std::string subject = r.client_certificate ? r.client_certificate->summary.subject : std::string();
    if (r.client_key_matches && !*r.client_key_matches) {
        add(j, "the private key does not belong to the client certificate '" + subject + "'",
            "give the key the certificate was issued for (--key / cqlshrc [ssl] userkey), or the certificate of this key",
            exit_code::tls_check_client_certificate);
    } else if (!r.client_identity_problem.empty()) {
        add(j, "the client certificate could not be used: " + r.client_identity_problem,
            "fix the client certificate and key files (--cert/--key, cqlshrc [ssl] usercert/userkey)",
            exit_code::tls_check_client_certificate);
    }
    const std::string accepted_cas =
        r.acceptable_client_ca_names.empty() ? std::string() : " (" + join(r.acceptable_client_ca_names, "; ") + ")";
    switch (r.client_verdict) {
    case client_certificate_verdict::rejected: {
        std::string fix;
        if (r.client_issuer_acceptable && !*r.client_issuer_acceptable) {
            fix = "the certificate is issued by '" + r.client_certificate->summary.issuer +
                  "', which is not among the CAs the server accepts" + accepted_cas +
                  ": use a certificate issued by one of them, or add its CA to the server's truststore";
        } else {
            fix = "add the client certificate (or the CA that issued it) to the server's truststore";
            if (r.client_certificate && r.client_certificate->expired()) fix = "renew the client certificate: it has expired";
        }
        // The detail (which alert, "most likely") is on the report's verdict line for the certificate.
        add(j, "the server rejected the client certificate '" + subject + "'", fix,
            exit_code::tls_check_client_certificate);
        break;
    }
    case client_certificate_verdict::required:
        if (j.findings.empty() || j.findings.back().code != exit_code::tls_check_client_certificate) {
            std::string fix = "present a client certificate the server trusts: --cert FILE --key FILE (cqlshrc [ssl] "
                              "usercert/userkey)";
            if (!accepted_cas.empty()) fix += ", issued by one of the CAs it accepts" + accepted_cas;
            add(j, "the server requires a client certificate and none was presented: " + r.client_verdict_detail, fix,
                exit_code::tls_check_client_certificate);
        }
        break;
    default: break;
    }
}

std::string days_text(std::int64_t seconds) {
    const std::int64_t days = seconds / seconds_per_day;
    return std::to_string(days) + (days == 1 || days == -1 ? " day" : " days");
}

std::string validity(const inspect::inspected_certificate& c) {
    std::string m = c.summary.not_before + " .. " + c.summary.not_after;
    if (c.expired()) m += " (EXPIRED " + days_text(-c.seconds_until_expiry) + " ago)";
    else if (c.not_yet_valid()) m += " (NOT VALID YET)";
    else m += " (" + days_text(c.seconds_until_expiry) + " left)";
    return m;
}

std::string key_text(const inspect::inspected_certificate& c) {
    return c.key_type.empty() ? std::string("(unknown)") : c.key_type + " " + std::to_string(c.key_bits) + " bits";
}

std::string yes_no(const std::optional<bool>& v, std::string_view unknown) {
    if (!v) return std::string(unknown);
    return *v ? "yes" : "NO";
}

// ---- JSON -------------------------------------------------------------------------------------

class json_object {
public:
    json_object& field(std::string_view name, std::string_view value) { return raw(name, json_quote(value)); }
    json_object& field(std::string_view name, const char* value) { return raw(name, json_quote(value)); }
    json_object& field(std::string_view name, bool value) { return raw(name, value ? "true" : "false"); }
    json_object& field(std::string_view name, std::int64_t value) { return raw(name, std::to_string(value)); }
    json_object& field(std::string_view name, int value) { return raw(name, std::to_string(value)); }
    json_object& field(std::string_view name, const std::optional<bool>& value) {
        return raw(name, !value ? "null" : (*value ? "true" : "false"));
    }
    json_object& field(std::string_view name, const std::vector<std::string>& values) {
        std::string a = "[";
        for (std::size_t i = 0; i < values.size(); ++i) a += (i ? "," : "") + json_quote(values[i]);
        return raw(name, a + "]");
    }
    json_object& raw(std::string_view name, std::string_view json) {
        text_ += (text_.empty() ? "" : ",") + json_quote(name) + ":" + std::string(json);
        return *this;
    }
    std::string str() const { return "{" + text_ + "}"; }

private:
    std::string text_;
};

std::string certificate_json(const inspect::inspected_certificate& c) {
    json_object o;
    o.field("depth", c.summary.depth)
        .field("subject", c.summary.subject)
        .field("issuer", c.summary.issuer)
        .field("not_before", c.summary.not_before)
        .field("not_after", c.summary.not_after)
        .field("days_until_expiry", c.seconds_until_expiry / seconds_per_day)
        .field("dns_names", c.summary.dns_names)
        .field("ip_addresses", c.summary.ip_addresses)
        .field("key_type", c.key_type)
        .field("key_bits", c.key_bits);
    return o.str();
}

}  // namespace

bool split_host_port(std::string_view text, std::string& host, std::optional<std::uint16_t>& port, std::string* why) {
    port.reset();
    // The main command's contact points, one of them: a port of 0 stands for "none given".
    std::vector<cluster::contact_point> points;
    protocol::diagnostics diag;
    if (cluster::parse_contact_points(text, 0, points, diag)) {
        if (why != nullptr) *why = diag.client_message();
        return false;
    }
    if (points.size() != 1) {
        if (why != nullptr)
            *why = "tls-check checks one server, and this is a list of " + std::to_string(points.size()) +
                   " contact points: give the one to check";
        return false;
    }
    host = points.front().host;
    if (points.front().port != 0) port = points.front().port;
    return true;
}

tls_check_judgement judge_tls_check(const inspect::tls_inspection& r, std::string_view ca_file) {
    tls_check_judgement j;
    if (!r.handshake_completed && r.speaks != port_protocol::tls) {
        judge_not_tls(r, j);
    } else {
        if (!r.server_chain.empty() && !r.chain_verified)
            add(j, verify_problem(r), verify_fix(r, ca_file), exit_code::tls_check_server_identity);
        if (!r.server_chain.empty() && !r.name_matches) {
            add(j,
                "the server's certificate is not valid for " + std::string(r.expected_is_ip ? "the IP address '" : "'") +
                    r.expected_name + "'; it names " + sans_of(r),
                "connect by one of the names the certificate holds, or pass --server-name with one of them; otherwise "
                "the server needs a certificate issued for '" + r.expected_name + "'",
                exit_code::tls_check_server_identity);
        }
        judge_client(r, j);
        if (!r.handshake_completed && j.findings.empty()) {
            add(j, "the TLS handshake failed: " + r.handshake_message,
                "check the TLS versions (--tls-min/--tls-max) and what the server accepts", exit_code::tls);
        }
    }
    if (j.findings.empty()) {
        j.code = exit_code::success;
        j.verdict = "OK: a connection to " + where(r) + " with these settings passes TLS";
        if (r.client_verdict == client_certificate_verdict::accepted) j.verdict += ", client certificate accepted";
        else if (r.client_verdict == client_certificate_verdict::not_requested) j.verdict += " (no client certificate requested)";
        else if (r.client_verdict == client_certificate_verdict::unknown)
            j.verdict += "; the server's verdict on the client certificate is unknown (" + r.client_verdict_detail + ")";
        if (!r.warnings.empty())
            j.verdict += " — with " + std::to_string(r.warnings.size()) + (r.warnings.size() == 1 ? " warning" : " warnings");
    } else {
        j.code = j.findings.front().code;
        j.verdict = "FAILED: " + j.findings.front().problem;
        if (j.findings.size() > 1) j.verdict += " (and " + std::to_string(j.findings.size() - 1) + " more)";
    }
    return j;
}

std::string format_tls_check_text(const inspect::tls_inspection& r, const tls_check_judgement& j,
                                  std::string_view ca_file) {
    std::string t;
    t += "tls-check " + where(r) + (r.endpoint.empty() || r.endpoint == where(r) ? "" : " (" + r.endpoint + ")") + "\n";
    if (r.handshake_completed) {
        t += "  TLS:               " + r.tls_version + ", " + r.cipher + "\n";
    } else {
        t += "  TLS:               handshake FAILED: " + r.handshake_message + "\n";
        if (r.speaks != port_protocol::tls) t += "  Plaintext probe:   " + r.plaintext_answer + "\n";
    }
    if (!r.server_chain.empty()) {
        t += "  Server chain (as sent):\n";
        for (const auto& c : r.server_chain) {
            t += "    [" + std::to_string(c.summary.depth) + "] subject: " + c.summary.subject + "\n";
            t += "        issuer:  " + c.summary.issuer + "\n";
            t += "        valid:   " + validity(c) + "\n";
            t += "        key:     " + key_text(c) + "\n";
            t += "        SANs:    " + transport::format_subject_alt_names(c.summary) + "\n";
        }
        t += "  Trust:             " +
             (r.chain_verified ? "verified against " + trust_source(r, ca_file)
                               : "NOT verified against " + trust_source(r, ca_file) + ": " + r.verify_error_name) +
             "\n";
        t += "  Name:              '" + r.expected_name + "' " + (r.name_matches ? "matches" : "does NOT match") +
             " (SANs: " + sans_of(r) + ")\n";
    }
    if (r.handshake_completed || r.certificate_requested) {
        t += "  Client certificate requested: " + std::string(r.certificate_requested ? "yes" : "no") + "\n";
        if (r.certificate_requested) {
            t += "  CAs the server accepts for client certificates:";
            if (r.acceptable_client_ca_names.empty()) t += " (none named)\n";
            else {
                t += "\n";
                for (const auto& name : r.acceptable_client_ca_names) t += "    " + name + "\n";
            }
        }
    }
    if (r.client_certificate) {
        const auto& c = *r.client_certificate;
        t += "  Client certificate: " + c.summary.subject + "\n";
        t += "        issuer:  " + c.summary.issuer + "\n";
        t += "        valid:   " + validity(c) + "\n";
        t += "        key:     " + key_text(c) + "\n";
        t += "        issued by a CA the server accepts: " + yes_no(r.client_issuer_acceptable, "(not known)") + "\n";
        t += "        private key matches: " + yes_no(r.client_key_matches, "(key not readable)") + "\n";
    } else {
        t += "  Client certificate: none configured\n";
    }
    if (r.handshake_completed || r.speaks == port_protocol::tls) {
        t += "  Server verdict on the client certificate: " + std::string(inspect::to_string(r.client_verdict));
        if (!r.client_verdict_detail.empty()) t += " (" + r.client_verdict_detail + ")";
        t += "\n";
    }
    for (const auto& w : r.warnings) t += "  WARNING: " + w + "\n";
    t += "Verdict: " + j.verdict + "\n";
    for (const auto& f : j.findings) {
        if (j.findings.size() > 1) t += "  - " + f.problem + "\n";
        t += "Fix: " + f.fix + "\n";
    }
    return printable_lines(t);
}

std::string format_tls_check_json(const inspect::tls_inspection& r, const tls_check_judgement& j,
                                  std::string_view ca_file) {
    std::string chain = "[";
    for (std::size_t i = 0; i < r.server_chain.size(); ++i) chain += (i ? "," : "") + certificate_json(r.server_chain[i]);
    chain += "]";
    std::string findings = "[";
    for (std::size_t i = 0; i < j.findings.size(); ++i) {
        json_object f;
        f.field("problem", j.findings[i].problem).field("fix", j.findings[i].fix).field("exit_code", to_int(j.findings[i].code));
        findings += (i ? "," : "") + f.str();
    }
    findings += "]";
    json_object o;
    o.field("host", r.host)
        .field("port", static_cast<int>(r.port))
        .field("endpoint", r.endpoint)
        .field("handshake_completed", r.handshake_completed)
        .field("tls_version", r.tls_version)
        .field("cipher", r.cipher)
        .field("handshake_error", r.handshake_message)
        .field("port_speaks", inspect::to_string(r.speaks))
        .field("plaintext_answer", r.plaintext_answer)
        .raw("server_chain", chain)
        .field("trust_source", trust_source(r, ca_file))
        .field("chain_verified", r.chain_verified)
        .field("verify_error", r.chain_verified ? std::string() : r.verify_error_name)
        .field("verify_error_depth", r.verify_error_depth)
        .field("expected_name", r.expected_name)
        .field("name_matches", r.name_matches)
        .field("client_certificate_requested", r.certificate_requested)
        .field("acceptable_client_ca_names", r.acceptable_client_ca_names)
        .raw("client_certificate", r.client_certificate ? certificate_json(*r.client_certificate) : "null")
        .field("client_issuer_acceptable", r.client_issuer_acceptable)
        .field("client_key_matches", r.client_key_matches)
        .field("client_certificate_verdict", inspect::to_string(r.client_verdict))
        .field("client_certificate_verdict_detail", r.client_verdict_detail)
        .field("warnings", r.warnings)
        .field("verdict", j.verdict)
        .raw("findings", findings)
        .field("exit_code", to_int(j.code));
    return o.str() + "\n";
}

int run_tls_check(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    auto fail = [&](const std::error_code& ec, std::string_view message) {
        err << "cqlwire tls-check: " << message << "\n";
        return to_int(exit_code_for(ec));
    };
    cli_options flags;
    std::string message;
    if (auto ec = parse_command_line(args, flags, message)) return fail(ec, message);
    if (flags.help) {
        out << "Usage: cqlwire tls-check [options] [HOST[:PORT]]\n\n"
               "Diagnoses TLS to a Cassandra port with the settings of the main command (cqlshrc, --cafile,\n"
               "--cert, --key, --server-name, --tls-min/--tls-max): the TLS version and cipher, the server's\n"
               "chain, whether it verifies and names the host, the CAs the server accepts for client\n"
               "certificates, whether ours is issued by one of them, matches its key and is accepted.\n"
               "--format json prints one JSON object.\n\n"
            << exit_codes_help();
        return 0;
    }
    if (flags.format && *flags.format == output_format::csv)
        return fail(make_error_code(cli_errc::usage), "--format for tls-check is table (text, the default) or json");
    if (flags.host) {
        std::string host;
        std::optional<std::uint16_t> port;
        std::string why;
        if (!split_host_port(*flags.host, host, port, &why))
            return fail(make_error_code(cli_errc::usage), "invalid HOST[:PORT]: " + why);
        if (port && flags.port) return fail(make_error_code(cli_errc::usage), "the port is given twice");
        flags.host = host;
        if (port) flags.port = port;
    }

    settings s;
    if (int code = load_settings(flags, process_environment(), s, err, "cqlwire tls-check")) return code;
    if (const auto clash = output_overwriting_input(flags, process_environment(), s, ""); !clash.empty())
        return fail(make_error_code(cli_errc::usage), clash);
    // Only the key passphrase matters here: tls-check does not log in.
    if (auto ec = resolve_key_password(s, message)) return fail(ec, message);

    // inspect_tls defers verification itself, so that a failure still shows the chain.
    const transport::tls_options o = tls_options_from(s);

    inspect::tls_inspection_target target;
    target.host = s.host;
    target.port = s.port;
    if (!flags.host) {
        // From the cqlshrc or CQLSH_HOST: one host, perhaps with its port, as the command takes it.
        std::optional<std::uint16_t> port;
        std::string why;
        if (!split_host_port(s.host, target.host, port, &why)) {
            const auto ec = host_error(s, why);
            return fail(ec, why);
        }
        if (port) target.port = *port;
    }
    target.timeout = s.connect_timeout;
    inspect::tls_inspection result;
    protocol::diagnostics diag;
    if (auto ec = inspect::inspect_tls(o, target, result, diag)) {
        err << format_failure(ec, diag.client_message(), diag.server_message(), "tls-check");
        return to_int(exit_code_for(ec));
    }
    const auto judgement = judge_tls_check(result, s.tls.ca_file);
    const bool json = flags.format && *flags.format == output_format::json;
    out << (json ? format_tls_check_json(result, judgement, s.tls.ca_file)
                 : format_tls_check_text(result, judgement, s.tls.ca_file));
    out.flush();
    return to_int(judgement.code);
}

}  // namespace cqlwire::cli

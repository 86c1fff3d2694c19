#include "report.hpp"

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"
#include "withheld_secrets.hpp"

namespace cqlwire::cli {

std::string_view hint_for(const std::error_code& ec) noexcept {
    using transport::errc;
    if (ec.category() == transport::transport_category()) {
        switch (static_cast<errc>(ec.value())) {
        case errc::resolve_failed: return "check the host name";
        case errc::connect_failed: return "check the host, the port and that Cassandra is listening";
        case errc::connect_timeout:
        case errc::handshake_timeout: return "check the host and port, or raise --connect-timeout";
        case errc::request_timeout: return "raise --request-timeout";
        case errc::certificate_untrusted:
            return "pass the CA that signed the server's certificate with --cafile FILE (or [ssl] certfile)";
        case errc::certificate_name_mismatch:
            return "connect by the name in the certificate, or name it with --server-name NAME";
        case errc::certificate_expired:
        case errc::certificate_not_yet_valid: return "check the server's certificate dates and this machine's clock";
        case errc::client_certificate_required: return "give a client certificate with --cert FILE --key FILE";
        case errc::client_certificate_rejected:
            return "check that --cert/--key (or usercert/userkey in [ssl]) name a certificate the server trusts, issued for TLS client authentication";
        case errc::server_expects_tls: return "add --ssl (or ssl = true in [connection])";
        case errc::server_is_plaintext: return "this port does not speak TLS; drop --ssl or use the TLS port";
        case errc::authentication_failed: return "check the user name and password";
        case errc::credentials_required:
            return "use -u/--username and a password (--password-file, CQLWIRE_PASSWORD or the prompt)";
        case errc::certificate_login_needs_certificate:
            return "give the client certificate whose identity the server maps to a role with --cert FILE --key FILE";
        case errc::unsupported_protocol_version: return "cqlwire speaks protocol v4 (Cassandra 2.2 and later)";
        default: return {};
        }
    }
    if (ec == protocol::server_errc::bad_credentials) return "check the user name and password";
    return {};
}

namespace {

// `text` with control characters escaped (\n, \t, \xHH), appended to `out`; with `quotes`,
// `"` and `\` too (for text shown between quotes).
void append_escaped(std::string& out, std::string_view text, bool quotes = true) {
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        if (quotes && (c == '"' || c == '\\')) {
            out.push_back('\\');
            out.push_back(ch);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7F) {
            protocol::append_byte_escape(out, c);
        } else {
            out.push_back(ch);
        }
    }
}

}  // namespace

std::string quote_untrusted(std::string_view text) {
    std::string out = "\"";
    append_escaped(out, text);
    out.push_back('"');
    return out;
}

std::string format_failure(const std::error_code& ec, std::string_view client_detail_given,
                           std::string_view server_text_given, std::string_view context) {
    // A server may quote the credentials of the login under way (withheld_secrets.hpp).
    const std::string client_withheld = without_withheld_secrets(client_detail_given);
    const std::string server_withheld = without_withheld_secrets(server_text_given);
    const std::string_view client_detail = client_withheld;
    const std::string_view server_text = server_withheld;
    std::string line = "cqlwire: ";
    if (!context.empty()) {
        append_escaped(line, context, false);  // a file name may hold a line break
        line += ": ";
    }

    // With these two the server's text is the authenticator class its AUTHENTICATE named, not
    // an error it reported: it belongs in the cause, not on a "server said" line.
    if (ec == transport::errc::credentials_required) {
        // The code says the whole cause; the detail would only repeat it.
        line += "the server requires authentication";
        if (!server_text.empty()) {
            line += " (";
            append_escaped(line, server_text);
            line += ")";
        }
        line += ", but no credentials were given; " + std::string(hint_for(ec)) + "\n";
        return line;
    }
    if (ec == transport::errc::certificate_login_needs_certificate) {
        line += "the server's authenticator";
        if (!server_text.empty()) {
            line += " (";
            append_escaped(line, server_text);
            line += ")";
        }
        line += " logs in by TLS client certificate, but this connection presented none; no credentials were sent; " +
                std::string(hint_for(ec)) + "\n";
        return line;
    }
    if (ec == transport::errc::authenticator_not_allowed && !server_text.empty()) {
        line += "the server's authenticator (";
        append_escaped(line, server_text);
        line += ") is not on the allow-list";
        if (!client_detail.empty()) line += ": " + std::string(client_detail);
        line += "\n";
        return line;
    }

    const std::string cause = ec.message();
    line += cause;
    if (ec.category() == protocol::server_category() && !server_text.empty()) {
        // An ERROR from the server: its code and its own words on one line, which is what a
        // reader (and a log search) needs; the words are untrusted, so controls are escaped.
        line += ": ";
        append_escaped(line, server_text, false);
        if (!client_detail.empty() && client_detail != cause && client_detail != server_text)
            line += " (" + std::string(client_detail) + ")";
        if (const auto hint = hint_for(ec); !hint.empty()) line += " (" + std::string(hint) + ")";
        line += "\n";
        return line;
    }
    // A detail that only repeats the cause is left out.
    if (!client_detail.empty() && client_detail != cause) {
        line += ": ";
        append_escaped(line, client_detail, false);  // it may quote a path or a value
    }
    // The server's own words belong to the same one line, quoted: they are untrusted.
    if (!server_text.empty()) line += "; the server said " + quote_untrusted(server_text);
    if (const auto hint = hint_for(ec); !hint.empty()) line += " (" + std::string(hint) + ")";
    line += "\n";
    return line;
}

}  // namespace cqlwire::cli

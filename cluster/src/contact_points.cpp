#include "cqlwire/cluster/contact_points.hpp"

#include <charconv>

#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "quoted_text.hpp"

namespace cqlwire::cluster {
namespace {

// The longest a DNS name can be (RFC 1035), and so a host.
constexpr std::size_t max_host_length = 253;

bool parse_port(std::string_view text, std::uint16_t& out) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value == 0 || value > 65535)
        return false;
    out = static_cast<std::uint16_t>(value);
    return true;
}

// An entry as quoted in a message: every byte beyond printable ASCII escaped (a host is ASCII),
// and a long one cut.
std::string quoted(std::string_view entry) { return quoted_text(entry, true, 80); }

std::error_code bad(std::string_view entry, std::string_view why, protocol::diagnostics& diag) {
    diag.set_client_message("contact point " + quoted(entry) + ": " + std::string(why));
    return make_error_code(errc::bad_contact_point);
}

constexpr bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// An IP address literal, IPv6 with an optional zone ("fe80::1%eth0").
bool is_ip_literal(std::string_view text) {
    const auto percent = text.find('%');
    if (percent != std::string_view::npos) {
        const auto zone = text.substr(percent + 1);
        if (zone.empty() || text.find(':') == std::string_view::npos) return false;
        for (const char c : zone)
            if (!is_alnum(c) && c != '-' && c != '_' && c != '.') return false;
        text = text.substr(0, percent);
    }
    return protocol::parse_inet_address(text).has_value();
}

// A host name or an IPv4 literal: letters, digits, '-', '_' and '.', at most 253 of them.
std::error_code check_host_name(std::string_view entry, std::string_view host, protocol::diagnostics& diag) {
    if (host.size() > max_host_length)
        return bad(entry, "the host is longer than " + std::to_string(max_host_length) +
                              " characters, more than a host name can be", diag);
    for (const char c : host) {
        if (is_alnum(c) || c == '-' || c == '_' || c == '.') continue;
        const auto u = static_cast<unsigned char>(c);
        // Beyond ASCII the resolver takes no name as it is (and a terminal may hide or reorder
        // what is shown): an internationalized name is written in its xn-- form.
        if (u >= 0x80)
            return bad(entry, "a host name is ASCII (write an internationalized name in its xn-- form)", diag);
        if (u <= 0x20 || u == 0x7f)
            return bad(entry, "a host name has no spaces or control characters (separate contact points with commas)",
                       diag);
        return bad(entry, std::string("'") + c + "' cannot be part of a host name", diag);
    }
    return {};
}

std::error_code parse_one(std::string_view entry, std::uint16_t default_port, contact_point& out,
                          protocol::diagnostics& diag) {
    out.port = default_port;
    if (entry.front() == '[') {
        const auto close = entry.find(']');
        if (close == std::string_view::npos) return bad(entry, "the '[' is never closed", diag);
        out.host = std::string(entry.substr(1, close - 1));
        if (out.host.empty()) return bad(entry, "no address between the brackets", diag);
        if (!is_ip_literal(out.host)) return bad(entry, "what is between the brackets is not an IP address", diag);
        const auto rest = entry.substr(close + 1);
        if (rest.empty()) return {};
        if (rest.front() != ':' || !parse_port(rest.substr(1), out.port))
            return bad(entry, "after ']' only ':' and a port 1..65535 may follow", diag);
        return {};
    }
    const auto colon = entry.find(':');
    if (colon == std::string_view::npos) {
        out.host = std::string(entry);
        return check_host_name(entry, entry, diag);
    }
    // More than one colon: an IPv6 address written without brackets, so no port.
    if (entry.find(':', colon + 1) != std::string_view::npos) {
        if (!is_ip_literal(entry))
            return bad(entry, "not an IPv6 address; a port after one is written [address]:port", diag);
        out.host = std::string(entry);
        return {};
    }
    out.host = std::string(entry.substr(0, colon));
    if (out.host.empty()) return bad(entry, "no host before the ':'", diag);
    if (auto ec = check_host_name(entry, out.host, diag)) return ec;
    if (!parse_port(entry.substr(colon + 1), out.port)) return bad(entry, "the port is not a number 1..65535", diag);
    return {};
}

}  // namespace

std::error_code parse_contact_points(std::string_view list, std::uint16_t default_port,
                                     std::vector<contact_point>& out, protocol::diagnostics& diag) {
    std::vector<contact_point> points;
    if (protocol::trim_ascii_blank(list).empty()) {
        diag.set_client_message("no contact point: give a host, or several separated by commas");
        return make_error_code(errc::no_contact_point);
    }
    for (std::size_t number = 1;; ++number) {
        const auto comma = list.find(',');
        const auto entry = protocol::trim_ascii_blank(list.substr(0, comma));
        if (entry.empty()) {
            diag.set_client_message("contact point " + std::to_string(number) +
                                    " of the list is empty (two commas in a row, or one at an end)");
            return make_error_code(errc::bad_contact_point);
        }
        if (number > max_contact_points) {
            diag.set_client_message("more than " + std::to_string(max_contact_points) +
                                    " contact points: give a few of the cluster's nodes");
            return make_error_code(errc::bad_contact_point);
        }
        contact_point point;
        if (auto ec = parse_one(entry, default_port, point, diag)) return ec;
        points.push_back(std::move(point));
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    out = std::move(points);
    return {};
}

}  // namespace cqlwire::cluster

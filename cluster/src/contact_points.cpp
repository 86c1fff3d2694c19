#include "cqlwire/cluster/contact_points.hpp"

#include <charconv>

#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cluster {
namespace {

bool parse_port(std::string_view text, std::uint16_t& out) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || value == 0 || value > 65535)
        return false;
    out = static_cast<std::uint16_t>(value);
    return true;
}

std::error_code bad(std::string_view entry, std::string_view why, protocol::diagnostics& diag) {
    diag.set_client_message("contact point '" + std::string(entry) + "': " + std::string(why));
    return make_error_code(errc::bad_contact_point);
}

std::error_code parse_one(std::string_view entry, std::uint16_t default_port, contact_point& out,
                          protocol::diagnostics& diag) {
    out.port = default_port;
    if (entry.front() == '[') {
        const auto close = entry.find(']');
        if (close == std::string_view::npos) return bad(entry, "the '[' is never closed", diag);
        out.host = std::string(entry.substr(1, close - 1));
        if (out.host.empty()) return bad(entry, "no address between the brackets", diag);
        const auto rest = entry.substr(close + 1);
        if (rest.empty()) return {};
        if (rest.front() != ':' || !parse_port(rest.substr(1), out.port))
            return bad(entry, "after ']' only ':' and a port 1..65535 may follow", diag);
        return {};
    }
    const auto colon = entry.find(':');
    if (colon == std::string_view::npos) {
        out.host = std::string(entry);
        return {};
    }
    // More than one colon: an IPv6 address written without brackets, so no port.
    if (entry.find(':', colon + 1) != std::string_view::npos) {
        out.host = std::string(entry);
        return {};
    }
    out.host = std::string(entry.substr(0, colon));
    if (out.host.empty()) return bad(entry, "no host before the ':'", diag);
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
    while (true) {
        const auto comma = list.find(',');
        const auto entry = protocol::trim_ascii_blank(list.substr(0, comma));
        if (entry.empty()) return bad(list, "an empty entry in the list", diag);
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

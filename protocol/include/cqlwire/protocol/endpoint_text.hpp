// How a host and port are written, and read back, everywhere an endpoint is shown or given:
// "host:port", with an IPv6 address in brackets ("[::1]:9042") so that its colons are not
// taken for the port's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cqlwire::protocol {

// `host` without the brackets around it, if it has them ("[::1]" → "::1").
constexpr std::string_view strip_brackets(std::string_view host) noexcept {
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') return host.substr(1, host.size() - 2);
    return host;
}

// "host:port"; a host with a colon in it (an IPv6 address) is put in brackets unless it has them.
// The port is an int because that is what a server's [inet] carries; it is shown as sent.
inline std::string endpoint_text(std::string_view host, std::int32_t port) {
    const bool bracket = host.find(':') != std::string_view::npos && !(host.size() >= 2 && host.front() == '[');
    std::string out;
    out.reserve(host.size() + 8);
    if (bracket) out.push_back('[');
    out.append(host);
    if (bracket) out.push_back(']');
    out.push_back(':');
    out += std::to_string(port);
    return out;
}

}  // namespace cqlwire::protocol

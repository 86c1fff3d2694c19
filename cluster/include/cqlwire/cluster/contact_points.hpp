// Contact points: the nodes a session dials first to discover the rest. Written as one
// comma-separated list, as the command's host argument and a cqlshrc's `[connection] hostname`
// take them: `host`, `host:port`, `[v6-address]` or `[v6-address]:port`; an IPv6 address
// without brackets is a host without a port.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/cluster/export.hpp"
#include "cqlwire/protocol/diagnostics.hpp"

namespace cqlwire::cluster {

struct contact_point {
    std::string host;  // a DNS name or an IP literal, without brackets
    std::uint16_t port = 9042;
    friend bool operator==(const contact_point&, const contact_point&) = default;
};

// Contact points are a few of the cluster's nodes; a longer list is refused (each entry that
// does not answer costs a connect timeout).
inline constexpr std::size_t max_contact_points = 100;

// Parses `list`; entries without a port take `default_port`. Spaces around entries are
// ignored. Fails with errc::no_contact_point for a list with no entry, errc::bad_contact_point
// for an empty entry (",,"), an unclosed bracket, a port that is not 1..65535, a host with a
// character no host name has (a space, a control character, '/', '@'...) or longer than 253
// characters, more than one ':' in something that is not an IPv6 address, brackets around
// something that is not an IP address, or more than max_contact_points entries; `diag` quotes
// the entry at fault (its control characters escaped).
[[nodiscard]] CQLWIRE_CLUSTER_API std::error_code parse_contact_points(std::string_view list, std::uint16_t default_port,
                                                                       std::vector<contact_point>& out,
                                                                       protocol::diagnostics& diag);

}  // namespace cqlwire::cluster

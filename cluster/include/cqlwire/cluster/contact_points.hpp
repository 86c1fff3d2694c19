// Contact points: the nodes a session dials first to discover the rest. Written as one
// comma-separated list, as the command's host argument and a cqlshrc's `[connection] hostname`
// take them: `host`, `host:port`, `[v6-address]` or `[v6-address]:port`; an IPv6 address
// without brackets is a host without a port.
#pragma once

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

// Parses `list`; entries without a port take `default_port`. Spaces around entries are
// ignored. Fails with errc::no_contact_point for a list with no entry, errc::bad_contact_point
// for an empty entry (",,"), an unclosed bracket or a port that is not 1..65535; `diag` quotes
// the entry at fault.
[[nodiscard]] CQLWIRE_CLUSTER_API std::error_code parse_contact_points(std::string_view list, std::uint16_t default_port,
                                                                       std::vector<contact_point>& out,
                                                                       protocol::diagnostics& diag);

}  // namespace cqlwire::cluster

// The errors of the cluster session itself, beside the transport's (a connection's failure) and
// the server's (protocol::server_errc), which a request passes on unchanged.
#pragma once

#include <system_error>

#include "cqlwire/cluster/export.hpp"

namespace cqlwire::cluster {

enum class errc {
    no_contact_point = 1,   // the options name no contact point
    bad_contact_point,      // a contact point that is not `host`, `host:port` or `[v6]:port`
    no_node_reachable,      // start-up: no contact point could be connected to and logged in
    no_node_available,      // a request found no node to try, or every node it tried failed
    session_closed,         // the session was closed before the request completed
    bad_topology,           // the system tables describe no usable node
    unknown_local_datacenter,  // start-up: local_datacenter names no data center of the cluster
};

CQLWIRE_CLUSTER_API const std::error_category& cluster_category() noexcept;
CQLWIRE_CLUSTER_API std::error_code make_error_code(errc e) noexcept;

}  // namespace cqlwire::cluster

template <>
struct std::is_error_code_enum<cqlwire::cluster::errc> : std::true_type {};

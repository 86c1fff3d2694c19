#include "cqlwire/cluster/errc.hpp"

#include <string>

namespace cqlwire::cluster {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.cluster"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::no_contact_point: return "no contact point was given";
        case errc::bad_contact_point: return "a contact point is not host, host:port or [address]:port";
        case errc::no_node_reachable: return "no contact point could be reached";
        case errc::no_node_available: return "no node could serve the request";
        case errc::session_closed: return "the session is closed";
        case errc::bad_topology: return "the cluster's system tables describe no usable node";
        case errc::unknown_local_datacenter: return "the local data center given is not one of the cluster's";
        }
        return "unknown cqlwire.cluster error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& cluster_category() noexcept {
    static const category_impl instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), cluster_category()}; }

}  // namespace cqlwire::cluster

#include "connection_registry.hpp"

#include <algorithm>

#include "connection_impl.hpp"

namespace cqlwire::transport::detail {

boost::asio::execution_context::id connection_registry::id;

void connection_registry::add(const std::shared_ptr<connection_impl>& connection) {
    const std::lock_guard lock(mutex_);
    // Connections already gone are pruned here, so the list stays as long as the live ones.
    std::erase_if(connections_, [](const auto& c) { return c.expired(); });
    connections_.push_back(connection);
}

void connection_registry::shutdown() {
    // Held while their handlers are destroyed: a handler's destructor may drop the last handle
    // to this or another connection, which must not free one being worked on.
    std::vector<std::shared_ptr<connection_impl>> alive;
    {
        const std::lock_guard lock(mutex_);
        for (const auto& c : connections_)
            if (auto p = c.lock()) alive.push_back(std::move(p));
        connections_.clear();
    }
    for (const auto& c : alive) c->abandon();
}

}  // namespace cqlwire::transport::detail

#include <doctest/doctest.h>

#include "cqlwire/cluster/node.hpp"

namespace cluster = cqlwire::cluster;

TEST_CASE("node: every state has a name") {
    CHECK(cluster::to_string(cluster::node_state::unknown) == "unknown");
    CHECK(cluster::to_string(cluster::node_state::up) == "up");
    CHECK(cluster::to_string(cluster::node_state::down) == "down");
    CHECK(cluster::to_string(cluster::node_state::refused) == "refused");
    CHECK(cluster::to_string(cluster::node_state::removed) == "removed");
}

#include "cqlwire/cluster/node.hpp"

namespace cqlwire::cluster {

std::string_view to_string(node_state state) noexcept {
    switch (state) {
        case node_state::unknown: return "unknown";
        case node_state::up: return "up";
        case node_state::down: return "down";
        case node_state::refused: return "refused";
        case node_state::removed: return "removed";
    }
    return "invalid";
}

}  // namespace cqlwire::cluster

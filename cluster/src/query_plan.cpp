#include "query_plan.hpp"

#include <algorithm>

namespace cqlwire::cluster {

void make_query_plan(std::span<const plan_candidate> nodes, std::span<const std::size_t> replicas,
                     std::uint64_t rotation, bool allow_remote, query_plan& plan) {
    plan.clear();
    const auto taken = [&](std::size_t i) { return std::find(plan.begin(), plan.end(), i) != plan.end(); };
    // Replicas of one locality, rotated.
    const auto add_replicas = [&](bool local) {
        const std::size_t first = plan.size();
        for (const auto r : replicas)
            if (r < nodes.size() && nodes[r].usable && nodes[r].local == local && !taken(r)) plan.push_back(r);
        const std::size_t count = plan.size() - first;
        if (count > 1)
            std::rotate(plan.begin() + static_cast<std::ptrdiff_t>(first),
                        plan.begin() + static_cast<std::ptrdiff_t>(first + rotation % count), plan.end());
    };
    // The other nodes of one locality, round robin from a rotating start.
    const auto add_others = [&](bool local) {
        const std::size_t n = nodes.size();
        if (n == 0) return;
        const std::size_t start = rotation % n;
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t i = (start + k) % n;
            if (nodes[i].usable && nodes[i].local == local && !taken(i)) plan.push_back(i);
        }
    };
    add_replicas(true);
    add_others(true);
    if (!allow_remote) return;
    add_replicas(false);
    add_others(false);
}

}  // namespace cqlwire::cluster

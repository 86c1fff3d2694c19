#include "cqlwire/cluster/replication.hpp"

#include <optional>
#include <string_view>
#include <utility>

namespace cqlwire::cluster {

namespace {

constexpr std::string_view locator_package = "org.apache.cassandra.locator.";

// The short name of a class Cassandra would load for `name`: a name without a package is
// looked up in the locator package, so only that package may be dropped.
std::string_view short_class_name(std::string_view name) noexcept {
    if (name.starts_with(locator_package)) name.remove_prefix(locator_package.size());
    return name;
}

replication_kind kind_of(std::string_view class_name) noexcept {
    const auto name = short_class_name(class_name);
    if (name == "SimpleStrategy") return replication_kind::simple;
    if (name == "NetworkTopologyStrategy") return replication_kind::network_topology;
    if (name == "LocalStrategy") return replication_kind::local;
    if (name == "EverywhereStrategy") return replication_kind::everywhere;
    return replication_kind::other;
}

// Decimal digits only, at most max_replication_factor.
std::optional<int> parse_count(std::string_view text) noexcept {
    if (text.empty()) return std::nullopt;
    int value = 0;
    for (const char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        value = value * 10 + (c - '0');
        if (value > max_replication_factor) return std::nullopt;
    }
    return value;
}

// "N" or "N/T": N replicas in all, T of them transient; a transient replica still holds the
// token's range, so N is the count that routing uses.
std::optional<int> parse_factor(std::string_view text) noexcept {
    const auto slash = text.find('/');
    const auto total = parse_count(text.substr(0, slash));
    if (!total || slash == std::string_view::npos) return total;
    const auto transient = parse_count(text.substr(slash + 1));
    // At least one full replica, unless there is no replica at all.
    if (!transient || (*transient >= *total && *transient != 0)) return std::nullopt;
    return total;
}

}  // namespace

std::error_code parse_replication(const std::map<std::string, std::string>& options, replication_strategy& out) {
    const auto invalid = std::make_error_code(std::errc::invalid_argument);
    const auto class_option = options.find("class");
    if (class_option == options.end()) return invalid;

    replication_strategy parsed;
    parsed.class_name = class_option->second;
    parsed.kind = kind_of(parsed.class_name);
    switch (parsed.kind) {
        case replication_kind::simple: {
            const auto rf = options.find("replication_factor");
            if (rf == options.end()) return invalid;
            const auto factor = parse_factor(rf->second);
            if (!factor) return invalid;
            parsed.replication_factor = *factor;
            break;
        }
        case replication_kind::network_topology:
            for (const auto& [key, value] : options) {
                if (key == "class" || key == "replication_factor") continue;
                const auto factor = parse_factor(value);
                if (!factor) return invalid;
                parsed.datacenter_factors.emplace(key, *factor);
            }
            break;
        case replication_kind::local:
        case replication_kind::everywhere:
        case replication_kind::other: break;
    }
    out = std::move(parsed);
    return {};
}

}  // namespace cqlwire::cluster

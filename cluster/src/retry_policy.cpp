#include "cqlwire/cluster/retry_policy.hpp"

#include <variant>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::cluster {

std::string_view to_string(retry_decision d) noexcept {
    switch (d) {
        case retry_decision::rethrow: return "rethrow";
        case retry_decision::retry_same_node: return "retry same node";
        case retry_decision::retry_next_node: return "retry next node";
    }
    return "invalid";
}

retry_decision default_retry_policy::decide(const attempt_failure& f) const {
    using protocol::server_errc;
    const auto if_idempotent = f.idempotent ? retry_decision::retry_next_node : retry_decision::rethrow;
    if (!f.maybe_sent) return retry_decision::retry_next_node;
    if (f.server_error != nullptr) {
        const auto& details = f.server_error->details;
        if (f.error == server_errc::read_timeout) {
            const auto* t = std::get_if<protocol::read_timeout_info>(&details);
            return f.retries == 0 && t != nullptr && t->received >= t->block_for && !t->data_present
                       ? retry_decision::retry_same_node
                       : retry_decision::rethrow;
        }
        if (f.error == server_errc::write_timeout) {
            const auto* t = std::get_if<protocol::write_timeout_info>(&details);
            return f.retries == 0 && t != nullptr && t->write_type == "BATCH_LOG" ? retry_decision::retry_same_node
                                                                                  : retry_decision::rethrow;
        }
        if (f.error == server_errc::unavailable)
            return f.retries == 0 ? retry_decision::retry_next_node : retry_decision::rethrow;
        if (f.error == server_errc::is_bootstrapping) return retry_decision::retry_next_node;
        if (f.error == server_errc::overloaded || f.error == server_errc::server_error ||
            f.error == server_errc::truncate_error)
            return if_idempotent;
        return retry_decision::rethrow;
    }
    // Not a server ERROR: the request timed out, or its connection broke, while it was out.
    if (f.connection_failed || f.error == transport::errc::request_timeout) return if_idempotent;
    return retry_decision::rethrow;
}

}  // namespace cqlwire::cluster

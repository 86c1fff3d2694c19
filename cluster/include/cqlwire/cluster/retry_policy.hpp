// What a session does when one attempt of a request fails: give the error to the caller, try
// the same node again, or try the next node of the query plan.
//
// The default policy decides as the established drivers do, and never sends a statement twice
// when that could apply it twice, unless the statement says it is idempotent:
//   - read timeout: the same node once, when enough replicas answered but the data was missing
//     (the coordinator timed out waiting for the data replica, a retry will likely succeed);
//   - write timeout: the same node once, only for a BATCH_LOG write (the batch log was not
//     written, so the batch was not applied);
//   - unavailable: the next node once (another coordinator may see more replicas alive);
//   - bootstrapping: the next node (the node did not execute the request);
//   - overloaded, server error, truncate error, a request timeout or a connection that broke
//     while the request was in flight: the next node, only when the statement is idempotent;
//   - a request that never left the client (no stream id free, write buffer full): the next node;
//   - anything else (syntax, invalid, unauthorized, already exists, read/write failures...): the
//     caller gets the error.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>

#include "cqlwire/cluster/export.hpp"
#include "cqlwire/protocol/responses.hpp"

namespace cqlwire::cluster {

enum class retry_decision : std::uint8_t {
    rethrow,          // the request fails with this attempt's error
    retry_same_node,  // send it again to the node that failed it
    retry_next_node,  // send it to the next node of the query plan
};

[[nodiscard]] CQLWIRE_CLUSTER_API std::string_view to_string(retry_decision d) noexcept;

// What a retry policy is told about a failed attempt.
struct attempt_failure {
    std::error_code error;
    // The server's ERROR with its details, or null when the failure is not a server ERROR.
    const protocol::error_view* server_error = nullptr;
    bool idempotent = false;
    // Whether the request may have reached the server (false: it surely never left the client).
    bool maybe_sent = true;
    // Whether the attempt's connection broke (whatever the transport error that ended it).
    bool connection_failed = false;
    // Retries already made for this kind of failure (0 on the first failure).
    int retries = 0;
};

class CQLWIRE_CLUSTER_API retry_policy {
public:
    virtual ~retry_policy() = default;
    // Called on the session's executor; must not block.
    [[nodiscard]] virtual retry_decision decide(const attempt_failure& failure) const = 0;
};

class CQLWIRE_CLUSTER_API default_retry_policy final : public retry_policy {
public:
    [[nodiscard]] retry_decision decide(const attempt_failure& failure) const override;
};

}  // namespace cqlwire::cluster

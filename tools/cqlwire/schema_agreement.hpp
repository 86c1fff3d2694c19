// After a statement that changed the schema (a Schema_change result), the command waits, as
// cqlsh's driver does, until the other nodes have applied the change, so that the statements
// after it find the new table or column on every replica (without the wait, an INSERT right
// after a CREATE TABLE fails on a replica that has not seen the table yet).
//
// Asked on the command's one connection, which went to the node that carried the change out:
// its own schema version (system.local) and its peers' as gossip brought them (system.peers_v2,
// else system.peers), every 200 ms, for up to 10 s (the wait of cqlsh's driver). A peer that
// is down keeps its old version for ever, and the command has no pool to tell it is down (the
// driver does not wait for the nodes it knows are down): a peer still behind after 1 s is dialed
// once (TCP, its native address and port, 1 s at most), and one that refuses or does not
// answer is not waited for (nor by the schema changes of the next minute). When the wait runs
// out, a warning names the nodes that did not agree; the statements still run. A node that does
// not answer the questions, or answers without a version (a fake server), is not waited for.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::cli {

inline constexpr std::chrono::milliseconds schema_agreement_wait{10'000};
inline constexpr std::chrono::milliseconds schema_agreement_recheck{200};

inline constexpr std::chrono::milliseconds peer_probe_after{1'000};
// A peer found down is not dialed nor waited for again during this long (a script's next DDL
// statements do not each pay the second it took to find out).
inline constexpr std::chrono::seconds schema_down_peer_memory{60};
// A wait relies on it to skip, for the rest of that wait, a peer found down during it.
static_assert(schema_down_peer_memory > schema_agreement_wait);
inline constexpr std::chrono::milliseconds peer_probe_timeout{1'000};

// A row of system.peers_v2 (or system.peers): the peer's address as text, where clients reach
// it, and its schema version when it has one.
struct peer_schema_version {
    std::string address;
    std::optional<protocol::inet_address> native_address;
    std::uint16_t native_port = 0;
    std::optional<protocol::uuid> version;
};

// The peers whose schema version is not `local` (a peer without one is not counted: gossip has
// not told it yet, or it left).
std::vector<peer_schema_version> peers_not_at(const protocol::uuid& local, std::span<const peer_schema_version> peers);

// The warning printed when the wait ran out: names the peers (at most a few, then how many more).
std::string schema_disagreement_warning(std::span<const std::string> behind);

}  // namespace cqlwire::cli

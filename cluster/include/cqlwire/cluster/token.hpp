// Where a partition lives: the Murmur3 token Cassandra gives a partition key, the routing key a
// driver hashes for a composite partition key, and the decimal form in which nodes report their
// own tokens (system.local / system.peers `tokens`). Pure arithmetic: no I/O, no allocation
// except the routing key's buffer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/cluster/export.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::cluster {

// The token Cassandra's Murmur3Partitioner gives the partition key `key` (the routing key: the
// serialized value for a one-column partition key, compose_routing_key's output otherwise).
//
// This is the partitioner's own variant of MurmurHash3 x64_128 (seed 0), which differs from the
// reference hash for keys whose last `size % 16` bytes include one >= 0x80: it reads those tail
// bytes as signed, sign-extended to 64 bits (the body's 8-byte blocks are read unsigned, as in
// the reference). The token is the first 64-bit half of the hash, except that INT64_MIN, which
// the partitioner reserves as the ring's minimum, becomes INT64_MAX; and the empty key, which
// no stored partition can have, is INT64_MIN itself.
[[nodiscard]] CQLWIRE_CLUSTER_API std::int64_t murmur3_token(protocol::bytes_view key) noexcept;

// The longest component a composite routing key can carry: its length is written on 2 bytes.
inline constexpr std::size_t max_routing_key_component = 65535;

// Builds into `out` (replacing its content) the routing key of a partition key made of
// `components` (each the serialized value of one partition key column, in the table's order).
// One component is the key as it is; several make the "composite" of native protocol v4
// §4.2.5.4 (<pk_index>), laid out as Cassandra's CompositeType does: for each component a
// 2-byte big-endian length, its bytes, then one 0x00 byte.
//
// Errors (`out` is then empty; the statement has no token, so it is routed without one):
//   std::errc::invalid_argument  no component at all;
//   std::errc::value_too_large   a component of a composite key is longer than
//                                max_routing_key_component bytes (a single component has no
//                                such limit, since it is not length-prefixed).
[[nodiscard]] CQLWIRE_CLUSTER_API std::error_code compose_routing_key(std::span<const protocol::bytes_view> components,
                                                                      std::vector<std::uint8_t>& out);

// A token as nodes report it: decimal, an optional leading '-', nothing else (no '+', no
// spaces, no empty text); nullopt for anything that is not exactly a 64-bit signed integer.
[[nodiscard]] CQLWIRE_CLUSTER_API std::optional<std::int64_t> parse_token(std::string_view text) noexcept;

}  // namespace cqlwire::cluster

// Text pieces shared by the cqlsh-style and JSON renderers (internal to the protocol library).
// Each appends to `out` and allocates nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::protocol::detail {

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept;

void append_int(std::int64_t v, std::string& out);
// The exact decimal text of an integer value (tinyint ... counter) and of a decimal: the same
// digits in CQL text and in JSON, so both renderers call these.
[[nodiscard]] std::error_code append_integer_value(const value_view& v, std::string& out);
[[nodiscard]] std::error_code append_decimal_value(const value_view& v, std::string& out);
// At least `width` digits, zero-padded, with a leading '-' for negative values.
void append_padded(std::int64_t v, int width, std::string& out);
void append_uuid(bytes_view sixteen, std::string& out);    // 8-4-4-4-12 lower-case
// The form the C library's inet_ntop gives (what cqlsh shows): "::1", "::ffff:1.2.3.4".
void append_inet_c(bytes_view address, std::string& out);
// The form Java's InetAddress.getHostAddress gives (what Cassandra's JSON shows): eight
// uncompressed groups, and IPv4-mapped addresses as plain IPv4.
void append_inet_java(bytes_view address, std::string& out);
// Cassandra's Duration.toString: "-1y2mo3d4h5m6s7ms8us9ns", units with a zero count left out.
void append_duration(const cql_duration& d, std::string& out);
// HH:MM:SS.nnnnnnnnn for nanoseconds since midnight (checked by the caller).
void append_time_of_day(std::int64_t nanoseconds, std::string& out);

// NaN, Infinity or -Infinity when `d` is not finite (the words cqlsh, Java and CQL share);
// returns whether it wrote one.
bool append_non_finite(double d, std::string& out);

// Whether Java's toLowerCase would change `utf8` (valid UTF-8): whether it holds a capital
// letter. Recognises the capitals of ASCII, Latin-1, Latin Extended-A and Additional, Greek,
// Cyrillic, Armenian and the full-width Latin letters; capitals of other scripts count as not
// capitals (a name made of them is then written bare where the server would quote it).
bool has_capital_letter(std::string_view utf8) noexcept;

// Decodes one UTF-8 sequence at s[i] (already validated); returns the code point, advances i.
std::uint32_t next_code_point(std::string_view s, std::size_t& i) noexcept;

}  // namespace cqlwire::protocol::detail

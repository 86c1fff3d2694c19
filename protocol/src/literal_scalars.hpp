// The pieces of parse_cql_literal shared by its files (internal to the protocol library): the
// words of its reasons, the digit readers, and the readers of scalar values.
//
// Every reader takes the whole text of one value (trimmed, or unquoted from inside a composite
// value) and either sets `out` and returns true, or appends why it refuses the text to `why`
// and returns false, leaving `out` as it was.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cqlwire/protocol/parse_literal.hpp"

namespace cqlwire::protocol::detail {

// ---- words of the reasons ---------------------------------------------------------------------

// 'text' for a reason: at most 40 bytes (never half a character), then "..." when cut. Bytes
// that could steer a terminal (C0, DEL, C1), backslashes (so that an escape shown is always
// ours) and bytes that are not UTF-8 come out as \xNN.
void append_quoted(std::string_view s, std::string& out);
std::string quoted(std::string_view s);
// "an int", "a timeuuid", "a list": the type's CQL name behind its article.
std::string noun(const data_type& t);

// Each appends its reason and returns false, so that a reader can `return fail_...(...)`:
// "'x' is not an int (hint)", "'x' is out of range for int (range)", "nothing where an int was
// expected".
bool fail_not(std::string_view text, const data_type& t, std::string& why, std::string_view hint = {});
bool fail_range(std::string_view text, const data_type& t, std::string& why, std::string_view range = {});
bool fail_nothing(const data_type& t, std::string& why);

// Whether `s` is valid text of kind ascii (7-bit) or varchar (UTF-8); the reason if not.
bool check_text(std::string_view s, type_kind k, std::string& why);

// ---- digits -----------------------------------------------------------------------------------

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// An optional sign, then one or more decimal digits and nothing else.
bool split_sign(std::string_view s, bool& negative, std::string_view& digits) noexcept;

// The magnitude of decimal digits, or nullopt past `limit`. Leading zeros cost nothing.
std::optional<std::uint64_t> magnitude_of(std::string_view digits, std::uint64_t limit) noexcept;

// The largest magnitude an int64 of the sign holds.
constexpr std::uint64_t int64_magnitude_limit(bool negative) noexcept {
    return negative ? std::uint64_t{1} << 63 : ~std::uint64_t{0} >> 1;
}

// ±magnitude; magnitude must be within int64_magnitude_limit(negative).
constexpr std::int64_t signed_of(std::uint64_t magnitude, bool negative) noexcept {
    return static_cast<std::int64_t>(negative ? ~magnitude + 1 : magnitude);  // modular since C++20
}

// ---- readers ------------------------------------------------------------------------------------

// Any scalar type but text and ascii (literal_scalars.cpp); refuses an empty text.
bool parse_scalar(std::string_view s, const data_type& t, value& out, std::string& why, const literal_options& o);

// The temporal types (literal_temporal.cpp).
bool parse_date(std::string_view s, const data_type& t, value& out, std::string& why);
bool parse_time(std::string_view s, const data_type& t, value& out, std::string& why);
bool parse_timestamp(std::string_view s, const data_type& t, value& out, std::string& why);
bool parse_duration(std::string_view s, const data_type& t, value& out, std::string& why);

}  // namespace cqlwire::protocol::detail

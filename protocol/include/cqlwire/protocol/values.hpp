// Reading CQL values: typed converters from a value_view, and cursors over the elements of
// collections, tuples, UDTs and vectors (§6 of the v4 specification, plus the duration and
// vector encodings that v4 carries as custom types).
//
// Every converter checks the type kind first (type_mismatch), then the exact width of
// fixed-width values (bad_value_length), then the content (bad_utf8, bad_value,
// value_out_of_range). A null value gives null_value; a present value of zero bytes for a type
// whose values have content (an int, a uuid, a date...) gives empty_value: old tables may hold
// such "empty" values and they are neither null nor zero. Test with value_view::is_null() and
// value_view::is_empty() first when either matters.
//
// Nothing here allocates except the owning cql_varint / cql_decimal conversions. Views and
// cursors borrow from the value_view's buffer and type, with the same lifetime.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value_view.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

// ---- temporal types -------------------------------------------------------------------------

// A proleptic Gregorian calendar date (no year 0 problem: year 0 is 1 BC, year -1 is 2 BC).
struct CQLWIRE_PROTOCOL_API civil_date {
    std::int64_t year = 1970;
    unsigned month = 1;  // 1..12
    unsigned day = 1;    // 1..31
    friend bool operator==(const civil_date&, const civil_date&) = default;
};

// CQL `date`: on the wire an unsigned 32-bit day number with the epoch (1970-01-01) at 2^31,
// so that byte order is date order. Held here as signed days since the epoch.
struct CQLWIRE_PROTOCOL_API cql_date {
    std::int64_t days_since_epoch = 0;  // -2^31 .. 2^31-1 when it came from the wire

    static constexpr std::int64_t wire_epoch = std::int64_t{1} << 31;
    static cql_date from_wire(std::uint32_t raw) noexcept {
        return {static_cast<std::int64_t>(raw) - wire_epoch};
    }
    // The wire form; fails when days_since_epoch is outside the 32-bit range.
    [[nodiscard]] std::error_code to_wire(std::uint32_t& out) const noexcept;
    civil_date to_civil() const noexcept;  // any day count in ±2^40 or so, proleptic Gregorian
    static cql_date from_civil(const civil_date& d) noexcept;
    friend bool operator==(const cql_date&, const cql_date&) = default;
};

// CQL `time`: nanoseconds since midnight, 0 .. 86399999999999.
struct CQLWIRE_PROTOCOL_API cql_time {
    std::int64_t nanoseconds = 0;
    static constexpr std::int64_t max_nanoseconds = 86'399'999'999'999;
    bool is_valid() const noexcept { return nanoseconds >= 0 && nanoseconds <= max_nanoseconds; }
    friend bool operator==(const cql_time&, const cql_time&) = default;
};

// CQL `timestamp`: milliseconds since 1970-01-01T00:00:00Z (negative before), no time zone.
struct CQLWIRE_PROTOCOL_API cql_timestamp {
    std::int64_t milliseconds = 0;
    friend bool operator==(const cql_timestamp&, const cql_timestamp&) = default;
};

// CQL `duration`: months, days and nanoseconds kept apart because a month has no fixed number
// of days and a day no fixed number of nanoseconds. All three share one sign (the server
// refuses mixed signs, and so does the decoder).
struct CQLWIRE_PROTOCOL_API cql_duration {
    std::int32_t months = 0;
    std::int32_t days = 0;
    std::int64_t nanoseconds = 0;
    friend bool operator==(const cql_duration&, const cql_duration&) = default;
};

// ---- arbitrary-precision numbers --------------------------------------------------------------

// CQL `varint`: a big-endian two's-complement integer of any length, kept as its bytes so that
// nothing is lost.
struct CQLWIRE_PROTOCOL_API cql_varint {
    std::vector<std::uint8_t> bytes;  // minimal or not, as received; never empty when decoded

    // value_out_of_range unless the value fits an int64.
    [[nodiscard]] std::error_code to_int64(std::int64_t& out) const noexcept;
    std::string to_string() const;  // exact decimal, e.g. "-18446744073709551616"
    static cql_varint from_int64(std::int64_t v);
    friend bool operator==(const cql_varint&, const cql_varint&) = default;
};

// CQL `decimal`: unscaled * 10^-scale, exactly.
struct CQLWIRE_PROTOCOL_API cql_decimal {
    std::int32_t scale = 0;
    cql_varint unscaled;
    // The decimal's canonical text: plain digits while the exponent is small, scientific
    // notation ("1.23E-12", "1E+3") otherwise, following the rule Cassandra's JSON and cqlsh
    // both print by.
    std::string to_string() const;
    friend bool operator==(const cql_decimal&, const cql_decimal&) = default;
};

// Longest varint / decimal magnitude (in bytes) turned into decimal text. Base conversion is
// quadratic; the cap keeps hostile input from stalling a render (16 KiB is ~39 000 digits).
inline constexpr std::size_t max_varint_text_bytes = 16 * 1024;

// Exact decimal text of a two's-complement big-endian integer, appended to `out`. Uses `out`'s
// own tail as scratch space, so it allocates nothing beyond growing `out`. Fails (leaving
// `out` as it was) with empty_value for no bytes and value_out_of_range past the cap.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code append_varint_text(bytes_view twos_complement, std::string& out);
// Decimal text as cql_decimal::to_string, appended to `out` with the same guarantees.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code append_decimal_text(std::int32_t scale, bytes_view unscaled, std::string& out);

// ---- Cassandra's variable-length integers (duration, vector) ------------------------------------

// The vint encoding: the count of leading 1 bits of the first byte is the number of extra
// bytes (0..8), the rest of the first byte and the extra bytes hold the value big-endian.
// Signed values are zig-zag encoded first.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code read_unsigned_vint(byte_reader& r, std::uint64_t& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code read_signed_vint(byte_reader& r, std::int64_t& out) noexcept;
CQLWIRE_PROTOCOL_API void write_unsigned_vint(std::vector<std::uint8_t>& out, std::uint64_t v);
CQLWIRE_PROTOCOL_API void write_signed_vint(std::vector<std::uint8_t>& out, std::int64_t v);

// ---- scalar converters ------------------------------------------------------------------------

[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_bool(const value_view& v, bool& out) noexcept;
// Integers: any of tinyint, smallint, int, bigint, counter and varint, range-checked into the
// width asked for (value_out_of_range when it does not fit).
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_int8(const value_view& v, std::int8_t& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_int16(const value_view& v, std::int16_t& out) noexcept;
[[nodiscard]] inline std::error_code to_int32(const value_view& v, std::int32_t& out) noexcept;
[[nodiscard]] inline std::error_code to_int64(const value_view& v, std::int64_t& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_float(const value_view& v, float& out) noexcept;    // float only
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_double(const value_view& v, double& out) noexcept;  // float or double
// ascii (7-bit checked) and text/varchar (UTF-8 checked).
[[nodiscard]] inline std::error_code to_text(const value_view& v, std::string_view& out) noexcept;
// blob, and the raw bytes of an unrecognised custom type. An empty blob is a value, not empty_value.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_blob(const value_view& v, bytes_view& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_uuid(const value_view& v, uuid& out) noexcept;  // uuid, timeuuid
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_inet(const value_view& v, inet_address& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_date(const value_view& v, cql_date& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_time(const value_view& v, cql_time& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_timestamp(const value_view& v, cql_timestamp& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_duration(const value_view& v, cql_duration& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_varint(const value_view& v, cql_varint& out);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_decimal(const value_view& v, cql_decimal& out);
// The unscaled bytes of a decimal without copying (they borrow from the value's buffer).
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_decimal_parts(const value_view& v, std::int32_t& scale, bytes_view& unscaled) noexcept;

// Conveniences: the value, or nullopt when the converter above fails for any reason
// (null, empty, wrong type, bad content). Use the error_code forms to tell those apart.
CQLWIRE_PROTOCOL_API std::optional<bool> as_bool(const value_view& v) noexcept;
CQLWIRE_PROTOCOL_API std::optional<std::int32_t> as_int32(const value_view& v) noexcept;
CQLWIRE_PROTOCOL_API std::optional<std::int64_t> as_int64(const value_view& v) noexcept;
CQLWIRE_PROTOCOL_API std::optional<double> as_double(const value_view& v) noexcept;
CQLWIRE_PROTOCOL_API std::optional<std::string_view> as_text(const value_view& v) noexcept;

// Checks that bytes are well-formed UTF-8 (no overlong forms, no surrogates, nothing above
// U+10FFFF) / 7-bit ASCII.
CQLWIRE_PROTOCOL_API bool is_valid_utf8(std::string_view s) noexcept;
// Where the first ill-formed UTF-8 sequence of `s` starts, or npos when `s` is valid UTF-8.
CQLWIRE_PROTOCOL_API std::size_t utf8_error_offset(std::string_view s) noexcept;
CQLWIRE_PROTOCOL_API bool is_valid_ascii(std::string_view s) noexcept;

// ---- inline fast paths ------------------------------------------------------------------------
// Reading a row cell by cell calls these once per cell, so the common, well-formed case (an int
// column holding 4 bytes, a bigint 8, ASCII text) is decided here without a call; every other
// case, and every error, goes to the checked out-of-line forms, which give the same results for
// every value (and are what a program using the inline forms links to).
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_int32_checked(const value_view& v, std::int32_t& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_int64_checked(const value_view& v, std::int64_t& out) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code to_text_checked(const value_view& v, std::string_view& out) noexcept;

namespace detail {

inline std::uint32_t load_be32(const std::uint8_t* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return std::endian::native == std::endian::little ? __builtin_bswap32(v) : v;
}
inline std::uint64_t load_be64(const std::uint8_t* p) noexcept {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return std::endian::native == std::endian::little ? __builtin_bswap64(v) : v;
}

inline bool is_all_ascii(std::string_view s) noexcept {
    std::size_t i = 0;
    for (; i + 8 <= s.size(); i += 8) {  // eight bytes at a time: no byte may have its top bit set
        std::uint64_t word;
        std::memcpy(&word, s.data() + i, 8);
        if (word & 0x8080808080808080u) return false;
    }
    for (; i < s.size(); ++i)
        if (static_cast<unsigned char>(s[i]) >= 0x80) return false;
    return true;
}
}  // namespace detail

inline std::error_code to_int32(const value_view& v, std::int32_t& out) noexcept {
    if (v.kind() == type_kind::int_ && v.raw().is_present() && v.bytes().size() == 4) {
        out = static_cast<std::int32_t>(detail::load_be32(v.bytes().data()));
        return {};
    }
    return to_int32_checked(v, out);
}

inline std::error_code to_int64(const value_view& v, std::int64_t& out) noexcept {
    auto k = v.kind();
    if ((k == type_kind::bigint || k == type_kind::counter) && v.raw().is_present() && v.bytes().size() == 8) {
        out = static_cast<std::int64_t>(detail::load_be64(v.bytes().data()));
        return {};
    }
    return to_int64_checked(v, out);
}

inline std::error_code to_text(const value_view& v, std::string_view& out) noexcept {
    if (v.kind() == type_kind::varchar && v.raw().is_present()) {
        auto s = as_chars(v.bytes());
        if (detail::is_all_ascii(s)) {  // ASCII is valid UTF-8
            out = s;
            return {};
        }
    }
    return to_text_checked(v, out);
}

// ---- cursors over composite values ----------------------------------------------------------------

// Yields the elements of a list, set, vector, tuple or UDT as value_views, in order, without
// allocating. For tuples and UDTs it yields exactly as many elements as the type has fields:
// a value written before fields were added to its type simply stops early, and the missing
// trailing fields come out as null. Bytes left after the last element are trailing_bytes.
//
//     element_cursor c;
//     if (auto ec = open_elements(v, c)) return ec;
//     value_view e = v;
//     while (!c.at_end()) { if (auto ec = c.next(e)) return ec; use(c.index() - 1, e); }
class CQLWIRE_PROTOCOL_API element_cursor {
public:
    element_cursor() noexcept = default;

    std::size_t size() const noexcept { return count_; }    // elements in all
    std::size_t index() const noexcept { return index_; }   // of the element next() returns
    bool at_end() const noexcept { return index_ >= count_; }
    // The next element; a null element (possible in lists and tuples) is a null value_view.
    [[nodiscard]] std::error_code next(value_view& out) noexcept;

private:
    friend std::error_code open_elements(const value_view& v, element_cursor& out) noexcept;
    enum class layout : std::uint8_t { int_length, fixed_width, vint_length, fields };

    const data_type* type_ = nullptr;
    bytes_view data_;
    std::size_t pos_ = 0;
    std::size_t count_ = 0;
    std::size_t index_ = 0;
    std::size_t width_ = 0;  // fixed_width layout only
    layout layout_ = layout::int_length;
};

// Fails with type_mismatch for other kinds, null_value / empty_value for a null or empty
// value, and truncated / bad_value_length when the element count cannot fit the bytes.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code open_elements(const value_view& v, element_cursor& out) noexcept;

// Yields the entries of a map, key then value, in the order the server sent them.
class CQLWIRE_PROTOCOL_API map_cursor {
public:
    map_cursor() noexcept = default;

    std::size_t size() const noexcept { return count_; }
    std::size_t index() const noexcept { return index_; }
    bool at_end() const noexcept { return index_ >= count_; }
    [[nodiscard]] std::error_code next(value_view& key, value_view& value) noexcept;

private:
    friend std::error_code open_entries(const value_view& v, map_cursor& out) noexcept;

    const data_type* type_ = nullptr;
    bytes_view data_;
    std::size_t pos_ = 0;
    std::size_t count_ = 0;
    std::size_t index_ = 0;
};

[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code open_entries(const value_view& v, map_cursor& out) noexcept;

}  // namespace cqlwire::protocol

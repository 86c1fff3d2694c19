// An owning CQL value: a small variant tree that outlives the frame it was read from, and the
// encoders that turn such a value (plus its data_type) into the bytes of a bind value.
//
// Use value_view + the converters of values.hpp to read results without copying; materialize()
// copies on request. Build bind values with the static builders (value::from(42),
// value::text("abc"), value::list({...})...) and serialize them with encode_value() or
// encode_bind_value(). The type decides the wire form: the same value{int64 7} encodes as one
// byte for tinyint and eight for bigint, range-checked.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value_view.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

struct value;

// The alternatives of value::data. Each is its own type so that the variant never confuses,
// say, the bytes of a blob with the bytes of a varint.
struct CQLWIRE_PROTOCOL_API null_value_t {
    friend bool operator==(const null_value_t&, const null_value_t&) = default;
};
// Present but zero bytes long: the "empty" value old tables may hold for an int or a uuid.
struct CQLWIRE_PROTOCOL_API empty_value_t {
    friend bool operator==(const empty_value_t&, const empty_value_t&) = default;
};
struct CQLWIRE_PROTOCOL_API integer_value {
    std::int64_t value = 0;
    type_kind kind = type_kind::bigint;  // the kind it was read as or built for (informational)
    friend bool operator==(const integer_value&, const integer_value&) = default;
};
struct CQLWIRE_PROTOCOL_API blob_value {
    std::vector<std::uint8_t> bytes;
    friend bool operator==(const blob_value&, const blob_value&) = default;
};
// Elements of a list, set or vector; fields of a tuple or UDT (a null field is a null value).
struct CQLWIRE_PROTOCOL_API sequence_value {
    std::vector<value> items;
    friend bool operator==(const sequence_value&, const sequence_value&);
};
struct CQLWIRE_PROTOCOL_API map_value {
    std::vector<std::pair<value, value>> entries;  // in wire order
    friend bool operator==(const map_value&, const map_value&);
};

struct CQLWIRE_PROTOCOL_API value {
    using variant_type = std::variant<null_value_t, empty_value_t, bool, integer_value, double, std::string, blob_value,
                                      uuid, inet_address, cql_date, cql_time, cql_timestamp, cql_duration, cql_decimal,
                                      cql_varint, sequence_value, map_value>;
    variant_type data;

    bool is_null() const noexcept { return std::holds_alternative<null_value_t>(data); }
    bool is_empty() const noexcept { return std::holds_alternative<empty_value_t>(data); }
    template <typename T>
    const T* get_if() const noexcept {
        return std::get_if<T>(&data);
    }

    static value null() { return {null_value_t{}}; }
    static value empty() { return {empty_value_t{}}; }
    static value from(bool b) { return {b}; }
    static value from(std::int8_t v) { return {integer_value{v, type_kind::tinyint}}; }
    static value from(std::int16_t v) { return {integer_value{v, type_kind::smallint}}; }
    static value from(std::int32_t v) { return {integer_value{v, type_kind::int_}}; }
    static value from(std::int64_t v) { return {integer_value{v, type_kind::bigint}}; }
    static value from(float v) { return {static_cast<double>(v)}; }
    static value from(double v) { return {v}; }
    static value from(const uuid& v) { return {v}; }
    static value from(const inet_address& v) { return {v}; }
    static value from(cql_date v) { return {v}; }
    static value from(cql_time v) { return {v}; }
    static value from(cql_timestamp v) { return {v}; }
    static value from(cql_duration v) { return {v}; }
    static value from(cql_decimal v) { return {std::move(v)}; }
    static value from(cql_varint v) { return {std::move(v)}; }
    // A string literal would otherwise pick from(bool); say text() or blob() instead.
    static value from(const char*) = delete;
    static value text(std::string s) { return {std::move(s)}; }
    static value blob(std::vector<std::uint8_t> b) { return {blob_value{std::move(b)}}; }
    static value blob(bytes_view b) { return {blob_value{{b.begin(), b.end()}}}; }
    // list, set, vector, tuple and UDT values are all sequences; the type says which.
    static value list(std::vector<value> items) { return {sequence_value{std::move(items)}}; }
    static value set(std::vector<value> items) { return list(std::move(items)); }
    static value vector(std::vector<value> items) { return list(std::move(items)); }
    static value tuple(std::vector<value> fields) { return list(std::move(fields)); }
    static value udt(std::vector<value> fields) { return list(std::move(fields)); }
    static value map(std::vector<std::pair<value, value>> entries) { return {map_value{std::move(entries)}}; }

    friend bool operator==(const value&, const value&) = default;
};

inline bool operator==(const sequence_value& a, const sequence_value& b) { return a.items == b.items; }
inline bool operator==(const map_value& a, const map_value& b) { return a.entries == b.entries; }

// Copies a value_view (recursively, checking everything the converters check) into `out`.
// Fails with depth_exceeded when types nest deeper than max_depth.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code materialize(const value_view& v, value& out, int max_depth = max_type_depth);

// Appends the serialized bytes of `v` as a value of type `t` (the content of a [value], without
// its length). A null inside a collection, tuple or UDT becomes a -1 length; a null at the top
// gives null_value (use encode_bind_value for that). Errors: type_mismatch (a value of the
// wrong alternative for the type), value_out_of_range (an integer too wide for its type, a
// date beyond 32 bits, a time outside the day), bad_utf8 (text not UTF-8, ascii not 7-bit),
// bad_value (a vector with the wrong number of elements, a tuple with too many, mixed signs in
// a duration, an inet that is neither 4 nor 16 bytes), too_many_values (a collection or
// element longer than an [int] can say), depth_exceeded. On failure `out` is left as it was.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_value(const value& v, const data_type& t, std::vector<std::uint8_t>& out,
                                           int max_depth = max_type_depth);

// Appends a whole [value]: an [int] length then the bytes; -1 for null.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_bind_value(const value& v, const data_type& t, std::vector<std::uint8_t>& out);

}  // namespace cqlwire::protocol

// CQL data types as a descriptor tree: the [option] of §4.2.5.2 (and §6 for the values).
//
// A data_type owns its strings, so result metadata outlives the frame it came from (it is
// decoded once per RESULT, not per row). Types that a v4 server can only send as a custom
// class name — DurationType and VectorType(<subtype>, <n>) — are recognised and given kinds of
// their own, so callers decode them as real values; any other custom class stays `custom`
// with its class name, and its values are opaque bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

// How deep types may nest (list<map<int, frozen<list<...>>>>). Real schemas stay far below;
// the limit exists so that a hostile server cannot make decoding recurse without bound.
inline constexpr int max_type_depth = 32;

enum class type_kind : std::uint8_t {
    custom,
    ascii,
    bigint,
    blob,
    boolean,
    counter,
    decimal,
    double_,
    float_,
    int_,
    timestamp,
    uuid,
    varchar,
    varint,
    timeuuid,
    inet,
    date,
    time,
    smallint,
    tinyint,
    duration,  // custom org.apache.cassandra.db.marshal.DurationType (id 0x0015 in v5)
    list,
    map,
    set,
    udt,
    tuple,
    vector,  // custom org.apache.cassandra.db.marshal.VectorType(<subtype>, <dimension>)
};

// The [option] id of a kind; custom for duration and vector, which v4 carries as class names.
CQLWIRE_PROTOCOL_API std::uint16_t option_id(type_kind k) noexcept;

struct CQLWIRE_PROTOCOL_API data_type {
    type_kind kind = type_kind::custom;
    // list, set, vector: the element type; map: key then value; tuple: the elements;
    // udt: the field types, in the order of field_names.
    std::vector<data_type> params;
    std::vector<std::string> field_names;  // udt only
    std::string keyspace;                  // udt only
    std::string name;                      // udt only: the type's name
    std::string custom_class;              // custom only: the class name as the server sent it
    std::uint32_t dimension = 0;           // vector only
    bool frozen = false;                   // informational: set when the server says FrozenType

    static data_type of(type_kind k) { return data_type{k, {}, {}, {}, {}, {}, 0, false}; }
    static data_type list_of(data_type element);
    static data_type set_of(data_type element);
    static data_type map_of(data_type key, data_type value);
    static data_type tuple_of(std::vector<data_type> elements);
    static data_type vector_of(data_type element, std::uint32_t dimension);
    static data_type udt_of(std::string keyspace, std::string name, std::vector<std::string> field_names,
                            std::vector<data_type> field_types);

    friend bool operator==(const data_type&, const data_type&) = default;
};

// Reads an [option] (recursively for collections, UDTs and tuples). Fails with depth_exceeded
// beyond max_depth, bad_type_id for ids v4 does not define, and never allocates more entries
// than the remaining input could describe.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_type(byte_reader& r, data_type& out, int max_depth = max_type_depth);

// Writes an [option]; duration and vector are written as their custom class names.
CQLWIRE_PROTOCOL_API void encode_type(byte_writer& w, const data_type& t);

// Parses a Cassandra marshal class name such as
// "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType, 3)".
// Known classes map to their kinds (FrozenType and ReversedType are unwrapped); an unknown
// class yields kind custom with the class name kept.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code parse_marshal_type(std::string_view class_name, data_type& out,
                                                 int max_depth = max_type_depth);

// The marshal class name of a type (for custom options), e.g. for encode_type.
CQLWIRE_PROTOCOL_API std::string marshal_class_name(const data_type& t);

// The type as CQL writes it: "int", "map<text, frozen<list<int>>>", "vector<float, 3>".
CQLWIRE_PROTOCOL_API std::string cql_type_name(const data_type& t);

// The serialized width of a value of this type when it is fixed (int: 4, uuid: 16, a vector of
// floats: 4*n), or nullopt when values of this type carry their own length.
CQLWIRE_PROTOCOL_API std::optional<std::size_t> fixed_width(const data_type& t) noexcept;

// How wide each element of a vector<element, n> is when the vector stores its elements back to
// back with no length: the server's own notion of a fixed-length type, which is narrower than
// fixed_width() (tinyint, smallint, date and time elements carry a length in a vector).
CQLWIRE_PROTOCOL_API std::optional<std::size_t> vector_element_width(const data_type& element) noexcept;

}  // namespace cqlwire::protocol

// [option] type descriptors: every v4 id, nesting, custom class names, depth limits.
#include "test_support.hpp"

#include "cqlwire/protocol/types.hpp"

using namespace cqlwire::protocol;
using bytes = std::vector<std::uint8_t>;

namespace {

std::error_code decode(const bytes& b, data_type& t, int depth = max_type_depth) {
    std::vector<std::uint8_t> exact(b);  // exactly-sized heap copy for ASan
    exact.shrink_to_fit();
    byte_reader r(exact);
    auto ec = decode_type(r, t, depth);
    if (!ec && !r.empty()) return make_error_code(client_errc::trailing_bytes);
    return ec;
}

bytes custom(std::string_view name) {
    // Built byte by byte: GCC 12 at -O2 mistakes an insert after an initializer list for an
    // out-of-bounds copy (-Warray-bounds).
    bytes b;
    b.reserve(4 + name.size());
    for (std::uint8_t head : {std::uint8_t{0}, std::uint8_t{0}, std::uint8_t{0}, static_cast<std::uint8_t>(name.size())})
        b.push_back(head);
    for (char c : name) b.push_back(static_cast<std::uint8_t>(c));
    return b;
}

}  // namespace

TEST_CASE("every simple v4 type id decodes to its kind and back") {
    const std::pair<std::uint16_t, type_kind> simple[] = {
        {0x0001, type_kind::ascii},    {0x0002, type_kind::bigint},   {0x0003, type_kind::blob},
        {0x0004, type_kind::boolean},  {0x0005, type_kind::counter},  {0x0006, type_kind::decimal},
        {0x0007, type_kind::double_},  {0x0008, type_kind::float_},   {0x0009, type_kind::int_},
        {0x000B, type_kind::timestamp}, {0x000C, type_kind::uuid},    {0x000D, type_kind::varchar},
        {0x000E, type_kind::varint},   {0x000F, type_kind::timeuuid}, {0x0010, type_kind::inet},
        {0x0011, type_kind::date},     {0x0012, type_kind::time},     {0x0013, type_kind::smallint},
        {0x0014, type_kind::tinyint},
    };
    for (auto [id, kind] : simple) {
        CAPTURE(id);
        data_type t;
        bytes b{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)};
        REQUIRE_FALSE(decode(b, t));
        CHECK(t.kind == kind);
        bytes back;
        byte_writer w(back);
        encode_type(w, t);
        CHECK(back == b);
    }
}

TEST_CASE("ids v4 does not define are refused") {
    data_type t;
    for (std::uint16_t id : {0x000A, 0x0015, 0x0016, 0x0023, 0x0032, 0xFFFF}) {
        CAPTURE(id);
        CHECK(decode({static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)}, t) == client_errc::bad_type_id);
    }
}

TEST_CASE("collections, tuples and UDTs nest") {
    // map<text, frozen<list<int>>>
    data_type t;
    REQUIRE_FALSE(decode({0x00, 0x21, 0x00, 0x0D, 0x00, 0x20, 0x00, 0x09}, t));
    CHECK(cql_type_name(t) == "map<text, list<int>>");

    // tuple<int, text>
    REQUIRE_FALSE(decode({0x00, 0x31, 0x00, 0x02, 0x00, 0x09, 0x00, 0x0D}, t));
    CHECK(cql_type_name(t) == "tuple<int, text>");

    // udt ks.addr {street text, zip int}
    const bytes udt{0x00, 0x30, 0x00, 0x02, 'k', 's', 0x00, 0x04, 'a', 'd', 'd', 'r', 0x00, 0x02,
                    0x00, 0x06, 's', 't', 'r', 'e', 'e', 't', 0x00, 0x0D,
                    0x00, 0x03, 'z', 'i', 'p', 0x00, 0x09};
    REQUIRE_FALSE(decode(udt, t));
    CHECK(t.kind == type_kind::udt);
    CHECK(t.keyspace == "ks");
    CHECK(t.name == "addr");
    CHECK(t.field_names == std::vector<std::string>{"street", "zip"});
    CHECK(t.params.at(1).kind == type_kind::int_);
    bytes back;
    byte_writer w(back);
    encode_type(w, t);
    CHECK(back == udt);

    for (std::size_t n = 0; n < udt.size(); ++n) {
        CAPTURE(n);
        CHECK(decode(bytes(udt.begin(), udt.begin() + static_cast<std::ptrdiff_t>(n)), t) == client_errc::truncated);
    }
}

TEST_CASE("nesting deeper than the limit is refused") {
    bytes deep;
    for (int i = 0; i < 40; ++i) {
        deep.push_back(0x00);
        deep.push_back(0x20);
    }
    deep.push_back(0x00);
    deep.push_back(0x09);
    data_type t;
    CHECK(decode(deep, t) == client_errc::depth_exceeded);
    CHECK_FALSE(decode(deep, t, 64));
}

TEST_CASE("a tuple or UDT count larger than the input is refused before reserving") {
    data_type t;
    CHECK(decode({0x00, 0x31, 0xFF, 0xFF, 0x00, 0x09}, t) == client_errc::truncated);
    CHECK(decode({0x00, 0x30, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF}, t) == client_errc::truncated);
}

TEST_CASE("custom types: duration and vector are recognised, others kept opaque") {
    data_type t;
    REQUIRE_FALSE(decode(custom("org.apache.cassandra.db.marshal.DurationType"), t));
    CHECK(t.kind == type_kind::duration);

    REQUIRE_FALSE(decode(custom("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType, 3)"), t));
    CHECK(t.kind == type_kind::vector);
    CHECK(t.dimension == 3);
    CHECK(t.params.at(0).kind == type_kind::float_);
    CHECK(cql_type_name(t) == "vector<float, 3>");
    CHECK(fixed_width(t) == 12u);

    REQUIRE_FALSE(decode(custom("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.UTF8Type,2)"), t));
    CHECK_FALSE(fixed_width(t).has_value());

    REQUIRE_FALSE(decode(custom("com.example.SomethingType"), t));
    CHECK(t.kind == type_kind::custom);
    CHECK(t.custom_class == "com.example.SomethingType");

    CHECK(decode(custom("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType)"), t) ==
          client_errc::bad_custom_type);
    CHECK(decode(custom("org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType,0)"), t) ==
          client_errc::bad_custom_type);
    CHECK(decode(custom("org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type"), t) ==
          client_errc::bad_custom_type);
}

TEST_CASE("marshal class names: frozen, reversed, nested, user types") {
    data_type t;
    REQUIRE_FALSE(parse_marshal_type(
        "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.MapType("
        "org.apache.cassandra.db.marshal.UTF8Type,org.apache.cassandra.db.marshal.ReversedType("
        "org.apache.cassandra.db.marshal.LongType)))",
        t));
    CHECK(cql_type_name(t) == "frozen<map<text, bigint>>");

    REQUIRE_FALSE(parse_marshal_type("org.apache.cassandra.db.marshal.UserType(ks,61646472,737472656574:org.apache.cassandra.db.marshal.UTF8Type,7a6970:org.apache.cassandra.db.marshal.Int32Type)", t));
    CHECK(t.kind == type_kind::udt);
    CHECK(t.name == "addr");
    CHECK(t.field_names == std::vector<std::string>{"street", "zip"});

    // A type survives a round trip through its class name.
    auto v = data_type::vector_of(data_type::list_of(data_type::of(type_kind::int_)), 4);
    data_type back;
    REQUIRE_FALSE(parse_marshal_type(marshal_class_name(v), back));
    CHECK(back == v);

    std::string deep;
    for (int i = 0; i < 40; ++i) deep += "org.apache.cassandra.db.marshal.ListType(";
    deep += "org.apache.cassandra.db.marshal.Int32Type";
    deep += std::string(40, ')');
    CHECK(parse_marshal_type(deep, t) == client_errc::depth_exceeded);
}

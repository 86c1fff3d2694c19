#include "test_support.hpp"

#include <cmath>
#include <limits>

#include "cqlwire/protocol/value.hpp"
#include "value_fixtures.hpp"

using namespace cqlwire::protocol;
using cqlwire::test::bytes;
using cqlwire::test::concat;
using cqlwire::test::element;
using cqlwire::test::held_value;
using cqlwire::test::int32_be;
using cqlwire::test::null_element;
using cqlwire::test::t;
using cqlwire::test::text_bytes;

namespace {

bytes encoded(const value& v, const data_type& type) {
    bytes out;
    auto ec = encode_value(v, type, out);
    REQUIRE_FALSE(ec);
    return out;
}

// encode -> bytes in an exact-size buffer -> materialize: must give the value back.
void check_round_trip(const value& v, const data_type& type) {
    CAPTURE(cql_type_name(type));
    auto wire = encoded(v, type);
    held_value h(type, wire);
    value back;
    REQUIRE_FALSE(materialize(h.view(), back));
    CHECK(back == v);
}

value int_of(std::int64_t i, type_kind k) { return value{integer_value{i, k}}; }

}  // namespace

TEST_CASE("scalars encode byte-exactly") {
    CHECK(encoded(value::from(true), t(type_kind::boolean)) == bytes{0x01});
    CHECK(encoded(value::from(false), t(type_kind::boolean)) == bytes{0x00});
    CHECK(encoded(value::from(std::int8_t{-1}), t(type_kind::tinyint)) == bytes{0xFF});
    CHECK(encoded(value::from(std::int16_t{-32768}), t(type_kind::smallint)) == bytes{0x80, 0x00});
    CHECK(encoded(value::from(1), t(type_kind::int_)) == bytes{0, 0, 0, 1});
    CHECK(encoded(value::from(1), t(type_kind::bigint)) == bytes{0, 0, 0, 0, 0, 0, 0, 1});
    CHECK(encoded(value::from(128), t(type_kind::varint)) == bytes{0x00, 0x80});
    CHECK(encoded(value::from(-129), t(type_kind::varint)) == bytes{0xFF, 0x7F});
    CHECK(encoded(value::from(1.5f), t(type_kind::float_)) == bytes{0x3F, 0xC0, 0, 0});
    CHECK(encoded(value::from(-0.0), t(type_kind::double_)) == bytes{0x80, 0, 0, 0, 0, 0, 0, 0});
    CHECK(encoded(value::text("h\xC3\xA9"), t(type_kind::varchar)) == bytes{'h', 0xC3, 0xA9});
    CHECK(encoded(value::text(""), t(type_kind::varchar)).empty());
    CHECK(encoded(value::blob(bytes{0xCA, 0xFE}), t(type_kind::blob)) == bytes{0xCA, 0xFE});
    CHECK(encoded(value::from(cql_date{0}), t(type_kind::date)) == bytes{0x80, 0, 0, 0});
    CHECK(encoded(value::from(cql_date{-2147483648LL}), t(type_kind::date)) == bytes{0, 0, 0, 0});
    CHECK(encoded(value::from(cql_time{86399999999999LL}), t(type_kind::time)) ==
          bytes{0, 0, 0x4E, 0x94, 0x91, 0x4E, 0xFF, 0xFF});
    CHECK(encoded(value::from(cql_timestamp{-1}), t(type_kind::timestamp)) == bytes(8, 0xFF));
    CHECK(encoded(value::from(cql_duration{14, 0, 3600000000000LL}), t(type_kind::duration)) ==
          bytes{0x1C, 0x00, 0xFC, 0x06, 0x8C, 0x61, 0x71, 0x40, 0x00});
    CHECK(encoded(value::from(cql_duration{-1, -2, -3}), t(type_kind::duration)) == bytes{0x01, 0x03, 0x05});
    CHECK(encoded(value::from(cql_decimal{14, {{0x85}}}), t(type_kind::decimal)) == bytes{0, 0, 0, 14, 0x85});
    inet_address v4;
    v4.size = 4;
    v4.bytes[0] = 10, v4.bytes[3] = 7;
    CHECK(encoded(value::from(v4), t(type_kind::inet)) == bytes{10, 0, 0, 7});
    // The empty value encodes as zero bytes for any type.
    CHECK(encoded(value::empty(), t(type_kind::int_)).empty());
}

TEST_CASE("composites encode byte-exactly") {
    const auto list_int = data_type::list_of(t(type_kind::int_));
    CHECK(encoded(value::list({value::from(1), value::null(), value::from(-3)}), list_int) ==
          concat({int32_be(3), element(int32_be(1)), null_element(), element(int32_be(-3))}));
    CHECK(encoded(value::list({}), list_int) == int32_be(0));
    const auto map_type = data_type::map_of(t(type_kind::varchar), t(type_kind::int_));
    CHECK(encoded(value::map({{value::text("a"), value::from(1)}}), map_type) ==
          concat({int32_be(1), element(text_bytes("a")), element(int32_be(1))}));
    const auto udt = data_type::udt_of("ks", "u", {"a", "b", "c"},
                                       {t(type_kind::int_), t(type_kind::varchar), t(type_kind::boolean)});
    // Fewer fields than the type: the server reads the missing trailing fields as null.
    CHECK(encoded(value::udt({value::from(1), value::null()}), udt) == concat({element(int32_be(1)), null_element()}));
    const auto vf = data_type::vector_of(t(type_kind::float_), 2);
    CHECK(encoded(value::vector({value::from(1.0f), value::from(2.0f)}), vf) ==
          bytes{0x3F, 0x80, 0, 0, 0x40, 0x00, 0, 0});
    const auto vt = data_type::vector_of(t(type_kind::varchar), 2);
    CHECK(encoded(value::vector({value::text("hi"), value::text("")}), vt) == bytes{0x02, 'h', 'i', 0x00});
    const auto vs = data_type::vector_of(t(type_kind::smallint), 1);
    CHECK(encoded(value::vector({value::from(std::int16_t{7})}), vs) == bytes{0x02, 0x00, 0x07});
}

TEST_CASE("bind values carry their length, and null is -1") {
    bytes out;
    REQUIRE_FALSE(encode_bind_value(value::from(7), t(type_kind::int_), out));
    REQUIRE_FALSE(encode_bind_value(value::null(), t(type_kind::int_), out));
    REQUIRE_FALSE(encode_bind_value(value::empty(), t(type_kind::int_), out));
    CHECK(out == bytes{0, 0, 0, 4, 0, 0, 0, 7, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0});
    // A failing value leaves the buffer as it was.
    CHECK(encode_bind_value(value::from(7), t(type_kind::varchar), out) == client_errc::type_mismatch);
    CHECK(out.size() == 16);
}

TEST_CASE("encode then decode gives the same value back, for every type") {
    for (auto k : {type_kind::tinyint, type_kind::smallint, type_kind::int_, type_kind::bigint, type_kind::counter,
                   type_kind::varint}) {
        std::int64_t lo = k == type_kind::tinyint    ? INT8_MIN
                          : k == type_kind::smallint ? INT16_MIN
                          : k == type_kind::int_     ? INT32_MIN
                                                     : std::numeric_limits<std::int64_t>::min();
        std::int64_t hi = k == type_kind::tinyint    ? INT8_MAX
                          : k == type_kind::smallint ? INT16_MAX
                          : k == type_kind::int_     ? INT32_MAX
                                                     : std::numeric_limits<std::int64_t>::max();
        if (k == type_kind::varint) {
            // varints materialize as cql_varint; compare through to_int64 instead.
            for (std::int64_t i : {lo, std::int64_t{-1}, std::int64_t{0}, hi}) {
                auto wire = encoded(int_of(i, k), t(k));
                held_value h(t(k), wire);
                std::int64_t back = 0;
                REQUIRE_FALSE(to_int64(h.view(), back));
                CHECK(back == i);
            }
            continue;
        }
        for (std::int64_t i : {lo, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, hi}) check_round_trip(int_of(i, k), t(k));
    }
    check_round_trip(value::from(true), t(type_kind::boolean));
    check_round_trip(value::from(-0.0), t(type_kind::double_));
    check_round_trip(value::from(std::numeric_limits<double>::infinity()), t(type_kind::double_));
    check_round_trip(value::from(std::numeric_limits<double>::denorm_min()), t(type_kind::double_));
    check_round_trip(value::from(-1.25f), t(type_kind::float_));
    check_round_trip(value::text("it's \xE2\x82\xAC"), t(type_kind::varchar));
    check_round_trip(value::text(""), t(type_kind::ascii));
    check_round_trip(value::blob(bytes{}), t(type_kind::blob));
    check_round_trip(value::blob(bytes{0, 1, 2, 0xFF}), t(type_kind::blob));
    check_round_trip(value::from(*parse_uuid("6bddc89a-5644-11e4-97fc-56847afe9799")), t(type_kind::timeuuid));
    check_round_trip(value::from(*parse_inet_address("2001:db8::ff00:42:8329")), t(type_kind::inet));
    check_round_trip(value::from(*parse_inet_address("192.168.0.1")), t(type_kind::inet));
    check_round_trip(value::from(cql_date{-2147483648LL}), t(type_kind::date));
    check_round_trip(value::from(cql_date{2147483647LL}), t(type_kind::date));
    check_round_trip(value::from(cql_time{0}), t(type_kind::time));
    check_round_trip(value::from(cql_time{cql_time::max_nanoseconds}), t(type_kind::time));
    check_round_trip(value::from(cql_timestamp{std::numeric_limits<std::int64_t>::min()}), t(type_kind::timestamp));
    check_round_trip(value::from(cql_duration{std::numeric_limits<std::int32_t>::min(), -1,
                                              std::numeric_limits<std::int64_t>::min()}),
                     t(type_kind::duration));
    check_round_trip(value::from(cql_duration{std::numeric_limits<std::int32_t>::max(), 30, 1}), t(type_kind::duration));
    check_round_trip(value::from(cql_duration{}), t(type_kind::duration));
    check_round_trip(value::from(cql_decimal{-3, {{0x01}}}), t(type_kind::decimal));
    check_round_trip(value::from(cql_decimal{std::numeric_limits<std::int32_t>::min(), {bytes(20, 0xAB)}}),
                     t(type_kind::decimal));
    check_round_trip(value::from(cql_varint{concat({{0x01}, bytes(40, 0)})}), t(type_kind::varint));
    check_round_trip(value::empty(), t(type_kind::int_));
    check_round_trip(value::empty(), t(type_kind::uuid));

    check_round_trip(value::list({int_of(1, type_kind::int_), value::null(), int_of(3, type_kind::int_)}),
                     data_type::list_of(t(type_kind::int_)));
    check_round_trip(value::set({value::text("a"), value::text("b")}), data_type::set_of(t(type_kind::varchar)));
    check_round_trip(value::map({{value::text("k"), value::list({value::from(1.5)})}}),
                     data_type::map_of(t(type_kind::varchar), data_type::list_of(t(type_kind::double_))));
    check_round_trip(value::tuple({int_of(1, type_kind::int_), value::null(), value::from(false)}),
                     data_type::tuple_of({t(type_kind::int_), t(type_kind::varchar), t(type_kind::boolean)}));
    check_round_trip(value::udt({value::text("x"), int_of(2, type_kind::int_)}),
                     data_type::udt_of("ks", "u", {"a", "b"}, {t(type_kind::varchar), t(type_kind::int_)}));
    check_round_trip(value::vector({value::from(1.0f), value::from(-2.5f), value::from(0.0f)}),
                     data_type::vector_of(t(type_kind::float_), 3));
    check_round_trip(value::vector({value::text("a"), value::text(std::string(300, 'z'))}),
                     data_type::vector_of(t(type_kind::varchar), 2));
    check_round_trip(value::vector({value::vector({int_of(1, type_kind::int_), int_of(2, type_kind::int_)}),
                                    value::vector({int_of(3, type_kind::int_), int_of(4, type_kind::int_)})}),
                     data_type::vector_of(data_type::vector_of(t(type_kind::int_), 2), 2));
    // list<frozen<map<int, frozen<set<text>>>>>
    check_round_trip(value::list({value::map({{int_of(9, type_kind::int_), value::set({value::text("s")})}})}),
                     data_type::list_of(data_type::map_of(t(type_kind::int_), data_type::set_of(t(type_kind::varchar)))));
}

TEST_CASE("a UDT value with fewer fields decodes with the missing ones null") {
    const auto udt = data_type::udt_of("ks", "u", {"a", "b", "c"},
                                       {t(type_kind::int_), t(type_kind::varchar), t(type_kind::boolean)});
    auto wire = encoded(value::udt({int_of(1, type_kind::int_)}), udt);
    held_value h(udt, wire);
    value back;
    REQUIRE_FALSE(materialize(h.view(), back));
    CHECK(back == value::udt({int_of(1, type_kind::int_), value::null(), value::null()}));
}

TEST_CASE("encoding refuses what the type cannot hold") {
    bytes out{0xAA};
    auto fails = [&](const value& v, const data_type& type) {
        auto ec = encode_value(v, type, out);
        CHECK(out == bytes{0xAA});  // untouched on failure
        return ec;
    };
    CHECK(fails(value::from(128), t(type_kind::tinyint)) == client_errc::value_out_of_range);
    CHECK(fails(value::from(-32769), t(type_kind::smallint)) == client_errc::value_out_of_range);
    CHECK(fails(value::from(std::int64_t{1} << 31), t(type_kind::int_)) == client_errc::value_out_of_range);
    CHECK(fails(value::text("caf\xC3\xA9"), t(type_kind::ascii)) == client_errc::bad_utf8);
    CHECK(fails(value::text("\xC0\x80"), t(type_kind::varchar)) == client_errc::bad_utf8);
    CHECK(fails(value::from(cql_time{-1}), t(type_kind::time)) == client_errc::value_out_of_range);
    CHECK(fails(value::from(cql_time{86400000000000LL}), t(type_kind::time)) == client_errc::value_out_of_range);
    CHECK(fails(value::from(cql_date{std::int64_t{1} << 31}), t(type_kind::date)) == client_errc::value_out_of_range);
    CHECK(fails(value::from(cql_duration{1, -1, 0}), t(type_kind::duration)) == client_errc::bad_value);
    CHECK(fails(value::vector({value::from(1.0f)}), data_type::vector_of(t(type_kind::float_), 2)) ==
          client_errc::bad_value);
    CHECK(fails(value::vector({value::from(1.0f), value::null()}), data_type::vector_of(t(type_kind::float_), 2)) ==
          client_errc::bad_value);
    CHECK(fails(value::tuple({value::from(1), value::from(2)}), data_type::tuple_of({t(type_kind::int_)})) ==
          client_errc::bad_value);
    CHECK(fails(value::text("1"), t(type_kind::int_)) == client_errc::type_mismatch);
    CHECK(fails(value::list({value::text("x")}), data_type::list_of(t(type_kind::int_))) == client_errc::type_mismatch);
    CHECK(fails(value::null(), t(type_kind::int_)) == client_errc::null_value);
    CHECK(fails(value::from(cql_decimal{}), t(type_kind::decimal)) == client_errc::bad_value);
    inet_address odd;
    odd.size = 5;
    CHECK(fails(value::from(odd), t(type_kind::inet)) == client_errc::bad_value);

    // Types nested deeper than the limit.
    data_type deep = t(type_kind::int_);
    value v = value::from(1);
    for (int i = 0; i < max_type_depth + 1; ++i) {
        deep = data_type::list_of(deep);
        v = value::list({v});
    }
    CHECK(fails(v, deep) == client_errc::depth_exceeded);
}

TEST_CASE("materialize checks depth and content") {
    data_type deep = t(type_kind::int_);
    bytes wire = int32_be(1);
    for (int i = 0; i < max_type_depth + 1; ++i) {
        deep = data_type::list_of(deep);
        wire = concat({int32_be(1), element(wire)});
    }
    held_value h(deep, wire);
    value out;
    CHECK(materialize(h.view(), out) == client_errc::depth_exceeded);
    held_value bad_text(data_type::list_of(t(type_kind::varchar)), concat({int32_be(1), element({0xFF})}));
    CHECK(materialize(bad_text.view(), out) == client_errc::bad_utf8);
    auto null = held_value::null(t(type_kind::int_));
    REQUIRE_FALSE(materialize(null.view(), out));
    CHECK(out.is_null());
}

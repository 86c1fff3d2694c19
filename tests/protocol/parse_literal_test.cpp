// parse_cql_literal: every type's accepted forms and edge values, every refusal with its reason,
// and the round trip value → encode_value → render_cql (data and display forms) →
// parse_cql_literal → encode_value giving back the same bytes.
#include "test_support.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "cqlwire/protocol/parse_literal.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/value.hpp"
#include "value_fixtures.hpp"

using namespace cqlwire::protocol;
using cqlwire::test::bytes;
using cqlwire::test::held_value;
using cqlwire::test::render_in;
using cqlwire::test::t;

namespace {

value parsed(std::string_view text, const data_type& type, const literal_options& o = {}) {
    value v;
    const auto why = parse_cql_literal(text, type, v, o);
    INFO("text: ", std::string(text), " reason: ", why);
    CHECK(why.empty());
    return v;
}

// The reason for refusing `text`; the output value must be left as it was.
std::string refusal(std::string_view text, const data_type& type, const literal_options& o = {}) {
    const auto sentinel = value::text("untouched");
    value v = sentinel;
    auto why = parse_cql_literal(text, type, v, o);
    INFO("text: ", std::string(text));
    CHECK_FALSE(why.empty());
    CHECK(v == sentinel);
    return why;
}

bytes encoded(const value& v, const data_type& type) {
    bytes out;
    const auto ec = encode_value(v, type, out);
    INFO("type: ", cql_type_name(type));
    REQUIRE_FALSE(ec);
    return out;
}

// value → bytes → text (each form asked for) → value → the same bytes.
enum class forms : std::uint8_t { data_only, both };
void check_round_trip(const data_type& type, const value& v, forms which = forms::both) {
    const auto wire = encoded(v, type);
    for (auto form : {cql_text_form::data, cql_text_form::display}) {
        if (form == cql_text_form::display && which == forms::data_only) continue;
        const auto text = render_in(type, wire, form);
        INFO("type: ", cql_type_name(type), ", ", form == cql_text_form::data ? "data" : "display", " form: ", text);
        value back;
        const auto why = parse_cql_literal(text, type, back);
        CHECK(why == "");
        if (why.empty()) CHECK(encoded(back, type) == wire);
    }
}

value int_of(std::int64_t i, type_kind k) { return value{integer_value{i, k}}; }
value varint_of(bytes b) { return value{cql_varint{std::move(b)}}; }
value decimal_of(std::int32_t scale, bytes unscaled) { return value::from(cql_decimal{scale, cql_varint{std::move(unscaled)}}); }
value duration_of(std::int32_t months, std::int32_t days, std::int64_t ns) { return value::from(cql_duration{months, days, ns}); }
value timestamp_of(std::int64_t ms) { return value::from(cql_timestamp{ms}); }
value date_of(std::int64_t days) { return value::from(cql_date{days}); }
value time_of(std::int64_t ns) { return value::from(cql_time{ns}); }

std::uint32_t float_bits(const value& v) {
    const auto* d = v.get_if<double>();
    REQUIRE(d != nullptr);
    return std::bit_cast<std::uint32_t>(static_cast<float>(*d));
}
double double_of(const value& v) {
    const auto* d = v.get_if<double>();
    REQUIRE(d != nullptr);
    return *d;
}
std::string varint_text(const value& v) {
    const auto* i = v.get_if<cql_varint>();
    REQUIRE(i != nullptr);
    return i->to_string();
}
std::string decimal_text(const value& v) {
    const auto* d = v.get_if<cql_decimal>();
    REQUIRE(d != nullptr);
    return d->to_string();
}

uuid uuid_of(std::string_view text) {
    auto u = parse_uuid(text);
    REQUIRE(u.has_value());
    return *u;
}
inet_address inet_of(std::string_view text) {
    auto a = parse_inet_address(text);
    REQUIRE(a.has_value());
    return *a;
}

constexpr std::int64_t year_1_ms = -62'135'596'800'000;      // 0001-01-01 00:00:00.000
constexpr std::int64_t year_10000_ms = 253'402'300'800'000;  // 10000-01-01 00:00:00.000
constexpr std::int64_t max_ns = cql_time::max_nanoseconds;
constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int32_t int32_min = std::numeric_limits<std::int32_t>::min();
constexpr std::int32_t int32_max = std::numeric_limits<std::int32_t>::max();

const data_type udt_type = data_type::udt_of("ks", "u", {"plain_1", "Mixed", "with space", "q\"uote", "a"},
                                             {t(type_kind::varchar), t(type_kind::varchar), t(type_kind::int_),
                                              t(type_kind::int_), t(type_kind::int_)});

}  // namespace

TEST_CASE("literal: integers of every width, their extremes and their refusals") {
    CHECK(parsed("42", t(type_kind::int_)) == int_of(42, type_kind::int_));
    CHECK(parsed("  -7\t\n", t(type_kind::int_)) == int_of(-7, type_kind::int_));
    CHECK(parsed("+7", t(type_kind::smallint)) == int_of(7, type_kind::smallint));
    CHECK(parsed("-0", t(type_kind::bigint)) == int_of(0, type_kind::bigint));
    CHECK(parsed("000000000000000000000000000042", t(type_kind::tinyint)) == int_of(42, type_kind::tinyint));
    CHECK(parsed("-128", t(type_kind::tinyint)) == int_of(-128, type_kind::tinyint));
    CHECK(parsed("127", t(type_kind::tinyint)) == int_of(127, type_kind::tinyint));
    CHECK(parsed("-32768", t(type_kind::smallint)) == int_of(-32768, type_kind::smallint));
    CHECK(parsed("32767", t(type_kind::smallint)) == int_of(32767, type_kind::smallint));
    CHECK(parsed("-2147483648", t(type_kind::int_)) == int_of(int32_min, type_kind::int_));
    CHECK(parsed("2147483647", t(type_kind::int_)) == int_of(int32_max, type_kind::int_));
    CHECK(parsed("-9223372036854775808", t(type_kind::bigint)) == int_of(int64_min, type_kind::bigint));
    CHECK(parsed("9223372036854775807", t(type_kind::counter)) == int_of(int64_max, type_kind::counter));

    CHECK(refusal("300", t(type_kind::tinyint)) == "'300' is out of range for tinyint (-128 to 127)");
    CHECK(refusal("-129", t(type_kind::tinyint)) == "'-129' is out of range for tinyint (-128 to 127)");
    CHECK(refusal("32768", t(type_kind::smallint)) == "'32768' is out of range for smallint (-32768 to 32767)");
    CHECK(refusal("-2147483649", t(type_kind::int_)) == "'-2147483649' is out of range for int (-2147483648 to 2147483647)");
    CHECK(refusal("9223372036854775808", t(type_kind::bigint)) ==
          "'9223372036854775808' is out of range for bigint (-9223372036854775808 to 9223372036854775807)");
    CHECK(refusal("99999999999999999999999999", t(type_kind::counter)) ==
          "'99999999999999999999999999' is out of range for counter (-9223372036854775808 to 9223372036854775807)");
    CHECK(refusal("abc", t(type_kind::int_)) == "'abc' is not an int");
    CHECK(refusal("1.5", t(type_kind::int_)) == "'1.5' is not an int");
    CHECK(refusal("1e3", t(type_kind::bigint)) == "'1e3' is not a bigint");
    CHECK(refusal("--1", t(type_kind::int_)) == "'--1' is not an int");
    CHECK(refusal("+-1", t(type_kind::int_)) == "'+-1' is not an int");
    CHECK(refusal("-", t(type_kind::int_)) == "'-' is not an int");
    CHECK(refusal("1 000", t(type_kind::int_)) == "'1 000' is not an int");
    CHECK(refusal("", t(type_kind::int_)) == "nothing where an int was expected");
    CHECK(refusal(" \t ", t(type_kind::smallint)) == "nothing where a smallint was expected");

    for (auto k : {type_kind::tinyint, type_kind::smallint, type_kind::int_, type_kind::bigint, type_kind::counter}) {
        const auto lo = k == type_kind::tinyint ? INT8_MIN : k == type_kind::smallint ? INT16_MIN : k == type_kind::int_ ? INT32_MIN : INT64_MIN;
        const auto hi = k == type_kind::tinyint ? INT8_MAX : k == type_kind::smallint ? INT16_MAX : k == type_kind::int_ ? INT32_MAX : INT64_MAX;
        for (std::int64_t v : {std::int64_t{lo}, std::int64_t{-1}, std::int64_t{0}, std::int64_t{1}, std::int64_t{hi}})
            check_round_trip(t(k), int_of(v, k));
    }
}

TEST_CASE("literal: thousands separators are removed before reading any number") {
    literal_options o;
    o.thousands_sep = ",";
    CHECK(parsed("1,234,567", t(type_kind::int_), o) == int_of(1234567, type_kind::int_));
    CHECK(parsed("-1,2,3", t(type_kind::bigint), o) == int_of(-123, type_kind::bigint));  // a plain replace, as cqlsh's
    CHECK(varint_text(parsed("123,456,789,012,345,678,901,234", t(type_kind::varint), o)) == "123456789012345678901234");
    CHECK(double_of(parsed("1,234.5", t(type_kind::double_), o)) == 1234.5);
    CHECK(decimal_text(parsed("1,234.50", t(type_kind::decimal), o)) == "1234.50");
    // Inside a collection the elements are split at ',' first, as cqlsh splits them.
    CHECK(parsed("[1, 2]", data_type::list_of(t(type_kind::int_)), o) ==
          value::list({int_of(1, type_kind::int_), int_of(2, type_kind::int_)}));

    literal_options european;
    european.thousands_sep = ".";
    european.decimal_sep = ",";
    CHECK(parsed("1.234.567", t(type_kind::int_), european) == int_of(1234567, type_kind::int_));
    CHECK(double_of(parsed("1.234,5", t(type_kind::double_), european)) == 1234.5);
    CHECK(float_bits(parsed("-0,25", t(type_kind::float_), european)) == std::bit_cast<std::uint32_t>(-0.25f));
    CHECK(decimal_text(parsed("1.000,001", t(type_kind::decimal), european)) == "1000.001");
    CHECK(refusal("1,5", t(type_kind::int_), european) == "'1,5' is not an int");  // no decimal separator for integers
    CHECK(refusal("1,5", t(type_kind::double_)) == "'1,5' is not a double");       // not without the option
}

TEST_CASE("literal: varints of any length, as minimal two's complement") {
    const auto vt = t(type_kind::varint);
    CHECK(parsed("0", vt) == varint_of({0x00}));
    CHECK(parsed("-0", vt) == varint_of({0x00}));
    CHECK(parsed("127", vt) == varint_of({0x7F}));
    CHECK(parsed("128", vt) == varint_of({0x00, 0x80}));
    CHECK(parsed("-128", vt) == varint_of({0x80}));
    CHECK(parsed("-129", vt) == varint_of({0xFF, 0x7F}));
    CHECK(parsed("-256", vt) == varint_of({0xFF, 0x00}));
    CHECK(parsed("255", vt) == varint_of({0x00, 0xFF}));
    CHECK(parsed("18446744073709551616", vt) == varint_of({0x01, 0, 0, 0, 0, 0, 0, 0, 0}));
    CHECK(parsed("-18446744073709551616", vt) == varint_of({0xFF, 0, 0, 0, 0, 0, 0, 0, 0}));
    CHECK(parsed("+0000000000000000000000000001", vt) == varint_of({0x01}));
    const std::string big = "-123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890";
    CHECK(varint_text(parsed(big, vt)) == big);

    // The widest value render_cql writes as digits reads back; one byte more is refused.
    bytes widest(max_varint_text_bytes, 0xA5);
    check_round_trip(vt, varint_of(widest), forms::both);
    const std::string too_wide(39'500, '9');
    CHECK(refusal(too_wide, vt).starts_with("'9999999999999999999999999999999999999999'... is out of range for varint (more than 16384 bytes)"));
    CHECK(refusal(std::string(max_number_literal_chars + 1, '1'), vt)
              .starts_with("a varint of 40001 characters is longer than the 40000 cqlwire reads: '111"));
    CHECK(refusal("12a", vt) == "'12a' is not a varint");

    for (const auto& b : {bytes{0x00}, bytes{0x7F}, bytes{0x80}, bytes{0xFF}, bytes{0x00, 0x80}, bytes{0xFF, 0x7F},
                          bytes{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, bytes{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
                          bytes(100, 0x5A), bytes{0x80, 0x00}})
        check_round_trip(vt, varint_of(b));
}

TEST_CASE("literal: floats and doubles, rounded once to the nearest value of their own type") {
    const auto ft = t(type_kind::float_), dt = t(type_kind::double_);
    CHECK(double_of(parsed("1.5", dt)) == 1.5);
    CHECK(double_of(parsed("-2e-3", dt)) == -2e-3);
    CHECK(double_of(parsed("+1E+3", dt)) == 1000.0);
    CHECK(double_of(parsed(".5", dt)) == 0.5);
    CHECK(double_of(parsed("5.", dt)) == 5.0);
    CHECK(double_of(parsed(" 0.1 ", dt)) == 0.1);
    CHECK(std::signbit(double_of(parsed("-0", dt))));
    CHECK(std::signbit(double_of(parsed("-0.0", dt))));
    CHECK(double_of(parsed("5e-324", dt)) == std::numeric_limits<double>::denorm_min());
    CHECK(double_of(parsed("1.7976931348623157e308", dt)) == std::numeric_limits<double>::max());
    for (auto nan : {"NaN", "nan", "NAN", "-NaN", "+nan"}) CHECK(std::isnan(double_of(parsed(nan, dt))));
    CHECK(float_bits(parsed("NaN", ft)) == 0x7FC00000u);
    for (auto inf : {"Infinity", "+Infinity", "infinity", "inf", "INF"})
        CHECK(double_of(parsed(inf, dt)) == std::numeric_limits<double>::infinity());
    CHECK(double_of(parsed("-Infinity", dt)) == -std::numeric_limits<double>::infinity());
    CHECK(float_bits(parsed("-inf", ft)) == std::bit_cast<std::uint32_t>(-std::numeric_limits<float>::infinity()));

    CHECK(float_bits(parsed("0.1", ft)) == std::bit_cast<std::uint32_t>(0.1f));
    CHECK(float_bits(parsed("3.4028235e38", ft)) == std::bit_cast<std::uint32_t>(std::numeric_limits<float>::max()));
    CHECK(float_bits(parsed("1e-45", ft)) == 1u);  // the smallest subnormal
    // Just above the midpoint between 1 and the next float: the nearest float is 1 + 2^-23, but
    // the nearest double is the midpoint itself, which a second rounding would send to 1.
    CHECK(float_bits(parsed("1.000000059604644775390625000000001", ft)) == 0x3F800001u);

    CHECK(refusal("1e39", ft) == "'1e39' is out of range for float");
    CHECK(refusal("1e-50", ft) == "'1e-50' is out of range for float");
    CHECK(refusal("1e400", dt) == "'1e400' is out of range for double");
    CHECK(refusal("1.5f", ft) == "'1.5f' is not a float");
    CHECK(refusal("0x1p3", dt) == "'0x1p3' is not a double");
    CHECK(refusal("1e", dt) == "'1e' is not a double");
    CHECK(refusal("nan(1)", dt) == "'nan(1)' is not a double");
    CHECK(refusal("Infinit", dt) == "'Infinit' is not a double");
    CHECK(refusal("+", dt) == "'+' is not a double");
    CHECK(refusal("1.2.3", dt) == "'1.2.3' is not a double");

    for (float f : {0.0f, -0.0f, 1.5f, 0.1f, -123456.789f, std::numeric_limits<float>::max(),
                    std::numeric_limits<float>::denorm_min(), std::numeric_limits<float>::lowest(),
                    std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::quiet_NaN()})
        check_round_trip(ft, value::from(f), forms::data_only);
    for (double d : {0.0, -0.0, 0.1, 0.1 + 0.2, 1e300, -123456.789, std::numeric_limits<double>::max(),
                     std::numeric_limits<double>::denorm_min(), std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()})
        check_round_trip(dt, value::from(d), forms::data_only);
    // The display form keeps five significant digits: exact for values that need no more.
    for (double d : {0.0, -0.0, 1.5, -0.25, 12345.0, 1e20, std::numeric_limits<double>::infinity(),
                     std::numeric_limits<double>::quiet_NaN()}) {
        check_round_trip(dt, value::from(d));
        check_round_trip(ft, value::from(static_cast<float>(d)));
    }
}

TEST_CASE("literal: exact decimals") {
    const auto dec = t(type_kind::decimal);
    CHECK(parsed("1.5", dec) == decimal_of(1, {15}));
    CHECK(parsed("-0.001", dec) == decimal_of(3, {0xFF}));
    CHECK(parsed("1E+3", dec) == decimal_of(-3, {1}));
    CHECK(parsed("1.23e-12", dec) == decimal_of(14, {123}));
    CHECK(parsed("0", dec) == decimal_of(0, {0}));
    CHECK(parsed("-0.00", dec) == decimal_of(2, {0}));
    CHECK(parsed(".5", dec) == decimal_of(1, {5}));
    CHECK(parsed("5.", dec) == decimal_of(0, {5}));
    CHECK(parsed("+128", dec) == decimal_of(0, {0x00, 0x80}));
    CHECK(parsed("0E+5", dec) == decimal_of(-5, {0}));
    CHECK(parsed("12.5e1", dec) == decimal_of(0, {125}));
    CHECK(parsed("1E-2147483647", dec) == decimal_of(int32_max, {1}));
    CHECK(parsed("1E+2147483648", dec) == decimal_of(int32_min, {1}));
    for (auto text : {"1.5", "-0.001", "1E+3", "1.23E-12", "0", "0.000", "123456789012345678901234567890.123456789",
                      "-1.0E-7", "0E+5", "1E-2147483647", "1E+2147483648", "0.000001"}) {
        CAPTURE(text);
        CHECK(decimal_text(parsed(text, dec)) == text);
    }

    CHECK(refusal("NaN", dec) == "'NaN' is not a decimal (a decimal has no NaN or Infinity)");
    CHECK(refusal("-Infinity", dec) == "'-Infinity' is not a decimal (a decimal has no NaN or Infinity)");
    CHECK(refusal("1E+2147483649", dec) == "'1E+2147483649' is out of range for decimal (its scale must fit 32 bits)");
    CHECK(refusal("0.1E-2147483647", dec) == "'0.1E-2147483647' is out of range for decimal (its scale must fit 32 bits)");
    CHECK(refusal("1E99999999999999999999", dec) ==
          "'1E99999999999999999999' is out of range for decimal (its scale must fit 32 bits)");
    CHECK(refusal("1.2.3", dec) == "'1.2.3' is not a decimal");
    CHECK(refusal("1e", dec) == "'1e' is not a decimal");
    CHECK(refusal(".", dec) == "'.' is not a decimal");
    CHECK(refusal("1 5", dec) == "'1 5' is not a decimal");
    CHECK(refusal(std::string(max_number_literal_chars + 1, '7'), dec)
              .starts_with("a decimal of 40001 characters is longer than the 40000 cqlwire reads: '777"));

    for (const auto& v : {decimal_of(0, {0}), decimal_of(2, {0x30, 0x39}), decimal_of(-3, {1}), decimal_of(14, {123}),
                          decimal_of(3, {0xFF}), decimal_of(int32_max, {0x80}), decimal_of(int32_min, {0x7F}),
                          decimal_of(40, bytes(60, 0x33)), decimal_of(-7, {0x00, 0xFF}), decimal_of(7, {0x00})})
        check_round_trip(dec, v);
}

TEST_CASE("literal: booleans, with cqlsh's BOOLSTYLE texts") {
    const auto bt = t(type_kind::boolean);
    for (auto text : {"true", "True", "TRUE", " tRuE "}) CHECK(parsed(text, bt) == value::from(true));
    for (auto text : {"false", "False", "FALSE"}) CHECK(parsed(text, bt) == value::from(false));
    CHECK(refusal("yes", bt) == "'yes' is not a boolean (true or false)");
    CHECK(refusal("1", bt) == "'1' is not a boolean (true or false)");

    literal_options o;
    o.true_text = "Yes";
    o.false_text = "no";
    CHECK(parsed("YES", bt, o) == value::from(true));
    CHECK(parsed("No", bt, o) == value::from(false));
    CHECK(parsed("true", bt, o) == value::from(true));
    CHECK(parsed("[yes, NO, False]", data_type::list_of(bt), o) ==
          value::list({value::from(true), value::from(false), value::from(false)}));
    CHECK(refusal("maybe", bt, o) == "'maybe' is not a boolean (true, false, 'Yes' or 'no')");
    o.true_text = "";
    o.false_text = "";
    CHECK(refusal("", bt, o) == "nothing where a boolean was expected");

    check_round_trip(bt, value::from(true));
    check_round_trip(bt, value::from(false));
}

TEST_CASE("literal: blobs and custom types as 0x hex") {
    const auto bt = t(type_kind::blob);
    CHECK(parsed("0xcafe", bt) == value::blob(bytes{0xCA, 0xFE}));
    CHECK(parsed("0XCAfe", bt) == value::blob(bytes{0xCA, 0xFE}));
    CHECK(parsed("0x", bt) == value::blob(bytes{}));
    CHECK(refusal("0x123", bt) == "'0x123' has an odd number of hex digits");
    CHECK(refusal("0xzz", bt) == "'0xzz' is not a blob (0x followed by hex digits)");
    CHECK(refusal("0x12z", bt) == "'0x12z' is not a blob (0x followed by hex digits)");
    CHECK(refusal("cafe", bt) == "'cafe' is not a blob (0x followed by hex digits)");
    CHECK(refusal("", bt) == "nothing where a blob was expected");

    data_type custom = t(type_kind::custom);
    custom.custom_class = "org.example.Point";
    CHECK(parsed("0x0102", custom) == value::blob(bytes{1, 2}));
    CHECK(refusal("(1, 2)", custom) == "'(1, 2)' is not a value of a custom type (0x followed by hex digits)");

    for (const auto& b : {bytes{}, bytes{0x00}, bytes{0xCA, 0xFE}, bytes(300, 0xAB)}) {
        check_round_trip(bt, value::blob(b));
        check_round_trip(custom, value::blob(b));
    }
}

TEST_CASE("literal: uuids, timeuuids and inet addresses") {
    const auto ut = t(type_kind::uuid), tu = t(type_kind::timeuuid), it = t(type_kind::inet);
    const auto v4 = uuid_of("123e4567-e89b-42d3-a456-426614174000");
    const auto v1 = uuid_of("e7d1a4c0-1234-11ee-be56-0242ac120002");
    CHECK(parsed("123E4567-E89B-42D3-A456-426614174000", ut) == value::from(v4));
    CHECK(parsed(" e7d1a4c0-1234-11ee-be56-0242ac120002 ", tu) == value::from(v1));
    CHECK(refusal("123e4567-e89b-42d3-a456-426614174000", tu) ==
          "'123e4567-e89b-42d3-a456-426614174000' is a version 4 uuid, not a timeuuid (version 1)");
    CHECK(refusal("123e4567e89b42d3a456426614174000", ut) ==
          "'123e4567e89b42d3a456426614174000' is not a uuid (8-4-4-4-12 hex digits)");
    CHECK(refusal("{123e4567-e89b-42d3-a456-426614174000}", ut) ==
          "'{123e4567-e89b-42d3-a456-426614174000}' is not a uuid (8-4-4-4-12 hex digits)");
    check_round_trip(ut, value::from(v4));
    check_round_trip(ut, value::from(uuid{}));
    check_round_trip(tu, value::from(v1));

    CHECK(parsed("192.168.0.1", it) == value::from(inet_of("192.168.0.1")));
    CHECK(parsed("::1", it) == value::from(inet_of("::1")));
    CHECK(parsed("2001:DB8::1", it) == value::from(inet_of("2001:db8::1")));
    CHECK(parsed("::ffff:1.2.3.4", it) == value::from(inet_of("::ffff:1.2.3.4")));
    CHECK(refusal("localhost", it) == "'localhost' is not an inet (an IPv4 or IPv6 address)");
    CHECK(refusal("1.2.3.256", it) == "'1.2.3.256' is not an inet (an IPv4 or IPv6 address)");
    CHECK(refusal("[::1]", it) == "'[::1]' is not an inet (an IPv4 or IPv6 address)");
    for (auto text : {"0.0.0.0", "255.255.255.255", "10.0.0.1", "::", "::1", "::ffff:1.2.3.4", "::1.2.3.4",
                      "2001:db8:85a3::8a2e:370:7334", "fe80::", "1:2:3:4:5:6:7:8", "1::8"})
        check_round_trip(it, value::from(inet_of(text)));
}

TEST_CASE("literal: dates as yyyy-mm-dd or signed days since 1970-01-01") {
    const auto dt = t(type_kind::date);
    CHECK(parsed("1970-01-01", dt) == date_of(0));
    CHECK(parsed("2024-05-06", dt) == date_of(19849));
    CHECK(parsed("1969-12-31", dt) == date_of(-1));
    CHECK(parsed("2024-02-29", dt) == date_of(19782));
    CHECK(parsed("0001-01-01", dt) == date_of(-719162));
    CHECK(parsed("1-01-01", dt) == date_of(-719162));
    CHECK(parsed("9999-12-31", dt) == date_of(2932896));
    CHECK(parsed("+10000-01-01", dt) == date_of(2932897));
    CHECK(parsed("0000-12-31", dt) == date_of(-719163));
    CHECK(parsed("-0001-12-31", dt) == date_of(-719529));
    CHECK(parsed("-5877641-06-23", dt) == date_of(int32_min));
    CHECK(parsed("5881580-07-11", dt) == date_of(int32_max));
    CHECK(parsed("-800000", dt) == date_of(-800000));
    CHECK(parsed("+3000000", dt) == date_of(3000000));
    CHECK(parsed("-2147483648", dt) == date_of(int32_min));
    CHECK(parsed("2147483647", dt) == date_of(int32_max));

    CHECK(refusal("2023-02-29", dt) == "'2023-02-29' is not a date (no day 29 in month 2 of year 2023)");
    CHECK(refusal("2024-13-01", dt) == "'2024-13-01' is not a date (no month 13)");
    CHECK(refusal("2024-00-10", dt) == "'2024-00-10' is not a date (no month 0)");
    CHECK(refusal("2024-05-6", dt) == "'2024-05-6' is not a date (yyyy-mm-dd, or days since 1970-01-01)");
    CHECK(refusal("2024/05/06", dt) == "'2024/05/06' is not a date (yyyy-mm-dd, or days since 1970-01-01)");
    CHECK(refusal("2024-05-06 00:00", dt) == "'2024-05-06 00:00' is not a date (yyyy-mm-dd, or days since 1970-01-01)");
    CHECK(refusal("2147483648", dt) ==
          "'2147483648' is out of range for date (the wire holds 2^31 days either side of 1970-01-01)");
    CHECK(refusal("5881580-07-12", dt) ==
          "'5881580-07-12' is out of range for date (the wire holds 2^31 days either side of 1970-01-01)");
    CHECK(refusal("99999999999999999-01-01", dt) ==
          "'99999999999999999-01-01' is out of range for date (the wire holds 2^31 days either side of 1970-01-01)");

    // render_cql writes the day count outside years 1..9999; both forms read back.
    for (std::int64_t d : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{19849}, std::int64_t{-719162},
                           std::int64_t{2932896}, std::int64_t{-719163}, std::int64_t{2932897}, std::int64_t{int32_min},
                           std::int64_t{int32_max}, std::int64_t{-500000}})
        check_round_trip(dt, date_of(d));
}

TEST_CASE("literal: times of day") {
    const auto tt = t(type_kind::time);
    CHECK(parsed("00:00:00", tt) == time_of(0));
    CHECK(parsed("23:59:59.999999999", tt) == time_of(max_ns));
    CHECK(parsed("07:08:09.5", tt) == time_of(25'689'500'000'000));
    CHECK(parsed("7:8:9.000001", tt) == time_of(25'689'000'001'000));
    CHECK(parsed("86399999999999", tt) == time_of(max_ns));
    CHECK(parsed("0", tt) == time_of(0));
    CHECK(refusal("24:00:00", tt) == "'24:00:00' is not a time (hh:mm:ss with up to 9 fraction digits, or nanoseconds since midnight)");
    CHECK(refusal("12:60:00", tt) == "'12:60:00' is not a time (hh:mm:ss with up to 9 fraction digits, or nanoseconds since midnight)");
    CHECK(refusal("12:00", tt) == "'12:00' is not a time (hh:mm:ss with up to 9 fraction digits, or nanoseconds since midnight)");
    CHECK(refusal("12:00:00.", tt) == "'12:00:00.' is not a time (hh:mm:ss with up to 9 fraction digits, or nanoseconds since midnight)");
    CHECK(refusal("12:00:00.1234567890", tt) ==
          "'12:00:00.1234567890' is not a time (hh:mm:ss with up to 9 fraction digits, or nanoseconds since midnight)");
    CHECK(refusal("86400000000000", tt) == "'86400000000000' is out of range for time (0 to 86399999999999 ns)");
    CHECK(refusal("-1", tt) == "'-1' is out of range for time (0 to 86399999999999 ns)");
    for (std::int64_t ns : {std::int64_t{0}, std::int64_t{1}, std::int64_t{25'689'123'456'789}, max_ns})
        check_round_trip(tt, time_of(ns));
}

TEST_CASE("literal: timestamps as dates, clocks and zones, or milliseconds") {
    const auto ts = t(type_kind::timestamp);
    constexpr std::int64_t may6 = 1'714'953'600'000;  // 2024-05-06 00:00:00 UTC
    constexpr std::int64_t clock = (7 * 3600 + 8 * 60 + 9) * 1000;
    CHECK(parsed("2024-05-06", ts) == timestamp_of(may6));
    CHECK(parsed("2024-05-06T07:08", ts) == timestamp_of(may6 + clock - 9000));
    CHECK(parsed("2024-05-06 07:08:09", ts) == timestamp_of(may6 + clock));
    CHECK(parsed("2024-05-06 07:08:09.1", ts) == timestamp_of(may6 + clock + 100));
    CHECK(parsed("2024-05-06 07:08:09.123", ts) == timestamp_of(may6 + clock + 123));
    // Digits past the millisecond are dropped (the millisecond the instant falls in).
    CHECK(parsed("2024-05-06 07:08:09.123999+0000", ts) == timestamp_of(may6 + clock + 123));
    CHECK(parsed("2024-05-06 07:08:09.999999999Z", ts) == timestamp_of(may6 + clock + 999));
    CHECK(parsed("2024-05-06T07:08:09Z", ts) == timestamp_of(may6 + clock));
    CHECK(parsed("2024-05-06T07:08:09z", ts) == timestamp_of(may6 + clock));
    CHECK(parsed("2024-05-06 07:08:09+02", ts) == timestamp_of(may6 + clock - 7'200'000));
    CHECK(parsed("2024-05-06 07:08:09+0230", ts) == timestamp_of(may6 + clock - 9'000'000));
    CHECK(parsed("2024-05-06 07:08:09-02:30", ts) == timestamp_of(may6 + clock + 9'000'000));
    CHECK(parsed("2024-05-06+01:00", ts) == timestamp_of(may6 - 3'600'000));
    CHECK(parsed("1969-12-31 23:59:59.999Z", ts) == timestamp_of(-1));
    CHECK(parsed("0001-01-01 00:00:00.000+0000", ts) == timestamp_of(year_1_ms));
    CHECK(parsed("999-01-01 00:00:00.000000+0000", ts) == timestamp_of(-30'641'760'000'000));
    CHECK(parsed("-1", ts) == timestamp_of(-1));
    CHECK(parsed("1714953600000", ts) == timestamp_of(may6));
    CHECK(parsed("-9223372036854775808", ts) == timestamp_of(int64_min));
    CHECK(parsed("9223372036854775807", ts) == timestamp_of(int64_max));
    CHECK(parsed("+292278994-08-17 07:12:55.807Z", ts) == timestamp_of(int64_max));
    CHECK(parsed("-292275055-05-16 16:47:04.192Z", ts) == timestamp_of(int64_min));

    constexpr std::string_view hint =
        " (yyyy-mm-dd, optionally followed by 'T' or ' ', hh:mm[:ss[.fff]] and a zone, or milliseconds since the epoch)";
    for (auto bad : {"2024-05-06 07:08:09 +0000", "2024-05-06T25:00", "2024-05-06T7:08", "2024-05-06T07", "2024-05-06 07:08:60",
                     "2024-05-06 07:08:09+19:00", "2024-05-06 07:08:09+01:60", "2024-05-06 07:08:09UTC", "2024-05-06X",
                     "2024-05-06 07:08:09.", "2024-05-06 07:08:09.1234567890", "today"}) {
        CAPTURE(bad);
        CHECK(refusal(bad, ts) == "'" + std::string(bad) + "' is not a timestamp" + std::string(hint));
    }
    CHECK(refusal("2024-02-30", ts) == "'2024-02-30' is not a timestamp (no day 30 in month 2 of year 2024)");
    CHECK(refusal("9223372036854775808", ts) == "'9223372036854775808' is out of range for timestamp");
    CHECK(refusal("+292278994-08-17 07:12:55.808Z", ts) == "'+292278994-08-17 07:12:55.808Z' is out of range for timestamp");
    CHECK(refusal("-292275055-05-16 16:47:04.191Z", ts) == "'-292275055-05-16 16:47:04.191Z' is out of range for timestamp");
    CHECK(refusal("999999999999999-01-01", ts) == "'999999999999999-01-01' is out of range for timestamp");

    // Display: "999-01-01 00:00:00.000000+0000" (unpadded year, microseconds); data: milliseconds;
    // the raw count outside years 1..9999.
    for (std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, may6 + clock + 123, year_1_ms, year_1_ms - 1,
                            year_10000_ms - 1, year_10000_ms, std::int64_t{-61'000'000'000'000}, std::int64_t{-30'641'760'000'000},
                            int64_min, int64_max})
        check_round_trip(ts, timestamp_of(ms));
}

TEST_CASE("literal: durations in Cassandra's units, ISO 8601 and its alternative form") {
    const auto du = t(type_kind::duration);
    constexpr std::int64_t h = 3'600'000'000'000, m = 60'000'000'000, s = 1'000'000'000;
    CHECK(parsed("1y2mo3w4d5h6m7s8ms9us10ns", du) == duration_of(14, 25, 5 * h + 6 * m + 7 * s + 8'009'010));
    CHECK(parsed("1Y2MO3D", du) == duration_of(14, 3, 0));
    CHECK(parsed("1h30m", du) == duration_of(0, 0, h + 30 * m));
    CHECK(parsed("10\xC2\xB5s", du) == duration_of(0, 0, 10'000));
    CHECK(parsed("10\xC2\xB5S", du) == duration_of(0, 0, 10'000));
    CHECK(parsed("-1d", du) == duration_of(0, -1, 0));
    CHECK(parsed("0s", du) == duration_of(0, 0, 0));
    CHECK(parsed("P1Y2M3DT4H5M6S", du) == duration_of(14, 3, 4 * h + 5 * m + 6 * s));
    CHECK(parsed("PT5M", du) == duration_of(0, 0, 5 * m));
    CHECK(parsed("P5M", du) == duration_of(5, 0, 0));
    CHECK(parsed("-PT1H", du) == duration_of(0, 0, -h));
    CHECK(parsed("P2W", du) == duration_of(0, 14, 0));
    CHECK(parsed("PT0S", du) == duration_of(0, 0, 0));
    CHECK(parsed("P0001-02-03T04:05:06", du) == duration_of(14, 3, 4 * h + 5 * m + 6 * s));
    CHECK(parsed("178956970y7mo", du) == duration_of(int32_max, 0, 0));
    CHECK(parsed("-178956970y8mo", du) == duration_of(int32_min, 0, 0));
    CHECK(parsed("9223372036854775807ns", du) == duration_of(0, 0, int64_max));
    CHECK(parsed("-9223372036854775808ns", du) == duration_of(0, 0, int64_min));

    const std::string hint =
        " (such as 1y2mo3d4h5m6s7ms8us9ns with units in that order, or ISO 8601 P1Y2M3DT4H5M6S)";
    for (auto bad : {"1s1h", "1h1h", "1x", "1", "h", "-", "1.5h", "1h 30m", "P1.5S", "P1S", "PT1D", "P1W2D", "P1Y2W",
                     "P0001-02-03", "p1d", "+1d"}) {
        CAPTURE(bad);
        CHECK(refusal(bad, du) == "'" + std::string(bad) + "' is not a duration" + hint);
    }
    const std::string range = " is out of range for duration (months and days must fit 32 bits, nanoseconds 64)";
    CHECK(refusal("178956970y8mo", du) == "'178956970y8mo'" + range);
    CHECK(refusal("2147483648d", du) == "'2147483648d'" + range);
    CHECK(refusal("306783379w", du) == "'306783379w'" + range);
    CHECK(refusal("9223372036854775808ns", du) == "'9223372036854775808ns'" + range);
    CHECK(refusal("2562048h", du) == "'2562048h'" + range);
    CHECK(refusal("99999999999999999999999d", du) == "'99999999999999999999999d'" + range);

    for (const auto& v : {duration_of(14, 3, 4 * h + 5 * m + 6 * s + 7'008'009), duration_of(-14, -3, -1), duration_of(0, 0, 1),
                          duration_of(1, 0, 0), duration_of(0, 1, 0), duration_of(int32_max, int32_max, int64_max),
                          duration_of(int32_min, int32_min, int64_min)})
        check_round_trip(du, v);
}

TEST_CASE("literal: text at the top level is taken as it is; inside composites it is quoted") {
    const auto tt = t(type_kind::varchar), at = t(type_kind::ascii);
    CHECK(parsed("", tt) == value::text(""));
    CHECK(parsed("  it's 'quoted'  ", tt) == value::text("  it's 'quoted'  "));
    CHECK(parsed("null", tt) == value::text("null"));
    CHECK(parsed("caf\xC3\xA9", tt) == value::text("caf\xC3\xA9"));
    CHECK(parsed("a\\n", at) == value::text("a\\n"));
    CHECK(refusal("ab\xFF", tt) == "text that is not valid UTF-8 (byte 0xff at offset 2)");
    CHECK(refusal("caf\xC3\xA9", at) == "ascii text with a byte outside 7-bit ASCII (byte 0xc3 at offset 3)");

    const auto list_text = data_type::list_of(tt);
    CHECK(parsed("['it''s', $$a 'b' ''c$$, '', $$$$]", list_text) ==
          value::list({value::text("it's"), value::text("a 'b' ''c"), value::text(""), value::text("")}));
    CHECK(parsed("['a\\n\nb']", list_text) == value::list({value::text("a\\n\nb")}));
    CHECK(parsed("['null']", list_text) == value::list({value::text("null")}));
    // As in CQL, collections hold no nulls (the server refuses them); tuples and UDTs may.
    CHECK(refusal("['a', null]", list_text) == "element 1 of a list: null has no place in a list");
    CHECK(refusal("[abc]", list_text) == "element 0 of a list: 'abc' is not quoted text ('...' or $$...$$)");
    CHECK(refusal("['a', ]", list_text) == "element 1 of a list: nothing where text was expected");
    CHECK(refusal("['abc]", list_text) == "element 0 of a list: a quoted string without its closing quote: ''abc]'");
    CHECK(refusal("[$$abc]", list_text) == "element 0 of a list: a quoted string without its closing quote: '$$abc]'");
    CHECK(refusal("['\xC3']", list_text) == "element 0 of a list: text that is not valid UTF-8 (byte 0xc3 at offset 0)");
    CHECK(refusal("['\xC3\xA9']", data_type::list_of(at)) ==
          "element 0 of a list: ascii text with a byte outside 7-bit ASCII (byte 0xc3 at offset 0)");

    for (auto s : {"", "plain", "it's", "caf\xC3\xA9", "with, comma: and ] brackets }", "'quoted'", "null"}) {
        check_round_trip(tt, value::text(s));
        check_round_trip(list_text, value::list({value::text(s)}));
    }
    // Backslashes and control characters: the display form escapes them, the data form keeps them.
    for (auto s : {"a\\b", "line\nbreak", "tab\there", "\x1B[31m", "\xC2\x85"}) {
        check_round_trip(tt, value::text(s), forms::data_only);
        check_round_trip(list_text, value::list({value::text(s)}), forms::data_only);
    }
    check_round_trip(at, value::text("ascii 'text'"));
}

TEST_CASE("literal: lists, sets, maps, tuples and vectors") {
    const auto it = t(type_kind::int_);
    const auto list_int = data_type::list_of(it);
    const auto one = int_of(1, type_kind::int_), two = int_of(2, type_kind::int_), three = int_of(3, type_kind::int_);
    CHECK(parsed("[1, 2, 3]", list_int) == value::list({one, two, three}));
    CHECK(parsed("  [ 1 ,2,\n3 ]  ", list_int) == value::list({one, two, three}));
    CHECK(parsed("[]", list_int) == value::list({}));
    CHECK(parsed("[ ]", list_int) == value::list({}));
    CHECK(parsed("['1', $$2$$, ' 3 ']", list_int) == value::list({one, two, three}));
    CHECK(refusal("[1, Null]", list_int) == "element 1 of a list: null has no place in a list");
    CHECK(refusal("{null}", data_type::set_of(it)) == "element 0 of a set: null has no place in a set");

    const auto set_int = data_type::set_of(it);
    CHECK(parsed("{1, 2}", set_int) == value::set({one, two}));
    CHECK(parsed("{}", set_int) == value::set({}));
    CHECK(parsed("[2, 1, 2]", set_int) == value::set({two, one, two}));  // cqlsh's COPY FROM accepts []; order kept
    CHECK(parsed("[]", set_int) == value::set({}));

    const auto map_text_int = data_type::map_of(t(type_kind::varchar), it);
    CHECK(parsed("{'a': 1, 'b':2}", map_text_int) ==
          value::map({{value::text("a"), one}, {value::text("b"), two}}));
    CHECK(parsed("{}", map_text_int) == value::map({}));
    CHECK(parsed("{1:2, 3 : 1}", data_type::map_of(it, it)) == value::map({{one, two}, {three, one}}));
    CHECK(refusal("{1:2, 3 : null}", data_type::map_of(it, it)) == "the value of entry 1 of a map: null has no place in a map");
    CHECK(refusal("{null: 2}", data_type::map_of(it, it)) == "the key of entry 0 of a map: null has no place in a map");
    // Keys whose text holds ':' end at a ':' that cannot continue them.
    CHECK(parsed("{07:08:09.5: 1, '00:00:00': 2}", data_type::map_of(t(type_kind::time), it)) ==
          value::map({{time_of(25'689'500'000'000), one}, {time_of(0), two}}));
    CHECK(parsed("{::1: 1, fe80::: 2, '::': 3}", data_type::map_of(t(type_kind::inet), it)) ==
          value::map({{value::from(inet_of("::1")), one}, {value::from(inet_of("fe80::")), two}, {value::from(inet_of("::")), three}}));
    CHECK(parsed("{2024-05-06T07:08:09+01:00: 1}", data_type::map_of(t(type_kind::timestamp), it)) ==
          value::map({{timestamp_of(1'714'975'689'000), one}}));

    const auto tup = data_type::tuple_of({t(type_kind::date), t(type_kind::time), t(type_kind::inet), it});
    CHECK(parsed("('2024-05-06', 00:00:01, '10.0.0.1', 3)", tup) ==
          value::tuple({date_of(19849), time_of(1'000'000'000), value::from(inet_of("10.0.0.1")), three}));
    CHECK(parsed("(2024-05-06)", tup) == value::tuple({date_of(19849), value::null(), value::null(), value::null()}));
    CHECK(parsed("()", tup) == value::tuple({value::null(), value::null(), value::null(), value::null()}));

    const auto vec = data_type::vector_of(t(type_kind::float_), 3);
    CHECK(parsed("[1.5, -2, 0.25]", vec) == value::vector({value::from(1.5f), value::from(-2.0f), value::from(0.25f)}));

    const auto nested = data_type::list_of(data_type::map_of(it, data_type::list_of(t(type_kind::varchar))));
    CHECK(parsed("[{1: ['a', 'b']}, {}, {2: []}]", nested) ==
          value::list({value::map({{one, value::list({value::text("a"), value::text("b")})}}), value::map({}),
                       value::map({{two, value::list({})}})}));
}

TEST_CASE("literal: user-defined types by field name") {
    const auto one = int_of(1, type_kind::int_), two = int_of(2, type_kind::int_);
    CHECK(parsed("{plain_1: 'x', \"Mixed\": 'y', \"with space\": 1, \"q\"\"uote\": 2, a: 1}", udt_type) ==
          value::udt({value::text("x"), value::text("y"), one, two, one}));
    // Fields in any order, missing ones null; a bare name is lower-cased first (CQL), then
    // taken as written (cqlsh's display).
    CHECK(parsed("{A: 2, PLAIN_1: 'x'}", udt_type) ==
          value::udt({value::text("x"), value::null(), value::null(), value::null(), two}));
    CHECK(parsed("{Mixed: 'y', with space: 1, q\"uote: 2}", udt_type) ==
          value::udt({value::null(), value::text("y"), one, two, value::null()}));
    CHECK(parsed("{}", udt_type) == value::udt({value::null(), value::null(), value::null(), value::null(), value::null()}));
    CHECK(parsed("{a: null}", udt_type) == value::udt({value::null(), value::null(), value::null(), value::null(), value::null()}));

    CHECK(refusal("{zz: 1}", udt_type) == "a user-defined type value of type 'u' has no field 'zz'");
    CHECK(refusal("{\"A\": 1}", udt_type) == "a user-defined type value of type 'u' has no field 'A'");
    CHECK(refusal("{mixed: 'y'}", udt_type) == "a user-defined type value of type 'u' has no field 'mixed'");
    CHECK(refusal("{a: 1, A: 2}", udt_type) == "field 'a' is given twice");
    CHECK(refusal("{a: 'x'}", udt_type) == "field 'a' of a user-defined type value: 'x' is not an int");
    CHECK(refusal("{a 1}", udt_type) == "a user-defined type value of type 'u' has no field 'a 1'");
    CHECK(refusal("{: 1}", udt_type) == "field 0 of a user-defined type value: expected a field name at ': 1}'");
    CHECK(refusal("{\"a: 1}", udt_type) ==
          "field 0 of a user-defined type value: a quoted field name without its closing quote: '\"a: 1}'");
    CHECK(refusal("{a: 1", udt_type) == "a user-defined type value that ends after field 0 without its closing '}'");
    CHECK(refusal("(1)", udt_type) == "'(1)' is not a user-defined type value (which starts with '{')");

    check_round_trip(udt_type, value::udt({value::text("it's"), value::text("y"), one, two, value::null()}));
    check_round_trip(udt_type, value::udt({value::null(), value::null(), value::null(), value::null(), value::null()}));
}

TEST_CASE("literal: refusals inside composite values say where") {
    const auto it = t(type_kind::int_);
    const auto list_int = data_type::list_of(it);
    CHECK(refusal("[1, 'a']", list_int) == "element 1 of a list: 'a' is not an int");
    CHECK(refusal("[1, 2", list_int) == "a list that ends after element 1 without its closing ']'");
    CHECK(refusal("[1 2]", list_int) == "element 0 of a list: '1 2' is not an int");
    CHECK(refusal("[1,]", list_int) == "element 1 of a list: nothing where an int was expected");
    CHECK(refusal("[,]", list_int) == "element 0 of a list: nothing where an int was expected");
    CHECK(refusal("[", list_int) == "element 0 of a list: nothing where an int was expected");
    CHECK(refusal("{1, 2}", list_int) == "'{1, 2}' is not a list (which starts with '[')");
    CHECK(refusal("null", list_int) == "'null' is not a list (which starts with '[')");
    CHECK(refusal("", list_int) == "nothing where a list was expected");
    CHECK(refusal("[1] x", list_int) == "text after the end of a list: 'x'");
    CHECK(refusal("[1]]", list_int) == "text after the end of a list: ']'");
    CHECK(refusal("[[1]]", list_int) == "element 0 of a list: '[1' is not an int");
    CHECK(refusal("['1' 2]", list_int) == "expected ',' or ']' after element 0 of a list, at '2]'");
    CHECK(refusal("[nullx]", list_int) == "element 0 of a list: 'nullx' is not an int");
    CHECK(refusal("(1, 2)", data_type::set_of(it)) == "'(1, 2)' is not a set (which starts with '{')");

    const auto map_int = data_type::map_of(it, it);
    CHECK(refusal("{1 2}", map_int) == "the key of entry 0 of a map: '1 2' is not an int");
    CHECK(refusal("{1: 2, 3}", map_int) == "expected ':' after the key of entry 1 of a map, at '}'");
    CHECK(refusal("{1: x}", map_int) == "the value of entry 0 of a map: 'x' is not an int");
    CHECK(refusal("{1: 2", map_int) == "a map that ends after entry 0 without its closing '}'");
    CHECK(refusal("{1: 2; 3: 4}", map_int) == "the value of entry 0 of a map: '2; 3: 4' is not an int");

    const auto pair = data_type::tuple_of({it, it});
    CHECK(refusal("(1, 2, 3)", pair) == "a tuple of 2 fields given more, from '3)'");
    CHECK(refusal("[1, 2]", pair) == "'[1, 2]' is not a tuple (which starts with '(')");
    CHECK(refusal("(1, 'x')", pair) == "element 1 of a tuple: 'x' is not an int");

    const auto vec = data_type::vector_of(t(type_kind::float_), 3);
    CHECK(refusal("[1.5, 2]", vec) == "a vector of 3 elements given 2");
    CHECK(refusal("[1, 2, 3, 4]", vec) == "a vector of 3 elements given 4");
    CHECK(refusal("[1, null, 3]", vec) == "element 1 of a vector: null has no place in a vector");

    const auto nested = data_type::list_of(data_type::map_of(it, data_type::tuple_of({it, t(type_kind::date)})));
    CHECK(refusal("[{1: (1, '2024-01-01')}, {2: (2, '2024-02-30')}]", nested) ==
          "element 1 of a list: the value of entry 0 of a map: element 1 of a tuple: '2024-02-30' is not a date (no day 30 in month 2 of year 2024)");
}

TEST_CASE("literal: reasons quote at most 40 bytes, with control characters and stray bytes escaped") {
    const auto it = t(type_kind::int_);
    CHECK(refusal("\x1B[31mred\\", it) == "'\\x1b[31mred\\x5c' is not an int");
    CHECK(refusal(std::string(50, 'x'), it) == "'" + std::string(40, 'x') + "'... is not an int");
    CHECK(refusal("\xC3\xA9t\xC3\xA9", it) == "'\xC3\xA9t\xC3\xA9' is not an int");
    CHECK(refusal("a\xC2\x85z\xFF", it) == "'a\\xc2\\x85z\\xff' is not an int");
    // A character that would straddle byte 40 is left out whole.
    CHECK(refusal(std::string(39, 'x') + "\xC3\xA9", it) == "'" + std::string(39, 'x') + "'... is not an int");
}

TEST_CASE("literal: nesting is as deep as the type, at most max_type_depth levels") {
    auto deep_type = t(type_kind::int_);
    std::string text = "1";
    for (int level = 1; level < max_type_depth; ++level) {
        deep_type = data_type::list_of(deep_type);
        text = "[" + text + "]";
    }
    value v = parsed(text, deep_type);  // 31 lists around an int: 32 levels
    check_round_trip(deep_type, v);

    const auto too_deep = data_type::list_of(deep_type);
    const auto why = refusal("[" + text + "]", too_deep);
    CHECK(why.starts_with("element 0 of a list: element 0 of a list: "));
    CHECK(why.ends_with(": values nested deeper than 32 levels"));
    bytes ignored;
    CHECK(encode_value(value::list({v}), too_deep, ignored));  // the encoder refuses that depth too

    // Text alone cannot make the reader recurse: brackets a scalar type does not expect are text.
    CHECK(refusal(std::string(100'000, '['), data_type::list_of(t(type_kind::int_))) ==
          "element 0 of a list: '" + std::string(40, '[') + "'... is not an int");
}

TEST_CASE("literal: composite values of every kind read back from both render_cql forms") {
    const auto it = t(type_kind::int_), tt = t(type_kind::varchar);
    const auto one = int_of(1, type_kind::int_), two = int_of(2, type_kind::int_);
    check_round_trip(data_type::list_of(it), value::list({one, two}));
    check_round_trip(data_type::list_of(it), value::list({}));
    check_round_trip(data_type::set_of(tt), value::set({value::text("a"), value::text("it's")}));
    check_round_trip(data_type::map_of(tt, t(type_kind::timestamp)),
                     value::map({{value::text("k"), timestamp_of(253'402'300'799'999)}, {value::text("j"), timestamp_of(-1)}}));
    check_round_trip(data_type::map_of(t(type_kind::time), tt), value::map({{time_of(25'689'000'000'001), value::text("x")}}));
    check_round_trip(data_type::map_of(t(type_kind::inet), it),
                     value::map({{value::from(inet_of("::1")), one}, {value::from(inet_of("fe80::")), two}}));
    check_round_trip(data_type::map_of(t(type_kind::date), t(type_kind::duration)),
                     value::map({{date_of(-800000), duration_of(0, 0, 1)}, {date_of(0), duration_of(-1, 0, 0)}}));
    check_round_trip(data_type::tuple_of({t(type_kind::date), t(type_kind::time), t(type_kind::inet), it}),
                     value::tuple({date_of(0), time_of(1), value::from(inet_of("10.0.0.1")), value::null()}));
    check_round_trip(data_type::tuple_of({t(type_kind::boolean), t(type_kind::blob), t(type_kind::uuid), t(type_kind::decimal)}),
                     value::tuple({value::from(true), value::blob(bytes{0xCA, 0xFE}),
                                   value::from(uuid_of("123e4567-e89b-42d3-a456-426614174000")), decimal_of(3, {0xFF})}));
    check_round_trip(data_type::vector_of(t(type_kind::float_), 3),
                     value::vector({value::from(1.5f), value::from(-2.0f), value::from(0.25f)}));
    check_round_trip(data_type::vector_of(t(type_kind::float_), 2), value::vector({value::from(0.1f), value::from(1e-45f)}),
                     forms::data_only);
    check_round_trip(data_type::vector_of(tt, 2), value::vector({value::text("a"), value::text("b, c")}));
    check_round_trip(data_type::vector_of(t(type_kind::varint), 1), value::vector({varint_of({0x01, 0x00})}));
    check_round_trip(data_type::list_of(data_type::map_of(it, data_type::list_of(tt))),
                     value::list({value::map({{one, value::list({value::text("a")})}}), value::map({})}));
    check_round_trip(data_type::list_of(udt_type),
                     value::list({value::udt({value::text("x"), value::text("y"), one, two, one})}));
    check_round_trip(data_type::set_of(data_type::tuple_of({it, tt})), value::set({value::tuple({one, value::text("a")})}));
}

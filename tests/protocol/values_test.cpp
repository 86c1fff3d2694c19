#include "test_support.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "cqlwire/protocol/values.hpp"
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

// Runs `read` over every strict prefix of `full` (each in an exact-size buffer) and checks it
// fails with an error of the protocol category (never success, never a crash).
template <typename Read>
void check_every_prefix_fails(const data_type& type, const bytes& full, Read read) {
    for (std::size_t n = 0; n < full.size(); ++n) {
        held_value h(type, bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
        std::error_code ec = read(h.view());
        CAPTURE(n);
        CHECK(ec);
        CHECK(ec.category() == client_category());
    }
}

// Reads every element of a list/set/vector/tuple/udt value; the first error, if any.
std::error_code read_all_elements(const value_view& v, std::vector<value_view>* out = nullptr) {
    element_cursor c;
    if (auto ec = open_elements(v, c)) return ec;
    value_view e = v;
    while (!c.at_end()) {
        if (auto ec = c.next(e)) return ec;
        if (out) out->push_back(e);
    }
    return {};
}

}  // namespace

TEST_CASE("boolean: one byte, any non-zero is true; wrong widths, empty and null are distinct errors") {
    bool b = false;
    CHECK_FALSE(to_bool(held_value(t(type_kind::boolean), {0x01}).view(), b));
    CHECK(b);
    CHECK_FALSE(to_bool(held_value(t(type_kind::boolean), {0x00}).view(), b));
    CHECK_FALSE(b);
    CHECK_FALSE(to_bool(held_value(t(type_kind::boolean), {0x7F}).view(), b));
    CHECK(b);
    CHECK(to_bool(held_value(t(type_kind::boolean), {0x01, 0x00}).view(), b) == client_errc::bad_value_length);
    held_value empty(t(type_kind::boolean), {});
    CHECK(empty.view().is_empty());
    CHECK_FALSE(empty.view().is_null());
    CHECK(to_bool(empty.view(), b) == client_errc::empty_value);
    auto null = held_value::null(t(type_kind::boolean));
    CHECK(null.view().is_null());
    CHECK_FALSE(null.view().is_empty());
    CHECK(to_bool(null.view(), b) == client_errc::null_value);
    CHECK(to_bool(held_value(t(type_kind::int_), {0, 0, 0, 1}).view(), b) == client_errc::type_mismatch);
    CHECK(as_bool(held_value(t(type_kind::boolean), {0x01}).view()) == true);
    CHECK_FALSE(as_bool(null.view()).has_value());
}

TEST_CASE("integers: bounds of every width, exact widths, narrowing with range checks") {
    std::int64_t i = 0;
    struct vec {
        type_kind kind;
        bytes wire;
        std::int64_t expected;
    };
    const vec vectors[] = {
        {type_kind::tinyint, {0x7F}, 127},
        {type_kind::tinyint, {0x80}, -128},
        {type_kind::tinyint, {0xFF}, -1},
        {type_kind::smallint, {0x7F, 0xFF}, 32767},
        {type_kind::smallint, {0x80, 0x00}, -32768},
        {type_kind::int_, {0x7F, 0xFF, 0xFF, 0xFF}, 2147483647},
        {type_kind::int_, {0x80, 0x00, 0x00, 0x00}, -2147483648LL},
        {type_kind::int_, {0x00, 0x01, 0xE2, 0x40}, 123456},
        {type_kind::bigint, {0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, std::numeric_limits<std::int64_t>::max()},
        {type_kind::bigint, {0x80, 0, 0, 0, 0, 0, 0, 0}, std::numeric_limits<std::int64_t>::min()},
        {type_kind::counter, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}, -2},
    };
    for (const auto& v : vectors) {
        CAPTURE(cql_type_name(t(v.kind)));
        held_value h(t(v.kind), v.wire);
        REQUIRE_FALSE(to_int64(h.view(), i));
        CHECK(i == v.expected);
        // One byte more or less than the width is refused, not read.
        auto longer = v.wire;
        longer.push_back(0);
        CHECK(to_int64(held_value(t(v.kind), longer).view(), i) == client_errc::bad_value_length);
        if (v.wire.size() > 1) {
            auto shorter = bytes(v.wire.begin(), v.wire.end() - 1);
            CHECK(to_int64(held_value(t(v.kind), shorter).view(), i) == client_errc::bad_value_length);
        }
        CHECK(to_int64(held_value(t(v.kind), {}).view(), i) == client_errc::empty_value);
    }
    // An int of 3 bytes.
    CHECK(to_int64(held_value(t(type_kind::int_), {1, 2, 3}).view(), i) == client_errc::bad_value_length);

    std::int8_t i8 = 0;
    std::int16_t i16 = 0;
    std::int32_t i32 = 0;
    CHECK_FALSE(to_int8(held_value(t(type_kind::int_), {0xFF, 0xFF, 0xFF, 0x80}).view(), i8));
    CHECK(i8 == -128);
    CHECK(to_int8(held_value(t(type_kind::int_), {0x00, 0x00, 0x00, 0x80}).view(), i8) == client_errc::value_out_of_range);
    CHECK(to_int16(held_value(t(type_kind::int_), {0x00, 0x00, 0x80, 0x00}).view(), i16) ==
          client_errc::value_out_of_range);
    CHECK_FALSE(to_int32(held_value(t(type_kind::bigint), {0xFF, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0}).view(), i32));
    CHECK(i32 == std::numeric_limits<std::int32_t>::min());
    CHECK(to_int32(held_value(t(type_kind::bigint), {0, 0, 0, 0, 0x80, 0, 0, 0}).view(), i32) ==
          client_errc::value_out_of_range);
    CHECK(to_int32(held_value(t(type_kind::varchar), {'1'}).view(), i32) == client_errc::type_mismatch);
    CHECK(as_int32(held_value(t(type_kind::smallint), {0xFF, 0xFE}).view()) == -2);
    CHECK(as_int64(held_value(t(type_kind::tinyint), {0x05}).view()) == 5);
}

TEST_CASE("float and double: exact bit patterns, NaN, infinities, negative zero") {
    float f = 0;
    double d = 0;
    REQUIRE_FALSE(to_float(held_value(t(type_kind::float_), {0x3F, 0xC0, 0x00, 0x00}).view(), f));
    CHECK(f == 1.5f);
    REQUIRE_FALSE(to_double(held_value(t(type_kind::float_), {0x3F, 0xC0, 0x00, 0x00}).view(), d));
    CHECK(d == 1.5);
    REQUIRE_FALSE(to_double(held_value(t(type_kind::double_), {0x40, 0x09, 0x21, 0xFB, 0x54, 0x44, 0x2D, 0x18}).view(), d));
    CHECK(d == 3.141592653589793);
    REQUIRE_FALSE(to_double(held_value(t(type_kind::double_), {0x7F, 0xF8, 0, 0, 0, 0, 0, 0}).view(), d));
    CHECK(std::isnan(d));
    REQUIRE_FALSE(to_double(held_value(t(type_kind::double_), {0xFF, 0xF0, 0, 0, 0, 0, 0, 0}).view(), d));
    CHECK(d == -std::numeric_limits<double>::infinity());
    REQUIRE_FALSE(to_float(held_value(t(type_kind::float_), {0x7F, 0x80, 0, 0}).view(), f));
    CHECK(f == std::numeric_limits<float>::infinity());
    REQUIRE_FALSE(to_double(held_value(t(type_kind::double_), {0x80, 0, 0, 0, 0, 0, 0, 0}).view(), d));
    CHECK(d == 0.0);
    CHECK(std::signbit(d));
    CHECK(to_float(held_value(t(type_kind::float_), {0, 0, 0}).view(), f) == client_errc::bad_value_length);
    CHECK(to_double(held_value(t(type_kind::double_), {0, 0, 0, 0}).view(), d) == client_errc::bad_value_length);
    CHECK(to_float(held_value(t(type_kind::double_), {0, 0, 0, 0, 0, 0, 0, 0}).view(), f) == client_errc::type_mismatch);
}

TEST_CASE("text: UTF-8 checked for text, 7 bits for ascii, empty strings are values") {
    std::string_view s;
    held_value utf8(t(type_kind::varchar), text_bytes("h\xC3\xA9llo \xF0\x9F\x98\x80"));
    REQUIRE_FALSE(to_text(utf8.view(), s));
    CHECK(s == "h\xC3\xA9llo \xF0\x9F\x98\x80");
    REQUIRE_FALSE(to_text(held_value(t(type_kind::varchar), {}).view(), s));
    CHECK(s.empty());
    held_value ascii(t(type_kind::ascii), text_bytes("plain"));
    REQUIRE_FALSE(to_text(ascii.view(), s));
    CHECK(s == "plain");
    CHECK(to_text(held_value(t(type_kind::ascii), {'a', 0x80}).view(), s) == client_errc::bad_utf8);
    const bytes bad_utf8[] = {
        {0xC0, 0x80},              // overlong NUL
        {0xE0, 0x80, 0x80},        // overlong
        {0xED, 0xA0, 0x80},        // a surrogate
        {0xF4, 0x90, 0x80, 0x80},  // above U+10FFFF
        {0xE2, 0x82},              // truncated sequence
        {0x80},                    // a lone continuation byte
        {0xFF},
    };
    for (const auto& b : bad_utf8) {
        CHECK(to_text(held_value(t(type_kind::varchar), b).view(), s) == client_errc::bad_utf8);
        // Where the bad sequence starts, also past the eight-byte ASCII fast path.
        const auto prefixed = concat({text_bytes("0123456789"), b});
        CHECK(utf8_error_offset(as_chars(prefixed)) == 10);
    }
    CHECK(utf8_error_offset("h\xC3\xA9llo \xF0\x9F\x98\x80") == std::string_view::npos);
    CHECK(utf8_error_offset("\xC3\xA9\xC3") == 2);
    CHECK(to_text(held_value::null(t(type_kind::varchar)).view(), s) == client_errc::null_value);
    CHECK(as_text(held_value(t(type_kind::varchar), text_bytes("x")).view()) == "x");
}

TEST_CASE("blob, uuid and inet") {
    bytes_view b;
    held_value empty_blob(t(type_kind::blob), {});
    REQUIRE_FALSE(to_blob(empty_blob.view(), b));
    CHECK(b.empty());

    const bytes u{0x6b, 0xdd, 0xc8, 0x9a, 0x56, 0x44, 0x11, 0xe4, 0x97, 0xfc, 0x56, 0x84, 0x7a, 0xfe, 0x97, 0x99};
    uuid out;
    REQUIRE_FALSE(to_uuid(held_value(t(type_kind::timeuuid), u).view(), out));
    CHECK(to_string(out) == "6bddc89a-5644-11e4-97fc-56847afe9799");
    CHECK(to_uuid(held_value(t(type_kind::uuid), bytes(u.begin(), u.end() - 1)).view(), out) ==
          client_errc::bad_value_length);

    inet_address a;
    REQUIRE_FALSE(to_inet(held_value(t(type_kind::inet), {127, 0, 0, 1}).view(), a));
    CHECK(a.is_v4());
    CHECK(to_string(a) == "127.0.0.1");
    bytes v6(16, 0);
    v6[0] = 0x20, v6[1] = 0x01, v6[2] = 0x0d, v6[3] = 0xb8, v6[15] = 0x01;
    REQUIRE_FALSE(to_inet(held_value(t(type_kind::inet), v6).view(), a));
    CHECK(a.size == 16);
    CHECK(to_string(a) == "2001:db8::1");
    CHECK(to_inet(held_value(t(type_kind::inet), {1, 2, 3, 4, 5}).view(), a) == client_errc::bad_value_length);
    CHECK(to_inet(held_value(t(type_kind::inet), {}).view(), a) == client_errc::empty_value);
}

TEST_CASE("date: epoch at 2^31, proleptic Gregorian for any year") {
    cql_date d;
    REQUIRE_FALSE(to_date(held_value(t(type_kind::date), {0x80, 0x00, 0x00, 0x00}).view(), d));
    CHECK(d.days_since_epoch == 0);
    CHECK(d.to_civil() == civil_date{1970, 1, 1});
    REQUIRE_FALSE(to_date(held_value(t(type_kind::date), {0x7F, 0xFF, 0xFF, 0xFF}).view(), d));
    CHECK(d.days_since_epoch == -1);
    CHECK(d.to_civil() == civil_date{1969, 12, 31});
    // The extremes of the type, as the CQL documentation gives them.
    REQUIRE_FALSE(to_date(held_value(t(type_kind::date), {0x00, 0x00, 0x00, 0x00}).view(), d));
    CHECK(d.days_since_epoch == -2147483648LL);
    CHECK(d.to_civil() == civil_date{-5877641, 6, 23});
    REQUIRE_FALSE(to_date(held_value(t(type_kind::date), {0xFF, 0xFF, 0xFF, 0xFF}).view(), d));
    CHECK(d.to_civil() == civil_date{5881580, 7, 11});
    // Year 1, a leap day, and the Gregorian reform date (no Julian switch for dates).
    CHECK(cql_date{-719162}.to_civil() == civil_date{1, 1, 1});
    CHECK(cql_date{-719163}.to_civil() == civil_date{0, 12, 31});
    CHECK(cql_date{11016}.to_civil() == civil_date{2000, 2, 29});
    CHECK(cql_date{-141427}.to_civil() == civil_date{1582, 10, 15});
    for (std::int64_t days : std::initializer_list<std::int64_t>{-2147483648LL, -719163, -1, 0, 59, 11016, 2147483647})
        CHECK(cql_date::from_civil(cql_date{days}.to_civil()).days_since_epoch == days);
    std::uint32_t raw = 0;
    REQUIRE_FALSE(cql_date{-1}.to_wire(raw));
    CHECK(raw == 0x7FFFFFFFu);
    CHECK(cql_date{2147483648LL}.to_wire(raw) == client_errc::value_out_of_range);
    CHECK(to_date(held_value(t(type_kind::date), {0, 0, 0}).view(), d) == client_errc::bad_value_length);
}

TEST_CASE("time: nanoseconds since midnight, range checked") {
    cql_time tm;
    REQUIRE_FALSE(to_time(held_value(t(type_kind::time), {0, 0, 0, 0, 0, 0, 0, 0}).view(), tm));
    CHECK(tm.nanoseconds == 0);
    // 86399999999999 = 0x4E94914EFFFF
    REQUIRE_FALSE(to_time(held_value(t(type_kind::time), {0, 0, 0x4E, 0x94, 0x91, 0x4E, 0xFF, 0xFF}).view(), tm));
    CHECK(tm.nanoseconds == 86399999999999LL);
    CHECK(to_time(held_value(t(type_kind::time), {0, 0, 0x4E, 0x94, 0x91, 0x4F, 0x00, 0x00}).view(), tm) ==
          client_errc::value_out_of_range);
    CHECK(to_time(held_value(t(type_kind::time), {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}).view(), tm) ==
          client_errc::value_out_of_range);
}

TEST_CASE("timestamp: signed milliseconds") {
    cql_timestamp ts;
    REQUIRE_FALSE(to_timestamp(held_value(t(type_kind::timestamp), {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}).view(), ts));
    CHECK(ts.milliseconds == -1);
    REQUIRE_FALSE(to_timestamp(held_value(t(type_kind::timestamp), {0x80, 0, 0, 0, 0, 0, 0, 0}).view(), ts));
    CHECK(ts.milliseconds == std::numeric_limits<std::int64_t>::min());
    CHECK(to_timestamp(held_value(t(type_kind::timestamp), {0, 0, 0, 0}).view(), ts) == client_errc::bad_value_length);
}

TEST_CASE("vints: Cassandra's encoding at every size boundary") {
    struct vec {
        std::uint64_t v;
        bytes wire;
    };
    const vec unsigned_vectors[] = {
        {0, {0x00}},
        {127, {0x7F}},
        {128, {0x80, 0x80}},
        {16383, {0xBF, 0xFF}},
        {16384, {0xC0, 0x40, 0x00}},
        {(1ULL << 56) - 1, {0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
        {1ULL << 56, {0xFF, 0x01, 0, 0, 0, 0, 0, 0, 0}},
        {~0ULL, {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
    };
    for (const auto& v : unsigned_vectors) {
        CAPTURE(v.v);
        bytes out;
        write_unsigned_vint(out, v.v);
        CHECK(out == v.wire);
        held_value h(t(type_kind::blob), v.wire);
        byte_reader r(h.view().bytes());
        std::uint64_t back = 0;
        REQUIRE_FALSE(read_unsigned_vint(r, back));
        CHECK(back == v.v);
        CHECK(r.empty());
        for (std::size_t n = 0; n < v.wire.size(); ++n) {
            held_value p(t(type_kind::blob), bytes(v.wire.begin(), v.wire.begin() + static_cast<std::ptrdiff_t>(n)));
            byte_reader pr(p.view().bytes());
            CHECK(read_unsigned_vint(pr, back) == client_errc::truncated);
        }
    }
    struct svec {
        std::int64_t v;
        bytes wire;
    };
    const svec signed_vectors[] = {
        {0, {0x00}},
        {1, {0x02}},
        {-1, {0x01}},
        {63, {0x7E}},
        {-64, {0x7F}},
        {64, {0x80, 0x80}},
        {2147483647, {0xF0, 0xFF, 0xFF, 0xFF, 0xFE}},
        {-2147483648LL, {0xF0, 0xFF, 0xFF, 0xFF, 0xFF}},
        {std::numeric_limits<std::int64_t>::max(), {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE}},
        {std::numeric_limits<std::int64_t>::min(), {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
    };
    for (const auto& v : signed_vectors) {
        CAPTURE(v.v);
        bytes out;
        write_signed_vint(out, v.v);
        CHECK(out == v.wire);
        byte_reader r(v.wire);
        std::int64_t back = 0;
        REQUIRE_FALSE(read_signed_vint(r, back));
        CHECK(back == v.v);
    }
}

TEST_CASE("duration: three zig-zag vints, one sign, 32-bit months and days") {
    cql_duration d;
    const auto ty = t(type_kind::duration);
    REQUIRE_FALSE(to_duration(held_value(ty, {0x02, 0x04, 0x06}).view(), d));
    CHECK(d == cql_duration{1, 2, 3});
    REQUIRE_FALSE(to_duration(held_value(ty, {0x01, 0x03, 0x05}).view(), d));
    CHECK(d == cql_duration{-1, -2, -3});
    // 14 months, 0 days, one hour (3600000000000 ns).
    const bytes hour{0x1C, 0x00, 0xFC, 0x06, 0x8C, 0x61, 0x71, 0x40, 0x00};
    REQUIRE_FALSE(to_duration(held_value(ty, hour).view(), d));
    CHECK(d == cql_duration{14, 0, 3600000000000LL});
    check_every_prefix_fails(ty, hour, [&](const value_view& v) { return to_duration(v, d); });
    CHECK(to_duration(held_value(ty, {0x02, 0x03, 0x00}).view(), d) == client_errc::bad_value);  // +1 month, -2 days
    CHECK(to_duration(held_value(ty, {0x02, 0x04, 0x06, 0x00}).view(), d) == client_errc::trailing_bytes);
    // 2^31 months does not fit.
    CHECK(to_duration(held_value(ty, {0xF1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}).view(), d) ==
          client_errc::value_out_of_range);
    CHECK(to_duration(held_value(ty, {0x02, 0x04}).view(), d) == client_errc::truncated);
}

TEST_CASE("varint: exact text of any size, int64 when it fits") {
    struct vec {
        bytes wire;
        std::string_view text;
    };
    const vec vectors[] = {
        {{0x00}, "0"},
        {{0x7F}, "127"},
        {{0x80}, "-128"},
        {{0x00, 0x80}, "128"},
        {{0xFF}, "-1"},
        {{0xFF, 0xFF, 0xFF}, "-1"},  // not minimal, still fine
        {{0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}, "9223372036854775808"},
        {{0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, "-9223372036854775809"},
        {{0x01, 0, 0, 0, 0, 0, 0, 0, 0}, "18446744073709551616"},
        {{0xFF, 0, 0, 0, 0, 0, 0, 0, 0}, "-18446744073709551616"},
        {{0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, "-170141183460469231731687303715884105728"},
        {{0x1d, 0x63, 0x29, 0xf1, 0xc3, 0x5c, 0xa4, 0xbf, 0xab, 0xb9, 0xf5, 0x61, 0, 0, 0, 0, 0},
         "10000000000000000000000000000000000000000"},
        {concat({{0x01}, bytes(23, 0), {0x30, 0x39}}),
         "1606938044258990275541962092341162602522202993782792835313721"},  // 2^200 + 12345
    };
    for (const auto& v : vectors) {
        CAPTURE(v.text);
        held_value h(t(type_kind::varint), v.wire);
        cql_varint out;
        REQUIRE_FALSE(to_varint(h.view(), out));
        CHECK(out.to_string() == v.text);
        std::string s = "prefix:";
        REQUIRE_FALSE(append_varint_text(h.view().bytes(), s));
        CHECK(s == "prefix:" + std::string(v.text));
    }
    std::int64_t i = 0;
    REQUIRE_FALSE(to_int64(held_value(t(type_kind::varint), {0x80, 0, 0, 0, 0, 0, 0, 0}).view(), i));
    CHECK(i == std::numeric_limits<std::int64_t>::min());
    REQUIRE_FALSE(to_int64(held_value(t(type_kind::varint), {0xFF, 0xFF, 0x80}).view(), i));
    CHECK(i == -128);
    CHECK(to_int64(held_value(t(type_kind::varint), {0x00, 0x80, 0, 0, 0, 0, 0, 0, 0}).view(), i) ==
          client_errc::value_out_of_range);
    CHECK(to_int64(held_value(t(type_kind::varint), {0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}).view(), i) ==
          client_errc::value_out_of_range);
    CHECK(to_int64(held_value(t(type_kind::varint), {}).view(), i) == client_errc::empty_value);
    for (std::int64_t n : std::initializer_list<std::int64_t>{0, 1, -1, 127, 128, -128, -129, 32767,
                                                              std::numeric_limits<std::int64_t>::min(),
                                                              std::numeric_limits<std::int64_t>::max()}) {
        auto v = cql_varint::from_int64(n);
        std::int64_t back = 0;
        REQUIRE_FALSE(v.to_int64(back));
        CHECK(back == n);
        CHECK(v.to_string() == std::to_string(n));
    }
    CHECK(cql_varint::from_int64(128).bytes == bytes{0x00, 0x80});
    CHECK(cql_varint::from_int64(-129).bytes == bytes{0xFF, 0x7F});
    // A varint too large to turn into text is refused rather than converted for minutes.
    std::string s;
    bytes huge(max_varint_text_bytes + 1, 0x11);
    CHECK(append_varint_text(huge, s) == client_errc::value_out_of_range);
    CHECK(s.empty());
}

TEST_CASE("decimal: scale and unscaled varint, exact text with Cassandra's notation rules") {
    struct vec {
        std::int32_t scale;
        bytes unscaled;
        std::string_view text;
    };
    const vec vectors[] = {
        {2, {0x30, 0x39}, "123.45"},
        {0, {0x30, 0x39}, "12345"},
        {5, {0x30, 0x39}, "0.12345"},
        {7, {0x30, 0x39}, "0.0012345"},
        {2, {0x00}, "0.00"},
        {-3, {0x01}, "1E+3"},
        {-3, {0x30, 0x39}, "1.2345E+7"},
        {14, {0x85}, "-1.23E-12"},  // -123, scale 14
        {6, {0x01}, "0.000001"},
        {7, {0x01}, "1E-7"},
        {6, {0x7B}, "0.000123"},
        {12, {0xFF, 0x85}, "-1.23E-10"},
        {0, {0x01, 0, 0, 0, 0, 0, 0, 0, 0}, "18446744073709551616"},
        {3, {0xFF, 0, 0, 0, 0, 0, 0, 0, 0}, "-18446744073709551.616"},
    };
    for (const auto& v : vectors) {
        CAPTURE(v.text);
        auto wire = concat({int32_be(v.scale), v.unscaled});
        held_value h(t(type_kind::decimal), wire);
        cql_decimal d;
        REQUIRE_FALSE(to_decimal(h.view(), d));
        CHECK(d.scale == v.scale);
        CHECK(d.unscaled.bytes == v.unscaled);
        CHECK(d.to_string() == v.text);
        // A decimal needs its 4-byte scale and at least one byte of unscaled value; shorter
        // unscaled parts are themselves valid varints, so only those prefixes must fail.
        check_every_prefix_fails(h.type(), bytes(wire.begin(), wire.begin() + 5),
                                 [&](const value_view& p) { return to_decimal(p, d); });
    }
}

TEST_CASE("list and set: counts checked against the bytes, null elements, trailing bytes") {
    const auto list_int = data_type::list_of(t(type_kind::int_));
    const bytes wire = concat({int32_be(3), element(int32_be(1)), null_element(), element(int32_be(-3))});
    held_value h(list_int, wire);
    std::vector<value_view> items;
    REQUIRE_FALSE(read_all_elements(h.view(), &items));
    REQUIRE(items.size() == 3);
    CHECK(as_int32(items[0]) == 1);
    CHECK(items[1].is_null());
    CHECK(as_int32(items[2]) == -3);
    check_every_prefix_fails(list_int, wire, [](const value_view& v) { return read_all_elements(v); });

    // A count the remaining bytes cannot hold is refused before anything is reserved.
    element_cursor c;
    CHECK(open_elements(held_value(list_int, concat({int32_be(0x7FFFFFFF), element(int32_be(1))})).view(), c) ==
          client_errc::truncated);
    CHECK(open_elements(held_value(list_int, int32_be(-1)).view(), c) == client_errc::length_out_of_range);
    CHECK(read_all_elements(held_value(list_int, concat({wire, {0x00}})).view()) == client_errc::trailing_bytes);
    CHECK(read_all_elements(held_value(list_int, concat({int32_be(0), {0x00}})).view()) == client_errc::trailing_bytes);
    // Elements are checked by their converters: an int element of 3 bytes.
    held_value bad(list_int, concat({int32_be(1), element({1, 2, 3})}));
    items.clear();
    REQUIRE_FALSE(read_all_elements(bad.view(), &items));
    std::int32_t i = 0;
    CHECK(to_int32(items[0], i) == client_errc::bad_value_length);
    // An element length beyond the value.
    CHECK(read_all_elements(held_value(list_int, concat({int32_be(1), int32_be(100), int32_be(1)})).view()) ==
          client_errc::truncated);

    CHECK(open_elements(held_value(list_int, {}).view(), c) == client_errc::empty_value);
    CHECK(open_elements(held_value::null(list_int).view(), c) == client_errc::null_value);
    CHECK(open_elements(held_value(t(type_kind::int_), int32_be(1)).view(), c) == client_errc::type_mismatch);

    const auto set_text = data_type::set_of(t(type_kind::varchar));
    held_value s(set_text, concat({int32_be(2), element(text_bytes("a")), element({})}));
    items.clear();
    REQUIRE_FALSE(read_all_elements(s.view(), &items));
    REQUIRE(items.size() == 2);
    CHECK(as_text(items[0]) == "a");
    CHECK(as_text(items[1]) == "");
}

TEST_CASE("map: key/value pairs, nested collections") {
    const auto map_type = data_type::map_of(t(type_kind::varchar), data_type::list_of(t(type_kind::int_)));
    const bytes wire = concat({int32_be(2), element(text_bytes("a")), element(concat({int32_be(1), element(int32_be(7))})),
                               element(text_bytes("b")), null_element()});
    held_value h(map_type, wire);
    map_cursor c;
    REQUIRE_FALSE(open_entries(h.view(), c));
    CHECK(c.size() == 2);
    value_view k = h.view(), v = h.view();
    REQUIRE_FALSE(c.next(k, v));
    CHECK(as_text(k) == "a");
    std::vector<value_view> inner;
    REQUIRE_FALSE(read_all_elements(v, &inner));
    REQUIRE(inner.size() == 1);
    CHECK(as_int32(inner[0]) == 7);
    REQUIRE_FALSE(c.next(k, v));
    CHECK(as_text(k) == "b");
    CHECK(v.is_null());
    CHECK(c.at_end());
    CHECK(c.next(k, v) == client_errc::truncated);

    auto read_map = [](const value_view& m) -> std::error_code {
        map_cursor mc;
        if (auto ec = open_entries(m, mc)) return ec;
        value_view a = m, b = m;
        while (!mc.at_end())
            if (auto ec = mc.next(a, b)) return ec;
        return {};
    };
    check_every_prefix_fails(map_type, wire, read_map);
    CHECK(read_map(held_value(map_type, concat({wire, {0xAA}})).view()) == client_errc::trailing_bytes);
    CHECK(open_entries(held_value(map_type, concat({int32_be(1), int32_be(0)})).view(), c) == client_errc::truncated);
}

TEST_CASE("tuple and UDT: fields in order, nulls, fewer fields than the type") {
    const auto tuple_type = data_type::tuple_of({t(type_kind::int_), t(type_kind::varchar), t(type_kind::boolean)});
    const bytes full = concat({element(int32_be(1)), null_element(), element({0x01})});
    std::vector<value_view> items;
    held_value full_value(tuple_type, full);
    REQUIRE_FALSE(read_all_elements(full_value.view(), &items));
    REQUIRE(items.size() == 3);
    CHECK(as_int32(items[0]) == 1);
    CHECK(items[1].is_null());
    CHECK(as_bool(items[2]) == true);

    // Fewer fields: the missing trailing ones are null.
    items.clear();
    held_value one_field(tuple_type, element(int32_be(5)));
    REQUIRE_FALSE(read_all_elements(one_field.view(), &items));
    REQUIRE(items.size() == 3);
    CHECK(as_int32(items[0]) == 5);
    CHECK(items[1].is_null());
    CHECK(items[2].is_null());
    CHECK(read_all_elements(held_value(tuple_type, concat({full, element({})})).view()) == client_errc::trailing_bytes);
    CHECK(read_all_elements(held_value(tuple_type, concat({element(int32_be(5)), {0x00, 0x00}})).view()) ==
          client_errc::truncated);

    const auto udt = data_type::udt_of("ks", "address", {"street", "zip", "added_later"},
                                       {t(type_kind::varchar), t(type_kind::int_), t(type_kind::varchar)});
    const bytes two_fields = concat({element(text_bytes("Main St")), element(int32_be(12345))});
    items.clear();
    element_cursor c;
    held_value h(udt, two_fields);
    REQUIRE_FALSE(open_elements(h.view(), c));
    CHECK(c.size() == 3);
    value_view e = h.view();
    while (!c.at_end()) {
        REQUIRE_FALSE(c.next(e));
        items.push_back(e);
    }
    CHECK(as_text(items[0]) == "Main St");
    CHECK(as_int32(items[1]) == 12345);
    CHECK(items[2].is_null());
    // Every truncation inside a field is an error (whole-field truncations are valid values).
    for (std::size_t n : {1u, 2u, 3u, 5u, 10u, 12u, 14u}) {
        held_value p(udt, bytes(two_fields.begin(), two_fields.begin() + static_cast<std::ptrdiff_t>(n)));
        CAPTURE(n);
        CHECK(read_all_elements(p.view()) == client_errc::truncated);
    }
}

TEST_CASE("vector: fixed-width elements back to back, others with unsigned vint lengths") {
    const auto vf = data_type::vector_of(t(type_kind::float_), 3);
    const bytes floats{0x3F, 0x80, 0, 0, 0x40, 0x00, 0, 0, 0xC0, 0x40, 0, 0};  // 1, 2, -3
    std::vector<value_view> items;
    held_value float_vector(vf, floats);
    REQUIRE_FALSE(read_all_elements(float_vector.view(), &items));
    REQUIRE(items.size() == 3);
    CHECK(as_double(items[0]) == 1.0);
    CHECK(as_double(items[1]) == 2.0);
    CHECK(as_double(items[2]) == -3.0);
    check_every_prefix_fails(vf, floats, [](const value_view& v) { return read_all_elements(v); });
    element_cursor c;
    CHECK(open_elements(held_value(vf, concat({floats, {0}})).view(), c) == client_errc::bad_value_length);
    CHECK(fixed_width(vf) == 12u);

    const auto vt = data_type::vector_of(t(type_kind::varchar), 2);
    const bytes texts{0x02, 'h', 'i', 0x00};  // "hi", ""
    items.clear();
    held_value text_vector(vt, texts);
    REQUIRE_FALSE(read_all_elements(text_vector.view(), &items));
    REQUIRE(items.size() == 2);
    CHECK(as_text(items[0]) == "hi");
    CHECK(as_text(items[1]) == "");
    check_every_prefix_fails(vt, texts, [](const value_view& v) { return read_all_elements(v); });
    CHECK(read_all_elements(held_value(vt, concat({texts, {0x00}})).view()) == client_errc::trailing_bytes);
    CHECK_FALSE(fixed_width(vt).has_value());

    // smallint elements carry a length in a vector even though smallint itself is 2 bytes wide.
    const auto vs = data_type::vector_of(t(type_kind::smallint), 2);
    CHECK_FALSE(fixed_width(vs).has_value());
    items.clear();
    held_value smallint_vector(vs, {0x02, 0x00, 0x07, 0x02, 0xFF, 0xFF});
    REQUIRE_FALSE(read_all_elements(smallint_vector.view(), &items));
    CHECK(as_int32(items[0]) == 7);
    CHECK(as_int32(items[1]) == -1);

    // A vector of vectors of a fixed type is itself fixed.
    const auto vv = data_type::vector_of(data_type::vector_of(t(type_kind::int_), 2), 2);
    CHECK(fixed_width(vv) == 16u);

    // A made-up nesting whose width does not fit 64 bits: 1229673 * 3935371 * 7623851 is
    // 2^65 + 1, so a width computed modulo 2^64 would be 1 and let one byte pass for the whole
    // vector (with elements 4.8e12 bytes wide). Widths saturate, and open_elements divides the
    // length by the element width instead of multiplying the width by the dimension.
    const auto huge = data_type::vector_of(
        data_type::vector_of(data_type::vector_of(t(type_kind::boolean), 1229673), 3935371), 7623851);
    CHECK(fixed_width(huge) == std::numeric_limits<std::size_t>::max());
    const auto middle = huge.params[0];
    CHECK(fixed_width(middle) == std::size_t{1229673} * 3935371);
    CHECK(open_elements(held_value(huge, {0x01}).view(), c) == client_errc::bad_value_length);
}

TEST_CASE("nested values read through cursors at every level") {
    // list<frozen<map<int, frozen<list<text>>>>>
    const auto type = data_type::list_of(data_type::map_of(t(type_kind::int_), data_type::list_of(t(type_kind::varchar))));
    const bytes inner_list = concat({int32_be(2), element(text_bytes("x")), element(text_bytes("yz"))});
    const bytes map = concat({int32_be(1), element(int32_be(9)), element(inner_list)});
    const bytes wire = concat({int32_be(1), element(map)});
    held_value h(type, wire);
    std::vector<value_view> maps;
    REQUIRE_FALSE(read_all_elements(h.view(), &maps));
    map_cursor mc;
    REQUIRE_FALSE(open_entries(maps.at(0), mc));
    value_view k = h.view(), v = h.view();
    REQUIRE_FALSE(mc.next(k, v));
    CHECK(as_int32(k) == 9);
    std::vector<value_view> texts;
    REQUIRE_FALSE(read_all_elements(v, &texts));
    REQUIRE(texts.size() == 2);
    CHECK(as_text(texts[1]) == "yz");
}

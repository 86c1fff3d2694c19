// render_cql's data form (what CSV writes) and the lossless guarantees of the data formats:
// random floats, doubles and timestamps rendered as CSV and JSON text read back to the exact
// value; control characters escaped in the display form and kept in the data forms.
#include "test_support.hpp"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "value_fixtures.hpp"

using namespace cqlwire::protocol;
using namespace cqlwire::test;

namespace {

std::string data(const data_type& type, const bytes& wire) { return render_in(type, wire, cql_text_form::data); }
std::string display(const data_type& type, const bytes& wire) { return render_in(type, wire, cql_text_form::display); }

std::string json(const data_type& type, const bytes& wire) {
    held_value h(type, wire);
    std::string out;
    CHECK_FALSE(render_json(h.view(), out));
    return out;
}

bytes be(std::uint64_t v, int width) {
    bytes b;
    for (int i = width - 1; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return b;
}
bytes f32_bits(std::uint32_t bits) { return be(bits, 4); }
bytes f64_bits(std::uint64_t bits) { return be(bits, 8); }
bytes i64(std::int64_t v) { return be(static_cast<std::uint64_t>(v), 8); }

template <typename Float>
Float parse_float(const std::string& text) {
    Float f{};
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
    CHECK(ec == std::errc{});
    CHECK(p == text.data() + text.size());
    return f;
}

std::int64_t parse_int(std::string_view text) {
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    CHECK(ec == std::errc{});
    CHECK(p == text.data() + text.size());
    return v;
}

// "YYYY-MM-DD HH:MM:SS.mmm" followed by `zone`, back to milliseconds since the epoch. A '+'
// before the year (JSON above year 9999) is skipped; years are of the proleptic calendar.
std::int64_t parse_timestamp(std::string_view text, std::string_view zone) {
    if (!text.empty() && text[0] == '+') text.remove_prefix(1);
    REQUIRE(text.size() > zone.size());
    REQUIRE(text.substr(text.size() - zone.size()) == zone);
    text.remove_suffix(zone.size());
    auto dash = text.find('-');
    REQUIRE(dash != std::string_view::npos);
    REQUIRE(text.size() == dash + 19);
    civil_date c;
    c.year = parse_int(text.substr(0, dash));
    auto rest = text.substr(dash);
    c.month = static_cast<unsigned>(parse_int(rest.substr(1, 2)));
    c.day = static_cast<unsigned>(parse_int(rest.substr(4, 2)));
    auto h = parse_int(rest.substr(7, 2)), m = parse_int(rest.substr(10, 2)), s = parse_int(rest.substr(13, 2));
    auto ms = parse_int(rest.substr(16, 3));
    return cql_date::from_civil(c).days_since_epoch * 86'400'000 + ((h * 60 + m) * 60 + s) * 1000 + ms;
}

constexpr std::int64_t year_1 = -62'135'596'800'000;      // 0001-01-01 00:00:00.000
constexpr std::int64_t year_10000 = 253'402'300'800'000;  // 10000-01-01 00:00:00.000

}  // namespace

TEST_CASE("data form: text as it is stored, composite values as CQL literals") {
    const auto text = t(type_kind::varchar);
    CHECK(data(text, text_bytes("a\\b\n\"q\",\r\tend")) == "a\\b\n\"q\",\r\tend");
    CHECK(data(text, text_bytes("caf\xC3\xA9 \x1B[31m \xC2\x85")) == "caf\xC3\xA9 \x1B[31m \xC2\x85");
    CHECK(data(text, {}) == "");
    CHECK(data(t(type_kind::ascii), text_bytes("it's")) == "it's");
    CHECK(data(data_type::list_of(text), concat({int32_be(2), element(text_bytes("it's")), element(text_bytes("a\\n\nb"))})) ==
          "['it''s', 'a\\n\nb']");
    CHECK(data(data_type::map_of(text, t(type_kind::timestamp)),
               concat({int32_be(1), element(text_bytes("k")), element(i64(253'402'300'799'999))})) ==
          "{'k': '9999-12-31 23:59:59.999+0000'}");
    // Dates and times need quotes in a CQL literal (cqlsh's display shows them bare).
    CHECK(data(data_type::tuple_of({t(type_kind::date), t(type_kind::time), t(type_kind::inet), t(type_kind::int_)}),
               concat({element({0x80, 0, 0, 0}), element(i64(1)), element({10, 0, 0, 1}), null_element()})) ==
          "('1970-01-01', '00:00:00.000000001', '10.0.0.1', null)");
    const auto udt = data_type::udt_of("ks", "u", {"plain_1", "Mixed", "with space", "q\"uote"},
                                       {text, text, t(type_kind::int_), t(type_kind::int_)});
    CHECK(data(udt, concat({element(text_bytes("a")), element(text_bytes("b")), element(int32_be(1)), element(int32_be(2))})) ==
          "{plain_1: 'a', \"Mixed\": 'b', \"with space\": 1, \"q\"\"uote\": 2}");
    // A zero duration, which the display form shows as nothing, must read back.
    CHECK(data(t(type_kind::duration), {0, 0, 0}) == "0s");
    CHECK(data(data_type::list_of(t(type_kind::duration)), concat({int32_be(1), element({0, 0, 0})})) == "[0s]");
    // Floats inside collections keep every digit too.
    CHECK(data(data_type::list_of(t(type_kind::double_)), concat({int32_be(1), element(f64_bits(std::bit_cast<std::uint64_t>(0.1 + 0.2)))})) ==
          "[0.30000000000000004]");
}

TEST_CASE("data form: floats and doubles in the shortest text that reads back, timestamps to the millisecond") {
    const auto f = t(type_kind::float_), d = t(type_kind::double_), ts = t(type_kind::timestamp);
    CHECK(data(f, f32_bits(std::bit_cast<std::uint32_t>(123456.789f))) == "123456.79");
    CHECK(data(f, f32_bits(std::bit_cast<std::uint32_t>(0.1f))) == "0.1");
    CHECK(data(d, f64_bits(std::bit_cast<std::uint64_t>(123456.789))) == "123456.789");
    CHECK(data(d, f64_bits(std::bit_cast<std::uint64_t>(1e20))) == "1e+20");
    CHECK(data(d, f64_bits(std::bit_cast<std::uint64_t>(-0.0))) == "-0");
    CHECK(data(d, f64_bits(std::bit_cast<std::uint64_t>(std::numeric_limits<double>::denorm_min()))) == "5e-324");
    CHECK(data(d, f64_bits(0x7FF8000000000000)) == "NaN");
    CHECK(data(d, f64_bits(std::bit_cast<std::uint64_t>(std::numeric_limits<double>::infinity()))) == "Infinity");
    CHECK(data(f, f32_bits(std::bit_cast<std::uint32_t>(-std::numeric_limits<float>::infinity()))) == "-Infinity");
    // The display form keeps cqlsh's 5 significant digits.
    CHECK(display(d, f64_bits(std::bit_cast<std::uint64_t>(123456.789))) == "1.2346e+05");

    CHECK(data(ts, i64(253'402'300'799'999)) == "9999-12-31 23:59:59.999+0000");
    CHECK(data(ts, i64(0)) == "1970-01-01 00:00:00.000+0000");
    CHECK(data(ts, i64(-1)) == "1969-12-31 23:59:59.999+0000");
    CHECK(data(ts, i64(year_1)) == "0001-01-01 00:00:00.000+0000");
    // (Python agrees: datetime(1970, 1, 1) + timedelta(milliseconds=-61e12).)
    CHECK(data(ts, i64(-61'000'000'000'000)) == "0036-12-26 11:33:20.000+0000");
    // Outside years 1..9999, the count itself, as cqlsh prints it.
    CHECK(data(ts, i64(year_1 - 1)) == "-62135596800001");
    CHECK(data(ts, i64(year_10000)) == "253402300800000");
}

TEST_CASE("CSV and JSON text of 2,000 random floats, doubles and timestamps reads back to the exact value") {
    std::mt19937_64 rng(20261206);
    const auto f = t(type_kind::float_), d = t(type_kind::double_), ts = t(type_kind::timestamp);
    int nans = 0;
    for (int i = 0; i < 2000; ++i) {
        // Random bit patterns cover every exponent, subnormals, zeros of both signs, NaNs.
        const auto fbits = static_cast<std::uint32_t>(rng());
        const auto dbits = rng();
        const float fv = std::bit_cast<float>(fbits);
        const double dv = std::bit_cast<double>(dbits);
        CAPTURE(fbits);
        CAPTURE(dbits);
        const auto csv_f = data(f, f32_bits(fbits));
        const auto csv_d = data(d, f64_bits(dbits));
        if (std::isnan(fv)) {
            ++nans;
            CHECK(csv_f == "NaN");  // a NaN's payload has no text form
        } else {
            CHECK(std::bit_cast<std::uint32_t>(parse_float<float>(csv_f)) == fbits);
            CHECK(std::bit_cast<std::uint32_t>(parse_float<float>(json(f, f32_bits(fbits)))) == fbits);
        }
        if (std::isnan(dv)) {
            CHECK(csv_d == "NaN");
        } else {
            CHECK(std::bit_cast<std::uint64_t>(parse_float<double>(csv_d)) == dbits);
            CHECK(std::bit_cast<std::uint64_t>(parse_float<double>(json(d, f64_bits(dbits)))) == dbits);
        }
        // Magnitudes a real number has: random decimals read back through a double, as a
        // spreadsheet or Python's float() reads them.
        const double everyday = std::ldexp(static_cast<double>(rng() >> 11), static_cast<int>(rng() % 120) - 90);
        const auto everyday_bits = std::bit_cast<std::uint64_t>(everyday);
        CHECK(parse_float<double>(data(d, f64_bits(everyday_bits))) == everyday);
        const float everyday_f = static_cast<float>(everyday);
        const auto everyday_f_bits = std::bit_cast<std::uint32_t>(everyday_f);
        CHECK(parse_float<float>(data(f, f32_bits(everyday_f_bits))) == everyday_f);
        CHECK(parse_float<float>(json(f, f32_bits(everyday_f_bits))) == everyday_f);

        // Timestamps across years 1..9999 (the formatted range), and anywhere in 64 bits.
        const auto in_range = year_1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(year_10000 - year_1));
        CAPTURE(in_range);
        CHECK(parse_timestamp(data(ts, i64(in_range)), "+0000") == in_range);
        auto shown = display(ts, i64(in_range));
        CHECK(shown.substr(shown.size() - 11, 3) == std::to_string(1000 + ((in_range % 1000) + 1000) % 1000).substr(1));
        CHECK(shown.substr(shown.size() - 8) == "000+0000");  // never digits below the millisecond
        const auto anywhere = static_cast<std::int64_t>(rng());
        CAPTURE(anywhere);
        const auto csv_anywhere = data(ts, i64(anywhere));
        if (anywhere < year_1 || anywhere >= year_10000) CHECK(parse_int(csv_anywhere) == anywhere);
        else CHECK(parse_timestamp(csv_anywhere, "+0000") == anywhere);
        // JSON: "yyyy-MM-dd HH:mm:ss.SSSZ" with the year of the era; exact in years 1..9999.
        const auto j = json(ts, i64(in_range));
        CHECK(parse_timestamp(std::string_view(j).substr(1, j.size() - 2), "Z") == in_range);
    }
    CHECK(nans > 0);  // the bit patterns did reach NaNs
}

TEST_CASE("display form escapes every C0, DEL and C1 control; the data forms keep them as their format defines") {
    for (std::uint32_t cp = 0; cp <= 0xA0; ++cp) {
        if (cp >= 0x20 && cp < 0x7F) continue;
        CAPTURE(cp);
        bytes utf8 = cp < 0x80 ? bytes{static_cast<std::uint8_t>(cp)}
                               : bytes{static_cast<std::uint8_t>(0xC0 | (cp >> 6)), static_cast<std::uint8_t>(0x80 | (cp & 0x3F))};
        const auto value = concat({text_bytes("a"), utf8, text_bytes("b")});
        const auto shown = display(t(type_kind::varchar), value);
        for (char c : shown) {
            auto u = static_cast<unsigned char>(c);
            CHECK((u >= 0x20 && u < 0x7F));  // nothing but printable ASCII reaches the terminal
        }
        CHECK(shown.size() > 3);
        // Inside a collection and as a UDT field name, too.
        const auto in_list = display(data_type::list_of(t(type_kind::varchar)), concat({int32_be(1), element(value)}));
        const auto field = std::string("f") + std::string(utf8.begin(), utf8.end());
        const auto in_udt = display(data_type::udt_of("ks", "u", {field}, {t(type_kind::int_)}), element(int32_be(1)));
        for (char c : in_list + in_udt) {
            auto u = static_cast<unsigned char>(c);
            CHECK((u >= 0x20 && u < 0x7F));
        }
        // CSV keeps the bytes; JSON escapes C0 as JSON requires and keeps DEL and C1.
        CHECK(data(t(type_kind::varchar), value) == std::string(value.begin(), value.end()));
        const auto j = json(t(type_kind::varchar), value);
        if (cp < 0x20) CHECK(j.find('\\') != std::string::npos);
        else CHECK(j == "\"" + std::string(value.begin(), value.end()) + "\"");
    }
    CHECK(display(t(type_kind::varchar), text_bytes("\x1B[2J")) == "\\x1b[2J");
    CHECK(display(t(type_kind::varchar), text_bytes("\xC2\x9B" "31m")) == "\\x9b31m");
}

TEST_CASE("JSON names: quoted identifiers for names with capitals, as SELECT JSON writes them") {
    auto name = [](std::string_view n) {
        std::string out;
        append_json_name(n, out);
        return out;
    };
    CHECK(name("name") == "\"name\"");
    CHECK(name("MixedCase") == "\"\\\"MixedCase\\\"\"");
    // The server quotes only names that lower-casing changes, and leaves inner quotes single.
    // Observed on 5.0.9: SELECT JSON k AS "with space", k AS "1st", k AS "a""q", k AS "Été",
    // k AS "été", writetime(t) keys its object {"with space", "1st", "a\"q", "\"Été\"",
    // "été", "writetime(t)"}.
    CHECK(name("with space") == "\"with space\"");
    CHECK(name("1st") == "\"1st\"");
    CHECK(name("a\"q") == "\"a\\\"q\"");
    CHECK(name("\xC3\x89t\xC3\xA9") == "\"\\\"\xC3\x89t\xC3\xA9\\\"\"");
    CHECK(name("\xC3\xA9t\xC3\xA9") == "\"\xC3\xA9t\xC3\xA9\"");
    CHECK(name("writetime(t)") == "\"writetime(t)\"");
    CHECK(name("A\"b") == "\"\\\"A\\\"b\\\"\"");
    CHECK(name("tab\there") == "\"tab\\there\"");
    // Capitals beyond ASCII: Latin Extended-A, Greek, Cyrillic, full-width; their small
    // letters are not capitals.
    for (std::string_view capital : {"\xC4\x80", "\xC4\xB0", "\xC5\xB8", "\xCE\xA3", "\xD0\x94", "\xEF\xBC\xA1"})
        CHECK(name(capital).starts_with("\"\\\""));
    for (std::string_view small : {"\xC4\x81", "\xC4\xB1", "\xCF\x83", "\xD0\xB4", "\xC3\x97", "\xEF\xBD\x81"})
        CHECK(name(small) == "\"" + std::string(small) + "\"");
}

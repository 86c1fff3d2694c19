// render_cell and json_column_key: each format's text for one cell, and the marked bytes and
// reason of a cell that does not decode.
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cell_rendering.hpp"
#include "time_zone.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/types.hpp"

using namespace cqlwire;
using cli::output_format;

namespace {

struct rendered {
    bool ok;
    std::string text;
    std::string reason;
};

rendered cell(protocol::type_kind kind, const std::vector<std::uint8_t>& wire, output_format f) {
    const auto type = protocol::data_type::of(kind);
    const protocol::value_view v(type, protocol::raw_value::of(protocol::bytes_view(wire)));
    rendered r{false, "stale", "stale"};
    r.ok = cli::render_cell(v, f, r.text, r.reason);
    return r;
}

std::vector<std::uint8_t> be64(std::uint64_t v) {
    std::vector<std::uint8_t> b;
    for (int i = 7; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return b;
}

}  // namespace

TEST_CASE("render_cell: each format's text for a good value") {
    using protocol::type_kind;
    const auto d = be64(0x40FE240C9FBE76C9);  // 123456.789
    CHECK(cell(type_kind::double_, d, output_format::table).text == "1.2346e+05");
    CHECK(cell(type_kind::double_, d, output_format::csv).text == "123456.789");
    CHECK(cell(type_kind::double_, d, output_format::json).text == "123456.789");
    const auto ts = be64(253'402'300'799'999);
    CHECK(cell(type_kind::timestamp, ts, output_format::table).text == "9999-12-31 23:59:59.999000+0000");
    CHECK(cell(type_kind::timestamp, ts, output_format::csv).text == "9999-12-31 23:59:59.999+0000");
    CHECK(cell(type_kind::timestamp, ts, output_format::json).text == "\"9999-12-31 23:59:59.999Z\"");
    const std::vector<std::uint8_t> text{'a', '\\', '\n', '"', ',', 0x1B};
    CHECK(cell(type_kind::varchar, text, output_format::table).text == "a\\\\\\n\",\\x1b");
    CHECK(cell(type_kind::varchar, text, output_format::csv).text == "a\\\n\",\x1B");
    CHECK(cell(type_kind::varchar, text, output_format::json).text == "\"a\\\\\\n\\\",\\u001B\"");
    const auto r = cell(type_kind::int_, {0, 0, 0, 7}, output_format::csv);
    CHECK(r.ok);
    CHECK(r.text == "7");
    CHECK(r.reason.empty());
}

TEST_CASE("render_cell: a value that does not decode is its bytes, marked, with the reason") {
    using protocol::type_kind;
    for (auto f : {output_format::table, output_format::csv}) {
        auto r = cell(type_kind::time, be64(86'400'000'000'000), f);
        CHECK_FALSE(r.ok);
        CHECK(r.text == "<undecodable 0x00004e94914f0000>");
        CHECK(r.reason == "a time of 86400000000000 ns is not within 00:00:00 and 23:59:59.999999999");
    }
    auto j = cell(type_kind::time, be64(~std::uint64_t{0}), output_format::json);
    CHECK_FALSE(j.ok);
    CHECK(j.text == "\"<undecodable 0xffffffffffffffff>\"");
    CHECK(j.reason == "a time of -1 ns is not within 00:00:00 and 23:59:59.999999999");
    auto dec = cell(type_kind::decimal, {0, 0, 0, 2}, output_format::table);
    CHECK_FALSE(dec.ok);
    CHECK(dec.text == "<undecodable 0x00000002>");
    CHECK(dec.reason == "a decimal of 4 bytes holds its scale but no unscaled value");
    auto txt = cell(type_kind::varchar, {'a', 'b', 'c', 0xED, 0xA0, 0x80}, output_format::csv);
    CHECK_FALSE(txt.ok);
    CHECK(txt.text == "<undecodable 0x616263eda080>");
    CHECK(txt.reason == "text that is not valid UTF-8 (byte 0xed at offset 3)");
}

TEST_CASE("json_column_key: quoted identifiers for names with capitals, as SELECT JSON writes them") {
    CHECK(cli::json_column_key("name") == "\"name\"");
    CHECK(cli::json_column_key("MixedCase") == "\"\\\"MixedCase\\\"\"");
    CHECK(cli::json_column_key("count(*)") == "\"count(*)\"");
    CHECK(cli::json_column_key("[applied]") == "\"[applied]\"");
    CHECK(cli::json_column_key("a\"b\n") == "\"a\\\"b\\n\"");
    // Bytes that are not UTF-8 (the name came from the server) do not break the JSON.
    CHECK(cli::json_column_key("x\xFFy") == "\"x\xEF\xBF\xBDy\"");
}

namespace {

// A collection's or UDT's wire form: [int32 count] then each element as [int32 length][bytes]
// (a UDT has no count: pass with_count false); an element of length -1 is a null.
std::vector<std::uint8_t> elements(const std::vector<std::optional<std::vector<std::uint8_t>>>& items,
                                   bool with_count = true) {
    std::vector<std::uint8_t> out;
    auto put32 = [&out](std::int32_t v) {
        for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * i)));
    };
    if (with_count) put32(static_cast<std::int32_t>(items.size()));
    for (const auto& item : items) {
        put32(item ? static_cast<std::int32_t>(item->size()) : -1);
        if (item) out.insert(out.end(), item->begin(), item->end());
    }
    return out;
}

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

std::string displayed(const protocol::data_type& type, const std::vector<std::uint8_t>& wire,
                      const cli::cell_display& display) {
    const protocol::value_view v(type, protocol::raw_value::of(protocol::bytes_view(wire)));
    std::string out;
    std::string reason;
    CHECK(cli::render_cell(v, output_format::table, out, reason, 5, 5, display));
    return out;
}

const std::string G = "\033[0;1;32m";   // green
const std::string Y = "\033[0;1;33m";   // yellow
const std::string B = "\033[0;1;34m";   // blue
const std::string R = "\033[0;1;31m";   // red
const std::string DM = "\033[0;35m";    // dark magenta
const std::string X = "\033[0m";        // reset

}  // namespace

TEST_CASE("render_cell in colour: cqlsh's colours by type, escapes in dark magenta, a backslash single") {
    using protocol::data_type;
    using protocol::type_kind;
    cli::cell_display color;
    color.color = true;
    const auto text = data_type::of(type_kind::varchar);
    // As cqlshlib's format_by_type(..., addcolor=True) gives them.
    CHECK(displayed(text, bytes_of("a\\b it's"), color) == Y + "a\\b it's" + X);
    CHECK(displayed(text, bytes_of("x\ny"), color) == Y + "x" + DM + "\\n" + Y + "y" + X);
    CHECK(displayed(text, bytes_of("e\x1b"), color) == Y + "e" + DM + "\\x1b" + Y + X);
    CHECK(displayed(data_type::of(type_kind::int_), {0, 0, 0, 7}, color) == G + "7" + X);
    CHECK(displayed(data_type::of(type_kind::blob), {0xca, 0xfe}, color) == DM + "0xcafe" + X);
    CHECK(displayed(data_type::of(type_kind::boolean), {1}, color) == G + "True" + X);
    const auto list = data_type::list_of(text);
    CHECK(displayed(list, elements({bytes_of("x"), bytes_of("y'z")}), color) ==
          B + "[" + X + Y + "'x'" + X + B + ", " + X + Y + "'y''z'" + X + B + "]" + X);
    const auto map = data_type::map_of(text, data_type::of(type_kind::int_));
    auto map_wire = elements({bytes_of("k"), std::vector<std::uint8_t>{0, 0, 0, 1}});
    map_wire[3] = 1;  // one entry: a key and its value
    CHECK(displayed(map, map_wire, color) ==
          B + "{" + X + Y + "'k'" + X + B + ": " + X + G + "1" + X + B + "}" + X);
    const auto udt = data_type::udt_of("ks", "pt", {"x", "Na me"},
                                       {data_type::of(type_kind::int_), data_type::of(type_kind::varchar)});
    CHECK(displayed(udt, elements({std::vector<std::uint8_t>{0, 0, 0, 5}, std::nullopt}, false), color) ==
          B + "{" + X + Y + "x" + X + B + ": " + X + G + "5" + X + B + ", " + X + Y + "Na me" + X + B + ": " + X + R +
              "null" + X + B + "}" + X);
    // An empty value shows as empty text.
    CHECK(displayed(data_type::of(type_kind::int_), {}, color) == Y + X);
}

TEST_CASE("render_cell without colour and with the default time settings is render_cql's text") {
    using protocol::data_type;
    using protocol::type_kind;
    const auto text = data_type::of(type_kind::varchar);
    const auto list = data_type::list_of(text);
    const auto wire = elements({bytes_of("a\\b"), bytes_of("x\ny")});
    CHECK(displayed(list, wire, {}) == "['a\\\\b', 'x\\ny']");
    // The walk that styles values gives the same text when nothing is styled but the zone is UTC.
    const auto utc = cli::time_zone::utc();
    cli::cell_display zone_only;
    zone_only.zone = &utc;
    CHECK(displayed(list, wire, zone_only) == "['a\\\\b', 'x\\ny']");
    const auto tuple = data_type::tuple_of({data_type::of(type_kind::timestamp), data_type::of(type_kind::inet)});
    const auto tuple_wire = elements({be64(1'705'320'000'789), std::vector<std::uint8_t>{127, 0, 0, 1}}, false);
    CHECK(displayed(tuple, tuple_wire, {}) == "('2024-01-15 12:00:00.789000+0000', '127.0.0.1')");
    CHECK(displayed(tuple, tuple_wire, zone_only) == "('2024-01-15 12:00:00.789000+0000', '127.0.0.1')");
}

TEST_CASE("render_cell: [ui] time_format and timezone apply to timestamps at any depth") {
    using protocol::data_type;
    using protocol::type_kind;
    const auto ts = data_type::of(type_kind::timestamp);
    cli::cell_display fmt;
    fmt.time_format = "%d/%m/%Y %H:%M:%S.%f %z";
    CHECK(displayed(ts, be64(1'720'000'000'001), fmt) == "03/07/2024 09:46:40.001000 +0000");
    const auto list = data_type::list_of(ts);
    CHECK(displayed(list, elements({be64(1'720'000'000'001)}), fmt) == "['03/07/2024 09:46:40.001000 +0000']");
    cli::cell_display color = fmt;
    color.color = true;
    CHECK(displayed(ts, be64(1'720'000'000'001), color) == G + "03/07/2024 09:46:40.001000 +0000" + X);
    // Years outside 1..9999 stay the millisecond count, as cqlsh shows them.
    CHECK(displayed(ts, be64(static_cast<std::uint64_t>(-62'135'596'800'001)), fmt) == "-62135596800001");
}

TEST_CASE("colored_lines: each line in colour, the line breaks outside") {
    CHECK(cli::colored_lines("cqlwire: bad\n", cli::ansi::red) == R + "cqlwire: bad" + X + "\n");
    CHECK(cli::colored_lines("a\n\nb", cli::ansi::red) == R + "a" + X + "\n\n" + R + "b" + X);
    CHECK(cli::colored_lines("", cli::ansi::red).empty());
}

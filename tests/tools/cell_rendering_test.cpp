// render_cell and json_column_key: each format's text for one cell, and the marked bytes and
// reason of a cell that does not decode.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "cell_rendering.hpp"
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

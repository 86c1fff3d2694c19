// describe_render_failure(): the words a tool prints next to a value it cannot render.
#include "test_support.hpp"

#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "value_fixtures.hpp"

using namespace cqlwire::protocol;
using namespace cqlwire::test;

namespace {

// The reason, after checking that both renderers do refuse the value.
std::string reason(const data_type& type, const bytes& wire) {
    held_value h(type, wire);
    std::string scratch;
    CHECK(render_cql(h.view(), scratch));
    CHECK(render_json(h.view(), scratch));
    std::string out;
    describe_render_failure(h.view(), out);
    return out;
}

bytes i64(std::int64_t v) {
    bytes b;
    for (int i = 7; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
    return b;
}

}  // namespace

TEST_CASE("the values the server stores but no client decodes are named exactly") {
    const auto time = t(type_kind::time);
    CHECK(reason(time, i64(86'400'000'000'000)) == "a time of 86400000000000 ns is not within 00:00:00 and 23:59:59.999999999");
    CHECK(reason(time, i64(-1)) == "a time of -1 ns is not within 00:00:00 and 23:59:59.999999999");
    // Four bytes of decimal are its scale: the message is not a "truncated frame".
    CHECK(reason(t(type_kind::decimal), int32_be(2)) == "a decimal of 4 bytes holds its scale but no unscaled value");
    CHECK(reason(t(type_kind::decimal), {0, 1}) == "a decimal of 2 bytes is shorter than its 4-byte scale");
    // A lone surrogate as CESU-8 writes it.
    CHECK(reason(t(type_kind::varchar), text_bytes("abc\xED\xA0\x80")) == "text that is not valid UTF-8 (byte 0xed at offset 3)");
    CHECK(reason(t(type_kind::ascii), text_bytes("ok\xC3\xA9")) == "ascii text with a byte outside 7-bit ASCII (byte 0xc3 at offset 2)");
}

TEST_CASE("wrong widths, bad durations, oversized varints and broken composites") {
    CHECK(reason(t(type_kind::int_), {1, 2, 3}) == "an int of 3 bytes, where an int takes 4");
    CHECK(reason(t(type_kind::uuid), bytes(15, 0)) == "a uuid of 15 bytes, where a uuid takes 16");
    CHECK(reason(t(type_kind::inet), {1, 2, 3, 4, 5}) == "an inet of 5 bytes, where an address takes 4 or 16");
    CHECK(reason(t(type_kind::duration), {0x02, 0x03, 0x00}) ==
          "a duration whose months (1), days (-2) and nanoseconds (0) have mixed signs");
    CHECK(reason(t(type_kind::duration), {0x02, 0x04}) == "a duration of 2 bytes that ends inside its months, days and nanoseconds");
    CHECK(reason(t(type_kind::duration), {0x02, 0x04, 0x06, 0x00}) ==
          "a duration with 1 byte after its months, days and nanoseconds");
    CHECK(reason(t(type_kind::varint), bytes(max_varint_text_bytes + 1, 0x42)) ==
          "a varint of 16385 bytes is longer than the 16384 bytes cqlwire writes as digits");

    const auto list_text = data_type::list_of(t(type_kind::varchar));
    CHECK(reason(list_text, concat({int32_be(2), element(text_bytes("ok")), element({0xFF})})) ==
          "element 1 of a list: text that is not valid UTF-8 (byte 0xff at offset 0)");
    CHECK(reason(list_text, concat({int32_be(3), element(text_bytes("ok"))})) == "a list announcing 3 elements in 10 bytes");
    CHECK(reason(list_text, concat({int32_be(2), element(text_bytes("ok")), int32_be(5)})) ==
          "a list of 14 bytes that ends inside element 1");
    CHECK(reason(list_text, int32_be(-1)) == "a list with a negative element count (-1)");
    CHECK(reason(list_text, {0, 0}) == "a list of 2 bytes, too short for its element count");
    CHECK(reason(data_type::map_of(t(type_kind::int_), t(type_kind::time)),
                 concat({int32_be(1), element(int32_be(7)), element(i64(-5))})) ==
          "the value of entry 0 of a map: a time of -5 ns is not within 00:00:00 and 23:59:59.999999999");
    CHECK(reason(data_type::map_of(t(type_kind::int_), t(type_kind::int_)),
                 concat({int32_be(1), element(int32_be(1)), element(int32_be(2)), {0}})) ==
          "a map of 21 bytes with bytes after its last element");
    const auto udt = data_type::udt_of("ks", "u", {"a", "b\x1B"}, {t(type_kind::int_), t(type_kind::decimal)});
    CHECK(reason(udt, concat({element(int32_be(1)), element(int32_be(0))})) ==
          "field 1 of a user-defined type value: a decimal of 4 bytes holds its scale but no unscaled value");
    CHECK(reason(data_type::udt_of("ks", "u", {"z\xF0"}, {t(type_kind::int_)}), element(int32_be(1))) ==
          "a user-defined type whose field 0 has a name that is not valid UTF-8 (in the type the server sent)");
    CHECK(reason(data_type::vector_of(t(type_kind::float_), 3), bytes(10, 0)) ==
          "a vector of 3 elements of 4 bytes each in 10 bytes");

    // A server's type that names no element type (vector with no params) is not a crash.
    data_type bare_vector = t(type_kind::vector);
    bare_vector.dimension = 2;
    CHECK(reason(bare_vector, bytes(8, 0)) ==
          "a vector of 8 bytes that does not decode (the value does not have the requested type)");

    data_type deep = t(type_kind::int_);
    bytes wire = int32_be(1);
    for (int i = 0; i < max_type_depth + 1; ++i) {
        deep = data_type::list_of(deep);
        wire = concat({int32_be(1), element(wire)});
    }
    const auto nested = reason(deep, wire);
    CHECK(nested.ends_with("a value nested deeper than 32 levels"));
}

TEST_CASE("a value that renders has no failure to describe") {
    for (const auto& [type, wire] : std::vector<std::pair<data_type, bytes>>{
             {t(type_kind::time), i64(86'399'999'999'999)},
             {t(type_kind::decimal), concat({int32_be(2), {0x30, 0x39}})},
             {t(type_kind::int_), {}},  // an empty value renders (as nothing)
             {t(type_kind::varchar), text_bytes("caf\xC3\xA9")}}) {
        held_value h(type, wire);
        std::string out;
        describe_render_failure(h.view(), out);
        CHECK(out.empty());
    }
}

// The [notation] primitives of §3: byte-exact reads and writes, boundaries, truncation of every
// prefix, and lengths that lie.
#include "test_support.hpp"

#include <cmath>
#include <limits>
#include <memory>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/byte_writer.hpp"

using namespace cqlwire::protocol;
using bytes = std::vector<std::uint8_t>;

namespace {

// A heap copy of exactly the input's size, so that ASan reports any read past its end.
struct exact_buffer {
    std::unique_ptr<std::uint8_t[]> data;
    std::size_t size;
    explicit exact_buffer(const bytes& b) : data(new std::uint8_t[b.size() ? b.size() : 1]), size(b.size()) {
        std::copy(b.begin(), b.end(), data.get());
    }
    bytes_view view() const { return {data.get(), size}; }
};

bytes written(auto&& fn) {
    bytes out;
    byte_writer w(out);
    fn(w);
    REQUIRE_FALSE(w.error());
    return out;
}

// Every strict prefix of `full` must fail with `truncated` (or a length error) and leave the
// cursor where it was.
template <typename Read>
void check_every_prefix_fails(const bytes& full, Read read) {
    for (std::size_t n = 0; n < full.size(); ++n) {
        exact_buffer buf(bytes(full.begin(), full.begin() + static_cast<std::ptrdiff_t>(n)));
        byte_reader r(buf.view());
        auto ec = read(r);
        CAPTURE(n);
        CHECK(ec == client_errc::truncated);
        CHECK(r.position() == 0);
    }
}

}  // namespace

TEST_CASE("integers are big-endian and signed where the spec says so") {
    const bytes b{0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFE};
    exact_buffer buf(b);
    byte_reader r(buf.view());
    std::int32_t i = 0;
    std::int64_t l = 0;
    std::uint16_t s = 0;
    REQUIRE_FALSE(r.read_int(i));
    CHECK(i == std::numeric_limits<std::int32_t>::max());
    REQUIRE_FALSE(r.read_long(l));
    CHECK(l == std::numeric_limits<std::int64_t>::min());
    REQUIRE_FALSE(r.read_short(s));
    CHECK(s == 0xFFFE);
    CHECK(r.empty());
    CHECK(r.read_short(s) == client_errc::truncated);

    CHECK(written([](byte_writer& w) {
              w.write_int(std::numeric_limits<std::int32_t>::max());
              w.write_long(std::numeric_limits<std::int64_t>::min());
              w.write_short(0xFFFE);
          }) == b);
    CHECK(written([](byte_writer& w) { w.write_int(-1); }) == bytes{0xFF, 0xFF, 0xFF, 0xFF});
}

TEST_CASE("[string] and [long string]") {
    const bytes s{0x00, 0x02, 'h', 'i'};
    const bytes ls{0x00, 0x00, 0x00, 0x02, 'h', 'i'};
    const bytes empty{0x00, 0x00};
    std::string_view out;
    {
        exact_buffer buf(s);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_string(out));
        CHECK(out == "hi");
    }
    {
        exact_buffer buf(ls);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_long_string(out));
        CHECK(out == "hi");
    }
    {
        exact_buffer buf(empty);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_string(out));
        CHECK(out.empty());
    }
    check_every_prefix_fails(s, [&](byte_reader& r) { return r.read_string(out); });
    check_every_prefix_fails(ls, [&](byte_reader& r) { return r.read_long_string(out); });
    CHECK(written([](byte_writer& w) { w.write_string("hi"); }) == s);
    CHECK(written([](byte_writer& w) { w.write_long_string("hi"); }) == ls);

    const bytes negative{0xFF, 0xFF, 0xFF, 0xFE, 'x'};
    exact_buffer buf(negative);
    byte_reader r(buf.view());
    CHECK(r.read_long_string(out) == client_errc::length_out_of_range);
    CHECK(r.position() == 0);
}

TEST_CASE("a [string] longer than a [short] can say is refused, not truncated") {
    bytes out;
    byte_writer w(out);
    w.write_string(std::string(70000, 'x'));
    CHECK(w.error() == client_errc::length_out_of_range);
    CHECK(out.empty());
}

TEST_CASE("[bytes] and [value]: null, not set, empty and present are all distinct") {
    raw_value v;
    std::unique_ptr<exact_buffer> keep;  // the views in v point into it
    auto read_bytes_of = [&](const bytes& b) {
        keep = std::make_unique<exact_buffer>(b);
        byte_reader r(keep->view());
        REQUIRE_FALSE(r.read_bytes(v));
        CHECK(r.empty());
    };
    read_bytes_of({0xFF, 0xFF, 0xFF, 0xFF});
    CHECK(v.is_null());
    read_bytes_of({0x00, 0x00, 0x00, 0x00});
    CHECK(v.is_present());
    CHECK(v.bytes.empty());
    read_bytes_of({0x00, 0x00, 0x00, 0x01, 0xAB});
    CHECK(v.bytes.size() == 1);
    CHECK(v.bytes[0] == 0xAB);

    auto read_value_of = [&](const bytes& b) {
        exact_buffer buf(b);
        byte_reader r(buf.view());
        return r.read_value(v);
    };
    REQUIRE_FALSE(read_value_of({0xFF, 0xFF, 0xFF, 0xFE}));
    CHECK(v.is_not_set());
    REQUIRE_FALSE(read_value_of({0xFF, 0xFF, 0xFF, 0xFF}));
    CHECK(v.is_null());
    CHECK(read_value_of({0xFF, 0xFF, 0xFF, 0xFD}) == client_errc::length_out_of_range);
    CHECK(read_value_of({0x7F, 0xFF, 0xFF, 0xFF, 0x00}) == client_errc::truncated);

    CHECK(written([](byte_writer& w) {
              w.write_value(raw_value::null());
              w.write_value(raw_value::not_set());
              w.write_value(raw_value::of(bytes_view{}));
          }) == bytes{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0});
    check_every_prefix_fails({0x00, 0x00, 0x00, 0x02, 0x01, 0x02}, [&](byte_reader& r) { return r.read_bytes(v); });
}

TEST_CASE("[short bytes], [uuid], [inet] and [consistency]") {
    const bytes sb{0x00, 0x01, 0x7F};
    bytes_view b;
    {
        exact_buffer buf(sb);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_short_bytes(b));
        CHECK(b.size() == 1);
    }
    check_every_prefix_fails(sb, [&](byte_reader& r) { return r.read_short_bytes(b); });

    bytes u(16);
    for (std::size_t i = 0; i < 16; ++i) u[i] = static_cast<std::uint8_t>(i * 17);
    uuid id;
    {
        exact_buffer buf(u);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_uuid(id));
        CHECK(to_string(id) == "00112233-4455-6677-8899-aabbccddeeff");
    }
    check_every_prefix_fails(u, [&](byte_reader& r) { return r.read_uuid(id); });

    const bytes v6{16, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00, 0x23, 0x82};
    inet_endpoint e;
    {
        exact_buffer buf(v6);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_inet(e));
        CHECK(to_string(e.address) == "2001:db8::1");
        CHECK(e.port == 9090);
    }
    check_every_prefix_fails(v6, [&](byte_reader& r) { return r.read_inet(e); });
    CHECK(written([&](byte_writer& w) { w.write_inet(e); }) == v6);

    const bytes bad_size{5, 1, 2, 3, 4, 5, 0, 0, 0, 0};
    exact_buffer buf(bad_size);
    byte_reader r(buf.view());
    CHECK(r.read_inet(e) == client_errc::bad_value);

    consistency c{};
    const bytes lq{0x00, 0x06};
    exact_buffer lqb(lq);
    byte_reader lr(lqb.view());
    REQUIRE_FALSE(lr.read_consistency(c));
    CHECK(c == consistency::local_quorum);
    const bytes bad_c{0x00, 0x0B};
    exact_buffer bcb(bad_c);
    byte_reader br(bcb.view());
    CHECK(br.read_consistency(c) == client_errc::bad_consistency);
}

TEST_CASE("[string list], [string map], [string multimap], [bytes map]") {
    const bytes list{0x00, 0x02, 0x00, 0x01, 'a', 0x00, 0x00};
    std::vector<std::string_view> l;
    {
        exact_buffer buf(list);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_string_list(l));
        REQUIRE(l.size() == 2);
        CHECK(l[0] == "a");
        CHECK(l[1].empty());
    }
    check_every_prefix_fails(list, [&](byte_reader& r) { return r.read_string_list(l); });

    const bytes map{0x00, 0x01, 0x00, 0x0B, 'C', 'Q', 'L', '_', 'V', 'E', 'R', 'S', 'I', 'O', 'N',
                    0x00, 0x05, '3', '.', '0', '.', '0'};
    string_map_view m;
    {
        exact_buffer buf(map);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_string_map(m));
        REQUIRE(m.size() == 1);
        CHECK(m[0].first == "CQL_VERSION");
        CHECK(m[0].second == "3.0.0");
    }
    check_every_prefix_fails(map, [&](byte_reader& r) { return r.read_string_map(m); });
    CHECK(written([](byte_writer& w) {
              const std::pair<std::string_view, std::string_view> entries[] = {{"CQL_VERSION", "3.0.0"}};
              w.write_string_map(entries);
          }) == map);

    const bytes multimap{0x00, 0x01, 0x00, 0x01, 'K', 0x00, 0x02, 0x00, 0x01, 'x', 0x00, 0x01, 'y'};
    string_multimap_view mm;
    {
        exact_buffer buf(multimap);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_string_multimap(mm));
        REQUIRE(mm.size() == 1);
        CHECK(mm[0].second == std::vector<std::string_view>{"x", "y"});
    }
    check_every_prefix_fails(multimap, [&](byte_reader& r) { return r.read_string_multimap(mm); });

    const bytes bmap{0x00, 0x01, 0x00, 0x01, 'k', 0x00, 0x00, 0x00, 0x01, 0x09};
    bytes_map_view bm;
    {
        exact_buffer buf(bmap);
        byte_reader r(buf.view());
        REQUIRE_FALSE(r.read_bytes_map(bm));
        REQUIRE(bm.size() == 1);
        CHECK(bm[0].second.bytes[0] == 0x09);
    }
    check_every_prefix_fails(bmap, [&](byte_reader& r) { return r.read_bytes_map(bm); });
}

TEST_CASE("a count that the input cannot hold is refused before anything is reserved") {
    const bytes lying{0xFF, 0xFF, 0x00, 0x00};  // 65535 strings in two bytes
    std::vector<std::string_view> l;
    exact_buffer buf(lying);
    byte_reader r(buf.view());
    CHECK(r.read_string_list(l) == client_errc::truncated);
    CHECK(l.capacity() == 0);
}

TEST_CASE("uuid and inet text forms") {
    CHECK_FALSE(parse_uuid("00112233-4455-6677-8899-aabbccddeef"));
    CHECK_FALSE(parse_uuid("00112233x4455-6677-8899-aabbccddeeff"));
    auto u = parse_uuid("00112233-4455-6677-8899-AABBCCDDEEFF");
    REQUIRE(u);
    CHECK(to_string(*u) == "00112233-4455-6677-8899-aabbccddeeff");

    for (std::string_view text : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "::1", "::", "2001:db8::1",
                                  "fe80::1:2:3:4", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4"}) {
        auto a = parse_inet_address(text);
        CAPTURE(text);
        REQUIRE(a);
        CHECK(to_string(*a) == (text == "::ffff:1.2.3.4" ? "::ffff:102:304" : std::string(text)));
    }
    CHECK(to_string(*parse_inet_address("1:0:0:2:0:0:0:3")) == "1:0:0:2::3");
    for (std::string_view bad : {"256.0.0.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1::2::3", "1:2:3:4:5:6:7:8:9",
                                 "12345::", "", ":", "1:"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_inet_address(bad));
    }
}

TEST_CASE("consistency names") {
    CHECK(to_string(consistency::local_quorum) == "LOCAL_QUORUM");
    CHECK(parse_consistency("local_one") == consistency::local_one);
    CHECK(parse_consistency("Quorum") == consistency::quorum);
    CHECK_FALSE(parse_consistency("most"));
}

#include "test_support.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/cluster/token.hpp"
#include "cqlwire/protocol/ascii.hpp"

namespace cluster = cqlwire::cluster;
namespace proto = cqlwire::protocol;

namespace {

std::vector<std::uint8_t> from_hex(std::string_view hex) {
    REQUIRE(hex.size() % 2 == 0);
    std::vector<std::uint8_t> out;
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int high = proto::hex_value(hex[i]);
        const int low = proto::hex_value(hex[i + 1]);
        REQUIRE(high >= 0);
        REQUIRE(low >= 0);
        out.push_back(static_cast<std::uint8_t>(high << 4 | low));
    }
    return out;
}

struct token_vector {
    std::string_view name;
    std::string_view key_hex;
    std::int64_t token;
};

// Produced with the DataStax Python driver 3.30.1, whose murmur3 follows the partitioner (tail
// bytes signed) and whose Murmur3Token.hash_fn applies the INT64_MIN -> INT64_MAX rule:
//   python3 -m venv /tmp/tokvenv && /tmp/tokvenv/bin/pip install cassandra-driver==3.30.1
//   /tmp/tokvenv/bin/python -c 'import sys; from cassandra.metadata import Murmur3Token as T;
//       print(T.hash_fn(bytes.fromhex(sys.argv[1])))' KEY_HEX
// The "seq" keys are 01 02 .. n; the "high" keys have every byte >= 0x80, so each tail length
// 1..15 has a byte that a reference (unsigned-tail) MurmurHash3 would hash differently.
constexpr std::array token_vectors{
    token_vector{"seq1", "01", 8849112093580131862},
    token_vector{"seq2", "0102", -6527078709368617801},
    token_vector{"seq3", "010203", 1901714139111438249},
    token_vector{"seq4", "01020304", 720734999560851427},
    token_vector{"seq5", "0102030405", -102277552284334578},
    token_vector{"seq6", "010203040506", 2901605255008601742},
    token_vector{"seq7", "01020304050607", -868125975415661079},
    token_vector{"seq8", "0102030405060708", -7140443302367346724},
    token_vector{"seq9", "010203040506070809", -4639342860609086066},
    token_vector{"seq10", "0102030405060708090a", 6592384700563561155},
    token_vector{"seq11", "0102030405060708090a0b", -1304182196530949221},
    token_vector{"seq12", "0102030405060708090a0b0c", -1248788993138110812},
    token_vector{"seq13", "0102030405060708090a0b0c0d", -5765406273433769745},
    token_vector{"seq14", "0102030405060708090a0b0c0d0e", -8466455262646939021},
    token_vector{"seq15", "0102030405060708090a0b0c0d0e0f", 597835946752277653},
    token_vector{"seq16", "0102030405060708090a0b0c0d0e0f10", -5563837382979743776},
    token_vector{"seq17", "0102030405060708090a0b0c0d0e0f1011", -998492828229142869},
    token_vector{"high1", "80", -5284281814142962636},
    token_vector{"high2", "8087", 2018950863064893639},
    token_vector{"high3", "80878e", 2883035100252727777},
    token_vector{"high4", "80878e95", 3009979607048216379},
    token_vector{"high5", "80878e959c", -2847373446435714001},
    token_vector{"high6", "80878e959ca3", -2244203985003959096},
    token_vector{"high7", "80878e959ca3aa", -5968304505574019857},
    token_vector{"high8", "80878e959ca3aab1", 512842628024960352},
    token_vector{"high9", "80878e959ca3aab1b8", 683171345539645642},
    token_vector{"high10", "80878e959ca3aab1b8bf", 7840819521531847175},
    token_vector{"high11", "80878e959ca3aab1b8bfc6", 422083457162203766},
    token_vector{"high12", "80878e959ca3aab1b8bfc6cd", 1542238518037374429},
    token_vector{"high13", "80878e959ca3aab1b8bfc6cdd4", -3139204666512434709},
    token_vector{"high14", "80878e959ca3aab1b8bfc6cdd4db", -3282293895579786473},
    token_vector{"high15", "80878e959ca3aab1b8bfc6cdd4dbe2", 3052317648445578018},
    token_vector{"high16", "80878e959ca3aab1b8bfc6cdd4dbe2e9", -2954592189485143609},
    token_vector{"high17", "80878e959ca3aab1b8bfc6cdd4dbe2e9f0", 5211886051089384206},
    // Bytes >= 0x80 in the body (read unsigned), a small tail after them.
    token_vector{"high body, low tail", "ffffffffffffffffffffffffffffffff010203", -8232858843475341521},
    // int partition keys: the 4-byte big-endian encodings of 0, 1, -1, 42, 2147483647.
    token_vector{"int 0", "00000000", -3485513579396041028},
    token_vector{"int 1", "00000001", -4069959284402364209},
    token_vector{"int -1", "ffffffff", 7297452126230313552},
    token_vector{"int 42", "0000002a", -7160136740246525330},
    token_vector{"int 2147483647", "7fffffff", -765994672030311617},
    token_vector{"text hello", "68656c6c6f", -3758069500696749310},
    // 100 bytes: byte i is (37 * i + 11) % 256: six blocks and a 4-byte tail.
    token_vector{"100 bytes",
                 "0b30557a9fc4e90e33587da2c7ec11365b80a5caef14395e83a8cdf2173c6186abd0f51a3f6489aed3f81d42678cb1d6fb2045"
                 "6a8fb4d9fe23486d92b7dc01264b7095badf04294e7398bde2072c51769bc0e50a2f54799ec3e80d32577ca1c6eb10355a",
                 -320684444859552936},
    // A key whose hash is INT64_MIN, which the partitioner turns into INT64_MAX. Found by running
    // the hash backwards from h1 = INT64_MIN, h2 = 0 through a 16-byte key (one block, no tail);
    // the driver's raw cassandra.murmur3.murmur3 prints -9223372036854775808 for it, and
    // Murmur3Token.hash_fn 9223372036854775807.
    token_vector{"hash INT64_MIN", "653cbefb85ec3111b4e38fa9bc7cbcae", std::numeric_limits<std::int64_t>::max()},
};

}  // namespace

TEST_CASE("token: murmur3_token gives the Murmur3Partitioner's token for each vector") {
    for (const auto& v : token_vectors) {
        CAPTURE(v.name);
        const auto key = from_hex(v.key_hex);
        CHECK(cluster::murmur3_token(key) == v.token);
    }
}

TEST_CASE("token: the empty key is the ring's minimum token") {
    // Murmur3Partitioner.getToken returns its MINIMUM for an empty key without hashing (the
    // Python driver hashes it to 0 instead; no stored partition has an empty key).
    CHECK(cluster::murmur3_token({}) == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("token: murmur3_token reads only the key's bytes") {
    // A key inside a larger buffer: the byte before it must not matter. The copy of exactly the
    // key's size lets ASan catch a read past its end.
    const auto bytes = from_hex("ff0102030405060708090a0b0c0d0e0f1011");
    const proto::bytes_view key = proto::bytes_view(bytes).subspan(1);
    std::vector<std::uint8_t> exact(key.begin(), key.end());
    CHECK(cluster::murmur3_token(key) == -998492828229142869);
    CHECK(cluster::murmur3_token(exact) == -998492828229142869);
}

TEST_CASE("token: compose_routing_key with one component gives its bytes as they are") {
    const auto component = from_hex("0000002a");
    const std::array components{proto::bytes_view(component)};
    std::vector<std::uint8_t> key{9, 9, 9};  // replaced, not appended to
    REQUIRE_FALSE(cluster::compose_routing_key(components, key));
    CHECK(key == component);

    // A single component is not length-prefixed, so it has no length limit.
    const std::vector<std::uint8_t> large(70000, 0xab);
    const std::array one_large{proto::bytes_view(large)};
    REQUIRE_FALSE(cluster::compose_routing_key(one_large, key));
    CHECK(key == large);
}

TEST_CASE("token: compose_routing_key lays several components out as CompositeType and hashes like the driver") {
    // Tokens from the same Python driver, on the key its BoundStatement.routing_key builds
    // (struct.pack('>H%dsB' % len(p), len(p), p, 0) per component, joined):
    //   T.hash_fn(bytes.fromhex('00040000002a00000568656c6c6f00'))            -> 8282782378323162669
    //   T.hash_fn(bytes.fromhex('0000000008ffffffffffffffff000002fe8000'))    -> -3654039324353930281
    const auto int42 = from_hex("0000002a");
    const auto hello = from_hex("68656c6c6f");
    const std::array two{proto::bytes_view(int42), proto::bytes_view(hello)};
    std::vector<std::uint8_t> key;
    REQUIRE_FALSE(cluster::compose_routing_key(two, key));
    CHECK(key == from_hex("00040000002a00000568656c6c6f00"));
    CHECK(cluster::murmur3_token(key) == 8282782378323162669);

    // An empty component still takes its length and its 0x00.
    const auto bigint_minus_one = from_hex("ffffffffffffffff");
    const auto blob = from_hex("fe80");
    const std::array three{proto::bytes_view(), proto::bytes_view(bigint_minus_one), proto::bytes_view(blob)};
    REQUIRE_FALSE(cluster::compose_routing_key(three, key));
    CHECK(key == from_hex("0000000008ffffffffffffffff000002fe8000"));
    CHECK(cluster::murmur3_token(key) == -3654039324353930281);
}

TEST_CASE("token: compose_routing_key takes a 65535-byte component and refuses a longer one") {
    const std::vector<std::uint8_t> longest(cluster::max_routing_key_component, 0x11);
    const std::vector<std::uint8_t> too_long(cluster::max_routing_key_component + 1, 0x11);
    const auto small = from_hex("01");
    std::vector<std::uint8_t> key;

    const std::array fits{proto::bytes_view(small), proto::bytes_view(longest)};
    REQUIRE_FALSE(cluster::compose_routing_key(fits, key));
    REQUIRE(key.size() == 3 + 1 + 3 + longest.size());
    CHECK(key[4] == 0xff);
    CHECK(key[5] == 0xff);
    CHECK(key.back() == 0);

    const std::array does_not_fit{proto::bytes_view(small), proto::bytes_view(too_long)};
    CHECK(cluster::compose_routing_key(does_not_fit, key) == std::errc::value_too_large);
    CHECK(key.empty());
}

TEST_CASE("token: compose_routing_key refuses no component at all") {
    std::vector<std::uint8_t> key{1};
    CHECK(cluster::compose_routing_key({}, key) == std::errc::invalid_argument);
    CHECK(key.empty());
}

TEST_CASE("token: parse_token reads the decimal tokens nodes report") {
    CHECK(cluster::parse_token("0") == 0);
    CHECK(cluster::parse_token("-0") == 0);
    CHECK(cluster::parse_token("42") == 42);
    CHECK(cluster::parse_token("-3485513579396041028") == -3485513579396041028);
    CHECK(cluster::parse_token("9223372036854775807") == std::numeric_limits<std::int64_t>::max());
    CHECK(cluster::parse_token("-9223372036854775808") == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("token: parse_token refuses anything but a whole 64-bit decimal") {
    using namespace std::string_view_literals;
    const std::string_view junk_texts[] = {"", "-", "+1", " 1", "1 ", "1\n", "1.0", "1e3", "0x10", "12a", "a12", "--1", "9223372036854775808",
          "-9223372036854775809", "99999999999999999999999", "1\0"sv};
    for (const auto junk : junk_texts) {
        CAPTURE(std::string(junk));
        CHECK_FALSE(cluster::parse_token(junk).has_value());
    }
}

#include "cqlwire/cluster/token.hpp"

#include <bit>
#include <charconv>
#include <limits>

namespace cqlwire::cluster {

namespace {

// The constants of MurmurHash3 x64_128.
constexpr std::uint64_t mix_c1 = 0x87c37b91114253d5ULL;
constexpr std::uint64_t mix_c2 = 0x4cf5ad432745937fULL;

// All arithmetic is on unsigned 64-bit values: it wraps as Java's long does, without the
// undefined behaviour of signed overflow.
std::uint64_t load_little_endian(const std::uint8_t* p) noexcept {
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

// A tail byte as the partitioner reads it: a Java byte (signed) widened to a long.
std::uint64_t signed_byte(std::uint8_t b) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int8_t>(b)));
}

std::uint64_t mix_k1(std::uint64_t k1) noexcept { return std::rotl(k1 * mix_c1, 31) * mix_c2; }
std::uint64_t mix_k2(std::uint64_t k2) noexcept { return std::rotl(k2 * mix_c2, 33) * mix_c1; }

std::uint64_t final_mix(std::uint64_t k) noexcept {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

}  // namespace

std::int64_t murmur3_token(protocol::bytes_view key) noexcept {
    constexpr auto min_token = std::numeric_limits<std::int64_t>::min();
    if (key.empty()) return min_token;

    std::uint64_t h1 = 0;
    std::uint64_t h2 = 0;
    const std::size_t blocks = key.size() / 16;
    const std::uint8_t* p = key.data();
    for (std::size_t i = 0; i < blocks; ++i, p += 16) {
        h1 ^= mix_k1(load_little_endian(p));
        h1 = (std::rotl(h1, 27) + h2) * 5 + 0x52dce729;
        h2 ^= mix_k2(load_little_endian(p + 8));
        h2 = (std::rotl(h2, 31) + h1) * 5 + 0x38495ab5;
    }

    // The tail: bytes 8..14 go to k2, bytes 0..7 to k1, each sign-extended before the shift,
    // so a byte >= 0x80 sets every bit above its own position.
    const std::size_t tail = key.size() % 16;
    std::uint64_t k1 = 0;
    std::uint64_t k2 = 0;
    for (std::size_t i = tail; i > 8; --i) k2 ^= signed_byte(p[i - 1]) << (8 * (i - 9));
    if (tail > 8) h2 ^= mix_k2(k2);
    for (std::size_t i = tail < 8 ? tail : 8; i > 0; --i) k1 ^= signed_byte(p[i - 1]) << (8 * (i - 1));
    if (tail > 0) h1 ^= mix_k1(k1);

    h1 ^= key.size();
    h2 ^= key.size();
    h1 += h2;
    h2 += h1;
    h1 = final_mix(h1);
    h2 = final_mix(h2);
    h1 += h2;

    const auto token = static_cast<std::int64_t>(h1);
    // The partitioner keeps the minimum for the ring's start, which no key may have.
    return token == min_token ? std::numeric_limits<std::int64_t>::max() : token;
}

std::error_code compose_routing_key(std::span<const protocol::bytes_view> components, std::vector<std::uint8_t>& out) {
    out.clear();
    if (components.empty()) return std::make_error_code(std::errc::invalid_argument);
    if (components.size() == 1) {
        out.assign(components.front().begin(), components.front().end());
        return {};
    }
    std::size_t total = 0;
    for (const auto component : components) {
        if (component.size() > max_routing_key_component) return std::make_error_code(std::errc::value_too_large);
        total += 2 + component.size() + 1;
    }
    out.reserve(total);
    for (const auto component : components) {
        out.push_back(static_cast<std::uint8_t>(component.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(component.size()));
        out.insert(out.end(), component.begin(), component.end());
        out.push_back(0);
    }
    return {};
}

std::optional<std::int64_t> parse_token(std::string_view text) noexcept {
    // from_chars takes an optional '-' and digits only: no '+', no spaces, no base prefix.
    std::int64_t value = 0;
    const char* end = text.data() + text.size();
    const auto [stop, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || stop != end) return std::nullopt;
    return value;
}

}  // namespace cqlwire::cluster

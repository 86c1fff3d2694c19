// Exact decimal text for varint and decimal values, written straight into the caller's string.
#include <charconv>
#include <cstring>

#include "cqlwire/protocol/values.hpp"

namespace cqlwire::protocol {
namespace {

// Appends the decimal digits of an unsigned big-endian magnitude held in `out` at
// [mag_begin, mag_begin + mag_size), using the space after it for the digits, then moves the
// digits down to `dest`. Returns the number of digits.
std::size_t magnitude_to_digits(std::string& out, std::size_t mag_begin, std::size_t mag_size, std::size_t dest) {
    // Each byte needs at most log10(256) < 2.41 digits; 9 more cover the last group.
    std::size_t digits_capacity = mag_size * 241 / 100 + 10;
    std::size_t digits_end = mag_begin + mag_size + digits_capacity;
    out.resize(digits_end);
    auto* mag = reinterpret_cast<unsigned char*>(out.data() + mag_begin);
    char* digits = out.data();
    std::size_t d = digits_end;  // digits are produced least significant first, right to left
    std::size_t start = 0;
    while (start < mag_size && mag[start] == 0) ++start;
    constexpr std::uint64_t group = 1'000'000'000;
    while (start < mag_size) {
        std::uint64_t rem = 0;
        for (std::size_t i = start; i < mag_size; ++i) {
            std::uint64_t cur = rem << 8 | mag[i];
            mag[i] = static_cast<unsigned char>(cur / group);
            rem = cur % group;
        }
        while (start < mag_size && mag[start] == 0) ++start;
        // Nine digits per group, except that the most significant group has no leading zeros.
        for (int k = 0; k < 9; ++k) {
            if (start == mag_size && rem == 0 && k > 0) break;
            digits[--d] = static_cast<char>('0' + rem % 10);
            rem /= 10;
        }
    }
    if (d == digits_end) digits[--d] = '0';
    std::size_t count = digits_end - d;
    std::memmove(out.data() + dest, out.data() + d, count);
    out.resize(dest + count);
    return count;
}

}  // namespace

std::error_code append_varint_text(bytes_view b, std::string& out) {
    if (b.empty()) return make_error_code(client_errc::empty_value);
    std::int64_t small = 0;
    // Fast path: anything that fits 64 bits.
    {
        bool negative = b[0] & 0x80;
        std::uint8_t fill = negative ? 0xFF : 0x00;
        std::size_t skip = 0;
        while (b.size() - skip > 8 && b[skip] == fill) ++skip;
        auto rest = b.subspan(skip);
        if (rest.size() <= 8 && (skip == 0 || static_cast<bool>(rest[0] & 0x80) == negative)) {
            std::uint64_t u = 0;
            for (auto byte : rest) u = u << 8 | byte;
            auto bits = rest.size() * 8;
            if (bits < 64 && negative) u |= ~std::uint64_t{0} << bits;
            small = static_cast<std::int64_t>(u);
            char buf[24];
            auto [p, ec] = std::to_chars(buf, buf + sizeof buf, small);
            (void)ec;
            out.append(buf, p);
            return {};
        }
    }
    if (b.size() > max_varint_text_bytes) return make_error_code(client_errc::value_out_of_range);
    bool negative = b[0] & 0x80;
    std::size_t base = out.size();
    std::size_t sign = negative ? 1 : 0;
    // Scratch: the magnitude, starting one byte in so that the sign can go at `base`.
    std::size_t mag_begin = base + sign;
    out.resize(mag_begin + b.size());
    auto* mag = reinterpret_cast<unsigned char*>(out.data() + mag_begin);
    std::memcpy(mag, b.data(), b.size());
    if (negative) {
        // Two's complement negation: invert, then add one.
        for (std::size_t i = 0; i < b.size(); ++i) mag[i] = static_cast<unsigned char>(~mag[i]);
        for (std::size_t i = b.size(); i-- > 0;)
            if (++mag[i] != 0) break;
        out[base] = '-';
    }
    magnitude_to_digits(out, mag_begin, b.size(), base + sign);
    return {};
}

std::error_code append_decimal_text(std::int32_t scale, bytes_view unscaled, std::string& out) {
    std::size_t base = out.size();
    if (auto ec = append_varint_text(unscaled, out)) return ec;
    std::size_t first_digit = base + (out[base] == '-' ? 1 : 0);
    auto len = static_cast<std::int64_t>(out.size() - first_digit);
    std::int64_t adjusted = -static_cast<std::int64_t>(scale) + (len - 1);
    if (scale >= 0 && adjusted >= -6) {
        if (scale == 0) return {};
        if (len > scale) {
            out.insert(out.size() - static_cast<std::size_t>(scale), 1, '.');
        } else {
            out.insert(first_digit, static_cast<std::size_t>(scale - len), '0');
            out.insert(first_digit, "0.");
        }
        return {};
    }
    if (len > 1) out.insert(first_digit + 1, 1, '.');
    if (adjusted != 0) {
        out.push_back('E');
        if (adjusted > 0) out.push_back('+');
        char buf[24];
        auto [p, ec] = std::to_chars(buf, buf + sizeof buf, adjusted);
        (void)ec;
        out.append(buf, p);
    }
    return {};
}

}  // namespace cqlwire::protocol

// The scalar readers of parse_cql_literal but the temporal ones: numbers, booleans, blobs,
// uuids and inet addresses; and the words of the reasons every reader gives.
#include "literal_scalars.hpp"

#include <charconv>
#include <limits>
#include <utility>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::protocol::detail {
namespace {

constexpr std::size_t quote_limit = 40;

bool all_digits(std::string_view s) noexcept {
    for (char c : s)
        if (!is_digit(c)) return false;
    return !s.empty();
}

}  // namespace

void append_quoted(std::string_view s, std::string& out) {
    out.push_back('\'');
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
        if (len == 0 || i + len > s.size() || (len > 1 && !is_valid_utf8(s.substr(i, len))) ||
            (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0))
            len = 0;  // a stray byte or a C1 control: escaped on its own
        if (i + (len ? len : 1) > quote_limit) break;
        if (len > 1) {
            out.append(s.substr(i, len));
            i += len;
            continue;
        }
        if (len == 0 || c < 0x20 || c == 0x7F || c == '\\') append_byte_escape(out, c);
        else out.push_back(static_cast<char>(c));
        ++i;
    }
    out.push_back('\'');
    if (i < s.size()) out.append("...");
}

std::string quoted(std::string_view s) {
    std::string out;
    append_quoted(s, out);
    return out;
}

std::string noun(const data_type& t) {
    switch (t.kind) {
    case type_kind::custom: return "a value of a custom type";
    case type_kind::ascii: return "ascii text";
    case type_kind::varchar: return "text";
    case type_kind::list: return "a list";
    case type_kind::set: return "a set";
    case type_kind::map: return "a map";
    case type_kind::tuple: return "a tuple";
    case type_kind::udt: return "a user-defined type value";
    case type_kind::vector: return "a vector";
    default: break;
    }
    auto name = cql_type_name(t);
    const char first = name.empty() ? 'x' : name[0];
    const bool vowel = first == 'a' || first == 'e' || first == 'i' || first == 'o';  // "a uuid"
    return (vowel ? "an " : "a ") + name;
}

bool fail_not(std::string_view text, const data_type& t, std::string& why, std::string_view hint) {
    append_quoted(text, why);
    why += " is not ";
    why += noun(t);
    if (!hint.empty()) {
        why += " (";
        why += hint;
        why += ')';
    }
    return false;
}

bool fail_range(std::string_view text, const data_type& t, std::string& why, std::string_view range) {
    append_quoted(text, why);
    why += " is out of range for ";
    why += cql_type_name(t);
    if (!range.empty()) {
        why += " (";
        why += range;
        why += ')';
    }
    return false;
}

bool fail_nothing(const data_type& t, std::string& why) {
    why += "nothing where ";
    why += noun(t);
    why += " was expected";
    return false;
}

bool check_text(std::string_view s, type_kind k, std::string& why) {
    if (k == type_kind::ascii) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c > 0x7F) {
                why += "ascii text with a byte outside 7-bit ASCII (byte 0x";
                append_hex_byte(why, c);
                why += " at offset " + std::to_string(i) + ')';
                return false;
            }
        }
        return true;
    }
    const auto at = utf8_error_offset(s);
    if (at == std::string_view::npos) return true;
    why += "text that is not valid UTF-8 (byte 0x";
    append_hex_byte(why, static_cast<std::uint8_t>(s[at]));
    why += " at offset " + std::to_string(at) + ')';
    return false;
}

bool split_sign(std::string_view s, bool& negative, std::string_view& digits) noexcept {
    negative = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    digits = s;
    return all_digits(s);
}

std::optional<std::uint64_t> magnitude_of(std::string_view digits, std::uint64_t limit) noexcept {
    std::uint64_t m = 0;
    for (char c : digits) {
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (m > (limit - d) / 10) return std::nullopt;
        m = m * 10 + d;
    }
    return m;
}

namespace {

// `s` with every occurrence of `from` replaced by `to` (cqlsh's plain str.replace).
std::string replace_all(std::string_view s, std::string_view from, std::string_view to) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        if (s.substr(i, from.size()) == from) {
            out.append(to);
            i += from.size();
        } else {
            out.push_back(s[i++]);
        }
    }
    return out;
}

// A number's text as cqlsh reads it: the thousands separators removed, then (for `decimal`
// texts: float, double and decimal) the decimal separator read as '.'. Copies into `scratch`
// only when a separator is there.
std::string_view normalized_number(std::string_view s, const literal_options& o, bool decimal, std::string& scratch) {
    if (!o.thousands_sep.empty() && s.find(o.thousands_sep) != std::string_view::npos) {
        scratch = replace_all(s, o.thousands_sep, "");
        s = scratch;
    }
    if (decimal && !o.decimal_sep.empty() && o.decimal_sep != "." && s.find(o.decimal_sep) != std::string_view::npos) {
        auto replaced = replace_all(s, o.decimal_sep, ".");
        scratch = std::move(replaced);
        s = scratch;
    }
    return s;
}

// Minimal big-endian two's complement of ±magnitude (big-endian, any leading zeros).
std::vector<std::uint8_t> twos_complement(std::vector<std::uint8_t> mag, bool negative) {
    std::size_t lead = 0;
    while (lead < mag.size() && mag[lead] == 0) ++lead;
    mag.erase(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(lead));
    if (mag.empty()) return {0x00};
    if (!negative) {
        if (mag[0] & 0x80) mag.insert(mag.begin(), 0x00);
        return mag;
    }
    // 2^(8(n+1)) - m over n+1 bytes: invert, add one; then drop sign bytes the next byte repeats.
    mag.insert(mag.begin(), 0x00);
    for (auto& b : mag) b = static_cast<std::uint8_t>(~b);
    for (std::size_t i = mag.size(); i-- > 0;)
        if (++mag[i] != 0) break;
    std::size_t skip = 0;
    while (mag.size() - skip > 1 && mag[skip] == 0xFF && (mag[skip + 1] & 0x80)) ++skip;
    mag.erase(mag.begin(), mag.begin() + static_cast<std::ptrdiff_t>(skip));
    return mag;
}

// Decimal digits (no sign) to the minimal two's complement of ±value: nine digits at a time
// into base-2^32 limbs, quadratic in the length, which the callers cap.
std::vector<std::uint8_t> varint_bytes(std::string_view digits, bool negative) {
    std::vector<std::uint32_t> limbs;  // least significant first
    std::size_t take = digits.size() % 9 == 0 ? 9 : digits.size() % 9;
    for (std::size_t i = 0; i < digits.size(); i += take, take = 9) {
        std::uint64_t chunk = 0, scale = 1;
        for (std::size_t k = i; k < i + take; ++k) {
            chunk = chunk * 10 + static_cast<std::uint64_t>(digits[k] - '0');
            scale *= 10;
        }
        std::uint64_t carry = chunk;  // limb * 10^9 + carry < 2^64
        for (auto& limb : limbs) {
            const std::uint64_t cur = limb * scale + carry;
            limb = static_cast<std::uint32_t>(cur);
            carry = cur >> 32;
        }
        if (carry != 0) limbs.push_back(static_cast<std::uint32_t>(carry));
    }
    std::vector<std::uint8_t> mag;
    mag.reserve(limbs.size() * 4);
    for (std::size_t i = limbs.size(); i-- > 0;)
        for (int shift = 24; shift >= 0; shift -= 8) mag.push_back(static_cast<std::uint8_t>(limbs[i] >> shift));
    return twos_complement(std::move(mag), negative);
}

bool too_long_number(std::string_view text, const data_type& t, std::string& why) {
    why += noun(t) + " of " + std::to_string(text.size()) + " characters is longer than the " +
           std::to_string(max_number_literal_chars) + " cqlwire reads: ";
    append_quoted(text, why);
    return false;
}

bool too_wide_number(std::string_view text, const data_type& t, std::string& why) {
    return fail_range(text, t, why, "more than " + std::to_string(max_varint_text_bytes) + " bytes");
}

bool parse_integer(std::string_view text, const data_type& t, value& out, std::string& why, const literal_options& o) {
    if (t.kind == type_kind::varint && text.size() > max_number_literal_chars) return too_long_number(text, t, why);
    std::string scratch;
    const auto s = normalized_number(text, o, false, scratch);
    bool negative = false;
    std::string_view digits;
    if (!split_sign(s, negative, digits)) return fail_not(text, t, why);
    if (t.kind == type_kind::varint) {
        auto bytes = varint_bytes(digits, negative);
        if (bytes.size() > max_varint_text_bytes) return too_wide_number(text, t, why);
        out = value{cql_varint{std::move(bytes)}};
        return true;
    }
    std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
    switch (t.kind) {
    case type_kind::tinyint: lo = INT8_MIN, hi = INT8_MAX; break;
    case type_kind::smallint: lo = INT16_MIN, hi = INT16_MAX; break;
    case type_kind::int_: lo = INT32_MIN, hi = INT32_MAX; break;
    default: break;
    }
    const auto limit = negative ? ~static_cast<std::uint64_t>(lo) + 1 : static_cast<std::uint64_t>(hi);
    const auto m = magnitude_of(digits, limit);
    if (!m) return fail_range(text, t, why, std::to_string(lo) + " to " + std::to_string(hi));
    out = value{integer_value{signed_of(*m, negative), t.kind}};
    return true;
}

bool parse_floating(std::string_view text, const data_type& t, value& out, std::string& why, const literal_options& o) {
    std::string scratch;
    auto body = normalized_number(text, o, true, scratch);
    const bool negative = !body.empty() && body[0] == '-';
    if (!body.empty() && (body[0] == '-' || body[0] == '+')) body.remove_prefix(1);
    if (body.empty()) return fail_not(text, t, why);
    double d = 0;
    if (is_digit(body[0]) || body[0] == '.') {
        // from_chars rounds once, to the nearest value of the type asked for: reading a float
        // through a double first could round twice.
        std::errc ec{};
        const char* end = nullptr;
        if (t.kind == type_kind::float_) {
            float f = 0;
            auto r = std::from_chars(body.data(), body.data() + body.size(), f);
            ec = r.ec, end = r.ptr, d = f;
        } else {
            auto r = std::from_chars(body.data(), body.data() + body.size(), d);
            ec = r.ec, end = r.ptr;
        }
        if (ec == std::errc::result_out_of_range) return fail_range(text, t, why);
        if (ec != std::errc{} || end != body.data() + body.size()) return fail_not(text, t, why);
    } else if (equals_ignoring_ascii_case(body, "nan")) {
        d = std::numeric_limits<double>::quiet_NaN();  // one NaN, whatever sign was written
        out = value::from(d);
        return true;
    } else if (equals_ignoring_ascii_case(body, "infinity") || equals_ignoring_ascii_case(body, "inf")) {
        d = std::numeric_limits<double>::infinity();
    } else {
        return fail_not(text, t, why);
    }
    out = value::from(negative ? -d : d);
    return true;
}

bool parse_decimal(std::string_view text, const data_type& t, value& out, std::string& why, const literal_options& o) {
    if (text.size() > max_number_literal_chars) return too_long_number(text, t, why);
    std::string scratch;
    auto s = normalized_number(text, o, true, scratch);
    const bool negative = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    std::size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    const auto whole = s.substr(0, i);
    std::string_view fraction;
    if (i < s.size() && s[i] == '.') {
        const auto start = ++i;
        while (i < s.size() && is_digit(s[i])) ++i;
        fraction = s.substr(start, i - start);
    }
    if (whole.empty() && fraction.empty()) {
        if (equals_ignoring_ascii_case(s, "nan") || equals_ignoring_ascii_case(s, "infinity") ||
            equals_ignoring_ascii_case(s, "inf"))
            return fail_not(text, t, why, "a decimal has no NaN or Infinity");
        return fail_not(text, t, why);
    }
    std::int64_t exponent = 0;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        bool exp_negative = false;
        std::string_view exp_digits;
        if (!split_sign(s.substr(i + 1), exp_negative, exp_digits)) return fail_not(text, t, why);
        // Past 2^40 no scale can come out within 32 bits, and the arithmetic stays in 64.
        const auto m = magnitude_of(exp_digits, std::uint64_t{1} << 40);
        if (!m) return fail_range(text, t, why, "its scale must fit 32 bits");
        exponent = signed_of(*m, exp_negative);
    } else if (i != s.size()) {
        return fail_not(text, t, why);
    }
    const std::int64_t scale = static_cast<std::int64_t>(fraction.size()) - exponent;
    if (scale < std::numeric_limits<std::int32_t>::min() || scale > std::numeric_limits<std::int32_t>::max())
        return fail_range(text, t, why, "its scale must fit 32 bits");
    std::string digits;
    digits.reserve(whole.size() + fraction.size());
    digits.append(whole).append(fraction);
    auto bytes = varint_bytes(digits, negative);
    if (bytes.size() > max_varint_text_bytes) return too_wide_number(text, t, why);
    out = value::from(cql_decimal{static_cast<std::int32_t>(scale), cql_varint{std::move(bytes)}});
    return true;
}

bool parse_boolean(std::string_view s, const data_type& t, value& out, std::string& why, const literal_options& o) {
    auto is = [&](std::string_view word) { return !word.empty() && equals_ignoring_ascii_case(s, word); };
    if (is("true") || is(o.true_text)) {
        out = value::from(true);
        return true;
    }
    if (is("false") || is(o.false_text)) {
        out = value::from(false);
        return true;
    }
    // "true or false", "true, false, 'yes' or 'no'": the words this would have read.
    std::vector<std::string> words = {"true", "false"};
    for (auto word : {o.true_text, o.false_text})
        if (!word.empty() && !equals_ignoring_ascii_case(word, "true") && !equals_ignoring_ascii_case(word, "false"))
            words.push_back(quoted(word));
    std::string hint;
    for (std::size_t i = 0; i < words.size(); ++i)
        hint += (i == 0 ? "" : i + 1 == words.size() ? " or " : ", ") + words[i];
    return fail_not(s, t, why, hint);
}

bool parse_blob(std::string_view s, const data_type& t, value& out, std::string& why) {
    constexpr std::string_view hint = "0x followed by hex digits";
    if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return fail_not(s, t, why, hint);
    const auto hex = s.substr(2);
    std::vector<std::uint8_t> bytes;
    bytes.reserve(hex.size() / 2);
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return fail_not(s, t, why, hint);
        bytes.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
    }
    if (hex.size() % 2 != 0) {
        if (hex_value(hex.back()) < 0) return fail_not(s, t, why, hint);
        append_quoted(s, why);
        why += " has an odd number of hex digits";
        return false;
    }
    out = value::blob(std::move(bytes));
    return true;
}

bool parse_uuid_text(std::string_view s, const data_type& t, value& out, std::string& why) {
    const auto u = parse_uuid(s);
    if (!u) return fail_not(s, t, why, "8-4-4-4-12 hex digits");
    if (t.kind == type_kind::timeuuid && u->version() != 1) {
        append_quoted(s, why);
        why += " is a version " + std::to_string(u->version()) + " uuid, not a timeuuid (version 1)";
        return false;
    }
    out = value::from(*u);
    return true;
}

bool parse_inet(std::string_view s, const data_type& t, value& out, std::string& why) {
    const auto a = parse_inet_address(s);
    if (!a) return fail_not(s, t, why, "an IPv4 or IPv6 address");
    out = value::from(*a);
    return true;
}

}  // namespace

bool parse_scalar(std::string_view s, const data_type& t, value& out, std::string& why, const literal_options& o) {
    if (s.empty()) return fail_nothing(t, why);
    switch (t.kind) {
    case type_kind::tinyint:
    case type_kind::smallint:
    case type_kind::int_:
    case type_kind::bigint:
    case type_kind::counter:
    case type_kind::varint: return parse_integer(s, t, out, why, o);
    case type_kind::float_:
    case type_kind::double_: return parse_floating(s, t, out, why, o);
    case type_kind::decimal: return parse_decimal(s, t, out, why, o);
    case type_kind::boolean: return parse_boolean(s, t, out, why, o);
    case type_kind::blob:
    case type_kind::custom: return parse_blob(s, t, out, why);
    case type_kind::uuid:
    case type_kind::timeuuid: return parse_uuid_text(s, t, out, why);
    case type_kind::inet: return parse_inet(s, t, out, why);
    case type_kind::date: return parse_date(s, t, out, why);
    case type_kind::time: return parse_time(s, t, out, why);
    case type_kind::timestamp: return parse_timestamp(s, t, out, why);
    case type_kind::duration: return parse_duration(s, t, out, why);
    default: break;
    }
    why += "no scalar reader for " + noun(t);  // text and composite kinds never come here
    return false;
}

}  // namespace cqlwire::protocol::detail

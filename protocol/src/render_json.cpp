// render_json(): values as Cassandra's SELECT JSON / toJson() writes them.
#include <charconv>
#include <cmath>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "render_text.hpp"

namespace cqlwire::protocol {
namespace {

using detail::append_padded;

// Java's Double.toString / Float.toString from the shortest round-tripping digits: plain
// notation with at least one fractional digit for 1e-3 <= |x| < 1e7, otherwise
// d.dddE<exponent> (again with at least one fractional digit).
void append_java_digits(std::string_view scientific, std::string& out) {
    // `scientific` is std::to_chars' shortest scientific form: [-]d[.ddd]e(+|-)XX
    std::size_t i = 0;
    if (scientific[0] == '-') {
        out.push_back('-');
        i = 1;
    }
    auto e_pos = scientific.find('e');
    char digits[32];
    std::size_t n = 0;
    for (std::size_t k = i; k < e_pos; ++k)
        if (scientific[k] != '.') digits[n++] = scientific[k];
    int exponent = 0;
    auto exp_text = scientific.substr(e_pos + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);

    if (exponent >= -3 && exponent < 7) {
        if (exponent >= 0) {
            auto int_digits = static_cast<std::size_t>(exponent) + 1;
            for (std::size_t k = 0; k < int_digits; ++k) out.push_back(k < n ? digits[k] : '0');
            out.push_back('.');
            if (n > int_digits) out.append(digits + int_digits, n - int_digits);
            else out.push_back('0');
        } else {
            out.append("0.");
            for (int k = -1; k > exponent; --k) out.push_back('0');
            out.append(digits, n);
        }
        return;
    }
    out.push_back(digits[0]);
    out.push_back('.');
    if (n > 1) out.append(digits + 1, n - 1);
    else out.push_back('0');
    out.push_back('E');
    detail::append_int(exponent, out);
}

template <typename Float>
void append_java_floating(Float f, std::string& out) {
    // Java always prints at least two significant digits in scientific form and then picks
    // the closest two-digit decimal, which is not always the shortest digit padded with 0
    // (Double.MIN_VALUE prints as 4.9E-324, not 5.0E-324).
    auto fits_plain = [](Float x) { return std::fabs(x) >= Float(1e-3) && std::fabs(x) < Float(1e7); };
    if (detail::append_non_finite(f, out)) return;
    if (f == 0) {
        out.append(std::signbit(f) ? "-0.0" : "0.0");
        return;
    }
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
    (void)ec;
    bool one_digit = std::string_view(buf, static_cast<std::size_t>(p - buf)).find('.') == std::string_view::npos;
    if (one_digit && !fits_plain(f)) {
        auto [q, ec2] = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific, 1);
        (void)ec2;
        p = q;
    }
    append_java_digits(std::string_view(buf, static_cast<std::size_t>(p - buf)), out);
}

// "yyyy-MM-dd HH:mm:ss.SSSX" in UTC, as Cassandra 5.0 prints it with a java.time formatter
// (observed on 5.0.9 by tests/integration/type_conformance_test.cpp): the proleptic Gregorian
// calendar, no Julian switch; `yyyy` is the year of the era (so 1 BC prints as 0001), at least
// four digits, and a year of the era above 9999 gets a '+' (java.time's EXCEEDS_PAD sign style):
// "+10000-01-01 00:00:00.000Z".
void append_json_timestamp(std::int64_t ms, std::string& out) {
    constexpr std::int64_t ms_per_day = 86'400'000;
    auto days = detail::floor_div(ms, ms_per_day);
    // The remainder taken directly: days * ms_per_day overflows for the earliest timestamps.
    auto ms_of_day = ms % ms_per_day;
    if (ms_of_day < 0) ms_of_day += ms_per_day;
    const auto c = cql_date{days}.to_civil();
    const auto year_of_era = c.year > 0 ? c.year : 1 - c.year;
    if (year_of_era > 9999) out.push_back('+');
    append_padded(year_of_era, 4, out);
    out.push_back('-');
    append_padded(c.month, 2, out);
    out.push_back('-');
    append_padded(c.day, 2, out);
    out.push_back(' ');
    append_padded(ms_of_day / 3'600'000, 2, out);
    out.push_back(':');
    append_padded(ms_of_day / 60'000 % 60, 2, out);
    out.push_back(':');
    append_padded(ms_of_day / 1000 % 60, 2, out);
    out.push_back('.');
    append_padded(ms_of_day % 1000, 3, out);
    out.push_back('Z');
}

// java.time's ISO_LOCAL_DATE: proleptic Gregorian with a year 0, four digits at least, a sign
// when the year is negative or longer than four digits.
void append_json_date(const cql_date& d, std::string& out) {
    auto c = d.to_civil();
    if (c.year > 9999) out.push_back('+');
    append_padded(c.year, 4, out);
    out.push_back('-');
    append_padded(c.month, 2, out);
    out.push_back('-');
    append_padded(c.day, 2, out);
}

bool is_text_kind(type_kind k) noexcept { return k == type_kind::ascii || k == type_kind::varchar; }

std::error_code json_at(const value_view& v, std::string& out, int depth);

std::error_code json_sequence(element_cursor& c, const value_view& v, std::string& out, int depth) {
    out.push_back('[');
    value_view e = v;
    while (!c.at_end()) {
        if (c.index() > 0) out.append(", ");
        if (auto ec = c.next(e)) return ec;
        if (auto ec = json_at(e, out, depth - 1)) return ec;
    }
    out.push_back(']');
    return {};
}

std::error_code json_at(const value_view& v, std::string& out, int depth) {
    if (depth <= 0) return make_error_code(client_errc::depth_exceeded);
    if (!v.raw().is_present()) {
        out.append("null");
        return {};
    }
    auto k = v.kind();
    if (v.bytes().empty() && !is_text_kind(k) && k != type_kind::blob && k != type_kind::custom) {
        // The server's serializers read an empty value as Java null, which each type prints as
        // an empty JSON string; TimeSerializer prints its null as the word null, quoted.
        out.append(k == type_kind::time ? "\"null\"" : "\"\"");
        return {};
    }
    switch (k) {
    case type_kind::boolean: {
        bool b = false;
        if (auto ec = to_bool(v, b)) return ec;
        out.append(b ? "true" : "false");
        return {};
    }
    case type_kind::tinyint:
    case type_kind::smallint:
    case type_kind::int_:
    case type_kind::bigint:
    case type_kind::counter: return detail::append_integer_value(v, out);
    case type_kind::varint: return append_varint_text(v.bytes(), out);
    case type_kind::decimal: return detail::append_decimal_value(v, out);
    case type_kind::float_: {
        float f = 0;
        if (auto ec = to_float(v, f)) return ec;
        // JSON has no NaN or infinities; the server writes null for them.
        if (std::isnan(f) || std::isinf(f)) out.append("null");
        else append_java_float(f, out);
        return {};
    }
    case type_kind::double_: {
        double d = 0;
        if (auto ec = to_double(v, d)) return ec;
        if (std::isnan(d) || std::isinf(d)) out.append("null");
        else append_java_double(d, out);
        return {};
    }
    case type_kind::ascii:
    case type_kind::varchar: {
        std::string_view s;
        if (auto ec = to_text(v, s)) return ec;
        append_json_string(s, out);
        return {};
    }
    case type_kind::blob:
    case type_kind::custom:
        out.append("\"0x");
        append_hex(out, v.bytes());
        out.push_back('"');
        return {};
    case type_kind::uuid:
    case type_kind::timeuuid: {
        uuid u;
        if (auto ec = to_uuid(v, u)) return ec;
        out.push_back('"');
        detail::append_uuid(u.bytes, out);
        out.push_back('"');
        return {};
    }
    case type_kind::inet: {
        inet_address a;
        if (auto ec = to_inet(v, a)) return ec;
        out.push_back('"');
        detail::append_inet_java(a.view(), out);
        out.push_back('"');
        return {};
    }
    case type_kind::timestamp: {
        cql_timestamp t;
        if (auto ec = to_timestamp(v, t)) return ec;
        out.push_back('"');
        append_json_timestamp(t.milliseconds, out);
        out.push_back('"');
        return {};
    }
    case type_kind::date: {
        cql_date d;
        if (auto ec = to_date(v, d)) return ec;
        out.push_back('"');
        append_json_date(d, out);
        out.push_back('"');
        return {};
    }
    case type_kind::time: {
        cql_time t;
        if (auto ec = to_time(v, t)) return ec;
        out.push_back('"');
        detail::append_time_of_day(t.nanoseconds, out);
        out.push_back('"');
        return {};
    }
    case type_kind::duration: {
        cql_duration d;
        if (auto ec = to_duration(v, d)) return ec;
        out.push_back('"');
        detail::append_duration(d, out);
        out.push_back('"');
        return {};
    }
    case type_kind::list:
    case type_kind::set:
    case type_kind::vector:
    case type_kind::tuple: {
        element_cursor c;
        if (auto ec = open_elements(v, c)) return ec;
        return json_sequence(c, v, out, depth);
    }
    case type_kind::udt: {
        element_cursor c;
        if (auto ec = open_elements(v, c)) return ec;
        const auto& names = v.type().field_names;
        out.push_back('{');
        value_view e = v;
        while (!c.at_end()) {
            auto i = c.index();
            if (i > 0) out.append(", ");
            std::string_view name = i < names.size() ? std::string_view(names[i]) : std::string_view{};
            // Field names come from the server's type description, unchecked so far; JSON must
            // be UTF-8.
            if (!is_valid_utf8(name)) return make_error_code(client_errc::bad_utf8);
            append_json_name(name, out);
            out.append(": ");
            if (auto ec = c.next(e)) return ec;
            if (auto ec = json_at(e, out, depth - 1)) return ec;
        }
        out.push_back('}');
        return {};
    }
    case type_kind::map: {
        map_cursor c;
        if (auto ec = open_entries(v, c)) return ec;
        out.push_back('{');
        value_view key = v, val = v;
        while (!c.at_end()) {
            if (c.index() > 0) out.append(", ");
            if (auto ec = c.next(key, val)) return ec;
            // Object keys must be strings: a key whose JSON is not a string is rendered, then
            // written as a JSON string of that text.
            auto key_start = out.size();
            if (auto ec = json_at(key, out, depth - 1)) return ec;
            if (out[key_start] != '"') {
                // Quote in place: escape the rendered key into the tail, then move it down.
                auto key_end = out.size();
                // Reserve first: the text being escaped lives in `out` and must not move.
                out.reserve(key_end + 2 + 6 * (key_end - key_start));
                append_json_string(std::string_view(out).substr(key_start, key_end - key_start), out);
                out.erase(key_start, key_end - key_start);
            }
            out.append(": ");
            if (auto ec = json_at(val, out, depth - 1)) return ec;
        }
        out.push_back('}');
        return {};
    }
    }
    return make_error_code(client_errc::type_mismatch);
}

}  // namespace

void append_java_double(double d, std::string& out) { append_java_floating(d, out); }
void append_java_float(float f, std::string& out) { append_java_floating(f, out); }

void append_json_string(std::string_view s, std::string& out) {
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\b': out.append("\\b"); break;
        case '\t': out.append("\\t"); break;
        case '\n': out.append("\\n"); break;
        case '\f': out.append("\\f"); break;
        case '\r': out.append("\\r"); break;
        default:
            if (c < 0x20) {
                out.append("\\u00");
                append_hex_byte(out, c, hex_case::upper);
            } else {
                out.push_back(ch);
            }
        }
    }
    out.push_back('"');
}

void append_json_name(std::string_view name, std::string& out) {
    // The server's rule (SELECT JSON keys and UserType.toJSONString): a name that lower-casing
    // would change is written as its quoted identifier, inner quotes left single, other names
    // as they are ("with space", "1st"), and the result then escaped as a JSON string.
    const bool has_upper = detail::has_capital_letter(name);
    out.push_back('"');
    if (has_upper) out.append("\\\"");
    auto body_start = out.size();
    append_json_string(name, out);
    // append_json_string quoted the name; drop its quotes, keep its escaped body.
    out.erase(body_start, 1);
    out.pop_back();
    if (has_upper) out.append("\\\"");
    out.push_back('"');
}

std::error_code render_json(const value_view& v, std::string& out) {
    auto before = out.size();
    auto ec = json_at(v, out, max_type_depth);
    if (ec) out.resize(before);
    return ec;
}

}  // namespace cqlwire::protocol

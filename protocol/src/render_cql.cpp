// render_cql(): values as cqlsh prints them.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <limits>

#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "render_text.hpp"

namespace cqlwire::protocol {
namespace {

using detail::append_padded;

struct cql_context {
    int precision;
    std::string_view null_text;
};

// Kinds whose zero-byte value is a real value; for every other kind cqlsh prints an empty
// value as nothing at all.
bool empty_is_a_value(type_kind k) noexcept {
    return k == type_kind::ascii || k == type_kind::varchar || k == type_kind::blob || k == type_kind::custom;
}

// cqlsh shows text with backslashes doubled, control characters (and U+007F..U+00A0) as
// Python escapes (\n, \t, \r, \x1b), and, inside collections, single quotes doubled.
void append_cqlsh_text(std::string_view s, bool quote, std::string& out) {
    static constexpr char hex[] = "0123456789abcdef";
    if (quote) out.push_back('\'');
    std::size_t i = 0;
    while (i < s.size()) {
        std::size_t start = i;
        auto cp = detail::next_code_point(s, i);
        if (cp == '\\') {
            out.append("\\\\");
        } else if (cp == '\'' && quote) {
            out.append("''");
        } else if (cp == '\n') {
            out.append("\\n");
        } else if (cp == '\t') {
            out.append("\\t");
        } else if (cp == '\r') {
            out.append("\\r");
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0xA0)) {
            out.append("\\x");
            out.push_back(hex[cp >> 4]);
            out.push_back(hex[cp & 0xF]);
        } else {
            out.append(s.substr(start, i - start));
        }
    }
    if (quote) out.push_back('\'');
}

// A timestamp the way cqlsh shows it: cqlsh divides the milliseconds by 1000.0, turns that
// double into whole microseconds (rounding half to even) and prints "%Y-%m-%d %H:%M:%S.%f%z"
// in UTC with the C library's strftime, which does not pad years below 1000 ("999-01-01 ...";
// cqlsh's dates are padded). Outside years 1..9999 cqlsh prints the millisecond count instead.
void append_cqlsh_timestamp(std::int64_t ms, std::string& out) {
    constexpr std::int64_t min_us = -62'135'596'800'000'000;  // 0001-01-01 00:00:00
    constexpr std::int64_t max_us = 253'402'300'799'999'999;  // 9999-12-31 23:59:59.999999
    bool in_range = ms >= min_us / 1000 - 1000 && ms <= max_us / 1000 + 1000;
    std::int64_t us = 0;
    if (in_range) {
        double seconds = static_cast<double>(ms) / 1000.0;
        double whole = 0;
        double frac = std::modf(seconds, &whole);
        double micros = frac * 1e6;
        double whole_micros = 0;
        double left = std::modf(micros, &whole_micros);
        std::int64_t rounding = std::fabs(left) > 0.5 ? (left > 0 ? 1 : -1) : 0;
        us = static_cast<std::int64_t>(whole) * 1'000'000 + static_cast<std::int64_t>(whole_micros) + rounding;
        in_range = us >= min_us && us <= max_us;
    }
    if (!in_range) {
        detail::append_int(ms, out);
        return;
    }
    auto secs = detail::floor_div(us, 1'000'000);
    auto micro = us - secs * 1'000'000;
    auto days = detail::floor_div(secs, 86'400);
    auto sec_of_day = secs - days * 86'400;
    auto civil = cql_date{days}.to_civil();
    detail::append_int(civil.year, out);  // strftime's %Y in the C library: no padding below 1000
    out.push_back('-');
    append_padded(civil.month, 2, out);
    out.push_back('-');
    append_padded(civil.day, 2, out);
    out.push_back(' ');
    append_padded(sec_of_day / 3600, 2, out);
    out.push_back(':');
    append_padded(sec_of_day / 60 % 60, 2, out);
    out.push_back(':');
    append_padded(sec_of_day % 60, 2, out);
    out.push_back('.');
    append_padded(micro, 6, out);
    out.append("+0000");
}

void append_cqlsh_date(const cql_date& d, std::string& out) {
    constexpr std::int64_t first = -719'162;   // 0001-01-01
    constexpr std::int64_t last = 2'932'896;   // 9999-12-31
    if (d.days_since_epoch < first || d.days_since_epoch > last) {
        detail::append_int(d.days_since_epoch, out);
        return;
    }
    auto c = d.to_civil();
    append_padded(c.year, 4, out);
    out.push_back('-');
    append_padded(c.month, 2, out);
    out.push_back('-');
    append_padded(c.day, 2, out);
}

std::error_code render_at(const value_view& v, std::string& out, const cql_context& ctx, bool quote, int depth);

template <typename Cursor>
std::error_code render_elements(Cursor& c, const value_view& v, std::string& out, const cql_context& ctx,
                                char open, char close, int depth) {
    out.push_back(open);
    value_view e = v;
    while (!c.at_end()) {
        if (c.index() > 0) out.append(", ");
        if (auto ec = c.next(e)) return ec;
        if (auto ec = render_at(e, out, ctx, true, depth - 1)) return ec;
    }
    out.push_back(close);
    return {};
}

std::error_code render_at(const value_view& v, std::string& out, const cql_context& ctx, bool quote, int depth) {
    if (depth <= 0) return make_error_code(client_errc::depth_exceeded);
    if (!v.raw().is_present()) {
        out.append(ctx.null_text);
        return {};
    }
    auto k = v.kind();
    if (v.bytes().empty() && !empty_is_a_value(k)) return {};
    switch (k) {
    case type_kind::boolean: {
        bool b = false;
        if (auto ec = to_bool(v, b)) return ec;
        out.append(b ? "True" : "False");
        return {};
    }
    case type_kind::tinyint:
    case type_kind::smallint:
    case type_kind::int_:
    case type_kind::bigint:
    case type_kind::counter: return detail::append_integer_value(v, out);
    case type_kind::varint: return append_varint_text(v.bytes(), out);
    case type_kind::decimal: return detail::append_decimal_value(v, out);
    case type_kind::float_:
    case type_kind::double_: {
        double d = 0;
        if (auto ec = to_double(v, d)) return ec;
        append_cql_double(d, ctx.precision, out);
        return {};
    }
    case type_kind::ascii:
    case type_kind::varchar: {
        std::string_view s;
        if (auto ec = to_text(v, s)) return ec;
        append_cqlsh_text(s, quote, out);
        return {};
    }
    case type_kind::blob:
    case type_kind::custom:
        out.append("0x");
        detail::append_hex(v.bytes(), out);
        return {};
    case type_kind::uuid:
    case type_kind::timeuuid: {
        uuid u;
        if (auto ec = to_uuid(v, u)) return ec;
        detail::append_uuid(u.bytes, out);
        return {};
    }
    case type_kind::inet: {
        inet_address a;
        if (auto ec = to_inet(v, a)) return ec;
        if (quote) out.push_back('\'');
        detail::append_inet_c(a.view(), out);
        if (quote) out.push_back('\'');
        return {};
    }
    case type_kind::timestamp: {
        cql_timestamp t;
        if (auto ec = to_timestamp(v, t)) return ec;
        if (quote) out.push_back('\'');
        append_cqlsh_timestamp(t.milliseconds, out);
        if (quote) out.push_back('\'');
        return {};
    }
    case type_kind::date: {
        cql_date d;
        if (auto ec = to_date(v, d)) return ec;
        append_cqlsh_date(d, out);
        return {};
    }
    case type_kind::time: {
        cql_time t;
        if (auto ec = to_time(v, t)) return ec;
        detail::append_time_of_day(t.nanoseconds, out);
        return {};
    }
    case type_kind::duration: {
        cql_duration d;
        if (auto ec = to_duration(v, d)) return ec;
        detail::append_duration(d, out);
        return {};
    }
    case type_kind::list:
    case type_kind::vector:
    case type_kind::set:
    case type_kind::tuple: {
        element_cursor c;
        if (auto ec = open_elements(v, c)) return ec;
        char open = k == type_kind::set ? '{' : k == type_kind::tuple ? '(' : '[';
        char close = k == type_kind::set ? '}' : k == type_kind::tuple ? ')' : ']';
        return render_elements(c, v, out, ctx, open, close, depth);
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
            // Field names come from the server's type description, unchecked so far.
            if (!is_valid_utf8(name)) return make_error_code(client_errc::bad_utf8);
            append_cqlsh_text(name, false, out);
            out.append(": ");
            if (auto ec = c.next(e)) return ec;
            if (auto ec = render_at(e, out, ctx, true, depth - 1)) return ec;
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
            if (auto ec = render_at(key, out, ctx, true, depth - 1)) return ec;
            out.append(": ");
            if (auto ec = render_at(val, out, ctx, true, depth - 1)) return ec;
        }
        out.push_back('}');
        return {};
    }
    }
    return make_error_code(client_errc::type_mismatch);
}

}  // namespace

void append_cql_double(double d, int precision, std::string& out) {
    if (std::isnan(d)) {
        out.append("NaN");
        return;
    }
    if (std::isinf(d)) {
        out.append(d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    if (precision < 1) precision = 1;
    if (precision > 100) precision = 100;
    // cqlsh widens the precision for numbers that %g would print without an exponent, so that
    // the digits left of the point do not eat into the requested fractional digits.
    if (std::fabs(d) > DBL_EPSILON) {
        auto exponent = static_cast<int>(std::log10(std::fabs(d)));  // truncated toward zero
        if (exponent >= -4 && exponent < precision) precision += exponent + 1;
    }
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (n > 0) out.append(buf, static_cast<std::size_t>(n) < sizeof buf ? static_cast<std::size_t>(n) : sizeof buf - 1);
}

std::error_code render_cql(const value_view& v, std::string& out, const render_options& options) {
    auto before = out.size();
    cql_context ctx{v.kind() == type_kind::double_ ? options.double_precision : options.float_precision,
                    options.null_text};
    auto ec = render_at(v, out, ctx, false, max_type_depth);
    if (ec) out.resize(before);
    return ec;
}

}  // namespace cqlwire::protocol

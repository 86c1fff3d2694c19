// render_cql(): values as cqlsh prints them, or as lossless CQL-literal text for data files.
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "render_text.hpp"

namespace cqlwire::protocol {
namespace {

using detail::append_padded;

struct cql_context {
    int precision;
    std::string_view null_text;
    bool data;  // cql_text_form::data
};

// Milliseconds from the epoch to 0001-01-01 00:00:00 and past 9999-12-31 23:59:59.999: the
// years cqlsh formats as dates (it prints the raw count outside them).
constexpr std::int64_t first_formatted_ms = -62'135'596'800'000;
constexpr std::int64_t last_formatted_ms = 253'402'300'799'999;

// Text inside a CQL literal: quoted with inner quotes doubled, every other byte as it is.
void append_cql_string_literal(std::string_view s, std::string& out) {
    out.push_back('\'');
    for (char c : s) {
        if (c == '\'') out.push_back('\'');
        out.push_back(c);
    }
    out.push_back('\'');
}

// A UDT field name as a CQL identifier: as it is when it is a lower-case identifier, quoted
// with inner double quotes doubled otherwise.
void append_cql_identifier(std::string_view name, std::string& out) {
    bool plain = !name.empty() && name[0] >= 'a' && name[0] <= 'z';
    for (char c : name) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
    if (plain) {
        out.append(name);
        return;
    }
    out.push_back('"');
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
}

// Kinds whose zero-byte value is a real value; for every other kind cqlsh prints an empty
// value as nothing at all.
bool empty_is_a_value(type_kind k) noexcept {
    return k == type_kind::ascii || k == type_kind::varchar || k == type_kind::blob || k == type_kind::custom;
}

// cqlsh shows text with backslashes doubled, control characters (and U+007F..U+00A0) as
// Python escapes (\n, \t, \r, \x1b), and, inside collections, single quotes doubled.
void append_cqlsh_text(std::string_view s, bool quote, std::string& out) {
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
            append_byte_escape(out, static_cast<std::uint8_t>(cp));
        } else {
            out.append(s.substr(start, i - start));
        }
    }
    if (quote) out.push_back('\'');
}

// "YYYY-MM-DD HH:MM:SS." of a timestamp within years 1..9999, the year padded to `year_width`;
// returns the milliseconds of the second, which the caller writes in its own precision.
std::int64_t append_date_and_clock(std::int64_t ms, int year_width, std::string& out) {
    auto days = detail::floor_div(ms, 86'400'000);
    auto ms_of_day = ms - days * 86'400'000;
    auto civil = cql_date{days}.to_civil();
    append_padded(civil.year, year_width, out);
    out.push_back('-');
    append_padded(civil.month, 2, out);
    out.push_back('-');
    append_padded(civil.day, 2, out);
    out.push_back(' ');
    auto sec_of_day = ms_of_day / 1000;
    append_padded(sec_of_day / 3600, 2, out);
    out.push_back(':');
    append_padded(sec_of_day / 60 % 60, 2, out);
    out.push_back(':');
    append_padded(sec_of_day % 60, 2, out);
    out.push_back('.');
    return ms_of_day % 1000;
}

// A timestamp, in UTC. The display form is cqlsh's "%Y-%m-%d %H:%M:%S.%f%z" from the C
// library's strftime, which does not pad years below 1000 ("999-01-01 ..."; cqlsh's dates are
// padded), with the exact milliseconds as the six digits of microseconds (cqlsh's own trip
// through a double invents digits: .998993 for .999). The data form is
// "2024-05-06 07:08:09.123+0000", which the server's timestamp literals and cqlsh's COPY FROM
// both read. Outside years 1..9999 both print the millisecond count, as cqlsh does.
void append_timestamp(std::int64_t ms, bool data, std::string& out) {
    if (ms < first_formatted_ms || ms > last_formatted_ms) {
        detail::append_int(ms, out);
        return;
    }
    const auto ms_of_second = append_date_and_clock(ms, data ? 4 : 1, out);
    if (data) append_padded(ms_of_second, 3, out);
    else append_padded(ms_of_second * 1000, 6, out);
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
        if (ctx.data) {
            float f = 0;
            if (auto ec = to_float(v, f)) return ec;
            append_round_trip_float(f, out);
            return {};
        }
        [[fallthrough]];
    case type_kind::double_: {
        double d = 0;
        if (auto ec = to_double(v, d)) return ec;
        if (ctx.data) append_round_trip_double(d, out);
        else append_cql_double(d, ctx.precision, out);
        return {};
    }
    case type_kind::ascii:
    case type_kind::varchar: {
        std::string_view s;
        if (auto ec = to_text(v, s)) return ec;
        if (!ctx.data) append_cqlsh_text(s, quote, out);
        else if (quote) append_cql_string_literal(s, out);
        else out.append(s);
        return {};
    }
    case type_kind::blob:
    case type_kind::custom:
        out.append("0x");
        append_hex(out, v.bytes());
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
        append_timestamp(t.milliseconds, ctx.data, out);
        if (quote) out.push_back('\'');
        return {};
    }
    // cqlsh shows dates and times bare inside collections; a CQL literal needs them quoted.
    case type_kind::date: {
        cql_date d;
        if (auto ec = to_date(v, d)) return ec;
        const bool quoted = quote && ctx.data;
        if (quoted) out.push_back('\'');
        append_cqlsh_date(d, out);
        if (quoted) out.push_back('\'');
        return {};
    }
    case type_kind::time: {
        cql_time t;
        if (auto ec = to_time(v, t)) return ec;
        const bool quoted = quote && ctx.data;
        if (quoted) out.push_back('\'');
        detail::append_time_of_day(t.nanoseconds, out);
        if (quoted) out.push_back('\'');
        return {};
    }
    case type_kind::duration: {
        cql_duration d;
        if (auto ec = to_duration(v, d)) return ec;
        // cqlsh shows a zero duration as nothing; data must read back, so it is "0s" there.
        if (ctx.data && d == cql_duration{}) out += "0s";
        else detail::append_duration(d, out);
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
            if (ctx.data) append_cql_identifier(name, out);
            else append_cqlsh_text(name, false, out);
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
    if (detail::append_non_finite(d, out)) return;
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

namespace {

template <typename Float>
void append_round_trip(Float f, std::string& out) {
    if (detail::append_non_finite(f, out)) return;
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, f);
    (void)ec;  // 64 bytes hold any shortest double
    out.append(buf, p);
}

}  // namespace

void append_round_trip_float(float f, std::string& out) { append_round_trip(f, out); }
void append_round_trip_double(double d, std::string& out) { append_round_trip(d, out); }

std::error_code render_cql(const value_view& v, std::string& out, const render_options& options) {
    auto before = out.size();
    cql_context ctx{v.kind() == type_kind::double_ ? options.double_precision : options.float_precision,
                    options.null_text, options.form == cql_text_form::data};
    auto ec = render_at(v, out, ctx, false, max_type_depth);
    if (ec) out.resize(before);
    return ec;
}

}  // namespace cqlwire::protocol

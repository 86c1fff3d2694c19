// The temporal readers of parse_cql_literal: dates, times of day, timestamps and durations, in
// the forms Cassandra, cqlsh and render_cql write them (see parse_literal.hpp).
#include "literal_scalars.hpp"

#include <limits>
#include <utility>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::protocol::detail {
namespace {

constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::int64_t ns_per_second = 1'000'000'000;

bool is_leap(std::int64_t year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

unsigned days_in_month(std::int64_t year, unsigned month) noexcept {
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[month - 1];
}

// Reads exactly `n` digits at s[i]; advances i.
bool read_digits(std::string_view s, std::size_t& i, std::size_t n, std::int64_t& out) noexcept {
    if (s.size() - i < n) return false;
    std::int64_t v = 0;
    for (std::size_t k = 0; k < n; ++k) {
        if (!is_digit(s[i + k])) return false;
        v = v * 10 + (s[i + k] - '0');
    }
    i += n;
    out = v;
    return true;
}

// Reads one or two digits at s[i].
bool read_one_or_two(std::string_view s, std::size_t& i, std::int64_t& out) noexcept {
    if (!read_digits(s, i, 1, out)) return false;
    std::int64_t second = 0;
    if (read_digits(s, i, 1, second)) out = out * 10 + second;
    return true;
}

// A calendar date at the front of `s`: [+|-]y...y-mm-dd with one or more year digits (Cassandra
// writes a sign before years past 9999 and before year 0; render_cql's display form does not
// pad years below 1000). Sets `consumed`; on a well-formed date that does not exist, says why.
// Years past 10^12 are out of every range (and would overflow the day arithmetic).
enum class date_read : std::uint8_t { ok, malformed, no_such_day, out_of_range };

date_read read_calendar_date(std::string_view s, std::size_t& consumed, std::int64_t& days, std::string& detail) {
    std::size_t i = 0;
    const bool negative = !s.empty() && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) ++i;
    const auto year_start = i;
    std::int64_t year = 0;
    bool too_far = false;
    for (; i < s.size() && is_digit(s[i]); ++i) {
        if (year >= 1'000'000'000'000) too_far = true;
        else year = year * 10 + (s[i] - '0');
    }
    if (i == year_start || i >= s.size() || s[i] != '-') return date_read::malformed;
    if (negative) year = -year;
    ++i;
    std::int64_t month = 0, day = 0;
    if (!read_digits(s, i, 2, month) || i >= s.size() || s[i] != '-') return date_read::malformed;
    ++i;
    if (!read_digits(s, i, 2, day)) return date_read::malformed;
    if (too_far) return date_read::out_of_range;
    if (month < 1 || month > 12) {
        detail = "no month " + std::to_string(month);
        return date_read::no_such_day;
    }
    if (day < 1 || day > days_in_month(year, static_cast<unsigned>(month))) {
        detail = "no day " + std::to_string(day) + " in month " + std::to_string(month) + " of year " +
                 std::to_string(year);
        return date_read::no_such_day;
    }
    consumed = i;
    days = cql_date::from_civil({year, static_cast<unsigned>(month), static_cast<unsigned>(day)}).days_since_epoch;
    return date_read::ok;
}

// A clock at the front of `s`: h:mm[:ss[.f]] with 1 to 9 fraction digits. `two_digit` asks for
// exactly two digits per field (timestamps, as Java's HH:mm:ss); otherwise one or two (time, as
// Cassandra's TimeSerializer). Sets nanoseconds since midnight and whether seconds were given.
bool read_clock(std::string_view s, bool two_digit, std::size_t& consumed, std::int64_t& ns, bool& has_seconds) {
    std::size_t i = 0;
    auto field = [&](std::int64_t& v) { return two_digit ? read_digits(s, i, 2, v) : read_one_or_two(s, i, v); };
    std::int64_t h = 0, m = 0, sec = 0, fraction = 0;
    if (!field(h) || i >= s.size() || s[i] != ':') return false;
    ++i;
    if (!field(m)) return false;
    has_seconds = i < s.size() && s[i] == ':';
    if (has_seconds) {
        ++i;
        if (!field(sec)) return false;
        if (i < s.size() && s[i] == '.') {
            const auto start = ++i;
            while (i < s.size() && is_digit(s[i])) ++i;
            const auto n = i - start;
            if (n < 1 || n > 9) return false;
            for (auto k = start; k < start + 9; ++k) fraction = fraction * 10 + (k < i ? s[k] - '0' : 0);
        }
    }
    if (h > 23 || m > 59 || sec > 59) return false;
    consumed = i;
    ns = ((h * 60 + m) * 60 + sec) * ns_per_second + fraction;
    return true;
}

// a + b, or nullopt when it leaves 64 bits.
std::optional<std::int64_t> add_checked(std::int64_t a, std::int64_t b) noexcept {
    if (b > 0 ? a > std::numeric_limits<std::int64_t>::max() - b : a < std::numeric_limits<std::int64_t>::min() - b)
        return std::nullopt;
    return a + b;
}

// A zone after a timestamp: Z, or +hh, +hhmm, +hh:mm (or '-'), within Java's ±18:00.
bool read_zone(std::string_view s, std::int64_t& offset_ms) noexcept {
    if (s.empty()) return true;  // no zone: UTC
    if (s == "Z" || s == "z") return true;
    if (s[0] != '+' && s[0] != '-') return false;
    std::size_t i = 1;
    std::int64_t h = 0, m = 0;
    if (!read_digits(s, i, 2, h)) return false;
    if (i < s.size()) {
        if (s[i] == ':') ++i;
        if (!read_digits(s, i, 2, m) || i != s.size()) return false;
    }
    if (h * 60 + m > 18 * 60 || m > 59) return false;
    offset_ms = (h * 60 + m) * 60'000 * (s[0] == '-' ? -1 : 1);
    return true;
}

// Magnitudes of a duration's three parts as they add up, each checked against its limit (one
// more for a negative duration, so that the most negative months, days and nanoseconds read).
struct duration_sum {
    std::uint64_t months = 0, days = 0, nanos = 0;
    std::uint64_t small_limit = 0, nanos_limit = 0;

    explicit duration_sum(bool negative) noexcept
        : small_limit(static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max()) + (negative ? 1 : 0)),
          nanos_limit(int64_magnitude_limit(negative)) {}

    static bool add(std::uint64_t& acc, std::uint64_t n, std::uint64_t unit, std::uint64_t limit) noexcept {
        if (n != 0 && n > (limit - acc) / unit) return false;
        acc += n * unit;
        return true;
    }
    // Unit indices: 0 years, 1 months, 2 weeks, 3 days, 4 hours, 5 minutes, 6 seconds,
    // 7 milliseconds, 8 microseconds, 9 nanoseconds.
    bool add_unit(int unit, std::uint64_t n) noexcept {
        constexpr std::uint64_t ns_per_unit[] = {0, 0, 0, 0, 3'600'000'000'000, 60'000'000'000, 1'000'000'000,
                                                 1'000'000, 1'000, 1};
        switch (unit) {
        case 0: return add(months, n, 12, small_limit);
        case 1: return add(months, n, 1, small_limit);
        case 2: return add(days, n, 7, small_limit);
        case 3: return add(days, n, 1, small_limit);
        default: return add(nanos, n, ns_per_unit[unit], nanos_limit);
        }
    }
    cql_duration result(bool negative) const noexcept {
        return {static_cast<std::int32_t>(signed_of(months, negative)),
                static_cast<std::int32_t>(signed_of(days, negative)), signed_of(nanos, negative)};
    }
};

// The unit after a count in Cassandra's own format (1y2mo3w4d5h6m7s8ms9us10ns, any case, us
// also as µs); -1 when there is none. Two-letter units first, so that "ms" is not "m".
int read_unit(std::string_view s, std::size_t& i) noexcept {
    auto rest = s.substr(i);
    if (rest.size() >= 3 && rest[0] == '\xC2' && rest[1] == '\xB5' && (rest[2] == 's' || rest[2] == 'S')) {
        i += 3;
        return 8;
    }
    constexpr std::pair<std::string_view, int> two[] = {{"mo", 1}, {"ms", 7}, {"us", 8}, {"ns", 9}};
    for (auto [unit, index] : two)
        if (starts_with_ignoring_ascii_case(rest, unit)) {
            i += 2;
            return index;
        }
    constexpr std::pair<char, int> one[] = {{'y', 0}, {'w', 2}, {'d', 3}, {'h', 4}, {'m', 5}, {'s', 6}};
    if (!rest.empty())
        for (auto [unit, index] : one)
            if (ascii_lower(rest[0]) == unit) {
                ++i;
                return index;
            }
    return -1;
}

enum class duration_read : std::uint8_t { ok, malformed, out_of_range };

// Digits at s[i] as a count (for a duration); nullopt for no digits, overflow as out_of_range.
duration_read read_count(std::string_view s, std::size_t& i, std::uint64_t& n) noexcept {
    const auto start = i;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == start) return duration_read::malformed;
    const auto m = magnitude_of(s.substr(start, i - start), std::numeric_limits<std::uint64_t>::max());
    if (!m) return duration_read::out_of_range;
    n = *m;
    return duration_read::ok;
}

duration_read read_standard_duration(std::string_view s, duration_sum& sum) noexcept {
    if (s.empty()) return duration_read::malformed;
    std::size_t i = 0;
    int last = -1;
    while (i < s.size()) {
        std::uint64_t n = 0;
        if (auto r = read_count(s, i, n); r != duration_read::ok) return r;
        const int unit = read_unit(s, i);
        if (unit <= last) return duration_read::malformed;  // no unit, or out of order, or twice
        if (!sum.add_unit(unit, n)) return duration_read::out_of_range;
        last = unit;
    }
    return duration_read::ok;
}

// ISO 8601 after its 'P': nW; or nYnMnDTnHnMnS with every part optional; or the alternative
// yyyy-mm-ddThh:mm:ss.
duration_read read_iso_duration(std::string_view s, duration_sum& sum) noexcept {
    std::size_t i = 0;
    if (!s.empty() && s.back() == 'W') {
        std::uint64_t n = 0;
        if (auto r = read_count(s, i, n); r != duration_read::ok) return r;
        if (i + 1 != s.size()) return duration_read::malformed;
        return sum.add_unit(2, n) ? duration_read::ok : duration_read::out_of_range;
    }
    if (s.find('-') != std::string_view::npos) {
        std::int64_t parts[6] = {};
        constexpr int units[] = {0, 1, 3, 4, 5, 6};
        constexpr char after[] = {'-', '-', 'T', ':', ':', '\0'};
        for (int k = 0; k < 6; ++k) {
            if (!read_digits(s, i, k == 0 ? 4 : 2, parts[k])) return duration_read::malformed;
            if (after[k] != '\0' && (i >= s.size() || s[i++] != after[k])) return duration_read::malformed;
        }
        if (i != s.size()) return duration_read::malformed;
        for (int k = 0; k < 6; ++k)
            if (!sum.add_unit(units[k], static_cast<std::uint64_t>(parts[k]))) return duration_read::out_of_range;
        return duration_read::ok;
    }
    // Designators in order; months and minutes share 'M', told apart by the 'T' between them.
    constexpr std::pair<char, int> date_part[] = {{'Y', 0}, {'M', 1}, {'D', 3}};
    constexpr std::pair<char, int> time_part[] = {{'H', 4}, {'M', 5}, {'S', 6}};
    bool in_time = false;
    std::size_t next = 0;
    while (i < s.size()) {
        if (s[i] == 'T' && !in_time) {
            in_time = true;
            next = 0;
            ++i;
            continue;
        }
        std::uint64_t n = 0;
        if (auto r = read_count(s, i, n); r != duration_read::ok) return r;
        if (i >= s.size()) return duration_read::malformed;
        const auto& parts = in_time ? time_part : date_part;
        while (next < 3 && parts[next].first != s[i]) ++next;
        if (next == 3) return duration_read::malformed;
        if (!sum.add_unit(parts[next].second, n)) return duration_read::out_of_range;
        ++next;
        ++i;
    }
    return duration_read::ok;
}

}  // namespace

bool parse_date(std::string_view s, const data_type& t, value& out, std::string& why) {
    constexpr std::string_view hint = "yyyy-mm-dd, or days since 1970-01-01";
    constexpr std::string_view range = "the wire holds 2^31 days either side of 1970-01-01";
    std::int64_t days = 0;
    bool negative = false;
    std::string_view digits;
    if (split_sign(s, negative, digits)) {
        const auto m = magnitude_of(digits, std::uint64_t{1} << 31);
        if (!m) return fail_range(s, t, why, range);
        days = signed_of(*m, negative);
    } else {
        std::size_t n = 0;
        std::string detail;
        switch (read_calendar_date(s, n, days, detail)) {
        case date_read::malformed: return fail_not(s, t, why, hint);
        case date_read::no_such_day: return fail_not(s, t, why, detail);
        case date_read::out_of_range: return fail_range(s, t, why, range);
        case date_read::ok: break;
        }
        if (n != s.size()) return fail_not(s, t, why, hint);
    }
    if (days < std::numeric_limits<std::int32_t>::min() || days > std::numeric_limits<std::int32_t>::max())
        return fail_range(s, t, why, range);
    out = value::from(cql_date{days});
    return true;
}

bool parse_time(std::string_view s, const data_type& t, value& out, std::string& why) {
    constexpr std::string_view range = "0 to 86399999999999 ns";
    bool negative = false;
    std::string_view digits;
    if (split_sign(s, negative, digits)) {
        const auto m = magnitude_of(digits, static_cast<std::uint64_t>(cql_time::max_nanoseconds));
        if (!m || (negative && *m != 0)) return fail_range(s, t, why, range);
        out = value::from(cql_time{static_cast<std::int64_t>(*m)});
        return true;
    }
    std::size_t n = 0;
    std::int64_t ns = 0;
    bool has_seconds = false;
    if (!read_clock(s, false, n, ns, has_seconds) || !has_seconds || n != s.size())
        return fail_not(s, t, why, "hh:mm:ss with up to 9 fraction digits, or nanoseconds since midnight");
    out = value::from(cql_time{ns});
    return true;
}

bool parse_timestamp(std::string_view s, const data_type& t, value& out, std::string& why) {
    constexpr std::string_view hint =
        "yyyy-mm-dd, optionally followed by 'T' or ' ', hh:mm[:ss[.fff]] and a zone, or milliseconds since the epoch";
    bool negative = false;
    std::string_view digits;
    if (split_sign(s, negative, digits)) {
        const auto m = magnitude_of(digits, int64_magnitude_limit(negative));
        if (!m) return fail_range(s, t, why);
        out = value::from(cql_timestamp{signed_of(*m, negative)});
        return true;
    }
    std::size_t n = 0;
    std::int64_t days = 0;
    std::string detail;
    switch (read_calendar_date(s, n, days, detail)) {
    case date_read::malformed: return fail_not(s, t, why, hint);
    case date_read::no_such_day: return fail_not(s, t, why, detail);
    case date_read::out_of_range: return fail_range(s, t, why);
    case date_read::ok: break;
    }
    auto rest = s.substr(n);
    std::int64_t ns_of_day = 0;
    if (!rest.empty() && (rest[0] == 'T' || rest[0] == ' ')) {
        std::size_t used = 0;
        bool has_seconds = false;
        if (!read_clock(rest.substr(1), true, used, ns_of_day, has_seconds)) return fail_not(s, t, why, hint);
        rest.remove_prefix(1 + used);
    }
    std::int64_t offset_ms = 0;
    if (!read_zone(rest, offset_ms)) return fail_not(s, t, why, hint);
    // Digits past the millisecond are dropped: the millisecond the instant falls in.
    const std::int64_t ms_of_day = ns_of_day / 1'000'000;
    // days * ms_per_day alone leaves 64 bits on the earliest day that still holds timestamps,
    // so a negative day count is taken one day short and the day added back as negative time.
    constexpr std::int64_t max_days = std::numeric_limits<std::int64_t>::max() / ms_per_day;
    std::optional<std::int64_t> ms;
    if (days >= 0 && days <= max_days) ms = add_checked(days * ms_per_day, ms_of_day);
    else if (days < 0 && days >= -max_days - 1) ms = add_checked((days + 1) * ms_per_day, ms_of_day - ms_per_day);
    if (ms) ms = add_checked(*ms, -offset_ms);
    if (!ms) return fail_range(s, t, why);
    out = value::from(cql_timestamp{*ms});
    return true;
}

bool parse_duration(std::string_view s, const data_type& t, value& out, std::string& why) {
    const bool negative = !s.empty() && s[0] == '-';
    auto body = negative ? s.substr(1) : s;
    duration_sum sum(negative);
    const auto r = !body.empty() && body[0] == 'P' ? read_iso_duration(body.substr(1), sum)
                                                    : read_standard_duration(body, sum);
    if (r == duration_read::out_of_range)
        return fail_range(s, t, why, "months and days must fit 32 bits, nanoseconds 64");
    if (r == duration_read::malformed)
        return fail_not(s, t, why,
                        "such as 1y2mo3d4h5m6s7ms8us9ns with units in that order, or ISO 8601 P1Y2M3DT4H5M6S");
    out = value::from(sum.result(negative));
    return true;
}

}  // namespace cqlwire::protocol::detail

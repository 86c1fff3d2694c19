// Time zones from TZif files; see time_zone.hpp.
#include "time_zone.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "bounded_file.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::cli {
namespace {

constexpr std::int64_t seconds_per_day = 86'400;

// A regular file (symbolic links followed: zoneinfo is full of them).
bool is_regular_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
// The UT offsets RFC 8536 allows a TZif file (-24:59:59 to +25:59:59).
constexpr std::int32_t min_offset = -89'999;
constexpr std::int32_t max_offset = 93'599;

std::uint32_t read_be32(std::string_view b, std::size_t at) noexcept {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(b[at])) << 24 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 1])) << 16 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 2])) << 8 |
           static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + 3]));
}

std::int64_t read_be64(std::string_view b, std::size_t at) noexcept {
    const std::uint64_t v = static_cast<std::uint64_t>(read_be32(b, at)) << 32 | read_be32(b, at + 4);
    return static_cast<std::int64_t>(v);
}

// The six counts of a TZif header, in file order.
struct tzif_counts {
    std::uint32_t isut = 0, isstd = 0, leap = 0, time = 0, type = 0, chars = 0;
};

bool read_header(std::string_view b, std::size_t at, tzif_counts& c) noexcept {
    if (b.size() < at + 44 || b.substr(at, 4) != "TZif") return false;
    c.isut = read_be32(b, at + 20);
    c.isstd = read_be32(b, at + 24);
    c.leap = read_be32(b, at + 28);
    c.time = read_be32(b, at + 32);
    c.type = read_be32(b, at + 36);
    c.chars = read_be32(b, at + 40);
    // RFC 8536: at least one type, and counts a zone file never comes near.
    return c.type >= 1 && c.type <= 256 && c.chars >= 1 && c.time <= 1'000'000 && c.leap <= 100'000 &&
           (c.isut == 0 || c.isut == c.type) && (c.isstd == 0 || c.isstd == c.type);
}

std::uint64_t data_size(const tzif_counts& c, unsigned time_size) noexcept {
    return std::uint64_t{c.time} * time_size + c.time + std::uint64_t{c.type} * 6 + c.chars +
           std::uint64_t{c.leap} * (time_size + 4) + c.isstd + c.isut;
}

// A POSIX TZ name: letters, or anything but '>' between '<' and '>'.
bool read_zone_name(std::string_view& s, std::string& out) {
    out.clear();
    if (!s.empty() && s[0] == '<') {
        const auto close = s.find('>');
        if (close == std::string_view::npos) return false;
        out = std::string(s.substr(1, close - 1));
        s.remove_prefix(close + 1);
    } else {
        while (!s.empty() && ((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) {
            out.push_back(s[0]);
            s.remove_prefix(1);
        }
    }
    return out.size() >= 3;
}

bool read_number(std::string_view& s, int max_digits, int& out) {
    out = 0;
    int n = 0;
    while (!s.empty() && n < max_digits && s[0] >= '0' && s[0] <= '9') {
        out = out * 10 + (s[0] - '0');
        s.remove_prefix(1);
        ++n;
    }
    return n > 0;
}

// [+-]hh[:mm[:ss]] in seconds, hours up to 167 (RFC 8536's extension).
bool read_clock(std::string_view& s, std::int32_t& out) {
    bool negative = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    int h = 0, m = 0, sec = 0;
    if (!read_number(s, 3, h) || h > 167) return false;
    if (!s.empty() && s[0] == ':') {
        s.remove_prefix(1);
        if (!read_number(s, 2, m) || m > 59) return false;
        if (!s.empty() && s[0] == ':') {
            s.remove_prefix(1);
            if (!read_number(s, 2, sec) || sec > 59) return false;
        }
    }
    out = (negative ? -1 : 1) * (h * 3600 + m * 60 + sec);
    return true;
}

}  // namespace

time_zone time_zone::utc() {
    time_zone z;
    z.name_ = "UTC";
    z.types_.push_back({0, false, "UTC"});
    return z;
}

std::optional<time_zone::posix_rule> time_zone::parse_posix_rule(std::string_view s) {
    posix_rule r;
    std::int32_t offset = 0;
    if (!read_zone_name(s, r.standard.abbreviation) || !read_clock(s, offset)) return std::nullopt;
    r.standard.offset = -offset;  // POSIX counts west of Greenwich as positive
    if (s.empty()) return r;
    local_type dst;
    dst.dst = true;
    if (!read_zone_name(s, dst.abbreviation)) return std::nullopt;
    dst.offset = r.standard.offset + 3600;
    if (!s.empty() && s[0] != ',') {
        if (!read_clock(s, offset)) return std::nullopt;
        dst.offset = -offset;
    }
    // Without rules a zone with daylight time is ambiguous; the TZif transitions cover it.
    if (s.empty()) return std::nullopt;
    auto read_date = [&s](rule_date& d) {
        if (s.empty() || s[0] != ',') return false;
        s.remove_prefix(1);
        if (!s.empty() && s[0] == 'M') {
            s.remove_prefix(1);
            d.form = 'M';
            if (!read_number(s, 2, d.month) || d.month < 1 || d.month > 12 || s.empty() || s[0] != '.') return false;
            s.remove_prefix(1);
            if (!read_number(s, 1, d.week) || d.week < 1 || d.week > 5 || s.empty() || s[0] != '.') return false;
            s.remove_prefix(1);
            if (!read_number(s, 1, d.weekday) || d.weekday > 6) return false;
        } else if (!s.empty() && s[0] == 'J') {
            s.remove_prefix(1);
            d.form = 'J';
            if (!read_number(s, 3, d.day) || d.day < 1 || d.day > 365) return false;
        } else {
            d.form = 'n';
            if (!read_number(s, 3, d.day) || d.day > 365) return false;
        }
        if (!s.empty() && s[0] == '/') {
            s.remove_prefix(1);
            if (!read_clock(s, d.time)) return false;
        }
        return true;
    };
    if (!read_date(r.start) || !read_date(r.end) || !s.empty()) return std::nullopt;
    r.daylight = std::move(dst);
    return r;
}

std::int64_t time_zone::rule_transition(const rule_date& d, std::int64_t year) noexcept {
    const auto jan1 = protocol::cql_date::from_civil({year, 1, 1}).days_since_epoch;
    std::int64_t day = 0;
    if (d.form == 'J') {
        const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        day = jan1 + d.day - 1 + (leap && d.day >= 60 ? 1 : 0);
    } else if (d.form == 'n') {
        day = jan1 + d.day;
    } else {
        const auto first = protocol::cql_date::from_civil({year, static_cast<unsigned>(d.month), 1}).days_since_epoch;
        const std::int64_t first_weekday = ((first + 4) % 7 + 7) % 7;  // 1970-01-01 was a Thursday
        day = first + (d.weekday - first_weekday + 7) % 7 + (d.week - 1) * 7;
        // Week 5 means the last such weekday of the month.
        const unsigned next_month = d.month == 12 ? 1u : static_cast<unsigned>(d.month) + 1;
        const auto next =
            protocol::cql_date::from_civil({d.month == 12 ? year + 1 : year, next_month, 1}).days_since_epoch;
        while (day >= next) day -= 7;
    }
    return day * seconds_per_day + d.time;
}

time_zone::local_info time_zone::from_rule(std::int64_t utc_seconds) const noexcept {
    const posix_rule& r = *rule_;
    if (!r.daylight) return {r.standard.offset, r.standard.abbreviation};
    const auto year = protocol::cql_date{(utc_seconds + r.standard.offset) / seconds_per_day}.to_civil().year;
    // The start is given in standard time, the end in daylight time.
    const std::int64_t start = rule_transition(r.start, year) - r.standard.offset;
    const std::int64_t end = rule_transition(r.end, year) - r.daylight->offset;
    const bool in_dst = start < end ? (utc_seconds >= start && utc_seconds < end)
                                    : !(utc_seconds >= end && utc_seconds < start);
    const local_type& t = in_dst ? *r.daylight : r.standard;
    return {t.offset, t.abbreviation};
}

std::optional<time_zone> time_zone::from_tzif(std::string_view b, std::string name) {
    tzif_counts c;
    if (!read_header(b, 0, c)) return std::nullopt;
    const char version = b[4];
    std::size_t at = 44;
    unsigned time_size = 4;
    if (version >= '2') {
        // Skip the 32-bit block to the 64-bit one.
        const auto skip = data_size(c, 4);
        if (skip > b.size() - at) return std::nullopt;
        at += static_cast<std::size_t>(skip);
        if (!read_header(b, at, c)) return std::nullopt;
        at += 44;
        time_size = 8;
    }
    const auto size = data_size(c, time_size);
    if (size > b.size() - at) return std::nullopt;

    time_zone z;
    z.name_ = std::move(name);
    z.transitions_.reserve(c.time);
    for (std::uint32_t i = 0; i < c.time; ++i, at += time_size)
        z.transitions_.push_back(time_size == 8 ? read_be64(b, at)
                                                : static_cast<std::int32_t>(read_be32(b, at)));
    for (std::uint32_t i = 0; i < c.time; ++i, ++at) {
        const auto t = static_cast<std::uint8_t>(b[at]);
        if (t >= c.type) return std::nullopt;
        z.transition_types_.push_back(t);
    }
    const std::string_view chars = b.substr(at + std::size_t{c.type} * 6, c.chars);
    for (std::uint32_t i = 0; i < c.type; ++i, at += 6) {
        local_type t;
        t.offset = static_cast<std::int32_t>(read_be32(b, at));
        // RFC 8536's range for an offset; a file beyond it is not a zone's.
        if (t.offset < min_offset || t.offset > max_offset) return std::nullopt;
        t.dst = b[at + 4] != 0;
        const auto index = static_cast<unsigned char>(b[at + 5]);
        if (index >= chars.size()) return std::nullopt;
        const auto name_end = chars.find('\0', index);
        t.abbreviation =
            std::string(chars.substr(index, name_end == std::string_view::npos ? name_end : name_end - index));
        z.types_.push_back(std::move(t));
    }
    if (!std::is_sorted(z.transitions_.begin(), z.transitions_.end())) return std::nullopt;
    at += c.chars + std::size_t{c.leap} * (time_size + 4) + c.isstd + c.isut;
    // The footer: "\n<POSIX TZ>\n", for the times after the last transition.
    if (time_size == 8 && at < b.size() && b[at] == '\n') {
        const auto end = b.find('\n', at + 1);
        if (end != std::string_view::npos && end > at + 1) z.rule_ = parse_posix_rule(b.substr(at + 1, end - at - 1));
    }
    return z;
}

time_zone::local_info time_zone::at(std::int64_t utc_seconds) const noexcept {
    if (!transitions_.empty() && utc_seconds >= transitions_.back() && rule_) return from_rule(utc_seconds);
    if (transitions_.empty() && rule_) return from_rule(utc_seconds);
    const auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds);
    // Before the first transition, the zone's type 0 (RFC 8536).
    const local_type& t = it == transitions_.begin()
                              ? types_.front()
                              : types_[transition_types_[static_cast<std::size_t>(it - transitions_.begin()) - 1]];
    return {t.offset, t.abbreviation};
}

std::optional<time_zone> load_time_zone(std::string_view name, std::string_view env_tzdir, std::string& error) {
    const std::string quoted = "'" + std::string(name) + "'";
    bool plain = !name.empty() && name.size() <= 255 && name[0] != '/' && name.find("..") == std::string_view::npos;
    for (const char ch : name)
        plain = plain && ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                          ch == '/' || ch == '_' || ch == '+' || ch == '-' || ch == '.');
    if (!plain) {
        error = quoted + " is not a time zone name (such as America/New_York or UTC)";
        return std::nullopt;
    }
    const std::string dir = env_tzdir.empty() ? std::string("/usr/share/zoneinfo") : std::string(env_tzdir);
    std::string bytes;
    std::string message;
    // A zone file is a regular file of a few kilobytes: a FIFO or a device there is never opened
    // (nor waited on).
    if (!is_regular_file(dir + "/" + std::string(name)) ||
        read_bounded_file(dir + "/" + std::string(name), "time zone file", file_limits{mebibyte}, bytes, message)) {
        error = quoted + " is not a time zone in " + dir;
        return std::nullopt;
    }
    auto zone = time_zone::from_tzif(bytes, std::string(name));
    if (!zone) error = quoted + ": " + dir + "/" + std::string(name) + " is not a TZif zone file";
    return zone;
}

std::optional<time_zone> load_time_zone_file(const std::string& path, std::string& error) {
    if (!is_regular_file(path)) {
        error = "'" + path + "' is not a TZif zone file";
        return std::nullopt;
    }
    std::string bytes;
    if (read_bounded_file(path, "time zone file", file_limits{mebibyte}, bytes, error)) return std::nullopt;
    auto zone = time_zone::from_tzif(bytes, path);
    if (!zone) error = "'" + path + "' is not a TZif zone file";
    return zone;
}

}  // namespace cqlwire::cli

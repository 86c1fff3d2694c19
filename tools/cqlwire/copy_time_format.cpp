// COPY's DATETIMEFORMAT; see copy_time_format.hpp.
#include "copy_time_format.hpp"

#include "cqlwire/protocol/values.hpp"
#include "time_zone.hpp"

namespace cqlwire::cli {

namespace {

constexpr std::string_view directives = "YmdHMSfzZjys%";

constexpr std::int64_t ms_per_day = 86'400'000;

void append_number(std::int64_t v, int width, std::string& out) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    if (v < 0) out.push_back('-');
    for (int i = static_cast<int>(digits.size()); i < width; ++i) out.push_back('0');
    out += digits;
}

// Reads between `min_digits` and `max_digits` digits at `pos`.
bool read_digits(std::string_view text, std::size_t& pos, int min_digits, int max_digits, std::int64_t& out) {
    out = 0;
    int n = 0;
    while (pos < text.size() && n < max_digits && text[pos] >= '0' && text[pos] <= '9') {
        out = out * 10 + (text[pos] - '0');
        ++pos;
        ++n;
    }
    return n >= min_digits;
}

}  // namespace

bool check_datetime_format(std::string_view pattern, std::string& error, std::string_view what) {
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%') continue;
        if (i + 1 == pattern.size() || directives.find(pattern[i + 1]) == std::string_view::npos) {
            error = std::string(what) + " '" + std::string(pattern) + "': " +
                    (i + 1 == pattern.size() ? std::string("it ends with a lone %")
                                             : "%" + std::string(1, pattern[i + 1]) + " is not supported") +
                    "; use %Y %m %d %H %M %S %f %z %Z %j %y %s and %%";
            return false;
        }
        ++i;
    }
    return true;
}

void format_timestamp(std::string_view pattern, std::int64_t milliseconds, std::string& out,
                      const timestamp_style& style) {
    // cqlsh shows as a date only an instant whose UTC date has a year from 1 to 9999 (Python's
    // datetime), and then its date in the zone when that is one too; else the count itself.
    if (const auto utc_year = protocol::cql_date{milliseconds / ms_per_day - (milliseconds % ms_per_day < 0 ? 1 : 0)}
                                  .to_civil()
                                  .year;
        utc_year < 1 || utc_year > 9999) {
        out += std::to_string(milliseconds);
        return;
    }
    // The wall clock of the zone: the instant moved by the zone's offset at that instant.
    time_zone::local_info zone{0, "UTC"};
    if (style.zone != nullptr) {
        // Floor division (a negative count of milliseconds is before its second).
        const std::int64_t seconds = milliseconds / 1000 - (milliseconds % 1000 < 0 ? 1 : 0);
        zone = style.zone->at(seconds);
    }
    std::int64_t local = 0;
    if (__builtin_add_overflow(milliseconds, std::int64_t{zone.utc_offset_seconds} * 1000, &local)) {
        // Far outside any year a date can show (cqlsh's fallback below).
        out += std::to_string(milliseconds);
        return;
    }
    std::int64_t days = local / ms_per_day;
    std::int64_t in_day = local % ms_per_day;
    if (in_day < 0) {
        in_day += ms_per_day;
        --days;
    }
    const auto civil = protocol::cql_date{days}.to_civil();
    if (civil.year < 1 || civil.year > 9999) {
        out += std::to_string(milliseconds);
        return;
    }
    const auto jan1 = protocol::cql_date::from_civil({civil.year, 1, 1});
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%' || i + 1 == pattern.size()) {
            out.push_back(pattern[i]);
            continue;
        }
        switch (pattern[++i]) {
        case 'Y': append_number(civil.year, style.year_width, out); break;
        case 'y': append_number(civil.year % 100, 2, out); break;
        case 'm': append_number(civil.month, 2, out); break;
        case 'd': append_number(civil.day, 2, out); break;
        case 'j': append_number(days - jan1.days_since_epoch + 1, 3, out); break;
        case 'H': append_number(in_day / 3'600'000, 2, out); break;
        case 'M': append_number(in_day / 60'000 % 60, 2, out); break;
        case 'S': append_number(in_day / 1000 % 60, 2, out); break;
        case 'f':
            append_number(style.fraction_digits == 6 ? in_day % 1000 * 1000 : in_day % 1000, style.fraction_digits,
                          out);
            break;
        case 'z': {
            // Python's +HHMM (+HHMMSS when the offset has seconds, as some historical ones do).
            const std::int64_t offset = zone.utc_offset_seconds;
            const std::int64_t magnitude = offset < 0 ? -offset : offset;
            out.push_back(offset < 0 ? '-' : '+');
            append_number(magnitude / 3600, 2, out);
            append_number(magnitude / 60 % 60, 2, out);
            if (magnitude % 60 != 0) append_number(magnitude % 60, 2, out);
            break;
        }
        case 'Z': out += zone.abbreviation; break;
        case 's': out += std::to_string((milliseconds - in_day % 1000) / 1000); break;
        case '%': out.push_back('%'); break;
        default:
            out.push_back('%');
            out.push_back(pattern[i]);
        }
    }
}

std::optional<std::int64_t> parse_timestamp(std::string_view pattern, std::string_view text) {
    std::int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0, offset_min = 0;
    std::optional<std::int64_t> day_of_year;
    std::optional<std::int64_t> epoch_seconds;
    std::size_t pos = 0;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] != '%' || i + 1 == pattern.size()) {
            if (pos >= text.size() || text[pos] != pattern[i]) return std::nullopt;
            ++pos;
            continue;
        }
        std::int64_t v = 0;
        switch (pattern[++i]) {
        case 'Y': {
            // Four digits, as strptime reads them (so that "%Y%j" can be read); a signed year
            // may have more.
            bool negative = pos < text.size() && text[pos] == '-';
            const bool sign = negative || (pos < text.size() && text[pos] == '+');
            if (sign) ++pos;
            if (!read_digits(text, pos, 4, sign ? 9 : 4, v)) return std::nullopt;
            year = negative ? -v : v;
            break;
        }
        case 'y':
            if (!read_digits(text, pos, 2, 2, v)) return std::nullopt;
            year = v < 69 ? 2000 + v : 1900 + v;
            break;
        case 'm':
            if (!read_digits(text, pos, 1, 2, month) || month < 1 || month > 12) return std::nullopt;
            break;
        case 'd':
            if (!read_digits(text, pos, 1, 2, day) || day < 1 || day > 31) return std::nullopt;
            break;
        case 'j':
            if (!read_digits(text, pos, 1, 3, v) || v < 1 || v > 366) return std::nullopt;
            day_of_year = v;
            break;
        case 'H':
            if (!read_digits(text, pos, 1, 2, hour) || hour > 23) return std::nullopt;
            break;
        case 'M':
            if (!read_digits(text, pos, 1, 2, minute) || minute > 59) return std::nullopt;
            break;
        case 'S':
            if (!read_digits(text, pos, 1, 2, second) || second > 59) return std::nullopt;
            break;
        case 'f': {
            const std::size_t start = pos;
            if (!read_digits(text, pos, 1, 9, v)) return std::nullopt;
            std::size_t n = pos - start;
            // Milliseconds: finer digits are cut, as the timestamp cannot hold them.
            while (n > 3) v /= 10, --n;
            while (n < 3) v *= 10, ++n;
            millis = v;
            break;
        }
        case 'z': {
            if (pos < text.size() && text[pos] == 'Z') {
                ++pos;
                break;
            }
            if (pos >= text.size() || (text[pos] != '+' && text[pos] != '-')) return std::nullopt;
            const bool negative = text[pos++] == '-';
            std::int64_t hh = 0, mm = 0;
            if (!read_digits(text, pos, 2, 2, hh)) return std::nullopt;
            if (pos < text.size() && text[pos] == ':') ++pos;
            if (pos < text.size() && text[pos] >= '0' && text[pos] <= '9' && !read_digits(text, pos, 2, 2, mm))
                return std::nullopt;
            if (hh > 23 || mm > 59) return std::nullopt;
            offset_min = (negative ? -1 : 1) * (hh * 60 + mm);
            break;
        }
        case 's': {
            const bool negative = pos < text.size() && text[pos] == '-';
            if (negative) ++pos;
            if (!read_digits(text, pos, 1, 12, v)) return std::nullopt;
            epoch_seconds = negative ? -v : v;
            break;
        }
        case 'Z':
            if (text.substr(pos, 3) == "UTC" || text.substr(pos, 3) == "GMT") pos += 3;
            else return std::nullopt;
            break;
        case '%':
            if (pos >= text.size() || text[pos] != '%') return std::nullopt;
            ++pos;
            break;
        default: return std::nullopt;
        }
    }
    if (pos != text.size()) return std::nullopt;
    if (epoch_seconds) return *epoch_seconds * 1000 + millis;
    // Beyond what milliseconds in 64 bits can count (about 292 million years) the arithmetic
    // below would overflow; no real timestamp is near.
    if (year < -200'000 || year > 200'000) return std::nullopt;
    std::int64_t days = 0;
    if (day_of_year) {
        days = protocol::cql_date::from_civil({year, 1, 1}).days_since_epoch + *day_of_year - 1;
    } else {
        const protocol::civil_date civil{year, static_cast<unsigned>(month),
                                         static_cast<unsigned>(day)};
        const auto date = protocol::cql_date::from_civil(civil);
        if (date.to_civil() != civil) return std::nullopt;  // 2024-02-30
        days = date.days_since_epoch;
    }
    return days * ms_per_day + ((hour * 60 + minute - offset_min) * 60 + second) * 1000 + millis;
}

}  // namespace cqlwire::cli

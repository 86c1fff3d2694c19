// COPY's DATETIMEFORMAT: timestamps written and read with a strftime-style pattern, as cqlsh's
// COPY does (its default, "%Y-%m-%d %H:%M:%S.%f%z", gives "2024-05-06 07:08:09.123+0000": the
// microseconds' six digits cut to the timestamp's three, as cqlsh rounds them).
//
// Directives: %Y (year, 4 digits or more), %m, %d, %H, %M, %S (two digits each), %f (the
// fraction: 3 digits written; 1 to 6 read), %z (+0000 written; Z, +hh, +hhmm or +hh:mm read),
// %Z ("UTC"), %j (day of the year), %y (two-digit year, 1969..2068 as C's strptime), %s (seconds
// since the epoch), %%.
// Anything else is literal text. Timestamps are written in UTC, unless a time_zone is given (the
// table display's [ui] timezone): then %z is its offset ("-0500") and %Z its abbreviation ("EST").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cqlwire::cli {

class time_zone;

inline constexpr std::string_view default_datetime_format = "%Y-%m-%d %H:%M:%S.%f%z";

// Whether `pattern` uses only the directives above; else `error` names the first other one,
// starting with `what` (the option or key the pattern came from).
bool check_datetime_format(std::string_view pattern, std::string& error, std::string_view what = "DATETIMEFORMAT");

// How format_timestamp writes: COPY's three digits of %f in UTC, or the table display's six
// (cqlsh shows microseconds) in a zone of the [ui] settings.
struct timestamp_style {
    int fraction_digits = 3;          // 3 or 6
    const time_zone* zone = nullptr;  // null: UTC
    int year_width = 4;               // %Y's digits at least; the display's 1, as C's strftime
};

// Appends `milliseconds` since the epoch as `pattern` says; years outside 1..9999 as the raw
// count of milliseconds (as cqlsh does when Python cannot show the date).
void format_timestamp(std::string_view pattern, std::int64_t milliseconds, std::string& out,
                      const timestamp_style& style = {});

// Reads `text` as `pattern` says (the whole text must match); none when it does not.
std::optional<std::int64_t> parse_timestamp(std::string_view pattern, std::string_view text);

}  // namespace cqlwire::cli

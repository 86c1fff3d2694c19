// Time zones for showing timestamps as cqlsh's [ui] timezone does: an IANA zone ("America/New_York")
// read from the system's zone database (the TZif files under /usr/share/zoneinfo, or $TZDIR), so
// no library is needed and the rules are the system's own.
//
// The parser is a pure function over the file's bytes (from_tzif), so it is tested and can be
// fuzzed without the database. It reads the 64-bit data of TZif version 2 and later (version 1
// files, the 32-bit block only) and, for times after the last transition, the POSIX TZ rule of
// the file's footer ("EST5EDT,M3.2.0,M11.1.0"). Leap-second records are skipped: zoneinfo's
// "right/" zones are not what a timestamp column means.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cqlwire::cli {

class time_zone {
public:
    // What the wall clock of the zone says at one instant.
    struct local_info {
        std::int32_t utc_offset_seconds = 0;  // local time minus UTC: -18000 for EST
        std::string_view abbreviation;        // "EST"; valid as long as the time_zone is
    };

    // Coordinated Universal Time, named "UTC".
    static time_zone utc();
    // Reads a TZif file's bytes; none when they are not one (or are damaged).
    static std::optional<time_zone> from_tzif(std::string_view bytes, std::string name);

    local_info at(std::int64_t utc_seconds) const noexcept;
    const std::string& name() const noexcept { return name_; }

private:
    struct local_type {
        std::int32_t offset = 0;
        bool dst = false;
        std::string abbreviation;
    };
    // A POSIX TZ rule's transition date: Mm.w.d (month, week 1-5, weekday 0 = Sunday), Jn
    // (day 1-365, February 29 never counted) or n (day 0-365, counting it).
    struct rule_date {
        char form = 'M';  // 'M', 'J' or 'n'
        int month = 0, week = 0, weekday = 0, day = 0;
        std::int32_t time = 7200;  // seconds after local midnight
    };
    struct posix_rule {
        local_type standard;
        std::optional<local_type> daylight;
        rule_date start, end;
    };

    static std::optional<posix_rule> parse_posix_rule(std::string_view text);
    static std::int64_t rule_transition(const rule_date& d, std::int64_t year) noexcept;  // local seconds
    local_info from_rule(std::int64_t utc_seconds) const noexcept;

    std::string name_;
    std::vector<std::int64_t> transitions_;     // UTC seconds, ascending
    std::vector<std::uint8_t> transition_types_;  // index into types_, one per transition
    std::vector<local_type> types_;
    std::optional<posix_rule> rule_;            // for times after the last transition
};

// Loads zone `name` ("Europe/Paris", "UTC") from $TZDIR (as `env_tzdir`, empty: unset), else
// /usr/share/zoneinfo. A name that is not a relative path of letters, digits and "/_+-." (no
// "..") or not a TZif file there gives none, with `error` saying why in one line.
std::optional<time_zone> load_time_zone(std::string_view name, std::string_view env_tzdir, std::string& error);

// Loads the TZif file at `path` (TZ=":/etc/localtime", as C's tzset reads it).
std::optional<time_zone> load_time_zone_file(const std::string& path, std::string& error);

}  // namespace cqlwire::cli

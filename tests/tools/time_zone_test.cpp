// time_zone (TZif files and their POSIX TZ footer) and timestamps formatted in a zone, as cqlsh's
// [ui] timezone and time_format show them.
#include "test_support.hpp"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <limits>
#include <string>

#include "copy_time_format.hpp"
#include "temp_dir.hpp"
#include "time_zone.hpp"

using namespace cqlwire::cli;

namespace {

void put32(std::string& out, std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put64(std::string& out, std::int64_t v) {
    put32(out, static_cast<std::uint32_t>(static_cast<std::uint64_t>(v) >> 32));
    put32(out, static_cast<std::uint32_t>(v));
}

// A version 2 TZif file: an empty 32-bit block, then `transitions` (UTC seconds, each to type
// index `to`), the types and the footer.
struct tzif_type {
    std::int32_t offset;
    bool dst;
    std::string abbreviation;
};
std::string make_tzif(const std::vector<std::pair<std::int64_t, std::uint8_t>>& transitions,
                      const std::vector<tzif_type>& types, std::string_view footer) {
    std::string chars;
    std::vector<std::size_t> index;
    for (const auto& t : types) {
        index.push_back(chars.size());
        chars += t.abbreviation;
        chars.push_back('\0');
    }
    auto header = [&](std::string& out, std::uint32_t time_count, std::uint32_t type_count, std::uint32_t char_count) {
        out += "TZif2";
        out.append(15, '\0');
        put32(out, 0);  // isut
        put32(out, 0);  // isstd
        put32(out, 0);  // leap
        put32(out, time_count);
        put32(out, type_count);
        put32(out, char_count);
    };
    std::string out;
    // Version 1 block: one type, one character, as the format requires.
    header(out, 0, 1, 1);
    put32(out, 0);
    out.push_back('\0');
    out.push_back('\0');
    out.push_back('\0');
    header(out, static_cast<std::uint32_t>(transitions.size()), static_cast<std::uint32_t>(types.size()),
           static_cast<std::uint32_t>(chars.size()));
    for (const auto& t : transitions) put64(out, t.first);
    for (const auto& t : transitions) out.push_back(static_cast<char>(t.second));
    for (std::size_t i = 0; i < types.size(); ++i) {
        put32(out, static_cast<std::uint32_t>(types[i].offset));
        out.push_back(types[i].dst ? 1 : 0);
        out.push_back(static_cast<char>(index[i]));
    }
    out += chars;
    out += "\n" + std::string(footer) + "\n";
    return out;
}

// 2024-01-15 12:00:00 and 2024-07-03 09:46:40 UTC, in seconds and milliseconds.
constexpr std::int64_t winter = 1'705'320'000;
constexpr std::int64_t summer = 1'720'000'000;

std::string formatted(std::string_view pattern, std::int64_t ms, const time_zone* zone, int digits = 6) {
    std::string out;
    format_timestamp(pattern, ms, out, timestamp_style{digits, zone, digits == 3 ? 4 : 1});
    return out;
}

}  // namespace

TEST_CASE("a TZif file's POSIX rule gives daylight time by the rule: New York in winter and summer") {
    const auto zone = time_zone::from_tzif(make_tzif({}, {{-18000, false, "EST"}}, "EST5EDT,M3.2.0,M11.1.0"), "NY");
    REQUIRE(zone);
    CHECK(zone->name() == "NY");
    CHECK(zone->at(winter).utc_offset_seconds == -18000);
    CHECK(zone->at(winter).abbreviation == "EST");
    CHECK(zone->at(summer).utc_offset_seconds == -14400);
    CHECK(zone->at(summer).abbreviation == "EDT");
    // 2024's changes: 10 March 07:00 UTC (02:00 EST) and 3 November 06:00 UTC (02:00 EDT).
    CHECK(zone->at(1'710'053'999).abbreviation == "EST");
    CHECK(zone->at(1'710'054'000).abbreviation == "EDT");
    CHECK(zone->at(1'730'613'599).abbreviation == "EDT");
    CHECK(zone->at(1'730'613'600).abbreviation == "EST");
}

TEST_CASE("a southern zone's rule wraps the year; a zone without daylight time has none") {
    // Sydney: AEDT from the first Sunday of October to the first Sunday of April.
    const auto sydney =
        time_zone::from_tzif(make_tzif({}, {{36000, false, "AEST"}}, "AEST-10AEDT,M10.1.0,M4.1.0/3"), "Sydney");
    REQUIRE(sydney);
    CHECK(sydney->at(winter).utc_offset_seconds == 39600);  // January: summer there
    CHECK(sydney->at(summer).utc_offset_seconds == 36000);
    const auto fixed = time_zone::from_tzif(make_tzif({}, {{19800, false, "IST"}}, "IST-5:30"), "Kolkata");
    REQUIRE(fixed);
    CHECK(fixed->at(summer).utc_offset_seconds == 19800);
    CHECK(fixed->at(summer).abbreviation == "IST");
}

TEST_CASE("transitions rule before the footer; before the first one, type 0") {
    const auto zone = time_zone::from_tzif(
        make_tzif({{1000, 1}, {2000, 2}}, {{100, false, "AAA"}, {200, true, "BBB"}, {300, false, "CCC"}}, ""), "t");
    REQUIRE(zone);
    CHECK(zone->at(999).abbreviation == "AAA");
    CHECK(zone->at(1000).abbreviation == "BBB");
    CHECK(zone->at(1999).utc_offset_seconds == 200);
    CHECK(zone->at(5000).abbreviation == "CCC");
}

TEST_CASE("damaged TZif bytes are refused, never read past") {
    const std::string good = make_tzif({{1000, 0}}, {{0, false, "UTC"}}, "UTC0");
    REQUIRE(time_zone::from_tzif(good, "x"));
    CHECK_FALSE(time_zone::from_tzif("", "x"));
    CHECK_FALSE(time_zone::from_tzif("not a zone file at all, but long enough to hold a header", "x"));
    for (std::size_t cut = 0; cut + 6 < good.size(); ++cut) CHECK_FALSE(time_zone::from_tzif(good.substr(0, cut), "x"));
    // A transition to a type that does not exist.
    CHECK_FALSE(time_zone::from_tzif(make_tzif({{1000, 3}}, {{0, false, "UTC"}}, ""), "x"));
}

TEST_CASE("UTC; the system's zones when the database is installed") {
    const auto utc = time_zone::utc();
    CHECK(utc.at(summer).utc_offset_seconds == 0);
    CHECK(utc.at(summer).abbreviation == "UTC");
    std::string error;
    if (!std::filesystem::exists("/usr/share/zoneinfo/America/New_York")) {
        MESSAGE("no /usr/share/zoneinfo here: the system zone checks are skipped");
        return;
    }
    const auto ny = load_time_zone("America/New_York", "", error);
    REQUIRE(ny);
    CHECK(ny->at(winter).utc_offset_seconds == -18000);
    CHECK(ny->at(summer).utc_offset_seconds == -14400);
    CHECK(ny->at(summer).abbreviation == "EDT");
    // Beyond the file's last transition (2037), its footer's rule.
    CHECK(ny->at(summer + 40LL * 365 * 86400).abbreviation == "EDT");
    const auto utc_file = load_time_zone("UTC", "", error);
    REQUIRE(utc_file);
    CHECK(utc_file->at(summer).utc_offset_seconds == 0);
}

TEST_CASE("a zone that is not in the database, or not a zone name, is none with the reason") {
    cqlwire::test::temp_dir dir("cqlwire-tz");
    dir.write("Not_A_Zone", "plain text");
    std::string error;
    CHECK_FALSE(load_time_zone("Mars/Olympus_Mons", dir.str(), error));
    CHECK(error == "'Mars/Olympus_Mons' is not a time zone in " + dir.str());
    CHECK_FALSE(load_time_zone("Not_A_Zone", dir.str(), error));
    CHECK(error == "'Not_A_Zone': " + dir.str() + "/Not_A_Zone is not a TZif zone file");
    for (const char* bad : {"", "../etc/passwd", "/etc/localtime", "Europe/Pa ris", "a;b"}) {
        CHECK_FALSE(load_time_zone(bad, dir.str(), error));
        CHECK(error == "'" + std::string(bad) + "' is not a time zone name (such as America/New_York or UTC)");
    }
    // $TZDIR is where the zones are looked for.
    dir.write("Test_Zone", make_tzif({}, {{3600, false, "TST"}}, "TST-1"));
    const auto z = load_time_zone("Test_Zone", dir.str(), error);
    REQUIRE(z);
    CHECK(z->at(0).utc_offset_seconds == 3600);
}

TEST_CASE("timestamps in a zone: %z is its offset, %Z its abbreviation, %f six digits for the display") {
    const auto ny = time_zone::from_tzif(make_tzif({}, {{-18000, false, "EST"}}, "EST5EDT,M3.2.0,M11.1.0"), "NY");
    REQUIRE(ny);
    const std::int64_t winter_ms = winter * 1000 + 789;
    const std::int64_t summer_ms = summer * 1000 + 1;
    CHECK(formatted(default_datetime_format, winter_ms, &*ny) == "2024-01-15 07:00:00.789000-0500");
    CHECK(formatted(default_datetime_format, summer_ms, &*ny) == "2024-07-03 05:46:40.001000-0400");
    CHECK(formatted("%d/%m/%y %H:%M %Z", summer_ms, &*ny) == "03/07/24 05:46 EDT");
    // UTC, as the default display: the same text render_cql writes.
    CHECK(formatted(default_datetime_format, winter_ms, nullptr) == "2024-01-15 12:00:00.789000+0000");
    const auto utc = time_zone::utc();
    CHECK(formatted("%H:%M:%S.%f %z %Z", winter_ms, &utc) == "12:00:00.789000 +0000 UTC");
    // A day boundary crossed by the offset; %s stays the instant's.
    CHECK(formatted("%Y-%m-%d %H %s", 1'704'067'200'000, &*ny) == "2023-12-31 19 1704067200");
    // COPY's form: three digits, the year padded.
    CHECK(formatted("%Y-%m-%d %H:%M:%S.%f%z", winter_ms, nullptr, 3) == "2024-01-15 12:00:00.789+0000");
    // Before 1970, with milliseconds.
    CHECK(formatted("%Y-%m-%d %H:%M:%S.%f", -1, nullptr) == "1969-12-31 23:59:59.999000");
}

TEST_CASE("the extreme timestamps a column may hold are shown as their count, in any zone") {
    const auto ny = time_zone::from_tzif(make_tzif({}, {{-18000, false, "EST"}}, "EST5EDT,M3.2.0,M11.1.0"), "NY");
    const auto east = time_zone::from_tzif(make_tzif({}, {{50400, false, "+14"}}, "<+14>-14"), "Kiritimati");
    REQUIRE(ny);
    REQUIRE(east);
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    constexpr auto highest = std::numeric_limits<std::int64_t>::max();
    for (const time_zone* zone : {&*ny, &*east, static_cast<const time_zone*>(nullptr)}) {
        CHECK(formatted(default_datetime_format, lowest, zone) == std::to_string(lowest));
        CHECK(formatted(default_datetime_format, highest, zone) == std::to_string(highest));
        CHECK(formatted(default_datetime_format, lowest + 1, zone) == std::to_string(lowest + 1));
    }
}

TEST_CASE("an instant is a date only when its UTC year is one Python shows, as cqlsh decides") {
    const auto ny = time_zone::from_tzif(make_tzif({}, {{-18000, false, "EST"}}, "EST5EDT,M3.2.0,M11.1.0"), "NY");
    const auto east = time_zone::from_tzif(make_tzif({}, {{19800, false, "IST"}}, "IST-5:30"), "Kolkata");
    REQUIRE(ny);
    REQUIRE(east);
    // 10000-01-01T00:00Z is 9999-12-31 19:00 in New York, but past Python's years in UTC.
    CHECK(formatted(default_datetime_format, 253'402'300'800'000, &*ny) == "253402300800000");
    // 0000-12-31T23:59:59.999Z is 0001-01-01 in Kolkata, but before Python's years in UTC.
    CHECK(formatted(default_datetime_format, -62'135'596'800'001, &*east) == "-62135596800001");
    // Within them in UTC and in the zone: a date.
    CHECK(formatted(default_datetime_format, 253'402'300'799'999, &*ny) == "9999-12-31 18:59:59.999000-0500");
    // Within them in UTC, past them in the zone: the count (cqlsh cannot show it either).
    CHECK(formatted(default_datetime_format, 253'402'300'799'999, &*east) == "253402300799999");
}

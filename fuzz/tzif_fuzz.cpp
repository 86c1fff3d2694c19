// Fuzzes time_zone::from_tzif (the system's zone files, read for [ui] timezone) and the
// timestamps shown in the zone it gives. The input is the file's bytes.
//
// Invariants: reading returns (no crash, no read past the bytes); a zone read answers for every
// instant a timestamp column can hold, its abbreviation within the zone; and format_timestamp in
// that zone writes a date or, out of range, the count of milliseconds, never overflowing.
#include <cstdint>
#include <limits>
#include <string>

#include "copy_time_format.hpp"
#include "fuzz_support.hpp"
#include "time_zone.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto bytes = cqlwire::fuzz::as_text({data, size});
    const auto zone = cqlwire::cli::time_zone::from_tzif(bytes, "fuzz");
    if (!zone) return 0;
    constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
    constexpr auto highest = std::numeric_limits<std::int64_t>::max();
    // Milliseconds: the extremes, the epoch, around now, and far years either side.
    for (const std::int64_t ms : {lowest, lowest + 1, std::int64_t{-62'135'596'800'000}, std::int64_t{-1},
                                  std::int64_t{0}, std::int64_t{1'720'000'000'000}, std::int64_t{253'402'300'799'999},
                                  std::int64_t{4'102'444'800'000}, highest - 1, highest}) {
        const auto info = zone->at(ms / 1000);
        std::string copy(info.abbreviation);  // must be readable memory
        FUZZ_CHECK(copy.size() == info.abbreviation.size());
        std::string out;
        cqlwire::cli::format_timestamp("%Y-%m-%d %H:%M:%S.%f%z %Z %j %s", ms, out,
                                       cqlwire::cli::timestamp_style{6, &*zone, 1});
        FUZZ_CHECK(!out.empty());
    }
    return 0;
}

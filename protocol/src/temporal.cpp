// Calendar arithmetic for CQL dates: day numbers <-> proleptic Gregorian year-month-day.
#include "cqlwire/protocol/values.hpp"

#include <limits>

namespace cqlwire::protocol {
namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
    auto q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Days are counted from 0000-03-01 internally so that the leap day falls at the end of each
// counting year; a 400-year cycle has exactly 146097 days.
constexpr std::int64_t days_per_cycle = 146097;
constexpr std::int64_t epoch_shift = 719468;  // days from 0000-03-01 to 1970-01-01

}  // namespace

civil_date cql_date::to_civil() const noexcept {
    std::int64_t z = days_since_epoch + epoch_shift;
    std::int64_t cycle = floor_div(z, days_per_cycle);
    std::int64_t day_of_cycle = z - cycle * days_per_cycle;  // 0 .. 146096
    // Year within the cycle: remove the leap days accumulated so far, then divide.
    std::int64_t year_of_cycle =
        (day_of_cycle - day_of_cycle / 1460 + day_of_cycle / 36524 - day_of_cycle / 146096) / 365;  // 0 .. 399
    std::int64_t day_of_year = day_of_cycle - (365 * year_of_cycle + year_of_cycle / 4 - year_of_cycle / 100);
    std::int64_t month_from_march = (5 * day_of_year + 2) / 153;  // 0 = March .. 11 = February
    auto day = static_cast<unsigned>(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    auto month = static_cast<unsigned>(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    std::int64_t year = year_of_cycle + cycle * 400 + (month <= 2 ? 1 : 0);
    return {year, month, day};
}

cql_date cql_date::from_civil(const civil_date& d) noexcept {
    std::int64_t year = d.year - (d.month <= 2 ? 1 : 0);
    std::int64_t cycle = floor_div(year, 400);
    std::int64_t year_of_cycle = year - cycle * 400;
    std::int64_t month_from_march = d.month > 2 ? d.month - 3 : d.month + 9;
    std::int64_t day_of_year = (153 * month_from_march + 2) / 5 + d.day - 1;
    std::int64_t day_of_cycle = year_of_cycle * 365 + year_of_cycle / 4 - year_of_cycle / 100 + day_of_year;
    return {cycle * days_per_cycle + day_of_cycle - epoch_shift};
}

std::error_code cql_date::to_wire(std::uint32_t& out) const noexcept {
    if (days_since_epoch < std::numeric_limits<std::int32_t>::min() ||
        days_since_epoch > std::numeric_limits<std::int32_t>::max())
        return make_error_code(client_errc::value_out_of_range);
    out = static_cast<std::uint32_t>(days_since_epoch + wire_epoch);
    return {};
}

}  // namespace cqlwire::protocol

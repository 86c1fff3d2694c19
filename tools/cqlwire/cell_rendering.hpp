// One result cell as the text each output format writes for it, and JSON keys for column
// names. The row writers call these for every cell, page by page.
//
//   table  cqlsh's display (protocol::render_cql, display form): control characters escaped,
//          floats and doubles to cqlsh's 5 significant digits, timestamps with the exact
//          milliseconds as cqlsh's six-digit microseconds.
//   csv    lossless (render_cql, data form): text as it is stored (the CSV writer quotes the
//          field as RFC 4180 says), floats and doubles in the shortest form that reads back to
//          the same bits, timestamps exact to the millisecond, composite values as CQL literals.
//   json   as the server's SELECT JSON writes the value (protocol::render_json).
//
// The table's display settings beyond the precisions (cell_display): cqlsh's [ui] time_format and
// timezone for timestamps, at any depth inside collections, and cqlsh's colours (-C, [ui] color):
// ANSI escapes by type as cqlsh's formatting.py colours them — text yellow, with its backslash
// escapes (\n, \x1b) in dark magenta and, as cqlsh shows it in colour, a backslash of the text
// itself single; blobs dark magenta; numbers, booleans, uuids, dates, times, timestamps, inets and
// durations green; the brackets, commas and colons of collections, tuples and UDTs blue; null red.
// With all three at their defaults the text is exactly render_cql's.
//
// A value the server holds but that does not decode (a time of 24:00:00, a decimal with no
// digits, text that is not UTF-8) is shown as its bytes, marked: "<undecodable 0x0a1b>" (in JSON
// the string "\"<undecodable 0x0a1b>\""), so one bad cell never hides a row.
#pragma once

#include <string>
#include <string_view>

#include "cli_options.hpp"
#include "cqlwire/protocol/value_view.hpp"

namespace cqlwire::cli {

class time_zone;

// cqlsh's SGR sequences (displaying.py).
namespace ansi {
inline constexpr std::string_view red = "\033[0;1;31m";
inline constexpr std::string_view green = "\033[0;1;32m";
inline constexpr std::string_view yellow = "\033[0;1;33m";
inline constexpr std::string_view blue = "\033[0;1;34m";
inline constexpr std::string_view magenta = "\033[0;1;35m";
inline constexpr std::string_view cyan = "\033[0;1;36m";
inline constexpr std::string_view white = "\033[0;1;37m";
inline constexpr std::string_view dark_magenta = "\033[0;35m";
inline constexpr std::string_view reset = "\033[0m";
}  // namespace ansi

struct cell_display {
    std::string_view time_format;    // empty: cqlsh's default, "%Y-%m-%d %H:%M:%S.%f%z" in UTC
    const time_zone* zone = nullptr;  // null: UTC
    bool color = false;
    bool is_default() const noexcept { return time_format.empty() && zone == nullptr && !color; }
};

// Appends `escaped` (text as the table shows it, backslashes doubled and controls escaped) in
// colour as cqlsh's color_text does: `color` around it, each escape in dark magenta, and a doubled
// backslash shown single.
void append_colored_text(std::string_view escaped, std::string_view color, std::string& out);

// `text` with each of its lines in `color` (line breaks left outside the escapes), as cqlsh
// colours its error messages red.
std::string colored_lines(std::string_view text, std::string_view color);

// Renders one non-null cell for `format` into `out` (replacing what it held). Returns true on
// success. When the value does not decode, returns false with `out` holding its bytes marked as
// undecodable (see above) and `reason` the cause in words ("a time of 86400000000000 ns is not
// within 00:00:00 and 23:59:59.999999999"); `reason` holds no byte of the value, so it may be
// printed to a terminal as it is.
// `float_precision` and `double_precision`: the table's significant digits (cqlsh's [ui]).
// `display` applies to the table format only.
bool render_cell(const protocol::value_view& v, output_format format, std::string& out, std::string& reason,
                 int float_precision = 5, int double_precision = 5, const cell_display& display = {});

// A column name as the key of a JSON object, JSON quotes included, the way SELECT JSON writes
// it: a name holding an upper-case letter as its quoted identifier ("\"MixedCase\""), any other
// name as it is ("name", "count(*)"), as for UDT fields. Bytes that are not UTF-8 (the name
// came from the server) are written as U+FFFD so that the output stays JSON.
std::string json_column_key(std::string_view column_name);

}  // namespace cqlwire::cli

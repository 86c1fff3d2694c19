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
// A value the server holds but that does not decode (a time of 24:00:00, a decimal with no
// digits, text that is not UTF-8) is shown as its bytes, marked: "<undecodable 0x0a1b>" (in JSON
// the string "\"<undecodable 0x0a1b>\""), so one bad cell never hides a row.
#pragma once

#include <string>
#include <string_view>

#include "cli_options.hpp"
#include "cqlwire/protocol/value_view.hpp"

namespace cqlwire::cli {

// Renders one non-null cell for `format` into `out` (replacing what it held). Returns true on
// success. When the value does not decode, returns false with `out` holding its bytes marked as
// undecodable (see above) and `reason` the cause in words ("a time of 86400000000000 ns is not
// within 00:00:00 and 23:59:59.999999999"); `reason` holds no byte of the value, so it may be
// printed to a terminal as it is.
// `float_precision` and `double_precision`: the table's significant digits (cqlsh's [ui]).
bool render_cell(const protocol::value_view& v, output_format format, std::string& out, std::string& reason,
                 int float_precision = 5, int double_precision = 5);

// A column name as the key of a JSON object, JSON quotes included, the way SELECT JSON writes
// it: a name holding an upper-case letter as its quoted identifier ("\"MixedCase\""), any other
// name as it is ("name", "count(*)"), as for UDT fields. Bytes that are not UTF-8 (the name
// came from the server) are written as U+FFFD so that the output stays JSON.
std::string json_column_key(std::string_view column_name);

}  // namespace cqlwire::cli

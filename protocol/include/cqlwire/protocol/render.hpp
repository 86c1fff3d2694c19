// Turning a value_view into text: the way cqlsh prints it (render_cql) and the way Cassandra's
// own SELECT JSON / toJson() writes it (render_json).
//
// Both append to the caller's string and allocate nothing else, so a tool can reuse one string
// for a whole result. Both validate as they go (bad UTF-8, wrong widths, truncated collections
// are errors, exactly as with the converters of values.hpp; so is a UDT field name that is not
// UTF-8, as the type came from the server); on error the string is restored to its length
// before the call.
//
// render_cql follows cqlsh's formatting: True/False, text bare at the top level and quoted
// ('it''s') inside collections, tuples and UDTs, blobs as 0x..., timestamps as
// "2024-05-06 07:08:09.123000+0000" with cqlsh's own double rounding of the microseconds (or the
// raw millisecond count outside years 1..9999),
// dates as 2024-05-06 (or the raw day count outside years 1..9999), times as
// 07:08:09.123456789, floats with float_precision and doubles with double_precision
// significant digits ("%g"-style, with cqlsh's widening for numbers of moderate size), NaN,
// Infinity, -Infinity, exact decimals and varints, durations as 1y2mo3d4h5m6s7ms8us9ns,
// lists [a, b], sets {a, b}, maps {k: v}, tuples (a, b), UDTs {field: value}, vectors [a, b],
// and null as null_text. Collections keep the server's order (cqlsh re-sorts them with Python's
// ordering, which differs only for types Python orders differently, e.g. timeuuids).
//
// render_json follows the marshal types' toJSONString: numbers bare (floats as Java prints
// them: 1.0, 1.0E10, NaN and infinities as null), decimals and varints exact, text/ascii as
// JSON strings (only '"', '\\' and control characters escaped; other characters as they are),
// blobs "0x...", uuids, inets ("0:0:0:0:0:0:0:1"), dates ("2024-05-06"), times, durations and
// timestamps ("2024-05-06 07:08:09.123Z") as strings, lists/sets/vectors/tuples as arrays,
// maps and UDTs as objects (map keys that are not JSON strings are rendered, then quoted),
// null as null.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "cqlwire/protocol/value_view.hpp"

namespace cqlwire::protocol {

struct render_options {
    // Significant digits for float and double columns (cqlsh's [ui] float_precision and
    // double_precision; cqlsh 6.2 defaults both to 5, so a double column of 123456789.123 shows
    // 1.2346e+08). As in cqlsh, the precision is chosen by the column's own type: a
    // list<double> prints its elements with float_precision.
    int float_precision = 5;
    int double_precision = 5;
    std::string_view null_text = "null";
};

[[nodiscard]] std::error_code render_cql(const value_view& v, std::string& out, const render_options& options = {});
[[nodiscard]] std::error_code render_json(const value_view& v, std::string& out);

// The single pieces, for callers that format values they already hold.
void append_cql_double(double d, int precision, std::string& out);  // cqlsh float/double text
void append_java_double(double d, std::string& out);                // Java's Double.toString
void append_java_float(float f, std::string& out);                  // Java's Float.toString
void append_json_string(std::string_view utf8, std::string& out);   // quoted and escaped

}  // namespace cqlwire::protocol

// Turning a value_view into text: the way cqlsh prints it (render_cql, display form), the
// lossless CQL-literal text a data file needs (render_cql, data form), and the way Cassandra's
// own SELECT JSON / toJson() writes it (render_json).
//
// All append to the caller's string and allocate nothing else, so a tool can reuse one string
// for a whole result. All validate as they go (bad UTF-8, wrong widths, truncated collections
// are errors, exactly as with the converters of values.hpp; so is a UDT field name that is not
// UTF-8, as the type came from the server); on error the string is restored to its length
// before the call, and describe_render_failure() says why in words.
//
// render_cql, display form, follows cqlsh's formatting: True/False, text bare at the top level
// and quoted ('it''s') inside collections, tuples and UDTs, with backslashes doubled and every
// control character (C0, DEL and C1, and U+00A0 as cqlsh does) written as a Python escape
// (\n, \t, \r, \x1b), so that no byte of a value can drive a terminal; blobs as 0x...,
// timestamps as "2024-05-06 07:08:09.123000+0000" (the exact milliseconds, as six digits of
// microseconds; cqlsh itself goes through a binary double and can show .998993 for .999) or
// the raw millisecond count outside years 1..9999, dates as 2024-05-06 (or the raw day count
// outside years 1..9999), times as 07:08:09.123456789, floats with float_precision and doubles
// with double_precision significant digits ("%g"-style, with cqlsh's widening for numbers of
// moderate size), NaN, Infinity, -Infinity, exact decimals and varints, durations as
// 1y2mo3d4h5m6s7ms8us9ns, lists [a, b], sets {a, b}, maps {k: v}, tuples (a, b), UDTs
// {field: value}, vectors [a, b], and null as null_text. Collections keep the server's order
// (cqlsh re-sorts them with Python's ordering, which differs only for types Python orders
// differently, e.g. timeuuids).
//
// render_cql, data form (for CSV), writes what reads back to the same value: text at the top
// level exactly as stored (no escapes: the CSV writer quotes the field); floats and doubles in
// the shortest form that reads back to the same bits (std::to_chars), NaN, Infinity,
// -Infinity; a zero duration as 0s (the display form shows nothing); timestamps exact to the millisecond ("2024-05-06 07:08:09.123+0000", the raw
// millisecond count outside years 1..9999); and composite values as CQL literals the server
// parses back: text quoted with inner quotes doubled and nothing else escaped, timestamps,
// dates, times and inets quoted, case-sensitive UDT field names as quoted identifiers.
//
// render_json follows the marshal types' toJSONString: numbers bare (floats as Java prints
// them from the shortest round-tripping digits: 1.0, 1.0E10; NaN and infinities as null, as
// the server writes them), decimals and varints exact, text/ascii as JSON strings (only '"',
// '\\' and C0 control characters escaped, as JSON requires; other characters as they are),
// blobs "0x...", uuids, inets ("0:0:0:0:0:0:0:1"), dates ("2024-05-06"), times, durations and
// timestamps ("2024-05-06 07:08:09.123Z") as strings, lists/sets/vectors/tuples as arrays,
// maps and UDTs as objects (map keys that are not JSON strings are rendered, then quoted),
// null as null.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "cqlwire/protocol/value_view.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

// Which text render_cql writes (see the file comment).
enum class cql_text_form : unsigned char {
    display,  // cqlsh's table display: escaped controls, float_precision digits
    data,     // lossless CQL-literal text for data files (CSV)
};

struct CQLWIRE_PROTOCOL_API render_options {
    // Significant digits for float and double columns (cqlsh's [ui] float_precision and
    // double_precision; cqlsh 6.2 defaults both to 5, so a double column of 123456789.123 shows
    // 1.2346e+08). As in cqlsh, the precision is chosen by the column's own type: a
    // list<double> prints its elements with float_precision. The data form ignores both.
    int float_precision = 5;
    int double_precision = 5;
    std::string_view null_text = "null";
    cql_text_form form = cql_text_form::display;
};

[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code render_cql(const value_view& v, std::string& out, const render_options& options = {});
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code render_json(const value_view& v, std::string& out);

// Why render_cql / render_json refuse `v`, in words, appended to `out`: the first problem
// they meet, with where it is inside a composite value ("element 2 of a list: text that is not
// valid UTF-8 (byte 0xed at offset 3)"). Appends nothing when `v` renders. The words hold no
// byte of the value and no server text but escaped UDT field names, so they are safe to print.
CQLWIRE_PROTOCOL_API void describe_render_failure(const value_view& v, std::string& out);

// The single pieces, for callers that format values they already hold.
CQLWIRE_PROTOCOL_API void append_cql_double(double d, int precision, std::string& out);  // cqlsh float/double text
CQLWIRE_PROTOCOL_API void append_java_double(double d, std::string& out);                // Java's Double.toString
CQLWIRE_PROTOCOL_API void append_java_float(float f, std::string& out);                  // Java's Float.toString
CQLWIRE_PROTOCOL_API void append_json_string(std::string_view utf8, std::string& out);   // quoted and escaped
// The shortest decimal text that reads back to the same bits (std::to_chars), or NaN,
// Infinity, -Infinity: "0.1", "1e+20", "-0".
CQLWIRE_PROTOCOL_API void append_round_trip_float(float f, std::string& out);
CQLWIRE_PROTOCOL_API void append_round_trip_double(double d, std::string& out);
// A column or UDT field name as a key of a JSON object, the way SELECT JSON writes it: the
// name as is unless it holds a capital letter, then in double quotes ("\"MixedCase\"", also
// "\"Été\""; the server neither doubles inner quotes nor quotes "with space" or "1st"), the
// JSON string's quotes included. `utf8` must be valid UTF-8.
CQLWIRE_PROTOCOL_API void append_json_name(std::string_view utf8, std::string& out);

}  // namespace cqlwire::protocol

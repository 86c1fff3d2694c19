// Reading CQL literal text back into a value: the inverse of render_cql, for COPY ... FROM a
// CSV file (each field becomes a bind value of its column's type).
//
// What reads back: everything render_cql writes in its data form, and what its display form
// writes wherever that form is exact (text without backslashes or control characters, floats
// that fit the display precision...); what Cassandra accepts as a literal of the type; and
// what cqlsh's COPY FROM accepts. The forms, per type:
//
//   tinyint, smallint, int, bigint, counter, varint
//             optional sign, decimal digits; range-checked for the type; varint of any length
//             up to max_number_literal_chars
//   float, double
//             decimal or scientific (1.5, -2e-3, .5, 5.), NaN, Infinity, +Infinity, -Infinity
//             (also inf, any case); a float is rounded once, straight to the nearest float
//   decimal   exact: digits, optional fraction and exponent (1.5, -0.001, 1E+3, 1.23e-12), no
//             NaN or Infinity; the scale must fit 32 bits
//   boolean   true / false in any case, and the texts of literal_options
//   blob, custom types
//             0x followed by an even number of hex digits, either case ("0x" is the empty blob)
//   uuid, timeuuid
//             8-4-4-4-12 hex digits; a timeuuid must be of version 1
//   inet      an IPv4 or IPv6 address (no host names: nothing here does I/O)
//   date      [+|-]yyyy-mm-dd with one or more year digits, or an integer: the count of days
//             since 1970-01-01, signed, which is what render_cql and cqlsh print for dates
//             outside years 1..9999. (Cassandra's own literal reads an integer as the wire's
//             unsigned count with the epoch at 2^31; the two readings disagree on positive
//             numbers, and the files this reads are written by render_cql.)
//   time      h:mm:ss with 1 to 9 fraction digits (hh, mm, ss of one or two digits), or an
//             integer count of nanoseconds since midnight
//   timestamp an integer count of milliseconds since the epoch, or [+|-]yyyy-mm-dd (one or more
//             year digits, as render_cql's display form does not pad years below 1000),
//             optionally followed by 'T' or ' ' and hh:mm, hh:mm:ss or hh:mm:ss.f (1 to 9
//             fraction digits; those past the millisecond are dropped, which finds the
//             millisecond the instant falls in), optionally followed by a zone: Z, +hh, +hhmm,
//             +hh:mm or the same with '-'. No zone means UTC.
//   duration  1y2mo3w4d5h6m7s8ms9us10ns (units in any case, us also as µs, each unit once and in
//             that order, an optional leading '-'), ISO 8601 P1Y2M3DT4H5M6S and P2W, and the
//             ISO alternative P0001-02-03T04:05:06, as Cassandra's Duration.from() reads them
//   text, ascii, varchar
//             at the top level the text as it is (a CSV field holds it so): nothing trimmed,
//             unquoted or unescaped; it must be valid UTF-8 (ascii: 7-bit)
//   list      [a, b]          set  {a, b}, or [a, b] as cqlsh's COPY FROM accepts
//   map       {k: v, ...}     tuple (a, b); fewer elements than the type has leave the missing
//                             trailing ones null
//   udt       {name: value, ...}: a name bare (matched lower-cased, as CQL folds an unquoted
//             identifier, else as written, which is how cqlsh displays it) or "Quoted" (matched
//             exactly, "" for a quote); fields not given are null
//   vector    [a, b] with exactly the type's number of elements, none null
//
// Inside a collection, tuple, UDT or vector: text is quoted, 'it''s' or $$it's$$; null (any
// case) is a null element; any other scalar may be bare or quoted ('2024-05-06', '::1', '5');
// a bare map key that may hold ':' (a time, timestamp, inet or duration) ends at a ':' that
// cannot continue it, such as the ": " render_cql writes. White space around top-level
// non-text values and around nested elements is ignored. Nesting goes as deep as the type, at
// most max_type_depth levels; nothing recurses on the text alone.
//
// Not read: an empty field for a non-text type (the caller turns its NULL text into a null
// before calling), the zero-byte "empty" value of a non-text type (render_cql writes nothing
// for it, and nothing is not a literal), and render_cql's text of a zero duration, which is
// empty as in cqlsh (0s, PT0S or 0d read as a zero duration). Elements, entries and set members
// keep the order and repetitions written; the server sorts sets and map keys.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

// The texts of cqlsh's COPY FROM options that change how literals read.
struct CQLWIRE_PROTOCOL_API literal_options {
    // Read as true / false at any depth, compared without ASCII case (cqlsh's BOOLSTYLE,
    // "True,False" by default); "true" and "false" are always read too. An empty text is ignored.
    std::string_view true_text = "True";
    std::string_view false_text = "False";
    // cqlsh's DECIMALSEP and THOUSANDSSEP, for every number type at any depth. As in cqlsh,
    // each occurrence of thousands_sep is removed first (empty: none), then each occurrence of
    // decimal_sep is read as '.' (float, double and decimal only).
    std::string_view decimal_sep = ".";
    std::string_view thousands_sep = "";
};

// Longest number text a varint or decimal literal may have. Base conversion is quadratic, so
// the cap keeps a hostile field from stalling an import; 40 000 characters hold any number
// render_cql writes (at most max_varint_text_bytes bytes, ~39 500 digits).
inline constexpr std::size_t max_number_literal_chars = 40'000;

// Parses `text` as a value of type `t` into `out` (see the file comment for the forms). Returns
// an empty string on success, else the reason in words, naming the problem and where it is
// ("element 3 of a list: 'abc' is not an int"; positions count from 0, as in
// describe_render_failure). A reason quotes at most the first 40 bytes of the offending text,
// with control characters, backslashes and bytes that are not UTF-8 written as \xNN, so that it
// is safe to print. On failure `out` is left as it was.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::string parse_cql_literal(std::string_view text, const data_type& t, value& out,
                                                               const literal_options& options = {});

}  // namespace cqlwire::protocol

// How the values of a frame trace are written: strings quoted so that they are valid JSON and
// stay one line of text (controls escaped, bytes that are not UTF-8 shown as U+FFFD), bytes in
// hex, times. Shared by the summary and JSON forms of the trace writer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::inspect {

// Whether a word from the wire may be shown without quotes in a summary line: only when that
// keeps the line one line, splittable on spaces, and free of terminal controls.
bool is_bare_word(std::string_view v) noexcept;

// Appends `s` quoted and escaped, cut after `limit` bytes with "...(N more bytes)".
void append_quoted(std::string_view s, std::size_t limit, std::string& out);
std::string quoted(std::string_view s, std::size_t limit);

// Rewrites DEL and the C1 controls in a JSON text as \u escapes (JSON allows them raw, but a
// terminal acts on them).
void escape_terminal_controls_in_json(std::string& json);

// Bytes as lower-case hex ("0a1b").
std::string hex_text(protocol::bytes_view bytes);
// "0x" and the hex of at most `limit` bytes, then "...(N bytes)" when there were more.
std::string hex_limited(protocol::bytes_view b, std::size_t limit);

// Microseconds since 1970-01-01 UTC as "HH:MM:SS.uuuuuu" (time of day, UTC), and as seconds
// with six decimals ("1700000000.123456").
std::string time_of_day(std::int64_t us);
std::string epoch_seconds(std::int64_t us);

}  // namespace cqlwire::inspect

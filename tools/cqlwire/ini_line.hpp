// One line of INI text taken apart, the one way both of cqlsh's INI files are read (the cqlshrc,
// cqlshrc.hpp, and the credentials file, credentials_file.hpp): a blank line, a whole-line
// comment (`#` or `;` first), a `[section]` header, or a `key = value` / `key: value` entry.
//
// Only the shape of a line is decided here. What each file then allows (inline comments,
// [DEFAULT], keys before any header, how deep a line may be indented, a key given twice) and
// what it says about a mistake stay with its reader: the two files' rules differ, as cqlsh's do.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {

enum class ini_line_kind : std::uint8_t {
    blank,      // nothing but white space
    comment,    // `#` or `;` is the first character that is not white space
    header,     // `[` is: the reader checks the rest (`text`)
    entry,      // `key = value` or `key: value`, the key not empty
    malformed,  // none of these: no `=` or `:`, or nothing before it
};

// The parts of a line. The views point into the line given to read_ini_line.
struct ini_line {
    ini_line_kind kind = ini_line_kind::blank;
    std::size_t indent = 0;  // white space before the first other character
    std::string_view text;   // the line without the white space at its ends
    std::string key;         // entry: what comes before the first `=` or `:`, trimmed, lower-cased
    std::string_view value;  // entry: what comes after it, trimmed; nothing else removed
};

// Takes `line` (which holds no line break) apart; white space is protocol::is_ascii_space's.
inline ini_line read_ini_line(std::string_view line) {
    ini_line l;
    l.text = protocol::trim_ascii_space(line);
    if (l.text.empty()) return l;
    l.indent = static_cast<std::size_t>(l.text.data() - line.data());
    if (l.text.front() == '#' || l.text.front() == ';') {
        l.kind = ini_line_kind::comment;
    } else if (l.text.front() == '[') {
        l.kind = ini_line_kind::header;
    } else if (const auto delim = l.text.find_first_of("=:"); delim == std::string_view::npos || delim == 0) {
        l.kind = ini_line_kind::malformed;
    } else {
        l.kind = ini_line_kind::entry;
        l.key = protocol::ascii_lowered(protocol::trim_ascii_space(l.text.substr(0, delim)));
        l.value = protocol::trim_ascii_space(l.text.substr(delim + 1));
    }
    return l;
}

}  // namespace cqlwire::cli

// The text of a COPY command, as cqlsh reads it:
//
//   COPY [keyspace.]table [(column, ...)] TO   ('file' | STDOUT) [WITH option = value [AND ...]]
//   COPY [keyspace.]table [(column, ...)] FROM ('files' | STDIN) [WITH option = value [AND ...]]
//
// Names follow CQL: unquoted ones are case-insensitive (lower-cased here), "Quoted" ones exact.
// The file is a string literal ('' for a quote) whose leading ~ is the home directory; for FROM
// it may list several files and glob patterns, separated by commas. Option names are
// case-insensitive; a value is a string literal, or a bare word or number (true, 1000, -1).
// Parsing only: which options exist and what their values mean is copy_options.hpp's business.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cqlwire::cli {

enum class copy_direction { to, from };

struct copy_statement {
    copy_direction direction = copy_direction::to;
    std::string keyspace;  // empty: the session's keyspace
    std::string table;
    std::vector<std::string> columns;  // empty: every column
    std::optional<std::string> file;   // none: STDOUT / STDIN
    std::vector<std::pair<std::string, std::string>> options;  // lower-cased names, in order
};

// Whether the statement's first word is COPY (case-insensitive).
bool is_copy_statement(std::string_view text) noexcept;

// Parses a COPY statement (a trailing ';' allowed). On failure returns none with `error` saying
// what is wrong, in cqlsh's words where it has some ("Improper COPY command.").
std::optional<copy_statement> parse_copy_statement(std::string_view text, std::string_view home, std::string& error);

}  // namespace cqlwire::cli

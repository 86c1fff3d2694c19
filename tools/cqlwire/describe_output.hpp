// Printing the rows of a DESCRIBE / DESC statement the way cqlsh prints them (Cassandra 4+
// describes on the server: the rows hold keyspace_name, type, name and create_statement, or the
// cluster's details). By the statement's second word:
//   KEYSPACES                     the names in columns, between blank lines;
//   TABLES, COLUMNFAMILIES, TYPES, FUNCTIONS, AGGREGATES
//                                 the names of each keyspace in columns after a blank line, under
//                                 a "Keyspace <name>" heading when no keyspace is in use; a blank
//                                 line at the end;
//   CLUSTER                       "Cluster:", "Partitioner:", "Snitch:" and, with a keyspace in
//                                 use, the range ownership;
//   anything else                 each row's create_statement as CQL text after a blank line.
// Columns are laid out as cqlsh lays them out: the fewest rows for which the columns, two spaces
// apart, fit in 80 characters. Server text is printed as it is, except control characters other
// than line breaks and tabs, which are escaped (a name may hold any character).
// --format json and csv do not come here: they keep the rows as data.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cqlwire::cli {

enum class describe_shape { keyspace_names, names_by_keyspace, cluster, statements };

// The shape of a DESCRIBE / DESC statement's output, or nullopt for any other statement (or a
// bare DESCRIBE, which the server refuses).
std::optional<describe_shape> describe_shape_of(std::string_view statement_text);

// The rows of the result: column names, and each cell's bytes (text columns hold UTF-8; the
// cluster's range_ownership is a map<text, frozen<list<text>>> in its wire form).
struct describe_rows {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

// The text cqlsh prints; `keyspace_in_use` drops the per-keyspace headings and adds the range
// ownership (which the server sends only then). A cell the shape needs but the rows lack is
// printed empty, never a crash.
std::string format_describe(describe_shape shape, const describe_rows& rows, bool keyspace_in_use);

// `names` in columns, as cqlsh prints name lists (line width 80; "<empty>" for none).
std::string columnize(const std::vector<std::string>& names, std::size_t width = 80);

}  // namespace cqlwire::cli

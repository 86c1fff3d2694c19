// Tab completion in the interactive shell, as pure logic: the text of the statement up to the
// cursor in, the words that may come next out. What the server's schema holds (keyspaces,
// tables, columns, types) is asked of a schema_names source, so that this part is tested
// without a server (completion_schema.hpp asks the node).
//
// Completion reads the statement as cqlsh's user types it: the first word is a statement or a
// shell command; after CONSISTENCY come the levels, after USE the keyspaces, after FROM / INTO /
// UPDATE / TRUNCATE / COPY / DESCRIBE TABLE the tables (of the current keyspace, or of `ks.`
// once a keyspace and its dot are typed), after WHERE / SET / AND / ORDER BY and in a column list
// the columns of the table the statement names, in a column definition the CQL types and the
// keyspace's user types. Elsewhere the CQL keywords that begin with what was typed. Words are
// matched without regard to case; keywords are offered in upper case (as cqlsh does) and names
// as CQL needs them written (quoted when they are not plain lower-case identifiers).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cqlwire::cli {

// The names completion offers from the schema. Each call may ask the server; an empty list is
// the answer when it cannot (completion never reports errors: it offers nothing).
class schema_names {
public:
    virtual ~schema_names() = default;
    virtual std::vector<std::string> keyspaces() = 0;
    virtual std::vector<std::string> tables(const std::string& keyspace) = 0;
    virtual std::vector<std::string> columns(const std::string& keyspace, const std::string& table) = 0;
    virtual std::vector<std::string> user_types(const std::string& keyspace) = 0;
};

struct completion {
    // Where the word being completed begins, as a byte offset in the text given.
    std::size_t word_start = 0;
    // Whole replacements for the text from word_start to the end, sorted, without repeats.
    std::vector<std::string> candidates;
};

// `text` is the statement so far (earlier lines of it included, joined by newlines), up to the
// cursor. `keyspace` is the shell's current keyspace (empty: none).
completion complete_statement(std::string_view text, const std::string& keyspace, schema_names& schema);

}  // namespace cqlwire::cli

// Names (keyspaces, tables, columns, types) as CQL text.
#pragma once

#include <string>
#include <string_view>

namespace cqlwire::cli {

// `name` as a CQL quoted identifier ("..." with inner quotes doubled).
std::string quote_identifier(std::string_view name);

// The name as CQL text: itself when it is a lower-case identifier that is not a reserved
// keyword, else quoted (quote_identifier).
std::string cql_identifier_text(std::string_view name);

}  // namespace cqlwire::cli

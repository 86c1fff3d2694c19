// HELP / ? [topic]: the shell commands cqlwire carries out, and what each does, in cqlwire's own
// words (cqlsh's help texts, and its CQL topics that open a web browser, are not reproduced).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cqlwire::cli {

// HELP with no topic: the commands in columns, and where CQL statements go.
std::string shell_help_overview();

// HELP <topic> (case-insensitive; "SERIAL CONSISTENCY" may be given as SERIAL), or nullopt
// when there is no help on it.
std::optional<std::string> shell_help_topic(std::string_view topic);

}  // namespace cqlwire::cli

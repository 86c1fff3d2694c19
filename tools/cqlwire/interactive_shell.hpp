// The interactive shell used when standard input is a terminal: a prompt showing the current
// keyspace ("cqlwire> ", "cqlwire:ks> "), "   ... " while a statement continues over several
// lines, each statement run as soon as its ';' arrives, `exit` / `quit`, and a history of the
// statements entered (Up/Down; kept in ~/.cqlwire_history with mode 0600, never a line holding
// PASSWORD). The line editor (line_editor.hpp) needs a terminal in raw mode; with TERM=dumb,
// or when standard output is not a terminal, lines are read plainly.
#pragma once

#include <string>
#include <string_view>

#include "settings.hpp"
#include "statement_runner.hpp"

namespace cqlwire::cli {

// "cqlwire> ", "cqlwire:<keyspace>> ", or "   ... " for a continuation line.
std::string shell_prompt(std::string_view keyspace, bool continuation);

// True when `line` (outside a statement) is `exit` or `quit`, in any case, with optional ';'.
bool is_exit_command(std::string_view line) noexcept;

// Runs the session until exit, quit or end of input. Returns the exit code.
int run_interactive_shell(statement_runner& runner, const environment_lookup& env);

}  // namespace cqlwire::cli

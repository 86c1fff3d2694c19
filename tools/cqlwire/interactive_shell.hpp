// The interactive shell used when standard input is a terminal: a prompt showing the current
// keyspace ("cqlwire> ", "cqlwire:ks> "), "   ... " while a statement continues over several
// lines, each statement run as soon as its ';' arrives, `exit` / `quit`, and a history of the
// statements entered (Up/Down, Ctrl-R; kept in ~/.cassandra/cqlwire_history, beside cqlsh's
// cqlsh_history, or in $CQL_HISTORY, with mode 0600, never a line holding PASSWORD or LOGIN), and Tab completion
// from the schema (completion.hpp). The line editor (line_editor.hpp) needs a terminal in raw
// mode; with TERM=dumb, or when standard output is not a terminal, lines are read plainly.
#pragma once

#include <string>
#include <string_view>

#include "settings.hpp"
#include "statement_runner.hpp"

namespace cqlwire::cli {

// The prompt, as cqlsh's with cqlwire's name: "user@cqlwire> ", "user@cqlwire:<keyspace>> "
// (without "user@" when no user name is set); on a continuation line "   ... ", or with a
// keyspace as many spaces as its name then "    ... "; after three empty continuation lines
// cqlsh's hint. Server text (the keyspace) has its control characters escaped.
std::string shell_prompt(std::string_view keyspace, bool continuation, std::string_view user = {},
                         int empty_continuation_lines = 0);

// The line CQLSH_PROMPT puts above each prompt (as cqlsh does), with its control characters
// escaped; empty when the variable is not set.
std::string custom_prompt_line(const environment_lookup& env);

// True when `line` (outside a statement) is `exit` or `quit`, in any case, with optional ';'.
bool is_exit_command(std::string_view line) noexcept;

// The history file: $CQL_HISTORY when set (as cqlsh reads it), else
// $HOME/.cassandra/cqlwire_history; empty when neither is set (no history is kept on disk).
std::string history_file_path(const environment_lookup& env);

// Runs the session until exit, quit or end of input. Returns the exit code.
int run_interactive_shell(statement_runner& runner, const environment_lookup& env);

}  // namespace cqlwire::cli

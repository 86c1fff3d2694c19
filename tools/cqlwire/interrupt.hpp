// Ctrl-C in the interactive shell: it interrupts the statement being waited for, not the shell.
//
// While the shell is active, SIGINT only sets a flag (handler installed without SA_RESTART, so a
// blocking read returns EINTR at once); the code waiting for a response polls the flag, stops
// waiting and returns to the prompt. Outside the shell SIGINT keeps its default: it ends the
// command, as for any Unix tool.
#pragma once

namespace cqlwire::cli {

// Installs the flag-setting SIGINT handler (for the rest of the process).
void catch_interrupts() noexcept;
// Whether Ctrl-C was pressed since the last clear_interrupt().
bool interrupt_requested() noexcept;
void clear_interrupt() noexcept;
// What goes before a message about an interruption: a line break when standard input is a
// terminal, which has echoed "^C" where the cursor stood; nothing otherwise.
const char* after_interrupt_echo() noexcept;

}  // namespace cqlwire::cli

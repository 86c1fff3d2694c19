// Runs a program on a pseudo-terminal, as a person at a keyboard would: type keys, wait for text
// to be shown, send Ctrl-C / Ctrl-D as the terminal sends them, then collect the exit status.
// Everything waits with a deadline, and the child is killed when the session is destroyed, so a
// test can never hang on it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace cqlwire::test {

// The environment for cqlwire on a terminal session: HOME = `home`, TERM = `term` ("xterm" for
// the line editor, "dumb" for plain reading), and none of the variables isolated_cqlwire_env
// unsets. A terminal session passes exactly the environment it is given, so those are left out
// rather than set empty. Add to it what a test wants the command to see.
std::map<std::string, std::string> isolated_terminal_env(const std::string& home, const std::string& term);

class terminal_session {
public:
    // Starts `program args...` with exactly the environment `env` on a new pty.
    terminal_session(const std::string& program, const std::vector<std::string>& args,
                     const std::map<std::string, std::string>& env);
    ~terminal_session();
    terminal_session(const terminal_session&) = delete;
    terminal_session& operator=(const terminal_session&) = delete;

    // Waits until `text` appears in what the program showed after the previous match; false
    // when the deadline passed or the program ended first.
    bool expect(std::string_view text, std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // Writes keys as typed ("\r" Enter, "\x03" Ctrl-C, "\x04" Ctrl-D, "\x1a" Ctrl-Z).
    void type(std::string_view keys);
    // Sends a signal to the program (e.g. SIGCONT, as a shell's `fg` does after Ctrl-Z).
    void send_signal(int sig);
    // Waits until the program has stopped (Ctrl-Z); false when it did not within the deadline.
    bool wait_stopped(std::chrono::milliseconds timeout = std::chrono::seconds(20));
    // Waits for the program to end (reading what it shows meanwhile); its exit code, 128 +
    // signal when killed, or -1 when it did not end in time (then it is killed).
    int wait_exit(std::chrono::milliseconds timeout = std::chrono::seconds(20));

    // Everything shown so far.
    const std::string& shown() const noexcept { return shown_; }

private:
    bool read_some(std::chrono::milliseconds timeout);

    pid_t pid_ = -1;
    int terminal_ = -1;
    std::string shown_;
    std::size_t matched_ = 0;
    int status_ = -1;
};

}  // namespace cqlwire::test

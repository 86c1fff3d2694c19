// Runs a program as a child process for end-to-end tests: arguments without a shell, extra
// environment variables, optional standard input, a time limit after which it is killed, and
// its standard output, standard error and exit code captured.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace cqlwire::test {

struct process_result {
    int exit_code = -1;      // the exit status, or 128 + signal when killed by a signal
    bool timed_out = false;  // killed because the time limit passed
    std::string out;
    std::string err;
};

struct process_options {
    std::map<std::string, std::string> env;  // set (or, with an empty value, unset) in the child
    std::string stdin_text;                  // written to the child's standard input, then closed
    std::chrono::milliseconds timeout{60'000};
};

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const process_options& options = {});

// The environment run_process gives a child: this process's own, with `overrides` applied (an
// empty value unsets the variable). A terminal_session given it sees what run_process's child would.
std::map<std::string, std::string> child_environment(const std::map<std::string, std::string>& overrides);

// An environment for running cqlwire in isolation: HOME set to `home`, and every variable the
// command reads (CQLWIRE_PASSWORD, CQLSH_HOST, SSL_CERTFILE, SSLKEYLOGFILE, ...) unset, so that
// nothing of the caller's shell leaks in. Add to it what a test wants the command to see.
std::map<std::string, std::string> isolated_cqlwire_env(const std::string& home);

}  // namespace cqlwire::test

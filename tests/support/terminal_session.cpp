#include "terminal_session.hpp"

#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "run_process.hpp"

namespace cqlwire::test {

std::map<std::string, std::string> isolated_terminal_env(const std::string& home, const std::string& term) {
    auto env = isolated_cqlwire_env(home);
    std::erase_if(env, [](const auto& variable) { return variable.second.empty(); });
    env["TERM"] = term;
    return env;
}

terminal_session::terminal_session(const std::string& program, const std::vector<std::string>& args,
                                   const std::map<std::string, std::string>& env) {
    std::vector<std::string> env_strings;
    for (const auto& [name, value] : env) env_strings.push_back(name + "=" + value);
    std::vector<char*> argv{const_cast<char*>(program.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : env_strings) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_ = ::forkpty(&terminal_, nullptr, nullptr, nullptr);
    if (pid_ == 0) {
        ::execve(program.c_str(), argv.data(), envp.data());
        ::_exit(127);
    }
}

terminal_session::~terminal_session() {
    if (pid_ > 0 && status_ == -1) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
    }
    if (terminal_ >= 0) ::close(terminal_);
}

bool terminal_session::read_some(std::chrono::milliseconds timeout) {
    pollfd p{terminal_, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (n <= 0) return n == 0 || errno == EINTR;
    char buf[4096];
    const auto got = ::read(terminal_, buf, sizeof buf);
    if (got <= 0) return false;  // the program ended (EIO on a pty whose other side closed)
    shown_.append(buf, static_cast<std::size_t>(got));
    return true;
}

bool terminal_session::expect(std::string_view text, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (const auto at = shown_.find(text, matched_); at != std::string::npos) {
            matched_ = at + text.size();
            return true;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || terminal_ < 0) return false;
        if (!read_some(std::min(left, std::chrono::milliseconds(200)))) return false;
    }
}

void terminal_session::send_signal(int sig) { ::kill(pid_, sig); }

bool terminal_session::wait_stopped(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        const pid_t r = ::waitpid(pid_, &status, WUNTRACED | WNOHANG);
        if (r == pid_ && WIFSTOPPED(status)) return true;
        if (r == pid_) {  // it ended instead
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return false;
        }
        read_some(std::chrono::milliseconds(20));
    }
    return false;
}

void terminal_session::type(std::string_view keys) {
    while (!keys.empty()) {
        const auto n = ::write(terminal_, keys.data(), keys.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        keys.remove_prefix(static_cast<std::size_t>(n));
    }
}

int terminal_session::wait_exit(std::chrono::milliseconds timeout) {
    if (status_ != -1) return status_;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            // What it showed last.
            while (read_some(std::chrono::milliseconds(50))) {
                pollfd p{terminal_, POLLIN, 0};
                if (::poll(&p, 1, 0) <= 0) break;
            }
            return status_;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            status_ = -2;
            return -1;
        }
        read_some(std::chrono::milliseconds(50));
    }
}

}  // namespace cqlwire::test

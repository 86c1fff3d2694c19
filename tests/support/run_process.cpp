#include "run_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace cqlwire::test {
namespace {

struct pipe_pair {
    int read_end = -1;
    int write_end = -1;
    pipe_pair() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe2: ") + std::strerror(errno));
        read_end = fds[0];
        write_end = fds[1];
    }
};

void close_fd(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
}

}  // namespace

process_result run_process(const std::string& program, const std::vector<std::string>& args,
                           const process_options& options) {
    pipe_pair in, out, err;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.read_end, 0);
    posix_spawn_file_actions_adddup2(&actions, out.write_end, 1);
    posix_spawn_file_actions_adddup2(&actions, err.write_end, 2);

    std::vector<std::string> argv_storage{program};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (const auto& [name, value] : child_environment(options.env)) env_storage.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close_fd(in.read_end);
    close_fd(out.write_end);
    close_fd(err.write_end);
    if (rc != 0) throw std::runtime_error("cannot run " + program + ": " + std::strerror(rc));

    // Feed stdin and drain both outputs together, so that neither side can block the other.
    process_result result;
    std::size_t written = 0;
    if (options.stdin_text.empty()) close_fd(in.write_end);
    else fcntl(in.write_end, F_SETFL, O_NONBLOCK);
    auto deadline = std::chrono::steady_clock::now() + options.timeout;
    signal(SIGPIPE, SIG_IGN);

    while (out.read_end >= 0 || err.read_end >= 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(pid, SIGKILL);
            break;
        }
        pollfd fds[3] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}, {in.write_end, POLLOUT, 0}};
        int n = poll(fds, 3, static_cast<int>(left.count()));
        if (n < 0 && errno != EINTR) break;
        char buf[65536];
        for (int i = 0; i < 2; ++i) {
            int& fd = i == 0 ? out.read_end : err.read_end;
            if (fd >= 0 && (fds[i].revents & (POLLIN | POLLHUP | POLLERR))) {
                ssize_t got = ::read(fd, buf, sizeof buf);
                if (got > 0) (i == 0 ? result.out : result.err).append(buf, static_cast<std::size_t>(got));
                else close_fd(fd);
            }
        }
        if (in.write_end >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            ssize_t put = ::write(in.write_end, options.stdin_text.data() + written, options.stdin_text.size() - written);
            if (put > 0) written += static_cast<std::size_t>(put);
            if (put < 0 || written == options.stdin_text.size()) close_fd(in.write_end);
        }
    }
    close_fd(in.write_end);
    close_fd(out.read_end);
    close_fd(err.read_end);

    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) result.exit_code = 128 + WTERMSIG(status);
    return result;
}

std::map<std::string, std::string> child_environment(const std::map<std::string, std::string>& overrides) {
    std::map<std::string, std::string> env;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string_view entry(*e);
        if (const auto eq = entry.find('='); eq != std::string_view::npos)
            env.emplace(entry.substr(0, eq), entry.substr(eq + 1));
    }
    for (const auto& [name, value] : overrides) {
        if (value.empty()) env.erase(name);
        else env[name] = value;
    }
    return env;
}

std::map<std::string, std::string> isolated_cqlwire_env(const std::string& home) {
    std::map<std::string, std::string> env;
    env["HOME"] = home;
    // An empty value unsets the variable in the child (process_options::env).
    for (const char* name : {"CQLWIRE_PASSWORD", "CQLWIRE_KEY_PASSWORD", "CQLSH_HOST", "CQLSH_PORT", "SSL_CERTFILE",
                             "SSL_VALIDATE", "SSLKEYLOGFILE", "CQL_HISTORY", "TZ", "TZDIR"})
        env[name] = "";
    return env;
}

}  // namespace cqlwire::test

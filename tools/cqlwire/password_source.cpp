#include "password_source.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "exit_codes.hpp"

namespace cqlwire::cli {
namespace {

// The terminal state to restore if the user interrupts the prompt (Ctrl-C) while echo is off;
// without it the shell would be left not echoing.
int prompt_fd = -1;
struct termios saved_termios;

extern "C" void restore_echo_and_reraise(int sig) {
    if (prompt_fd >= 0) tcsetattr(prompt_fd, TCSAFLUSH, &saved_termios);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

}  // namespace

bool read_secret_line(std::istream& in, auth::secret_bytes& out) {
    out.clear();
    char c = 0;
    bool any = false;
    while (in.get(c)) {
        any = true;
        if (c == '\n') break;
        out.push_back(static_cast<std::uint8_t>(c));
    }
    if (!out.empty() && out.view().back() == '\r') {
        // Drop the CR of a CR LF ending without leaving the rest of the secret behind unwiped.
        auth::secret_bytes trimmed;
        trimmed.append(out.view().first(out.size() - 1));
        out = std::move(trimmed);
    }
    return any;
}

std::error_code read_secret_file(const std::string& path, std::string_view what, auth::secret_bytes& out,
                                 std::string& message) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        message = "cannot read " + std::string(what) + " file '" + path + "': " + std::strerror(errno);
        return make_error_code(cli_errc::file_unreadable);
    }
    if (!read_secret_line(in, out) || out.empty()) {
        message = std::string(what) + " file '" + path + "' is empty (the first line is the " + std::string(what) + ")";
        return make_error_code(cli_errc::bad_config);
    }
    return {};
}

bool stdin_is_terminal() noexcept { return ::isatty(STDIN_FILENO) == 1; }

std::error_code prompt_secret(std::string_view prompt, auth::secret_bytes& out, std::string& message) {
    // The controlling terminal, so that a prompt works even when stdout is redirected.
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    const bool own_fd = fd >= 0;
    if (!own_fd) fd = STDIN_FILENO;
    struct termios old_state;
    if (::tcgetattr(fd, &old_state) != 0) {
        if (own_fd) ::close(fd);
        message = "cannot ask for the password: no terminal";
        return make_error_code(cli_errc::no_password);
    }
    const int out_fd = own_fd ? fd : STDERR_FILENO;
    [[maybe_unused]] auto w1 = ::write(out_fd, prompt.data(), prompt.size());

    struct termios quiet = old_state;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    saved_termios = old_state;
    prompt_fd = fd;
    auto old_int = std::signal(SIGINT, restore_echo_and_reraise);
    auto old_term = std::signal(SIGTERM, restore_echo_and_reraise);
    ::tcsetattr(fd, TCSAFLUSH, &quiet);

    out.clear();
    bool complete = false;
    for (;;) {
        char c = 0;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        if (c == '\n' || c == '\r') {
            complete = true;
            break;
        }
        out.push_back(static_cast<std::uint8_t>(c));
    }

    ::tcsetattr(fd, TCSAFLUSH, &old_state);
    prompt_fd = -1;
    std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    if (own_fd) ::close(fd);
    if (!complete) {
        out.clear();
        message = "no password was entered";
        return make_error_code(cli_errc::no_password);
    }
    return {};
}

std::error_code resolve_password(settings& s, std::string& message) {
    if (s.password_from == password_origin::file) return read_secret_file(s.password_file, "password", s.password, message);
    if (!s.username || s.password_from != password_origin::none) return {};
    if (!stdin_is_terminal()) {
        message = "a user name is set but no password: use --password-file FILE, CQLWIRE_PASSWORD, "
                  "or run on a terminal to be asked";
        return make_error_code(cli_errc::no_password);
    }
    if (auto ec = prompt_secret("Password: ", s.password, message)) return ec;
    s.password_from = password_origin::prompt;
    return {};
}

}  // namespace cqlwire::cli

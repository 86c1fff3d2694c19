#include "password_source.hpp"

#include <cerrno>
#include <csignal>
#include <cstring>

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include "bounded_file.hpp"
#include "cqlwire/transport/tls_preflight.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "key_passphrase.hpp"
#include "safe_stderr.hpp"

namespace cqlwire::cli {
namespace {

// The terminal state to restore if the user interrupts the prompt (Ctrl-C, Ctrl-\\) while echo
// is off; without it the shell would be left not echoing. And what a stopped prompt (Ctrl-Z)
// needs to go on after `fg`: echo off again, and the prompt shown again.
int prompt_fd = -1;
int prompt_out_fd = -1;
struct termios saved_termios;
struct termios quiet_termios;
const char* prompt_text = nullptr;
std::size_t prompt_length = 0;

extern "C" void restore_echo_and_reraise(int sig) {
    if (prompt_fd >= 0) tcsetattr(prompt_fd, TCSAFLUSH, &saved_termios);
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

// Ctrl-Z at the prompt: the shell that takes over the terminal must get it echoing, and the
// prompt must not go on reading with echo ON after `fg` (what it read would show on screen).
// Only async-signal-safe calls: tcsetattr, sigprocmask, raise, write.
extern "C" void stop_with_echo_restored(int sig) {
    const int saved_errno = errno;
    if (prompt_fd >= 0) tcsetattr(prompt_fd, TCSANOW, &saved_termios);
    std::signal(sig, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, sig);
    sigprocmask(SIG_UNBLOCK, &unblock, nullptr);
    std::raise(sig);  // stops here until SIGCONT
    std::signal(sig, stop_with_echo_restored);
    if (prompt_fd >= 0) {
        tcsetattr(prompt_fd, TCSAFLUSH, &quiet_termios);
        if (prompt_out_fd >= 0 && prompt_text != nullptr) {
            [[maybe_unused]] auto n = ::write(prompt_out_fd, "\n", 1);
            [[maybe_unused]] auto m = ::write(prompt_out_fd, prompt_text, prompt_length);
        }
    }
    errno = saved_errno;
}

}  // namespace

std::error_code read_secret_file(const std::string& path, std::string_view what, auth::secret_bytes& out,
                                 std::string& message, std::vector<std::string>& warnings) {
    out.clear();
    std::string text;  // wiped by the reader on error, and here once the line is taken
    mode_t mode = 0;
    if (auto ec = read_bounded_file(path, std::string(what) + " file",
                                        file_limits{max_secret_file_size, default_max_wait, true, true}, text, message, &mode))
        return ec;
    std::string_view line(text);
    line = line.substr(0, line.find('\n'));
    if (line.ends_with('\r')) line.remove_suffix(1);
    // Editors on Windows start a UTF-8 file with a byte order mark; it is not part of the secret.
    if (line.starts_with("\xEF\xBB\xBF")) line.remove_prefix(3);
    // A NUL byte belongs to no password or passphrase (SASL PLAIN cannot even carry one): a
    // binary file, most likely, refused before anything is sent.
    const bool has_nul = line.find('\0') != std::string_view::npos;
    out.append(line);
    auth::wipe(text);
    if (has_nul) {
        out.clear();
        message = std::string(what) + " file '" + path + "' holds a NUL byte in its first line, which no " +
                  std::string(what) + " has";
        return make_error_code(cli_errc::bad_config);
    }
    if (out.empty()) {
        message = std::string(what) + " file '" + path + "' is empty (the first line is the " + std::string(what) + ")";
        return make_error_code(cli_errc::bad_config);
    }
    if (auto w = readable_by_others_warning(path, "a " + std::string(what), mode); !w.empty())
        warnings.push_back(std::move(w));
    return {};
}

bool stdin_is_terminal() noexcept { return ::isatty(STDIN_FILENO) == 1; }

std::error_code prompt_secret(std::string_view prompt, std::string_view what, auth::secret_bytes& out,
                              std::string& message, bool ctrl_c_abandons, bool* abandoned) {
    if (abandoned != nullptr) *abandoned = false;
    // The controlling terminal, so that a prompt works even when stdout is redirected.
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    const bool own_fd = fd >= 0;
    if (!own_fd) fd = STDIN_FILENO;
    struct termios old_state;
    if (::tcgetattr(fd, &old_state) != 0) {
        if (own_fd) ::close(fd);
        message = "cannot ask for the " + std::string(what) + ": no terminal";
        return make_error_code(cli_errc::no_password);
    }
    struct termios quiet = old_state;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    // A file name in the prompt is the user's, but its control characters would drive the
    // terminal (set the title, clear the screen): they are shown escaped.
    const std::string shown = escape_controls(prompt);
    const int out_fd = own_fd ? fd : STDERR_FILENO;
    saved_termios = old_state;
    quiet_termios = quiet;
    prompt_text = shown.c_str();
    prompt_length = shown.size();
    prompt_out_fd = out_fd;
    prompt_fd = fd;
    // In the shell, SIGINT keeps its flag-setting handler (installed without SA_RESTART): the
    // read below returns EINTR and the flag says why.
    auto old_int = ctrl_c_abandons ? SIG_ERR : std::signal(SIGINT, restore_echo_and_reraise);
    auto old_term = std::signal(SIGTERM, restore_echo_and_reraise);
    auto old_quit = std::signal(SIGQUIT, restore_echo_and_reraise);
    auto old_hup = std::signal(SIGHUP, restore_echo_and_reraise);
    auto old_tstp = std::signal(SIGTSTP, stop_with_echo_restored);
    // A Ctrl-C from before the prompt is not the answer to it.
    if (ctrl_c_abandons) clear_interrupt();
    // Echo goes off (flushing type-ahead) before the prompt shows, so that whatever is typed
    // once the prompt is visible is neither echoed nor thrown away.
    ::tcsetattr(fd, TCSAFLUSH, &quiet);
    [[maybe_unused]] auto w1 = ::write(out_fd, shown.data(), shown.size());

    out.clear();
    bool complete = false;
    bool interrupted = false;
    for (;;) {
        if (ctrl_c_abandons) {
            // The flag is looked at before each wait, and the wait is short: a Ctrl-C that came
            // just before a read began would not interrupt it.
            if (interrupt_requested()) {
                clear_interrupt();
                interrupted = true;
                break;
            }
            pollfd ready{fd, POLLIN, 0};
            if (::poll(&ready, 1, 100) <= 0) continue;
        }
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

    // The handlers go first, so that none of them can touch the terminal once it is restored.
    std::signal(SIGTSTP, old_tstp);
    if (!ctrl_c_abandons) std::signal(SIGINT, old_int);
    std::signal(SIGTERM, old_term);
    std::signal(SIGQUIT, old_quit);
    std::signal(SIGHUP, old_hup);
    prompt_fd = -1;
    prompt_out_fd = -1;
    prompt_text = nullptr;
    ::tcsetattr(fd, TCSAFLUSH, &old_state);
    if (interrupted) {
        // No line break was echoed for the ^C: the line the prompt stands on ends here.
        [[maybe_unused]] auto w2 = ::write(out_fd, "\n", 1);
        if (abandoned != nullptr) *abandoned = true;
    }
    if (own_fd) ::close(fd);
    if (!complete) {
        out.clear();
        message = interrupted ? "interrupted: no " + std::string(what) + " was entered"
                              : "no " + std::string(what) + " was entered";
        return make_error_code(cli_errc::no_password);
    }
    return {};
}

namespace {

// One secret to complete: where it stands after merging, and what to say when asking for it.
struct secret_request {
    std::vector<std::string>& warnings;
    auth::secret_bytes& value;
    password_origin& origin;
    const std::string& file;    // read when origin is `file`
    std::string_view what;      // "password", "key passphrase"
    std::string prompt;         // shown on the terminal
    std::string missing;        // the message when it is needed and there is no terminal
};

// Reads the secret's file, or, when `needed` and nothing gave the secret, asks on the terminal.
std::error_code complete_secret(const secret_request& r, bool needed, std::string& message) {
    if (r.origin == password_origin::file) return read_secret_file(r.file, r.what, r.value, message, r.warnings);
    if (!needed || r.origin != password_origin::none) return {};
    if (!stdin_is_terminal()) {
        message = r.missing;
        return make_error_code(cli_errc::no_password);
    }
    if (auto ec = prompt_secret(r.prompt, r.what, r.value, message)) return ec;
    r.origin = password_origin::prompt;
    return {};
}

}  // namespace

bool password_deferred(const settings& s) noexcept {
    return s.username.has_value() && s.password_from == password_origin::none && s.tls.enabled &&
           !s.tls.cert_file.empty();
}

std::error_code resolve_password(settings& s, std::string& message) {
    const secret_request r{s.warnings, s.password, s.password_from, s.password_file, "password", "Password: ",
                           "a user name is set but no password: use --password-file FILE, CQLWIRE_PASSWORD, "
                           "or run on a terminal to be asked"};
    // With a client certificate the server may log in by it and need no password: it is asked
    // for only if the server turns out to check one (open_connection).
    return complete_secret(r, s.username.has_value() && !password_deferred(s), message);
}

std::error_code prompt_deferred_password(settings& s, std::string& message) {
    if (auto ec = prompt_secret("Password: ", "password", s.password, message)) return ec;
    s.password_from = password_origin::prompt;
    return {};
}

std::error_code resolve_key_password(settings& s, std::string& message) {
    if (!s.tls.enabled) return {};
    const tls_settings& t = s.tls;
    // The files a passphrase may open: the PEM key, a PKCS#12 bundle given as the certificate,
    // a PKCS#12 truststore given as the CA file (known by content, so they are read here).
    const bool cert_is_bundle = !t.cert_file.empty() && transport::is_pkcs12_file(t.cert_file);
    // The CA files: the one for every host, and those [certfiles] gives the contact points.
    std::string store;  // the first that is a PKCS#12 truststore
    if (!t.ca_file.empty() && transport::is_pkcs12_file(t.ca_file)) store = t.ca_file;
    for (const auto& [host, path] : t.ca_file_by_host)
        if (store.empty() && !path.empty() && transport::is_pkcs12_file(path)) store = path;
    const bool ca_is_store = !store.empty();
    if (t.key_file.empty() && !cert_is_bundle && !ca_is_store) {
        if (t.key_password_from != password_origin::file) return {};
        message = "--key-password-file gives a key passphrase but nothing needs one: no private key is set, and "
                  "neither the client certificate nor the CA file is a PKCS#12 file";
        return make_error_code(cli_errc::bad_config);
    }
    const std::string use = ": use --key-password-file FILE, CQLWIRE_KEY_PASSWORD, or run on a terminal to be asked";
    // The file that needs the passphrase, with what to say when asking. Each is read only when
    // nothing gave a passphrase: only then does it matter.
    const bool unset = t.key_password_from == password_origin::none;
    std::string prompt;
    std::string missing;
    if (cert_is_bundle) {
        prompt = "Passphrase for " + t.cert_file + ": ";
        missing = "PKCS#12 file '" + t.cert_file + "' (the client certificate) is encrypted and no passphrase was given" + use;
        if (unset && !transport::pkcs12_file_needs_passphrase(t.cert_file)) prompt.clear();
    } else if (!t.key_file.empty()) {
        prompt = "Passphrase for " + t.key_file + ": ";
        missing = "private key file '" + t.key_file + "' is encrypted and no passphrase was given" + use;
        if (unset && !key_file_is_encrypted(t.key_file)) prompt.clear();
    }
    if (prompt.empty() && ca_is_store) {
        prompt = "Password for truststore " + store + ": ";
        missing = "PKCS#12 truststore '" + store + "' (the CA file) needs its password and none was given" + use +
                  " (a Java truststore's is often changeit)";
        if (unset && !transport::pkcs12_file_needs_passphrase(store)) prompt.clear();
    }
    const secret_request r{s.warnings, s.tls.key_password, s.tls.key_password_from, s.tls.key_password_file,
                           "key passphrase", prompt, missing};
    return complete_secret(r, unset && !prompt.empty(), message);
}

}  // namespace cqlwire::cli

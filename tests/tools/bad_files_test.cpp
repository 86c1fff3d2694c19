#include "test_support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "fifo_writers.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"
#include "temp_dir.hpp"

// End-to-end: the real `cqlwire` binary given the wrong kind of file for each of its file
// settings — a directory, an endless device, an endless FIFO, a binary cqlshrc — ends with exit
// 2 naming the path, quickly, before any connection is tried. And what it writes to standard
// error never carries a raw terminal control.

namespace {

using cqlwire::test::process_result;
using cqlwire::test::temp_dir;
using cqlwire::test::test_pki;
using steady = std::chrono::steady_clock;

// A port on which nothing listens: connecting is refused at once.
constexpr std::string_view closed_port = "1";

process_result run_cqlwire(const temp_dir& home, const std::vector<std::string>& args, std::string stdin_text = {}) {
    cqlwire::test::process_options o;
    o.env = cqlwire::test::isolated_cqlwire_env(home.str());
    o.stdin_text = std::move(stdin_text);
    o.timeout = std::chrono::seconds(40);
    auto r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    if (r.exit_code >= 128 || r.err.find("Sanitizer") != std::string::npos) FAIL_CHECK("cqlwire crashed: " << r.err);
    CHECK(r.err.find("internal error") == std::string::npos);
    CHECK(r.err.find('\x1b') == std::string::npos);
    return r;
}

// One file setting of the command, and the arguments that make the command read `file` for it
// (with whatever else that needs: a user name for a password, a certificate for a key...).
struct file_setting {
    std::string name;
    std::function<std::vector<std::string>(const temp_dir& home, const std::string& file)> args;
};

std::vector<file_setting> file_settings() {
    const auto& pki = test_pki::instance();
    const std::vector<std::string> local{"127.0.0.1", std::string(closed_port), "-e", "SELECT 1"};
    auto with = [local](std::vector<std::string> a) {
        a.insert(a.end(), local.begin(), local.end());
        return a;
    };
    return {
        {"--cqlshrc", [with](const temp_dir&, const std::string& f) { return with({"--cqlshrc", f}); }},
        {"--password-file",
         [with](const temp_dir&, const std::string& f) { return with({"-u", "alice", "--password-file", f}); }},
        {"--key-password-file",
         [with, &pki](const temp_dir&, const std::string& f) {
             return with({"--cert", pki.path("client-encrypted.crt"), "--key", pki.path("client-encrypted.key"),
                          "--key-password-file", f});
         }},
        {"--cafile", [with](const temp_dir&, const std::string& f) { return with({"--cafile", f}); }},
        {"--cert",
         [with, &pki](const temp_dir&, const std::string& f) { return with({"--cert", f, "--key", pki.path("client.key")}); }},
        {"--key",
         [with, &pki](const temp_dir&, const std::string& f) { return with({"--cert", pki.path("client.crt"), "--key", f}); }},
        {"[ssl] userkey",
         [with, &pki](const temp_dir& home, const std::string& f) {
             const std::string rc = home.write("userkey-rc", "[ssl]\nusercert = " + pki.path("client.crt") +
                                                                 "\nuserkey = " + f + "\n");
             return with({"--cqlshrc", rc});
         }},
    };
}

}  // namespace

TEST_CASE("a directory given for any file setting is exit 2 naming the path") {
    temp_dir home;
    const std::string folder = home.path("a-folder");
    REQUIRE(std::filesystem::create_directory(folder));
    for (const auto& setting : file_settings()) {
        CAPTURE(setting.name);
        const auto r = run_cqlwire(home, setting.args(home, folder));
        CHECK(r.exit_code == 2);
        CHECK(r.err.find("'" + folder + "' is a directory") != std::string::npos);
    }
}

TEST_CASE("/dev/zero and /dev/urandom for any file setting are exit 2 within two seconds, naming the cap") {
    temp_dir home;
    for (const std::string device : {"/dev/zero", "/dev/urandom"}) {
        for (const auto& setting : file_settings()) {
            CAPTURE(device);
            CAPTURE(setting.name);
            const auto start = steady::now();
            const auto r = run_cqlwire(home, setting.args(home, device));
            CHECK(steady::now() - start < std::chrono::seconds(2));
            CHECK(r.exit_code == 2);
            // Certificates and keys OpenSSL reads again by path: refused as not regular files.
            CHECK((r.err.find("'" + device + "' is larger than ") != std::string::npos ||
                   r.err.find("'" + device + "' is not a regular file") != std::string::npos));
        }
    }
}

TEST_CASE("a FIFO that never ends, for any file setting, is exit 2 within a few seconds") {
    temp_dir home;
    for (const auto& setting : file_settings()) {
        CAPTURE(setting.name);
        cqlwire::test::endless_fifo fifo(home.path("endless"));
        const auto start = steady::now();
        const auto r = run_cqlwire(home, setting.args(home, fifo.path()));
        CHECK(steady::now() - start < std::chrono::seconds(5));
        CHECK(r.exit_code == 2);
        CHECK((r.err.find("'" + fifo.path() + "' is larger than ") != std::string::npos ||
               r.err.find("'" + fifo.path() + "' is not a regular file") != std::string::npos));
    }
}

TEST_CASE("a binary cqlshrc is exit 2 naming the file and the line") {
    temp_dir home;
    const std::string gz = home.write("cqlshrc.gz", std::string("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 10));
    const auto r = run_cqlwire(home, {"--cqlshrc", gz, "-e", "SELECT 1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "cqlwire: " + gz + ":1: holds a control character; a cqlshrc is a text file (is this the right file?)\n");

    const std::string nul = home.write("nul-rc", std::string("[connection]\nport = 9042\0\n", 26));
    const auto n = run_cqlwire(home, {"--cqlshrc", nul, "-e", "SELECT 1"});
    CHECK(n.exit_code == 2);
    CHECK(n.err == "cqlwire: " + nul + ":2: holds a NUL byte; a cqlshrc is a text file (is this the right file?)\n");
}

TEST_CASE("a malformed host is exit 2 from the cqlshrc and exit 1 from the command line, naming where it came from") {
    temp_dir home;
    const std::string rc = home.write("rc", "[connection]\nhostname = 127.0.0.1 127.0.0.2\n");
    const auto r = run_cqlwire(home, {"--cqlshrc", rc, "-e", "SELECT 1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "cqlwire: the cqlshrc's [connection] hostname: contact point '127.0.0.1 127.0.0.2': a host name has "
                   "no spaces or control characters (separate contact points with commas)\n");
    // tls-check checks one server: a list there is the cqlshrc's mistake too.
    const std::string list = home.write("list-rc", "[connection]\nhostname = 127.0.0.9, 127.0.0.2\n");
    const auto t = run_cqlwire(home, {"tls-check", "--cqlshrc", list});
    CHECK(t.exit_code == 2);
    CHECK(t.err == "cqlwire tls-check: the cqlshrc's [connection] hostname: tls-check checks one server, and this is a "
                   "list of 2 contact points: give the one to check\n");
    // The command line beats both, and is a usage error.
    const auto f = run_cqlwire(home, {"--cqlshrc", rc, "127.0.0.1:9042:1", "-e", "SELECT 1"});
    CHECK(f.exit_code == 1);
    CHECK(f.err == "cqlwire: contact point '127.0.0.1:9042:1': not an IPv6 address; a port after one is written "
                   "[address]:port\n");
}

TEST_CASE("an ESC in a file name reaches standard error escaped") {
    temp_dir home;
    const std::string rc = home.write("rc\x1b]0;owned\x07", "[connection]\nport = ninety\n");
    const auto r = run_cqlwire(home, {"--cqlshrc", rc, "-e", "SELECT 1"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "cqlwire: " + home.path("rc\\x1b]0;owned\\x07") + ":2: [connection] port: 'ninety' is not a port "
                                                                      "(1-65535)\n");
    // A C1 control (CSI, U+009B) and bytes that are not UTF-8 are escaped too.
    const std::string missing = home.path("pw-\xC2\x9B" "2J-\xFF");
    const auto m = run_cqlwire(home, {"-u", "alice", "--password-file", missing, "-e", "SELECT 1"});
    CHECK(m.exit_code == 2);
    CHECK(m.err == "cqlwire: cannot read password file '" + home.path("pw-\\xc2\\x9b2J-\\xff") +
                       "': No such file or directory\n");
}

TEST_CASE("a password file others can read gets the cqlshrc's warning; a pipe is a password file too") {
    temp_dir home;
    using std::filesystem::perms;
    const std::string pw = home.write("pw", "not-the-password\n",
                                      perms::owner_read | perms::owner_write | perms::group_read | perms::others_read);
    const auto r = run_cqlwire(home, {"-u", "alice", "--password-file", pw, "127.0.0.1", std::string(closed_port), "-e",
                                      "SELECT 1"});
    CHECK(r.exit_code == 3);  // the port is closed: the file was read and the command went on
    CHECK(r.err.starts_with("cqlwire: warning: " + pw + " holds a password and is readable by other users; chmod 600 it\n"));
    CHECK(r.err.find("not-the-password") == std::string::npos);

    const std::string private_pw = home.write("private-pw", "not-the-password\n");
    const auto quiet = run_cqlwire(home, {"-u", "alice", "--password-file", private_pw, "127.0.0.1",
                                          std::string(closed_port), "-e", "SELECT 1"});
    CHECK(quiet.exit_code == 3);
    CHECK(quiet.err.find("warning") == std::string::npos);

    // Standard input is a pipe here, as <(echo pw) gives one.
    const auto piped = run_cqlwire(home, {"-u", "alice", "--password-file", "/dev/stdin", "127.0.0.1",
                                          std::string(closed_port), "-e", "SELECT 1"},
                                   "not-the-password\n");
    CHECK(piped.exit_code == 3);
    CHECK(piped.err.find("password file") == std::string::npos);
}

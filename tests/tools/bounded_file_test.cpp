#include "test_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "bounded_file.hpp"
#include "exit_codes.hpp"
#include "fifo_writers.hpp"
#include "temp_dir.hpp"

// The one reader of the command's input files: caps, directories, devices, pipes and FIFOs.

namespace {

using namespace cqlwire::cli;
using steady = std::chrono::steady_clock;

using cqlwire::test::temp_dir;

}  // namespace

TEST_CASE("a regular file is read whole, up to and including its cap") {
    const temp_dir dir("cqlwire-bounded");
    const std::string exact = dir.write("exact", std::string(100, 'x'));
    std::string out;
    std::string message;
    CHECK_FALSE(read_bounded_file(exact, "password file", {100}, out, message));
    CHECK(out == std::string(100, 'x'));

    const std::string over = dir.write("over", std::string(101, 'x'));
    const auto ec = read_bounded_file(over, "password file", {100}, out, message);
    CHECK(ec == cli_errc::file_unreadable);
    CHECK(exit_code_for(ec) == exit_code::configuration);
    CHECK(message == "password file '" + over + "' is larger than 100 bytes, the limit for a password file");
    CHECK(out.empty());

    const std::string empty = dir.write("empty", "");
    CHECK_FALSE(read_bounded_file(empty, "cqlshrc", {100}, out, message));
    CHECK(out.empty());
}

TEST_CASE("bounded_file: the mode and owner judged are those of the file read, even if the path changes between") {
    const temp_dir dir("cqlwire-bounded");
    const std::string path = dir.write("credentials", "[plain_text_auth]\npassword = mine\n");
    bounded_file file;
    std::string message;
    REQUIRE_FALSE(file.open(path, "credentials file", {max_cqlshrc_size}, message));
    CHECK(S_ISREG(file.status().st_mode));
    CHECK((file.status().st_mode & 0777) == 0600);
    CHECK(file.status().st_uid == ::getuid());
    // Another file put in its place after the check is not what is read.
    const std::string other = dir.write("other", "[plain_text_auth]\npassword = theirs\n",
                                        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
                                            std::filesystem::perms::others_read);
    std::filesystem::rename(other, path);
    std::string out;
    REQUIRE_FALSE(file.read(out, message));
    CHECK(out == "[plain_text_auth]\npassword = mine\n");

    // The checks read_bounded_file makes before reading still come with the read.
    bounded_file folder;
    REQUIRE_FALSE(folder.open(dir.str(), "credentials file", {max_cqlshrc_size}, message));
    CHECK(S_ISDIR(folder.status().st_mode));
    CHECK(folder.read(out, message) == cli_errc::file_unreadable);
    CHECK(message == "credentials file '" + dir.str() + "' is a directory; give a file");
    bounded_file missing;
    CHECK(missing.open(dir.path("missing"), "credentials file", {max_cqlshrc_size}, message) == cli_errc::file_unreadable);
    CHECK(message == "cannot read credentials file '" + dir.path("missing") + "': No such file or directory");
}

TEST_CASE("a directory, a missing file and a symbolic link (when refused) are errors naming the path") {
    const temp_dir dir("cqlwire-bounded");
    std::string out;
    std::string message;
    const std::string folder = dir.str();
    CHECK(read_bounded_file(folder, "private key file", {max_key_file_size}, out, message) == cli_errc::file_unreadable);
    CHECK(message == "private key file '" + folder + "' is a directory; give a file");

    const std::string missing = dir.path("missing");
    CHECK(read_bounded_file(missing, "cqlshrc", {max_cqlshrc_size}, out, message) == cli_errc::file_unreadable);
    CHECK(message == "cannot read cqlshrc '" + missing + "': No such file or directory");

    const std::string target = dir.write("target", "text\n");
    const std::string link = dir.path("link");
    REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
    CHECK_FALSE(read_bounded_file(link, "cqlshrc", {max_cqlshrc_size}, out, message));
    CHECK(out == "text\n");
    file_limits no_links{max_cqlshrc_size};
    no_links.follow_links = false;
    CHECK(read_bounded_file(link, "history file", no_links, out, message) == cli_errc::file_unreadable);
    CHECK(message == "history file '" + link + "' is a symbolic link; it is not followed");
}

TEST_CASE("endless devices stop at the cap, quickly, naming the path and the cap") {
    for (const std::string device : {"/dev/zero", "/dev/urandom"}) {
        CAPTURE(device);
        std::string out;
        std::string message;
        const auto start = steady::now();
        CHECK(read_bounded_file(device, "private key file", {max_key_file_size}, out, message) ==
              cli_errc::file_unreadable);
        CHECK(steady::now() - start < std::chrono::seconds(2));
        CHECK(message == "private key file '" + device + "' is larger than 1 MiB, the limit for a private key file");
        CHECK(out.empty());
    }
}

TEST_CASE("a FIFO that never ends stops at the cap") {
    const temp_dir dir("cqlwire-bounded");
    cqlwire::test::endless_fifo fifo(dir.path("endless"));
    std::string out;
    std::string message;
    const auto start = steady::now();
    CHECK(read_bounded_file(fifo.path(), "password file", {max_secret_file_size}, out, message) ==
          cli_errc::file_unreadable);
    CHECK(steady::now() - start < std::chrono::seconds(2));
    CHECK(message == "password file '" + fifo.path() + "' is larger than 64 KiB, the limit for a password file");
    // The writer did write: the cap stopped the read. (Its count follows its last write, which
    // the read may have taken before the count was made: wait for it.)
    for (int i = 0; i < 200 && fifo.bytes_written() <= max_secret_file_size; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(fifo.bytes_written() > max_secret_file_size);
}

TEST_CASE("a FIFO whose writer never comes, or never writes, is waited on only max_wait") {
    const temp_dir dir("cqlwire-bounded");
    const std::string lonely = dir.path("lonely");
    REQUIRE(::mkfifo(lonely.c_str(), 0600) == 0);
    std::string out = "old";
    std::string message;
    const file_limits short_wait{max_secret_file_size, std::chrono::milliseconds(300)};
    auto start = steady::now();
    CHECK(read_bounded_file(lonely, "password file", short_wait, out, message) == cli_errc::file_unreadable);
    CHECK(steady::now() - start < std::chrono::seconds(2));
    CHECK(message == "password file '" + lonely + "' did not reach its end within 300 ms; give a file, or a pipe whose "
                     "writer writes and closes it");
    CHECK(out.empty());

    cqlwire::test::silent_fifo silent(dir.path("silent"));
    start = steady::now();
    const auto ec = read_bounded_file(silent.path(), "password file", short_wait, out, message);
    const auto waited = steady::now() - start;
    CHECK(ec == cli_errc::file_unreadable);
    CHECK(message == "password file '" + silent.path() + "' did not reach its end within 300 ms; give a file, or a pipe "
                     "whose writer writes and closes it");
    CHECK(waited >= std::chrono::milliseconds(300));
    CHECK(waited < std::chrono::seconds(2));
}

TEST_CASE("a FIFO whose writer opens it after the reader is read (mkfifo p; cqlwire ... & echo pw > p)") {
    const temp_dir dir("cqlwire-bounded");
    const std::string path = dir.path("later");
    REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
    std::thread writer([path] {
        std::this_thread::sleep_for(std::chrono::milliseconds(150));
        // Non-blocking, so that the test ends even if the reader has gone: no reader is ENXIO.
        int fd = -1;
        for (int tries = 0; fd < 0 && tries < 200; ++tries) {
            fd = ::open(path.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        if (fd < 0) return;
        [[maybe_unused]] auto n = ::write(fd, "pw\n", 3);
        ::close(fd);
    });
    std::string out;
    std::string message;
    const auto ec = read_bounded_file(path, "password file", {max_secret_file_size, std::chrono::seconds(5)}, out, message);
    writer.join();
    CHECK_FALSE(ec);
    CHECK(out == "pw\n");
}

TEST_CASE("a pipe that delivers its data is read to its end (--password-file <(echo pw))") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string data = "pipe-secret\n";
    REQUIRE(::write(fds[1], data.data(), data.size()) == static_cast<ssize_t>(data.size()));
    ::close(fds[1]);
    std::string out;
    std::string message;
    const std::string path = "/dev/fd/" + std::to_string(fds[0]);
    CHECK_FALSE(read_bounded_file(path, "password file", {max_secret_file_size}, out, message));
    CHECK(out == data);
    ::close(fds[0]);

    // A writer that takes its time (a program asking for its own passphrase first) is waited for.
    REQUIRE(::pipe(fds) == 0);
    std::thread slow([w = fds[1]] {
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        [[maybe_unused]] auto n = ::write(w, "late\n", 5);
        ::close(w);
    });
    CHECK_FALSE(read_bounded_file("/dev/fd/" + std::to_string(fds[0]), "password file", {max_secret_file_size}, out,
                                  message));
    slow.join();
    CHECK(out == "late\n");
    ::close(fds[0]);
}

TEST_CASE("the permission warning: regular files group or others may read") {
    CHECK(readable_by_others_warning("/p", "a password", S_IFREG | 0644) ==
          "/p holds a password and is readable by other users; chmod 600 it");
    CHECK(readable_by_others_warning("/p", "a password", S_IFREG | 0640) != "");
    CHECK(readable_by_others_warning("/p", "a password", S_IFREG | 0600) == "");
    CHECK(readable_by_others_warning("/p", "a password", S_IFIFO | 0666) == "");  // a pipe, from <(...)
}

TEST_CASE("sizes as messages name them") {
    CHECK(describe_size(mebibyte) == "1 MiB");
    CHECK(describe_size(64 * kibibyte) == "64 KiB");
    CHECK(describe_size(1000) == "1000 bytes");
    CHECK(describe_size(mebibyte + 1) == "1048577 bytes");
}

TEST_CASE("a pipe that trickles forever ends within max_wait in all; a password's first line needs no end") {
    int fds[2];
    REQUIRE(::pipe(fds) == 0);
    const std::string path = "/dev/fd/" + std::to_string(fds[0]);
    std::atomic<bool> stop{false};
    std::thread trickle([&] {
        while (!stop) {
            if (::write(fds[1], "a", 1) != 1) break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    });
    std::string out;
    std::string message;
    const auto start = steady::now();
    CHECK(read_bounded_file(path, "password file", {max_secret_file_size, std::chrono::milliseconds(300)}, out, message) ==
          cli_errc::file_unreadable);
    CHECK(steady::now() - start < std::chrono::seconds(2));
    stop = true;
    trickle.join();
    // The first line arrived and the writer keeps the pipe open: the line is enough.
    REQUIRE(::write(fds[1], "pw\nmore", 7) == 7);
    const auto again = steady::now();
    CHECK_FALSE(read_bounded_file(path, "password file",
                                  {max_secret_file_size, std::chrono::milliseconds(5000), true, true}, out, message));
    CHECK(out.starts_with("pw\n"));
    CHECK(steady::now() - again < std::chrono::seconds(2));
    ::close(fds[0]);
    ::close(fds[1]);
}

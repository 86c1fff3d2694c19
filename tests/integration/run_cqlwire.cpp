#include "test_support.hpp"

#include "run_cqlwire.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "cqlwire/protocol/ascii.hpp"

#ifndef CQLWIRE_BINARY
#error "CMake passes the path of the cqlwire binary as CQLWIRE_BINARY"
#endif

namespace cqlwire::integration {
namespace {

// Removes the scratch folder when the test process ends.
struct scratch_owner {
    std::filesystem::path path;
    scratch_owner() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cqlwire-integration-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
        path = pattern;
        std::filesystem::create_directory(path / "home");
    }
    ~scratch_owner() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    scratch_owner(const scratch_owner&) = delete;
    scratch_owner& operator=(const scratch_owner&) = delete;
};

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        lines.push_back(text.substr(0, nl));
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    return lines;
}

}  // namespace

const std::filesystem::path& scratch_folder() {
    static const scratch_owner owner;
    return owner.path;
}

std::string write_private_file(const std::string& name, const std::string& text) {
    const auto path = scratch_folder() / name;
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out) throw std::runtime_error("cannot write " + path.string());
    }
    std::filesystem::permissions(path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    return path.string();
}

std::string cqlwire_binary() { return CQLWIRE_BINARY; }

process_result run_cqlwire(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                           std::chrono::milliseconds timeout, const std::string& stdin_text) {
    test::process_options options;
    options.stdin_text = stdin_text;
    options.env = test::isolated_cqlwire_env((scratch_folder() / "home").string());
    for (const auto& [k, v] : env) options.env[k] = v;
    options.timeout = timeout;
    return test::run_process(CQLWIRE_BINARY, args, options);
}

process_result run_cqlwire_logged_in(const testbed_env& tb, const std::vector<std::string>& more) {
    auto r = run_cqlwire(concat(concat(tls_args(tb), login_args(tb)), more), password_env(tb), std::chrono::seconds(60));
    INFO(describe(r));
    CHECK(r.out.find(tb.password) == std::string::npos);
    CHECK(r.err.find(tb.password) == std::string::npos);
    return r;
}

std::string describe(const process_result& r) {
    return "exit code " + std::to_string(r.exit_code) + (r.timed_out ? " (killed after the time limit)" : "") +
           "\n--- stdout:\n" + r.out + "\n--- stderr:\n" + r.err;
}

std::string article_cqlshrc(const testbed_env& tb) {
    return "[authentication]\n"
           "username = " + tb.user + "\n"
           "password = " + tb.password + "\n"
           "\n"
           "[connection]\n"
           "hostname = " + tb.host + "\n"
           "port = " + std::to_string(tb.port) + "\n"
           "\n"
           "[ssl]\n"
           "certfile = " + tb.pki_file("server-ca.crt") + "\n"
           "validate = true ;; Optional, true by default\n"
           "userkey = " + tb.pki_file("rootCa.key") + "\n"
           "usercert = " + tb.pki_file("rootCa.crt") + "\n";
}

std::vector<std::string> tls_args(const testbed_env& tb) {
    return {"--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert", tb.pki_file("rootCa.crt"), "--key",
            tb.pki_file("rootCa.key"), tb.host, std::to_string(tb.port)};
}

std::vector<std::string> login_args(const testbed_env& tb) { return {"-u", tb.user}; }

std::map<std::string, std::string> password_env(const testbed_env& tb) { return {{"CQLWIRE_PASSWORD", tb.password}}; }

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

bool contains_case_insensitive(std::string_view text, std::string_view word) {
    return cqlwire::protocol::find_ignoring_ascii_case(text, word) != std::string_view::npos;
}

bool check_failure(const process_result& r, int exit_code, std::initializer_list<std::string_view> words) {
    return check_failure(r, exit_code, words, require_testbed().password);
}

bool check_failure(const process_result& r, int exit_code, std::initializer_list<std::string_view> words,
                   std::string_view password) {
    INFO(describe(r));
    bool ok = true;
    // Each CHECK also feeds `ok`, so that a caller repeating a run can stop at the first miss.
    const auto check = [&ok](bool condition) {
        ok = ok && condition;
        return condition;
    };
    CHECK(check(!r.timed_out));
    CHECK(check(r.exit_code == exit_code));
    const auto lines = split_lines(r.err);
    REQUIRE_FALSE(lines.empty());
    for (const auto line : lines) CHECK_MESSAGE(check(line.starts_with("cqlwire: ")), "stderr line: " << line);
    // The cause is on the first line that is not a warning.
    const auto cause = std::find_if(lines.begin(), lines.end(),
                                    [](std::string_view l) { return !l.starts_with("cqlwire: warning"); });
    REQUIRE(cause != lines.end());
    for (const auto word : words)
        CHECK_MESSAGE(check(contains_case_insensitive(*cause, word)), "expected '" << word << "' in: " << *cause);
    // Only the test role's password is distinctive enough to look for ("cassandra", the
    // superuser's, is part of every Cassandra class name and of the certificate's SANs).
    CHECK_MESSAGE(check(r.out.find(password) == std::string::npos), "the password appears on stdout");
    CHECK_MESSAGE(check(r.err.find(password) == std::string::npos), "the password appears on stderr");
    return ok;
}

boost::json::array json_rows(const process_result& r) {
    INFO(describe(r));
    REQUIRE_FALSE(r.timed_out);
    REQUIRE(r.exit_code == 0);
    boost::system::error_code ec;
    auto parsed = boost::json::parse(r.out, ec);
    REQUIRE_MESSAGE(!ec, "stdout is not one JSON document: " << ec.message());
    REQUIRE(parsed.is_array());
    for (const auto& row : parsed.as_array()) REQUIRE_MESSAGE(row.is_object(), "a row is not a JSON object: " << boost::json::serialize(row));
    return std::move(parsed.as_array());
}

const std::string& article_cqlshrc_file() {
    static const std::string path = write_private_file("article-cqlshrc", article_cqlshrc(require_testbed()));
    return path;
}

}  // namespace cqlwire::integration

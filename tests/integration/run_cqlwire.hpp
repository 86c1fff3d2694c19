// Running the real `cqlwire` binary against the testbed node, hermetically: the child gets an
// empty HOME (so no ~/.cassandra/cqlshrc of the developer is read) and none of the environment
// variables cqlwire reads unless a test sets them. Plus the checks every failure test makes on
// what cqlwire prints.
#pragma once

#include <chrono>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "run_process.hpp"
#include "testbed_env.hpp"

namespace cqlwire::integration {

using test::process_result;

// Runs cqlwire with `args`. `env` adds variables (e.g. CQLWIRE_PASSWORD) on top of the hermetic
// environment. Killed after `timeout`: a run should take well under a second, but creating a
// schema on a busy node takes longer. `stdin_text` is its standard input (then closed).
process_result run_cqlwire(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                           std::chrono::milliseconds timeout = std::chrono::seconds(20),
                           const std::string& stdin_text = "");

// Runs cqlwire logged in over mutual TLS: tls_args, login_args, then `more`, the password in
// CQLWIRE_PASSWORD, a minute to finish; CHECKs that the password appears in neither output.
process_result run_cqlwire_logged_in(const testbed_env& tb, const std::vector<std::string>& more);

// The path of the cqlwire binary under test (for runs on a terminal).
std::string cqlwire_binary();

// Exit code, timing-out flag, stdout and stderr, for failure messages.
std::string describe(const process_result& r);

// A folder private to this test process (mode 0700), removed when the process exits.
const std::filesystem::path& scratch_folder();

// Writes `text` to scratch_folder()/name with mode 0600 (files here may hold the password) and
// returns the path.
std::string write_private_file(const std::string& name, const std::string& text);

// The cqlshrc of the Azure article's layout for the testbed: [authentication] the test role,
// [connection] hostname and TLS port, [ssl] certfile = server-ca.crt, validate = true,
// userkey = rootCa.key, usercert = rootCa.crt.
std::string article_cqlshrc(const testbed_env& tb);

// --ssl --cafile server-ca.crt --cert rootCa.crt --key rootCa.key, then host and TLS port.
std::vector<std::string> tls_args(const testbed_env& tb);
// -u <test role>; its password travels in CQLWIRE_PASSWORD (see password_env), not in argv.
std::vector<std::string> login_args(const testbed_env& tb);
std::map<std::string, std::string> password_env(const testbed_env& tb);

// `a` followed by `b`.
std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b);

bool contains_case_insensitive(std::string_view text, std::string_view word);

// The checks on a run that must fail: the exit code is `exit_code`; stderr is non-empty and
// every line of it starts with "cqlwire: "; the first line names the cause (contains each of
// `words`, case-insensitively); the test role's password appears in neither stdout nor stderr.
// Returns whether every check passed.
bool check_failure(const process_result& r, int exit_code, std::initializer_list<std::string_view> words);
// The same with `password` as the secret that must appear in neither output (for the runs
// against another node than the main one, whose test role's password that is).
bool check_failure(const process_result& r, int exit_code, std::initializer_list<std::string_view> words,
                   std::string_view password);

// The rows of a successful `--format json` run of ONE statement: REQUIREs exit code 0 and that
// stdout is a single JSON array whose elements are all objects.
boost::json::array json_rows(const process_result& r);

// The article's cqlshrc, written once per process into the scratch folder.
const std::string& article_cqlshrc_file();

}  // namespace cqlwire::integration

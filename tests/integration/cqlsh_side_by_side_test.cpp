// cqlsh's own commands (CONSISTENCY, SERIAL CONSISTENCY, EXPAND, TRACING, PAGING, SHOW HOST,
// SOURCE, EXIT) and every DESCRIBE form run through the testbed's real cqlsh and through
// `cqlwire`, against the same node with the same cqlshrc: standard output must match byte for
// byte, and the errors name the same improper commands. Also what a shell command changes: a CONSISTENCY the single node cannot meet
// makes the next statement fail, SHOW VERSION names the node's release, EXIT ends the script.
#include "test_support.hpp"

#include <filesystem>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run_cqlwire.hpp"
#include "terminal_session.hpp"

using namespace cqlwire::integration;

namespace {

const std::string keyspace = "shell_commands";

// The testbed's cqlsh, beside the venv's python.
std::string cqlsh_program(const testbed_env& tb) {
    return (std::filesystem::path(tb.python).parent_path() / "cqlsh").string();
}

process_result run_cqlsh(const testbed_env& tb, const std::string& cqlshrc, const std::string& script) {
    cqlwire::test::process_options o;
    o.env = {{"HOME", scratch_folder().string()}};
    o.timeout = std::chrono::seconds(60);
    return cqlwire::test::run_process(cqlsh_program(tb), {"--ssl", "--cqlshrc", cqlshrc, "-f", script}, o);
}

// cqlsh's warning about its own build, which is not output of the script.
std::string without_cqlsh_banner(const std::string& out) {
    std::istringstream in(out);
    std::string line, kept;
    while (std::getline(in, line))
        if (!line.starts_with("WARNING: cqlsh was built against")) kept += line + "\n";
    return kept;
}

// The "Improper ... command." messages of stderr, in order (the two shells prefix them differently).
std::vector<std::string> improper_messages(const std::string& err) {
    std::vector<std::string> found;
    static const std::regex message("Improper \\S+ command\\.");
    for (auto it = std::sregex_iterator(err.begin(), err.end(), message); it != std::sregex_iterator(); ++it)
        found.push_back(it->str());
    return found;
}

// Both shells' runs of one script file.
struct side_by_side {
    process_result theirs, ours;
};

// Runs `script` through cqlsh, then cqlwire, with the same cqlshrc (the article's, then
// `more_cqlshrc`: further sections such as [ui]); REQUIREs that cqlsh ran it (its output holds
// `cqlsh_ran`), so that a broken cqlsh cannot pass for an agreement.
side_by_side run_both(const testbed_env& tb, const std::string& script, const std::string& cqlsh_ran,
                      const std::string& more_cqlshrc = "") {
    const std::string cqlshrc = write_private_file("side_by_side.cqlshrc", article_cqlshrc(tb) + more_cqlshrc);
    side_by_side r;
    r.theirs = run_cqlsh(tb, cqlshrc, script);
    INFO("cqlsh: " << describe(r.theirs));
    REQUIRE_MESSAGE(!r.theirs.timed_out, "cqlsh did not finish");
    REQUIRE_MESSAGE(r.theirs.out.find(cqlsh_ran) != std::string::npos, "the testbed's cqlsh did not run the script");
    r.ours = run_cqlwire({"--cqlshrc", cqlshrc, "-f", script});
    return r;
}

// 250 rows whose text widths differ from row to row, so that pages of 100 differ in width.
std::string many_rows() {
    std::string inserts;
    for (int k = 0; k < 250; ++k)
        inserts += " INSERT INTO " + keyspace + ".many (k, v) VALUES (" + std::to_string(k) + ", '" +
                   std::string(static_cast<std::size_t>(k % 37), 'x') + "');";
    return inserts;
}

void ensure_schema(const testbed_env& tb) {
    static bool done = false;
    if (done) return;
    const auto r = run_cqlwire_logged_in(
        tb, {"-e", "DROP KEYSPACE IF EXISTS " + keyspace + "; CREATE KEYSPACE " + keyspace +
                       " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}; CREATE TABLE " +
                       keyspace + ".t (k int PRIMARY KEY, wide text, absent text); INSERT INTO " + keyspace +
                       ".t (k, wide) VALUES (1, 'a value much wider than its column name, with ünïcödé and 日本'); "
                       "CREATE TYPE " + keyspace + ".addr (street text, n int); CREATE INDEX t_absent ON " + keyspace +
                       ".t (absent); CREATE TABLE " + keyspace + ".many (k int PRIMARY KEY, v text);" + many_rows() +
                       " CREATE TABLE " + keyspace + ".numbers (k int PRIMARY KEY, f float, d double, l list<double>);"
                       " INSERT INTO " + keyspace + ".numbers (k, f, d, l) VALUES (1, 3.14159265, 123456789.123456789, "
                       "[2.718281828459045, 1e-7]); INSERT INTO " + keyspace + ".numbers (k, f, d, l) VALUES (2, -0.000123456, "
                       "1.0, [])"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    done = true;
}

}  // namespace

TEST_CASE("cqlsh's shell commands: cqlwire prints what the real cqlsh prints") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string script = write_private_file("shell_commands.cql",
                                                  "CONSISTENCY\n"
                                                  "CONSISTENCY quorum\n"
                                                  "consistency\n"
                                                  "consistency FOO\n"
                                                  "CONSISTENCY ONE TWO\n"
                                                  "Consistency one;\n"
                                                  "SERIAL CONSISTENCY\n"
                                                  "serial consistency local_serial\n"
                                                  "SERIAL CONSISTENCY\n"
                                                  "SERIAL CONSISTENCY ONE\n"
                                                  "EXPAND\n"
                                                  "EXPAND ON\n"
                                                  "expand on\n"
                                                  "SELECT key, cluster_name, data_center FROM system.local;\n"
                                                  "SELECT * FROM " + keyspace + ".t;\n"
                                                  "SELECT key FROM system.local WHERE key = 'nope';\n"
                                                  "EXPAND OFF\n"
                                                  "EXPAND maybe\n"
                                                  "SELECT key FROM system.local WHERE key = 'nope';\n"
                                                  "TRACING\n"
                                                  "TRACING OFF\n"
                                                  "PAGING\n"
                                                  "SELECT * FROM " + keyspace + ".many;\n"
                                                  "PAGING OFF\n"
                                                  "SELECT * FROM " + keyspace + ".many;\n"
                                                  "PAGING 20\n"
                                                  "PAGING ON\n"
                                                  "PAGING\n"
                                                  "SHOW HOST\n"
                                                  "show   host\n"
                                                  "EXIT\n"
                                                  "SELECT 'not run' FROM system.local;\n");
    const auto [theirs, ours] = run_both(tb, script, "Current consistency level is ONE.");
    INFO("cqlsh: " << describe(theirs));
    INFO("cqlwire: " << describe(ours));
    CHECK(ours.out == without_cqlsh_banner(theirs.out));
    CHECK(improper_messages(ours.err) == improper_messages(theirs.err));
    CHECK(improper_messages(ours.err).size() == 4);
    // Improper commands are reported as rejected statements (cqlsh exits 2 after any error).
    CHECK(ours.exit_code == 6);
    CHECK(ours.out.find("not run") == std::string::npos);
}

TEST_CASE("CONSISTENCY applies to the following statements, also in -e, where `;` ends it") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    // One replica cannot answer THREE: the server refuses, naming the level.
    const auto refused = run_cqlwire_logged_in(tb, {"-e", "CONSISTENCY THREE; SELECT * FROM " + keyspace + ".t"});
    INFO(describe(refused));
    CHECK(refused.exit_code == 6);
    CHECK(refused.out == "Consistency level set to THREE.\n");
    CHECK(contains_case_insensitive(refused.err, "THREE"));
    const auto served = run_cqlwire_logged_in(tb, {"-e", "CONSISTENCY THREE; CONSISTENCY ONE; SELECT k FROM " + keyspace + ".t"});
    INFO(describe(served));
    CHECK(served.exit_code == 0);
    CHECK(served.out.ends_with("(1 rows)\n"));
}

TEST_CASE("TRACING ON traces the following statements; SHOW VERSION names the node's release") {
    const auto& tb = require_testbed();
    const auto traced = run_cqlwire_logged_in(tb, {"-e", "SELECT key FROM system.local; TRACING ON; SELECT key FROM system.local"});
    INFO(describe(traced));
    CHECK(traced.exit_code == 0);
    const auto first_trace = traced.out.find("Tracing session: ");
    CHECK(first_trace != std::string::npos);
    CHECK(traced.out.find("TRACING set to ON") < first_trace);
    CHECK(traced.out.find("Tracing session: ", first_trace + 1) == std::string::npos);

    const auto version = run_cqlwire_logged_in(tb, {"-e", "SHOW VERSION"});
    INFO(describe(version));
    CHECK(version.exit_code == 0);
    CHECK(std::regex_match(version.out, std::regex("\\[cqlwire \\S+ \\| Cassandra " + std::regex_replace(tb.version, std::regex("\\."), "\\.") +
                                                   " \\| CQL spec 3\\.\\d+\\.\\d+ \\| Native protocol v4\\]\n")));
}

TEST_CASE("SOURCE runs a file in a shell of its own, as cqlsh does: same output as cqlsh") {
    const auto& tb = require_testbed();
    // The sourced file starts from the default levels and EXPAND OFF, and its EXIT ends it only.
    const std::string inner = write_private_file("inner.cql",
                                                 "CONSISTENCY\n"
                                                 "EXPAND ON\n"
                                                 "SELECT key FROM system.local;\n"
                                                 "EXIT\n"
                                                 "SELECT 'not run' FROM system.local;\n");
    const std::string outer = write_private_file("outer.cql",
                                                 "CONSISTENCY QUORUM\n"
                                                 "SOURCE '" + inner + "'\n"
                                                 "CONSISTENCY\n"
                                                 "EXPAND\n"
                                                 "SELECT key FROM system.local;\n"
                                                 "SOURCE '" + (scratch_folder() / "missing.cql").string() + "'\n"
                                                 "SOURCE '" + scratch_folder().string() + "'\n");
    const auto [theirs, ours] = run_both(tb, outer, "Consistency level set to QUORUM.");
    INFO("cqlsh: " << describe(theirs));
    INFO("cqlwire: " << describe(ours));
    CHECK(ours.out == without_cqlsh_banner(theirs.out));
    CHECK(ours.out.find("not run") == std::string::npos);
    CHECK(ours.err.find("Could not open '" + (scratch_folder() / "missing.cql").string() +
                        "': No such file or directory") != std::string::npos);
    CHECK(ours.err.find("Could not open '" + scratch_folder().string() + "': Is a directory") != std::string::npos);
    CHECK(ours.exit_code == 6);
}

TEST_CASE("SOURCE of a file that sources itself stops, naming the nesting") {
    const auto& tb = require_testbed();
    const std::string self = (scratch_folder() / "self.cql").string();
    write_private_file("self.cql", "SELECT key FROM system.local;\nSOURCE '" + self + "'\n");
    const auto r = run_cqlwire_logged_in(tb, {"-f", self});
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("SOURCE files nested more than 16 deep") != std::string::npos);
    // The file ran once at each of the 17 levels.
    std::size_t rows = 0;
    for (auto at = r.out.find("(1 rows)"); at != std::string::npos; at = r.out.find("(1 rows)", at + 1)) ++rows;
    CHECK(rows == 17);
}

TEST_CASE("SHOW SESSION prints a recorded trace") {
    const auto& tb = require_testbed();
    const auto traced = run_cqlwire_logged_in(tb, {"-e", "TRACING ON; SELECT key FROM system.local"});
    INFO(describe(traced));
    REQUIRE(traced.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(traced.out, m, std::regex("Tracing session: ([0-9a-f-]{36})")));
    const std::string id = m[1];
    const auto shown = run_cqlwire_logged_in(tb, {"-e", "SHOW SESSION " + id});
    INFO(describe(shown));
    CHECK(shown.exit_code == 0);
    CHECK(shown.out.find("Tracing session: " + id) != std::string::npos);
    CHECK(shown.out.find("Request complete") != std::string::npos);
}

TEST_CASE("DESCRIBE in every form prints what cqlsh prints") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string script = write_private_file("describe.cql",
                                                  "DESCRIBE KEYSPACES\n"
                                                  "DESC TABLES\n"
                                                  "describe columnfamilies\n"
                                                  "DESCRIBE TYPES\n"
                                                  "DESCRIBE FUNCTIONS\n"
                                                  "DESCRIBE AGGREGATES\n"
                                                  "DESCRIBE CLUSTER\n"
                                                  "DESCRIBE KEYSPACE " + keyspace + "\n"
                                                  "DESCRIBE ONLY KEYSPACE " + keyspace + "\n"
                                                  "DESCRIBE TABLE " + keyspace + ".t\n"
                                                  "DESC COLUMNFAMILY " + keyspace + ".t WITH INTERNALS\n"
                                                  "DESCRIBE INDEX " + keyspace + ".t_absent\n"
                                                  "DESCRIBE TYPE " + keyspace + ".addr\n"
                                                  "DESCRIBE " + keyspace + ".t\n"
                                                  "DESCRIBE " + keyspace + "\n"
                                                  "DESCRIBE SCHEMA\n"
                                                  "DESCRIBE FULL SCHEMA\n"
                                                  "USE " + keyspace + ";\n"
                                                  "DESC TABLES\n"
                                                  "DESCRIBE TYPES\n"
                                                  "DESC CLUSTER\n"
                                                  "DESCRIBE TYPE addr\n");
    const auto [theirs, ours] = run_both(tb, script, "CREATE TABLE " + keyspace + ".t");
    INFO("cqlsh: " << describe(theirs));
    INFO("cqlwire: " << describe(ours));
    CHECK(ours.exit_code == 0);
    CHECK(ours.err.empty());
    CHECK(ours.out == without_cqlsh_banner(theirs.out));
    // Never the table form's escaped line breaks.
    CHECK(ours.out.find("\\n") == std::string::npos);
}

TEST_CASE("DESCRIBE with --format json keeps the rows as data") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto r = run_cqlwire_logged_in(tb, {"--format", "json", "-e", "DESCRIBE TABLE " + keyspace + ".t"});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.starts_with("[{"));
    CHECK(r.out.find("\"create_statement\"") != std::string::npos);
}

TEST_CASE("the interactive shell greets as cqlsh does: the cluster and host, the versions, HELP") {
    const auto& tb = require_testbed();
    auto env = cqlwire::test::isolated_cqlwire_env(scratch_folder().string());
    env["CQLWIRE_PASSWORD"] = tb.password;
    env["TERM"] = "dumb";
    cqlwire::test::terminal_session term(cqlwire_binary(), concat(tls_args(tb), login_args(tb)), env);
    CHECK(term.expect("Connected to cqlwire-testbed at " + tb.host + ":" + std::to_string(tb.port) + "\r\n"));
    CHECK(term.expect(" | Cassandra " + tb.version + " | CQL spec 3."));
    // The prompt names the user, as cqlsh's does.
    CHECK(term.expect("Use HELP for help.\r\n" + tb.user + "@cqlwire> "));
    term.type("SHOW HOST\r");
    CHECK(term.expect("Connected to cqlwire-testbed at " + tb.host));
    term.type("EXIT\r");
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    CHECK(term.shown().find(tb.password) == std::string::npos);
}

TEST_CASE("LOGIN changes the role on a new connection to the same node, keeping the keyspace; a refused LOGIN keeps the old one") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string script = write_private_file(
        "login.cql", "USE " + keyspace + ";\n"
                     "SELECT role FROM system_auth.roles WHERE role = 'cassandra';\n"
                     "LOGIN " + tb.superuser + " 'Wr0ng-Secret'\n"
                     "SELECT k FROM t;\n"
                     "LOGIN " + tb.superuser + " '" + tb.superpassword + "'\n"
                     "SELECT role FROM system_auth.roles WHERE role = 'cassandra';\n"
                     "SELECT k FROM t;\n");
    const auto r = run_cqlwire_logged_in(tb, {"-f", script});
    INFO(describe(r));
    // The test role may not read the roles; the refused LOGIN is an authentication failure.
    CHECK(r.exit_code == 6);
    CHECK(contains_case_insensitive(r.err, "Unauthorized"));
    CHECK(r.err.find("LOGIN") != std::string::npos);
    CHECK(contains_case_insensitive(r.err, "authentication"));
    // After the refused LOGIN the old role still runs statements in the keyspace; after the good
    // one the superuser reads the roles, in the same keyspace.
    CHECK(r.out.find(" cassandra\n") != std::string::npos);
    std::size_t rows = 0;
    for (auto at = r.out.find("(1 rows)"); at != std::string::npos; at = r.out.find("(1 rows)", at + 1)) ++rows;
    CHECK(rows == 3);
    // The refused password shows nowhere (the right one is the testbed's well-known default).
    CHECK(r.out.find("Wr0ng-Secret") == std::string::npos);
    CHECK(r.err.find("Wr0ng-Secret") == std::string::npos);
}

TEST_CASE("[ui] float_precision and double_precision in the cqlshrc: the same digits as cqlsh") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string script = write_private_file("precision.cql", "SELECT * FROM " + keyspace + ".numbers;\n");
    const auto [theirs, ours] =
        run_both(tb, script, "(2 rows)", "\n[ui]\nfloat_precision = 3\ndouble_precision = 12\n");
    INFO("cqlsh: " << describe(theirs));
    INFO("cqlwire: " << describe(ours));
    CHECK(ours.exit_code == 0);
    CHECK(ours.out == without_cqlsh_banner(theirs.out));
    CHECK(ours.out.find("123456789.123") != std::string::npos);  // 12 digits of the double
    CHECK(ours.out.find("3.14") != std::string::npos);           // 3 of the float
}

#include "test_support.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <unistd.h>

#include "fake_cql_server.hpp"
#include "terminal_session.hpp"
#include "text_rows_reply.hpp"

// The interactive shell's editing on a terminal: Tab completion with the schema asked of the (fake)
// node, Ctrl-R over the history, and where the history is kept.

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::fake_request;
using cqlwire::test::fake_session;

// Answers `query` with one text column holding `names`.
void serve_names(fake_cql_server& server, const std::string& query, std::vector<std::string> names) {
    server.on_query(query, [names = std::move(names)](fake_session& s, const fake_request& r) {
        cqlwire::test::send_text_rows(s, r, "system_schema", "t", {"name"}, names);
    });
}

}  // namespace

TEST_CASE("shell: Tab completes keywords, keyspaces and tables from the node, and lists candidates") {
    fake_cql_server server({});
    serve_names(server, "SELECT keyspace_name FROM system_schema.keyspaces", {"cli_ks", "system"});
    serve_names(server, "SELECT keyspace_name FROM system_virtual_schema.keyspaces", {"system_views"});
    serve_names(server, "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", {"events", "users"});
    serve_names(server, "SELECT view_name FROM system_schema.views WHERE keyspace_name = ?", {});
    const auto home = std::filesystem::temp_directory_path() / ("cqlwire-complete-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())},
                                         cqlwire::test::isolated_terminal_env(home.string(), "xterm"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("sel\t");
    REQUIRE(term.expect("SELECT "));
    term.type("* FROM cli\t");
    REQUIRE(term.expect("SELECT * FROM cli_ks."));
    term.type("\t\t");  // two tables: the second Tab lists them under the line, which comes back
    REQUIRE(term.expect("cli_ks.events  cli_ks.users\r\n"));
    REQUIRE(term.expect("cqlwire> SELECT * FROM cli_ks."));
    term.type("u\t");
    REQUIRE(term.expect("SELECT * FROM cli_ks.users "));
    term.type("\x15");  // Ctrl-U: the line is emptied
    term.type("\x03");
    REQUIRE(term.expect("^C"));
    term.type("exit\r");
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    // Completion asked the schema once per kind of name, and ran nothing else.
    auto asked = server.queries();
    std::erase_if(asked, [](const std::string& q) { return q.find("FROM system.local") != std::string::npos; });
    CHECK(asked == std::vector<std::string>{"SELECT keyspace_name FROM system_schema.keyspaces",
                                            "SELECT keyspace_name FROM system_virtual_schema.keyspaces",
                                            "SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?",
                                            "SELECT view_name FROM system_schema.views WHERE keyspace_name = ?"});
    std::filesystem::remove_all(home);
}

TEST_CASE("shell: a node that does not answer the schema leaves the line as it was, after one timeout") {
    fake_cql_server server({});
    auto stall = [](fake_session&, const fake_request&) {};
    server.on_query("SELECT keyspace_name FROM system_schema.keyspaces", stall);
    server.on_query("SELECT keyspace_name FROM system_virtual_schema.keyspaces", stall);
    server.on_query("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?", stall);
    const auto home = std::filesystem::temp_directory_path() / ("cqlwire-complete-stall-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())},
                                         cqlwire::test::isolated_terminal_env(home.string(), "xterm"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("USE \t");
    term.type("x;");  // typed while completion waits: it is kept, and shown once the wait ends
    REQUIRE(term.expect("USE x;", std::chrono::seconds(10)));
    term.type("\x03");
    // A place for columns: no column, and no keyword offered without them either.
    term.type("SELECT * FROM ks.t WHERE \t");
    term.type("k");
    REQUIRE(term.expect("SELECT * FROM ks.t WHERE k", std::chrono::seconds(10)));
    term.type("\x03" "exit\r");
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    // One request waited for at each Tab: after the first went unanswered, the others of the
    // same Tab were not made.
    const auto asked = server.queries();
    CHECK(std::count(asked.begin(), asked.end(), "SELECT keyspace_name FROM system_virtual_schema.keyspaces") == 0);
    std::filesystem::remove_all(home);
}

TEST_CASE("shell: the history moves to ~/.cassandra (0700, 0600), Ctrl-R finds it; CQL_HISTORY chooses the file") {
    fake_cql_server server({});
    const auto home = std::filesystem::temp_directory_path() / ("cqlwire-history-" + std::to_string(::getpid()));
    std::filesystem::remove_all(home);
    std::filesystem::create_directories(home);
    {
        std::ofstream old(home / ".cqlwire_history");
        old << "SELECT * FROM ks.old_one;\nCONSISTENCY QUORUM\n";
    }
    {
        cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())},
                                             cqlwire::test::isolated_terminal_env(home.string(), "xterm"));
        REQUIRE(term.expect("cqlwire> "));
        term.type("\x12" "old_");
        REQUIRE(term.expect("(reverse-i-search)`old_': SELECT * FROM ks.old_one;"));
        term.type("\x07");  // Ctrl-G: the empty line again
        term.type("CONSISTENCY\r");
        REQUIRE(term.expect("Current consistency level is ONE."));
        term.type("exit\r");
        INFO("shown: " << term.shown());
        CHECK(term.wait_exit() == 0);
    }
    struct stat st {};
    REQUIRE(::stat((home / ".cassandra").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    REQUIRE(::stat((home / ".cassandra" / "cqlwire_history").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK_FALSE(std::filesystem::exists(home / ".cqlwire_history"));
    std::ifstream moved(home / ".cassandra" / "cqlwire_history");
    const std::string kept((std::istreambuf_iterator<char>(moved)), std::istreambuf_iterator<char>());
    CHECK(kept == "SELECT * FROM ks.old_one;\nCONSISTENCY QUORUM\nCONSISTENCY\n");

    // CQL_HISTORY, as cqlsh reads it: the file there, its directory made.
    auto env = cqlwire::test::isolated_terminal_env(home.string(), "xterm");
    const auto chosen = home / "elsewhere" / "hist";
    env["CQL_HISTORY"] = chosen.string();
    {
        cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())}, env);
        REQUIRE(term.expect("cqlwire> "));
        term.type("EXPAND\r");
        REQUIRE(term.expect("EXPAND is OFF"));
        // Ctrl-D only at the prompt: typed while the terminal is still in canonical mode, it
        // is the line discipline's end of file, which reaches the editor as a NUL byte.
        REQUIRE(term.expect("cqlwire> "));
        term.type("\x04");
        INFO("shown: " << term.shown());
        CHECK(term.wait_exit() == 0);
    }
    std::ifstream chosen_file(chosen);
    const std::string text((std::istreambuf_iterator<char>(chosen_file)), std::istreambuf_iterator<char>());
    CHECK(text == "EXPAND\n");
    std::filesystem::remove_all(home);
}

TEST_CASE("shell: Ctrl-C at LOGIN's password prompt abandons the LOGIN, not the session") {
    fake_cql_server server({});
    const auto home = std::filesystem::temp_directory_path() / ("cqlwire-login-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())},
                                         cqlwire::test::isolated_terminal_env(home.string(), "xterm"));
    INFO("shown: " << term.shown());
    REQUIRE(term.expect("cqlwire> "));
    term.type("LOGIN someone\r");
    REQUIRE(term.expect("Password: "));
    term.type("abc\x03");
    REQUIRE(term.expect("\r\ncqlwire: LOGIN someone: interrupted: no password was entered"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("exit\r");
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    // What was typed at the prompt went nowhere: no second connection, no password.
    CHECK(term.shown().find("abc") == std::string::npos);
    std::filesystem::remove_all(home);
}

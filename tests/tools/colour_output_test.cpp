#include "test_support.hpp"

#include <filesystem>
#include <string>
#include <vector>

#include "fake_cql_server.hpp"
#include "run_process.hpp"
#include "text_rows_reply.hpp"

// cqlsh's colours through the real binary (-C forces them into a pipe): column names by their
// role in the table, read from the (fake) node's schema, and errors in red on standard error.

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::fake_request;
using cqlwire::test::fake_session;

constexpr std::string_view red = "\x1b[0;1;31m";
constexpr std::string_view cyan = "\x1b[0;1;36m";
constexpr std::string_view magenta = "\x1b[0;1;35m";
constexpr std::string_view yellow = "\x1b[0;1;33m";
constexpr std::string_view reset = "\x1b[0m";

// Answers `query` with text columns `names` of ks.t and the rows given.
void serve_text_rows(fake_cql_server& server, const std::string& query, std::vector<std::string> names,
                     std::vector<std::string> cells) {
    server.on_query(query, [names = std::move(names), cells = std::move(cells)](fake_session& s, const fake_request& r) {
        cqlwire::test::send_text_rows(s, r, "ks", "t", names, cells);
    });
}

cqlwire::test::process_result run(const std::vector<std::string>& args) {
    cqlwire::test::process_options o;
    const auto home = std::filesystem::temp_directory_path() / "cqlwire-colour-home";
    std::filesystem::create_directories(home);
    o.env = cqlwire::test::isolated_cqlwire_env(home.string());
    o.timeout = std::chrono::seconds(30);
    auto r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    INFO("stdout: " << r.out);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    return r;
}

}  // namespace

TEST_CASE("-C: a table's column names are coloured by their role, as cqlsh colours them") {
    fake_cql_server server({});
    serve_text_rows(server, "SELECT k, c, v FROM ks.t", {"k", "c", "v"}, {"a", "b", "x"});
    server.on_query(
        "SELECT column_name, kind, position, type FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?",
        [](fake_session& s, const fake_request& r) {
            cqlwire::test::send_text_rows(s, r, "system_schema", "columns", {"column_name", "kind", "position", "type"},
                                          {"k", "partition_key", "", "text", "c", "clustering", "", "text", "v",
                                           "regular", "", "text"});
        });
    const std::string port = std::to_string(server.port());
    SUBCASE("coloured") {
        const auto r = run({"127.0.0.1", port, "-C", "-e", "SELECT k, c, v FROM ks.t"});
        CHECK(r.exit_code == 0);
        const std::string header = " " + std::string(red) + "k" + std::string(reset) + " | " + std::string(cyan) + "c" +
                                   std::string(reset) + " | " + std::string(magenta) + "v" + std::string(reset) + "\n";
        CHECK(r.out.find(header) != std::string::npos);
        CHECK(r.out.find(std::string(yellow) + "a" + std::string(reset)) != std::string::npos);
        CHECK(r.out.find("---+---+---\n") != std::string::npos);  // widths count what shows
    }
    SUBCASE("--no-color wins, and a pipe without -C is plain: the schema is not even asked") {
        for (const auto& flags : {std::vector<std::string>{"-C", "--no-color"}, std::vector<std::string>{}}) {
            auto args = std::vector<std::string>{"127.0.0.1", port};
            args.insert(args.end(), flags.begin(), flags.end());
            args.insert(args.end(), {"-e", "SELECT k, c, v FROM ks.t"});
            const auto r = run(args);
            CHECK(r.exit_code == 0);
            CHECK(r.out == "\n k | c | v\n---+---+---\n a | b | x\n\n(1 rows)\n");
        }
        for (const auto& q : server.queries()) CHECK(q.find("system_schema.columns") == std::string::npos);
    }
}

TEST_CASE("-C: errors are red on standard error, the message itself still filtered") {
    fake_cql_server server({});
    const auto r = run({"127.0.0.1", std::to_string(server.port()), "-C", "-e", "SELECT \x1b[2J FROM nowhere"});
    CHECK(r.exit_code == 6);
    CHECK(r.err.starts_with(std::string(red) + "cqlwire: "));
    CHECK(r.err.ends_with(std::string(reset) + "\n"));
    // The colour's escapes are ours; none from the statement or the server reaches the terminal.
    CHECK(r.err.find("\x1b[2J") == std::string::npos);
}

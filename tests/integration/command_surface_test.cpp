// The query surface of the `cqlwire` command against a real Cassandra, over the flagship
// configuration (mutual TLS, password login): several statements from a file with USE carried
// over, --page-size over many rows, --tracing, warnings, results without rows, and `cqlwire
// events` seeing a schema change made by a second cqlwire.
#include "test_support.hpp"

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "run_cqlwire.hpp"

namespace json = boost::json;
using namespace cqlwire::integration;

namespace {

const std::string keyspace = "cli_surface";

process_result cql(const testbed_env& tb, const std::vector<std::string>& more) { return run_cqlwire_logged_in(tb, more); }

// A fresh keyspace with a table of 50 rows, made once per process.
void ensure_schema(const testbed_env& tb) {
    static bool done = false;
    if (done) return;
    std::string script = "DROP KEYSPACE IF EXISTS " + keyspace + ";\nCREATE KEYSPACE " + keyspace +
                         " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};\nUSE " +
                         keyspace + ";\nCREATE TABLE many (k int PRIMARY KEY, v text);\n";
    for (int k = 0; k < 50; ++k)
        script += "INSERT INTO many (k, v) VALUES (" + std::to_string(k) + ", 'v" + std::to_string(k) + "');\n";
    const auto r = cql(tb, {"-f", write_private_file("schema.cql", script)});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    // DDL, USE and INSERT print nothing, as in cqlsh.
    CHECK(r.out.empty());
    done = true;
}

}  // namespace

TEST_CASE("statements from a file run in order, USE carrying over to the following ones") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string script =
        "-- a comment before\n"
        "USE " + keyspace + ";\n"
        "CREATE TABLE IF NOT EXISTS notes (k int PRIMARY KEY, note text);\n"
        "INSERT INTO notes (k, note) VALUES (1, 'semi;colon');  /* inline */\n"
        "INSERT INTO notes (k, note) VALUES (2, 'two') IF NOT EXISTS;\n"
        "SELECT k, note FROM notes WHERE k = 1;\n";
    const auto r = cql(tb, {"-f", write_private_file("multi.cql", script)});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    // The lightweight transaction's row has no "(N rows)", the SELECT's has; no keyspace was
    // named in the statements after USE.
    const bool applied_first_time = r.out.find("\n [applied]\n-----------\n      True\n\n") != std::string::npos;
    const bool applied_before = r.out.find(" [applied] | k | note") != std::string::npos;
    CHECK((applied_first_time || applied_before));
    CHECK(r.out.find("\n k | note\n---+------------\n 1 | semi;colon\n\n(1 rows)\n") != std::string::npos);
}

TEST_CASE("--page-size 7 over 50 rows prints all 50, fetched in pages of 7") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    SUBCASE("table") {
        const auto r = cql(tb, {"--page-size", "7", "-k", keyspace, "-e", "SELECT k, v FROM many"});
        INFO(describe(r));
        CHECK(r.exit_code == 0);
        CHECK(r.out.ends_with("\n(50 rows)\n"));
    }
    SUBCASE("json, with each page traced: every row once, and the server saw page_size 7 on every page") {
        const auto r = cql(tb, {"--page-size", "7", "--tracing", "--format", "json", "-k", keyspace, "-e",
                                "SELECT k, v FROM many"});
        INFO(describe(r));
        REQUIRE(r.exit_code == 0);
        std::vector<std::string> lines;
        for (std::size_t start = 0; start < r.out.size();) {
            const auto end = r.out.find('\n', start);
            lines.push_back(r.out.substr(start, end - start));
            if (end == std::string::npos) break;
            start = end + 1;
        }
        REQUIRE(lines.size() >= 2);
        const auto rows = json::parse(lines[0]).as_array();
        std::set<std::int64_t> keys;
        for (const auto& row : rows) keys.insert(row.as_object().at("k").as_int64());
        CHECK(rows.size() == 50);
        CHECK(keys.size() == 50);
        // One trace per page request: 50 rows in pages of 7 is 8 requests.
        std::size_t traces = 0;
        for (std::size_t i = 1; i < lines.size(); ++i) {
            const auto trace = json::parse(lines[i]).as_object();
            CHECK(trace.at("parameters").as_object().at("page_size").as_string() == "7");
            ++traces;
        }
        CHECK(traces == 8);
    }
}

TEST_CASE("--tracing prints the trace after the rows, with the server's events") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    SUBCASE("table") {
        const auto r = cql(tb, {"--tracing", "-k", keyspace, "-e", "SELECT v FROM many WHERE k = 3"});
        INFO(describe(r));
        REQUIRE(r.exit_code == 0);
        const auto rows_end = r.out.find("(1 rows)\n");
        const auto trace = r.out.find("\nTracing session: ");
        REQUIRE(rows_end != std::string::npos);
        REQUIRE(trace != std::string::npos);
        CHECK(rows_end < trace);
        CHECK(r.out.find(" activity ", trace) != std::string::npos);
        CHECK(r.out.find("| source_elapsed | client\n", trace) != std::string::npos);
        // The request row, at least one event row ("<activity> [<thread>]"), the completion row.
        CHECK(r.out.find("Execute CQL3 query |", trace) != std::string::npos);
        CHECK(r.out.find("] | ", trace) != std::string::npos);
        CHECK(r.out.find("Request complete |", trace) != std::string::npos);
    }
    SUBCASE("json") {
        const auto r = cql(tb, {"--tracing", "--format", "json", "-k", keyspace, "-e", "SELECT v FROM many WHERE k = 3"});
        INFO(describe(r));
        REQUIRE(r.exit_code == 0);
        const auto newline = r.out.find('\n');
        REQUIRE(newline != std::string::npos);
        CHECK(r.out.substr(0, newline) == "[{\"v\":\"v3\"}]");
        const auto trace = json::parse(r.out.substr(newline + 1)).as_object();
        CHECK(trace.at("tracing_session").as_string().size() == 36);
        CHECK(trace.at("duration_us").as_int64() > 0);
        REQUIRE_FALSE(trace.at("events").as_array().empty());
        CHECK_FALSE(trace.at("events").as_array()[0].as_object().at("activity").as_string().empty());
    }
}

TEST_CASE("server warnings are printed after the table as cqlsh's Warnings block (to stderr for CSV)") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto r = cql(tb, {"-k", keyspace, "-e", "SELECT count(*) FROM many"});
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out == "\n count\n-------\n    50\n\n(1 rows)\n\nWarnings :\nAggregation query used without partition key\n\n");
    CHECK(r.err.empty());
    const auto csv = cql(tb, {"-k", keyspace, "--format", "csv", "-e", "SELECT count(*) FROM many"});
    INFO(describe(csv));
    CHECK(csv.out == "count\n50\n");
    CHECK(csv.err == "\nWarnings :\nAggregation query used without partition key\n\n");
}

TEST_CASE("cqlwire events sees the SCHEMA_CHANGE of a table created by a second cqlwire") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    std::atomic<bool> finished{false};
    process_result events;
    std::thread listener([&] {
        // The subcommand comes first, then the same connection flags as the main command.
        events = run_cqlwire(concat({"events", "--types", "SCHEMA_CHANGE", "--count", "1", "--timeout", "60"},
                                    concat(tls_args(tb), login_args(tb))),
                             password_env(tb), std::chrono::seconds(90));
        finished = true;
    });
    // The listener has to be registered before the change: make a new table every second
    // until it has seen one.
    int made = 0;
    for (; made < 30 && !finished; ++made) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        if (finished) break;
        const auto r = cql(tb, {"-e", "CREATE TABLE " + keyspace + ".ev" + std::to_string(made) + " (k int PRIMARY KEY)"});
        CHECK(r.exit_code == 0);
    }
    listener.join();
    INFO(describe(events));
    CHECK(events.exit_code == 0);
    CHECK(events.err.empty());
    CHECK(events.out.find(" SCHEMA_CHANGE CREATED TABLE " + keyspace + ".ev") != std::string::npos);
    CHECK(events.out.find(tb.password) == std::string::npos);
}

TEST_CASE("a batch reaches the node whole: one bad inner statement fails it all; an unfinished statement never runs") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string setup = "USE " + keyspace + ";\nDROP TABLE IF EXISTS batched;\n"
                              "CREATE TABLE batched (k int PRIMARY KEY, v int);\n";
    REQUIRE(cql(tb, {"-f", write_private_file("batched-schema.cql", setup)}).exit_code == 0);
    // A good batch over several lines, with comments and a ';' in a string inside it.
    const std::string good = "USE " + keyspace + ";\nBEGIN BATCH\n  INSERT INTO batched (k, v) VALUES (1, 1); -- one;\n"
                             "  /* two; */ INSERT INTO batched (k, v) VALUES (2, 2);\nAPPLY BATCH;\n";
    auto r = cql(tb, {"-f", write_private_file("good-batch.cql", good)});
    CHECK(r.exit_code == 0);
    // The second inner statement names a table that does not exist: the node refuses the batch,
    // and the first INSERT must not have been applied on its own.
    const std::string bad = "BEGIN BATCH INSERT INTO " + keyspace + ".batched (k, v) VALUES (3, 3); INSERT INTO " +
                            keyspace + ".no_such_table (k) VALUES (4); APPLY BATCH;";
    r = cql(tb, {"-e", bad});
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("Invalid (0x2200): ") != std::string::npos);
    // An unfinished statement at the end of a file is refused, not run.
    r = cql(tb, {"-f", write_private_file("unfinished.cql", "INSERT INTO " + keyspace + ".batched (k, v) VALUES (9, 9)\n")});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(":1: the input ends inside a statement (no ';' after it); it was not run") != std::string::npos);
    const auto rows = json_rows(cql(tb, {"--format", "json", "-e", "SELECT k FROM " + keyspace + ".batched"}));
    std::set<std::int64_t> keys;
    for (const auto& row : rows) keys.insert(row.as_object().at("k").as_int64());
    CHECK(keys == std::set<std::int64_t>{1, 2});
}

// COPY TO and COPY FROM against the real node: the files and lines of the real cqlsh's COPY
// where both write alike, a round trip of every column type (COPY TO, then COPY FROM into a twin
// table, compared with the server's own SELECT JSON), and the rows that fail going to ERRFILE.
#include "test_support.hpp"

#include <sys/stat.h>

#include <cstdlib>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run_cqlwire.hpp"

using namespace cqlwire::integration;

namespace {

const std::string keyspace = "copy_command";

std::string cqlsh_program(const testbed_env& tb) {
    return (std::filesystem::path(tb.python).parent_path() / "cqlsh").string();
}

process_result run_cqlsh_script(const testbed_env& tb, const std::string& script) {
    cqlwire::test::process_options o;
    o.env = {{"HOME", scratch_folder().string()}};
    o.timeout = std::chrono::seconds(120);
    return cqlwire::test::run_process(cqlsh_program(tb), {"--ssl", "--cqlshrc", article_cqlshrc_file(), "-f", script}, o);
}

process_result run_ours(const std::string& script) {
    return run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-f", script}, {}, std::chrono::seconds(120));
}

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// What must differ between the two shells' messages: cqlsh's child-process line, its progress
// lines (cqlwire shows them on a terminal only), its build warning, and the time taken.
std::string normalized(const std::string& out) {
    std::string s = std::regex_replace(out, std::regex("Processed: [^\r\n]*\r+"), "");
    s = std::regex_replace(s, std::regex("Using \\d+ child processes\n"), "");
    s = std::regex_replace(s, std::regex("WARNING: cqlsh was built against[^\n]*\n"), "");
    return std::regex_replace(s, std::regex(" in [0-9.]+ seconds"), " in T seconds");
}

void run_setup(const testbed_env& tb, const std::string& cql) {
    const auto r = run_cqlwire_logged_in(tb, {"-e", cql});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
}

// Every column type but counter, with the values that test the text forms hardest.
const std::string all_types =
    "(k int PRIMARY KEY, a ascii, big bigint, bl blob, b boolean, dt date, dec decimal, d double, du duration, "
    "f float, i inet, s smallint, t text, tm time, ts timestamp, tu timeuuid, ti tinyint, u uuid, v varint, "
    "l list<text>, st set<int>, m map<text, frozen<list<int>>>, tup tuple<int, text, timestamp>, ad frozen<addr>, "
    "vec vector<float, 3>)";

const std::string all_types_rows =
    "INSERT INTO " + keyspace + ".src (k, a, big, bl, b, dt, dec, d, du, f, i, s, t, tm, ts, tu, ti, u, v, l, st, m, tup, ad, vec) "
    "VALUES (1, 'plain', -9223372036854775808, 0x00ff10, true, '1969-07-20', -12345678901234567890.000000001, "
    "2.718281828459045, 1y2mo3d4h5m6s7ms8us9ns, 3.1415927, '::1', -32768, "
    "'quote \" comma , back\\slash new\nline tab\t ünï 😀 it''s', '23:59:59.999999999', '1960-01-01 00:00:00.001+0000', "
    "50554d6e-29bb-11e5-b345-feff819cdc9f, -128, 01234567-0123-0123-0123-0123456789ab, "
    "123456789012345678901234567890, ['a,b', '', 'c''d'], {1, -2}, {'k': [1, 2], 'e': []}, "
    "(1, 'x', '2024-05-06 07:08:09.123+0000'), {street: 'Main \"St\"', n: 7}, [1.5, -0.25, 3e-07]);"
    "INSERT INTO " + keyspace + ".src (k, t, d, f, dt) VALUES (2, '', NaN, -Infinity, '2024-02-29');"
    "INSERT INTO " + keyspace + ".src (k) VALUES (3);"
    "INSERT INTO " + keyspace + ".src (k, big, ti, d, f, ts) VALUES (4, 9223372036854775807, 127, -0.0, 1e-40, "
    "'9999-12-31 23:59:59.999+0000');";

// 400 rows, spread over the whole ring.
std::string many_rows() {
    std::string inserts;
    for (int k = 0; k < 400; ++k)
        inserts += "INSERT INTO " + keyspace + ".many_rows (k, v) VALUES (" + std::to_string(k) + ", " + std::to_string(k * 7) + ");";
    return inserts;
}

void ensure_schema(const testbed_env& tb) {
    static bool done = false;
    if (done) return;
    run_setup(tb, "DROP KEYSPACE IF EXISTS " + keyspace + "; CREATE KEYSPACE " + keyspace +
                      " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};"
                      "CREATE TYPE " + keyspace + ".addr (street text, n int);"
                      "CREATE TABLE " + keyspace + ".src " + all_types + "; CREATE TABLE " + keyspace + ".dst " + all_types + ";" +
                      all_types_rows +
                      "CREATE TABLE " + keyspace + ".alike (k int, c int, t text, b boolean, bl blob, dec decimal, "
                      "dt date, tm time, ts timestamp, l list<int>, m map<text, int>, tup tuple<int, text>, u uuid, "
                      "i inet, big bigint, f float, d double, st set<text>, PRIMARY KEY (k, c));"
                      "CREATE TABLE " + keyspace + ".alike_theirs (k int, c int, t text, b boolean, bl blob, dec decimal, "
                      "dt date, tm time, ts timestamp, l list<int>, m map<text, int>, tup tuple<int, text>, u uuid, "
                      "i inet, big bigint, f float, d double, st set<text>, PRIMARY KEY (k, c));"
                      "CREATE TABLE " + keyspace + ".alike_ours (k int, c int, t text, b boolean, bl blob, dec decimal, "
                      "dt date, tm time, ts timestamp, l list<int>, m map<text, int>, tup tuple<int, text>, u uuid, "
                      "i inet, big bigint, f float, d double, st set<text>, PRIMARY KEY (k, c));"
                      "INSERT INTO " + keyspace + ".alike (k, c, t, b, bl, dec, dt, tm, ts, l, m, tup, u, i, big, f, d, st) "
                      "VALUES (1, 1, 'a, \"quoted\" value', false, 0xcafe, 1.50, '2024-01-02', '01:02:03.5', "
                      "'2024-05-06 07:08:09.123+0000', [1, 2], {'k': 1, 'z': -2}, (1, 'it''s'), "
                      "01234567-0123-0123-0123-0123456789ab, '10.0.0.1', 12345678901, 1.5, 2.25, {'x', 'y'});"
                      "INSERT INTO " + keyspace + ".alike (k, c, t) VALUES (1, 2, 'ünïcödé 日本');"
                      "INSERT INTO " + keyspace + ".alike (k, c) VALUES (2, 1);"
                      "CREATE TABLE " + keyspace + ".hits (k text PRIMARY KEY, n counter);"
                      "CREATE TABLE " + keyspace + ".target (k int PRIMARY KEY, v int, t text);"
                      "CREATE TABLE " + keyspace + ".statics (k int, c text, s int static, v text, PRIMARY KEY (k, c));"
                      "CREATE TABLE " + keyspace + ".statics_back (k int, c text, s int static, v text, PRIMARY KEY (k, c));"
                      "INSERT INTO " + keyspace + ".statics (k, c, s, v) VALUES (1, '', 11, '');"
                      "INSERT INTO " + keyspace + ".statics (k, c, v) VALUES (1, 'b', null);"
                      "INSERT INTO " + keyspace + ".statics (k, s) VALUES (2, 22);"
                      "CREATE TABLE " + keyspace + ".split_back (k int, c int, t text, b boolean, bl blob, dec decimal, "
                      "dt date, tm time, ts timestamp, l list<int>, m map<text, int>, tup tuple<int, text>, u uuid, "
                      "i inet, big bigint, f float, d double, st set<text>, PRIMARY KEY (k, c));"
                      "CREATE TABLE " + keyspace + ".lines (k text PRIMARY KEY, n int);"
                      "CREATE TABLE " + keyspace + ".\"select\" (\"table\" int PRIMARY KEY, \"from\" text, \"token\" int);"
                      "INSERT INTO " + keyspace + ".\"select\" (\"table\", \"from\", \"token\") VALUES (1, 'a', 2);"
                      "CREATE TABLE " + keyspace + ".\"select_back\" (\"table\" int PRIMARY KEY, \"from\" text, \"token\" int);"
                      "CREATE TABLE " + keyspace + ".two_counters (k int PRIMARY KEY, a counter, b counter);"
                      "CREATE TABLE " + keyspace + ".lists (k int PRIMARY KEY, l list<int>);"
                      "CREATE TABLE " + keyspace + ".many_rows (k int PRIMARY KEY, v int);" + many_rows());
    done = true;
}

// The rows of `select` (on `table`) as cqlwire's CSV writes them, sorted.
std::vector<std::string> sorted_rows(const testbed_env& tb, const std::string& select, const std::string& table) {
    const auto r = run_cqlwire_logged_in(tb, {"--format", "csv", "-e", select + " FROM " + keyspace + "." + table});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    std::vector<std::string> rows;
    std::istringstream in(r.out);
    std::string line;
    std::getline(in, line);  // the header
    std::string row;
    // A JSON text holding a line break is one CSV field over several lines: rows are joined back
    // by their quotes.
    while (std::getline(in, line)) {
        row += row.empty() ? line : "\n" + line;
        if (std::count(row.begin(), row.end(), '"') % 2 == 0) {
            rows.push_back(row);
            row.clear();
        }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
}

// The rows of a table as the server writes them in JSON, sorted: what two tables must share.
std::vector<std::string> table_json(const testbed_env& tb, const std::string& table) {
    return sorted_rows(tb, "SELECT JSON *", table);
}
// The same as cqlwire's lossless CSV (NaN, -0.0 and empty texts apart from nulls).
std::vector<std::string> table_rows(const testbed_env& tb, const std::string& table) {
    return sorted_rows(tb, "SELECT *", table);
}

}  // namespace

TEST_CASE("COPY TO: the file and the lines the real cqlsh writes, where both write alike") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto dir = scratch_folder();
    const std::string theirs_file = (dir / "alike_theirs.csv").string();
    const std::string ours_file = (dir / "alike_ours.csv").string();
    const std::string tail = "COPY " + keyspace + ".alike (k, c, t) TO STDOUT WITH HEADER = true AND DELIMITER = '|' "
                             "AND NULL = 'null';\n"
                             "COPY " + keyspace + ".alike TO STDOUT WITH BOOLSTYLE = 'yes, no';\n";
    const auto theirs = run_cqlsh_script(
        tb, write_private_file("copy_to_theirs.cql", "COPY " + keyspace + ".alike TO '" + theirs_file + "';\n" + tail));
    INFO("cqlsh: " << describe(theirs));
    REQUIRE(theirs.out.find("rows exported to 1 files") != std::string::npos);
    const auto ours =
        run_ours(write_private_file("copy_to_ours.cql", "COPY " + keyspace + ".alike TO '" + ours_file + "';\n" + tail));
    INFO("cqlwire: " << describe(ours));
    CHECK(ours.exit_code == 0);
    CHECK(read_file(ours_file) == read_file(theirs_file));
    CHECK(normalized(ours.out) == std::regex_replace(normalized(theirs.out), std::regex(std::regex_replace(
                                                         theirs_file, std::regex("[.]"), "[.]")), ours_file));
    CHECK(ours.err.empty());
    // Token order whatever the pages and the ranges read at once.
    const auto paged = run_ours(write_private_file(
        "copy_to_paged.cql", "COPY " + keyspace + ".many_rows TO STDOUT WITH PAGESIZE = 7 AND MAXREQUESTS = 3;\n"));
    const auto whole = run_ours(write_private_file(
        "copy_to_whole.cql", "COPY " + keyspace + ".many_rows TO STDOUT WITH MAXREQUESTS = 1;\n"));
    INFO(describe(paged));
    CHECK(paged.exit_code == 0);
    CHECK(std::count(paged.out.begin(), paged.out.end(), '\n') == 400);
    CHECK(paged.out == whole.out);
}

TEST_CASE("COPY FROM: cqlsh's lines, and the same table as cqlsh's import of the same file") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string file = (scratch_folder() / "alike_source.csv").string();
    const auto exported = run_ours(write_private_file("copy_from_export.cql", "COPY " + keyspace + ".alike TO '" + file +
                                                                                  "' WITH HEADER = true;\n"));
    INFO(describe(exported));
    REQUIRE(exported.exit_code == 0);
    const auto theirs = run_cqlsh_script(tb, write_private_file("copy_from_theirs.cql", "COPY " + keyspace +
                                                                                          ".alike_theirs FROM '" + file +
                                                                                          "' WITH HEADER = true;\n"));
    INFO("cqlsh: " << describe(theirs));
    REQUIRE(theirs.out.find("rows imported from 1 files") != std::string::npos);
    const auto ours = run_ours(write_private_file("copy_from_ours.cql", "COPY " + keyspace + ".alike_ours FROM '" + file +
                                                                            "' WITH HEADER = true;\n"));
    INFO("cqlwire: " << describe(ours));
    CHECK(ours.exit_code == 0);
    CHECK(normalized(ours.out) == std::regex_replace(normalized(theirs.out), std::regex("alike_theirs"), "alike_ours"));
    CHECK(table_json(tb, "alike_ours") == table_json(tb, "alike_theirs"));
    CHECK(table_json(tb, "alike_ours") == table_json(tb, "alike"));
}

TEST_CASE("COPY TO then COPY FROM gives the same table, for every column type") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string file = (scratch_folder() / "all_types.csv").string();
    const auto r = run_ours(write_private_file(
        "round_trip.cql", "COPY " + keyspace + ".src TO '" + file + "';\nCOPY " + keyspace + ".dst FROM '" + file + "';\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("4 rows exported to 1 files") != std::string::npos);
    CHECK(r.out.find("4 rows imported from 1 files") != std::string::npos);
    const auto src = table_json(tb, "src");
    REQUIRE(src.size() == 4);
    CHECK(table_json(tb, "dst") == src);
    // JSON shows NaN as null: the lossless CSV of SELECT * tells them apart.
    CHECK(table_rows(tb, "dst") == table_rows(tb, "src"));

    // A counter table through standard input (the statement comes from -e), twice: counters add.
    for (int round = 0; round < 2; ++round) {
        const auto c = run_cqlwire(concat(concat(tls_args(tb), login_args(tb)), {"-e", "COPY " + keyspace + ".hits FROM STDIN"}),
                                   password_env(tb), std::chrono::seconds(60), "a,5\nb,-3\n");
        INFO(describe(c));
        CHECK(c.exit_code == 0);
        CHECK(c.out.find("2 rows imported from 1 files") != std::string::npos);
    }
    CHECK(table_json(tb, "hits") == std::vector<std::string>{"\"{\"\"k\"\": \"\"a\"\", \"\"n\"\": 10}\"",
                                                            "\"{\"\"k\"\": \"\"b\"\", \"\"n\"\": -6}\""});
    // Standard input that holds the statements cannot also hold the rows.
    const auto refused = run_cqlwire(concat(tls_args(tb), login_args(tb)), password_env(tb), std::chrono::seconds(60),
                                     "COPY " + keyspace + ".hits FROM STDIN;\n");
    INFO(describe(refused));
    CHECK(refused.exit_code == 6);
    CHECK(refused.err.find("standard input holds the statements") != std::string::npos);
}

TEST_CASE("COPY FROM: rows that fail go to ERRFILE with their reasons said, and the counts are exact") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto dir = scratch_folder();
    const std::string csv = write_private_file("mixed.csv", "1,10,one\n2,x,two\n3,30\n,40,no key\n4,40,\"four\nlines\"\n");
    const std::string errfile = (dir / "mixed.err").string();
    { std::ofstream earlier(errfile); earlier << "kept\n"; }
    const auto r = run_ours(write_private_file(
        "mixed.cql", "COPY " + keyspace + ".target (k, v, t) FROM '" + csv + "' WITH ERRFILE = '" + errfile + "';\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.out.find("2 rows imported from 1 files") != std::string::npos);
    CHECK(r.err.find("Failed to parse the value of column v") != std::string::npos);
    CHECK(r.err.find("Invalid row length 2 should be 3") != std::string::npos);
    CHECK(r.err.find("Cannot insert null value for primary key column 'k'") != std::string::npos);
    CHECK(r.err.find("Failed to process 3 rows; failed rows written to " + errfile) != std::string::npos);
    CHECK(read_file(errfile) == "2,x,two\r\n3,30\r\n,40,no key\r\n");
    // The earlier error file was moved aside, not overwritten.
    bool kept = false;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().starts_with("mixed.err.") && read_file(e.path().string()) == "kept\n") kept = true;
    CHECK(kept);
    const auto t = table_json(tb, "target");
    CHECK(t == std::vector<std::string>{"\"{\"\"k\"\": 1, \"\"t\"\": \"\"one\"\", \"\"v\"\": 10}\"",
                                        "\"{\"\"k\"\": 4, \"\"t\"\": \"\"four\\nlines\"\", \"\"v\"\": 40}\""});
}

TEST_CASE("COPY TO: a file the run reads is refused, and a full disk is exit 11") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string before = read_file(article_cqlshrc_file());
    auto r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-e",
                          "COPY " + keyspace + ".alike TO '" + article_cqlshrc_file() + "'"});
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("is the file given as --cqlshrc") != std::string::npos);
    CHECK(read_file(article_cqlshrc_file()) == before);
    r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-e", "COPY " + keyspace + ".alike TO '/dev/full'"});
    INFO(describe(r));
    CHECK(r.exit_code == 11);
    CHECK(r.err.find("No space left on device") != std::string::npos);
}

TEST_CASE("COPY round trips: empty texts, partitions with only static columns, files split with headers") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto dir = scratch_folder();
    const std::string statics = (dir / "statics.csv").string();
    const std::string split = (dir / "split.csv").string();
    const auto r = run_ours(write_private_file(
        "more_round_trips.cql", "COPY " + keyspace + ".statics TO '" + statics + "';\nCOPY " + keyspace +
                                    ".statics_back FROM '" + statics + "';\nCOPY " + keyspace + ".alike TO '" + split +
                                    "' WITH MAXOUTPUTSIZE = 1 AND HEADER = true;\nCOPY " + keyspace + ".split_back FROM '" +
                                    split + "*' WITH HEADER = true;\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    // The empty clustering text is written "" and the partition without rows reads back.
    CHECK(read_file(statics).find("1,\"\",11,\"\"\r\n") != std::string::npos);
    CHECK(r.out.find("3 rows imported from 1 files") != std::string::npos);
    CHECK(table_rows(tb, "statics_back") == table_rows(tb, "statics"));
    CHECK(r.out.find("3 rows exported to 3 files") != std::string::npos);
    CHECK(read_file(split + ".2").starts_with("k,c,b,"));
    CHECK(r.out.find("3 rows imported from 3 files") != std::string::npos);
    CHECK(table_rows(tb, "split_back") == table_rows(tb, "alike"));
}

TEST_CASE("COPY FROM: standard input ends at a lone '.', a FIFO waits for its writer, error files are never lost") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto dir = scratch_folder();
    auto logged_in = [&](const std::string& cql, const std::string& input) {
        return run_cqlwire(concat(concat(tls_args(tb), login_args(tb)), {"-e", cql}), password_env(tb),
                           std::chrono::seconds(60), input);
    };
    auto r = logged_in("COPY " + keyspace + ".lines FROM STDIN", "before,1\n.\nafter,2\n");
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("1 rows imported from 1 files") != std::string::npos);

    // A writer that comes half a second after the reader.
    const std::string fifo = (dir / "rows.fifo").string();
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    REQUIRE(std::system(("(sleep 0.5; printf 'late,3\\n' > '" + fifo + "') &").c_str()) == 0);
    r = logged_in("COPY " + keyspace + ".lines FROM '" + fifo + "'", "");
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("1 rows imported from 1 files") != std::string::npos);
    CHECK(table_rows(tb, "lines").size() == 2);

    // Three failing imports within a second: three error files.
    const std::string bad = write_private_file("bad_lines.csv", "x,notanumber\n");
    const std::string errfile = (dir / "lines.err").string();
    for (int i = 0; i < 3; ++i) {
        r = logged_in("COPY " + keyspace + ".lines FROM '" + bad + "' WITH ERRFILE = '" + errfile + "'", "");
        CHECK(r.exit_code == 6);
    }
    int kept = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().filename().string().starts_with("lines.err") && read_file(e.path().string()) == "x,notanumber\r\n")
            ++kept;
    CHECK(kept == 3);

    // A quoted field never closed: counted, said, and the rows before it imported.
    const std::string open_quote = write_private_file("open_quote.csv", "ok,1\n\"never,2\nclosed,3\n");
    r = logged_in("COPY " + keyspace + ".lines FROM '" + open_quote + "' WITH ERRFILE = '" + errfile + "'", "");
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("line 2: a quoted field that begins on line 2 is never closed") != std::string::npos);
    CHECK(r.err.find("Failed to process 1 records that are not CSV") != std::string::npos);
    CHECK(r.out.find("1 rows imported from 1 files") != std::string::npos);
}

TEST_CASE("COPY: names that are keywords, counters left empty, nulls inside collections, the server's words") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto dir = scratch_folder();
    const std::string keywords = (dir / "keywords.csv").string();
    auto r = run_ours(write_private_file(
        "keywords.cql", "COPY " + keyspace + ".\"select\" TO '" + keywords + "' WITH HEADER = true;\nCOPY " + keyspace +
                            ".\"select_back\" (\"table\", \"from\", \"token\") FROM '" + keywords + "' WITH HEADER = true;\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(read_file(keywords) == "table,from,token\r\n1,a,2\r\n");
    CHECK(table_rows(tb, "\"select_back\"") == table_rows(tb, "\"select\""));

    // An empty counter adds nothing, as in cqlsh.
    const std::string counters = write_private_file("counters.csv", "1,5,\n2,,3\n1,5,1\n");
    r = run_ours(write_private_file("counters.cql", "COPY " + keyspace + ".two_counters FROM '" + counters + "';\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("3 rows imported") != std::string::npos);
    CHECK(table_rows(tb, "two_counters") == std::vector<std::string>{"1,10,1", "2,0,3"});

    // A null inside a list is the row's own parse error; the good rows go in.
    const std::string lists = write_private_file("lists.csv", "1,\"[1, 2]\"\n2,\"[null]\"\n3,[]\n");
    const std::string errfile = (dir / "lists.err").string();
    r = run_ours(write_private_file(
        "lists.cql", "COPY " + keyspace + ".lists FROM '" + lists + "' WITH ERRFILE = '" + errfile + "';\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("null has no place in a list") != std::string::npos);
    CHECK(r.out.find("2 rows imported") != std::string::npos);
    CHECK(read_file(errfile) == "2,[null]\r\n");

    // The server's refusal is told in its own words.
    const std::string long_key = write_private_file("long_key.csv", std::string(70000, 'k') + ",1\n");
    r = run_ours(write_private_file("long_key.cql", "COPY " + keyspace + ".lines FROM '" + long_key + "' WITH ERRFILE = '" +
                                                        (dir / "long_key.err").string() + "';\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("Key length of 70000 is longer than maximum of 65535") != std::string::npos);
}

TEST_CASE("COPY: INGESTRATE paces the rows, and a begin token past the end one is refused") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    std::string rows;
    for (int k = 0; k < 30; ++k) rows += "paced" + std::to_string(k) + "," + std::to_string(k) + "\n";
    const std::string paced = write_private_file("paced.csv", rows);
    const auto started = std::chrono::steady_clock::now();
    auto r = run_ours(write_private_file("paced.cql", "COPY " + keyspace + ".lines FROM '" + paced + "' WITH INGESTRATE = 10;\n"));
    const auto took = std::chrono::steady_clock::now() - started;
    INFO(describe(r));
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("30 rows imported") != std::string::npos);
    // 30 rows at 10 a second, a second's worth ahead: at least two seconds (a floor, not a timing).
    CHECK(took >= std::chrono::seconds(2));
    r = run_ours(write_private_file("backwards.cql", "COPY " + keyspace + ".lines TO STDOUT WITH BEGINTOKEN = 100 AND ENDTOKEN = -100;\n"));
    INFO(describe(r));
    CHECK(r.exit_code == 6);
    CHECK(r.err.find("Begin token 100 must be smaller than end token -100") != std::string::npos);
}

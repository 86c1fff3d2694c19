// The data formats against a real Cassandra: what `cqlwire --format csv` and `--format json`
// print reads back, with Python's own csv and json modules, to exactly the values the server
// holds (text with newlines, quotes, backslashes, controls and non-ASCII; random floats,
// doubles and timestamps), and a value the server stores but that does not decode is shown as
// its marked bytes with the reason, without hiding any row.
//
// Every value is written as a blob (blobAsText, blobAsDouble...), so the bytes the server holds
// are known exactly, and compared with what the server returns for textAsBlob(v) etc.
#include "test_support.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "run_cqlwire.hpp"

namespace json = boost::json;
using namespace cqlwire::integration;

namespace {

const std::string keyspace = "data_formats";

std::string hex(const std::string& bytes) {
    std::string out = "0x";
    cqlwire::protocol::append_hex(out, bytes);
    return out;
}

std::string hex_of(std::uint64_t v, int bytes) {
    std::string raw;
    for (int i = bytes - 1; i >= 0; --i) raw.push_back(static_cast<char>(v >> (8 * i)));
    return hex(raw);
}

// Text values with every character CSV or a terminal cares about.
const std::vector<std::string>& texts() {
    static const std::vector<std::string> values = {
        "plain",
        "",
        "comma, inside",
        "quote \" inside and \"\" doubled",
        "line one\nline two\n",
        "crlf\r\nend",
        "back\\slash \\n not a newline",
        "tab\there",
        "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80 \xE4\xB8\xAD",
        "controls \x01\x1B[31m\x7F \xC2\x85",
        " leading and trailing spaces ",
        "'single' quotes",
    };
    return values;
}

// Runs the testbed's Python on `script` with `args`; returns its standard output.
std::string run_python(const testbed_env& tb, const std::string& script, const std::vector<std::string>& args) {
    const auto path = write_private_file("data_formats.py", script);
    cqlwire::test::process_options options;
    options.timeout = std::chrono::seconds(60);
    const auto r = cqlwire::test::run_process(tb.python, concat({path}, args), options);
    INFO("python: " << describe(r));
    REQUIRE(r.exit_code == 0);
    return r.out;
}

// Reads a CSV file with Python's csv module and prints its rows as a JSON array of arrays of
// strings (ASCII only, so that nothing depends on the pipe's encoding).
const char* const read_csv_py = R"(import csv, json, sys
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    rows = list(csv.reader(f))
print(json.dumps(rows, ensure_ascii=True))
)";

// Reads cqlwire's CSV and JSON output of the numbers table and prints, per key, the bits of
// each value as Python reads them: float() then struct for floats and doubles, and
// milliseconds since the epoch from datetime for timestamps.
const char* const read_numbers_py = R"(import csv, datetime, json, struct, sys
def bits(fmt, x):
    return '0x' + struct.pack(fmt, x).hex()
def ms(text):
    t = datetime.datetime.strptime(text, '%Y-%m-%d %H:%M:%S.%f%z')
    delta = t - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1000 + delta.microseconds // 1000
out = {'csv': {}, 'json': {}}
with open(sys.argv[1], newline='', encoding='utf-8') as f:
    rows = list(csv.reader(f))
for k, fl, d, t in rows[1:]:
    out['csv'][k] = [bits('>f', float(fl)), bits('>d', float(d)), ms(t)]
with open(sys.argv[2], encoding='utf-8') as f:
    for row in json.load(f):
        out['json'][str(row['k'])] = [bits('>f', row['f']), bits('>d', row['d'])]
print(json.dumps(out))
)";

// Runs `script` with -f; it must succeed.
void run_script(const testbed_env& tb, const std::string& name, const std::string& script) {
    const auto r = run_cqlwire_logged_in(tb, {"-f", write_private_file(name, script)});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
}

void ensure_schema(const testbed_env& tb) {
    static bool done = false;
    if (done) return;
    std::string script = "DROP KEYSPACE IF EXISTS " + keyspace + ";\nCREATE KEYSPACE " + keyspace +
                         " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};\nUSE " +
                         keyspace + ";\n"
                         "CREATE TABLE texts (k int PRIMARY KEY, v text);\n"
                         "CREATE TABLE numbers (k int PRIMARY KEY, f float, d double, t timestamp);\n"
                         "CREATE TABLE bad (k int PRIMARY KEY, t time, d decimal, s text);\n";
    for (std::size_t i = 0; i < texts().size(); ++i)
        script += "INSERT INTO texts (k, v) VALUES (" + std::to_string(i) + ", blobAsText(" + hex(texts()[i]) + "));\n";
    run_script(tb, "data_formats_schema.cql", script);
    done = true;
}

// The server's bytes of each row, from a CSV of "k,<blob>..." (blobs print as 0x...).
std::map<std::string, std::vector<std::string>> blobs_by_key(const process_result& r) {
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    std::map<std::string, std::vector<std::string>> rows;
    std::size_t start = r.out.find('\n') + 1;  // after the header
    while (start < r.out.size()) {
        auto end = r.out.find('\n', start);
        std::string line = r.out.substr(start, end - start);
        std::vector<std::string> fields;
        for (std::size_t p = 0;;) {
            auto comma = line.find(',', p);
            fields.push_back(line.substr(p, comma - p));
            if (comma == std::string::npos) break;
            p = comma + 1;
        }
        rows[fields[0]] = std::vector<std::string>(fields.begin() + 1, fields.end());
        start = end + 1;
    }
    return rows;
}

}  // namespace

TEST_CASE("CSV text reads back with Python's csv module as exactly the text the server holds") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const auto csv = run_cqlwire_logged_in(tb, {"--format", "csv", "-e", "SELECT k, v FROM " + keyspace + ".texts"});
    INFO(describe(csv));
    REQUIRE(csv.exit_code == 0);
    const auto parsed = json::parse(run_python(tb, read_csv_py, {write_private_file("texts.csv", csv.out)})).as_array();
    const auto held = blobs_by_key(run_cqlwire_logged_in(tb, {"--format", "csv", "-e", "SELECT k, textAsBlob(v) FROM " + keyspace + ".texts"}));
    REQUIRE(parsed.size() == texts().size() + 1);
    CHECK(parsed[0].as_array() == json::array{"k", "v"});
    for (std::size_t i = 1; i < parsed.size(); ++i) {
        const auto& row = parsed[i].as_array();
        REQUIRE(row.size() == 2);
        const std::string k(row[0].as_string());
        const std::string v(row[1].as_string());
        CAPTURE(k);
        REQUIRE(held.count(k) == 1);
        // An empty text is the value '' (its blob prints as 0x), not a null.
        CHECK(hex(v) == held.at(k)[0]);
        CHECK(v == texts().at(std::stoul(k)));
    }
}

TEST_CASE("CSV and JSON of random floats, doubles and timestamps read back to the server's exact bits") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    std::mt19937_64 rng(13);
    std::string script = "USE " + keyspace + ";\n";
    constexpr std::int64_t year_1 = -62'135'596'800'000, year_10000 = 253'402'300'800'000;
    for (int k = 0; k < 200; ++k) {
        // Finite values only: JSON writes NaN and the infinities as null, as SELECT JSON does.
        std::uint32_t f = 0;
        std::uint64_t d = 0;
        do f = static_cast<std::uint32_t>(rng()); while ((f & 0x7F800000u) == 0x7F800000u);
        do d = rng(); while ((d & 0x7FF0000000000000u) == 0x7FF0000000000000u);
        const auto t = year_1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(year_10000 - year_1));
        script += "INSERT INTO numbers (k, f, d, t) VALUES (" + std::to_string(k) + ", blobAsFloat(" + hex_of(f, 4) +
                  "), blobAsDouble(" + hex_of(d, 8) + "), blobAsTimestamp(" + hex_of(static_cast<std::uint64_t>(t), 8) +
                  "));\n";
    }
    run_script(tb, "numbers.cql", script);

    const auto table = keyspace + ".numbers";
    const auto csv = run_cqlwire_logged_in(tb, {"--format", "csv", "-e", "SELECT k, f, d, t FROM " + table});
    const auto js = run_cqlwire_logged_in(tb, {"--format", "json", "-e", "SELECT k, f, d FROM " + table});
    REQUIRE(csv.exit_code == 0);
    REQUIRE(js.exit_code == 0);
    const auto read = json::parse(run_python(tb, read_numbers_py, {write_private_file("numbers.csv", csv.out),
                                                                    write_private_file("numbers.json", js.out)}))
                          .as_object();
    const auto held = blobs_by_key(
        run_cqlwire_logged_in(tb, {"--format", "csv", "-e", "SELECT k, floatAsBlob(f), doubleAsBlob(d), timestampAsBlob(t) FROM " + table}));
    REQUIRE(held.size() == 200);
    const auto& from_csv = read.at("csv").as_object();
    const auto& from_json = read.at("json").as_object();
    REQUIRE(from_csv.size() == 200);
    REQUIRE(from_json.size() == 200);
    for (const auto& [k, bytes] : held) {
        CAPTURE(k);
        const auto& c = from_csv.at(k).as_array();
        const auto& j = from_json.at(k).as_array();
        CHECK(std::string(c[0].as_string()) == bytes[0]);
        CHECK(std::string(c[1].as_string()) == bytes[1]);
        CHECK(hex_of(static_cast<std::uint64_t>(c[2].to_number<std::int64_t>()), 8) == bytes[2]);
        CHECK(std::string(j[0].as_string()) == bytes[0]);
        CHECK(std::string(j[1].as_string()) == bytes[1]);
    }
}

TEST_CASE("values the server stores but that do not decode are shown marked, with every row and the reason") {
    const auto& tb = require_testbed();
    ensure_schema(tb);
    const std::string script = "USE " + keyspace + ";\n"
                               "INSERT INTO bad (k, t) VALUES (1, blobAsTime(0x00004e94914f0000));\n"
                               "INSERT INTO bad (k, t) VALUES (2, blobAsTime(0xffffffffffffffff));\n"
                               "INSERT INTO bad (k, d) VALUES (3, blobAsDecimal(0x00000002));\n"
                               "INSERT INTO bad (k, s) VALUES (4, blobAsText(0x616263eda080));\n"
                               "INSERT INTO bad (k, t, d, s) VALUES (5, '12:00:00', 1.5, 'fine');\n";
    run_script(tb, "bad.cql", script);

    const std::string select = "SELECT k, t, d, s FROM " + keyspace + ".bad";
    const std::vector<std::pair<std::string, std::string>> expected = {
        {"<undecodable 0x00004e94914f0000>", "a time of 86400000000000 ns is not within 00:00:00 and 23:59:59.999999999"},
        {"<undecodable 0xffffffffffffffff>", "a time of -1 ns is not within 00:00:00 and 23:59:59.999999999"},
        {"<undecodable 0x00000002>", "a decimal of 4 bytes holds its scale but no unscaled value"},
        {"<undecodable 0x616263eda080>", "text that is not valid UTF-8 (byte 0xed at offset 3)"},
    };
    for (const std::string format : {"table", "csv", "json"}) {
        CAPTURE(format);
        const auto r = run_cqlwire_logged_in(tb, {"--format", format, "-e", select});
        INFO(describe(r));
        // Exit 12: the result held values that could not be decoded (printed as hex).
        CHECK(r.exit_code == 12);
        for (const auto& [cell, reason] : expected) {
            CHECK(r.out.find(cell) != std::string::npos);
            CHECK(r.err.find(reason) != std::string::npos);
        }
        CHECK(r.err.find("column \"t\"") != std::string::npos);
        CHECK(r.err.find("column \"d\"") != std::string::npos);
        CHECK(r.err.find("column \"s\"") != std::string::npos);
        // Every row is printed, the good one included.
        CHECK(r.out.find("fine") != std::string::npos);
        if (format == "table") CHECK(r.out.find("(5 rows)") != std::string::npos);
        if (format == "json") CHECK(json::parse(r.out).as_array().size() == 5);
        if (format == "csv") CHECK(std::count(r.out.begin(), r.out.end(), '\n') == 6);
    }
}

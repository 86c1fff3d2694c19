#include "test_support.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "describe_output.hpp"

using namespace cqlwire::cli;

namespace {

// A [bytes] on the wire: an int length, then the bytes.
std::string bytes(const std::string& b) {
    const auto n = static_cast<std::uint32_t>(b.size());
    std::string out{static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8), static_cast<char>(n)};
    return out + b;
}
std::string count(std::uint32_t n) { return bytes(std::string(n, 'x')).substr(0, 4); }

describe_rows names(const std::vector<std::pair<std::string, std::string>>& keyspace_and_name) {
    describe_rows r;
    r.columns = {"keyspace_name", "type", "name"};
    for (const auto& [ks, name] : keyspace_and_name) r.rows.push_back({ks, std::string("table"), name});
    return r;
}

}  // namespace

TEST_CASE("describe_shape_of: by the statement's second word") {
    CHECK(describe_shape_of("DESCRIBE KEYSPACES") == describe_shape::keyspace_names);
    CHECK(describe_shape_of("desc  tables") == describe_shape::names_by_keyspace);
    CHECK(describe_shape_of("DESCRIBE COLUMNFAMILIES") == describe_shape::names_by_keyspace);
    CHECK(describe_shape_of("DESCRIBE types") == describe_shape::names_by_keyspace);
    CHECK(describe_shape_of("DESCRIBE\nCLUSTER") == describe_shape::cluster);
    CHECK(describe_shape_of("DESCRIBE TABLE ks.t") == describe_shape::statements);
    CHECK(describe_shape_of("DESC FULL SCHEMA") == describe_shape::statements);
    CHECK(describe_shape_of("DESCRIBE ks") == describe_shape::statements);
    CHECK_FALSE(describe_shape_of("DESCRIBE"));
    CHECK_FALSE(describe_shape_of("SELECT describe FROM t"));
}

TEST_CASE("columnize: the fewest rows that fit 80 columns, every column padded") {
    CHECK(columnize({}) == "<empty>\n");
    CHECK(columnize({"one"}) == "one\n");
    CHECK(columnize({"a", "bb", "ccc"}) == "a  bb  ccc\n");
    // 10 names of 9 characters: 8 per line would be 8*9+7*2 = 86 > 80, so two rows of 5.
    std::vector<std::string> nine;
    for (char c = 'a'; c < 'a' + 10; ++c) nine.push_back(std::string(9, c));
    CHECK(columnize(nine) == "aaaaaaaaa  ccccccccc  eeeeeeeee  ggggggggg  iiiiiiiii\n"
                             "bbbbbbbbb  ddddddddd  fffffffff  hhhhhhhhh  jjjjjjjjj\n");
    // Uneven columns: the last column of the last row is missing.
    CHECK(columnize({"x", "long_name", "y"}, 12) == "x          y\nlong_name\n");
    // Names wider than the line: one per line, unpadded.
    CHECK(columnize({std::string(90, 'a'), "b"}) == std::string(90, 'a') + "\nb\n");
    // Width counts characters, not bytes.
    CHECK(columnize({"\xc3\xa9t\xc3\xa9", "x"}, 7) == "\xc3\xa9t\xc3\xa9  x\n");
}

TEST_CASE("DESCRIBE KEYSPACES and TABLES: columns, keyspace headings unless one is in use") {
    describe_rows ks;
    ks.columns = {"keyspace_name", "type", "name"};
    ks.rows = {{std::string("a"), std::string("keyspace"), std::string("a")},
               {std::string("b"), std::string("keyspace"), std::string("b")}};
    CHECK(format_describe(describe_shape::keyspace_names, ks, false) == "\na  b\n\n");
    const auto tables = names({{"k1", "t1"}, {"k1", "t2"}, {"k2", "u"}});
    CHECK(format_describe(describe_shape::names_by_keyspace, tables, false) ==
          "\nKeyspace k1\n-----------\nt1  t2\n\nKeyspace k2\n-----------\nu\n\n");
    CHECK(format_describe(describe_shape::names_by_keyspace, tables, true) == "\nt1  t2\n\nu\n\n");
    CHECK(format_describe(describe_shape::names_by_keyspace, names({}), false).empty());
}

TEST_CASE("DESCRIBE of an element: each create_statement as text, control characters escaped") {
    describe_rows r;
    r.columns = {"keyspace_name", "type", "name", "create_statement"};
    r.rows = {{std::string("ks"), std::string("table"), std::string("t"), std::string("CREATE TABLE ks.t (\n    k int PRIMARY KEY\n);")},
              {std::string("ks"), std::string("index"), std::string("i"), std::string("CREATE INDEX \"\x1b[2J\" ON ks.t (v);")}};
    CHECK(format_describe(describe_shape::statements, r, false) ==
          "\nCREATE TABLE ks.t (\n    k int PRIMARY KEY\n);\n\nCREATE INDEX \"\\x1b[2J\" ON ks.t (v);\n");
    // A server that leaves the column out: nothing printed for it, no crash.
    describe_rows bare;
    bare.columns = {"name"};
    bare.rows = {{std::string("t")}};
    CHECK(format_describe(describe_shape::statements, bare, false) == "\n\n");
}

TEST_CASE("DESCRIBE CLUSTER: the details, and the range ownership when a keyspace is in use") {
    describe_rows r;
    r.columns = {"cluster", "partitioner", "snitch"};
    r.rows = {{std::string("Test"), std::string("Murmur3Partitioner"), std::string("SimpleSnitch")}};
    CHECK(format_describe(describe_shape::cluster, r, false) ==
          "\nCluster: Test\nPartitioner: Murmur3Partitioner\nSnitch: SimpleSnitch\n\n");
    r.columns.push_back("range_ownership");
    const std::string list = count(2) + bytes("/127.0.0.1:7000") + bytes("/127.0.0.2:7000");
    r.rows[0].push_back(count(1) + bytes("-42") + bytes(list));
    CHECK(format_describe(describe_shape::cluster, r, true) ==
          "\nCluster: Test\nPartitioner: Murmur3Partitioner\nSnitch: SimpleSnitch\n\nRange ownership:\n" +
              std::string(37, ' ') + "-42  [/127.0.0.1:7000, /127.0.0.2:7000]\n\n");
    // A map that does not decode is said to, not a crash.
    r.rows[0][3] = std::string("\x00\x00\x00\x05", 4);
    CHECK(format_describe(describe_shape::cluster, r, true).find("does not decode") != std::string::npos);
}

// The flagship scenario against a real Cassandra: a cqlshrc in the Azure article's layout
// (server CA, validate = true, the self-signed rootCa client certificate, a password login),
// then `cqlwire --cqlshrc FILE -e "SELECT * FROM system.local"`, in the table and JSON formats.
#include "test_support.hpp"

#include <arpa/inet.h>

#include <cstdint>
#include <map>
#include <regex>
#include <string>

#include "run_cqlwire.hpp"

namespace json = boost::json;
using namespace cqlwire::integration;

namespace {

const std::string select_local = "SELECT * FROM system.local";

bool is_uuid(std::string_view s) {
    static const std::regex pattern("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    return std::regex_match(s.begin(), s.end(), pattern);
}

bool is_inet(std::string_view s) {
    const std::string text(s);
    unsigned char buffer[16];
    return inet_pton(AF_INET, text.c_str(), buffer) == 1 || inet_pton(AF_INET6, text.c_str(), buffer) == 1;
}

bool is_blob(std::string_view s) {
    static const std::regex pattern("0x([0-9a-f]{2})*");
    return std::regex_match(s.begin(), s.end(), pattern);
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    return s;
}

// "map<uuid, blob>" -> {"map", {"uuid", "blob"}}; "text" -> {"text", {}}. Commas inside nested
// angle brackets do not split.
std::pair<std::string, std::vector<std::string>> split_type(std::string_view type) {
    type = trim(type);
    const auto open = type.find('<');
    if (open == std::string_view::npos || type.back() != '>') return {std::string(type), {}};
    std::vector<std::string> params;
    int depth = 0;
    std::size_t start = open + 1;
    for (std::size_t i = open + 1; i + 1 < type.size(); ++i) {
        if (type[i] == '<') ++depth;
        if (type[i] == '>') --depth;
        if (type[i] == ',' && depth == 0) {
            params.emplace_back(trim(type.substr(start, i - start)));
            start = i + 1;
        }
    }
    params.emplace_back(trim(type.substr(start, type.size() - 1 - start)));
    return {std::string(trim(type.substr(0, open))), params};
}

// Checks that `v` is what Cassandra's SELECT JSON makes of a value of CQL type `type` (as
// system_schema.columns spells it). A type this function does not know fails the test.
void check_json_shape(const json::value& v, const std::string& type, const std::string& where) {
    INFO(where << " (" << type << ") = " << json::serialize(v));
    if (v.is_null()) return;  // any column may be null
    const auto [name, params] = split_type(type);
    if (name == "frozen") {
        REQUIRE(params.size() == 1);
        check_json_shape(v, params[0], where);
    } else if (name == "text" || name == "varchar" || name == "ascii") {
        CHECK(v.is_string());
    } else if (name == "int" || name == "bigint" || name == "smallint" || name == "tinyint" || name == "counter") {
        CHECK((v.is_int64() || v.is_uint64()));
    } else if (name == "boolean") {
        CHECK(v.is_bool());
    } else if (name == "uuid" || name == "timeuuid") {
        REQUIRE(v.is_string());
        CHECK(is_uuid(v.as_string()));
    } else if (name == "inet") {
        REQUIRE(v.is_string());
        CHECK(is_inet(v.as_string()));
    } else if (name == "blob") {
        REQUIRE(v.is_string());
        CHECK(is_blob(v.as_string()));
    } else if (name == "set" || name == "list") {
        REQUIRE(params.size() == 1);
        REQUIRE(v.is_array());
        for (const auto& e : v.as_array()) check_json_shape(e, params[0], where + "[]");
    } else if (name == "map") {
        REQUIRE(params.size() == 2);
        REQUIRE(v.is_object());
        for (const auto& [key, value] : v.as_object()) {
            // SELECT JSON writes every key as a string: check the key's text as a value of the key type.
            const auto [key_type, key_params] = split_type(params[0]);
            if (key_type == "text" || key_type == "varchar" || key_type == "ascii" || key_type == "uuid" ||
                key_type == "timeuuid" || key_type == "inet" || key_type == "blob")
                check_json_shape(json::value(json::string(key)), params[0], where + " key");
            else
                FAIL("map key type " << params[0] << " not handled by this check");
            check_json_shape(value, params[1], where + "[" + std::string(key) + "]");
        }
    } else {
        FAIL("type " << type << " is not handled by this check; extend check_json_shape");
    }
}

// system.local's columns and their CQL types, from the server's own schema.
const std::map<std::string, std::string>& system_local_columns() {
    static const std::map<std::string, std::string> columns = [] {
        const auto rows = json_rows(run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "json", "-e",
                                                 "SELECT column_name, type FROM system_schema.columns "
                                                 "WHERE keyspace_name = 'system' AND table_name = 'local'"}));
        std::map<std::string, std::string> out;
        for (const auto& row : rows) {
            const auto& o = row.as_object();
            REQUIRE(o.contains("column_name"));
            REQUIRE(o.contains("type"));
            out.emplace(o.at("column_name").as_string(), o.at("type").as_string());
        }
        return out;
    }();
    return columns;
}

const json::object& only_row(const json::array& rows) {
    REQUIRE(rows.size() == 1);
    return rows[0].as_object();
}

std::string text_of(const json::object& row, const char* column) {
    INFO("column " << column << " in " << json::serialize(row));
    REQUIRE(row.contains(column));
    REQUIRE(row.at(column).is_string());
    return std::string(row.at(column).as_string());
}

std::int64_t int_of(const json::object& row, const char* column) {
    INFO("column " << column << " in " << json::serialize(row));
    REQUIRE(row.contains(column));
    REQUIRE(row.at(column).is_int64());
    return row.at(column).as_int64();
}

}  // namespace

TEST_SUITE("integration: the article's flow") {

TEST_CASE("the article's cqlshrc: SELECT * FROM system.local prints the table") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-e", select_local});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());  // the article's file is complete and valid: nothing to warn about
    // Every column of the table is named in the output, and the values that are the same on
    // every node of this testbed appear.
    for (const auto& [column, type] : system_local_columns()) CHECK_MESSAGE(r.out.find(column) != std::string::npos, column);
    CHECK(r.out.find(tb.version) != std::string::npos);
    CHECK(r.out.find("org.apache.cassandra.dht.Murmur3Partitioner") != std::string::npos);
    CHECK(r.out.find(tb.host) != std::string::npos);
    CHECK(r.out.find("COMPLETED") != std::string::npos);
    CHECK(r.out.find("(1 rows)") != std::string::npos);
}

TEST_CASE("the article's cqlshrc, --format json: every column of system.local with a sane value") {
    const auto& tb = require_testbed();
    const auto rows = json_rows(run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "json", "-e", select_local}));
    const auto& row = only_row(rows);
    INFO(json::serialize(row));

    // Exactly the columns the server's schema lists, each shaped as its type says.
    const auto& columns = system_local_columns();
    CHECK(columns.size() >= 10);
    CHECK(row.size() == columns.size());
    for (const auto& [column, type] : columns) {
        CHECK_MESSAGE(row.contains(column), "missing column " << column);
        if (row.contains(column)) check_json_shape(row.at(column), type, column);
    }

    CHECK(text_of(row, "key") == "local");
    CHECK(text_of(row, "release_version") == tb.version);
    CHECK(text_of(row, "release_version").starts_with("5.0."));
    CHECK_FALSE(text_of(row, "cluster_name").empty());
    CHECK(is_uuid(text_of(row, "host_id")));
    CHECK(is_uuid(text_of(row, "schema_version")));
    CHECK(text_of(row, "rpc_address") == tb.host);
    CHECK(text_of(row, "listen_address") == tb.host);
    CHECK(text_of(row, "broadcast_address") == tb.host);
    CHECK(int_of(row, "listen_port") == tb.storage_port);
    CHECK(int_of(row, "broadcast_port") == tb.storage_port);
    // With a separate TLS port, the node advertises its plaintext native_transport_port.
    const auto rpc_port = int_of(row, "rpc_port");
    CHECK((rpc_port == tb.port || rpc_port == tb.plain_port));
    CHECK_FALSE(text_of(row, "data_center").empty());
    CHECK_FALSE(text_of(row, "rack").empty());
    CHECK(text_of(row, "partitioner") == "org.apache.cassandra.dht.Murmur3Partitioner");
    CHECK(text_of(row, "bootstrapped") == "COMPLETED");
    CHECK(std::regex_match(text_of(row, "cql_version"), std::regex("3\\.[0-9]+\\.[0-9]+")));
    // The highest protocol version the node speaks; cqlwire talks v4, so it must be at least that.
    const auto native = text_of(row, "native_protocol_version");
    REQUIRE(std::regex_match(native, std::regex("[0-9]+")));
    CHECK(std::stoi(native) >= 4);
    // The generation is the node's start time in seconds since the epoch.
    CHECK(int_of(row, "gossip_generation") > 1'600'000'000);

    // One token per node here (num_tokens: 1): a Murmur3 token is a signed 64-bit integer.
    REQUIRE(row.contains("tokens"));
    REQUIRE(row.at("tokens").is_array());
    const auto& tokens = row.at("tokens").as_array();
    CHECK_FALSE(tokens.empty());
    for (const auto& t : tokens) {
        REQUIRE(t.is_string());
        CHECK(std::regex_match(std::string(t.as_string()), std::regex("-?[0-9]{1,19}")));
    }
    REQUIRE(row.contains("truncated_at"));
    CHECK(row.at("truncated_at").is_object());
}

TEST_CASE("--format json renders every column exactly as the server's own SELECT JSON does") {
    // The contract of --format json is Cassandra's own JSON rendering, so the server is the
    // oracle: SELECT JSON * gives one text column "[json]" holding the row as the server renders it.
    const auto ours = json_rows(run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "json", "-e", select_local}));
    const auto theirs = json_rows(
        run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "json", "-e", "SELECT JSON * FROM system.local"}));
    const auto& our_row = only_row(ours);
    const auto& their_wrapper = only_row(theirs);
    REQUIRE(their_wrapper.contains("[json]"));
    REQUIRE(their_wrapper.at("[json]").is_string());
    const auto server_row = json::parse(their_wrapper.at("[json]").as_string());
    REQUIRE(server_row.is_object());
    const auto& expected = server_row.as_object();

    CHECK(our_row.size() == expected.size());
    int equal = 0;
    for (const auto& [column, value] : expected) {
        REQUIRE_MESSAGE(our_row.contains(column), "cqlwire lacks column " << column);
        const bool same = our_row.at(column) == value;
        CHECK_MESSAGE(same, column << ": cqlwire " << json::serialize(our_row.at(column)) << ", server "
                                   << json::serialize(value));
        equal += same ? 1 : 0;
    }
    MESSAGE(expected.size() << " columns compared with the server's SELECT JSON, " << equal << " equal");
}

TEST_CASE("the article's section-less cqlshrc (keys without [section] headers) works, with a warning") {
    const auto& tb = require_testbed();
    const auto rc = write_private_file("sectionless-cqlshrc",
                                       "hostname = " + tb.host + "\n"
                                       "port = " + std::to_string(tb.port) + "\n"
                                       "username = " + tb.user + "\n"
                                       "password = " + tb.password + "\n"
                                       "certfile = " + tb.pki_file("server-ca.crt") + "\n"
                                       "validate = true ;; Optional, true by default\n"
                                       "userkey = " + tb.pki_file("rootCa.key") + "\n"
                                       "usercert = " + tb.pki_file("rootCa.crt") + "\n");
    const auto r = run_cqlwire({"--cqlshrc", rc, "--format", "json", "-e", "SELECT release_version FROM system.local"});
    INFO(describe(r));
    const auto rows = json_rows(r);
    CHECK(text_of(only_row(rows), "release_version") == tb.version);
    CHECK(r.err.starts_with("cqlwire: "));
    CHECK(contains_case_insensitive(r.err, "warning"));
    CHECK(contains_case_insensitive(r.err, "section"));
    CHECK(r.err.find(tb.password) == std::string::npos);
}

TEST_CASE("flags instead of a cqlshrc, with the CA-signed client certificate and --password-file") {
    const auto& tb = require_testbed();
    const auto password_file = write_private_file("password", tb.password + "\n");
    const auto r = run_cqlwire({"--ssl", "--cafile", tb.pki_file("server-ca.crt"), "--cert", tb.pki_file("client.crt"),
                                "--key", tb.pki_file("client.key"), "-u", tb.user, "--password-file", password_file,
                                "--format", "json", "-e", "SELECT release_version FROM system.local", tb.host,
                                std::to_string(tb.port)});
    INFO(describe(r));
    CHECK(text_of(only_row(json_rows(r)), "release_version") == tb.version);
    CHECK(r.err.empty());
}

TEST_CASE("the rootCa certificate through flags, the password from CQLWIRE_PASSWORD") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire(concat(concat(tls_args(tb), login_args(tb)),
                                      {"--format", "json", "-e", "SELECT cluster_name FROM system.local"}),
                               password_env(tb));
    INFO(describe(r));
    CHECK_FALSE(text_of(only_row(json_rows(r)), "cluster_name").empty());
    CHECK(r.err.empty());
}

TEST_CASE("-k/--keyspace and --consistency: an unqualified table of that keyspace, read at QUORUM") {
    const auto& tb = require_testbed();
    const auto rows = json_rows(run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-k", "system", "--consistency",
                                             "QUORUM", "--format", "json", "-e", "SELECT release_version FROM local"}));
    CHECK(text_of(only_row(rows), "release_version") == tb.version);
}

TEST_CASE("--format json with two statements: one JSON array per statement, one per line") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "json", "-e",
                                "SELECT key FROM system.local; SELECT release_version FROM system.local;"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    const auto newline = r.out.find('\n');
    REQUIRE(newline != std::string::npos);
    const auto first = json::parse(r.out.substr(0, newline));
    const auto second = json::parse(r.out.substr(newline + 1));
    REQUIRE(first.is_array());
    REQUIRE(second.is_array());
    CHECK(text_of(only_row(first.as_array()), "key") == "local");
    CHECK(text_of(only_row(second.as_array()), "release_version") == tb.version);
}

TEST_CASE("--format csv: a header line with the column names, then the row") {
    const auto& tb = require_testbed();
    const auto r = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "csv", "-e",
                                "SELECT key, release_version FROM system.local"});
    INFO(describe(r));
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.starts_with("key,release_version"));
    CHECK(r.out.find("local," + tb.version) != std::string::npos);
}

}  // TEST_SUITE

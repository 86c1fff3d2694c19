#include "test_support.hpp"

#include <map>
#include <string>
#include <vector>

#include "completion.hpp"
#include "cql_names.hpp"

// Tab completion's reading of statements, against a schema held in memory.

namespace doctest {
template <>
struct StringMaker<std::vector<std::string>> {
    static String convert(const std::vector<std::string>& v) {
        std::string out = "{";
        for (const auto& s : v) out += (out.size() > 1 ? ", " : "") + s;
        return (out + "}").c_str();
    }
};
}  // namespace doctest

namespace {

using cqlwire::cli::complete_statement;
using cqlwire::cli::schema_names;
using strings = std::vector<std::string>;

class fixed_schema : public schema_names {
public:
    strings keyspaces() override {
        ++asked;
        return {"shop", "system", "Mixed"};
    }
    strings tables(const std::string& keyspace) override {
        ++asked;
        if (keyspace == "shop") return {"orders", "order_lines", "users", "Carts", "select"};
        if (keyspace == "Mixed") return {"things", "T1"};
        return {};
    }
    strings columns(const std::string& keyspace, const std::string& table) override {
        ++asked;
        if (keyspace == "shop" && table == "orders") return {"id", "placed", "total", "Note"};
        if (keyspace == "shop" && table == "Carts") return {"cart_id", "items", "bad\x1b[2Jname", "tab\tname"};
        if (keyspace == "shop" && table == "users") return {"id", "ünï", "über"};
        return {};
    }
    strings user_types(const std::string& keyspace) override {
        ++asked;
        return keyspace == "shop" ? strings{"address", "money"} : strings{};
    }
    int asked = 0;
};

strings offered(std::string_view text, const std::string& keyspace = "shop") {
    fixed_schema schema;
    return complete_statement(text, keyspace, schema).candidates;
}

}  // namespace

TEST_CASE("the first word: statements and shell commands, matched without regard to case") {
    CHECK(offered("sel") == strings{"SELECT"});
    CHECK(offered("  Con") == strings{"CONSISTENCY"});
    CHECK(offered("s") == strings{"SELECT", "SERIAL", "SHOW", "SOURCE"});
    CHECK(offered("de") == strings{"DELETE", "DESC", "DESCRIBE"});
    const auto all = offered("");
    CHECK(all.size() == 32);
    CHECK(offered("zzz").empty());
    // After a `;` a new statement begins.
    CHECK(offered("SELECT * FROM orders; tr") == strings{"TRACING", "TRUNCATE"});
    CHECK(offered("u") == strings{"UPDATE", "USE"});
}

TEST_CASE("where the word begins") {
    fixed_schema schema;
    CHECK(complete_statement("SELECT * FROM ord", "shop", schema).word_start == 14);
    CHECK(complete_statement("SELECT * FROM shop.ord", "shop", schema).word_start == 14);
    CHECK(complete_statement("SELECT * FROM ", "shop", schema).word_start == 14);
    CHECK(complete_statement("USE \"Mi", "", schema).word_start == 4);
}

TEST_CASE("shell commands' arguments") {
    CHECK(offered("CONSISTENCY lo") == strings{"LOCAL_ONE", "LOCAL_QUORUM", "LOCAL_SERIAL"});
    CHECK(offered("consistency ").size() == 11);
    CHECK(offered("CONSISTENCY ONE ").empty());
    CHECK(offered("SERIAL ") == strings{"CONSISTENCY"});
    CHECK(offered("SERIAL CONSISTENCY ") == strings{"LOCAL_SERIAL", "SERIAL"});
    CHECK(offered("expand o") == strings{"OFF", "ON"});
    CHECK(offered("TRACING of") == strings{"OFF"});
    CHECK(offered("PAGING ") == strings{"OFF", "ON"});
    CHECK(offered("SHOW v") == strings{"VERSION"});
    CHECK(offered("SHOW ") == strings{"HOST", "REPLICAS", "SESSION", "VERSION"});
    CHECK(offered("SHOW REPLICAS 0 s") == strings{"shop", "system"});
    CHECK(offered("HELP co") == strings{"CONSISTENCY", "COPY"});
    CHECK(offered("CAPTURE ") == strings{"OFF"});
}

TEST_CASE("keyspaces after USE and KEYSPACE, quoted when they must be") {
    CHECK(offered("USE ") == strings{"\"Mixed\"", "shop", "system"});
    CHECK(offered("use s") == strings{"shop", "system"});
    CHECK(offered("USE mi") == strings{"\"Mixed\""});   // found by its name
    CHECK(offered("USE \"Mi") == strings{"\"Mixed\""});
    CHECK(offered("DESCRIBE KEYSPACE sh") == strings{"shop"});
    CHECK(offered("DROP KEYSPACE ") == strings{"\"Mixed\"", "IF", "shop", "system"});
}

TEST_CASE("tables: of the current keyspace, then keyspaces with their dot, then a keyspace's") {
    CHECK(offered("SELECT * FROM o") == strings{"order_lines", "orders"});
    CHECK(offered("SELECT * FROM s") == strings{"\"select\"", "shop.", "system."});  // a keyword is quoted
    CHECK(offered("select * from C") == strings{"\"Carts\""});
    CHECK(offered("SELECT * FROM shop.u") == strings{"shop.users"});
    CHECK(offered("SELECT * FROM \"Mixed\".") == strings{"\"Mixed\".\"T1\"", "\"Mixed\".things"});
    CHECK(offered("SELECT * FROM \"Mixed\".t") == strings{"\"Mixed\".\"T1\"", "\"Mixed\".things"});
    CHECK(offered("INSERT INTO us") == strings{"users"});
    CHECK(offered("UPDATE ") .size() == 8);
    CHECK(offered("TRUNCATE TABLE o") == strings{"order_lines", "orders"});
    CHECK(offered("COPY shop.o") == strings{"shop.order_lines", "shop.orders"});
    CHECK(offered("DESCRIBE TABLE o") == strings{"order_lines", "orders"});
    // Without a current keyspace: the keyspaces only.
    CHECK(offered("SELECT * FROM ", "") == strings{"\"Mixed\".", "shop.", "system."});
}

TEST_CASE("columns of the table the statement names") {
    CHECK(offered("SELECT * FROM orders WHERE ") == strings{"\"Note\"", "TOKEN", "id", "placed", "total"});
    CHECK(offered("SELECT * FROM orders WHERE id = 1 AND pl") == strings{"placed"});
    CHECK(offered("select * from shop.orders where t") == strings{"TOKEN", "total"});  // no other keywords there
    CHECK(offered("UPDATE orders SET ") == strings{"\"Note\"", "id", "placed", "total"});
    CHECK(offered("UPDATE orders SET total = 1, no") == strings{"\"Note\""});
    CHECK(offered("INSERT INTO orders (id, ") == strings{"\"Note\"", "id", "placed", "total"});
    CHECK(offered("INSERT INTO orders (id) ") == strings{"VALUES"});
    CHECK(offered("INSERT INTO orders ") == strings{"(", "JSON"});
    // Names holding control characters are never offered: they would reach the terminal raw.
    CHECK(offered("DELETE FROM \"Carts\" WHERE ") == strings{"TOKEN", "cart_id", "items"});
    CHECK(offered("SELECT * FROM orders ORDER BY ") == strings{"\"Note\"", "id", "placed", "total"});
    CHECK(offered("SELECT * FROM orders ") == strings{"ALLOW", "GROUP", "LIMIT", "ORDER", "PER", "WHERE"});
    CHECK(offered("SELECT * FROM orders WHERE id = 1 ALLOW ") == strings{"FILTERING"});
    CHECK(offered("COPY orders (") == strings{"\"Note\"", "id", "placed", "total"});
    CHECK(offered("CREATE INDEX ON orders (") ==
          strings{"\"Note\"", "ENTRIES", "FULL", "KEYS", "VALUES", "id", "placed", "total"});
    CHECK(offered("ALTER TABLE orders DROP ") == strings{"\"Note\"", "id", "placed", "total"});
}

TEST_CASE("types in definitions, the keyspace's own among them") {
    CHECK(offered("CREATE TABLE t (id ") .size() == 29);  // 27 CQL types, 2 user types
    CHECK(offered("CREATE TABLE t (id int, v ti") == strings{"time", "timestamp", "timeuuid", "tinyint"});
    CHECK(offered("CREATE TABLE t (id int, a ad") == strings{"address"});
    CHECK(offered("CREATE TABLE t (id int, v frozen<m") == strings{"map", "money"});
    CHECK(offered("CREATE TYPE t (street te") == strings{"text"});
    CHECK(offered("ALTER TABLE orders ADD extra bl") == strings{"blob"});
    CHECK(offered("DESCRIBE TYPE ") == strings{"\"Mixed\".", "address", "money", "shop.", "system."});
}

TEST_CASE("COPY, DESCRIBE and batches") {
    CHECK(offered("COPY orders ") == strings{"(", "FROM", "TO"});
    CHECK(offered("COPY orders TO ") == strings{"STDOUT"});
    CHECK(offered("COPY orders TO 'f.csv' ") == strings{"WITH"});
    CHECK(offered("COPY orders TO 'f.csv' WITH HEADER = true AND max") ==
          strings{"MAXATTEMPTS", "MAXBACKOFFATTEMPTS", "MAXBATCHSIZE", "MAXINFLIGHTMESSAGES", "MAXINSERTERRORS",
                  "MAXLINEBUFFERSIZE", "MAXOUTPUTSIZE", "MAXPARSEERRORS", "MAXREQUESTS", "MAXROWS"});
    CHECK(offered("DESC ke") == strings{"KEYSPACE", "KEYSPACES"});
    CHECK(offered("DESCRIBE FULL ") == strings{"SCHEMA"});
    CHECK(offered("DESCRIBE TABLE orders ") == strings{"WITH"});
    CHECK(offered("DESCRIBE TABLE orders WITH ") == strings{"INTERNALS"});
    CHECK(offered("BEGIN ") == strings{"BATCH", "COUNTER", "UNLOGGED"});
    CHECK(offered("BEGIN BATCH INSERT INTO o") == strings{"order_lines", "orders"});
    CHECK(offered("BEGIN BATCH\nUPDATE orders SET total = 1 WHERE id = 1;\nUPDATE orders SET t") ==
          strings{"total"});
}

TEST_CASE("nothing inside strings and comments; quoted names and keywords elsewhere") {
    CHECK(offered("SELECT * FROM orders WHERE id = 'o").empty());
    CHECK(offered("SELECT * FROM orders WHERE id = $$ o").empty());
    CHECK(offered("SELECT * -- a com").empty());
    CHECK(offered("SELECT * /* o").empty());
    // A closed string or comment is passed over.
    CHECK(offered("SELECT * /* FROM */ FROM orders WHERE id = 'it''s' AND n") == strings{"\"Note\""});
    // Keywords only once a word is begun.
    CHECK(offered("CREATE KEYSPACE k WITH ") == strings{"DURABLE_WRITES", "REPLICATION"});
    CHECK(offered("CREATE KEYSPACE k WITH REPLICATION = {'class': 'SimpleStrategy'} ").empty());
    CHECK(offered("CREATE KEYSPACE k WITH REPLICATION = {'class': 'SimpleStrategy'} AN") == strings{"AND"});
}

TEST_CASE("the schema is asked only for what the place needs") {
    fixed_schema schema;
    complete_statement("SEL", "shop", schema);
    complete_statement("CONSISTENCY ", "shop", schema);
    complete_statement("SELECT * FROM orders WHERE id = 'x", "shop", schema);
    CHECK(schema.asked == 0);
    complete_statement("SELECT * FROM orders WHERE ", "shop", schema);
    CHECK(schema.asked == 1);
}

TEST_CASE("names as CQL text") {
    using cqlwire::cli::cql_identifier_text;
    CHECK(cql_identifier_text("users") == "users");
    CHECK(cql_identifier_text("user_2") == "user_2");
    CHECK(cql_identifier_text("Users") == "\"Users\"");
    CHECK(cql_identifier_text("2users") == "\"2users\"");
    CHECK(cql_identifier_text("select") == "\"select\"");
    CHECK(cql_identifier_text("a\"b") == "\"a\"\"b\"");
    CHECK(cql_identifier_text("") == "\"\"");
    CHECK(cql_identifier_text("名前") == "\"名前\"");
}

TEST_CASE("conditions: operators after a column, what may follow a value; USING; WITH on a table") {
    CHECK(offered("SELECT * FROM orders WHERE id ") == strings{"<", "<=", "=", ">", ">=", "CONTAINS", "IN", "LIKE"});
    CHECK(offered("SELECT * FROM orders WHERE id = 1 ") == strings{"ALLOW", "AND", "GROUP", "LIMIT", "ORDER", "PER"});
    CHECK(offered("SELECT * FROM orders WHERE id = 'x' AND total > ? ") ==
          strings{"ALLOW", "AND", "GROUP", "LIMIT", "ORDER", "PER"});
    CHECK(offered("UPDATE orders SET total = 1 WHERE id = 1 ") == strings{"AND", "IF"});
    CHECK(offered("UPDATE orders USING ") == strings{"TIMESTAMP", "TTL"});
    CHECK(offered("INSERT INTO orders (id) VALUES (1) ") == strings{"IF", "USING"});
    CHECK(offered("INSERT INTO orders (id) VALUES (1) USING ") == strings{"TIMESTAMP", "TTL"});
    CHECK(offered("CREATE TABLE t (id int PRIMARY KEY) WITH com") == strings{"COMPACT", "comment", "compaction", "compression"});
    CHECK(offered("CREATE TABLE t (id int PRIMARY KEY) WITH comment = 'x' AND gc") == strings{"gc_grace_seconds"});
    // Not a column of the table: no operators.
    CHECK(offered("SELECT * FROM orders WHERE nope ").empty());
}

TEST_CASE("a quoted name is found by its non-ASCII letters too") {
    CHECK(offered("SELECT * FROM users WHERE ü") == strings{"\"über\"", "\"ünï\""});
    CHECK(offered("SELECT * FROM users WHERE \"ün") == strings{"\"ünï\""});
}

TEST_CASE("a table the schema does not answer for offers nothing, not even TOKEN") {
    CHECK(offered("SELECT * FROM nowhere WHERE ").empty());
    CHECK(offered("UPDATE nowhere SET x = 1 IF ").empty());
}

// The library's query surface against the real Cassandra of the testbed (mutual TLS + password):
// PREPARE/EXECUTE with positional and named values, the prepared-statement cache, re-prepare
// after the server forgot a statement, BATCH of each type, paging over 10,000 rows, USE,
// warnings, serial consistency with a lightweight transaction, and the default timestamp.
// Everything lives in the keyspace query_surface (dropped and created again by each run).
#include "test_support.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/batch.hpp"
#include "cqlwire/transport/pager.hpp"
#include "cqlwire/transport/query_client.hpp"
#include "testbed_connection.hpp"
#include "testbed_env.hpp"

using namespace cqlwire;
using namespace cqlwire::integration;
using transport::batch;
using transport::bind_value;
using transport::query_client;
using transport::statement;

namespace {

constexpr std::string_view keyspace = "query_surface";

// The keyspace, created afresh once per run.
void ensure_keyspace(query_client& c) {
    static bool created = false;
    if (created) return;
    c.execute("DROP KEYSPACE IF EXISTS " + std::string(keyspace));
    auto r = c.execute("CREATE KEYSPACE " + std::string(keyspace) +
                       " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
    REQUIRE(r.is_schema_change());
    CHECK(r.schema_change().change_type == "CREATED");
    CHECK(r.schema_change().target == protocol::schema_change_target::keyspace);
    CHECK(r.schema_change().keyspace == keyspace);
    created = true;
}

std::string table(std::string_view name) { return std::string(keyspace) + "." + std::string(name); }

std::string text_of(const protocol::value_view& v) {
    std::string_view s;
    REQUIRE(protocol::to_text(v, s) == std::error_code{});
    return std::string(s);
}

}  // namespace

TEST_CASE("integration query: prepare and execute with positional and named values, and the cache") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("CREATE TABLE IF NOT EXISTS " + table("kv") + " (k int PRIMARY KEY, v text, n bigint)");

    auto insert = c.prepare("INSERT INTO " + table("kv") + " (k, v, n) VALUES (?, ?, ?)");
    REQUIRE(insert->bind_metadata().columns.size() == 3);
    CHECK(insert->bind_metadata().columns[2].type.kind == protocol::type_kind::bigint);
    CHECK(c.execute(statement(insert).bind(std::int32_t{1}).bind("one").bind(std::int32_t{100})).is_void());

    auto named = c.prepare("INSERT INTO " + table("kv") + " (k, v, n) VALUES (:key, :val, :num)");
    CHECK(c.execute(statement(named).bind("num", std::int64_t{200}).bind("val", "two").bind("key", std::int32_t{2}))
              .is_void());

    const std::uint64_t prepares_before = c.counters().prepares_sent;
    auto select = c.prepare("SELECT k, v, n FROM " + table("kv") + " WHERE k = :key");
    auto select_again = c.prepare("SELECT k, v, n FROM " + table("kv") + " WHERE k = :key");
    CHECK(select == select_again);
    CHECK(c.counters().prepares_sent == prepares_before + 1);  // the second one came from the cache
    CHECK(c.counters().cache_hits >= 1);

    for (std::int32_t k : {1, 2}) {
        auto r = c.execute(statement(select_again).bind("key", k));
        REQUIRE(r.is_rows());
        REQUIRE(r.rows().size() == 1);
        auto row = *r.rows().begin();
        CHECK(protocol::as_int32(row[0]) == k);
        CHECK(text_of(row[1]) == (k == 1 ? "one" : "two"));
        CHECK(protocol::as_int64(row[2]) == k * 100);
    }

    // The server's own check of the markers: a name it does not know is refused by us first.
    std::error_code ec;
    protocol::diagnostics diag;
    c.execute(statement(select).bind("nokey", std::int32_t{1}), ec, diag);
    CHECK(ec == protocol::client_errc::bad_value);
}

TEST_CASE("integration query: a statement the server forgot (table dropped and created) is re-prepared") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("DROP TABLE IF EXISTS " + table("forgotten"));
    c.execute("CREATE TABLE " + table("forgotten") + " (k int PRIMARY KEY, v text)");
    c.execute("INSERT INTO " + table("forgotten") + " (k, v) VALUES (1, 'before')");
    auto select = c.prepare("SELECT v FROM " + table("forgotten") + " WHERE k = ?");
    auto first = c.execute(statement(select).bind(std::int32_t{1}));
    REQUIRE(first.rows().size() == 1);
    CHECK(text_of((*first.rows().begin())[0]) == "before");
    CHECK_FALSE(first.reprepared());

    c.execute("DROP TABLE " + table("forgotten"));
    c.execute("CREATE TABLE " + table("forgotten") + " (k int PRIMARY KEY, v text)");
    c.execute("INSERT INTO " + table("forgotten") + " (k, v) VALUES (1, 'after')");

    const auto unprepared_before = c.counters().unprepared_received;
    auto again = c.execute(statement(select).bind(std::int32_t{1}));
    CHECK(again.reprepared());
    CHECK(c.counters().unprepared_received == unprepared_before + 1);
    CHECK(c.counters().reprepares >= 1);
    CHECK(select->times_prepared() == 2);
    REQUIRE(again.rows().size() == 1);
    CHECK(text_of((*again.rows().begin())[0]) == "after");
}

TEST_CASE("integration query: batches, logged, unlogged and counter, mixing strings and prepared statements") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("CREATE TABLE IF NOT EXISTS " + table("batched") + " (k int, c int, v text, PRIMARY KEY (k, c))");
    c.execute("CREATE TABLE IF NOT EXISTS " + table("counted") + " (k int PRIMARY KEY, hits counter)");
    auto insert = c.prepare("INSERT INTO " + table("batched") + " (k, c, v) VALUES (?, ?, ?)");

    batch logged(protocol::batch_type::logged);
    logged.add(statement("INSERT INTO " + table("batched") + " (k, c, v) VALUES (1, 1, 'literal')"));
    logged.add(statement("INSERT INTO " + table("batched") + " (k, c, v) VALUES (?, ?, ?)")
                   .bind(std::int32_t{1})
                   .bind(std::int32_t{2})
                   .bind("bound string"));
    logged.add(statement(insert).bind(std::int32_t{1}).bind(std::int32_t{3}).bind("prepared"));
    logged.options.consistency = protocol::consistency::quorum;
    CHECK(c.execute(logged).is_void());

    batch unlogged(protocol::batch_type::unlogged);
    unlogged.add(statement(insert).bind(std::int32_t{2}).bind(std::int32_t{1}).bind("u1"));
    unlogged.add(statement(insert).bind(std::int32_t{2}).bind(std::int32_t{2}).bind("u2"));
    CHECK(c.execute(unlogged).is_void());

    auto count = c.prepare("UPDATE " + table("counted") + " SET hits = hits + ? WHERE k = ?");
    batch counter(protocol::batch_type::counter);
    counter.add(statement(count).bind(std::int64_t{5}).bind(std::int32_t{1}));
    counter.add(statement("UPDATE " + table("counted") + " SET hits = hits + 2 WHERE k = 1"));
    CHECK(c.execute(counter).is_void());

    std::map<std::pair<int, int>, std::string> rows;
    auto all = c.execute("SELECT k, c, v FROM " + table("batched"));
    for (auto row : all.rows())
        rows[{*protocol::as_int32(row[0]), *protocol::as_int32(row[1])}] = text_of(row[2]);
    CHECK(rows == std::map<std::pair<int, int>, std::string>{{{1, 1}, "literal"},
                                                             {{1, 2}, "bound string"},
                                                             {{1, 3}, "prepared"},
                                                             {{2, 1}, "u1"},
                                                             {{2, 2}, "u2"}});
    auto hits = c.execute("SELECT hits FROM " + table("counted") + " WHERE k = 1");
    REQUIRE(hits.rows().size() == 1);
    CHECK(protocol::as_int64((*hits.rows().begin())[0]) == 7);

    // A counter update in a logged batch is the server's to refuse: the batch type is sent.
    batch wrong(protocol::batch_type::logged);
    wrong.add(statement(count).bind(std::int64_t{1}).bind(std::int32_t{1}));
    std::error_code ec;
    protocol::diagnostics diag;
    c.execute(wrong, ec, diag);
    CHECK(ec == protocol::server_errc::invalid);
}

TEST_CASE("integration query: paging over 10,000 rows returns every row exactly once") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("DROP TABLE IF EXISTS " + table("paged"));
    c.execute("CREATE TABLE " + table("paged") + " (k int PRIMARY KEY, v int)");
    constexpr std::int32_t total = 10000;
    auto insert = c.prepare("INSERT INTO " + table("paged") + " (k, v) VALUES (?, ?)");
    // Unlogged batches of one partition each would still be one request per row; 100 rows per
    // batch keeps the set-up short (the server may warn about the partitions; that is fine).
    for (std::int32_t start = 0; start < total; start += 100) {
        batch b(protocol::batch_type::unlogged);
        for (std::int32_t k = start; k < start + 100; ++k) b.add(statement(insert).bind(k).bind(k * 2));
        REQUIRE(c.execute(b).is_void());
    }

    statement s("SELECT k, v FROM " + table("paged"));
    s.options.page_size = 1000;
    auto p = c.pages(s);
    std::map<std::int32_t, int> seen;
    std::size_t largest_page = 0;
    std::vector<transport::query_result> held;
    while (auto page = p.next()) {
        largest_page = std::max(largest_page, page->rows().size());
        for (auto row : page->rows()) {
            ++seen[*protocol::as_int32(row[0])];
            CHECK(protocol::as_int32(row[1]) == *protocol::as_int32(row[0]) * 2);
        }
        held.push_back(std::move(*page));
    }
    CHECK(seen.size() == static_cast<std::size_t>(total));
    CHECK(seen.begin()->first == 0);
    CHECK(seen.rbegin()->first == total - 1);
    std::size_t duplicates = 0;
    for (const auto& [k, n] : seen)
        if (n != 1) ++duplicates;
    CHECK(duplicates == 0);
    CHECK(largest_page == 1000);
    CHECK(p.pages_fetched() >= 10);
    // Every page is still readable while held.
    std::size_t rows_held = 0;
    for (const auto& page : held) rows_held += page.rows().size();
    CHECK(rows_held == static_cast<std::size_t>(total));
}

TEST_CASE("integration query: USE, then an unqualified table; Set_keyspace is typed") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("CREATE TABLE IF NOT EXISTS " + table("plain") + " (k int PRIMARY KEY, v text)");
    c.execute("INSERT INTO " + table("plain") + " (k, v) VALUES (7, 'seven')");
    auto use = c.execute("USE " + std::string(keyspace));
    REQUIRE(use.is_set_keyspace());
    CHECK(use.keyspace() == keyspace);
    CHECK(c.keyspace() == keyspace);
    auto r = c.execute(statement(c.prepare("SELECT v FROM plain WHERE k = ?")).bind(std::int32_t{7}));
    REQUIRE(r.rows().size() == 1);
    CHECK(text_of((*r.rows().begin())[0]) == "seven");
    CHECK(c.cache().find(keyspace, "SELECT v FROM plain WHERE k = ?") != nullptr);
}

TEST_CASE("integration query: the server's warnings reach the caller") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("CREATE TABLE IF NOT EXISTS " + table("warned") + " (k int PRIMARY KEY, v int)");
    c.execute("INSERT INTO " + table("warned") + " (k, v) VALUES (1, 1)");
    auto r = c.execute("SELECT count(*) FROM " + table("warned"));
    REQUIRE(r.is_rows());
    REQUIRE_FALSE(r.warnings().empty());
    bool aggregation_warning = false;
    for (auto w : r.warnings()) {
        MESSAGE("server warning: " << w);
        if (w.find("Aggregation query used without partition key") != std::string_view::npos)
            aggregation_warning = true;
    }
    CHECK(aggregation_warning);
    auto quiet = c.execute("SELECT v FROM " + table("warned") + " WHERE k = 1");
    CHECK(quiet.warnings().empty());
}

TEST_CASE("integration query: serial consistency with a lightweight transaction") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("CREATE TABLE IF NOT EXISTS " + table("lwt") + " (k int PRIMARY KEY, v text)");
    c.execute("TRUNCATE " + table("lwt"));
    auto insert = c.prepare("INSERT INTO " + table("lwt") + " (k, v) VALUES (?, ?) IF NOT EXISTS");

    auto applied_of = [](const transport::query_result& r) {
        REQUIRE(r.is_rows());
        REQUIRE(r.rows().size() == 1);
        REQUIRE(r.metadata().columns.at(0).name == "[applied]");
        bool b = false;
        REQUIRE(protocol::to_bool((*r.rows().begin())[0], b) == std::error_code{});
        return b;
    };
    statement first(insert);
    first.bind(std::int32_t{1}).bind("first");
    first.options.serial_consistency = protocol::consistency::local_serial;
    CHECK(applied_of(c.execute(first)));
    statement second(insert);
    second.bind(std::int32_t{1}).bind("second");
    second.options.serial_consistency = protocol::consistency::serial;
    CHECK_FALSE(applied_of(c.execute(second)));

    // The serial consistency is really sent: one that is not serial is refused by the server.
    statement wrong(insert);
    wrong.bind(std::int32_t{2}).bind("x");
    wrong.options.serial_consistency = protocol::consistency::one;
    std::error_code ec;
    protocol::diagnostics diag;
    c.execute(wrong, ec, diag);
    CHECK(ec == protocol::server_errc::invalid);
    CHECK(diag.server_message().find("SERIAL") != std::string::npos);
    MESSAGE("serial consistency ONE: " << ec.message() << ": " << diag.server_message());
}

TEST_CASE("integration query: the default timestamp is what WRITETIME() reads back") {
    testbed_connection tc;
    auto& c = *tc.client;
    ensure_keyspace(c);
    c.execute("CREATE TABLE IF NOT EXISTS " + table("stamped") + " (k int PRIMARY KEY, v text)");
    constexpr std::int64_t stamp = 1234567890123456;  // microseconds: 2009-02-13
    statement s(c.prepare("INSERT INTO " + table("stamped") + " (k, v) VALUES (?, ?)"));
    s.bind(std::int32_t{1}).bind("x");
    s.options.default_timestamp = stamp;
    s.options.consistency = protocol::consistency::local_quorum;
    CHECK(c.execute(s).is_void());

    batch b(protocol::batch_type::logged);
    b.add(statement("INSERT INTO " + table("stamped") + " (k, v) VALUES (2, 'y')"));
    b.options.default_timestamp = stamp + 1;
    CHECK(c.execute(b).is_void());

    auto r = c.execute("SELECT k, WRITETIME(v) FROM " + table("stamped") + " WHERE k IN (1, 2)");
    std::map<std::int32_t, std::int64_t> written;
    for (auto row : r.rows()) written[*protocol::as_int32(row[0])] = *protocol::as_int64(row[1]);
    CHECK(written == std::map<std::int32_t, std::int64_t>{{1, stamp}, {2, stamp + 1}});
}

TEST_CASE("integration query: custom payload sent; a tracing id comes back when asked for") {
    testbed_connection tc;
    auto& c = *tc.client;
    statement s("SELECT release_version FROM system.local");
    s.options.custom_payload = transport::custom_payload_entries{{"cqlwire-test", {0x01}}};
    s.options.tracing = true;
    auto r = c.execute(s);
    REQUIRE(r.rows().size() == 1);
    CHECK(r.tracing_id().has_value());
}

// The example of /work/notes/readme-query.md, verbatim between the markers, so that it compiles
// and runs.
TEST_CASE("integration query: the README example") {
    testbed_connection tc;
    ensure_keyspace(*tc.client);
    transport::connection& connection = *tc.connection;
    std::ostringstream out;
    // README-EXAMPLE-BEGIN
    cqlwire::transport::query_client client(connection);  // one per connection: it owns the cache
    client.execute("CREATE TABLE IF NOT EXISTS query_surface.users (id int PRIMARY KEY, name text)");

    // PREPARE once (later prepares of the same text come from the cache), EXECUTE many times.
    auto insert = client.prepare("INSERT INTO query_surface.users (id, name) VALUES (:id, :name)");
    for (std::int32_t id = 1; id <= 3; ++id) {
        cqlwire::transport::statement s(insert);
        s.bind("id", id).bind("name", "user " + std::to_string(id));  // named values, typed by the markers
        s.options.consistency = cqlwire::protocol::consistency::local_quorum;
        client.execute(s);
    }

    // A logged batch mixing a CQL string and the prepared statement (positional values).
    cqlwire::transport::batch b(cqlwire::protocol::batch_type::logged);
    b.add(cqlwire::transport::statement("UPDATE query_surface.users SET name = 'first' WHERE id = 1"));
    b.add(cqlwire::transport::statement(insert).bind(std::int32_t{4}).bind("user 4"));
    client.execute(b);

    // Paging: two rows per page, each page fetched when asked for. A page's rows stay valid
    // while the page is held.
    cqlwire::transport::statement all("SELECT id, name FROM query_surface.users");
    all.options.page_size = 2;
    auto pager = client.pages(all);
    while (auto page = pager.next()) {
        for (auto row : page->rows()) {
            std::string_view name;
            if (cqlwire::protocol::to_text(row[1], name)) continue;  // an error_code: not text
            out << *cqlwire::protocol::as_int32(row[0]) << " " << name << "\n";
        }
        for (auto warning : page->warnings()) std::cerr << "warning: " << warning << "\n";
    }
    // README-EXAMPLE-END
    std::multiset<std::string> lines;
    std::istringstream in(out.str());
    for (std::string line; std::getline(in, line);) lines.insert(line);
    CHECK(lines == std::multiset<std::string>{"1 first", "2 user 2", "3 user 3", "4 user 4"});
    CHECK(pager.pages_fetched() >= 2);
    MESSAGE("README example output:\n" << out.str());
}

#include "test_support.hpp"

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "cql_test_client.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/batch.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/pager.hpp"
#include "cqlwire/transport/query_client.hpp"
#include "fake_cql_server.hpp"
#include "transport/query_frames.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
using protocol::data_type;
using protocol::type_kind;
using transport::bind_value;
using transport::query_client;
using transport::statement;
namespace asio = boost::asio;

namespace {

// The request body after its custom payload, and that payload.
protocol::bytes_view message_of(const fake_request& r, protocol::request_prefix& prefix) {
    protocol::bytes_view message;
    REQUIRE(protocol::decode_request_prefix(r.header, r.body, prefix, message) == std::error_code{});
    return message;
}

bytes be64(std::uint64_t v) {
    bytes out;
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return out;
}

void append(bytes& out, std::initializer_list<std::uint8_t> b) { out.insert(out.end(), b); }
void append(bytes& out, const bytes& b) { out.insert(out.end(), b.begin(), b.end()); }
void append(bytes& out, std::string_view s) { out.insert(out.end(), s.begin(), s.end()); }

}  // namespace

TEST_CASE("query surface: EXECUTE with named values is encoded byte for byte, typed by the markers") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(prepared_frame(r.header.stream, statement_id,
                                  {column("k", type_kind::bigint), column("v", type_kind::varchar)}));
    });
    server.on_opcode(protocol::opcode::execute, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    client_fixture f(server);
    query_client client(f.c);

    auto prepared = client.prepare("INSERT INTO ks.t (k, v) VALUES (:k, :v)");
    REQUIRE(prepared);
    CHECK(prepared->bind_metadata().columns.size() == 2);
    statement s(prepared);
    s.bind("v", "hi").bind("k", std::int32_t{7});  // an int32 sent as the marker's bigint
    s.options.consistency = protocol::consistency::quorum;
    s.options.serial_consistency = protocol::consistency::local_serial;
    s.options.default_timestamp = 1234567;
    auto result = client.execute(s);
    CHECK(result.is_void());
    CHECK_FALSE(result.reprepared());

    const auto requests = log.all();
    REQUIRE(requests.size() == 2);
    const auto& execute = requests[1];
    CHECK(execute.header.op == protocol::opcode::execute);
    CHECK(execute.header.flags == 0);
    bytes expected;
    append(expected, {0x00, 0x02, 0xAB, 0xCD});  // [short bytes] id
    append(expected, {0x00, 0x04});              // QUORUM
    append(expected, {0x71});                    // values | serial consistency | timestamp | names
    append(expected, {0x00, 0x02});              // two values
    append(expected, {0x00, 0x01, 'v', 0x00, 0x00, 0x00, 0x02, 'h', 'i'});
    append(expected, {0x00, 0x01, 'k', 0x00, 0x00, 0x00, 0x08});
    append(expected, be64(7));
    append(expected, {0x00, 0x09});  // LOCAL_SERIAL
    append(expected, be64(1234567));
    CHECK(execute.body == expected);
}

TEST_CASE("query surface: positional values, and values the markers refuse") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        s.send_raw(prepared_frame(r.header.stream, statement_id,
                                  {column("k", type_kind::tinyint), column("v", type_kind::varchar)}));
    });
    server.on_opcode(protocol::opcode::execute, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    client_fixture f(server);
    query_client client(f.c);
    auto prepared = client.prepare("INSERT INTO ks.t (k, v) VALUES (?, ?)");

    statement ok(prepared);
    ok.bind(std::int64_t{5}).bind(bind_value::not_set());
    CHECK(client.execute(ok).is_void());
    {
        const auto requests = log.all();
        REQUIRE(requests.size() == 1);
        bytes expected{0x00, 0x02, 0xAB, 0xCD, 0x00, 0x01, 0x01, 0x00, 0x02,
                       0x00, 0x00, 0x00, 0x01, 0x05,         // tinyint 5: one byte
                       0xFF, 0xFF, 0xFF, 0xFE};              // not set
        CHECK(requests[0].body == expected);
    }

    std::error_code ec;
    protocol::diagnostics diag;
    statement too_big(prepared);
    too_big.bind(std::int32_t{300}).bind("x");
    CHECK(client.execute(too_big, ec, diag).empty());
    CHECK(ec == protocol::client_errc::value_out_of_range);
    CHECK(diag.client_message().find("value 0 cannot be sent as tinyint") != std::string::npos);

    statement too_few(prepared);
    too_few.bind(std::int8_t{1});
    client.execute(too_few, ec, diag);
    CHECK(ec == protocol::client_errc::bad_value);
    CHECK(diag.client_message() == "the statement has 2 bind markers but 1 values were given");

    statement mixed(prepared);
    mixed.bind(std::int8_t{1}).bind("v", "x");
    client.execute(mixed, ec, diag);
    CHECK(ec == protocol::client_errc::bad_value);

    statement unknown(prepared);
    unknown.bind("nope", std::int8_t{1});
    client.execute(unknown, ec, diag);
    CHECK(ec == protocol::client_errc::bad_value);
    CHECK(diag.client_message() == "the statement has no bind marker named \"nope\"");

    CHECK(log.all().size() == 1);  // none of the refused ones was sent
}

TEST_CASE("query surface: the prepared-statement cache is keyed by keyspace and text") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(prepared_frame(r.header.stream, bytes{static_cast<std::uint8_t>(log.all().size())}, {}));
    });
    server.on_query("USE other", [&](fake_session& s, const fake_request& r) {
        bytes out;
        if (!protocol::encode_result_set_keyspace(out, protocol::response_frame_options{r.header.stream, {}, {}, {}},
                                                  "other"))
            s.send_raw(std::move(out));
    });
    client_fixture f(server);
    query_client client(f.c);

    auto first = client.prepare("SELECT * FROM t");
    auto again = client.prepare("SELECT * FROM t");
    CHECK(first == again);
    CHECK(client.counters().prepares_sent == 1);
    CHECK(client.counters().cache_hits == 1);
    CHECK(first->keyspace().empty());

    auto use = client.execute("USE other");
    CHECK(use.is_set_keyspace());
    CHECK(use.keyspace() == "other");
    CHECK(client.keyspace() == "other");
    auto in_other = client.prepare("SELECT * FROM t");
    CHECK(in_other != first);
    CHECK(in_other->keyspace() == "other");
    CHECK(client.counters().prepares_sent == 2);
    CHECK(client.cache().size() == 2);
    CHECK(log.all().size() == 2);
}

TEST_CASE("query surface: Unprepared makes the client prepare again and retry once") {
    fake_cql_server server({});
    request_log log;
    std::mutex m;
    int unprepared_left = 1;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(prepared_frame(r.header.stream, statement_id, {column("k", type_kind::int_)},
                                  {column("k", type_kind::int_)}));
    });
    auto answer = [&](fake_session& s, const fake_request& r) {
        log.add(r);
        bool forget;
        {
            std::lock_guard lock(m);
            forget = unprepared_left != 0;
            if (unprepared_left > 0) --unprepared_left;
        }
        s.send_raw(forget ? unprepared_frame(r.header.stream, statement_id)
                          : int_rows_frame(r.header.stream, {42}, std::nullopt));
    };
    server.on_opcode(protocol::opcode::execute, answer);
    server.on_opcode(protocol::opcode::batch, answer);
    client_fixture f(server);
    query_client client(f.c);

    auto prepared = client.prepare("SELECT k FROM ks.t WHERE k = ?");
    statement s(prepared);
    s.bind(std::int32_t{42});

    SUBCASE("EXECUTE") {
        auto result = client.execute(s);
        CHECK(result.reprepared());
        REQUIRE(result.rows().size() == 1);
        CHECK(protocol::as_int32((*result.rows().begin())[0]) == 42);
        CHECK(log.opcodes() == std::vector{protocol::opcode::prepare, protocol::opcode::execute,
                                           protocol::opcode::prepare, protocol::opcode::execute});
        CHECK(client.counters().unprepared_received == 1);
        CHECK(client.counters().reprepares == 1);
        CHECK(client.counters().prepares_sent == 2);
        CHECK(prepared->times_prepared() == 2);
    }
    SUBCASE("BATCH") {
        transport::batch b(protocol::batch_type::unlogged);
        b.add(statement("INSERT INTO ks.t (k) VALUES (1)")).add(s);
        auto result = client.execute(b);
        CHECK(result.reprepared());
        CHECK(log.opcodes() == std::vector{protocol::opcode::prepare, protocol::opcode::batch,
                                           protocol::opcode::prepare, protocol::opcode::batch});
    }
    SUBCASE("a second Unprepared is returned") {
        {
            std::lock_guard lock(m);
            unprepared_left = -1;  // for ever
        }
        std::error_code ec;
        protocol::diagnostics diag;
        auto result = client.execute(s, ec, diag);
        CHECK(result.empty());
        CHECK(ec == protocol::server_errc::unprepared);
        CHECK(diag.server_message() == "Prepared query with ID not found");
        CHECK(log.all().size() == 4);  // PREPARE, EXECUTE, PREPARE, EXECUTE: no third try
    }
}

TEST_CASE("query surface: an Unprepared naming an id never sent is returned, not answered") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(prepared_frame(r.header.stream, statement_id, {}));
    });
    server.on_opcode(protocol::opcode::execute, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(unprepared_frame(r.header.stream, bytes{0x01}));
    });
    client_fixture f(server);
    query_client client(f.c);
    std::error_code ec;
    protocol::diagnostics diag;
    client.execute(statement(client.prepare("SELECT now() FROM system.local")), ec, diag);
    CHECK(ec == protocol::server_errc::unprepared);
    CHECK(log.all().size() == 2);
    CHECK(client.counters().reprepares == 0);
}

TEST_CASE("query surface: BATCH mixing a string and a prepared statement, byte for byte") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        s.send_raw(prepared_frame(r.header.stream, statement_id, {column("k", type_kind::bigint)}));
    });
    server.on_opcode(protocol::opcode::batch, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    client_fixture f(server);
    query_client client(f.c);
    auto prepared = client.prepare("INSERT INTO ks.t (k) VALUES (?)");

    transport::batch b(protocol::batch_type::unlogged);
    const std::string text = "INSERT INTO ks.u (k) VALUES (?)";
    b.add(statement(text).bind(std::int32_t{5}));  // typed by itself: int
    b.add(statement(prepared).bind(std::int32_t{6}));  // typed by its marker: bigint
    b.options.consistency = protocol::consistency::quorum;
    b.options.serial_consistency = protocol::consistency::serial;
    b.options.default_timestamp = 99;
    CHECK(client.execute(b).is_void());

    const auto requests = log.all();
    REQUIRE(requests.size() == 1);
    bytes expected{0x01, 0x00, 0x02};  // UNLOGGED, two statements
    append(expected, {0x00, 0x00, 0x00, 0x00, static_cast<std::uint8_t>(text.size())});
    append(expected, std::string_view(text));
    append(expected, {0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x05});
    append(expected, {0x01, 0x00, 0x02, 0xAB, 0xCD});
    append(expected, {0x00, 0x01, 0x00, 0x00, 0x00, 0x08});
    append(expected, be64(6));
    append(expected, {0x00, 0x04, 0x30, 0x00, 0x08});  // QUORUM, serial + timestamp, SERIAL
    append(expected, be64(99));
    CHECK(requests[0].body == expected);

    SUBCASE("named values are refused before anything is sent") {
        transport::batch named;
        named.add(statement(prepared).bind("k", std::int64_t{1}));
        std::error_code ec;
        protocol::diagnostics diag;
        client.execute(named, ec, diag);
        CHECK(ec == protocol::client_errc::bad_value);
        CHECK(diag.client_message() == "batch statement 0 has named values; a v4 BATCH takes positional values only");
        CHECK(log.all().size() == 1);
    }
}

TEST_CASE("query surface: custom payloads both ways, warnings, tracing flag") {
    fake_cql_server server({});
    request_log log;
    server.on_query("SELECT 1", [&](fake_session& s, const fake_request& r) {
        log.add(r);
        const std::vector<std::string_view> warnings{"Aggregation query used without partition key", "second"};
        const bytes value{0x09, 0x08};
        const std::vector<protocol::bytes_map_entry> payload{{"server-key", protocol::raw_value::of(value)}};
        protocol::response_frame_options frame{r.header.stream, {}, {}, {}};
        frame.warnings = std::span<const std::string_view>(warnings);
        frame.custom_payload = std::span<const protocol::bytes_map_entry>(payload);
        frame.tracing_id = protocol::parse_uuid("01234567-89ab-cdef-0123-456789abcdef");
        bytes out;
        if (!protocol::encode_result_void(out, frame)) s.send_raw(std::move(out));
    });
    client_fixture f(server);
    query_client client(f.c);

    statement s("SELECT 1");
    s.options.custom_payload = transport::custom_payload_entries{{"k1", {0x01, 0x02}}};
    s.options.tracing = true;
    auto result = client.execute(s);
    CHECK(result.is_void());
    REQUIRE(result.warnings().size() == 2);
    CHECK(result.warnings()[0] == "Aggregation query used without partition key");
    CHECK(result.warnings()[1] == "second");
    REQUIRE(result.custom_payload() != nullptr);
    REQUIRE(result.custom_payload()->size() == 1);
    CHECK((*result.custom_payload())[0].first == "server-key");
    CHECK(bytes((*result.custom_payload())[0].second.bytes.begin(), (*result.custom_payload())[0].second.bytes.end()) ==
          bytes{0x09, 0x08});
    REQUIRE(result.tracing_id());
    CHECK(protocol::to_string(*result.tracing_id()) == "01234567-89ab-cdef-0123-456789abcdef");

    const auto requests = log.all();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].header.flags == (protocol::frame_flags::tracing | protocol::frame_flags::custom_payload));
    bytes expected{0x00, 0x01, 0x00, 0x02, 'k', '1', 0x00, 0x00, 0x00, 0x02, 0x01, 0x02};  // [bytes map]
    append(expected, {0x00, 0x00, 0x00, 0x08});
    append(expected, std::string_view("SELECT 1"));
    append(expected, {0x00, 0x01, 0x00});  // ONE, no flags
    CHECK(requests[0].body == expected);
}

TEST_CASE("query surface: Schema_change and Void results are typed") {
    fake_cql_server server({});
    server.on_query("CREATE TABLE ks.t (k int PRIMARY KEY)", [&](fake_session& s, const fake_request& r) {
        s.send_raw(table_created_frame(r.header.stream));
    });
    server.on_query("INSERT", [&](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    client_fixture f(server);
    query_client client(f.c);
    auto created = client.execute("CREATE TABLE ks.t (k int PRIMARY KEY)");
    REQUIRE(created.is_schema_change());
    CHECK(created.schema_change().change_type == "CREATED");
    CHECK(created.schema_change().target == protocol::schema_change_target::table);
    CHECK(created.schema_change().keyspace == "ks");
    CHECK(created.schema_change().name == "t");
    CHECK(created.rows().empty());
    auto inserted = client.execute("INSERT");
    CHECK(inserted.is_void());
    CHECK(inserted.warnings().empty());
    CHECK(inserted.custom_payload() == nullptr);
}

TEST_CASE("query surface: a pager fetches three pages on demand, each valid while held") {
    fake_cql_server server({});
    request_log log;
    server.on_query("SELECT k FROM ks.t", [&](fake_session& s, const fake_request& r) {
        log.add(r);
        protocol::request_prefix prefix;
        protocol::bytes_view message;
        protocol::query_view q;
        if (protocol::decode_request_prefix(r.header, r.body, prefix, message) || protocol::decode_query(message, q))
            return;
        std::string state;
        if (q.parameters.paging_state && q.parameters.paging_state->is_present())
            state = std::string(protocol::as_chars(q.parameters.paging_state->bytes));
        if (state.empty())
            s.send_raw(int_rows_frame(r.header.stream, {0, 1}, "page-2"));
        else if (state == "page-2")
            s.send_raw(int_rows_frame(r.header.stream, {2, 3}, "page-3"));
        else if (state == "page-3")
            s.send_raw(int_rows_frame(r.header.stream, {4}, std::nullopt));
        else
            s.send_raw(fake_cql_server::error_frame(r.header.stream, 0x2200, "bad paging state"));
    });
    client_fixture f(server);
    query_client client(f.c);

    statement s("SELECT k FROM ks.t");
    s.options.page_size = 2;
    auto p = client.pages(s);
    std::vector<transport::query_result> pages;
    while (auto page = p.next()) pages.push_back(std::move(*page));
    CHECK_FALSE(p.has_next());
    CHECK(p.pages_fetched() == 3);
    CHECK_FALSE(p.next());  // stays finished

    // Read every page only now: the earlier ones must still be intact.
    std::vector<std::int32_t> keys;
    for (const auto& page : pages)
        for (auto row : page.rows()) keys.push_back(protocol::as_int32(row[0]).value_or(-1));
    CHECK(keys == std::vector<std::int32_t>{0, 1, 2, 3, 4});
    REQUIRE(pages.size() == 3);
    CHECK(pages[0].has_more_pages());
    CHECK(pages[2].paging_state().empty());

    const auto requests = log.all();
    REQUIRE(requests.size() == 3);
    std::vector<std::string> states;
    for (const auto& r : requests) {
        protocol::request_prefix prefix;
        protocol::query_view q;
        REQUIRE(protocol::decode_query(message_of(r, prefix), q) == std::error_code{});
        CHECK(q.parameters.page_size == 2);
        states.push_back(q.parameters.paging_state ? std::string(protocol::as_chars(q.parameters.paging_state->bytes))
                                                   : std::string("(none)"));
    }
    CHECK(states == std::vector<std::string>{"(none)", "page-2", "page-3"});
}

TEST_CASE("query surface: a server that repeats a paging state ends the pager with an error") {
    fake_cql_server server({});
    server.on_query("SELECT k FROM ks.t", [&](fake_session& s, const fake_request& r) {
        s.send_raw(int_rows_frame(r.header.stream, {1}, "same"));
    });
    client_fixture f(server);
    query_client client(f.c);
    statement s("SELECT k FROM ks.t");
    s.options.page_size = 1;
    auto p = client.pages(s);
    transport::query_result page;
    std::error_code ec;
    protocol::diagnostics diag;
    CHECK(p.next(page, ec, diag));
    CHECK_FALSE(ec);
    CHECK_FALSE(p.next(page, ec, diag));
    CHECK(ec == transport::errc::protocol_violation);
    CHECK_FALSE(p.has_next());
}

TEST_CASE("query surface: values of a QUERY string type themselves, or take an explicit type") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::query, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    client_fixture f(server);
    query_client client(f.c);

    statement s("INSERT INTO ks.t (a, b, c, d) VALUES (?, ?, ?, ?)");
    s.bind(std::int16_t{-2})
        .bind(true)
        .bind(bind_value::of_type(protocol::value::list({protocol::value::from(std::int32_t{1})}),
                                  data_type::list_of(data_type::of(type_kind::int_))))
        .bind(bind_value::null());
    CHECK(client.execute(s).is_void());
    const auto requests = log.all();
    REQUIRE(requests.size() == 1);
    protocol::request_prefix prefix;
    protocol::query_view q;
    REQUIRE(protocol::decode_query(message_of(requests[0], prefix), q) == std::error_code{});
    REQUIRE(q.parameters.values.size() == 4);
    CHECK(bytes(q.parameters.values[0].bytes.begin(), q.parameters.values[0].bytes.end()) == bytes{0xFF, 0xFE});
    CHECK(bytes(q.parameters.values[1].bytes.begin(), q.parameters.values[1].bytes.end()) == bytes{0x01});
    CHECK(bytes(q.parameters.values[2].bytes.begin(), q.parameters.values[2].bytes.end()) ==
          bytes{0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 1});
    CHECK(q.parameters.values[3].is_null());

    statement untyped("INSERT INTO ks.t (l) VALUES (?)");
    untyped.bind(protocol::value::list({}));
    std::error_code ec;
    protocol::diagnostics diag;
    client.execute(untyped, ec, diag);
    CHECK(ec == protocol::client_errc::bad_value);
    CHECK(log.all().size() == 1);
}

TEST_CASE("query surface: a full cache drops the entry prepared longest ago; its handles still work") {
    fake_cql_server server({});
    request_log log;
    server.on_opcode(protocol::opcode::prepare, [&](fake_session& s, const fake_request& r) {
        log.add(r);
        s.send_raw(prepared_frame(r.header.stream, bytes{static_cast<std::uint8_t>(r.query.size())}, {}));
    });
    server.on_opcode(protocol::opcode::execute, [&](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    client_fixture f(server);
    query_client client(f.c, 2);
    auto a = client.prepare("A");
    client.prepare("BB");
    client.prepare("CCC");  // evicts "A"
    CHECK(client.cache().size() == 2);
    CHECK(client.cache().find("", "A") == nullptr);
    CHECK(client.cache().find("", "CCC") != nullptr);
    CHECK(client.execute(statement(a)).is_void());  // the evicted handle is still usable
    auto a_again = client.prepare("A");
    CHECK(a_again != a);
    CHECK(client.counters().prepares_sent == 4);
    std::vector<std::string> texts;
    for (const auto& r : log.all()) texts.push_back(r.query);
    CHECK(texts == std::vector<std::string>{"A", "BB", "CCC", "A"});
}

#include "test_support.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/json/parse.hpp>

#include "cli_options.hpp"
#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/transport/tracing.hpp"
#include "events_command.hpp"
#include "exit_codes.hpp"
#include "fake_cql_server.hpp"
#include "run_process.hpp"
#include "terminal_session.hpp"
#include "statement_runner.hpp"
#include "trace_output.hpp"

// The query surface of the `cqlwire` command: --page-size, --tracing, results without rows,
// warnings, `cqlwire events`, and the interactive prompt; the pure pieces directly, the rest
// through the real binary against the fake server.

namespace {

namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
using cqlwire::test::fake_cql_server;
using cqlwire::test::fake_request;
using cqlwire::test::fake_session;
using cqlwire::test::process_result;

process_result run_binary(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    cqlwire::test::process_options o;
    const auto home = std::filesystem::temp_directory_path() / "cqlwire-surface-home";
    std::filesystem::create_directories(home);
    o.env = cqlwire::test::isolated_cqlwire_env(home.string());
    o.timeout = timeout;
    auto r = cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    INFO("stdout: " << r.out);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    if (r.exit_code >= 128 || r.err.find("Sanitizer") != std::string::npos) FAIL_CHECK("cqlwire crashed: " << r.err);
    return r;
}

struct decoded_query {
    protocol::frame_header header;
    std::string text;
    std::optional<std::int32_t> page_size;
    std::optional<std::string> paging_state;
};

decoded_query decode(const fake_request& r) {
    decoded_query d;
    d.header = r.header;
    protocol::request_prefix prefix;
    protocol::bytes_view message;
    protocol::query_view q;
    CHECK_FALSE(protocol::decode_request_prefix(r.header, r.body, prefix, message));
    CHECK_FALSE(protocol::decode_query(message, q));
    d.text = std::string(q.query);
    d.page_size = q.parameters.page_size;
    if (q.parameters.paging_state && q.parameters.paging_state->is_present()) {
        const auto b = q.parameters.paging_state->bytes;
        d.paging_state = std::string(b.begin(), b.end());
    }
    return d;
}

std::vector<std::uint8_t> int_bytes(std::int32_t v) {
    std::vector<std::uint8_t> out;
    protocol::byte_writer(out).write_int(v);
    return out;
}
std::vector<std::uint8_t> long_bytes(std::int64_t v) {
    std::vector<std::uint8_t> out;
    protocol::byte_writer(out).write_long(v);
    return out;
}
std::vector<std::uint8_t> text_bytes(std::string_view s) { return {s.begin(), s.end()}; }

// One column spec of system_traces.<table>.
protocol::column_spec column(std::string table, std::string name, protocol::type_kind kind) {
    return {"system_traces", std::move(table), std::move(name), protocol::data_type::of(kind)};
}

const protocol::uuid session_id = *protocol::parse_uuid("8d5a6ec0-ebde-11f1-b5d5-6741946fc38a");
// 2026-11-29 10:20:15.262 UTC in milliseconds.
constexpr std::int64_t started_ms = 1'795'947'615'262;

// Answers the two system_traces queries fetch_trace sends: a session complete after `polls`
// reads, and two events.
void script_trace_tables(fake_cql_server& server, int polls, std::atomic<int>& session_reads) {
    const std::string id = protocol::to_string(session_id);
    server.on_query(
        "SELECT coordinator, duration, request, parameters, started_at, client FROM system_traces.sessions WHERE "
        "session_id = " + id,
        [polls, &session_reads](fake_session& s, const fake_request& r) {
            const int n = ++session_reads;
            protocol::result_metadata m;
            m.flags = protocol::metadata_flags::global_tables_spec;
            m.column_count = 6;
            m.columns = {column("sessions", "coordinator", protocol::type_kind::inet),
                         column("sessions", "duration", protocol::type_kind::int_),
                         column("sessions", "request", protocol::type_kind::varchar),
                         {"system_traces", "sessions", "parameters",
                          protocol::data_type::map_of(protocol::data_type::of(protocol::type_kind::varchar),
                                                      protocol::data_type::of(protocol::type_kind::varchar))},
                         column("sessions", "started_at", protocol::type_kind::timestamp),
                         column("sessions", "client", protocol::type_kind::inet)};
            const std::vector<std::uint8_t> coordinator{127, 0, 0, 1};
            const std::vector<std::uint8_t> client{10, 0, 0, 7};
            const auto duration = int_bytes(1500);
            const auto request = text_bytes("Execute CQL3 query");
            // map<text,text> {"query": "SELECT 1"}: count, then [int len][bytes] per key and value.
            std::vector<std::uint8_t> parameters;
            protocol::byte_writer w(parameters);
            w.write_int(1);
            w.write_int(5);
            for (char c : std::string_view("query")) parameters.push_back(static_cast<std::uint8_t>(c));
            w.write_int(8);
            for (char c : std::string_view("SELECT 1")) parameters.push_back(static_cast<std::uint8_t>(c));
            const auto started = long_bytes(started_ms);
            const std::vector<protocol::raw_value> cells{
                protocol::raw_value::of(coordinator),
                n < polls ? protocol::raw_value::null() : protocol::raw_value::of(duration),
                protocol::raw_value::of(request),
                protocol::raw_value::of(parameters),
                protocol::raw_value::of(started),
                protocol::raw_value::of(client)};
            protocol::response_frame_options f;
            f.stream = r.header.stream;
            std::vector<std::uint8_t> out;
            CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells));
            s.send_raw(std::move(out));
        });
    server.on_query(
        "SELECT event_id, activity, source, source_elapsed, thread FROM system_traces.events WHERE session_id = " + id,
        [](fake_session& s, const fake_request& r) {
            protocol::result_metadata m;
            m.flags = protocol::metadata_flags::global_tables_spec;
            m.column_count = 5;
            m.columns = {column("events", "event_id", protocol::type_kind::timeuuid),
                         column("events", "activity", protocol::type_kind::varchar),
                         column("events", "source", protocol::type_kind::inet),
                         column("events", "source_elapsed", protocol::type_kind::int_),
                         column("events", "thread", protocol::type_kind::varchar)};
            // Version 1 UUIDs for 10:20:15.262353 and 10:20:15.263001 UTC on 2026-11-29.
            const auto e1 = *protocol::parse_uuid("77ef21aa-ebde-11f1-b5d5-6741946fc38a");
            const auto e2 = *protocol::parse_uuid("77ef3afa-ebde-11f1-b5d5-6741946fc38a");
            const std::vector<std::uint8_t> source{127, 0, 0, 1};
            const auto a1 = text_bytes("Parsing SELECT 1");
            const auto a2 = text_bytes("Preparing statement");
            const auto t = text_bytes("Native-Transport-Requests-1");
            const auto el1 = int_bytes(353);
            const auto el2 = int_bytes(501);
            const std::vector<protocol::raw_value> cells{
                protocol::raw_value::of(e1.bytes), protocol::raw_value::of(a1), protocol::raw_value::of(source),
                protocol::raw_value::of(el1),      protocol::raw_value::of(t),  protocol::raw_value::of(e2.bytes),
                protocol::raw_value::of(a2),       protocol::raw_value::of(source), protocol::raw_value::of(el2),
                protocol::raw_value::of(t)};
            protocol::response_frame_options f;
            f.stream = r.header.stream;
            std::vector<std::uint8_t> out;
            CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells));
            s.send_raw(std::move(out));
        });
}

}  // namespace

// ---- Pure pieces ------------------------------------------------------------------------------

TEST_CASE("--page-size takes 1 to 2^31-1; anything else is a usage error naming the flag") {
    using cqlwire::cli::parse_page_size;
    CHECK(parse_page_size("1") == 1);
    CHECK(parse_page_size("7") == 7);
    CHECK(parse_page_size("2147483647") == 2147483647);
    for (std::string_view bad : {"0", "-1", "", "abc", "7x", "2147483648", "99999999999", " 7", "1.5"})
        CHECK_FALSE(parse_page_size(bad));

    cqlwire::cli::cli_options o;
    std::string message;
    const std::vector<std::string_view> good{"--page-size", "7", "--tracing"};
    REQUIRE_FALSE(cqlwire::cli::parse_command_line(good, o, message));
    CHECK(o.page_size == 7);
    CHECK(o.tracing);
    cqlwire::cli::cli_options none;
    const std::vector<std::string_view> empty;
    REQUIRE_FALSE(cqlwire::cli::parse_command_line(empty, none, message));
    CHECK_FALSE(none.page_size);
    CHECK_FALSE(none.tracing);
    cqlwire::cli::cli_options bad;
    const std::vector<std::string_view> zero{"--page-size=0"};
    const auto ec = cqlwire::cli::parse_command_line(zero, bad, message);
    CHECK(ec == cqlwire::cli::cli_errc::usage);
    CHECK(message == "invalid value '0' for --page-size: expected a whole number from 1 to 2147483647");
}

TEST_CASE("SELECT is recognised as cqlsh does, by the first word") {
    using cqlwire::cli::is_select_statement;
    CHECK(is_select_statement("SELECT * FROM t"));
    CHECK(is_select_statement("  \n select k FROM t"));
    CHECK(is_select_statement("SeLeCt"));
    CHECK_FALSE(is_select_statement("SELECTED"));
    CHECK_FALSE(is_select_statement("INSERT INTO t (k) VALUES (1) IF NOT EXISTS"));
    CHECK_FALSE(is_select_statement("sel"));
    using cqlwire::cli::shows_row_count;
    CHECK(shows_row_count("select 1"));
    CHECK(shows_row_count(" LIST ROLES"));
    CHECK(shows_row_count("list all permissions of bob"));
    CHECK_FALSE(shows_row_count("LISTING"));
    CHECK_FALSE(shows_row_count("UPDATE t SET v = 1 WHERE k = 1 IF v = 0"));
}

TEST_CASE("warnings print as cqlsh's block, server text escaped") {
    const std::vector<std::string> warnings{"Aggregation query used without partition key", "bad\x1b[2Jtext"};
    CHECK(cqlwire::cli::format_warnings(warnings) ==
          "\nWarnings :\nAggregation query used without partition key\n\nbad\\x1b[2Jtext\n\n");
    CHECK(cqlwire::cli::format_warnings({}).empty());
}

TEST_CASE("timeuuid time and UTC formatting") {
    // The version 1 UUID of the Unix epoch itself.
    CHECK(transport::timeuuid_unix_micros(*protocol::parse_uuid("13814000-1dd2-11b2-8000-000000000000")) == 0);
    CHECK(transport::timeuuid_unix_micros(*protocol::parse_uuid("13814001-1dd2-11b2-8000-000000000000")) == 0);
    CHECK(transport::timeuuid_unix_micros(*protocol::parse_uuid("1381400a-1dd2-11b2-8000-000000000000")) == 1);
    CHECK_FALSE(transport::timeuuid_unix_micros(*protocol::parse_uuid("8d5a6ec0-ebde-41f1-b5d5-6741946fc38a")));
    CHECK(cqlwire::cli::format_utc_micros(0) == "1970-01-01 00:00:00.000000");
    CHECK(cqlwire::cli::format_utc_micros(started_ms * 1000) == "2026-11-29 10:20:15.262000");
    CHECK(cqlwire::cli::format_utc_micros(-1) == "1969-12-31 23:59:59.999999");
    CHECK(cqlwire::cli::format_utc_micros(951'782'400'000'000 + 1) == "2000-02-29 00:00:00.000001");
}

TEST_CASE("a trace prints as a table and as one JSON line") {
    transport::query_trace t;
    t.session.id = session_id;
    t.session.coordinator = "127.0.0.1";
    t.session.client = "10.0.0.7";
    t.session.request = "Execute CQL3 query";
    t.session.duration_us = 1500;
    t.session.started_at_ms = started_ms;
    t.session.parameters = {{"query", "SELECT 1"}};
    t.events.push_back({session_id, "Parsing SELECT 1", "127.0.0.1", 353, "NTR-1", started_ms * 1000 + 353});
    CHECK(cqlwire::cli::format_trace_table(t, "SELECT 1") ==
          "\nTracing session: 8d5a6ec0-ebde-11f1-b5d5-6741946fc38a\n\n"
          " activity                 | timestamp                  | source    | source_elapsed | client\n"
          "--------------------------+----------------------------+-----------+----------------+----------\n"
          "       Execute CQL3 query | 2026-11-29 10:20:15.262000 | 127.0.0.1 |              0 | 10.0.0.7\n"
          " Parsing SELECT 1 [NTR-1] | 2026-11-29 10:20:15.262353 | 127.0.0.1 |            353 | 10.0.0.7\n"
          "         Request complete | 2026-11-29 10:20:15.263500 | 127.0.0.1 |           1500 | 10.0.0.7\n\n");
    const auto doc = boost::json::parse(cqlwire::cli::format_trace_json(t, "SELECT 1"));
    const auto& o = doc.as_object();
    CHECK(o.at("tracing_session").as_string() == "8d5a6ec0-ebde-11f1-b5d5-6741946fc38a");
    CHECK(o.at("duration_us").as_int64() == 1500);
    CHECK(o.at("parameters").as_object().at("query").as_string() == "SELECT 1");
    REQUIRE(o.at("events").as_array().size() == 1);
    CHECK(o.at("events").as_array()[0].as_object().at("source_elapsed_us").as_int64() == 353);
}

TEST_CASE("events: arguments and the printed lines") {
    using cqlwire::cli::events_options;
    events_options o;
    std::vector<std::string_view> rest;
    std::string message;
    const std::vector<std::string_view> args{"--types", "schema_change,STATUS_CHANGE,SCHEMA_CHANGE", "-u", "me",
                                             "--count=2", "--timeout", "1.5", "host"};
    REQUIRE_FALSE(cqlwire::cli::parse_events_arguments(args, o, rest, message));
    CHECK(o.types == std::vector<protocol::event_type>{protocol::event_type::schema_change,
                                                       protocol::event_type::status_change});
    CHECK(o.count == 2u);
    CHECK(o.timeout == std::chrono::milliseconds(1500));
    CHECK(rest == std::vector<std::string_view>{"-u", "me", "host"});
    for (std::vector<std::string_view> bad : {std::vector<std::string_view>{"--types", "NODE_CHANGE"},
                                              {"--count", "0"}, {"--count", "x"}, {"--timeout", "0"},
                                              {"--count"}, {"-e", "SELECT 1"}}) {
        events_options b;
        std::vector<std::string_view> r;
        CHECK(cqlwire::cli::parse_events_arguments(bad, b, r, message) == cqlwire::cli::cli_errc::usage);
        CHECK_FALSE(message.empty());
    }

    transport::cluster_event table;
    table.type = protocol::event_type::schema_change;
    table.change = "CREATED";
    table.target = protocol::schema_change_target::table;
    table.keyspace = "ks";
    table.name = "t";
    CHECK(cqlwire::cli::format_event_line(table, 0) == "1970-01-01 00:00:00.000000 SCHEMA_CHANGE CREATED TABLE ks.t\n");
    CHECK(cqlwire::cli::format_event_json(table, 0) ==
          "{\"time\":\"1970-01-01 00:00:00.000000\",\"type\":\"SCHEMA_CHANGE\",\"change\":\"CREATED\","
          "\"target\":\"TABLE\",\"keyspace\":\"ks\",\"name\":\"t\"}\n");
    transport::cluster_event fn = table;
    fn.target = protocol::schema_change_target::function;
    fn.name = "f";
    fn.argument_types = {"int", "text"};
    CHECK(cqlwire::cli::format_event_line(fn, 0) == "1970-01-01 00:00:00.000000 SCHEMA_CHANGE CREATED FUNCTION ks.f(int, text)\n");
    transport::cluster_event up;
    up.type = protocol::event_type::status_change;
    up.change = "UP";
    up.address.address = *protocol::parse_inet_address("::1");
    up.address.port = 9042;
    CHECK(cqlwire::cli::format_event_line(up, 0) == "1970-01-01 00:00:00.000000 STATUS_CHANGE UP [::1]:9042\n");
    CHECK(cqlwire::cli::format_event_json(up, 0) ==
          "{\"time\":\"1970-01-01 00:00:00.000000\",\"type\":\"STATUS_CHANGE\",\"change\":\"UP\","
          "\"address\":\"::1\",\"port\":9042}\n");
}

// ---- The binary against the fake server --------------------------------------------------------

// Answers `query` with the ids 1..5 in pages of two (1-2, 3-4, then 5), whatever page size is
// asked for; `seen` gets each request.
void serve_paged_ids(fake_cql_server& server, std::string_view query, std::function<void(const decoded_query&)> seen) {
    server.on_query(std::string(query), [seen = std::move(seen)](fake_session& s, const fake_request& r) {
        const auto q = decode(r);
        seen(q);
        const int page = q.paging_state ? std::stoi(*q.paging_state) : 0;
        protocol::result_metadata m;
        m.flags = protocol::metadata_flags::global_tables_spec;
        m.column_count = 1;
        m.columns = {{"ks", "t", "id", protocol::data_type::of(protocol::type_kind::int_)}};
        std::vector<std::vector<std::uint8_t>> storage;
        std::vector<protocol::raw_value> cells;
        const int first = page * 2 + 1;
        const int last = page == 2 ? 5 : first + 1;
        storage.reserve(2);
        for (int id = first; id <= last; ++id) cells.push_back(protocol::raw_value::of(storage.emplace_back(int_bytes(id))));
        const std::string next = std::to_string(page + 1);
        std::optional<protocol::bytes_view> state;
        if (page < 2) state = protocol::as_bytes(next);
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells, state));
        s.send_raw(std::move(out));
    });
}

TEST_CASE("--page-size N is sent on every page request; without it the default stays") {
    fake_cql_server server({});
    std::mutex mutex;
    std::vector<decoded_query> seen;
    constexpr std::string_view query = "SELECT id FROM ks.t";
    serve_paged_ids(server, query, [&](const decoded_query& q) {
        std::lock_guard lock(mutex);
        seen.push_back(q);
    });
    const std::vector<std::string> base{"127.0.0.1", std::to_string(server.port()), "-e", std::string(query)};

    SUBCASE("--page-size 2") {
        auto args = base;
        args.insert(args.end(), {"--page-size", "2"});
        const auto r = run_binary(args);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "\n id\n----\n  1\n  2\n  3\n  4\n  5\n\n(5 rows)\n");
        std::lock_guard lock(mutex);
        REQUIRE(seen.size() == 3);
        for (const auto& q : seen) CHECK(q.page_size == 2);
        CHECK_FALSE(seen[0].paging_state);
        CHECK(seen[1].paging_state == "1");
        CHECK(seen[2].paging_state == "2");
    }
    SUBCASE("default") {
        const auto r = run_binary(base);
        CHECK(r.exit_code == 0);
        std::lock_guard lock(mutex);
        REQUIRE(seen.size() == 3);
        // A table's default page is cqlsh's.
        for (const auto& q : seen) CHECK(q.page_size == cqlwire::cli::table_page_size);
    }
    SUBCASE("a bad value exits with the usage code before connecting") {
        auto args = base;
        args.insert(args.end(), {"--page-size", "0"});
        const auto r = run_binary(args);
        CHECK(r.exit_code == cqlwire::cli::to_int(cqlwire::cli::exit_code::usage));
        CHECK(r.err == "cqlwire: invalid value '0' for --page-size: expected a whole number from 1 to 2147483647\n");
        CHECK(server.sessions_accepted() == 0);
    }
}

TEST_CASE("--tracing sets the tracing flag, then prints the trace read from system_traces after the rows") {
    fake_cql_server server({});
    std::atomic<int> session_reads{0};
    script_trace_tables(server, 2, session_reads);  // the session is complete on the second read
    std::mutex mutex;
    std::vector<std::uint8_t> flags_seen;
    server.on_query("SELECT v FROM ks.t", [&](fake_session& s, const fake_request& r) {
        {
            std::lock_guard lock(mutex);
            flags_seen.push_back(r.header.flags);
        }
        protocol::result_metadata m;
        m.flags = protocol::metadata_flags::global_tables_spec;
        m.column_count = 1;
        m.columns = {{"ks", "t", "v", protocol::data_type::of(protocol::type_kind::varchar)}};
        const auto v = text_bytes("hello");
        const std::vector<protocol::raw_value> cells{protocol::raw_value::of(v)};
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        // A traced response carries the session id in its prefix.
        if (r.header.flags & protocol::frame_flags::tracing) f.tracing_id = session_id;
        const std::vector<std::string_view> warnings{"a warning from the server"};
        f.warnings = warnings;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells));
        s.send_raw(std::move(out));
    });
    const std::vector<std::string> base{"127.0.0.1", std::to_string(server.port()), "-e", "SELECT v FROM ks.t"};

    SUBCASE("table") {
        auto args = base;
        args.push_back("--tracing");
        const auto r = run_binary(args);
        CHECK(r.exit_code == 0);
        CHECK(r.out ==
              "\n v\n-------\n hello\n\n(1 rows)\n"
              "\nWarnings :\na warning from the server\n\n"
              "\nTracing session: 8d5a6ec0-ebde-11f1-b5d5-6741946fc38a\n\n"
              " activity                                          | timestamp                  | source    | source_elapsed | client\n"
              "---------------------------------------------------+----------------------------+-----------+----------------+----------\n"
              "                                Execute CQL3 query | 2026-11-29 10:20:15.262000 | 127.0.0.1 |              0 | 10.0.0.7\n"
              "    Parsing SELECT 1 [Native-Transport-Requests-1] | 2026-11-29 10:20:15.262353 | 127.0.0.1 |            353 | 10.0.0.7\n"
              " Preparing statement [Native-Transport-Requests-1] | 2026-11-29 10:20:15.263001 | 127.0.0.1 |            501 | 10.0.0.7\n"
              "                                  Request complete | 2026-11-29 10:20:15.263500 | 127.0.0.1 |           1500 | 10.0.0.7\n\n");
        CHECK(r.err.empty());
        CHECK(session_reads == 2);
        std::lock_guard lock(mutex);
        REQUIRE(flags_seen.size() == 1);
        CHECK((flags_seen[0] & protocol::frame_flags::tracing) != 0);
    }
    SUBCASE("json: the trace is one JSON object line after the rows") {
        auto args = base;
        args.insert(args.end(), {"--tracing", "--format", "json"});
        const auto r = run_binary(args);
        CHECK(r.exit_code == 0);
        const auto newline = r.out.find('\n');
        REQUIRE(newline != std::string::npos);
        CHECK(r.out.substr(0, newline) == "[{\"v\":\"hello\"}]");
        const auto doc = boost::json::parse(r.out.substr(newline + 1));
        CHECK(doc.as_object().at("tracing_session").as_string() == "8d5a6ec0-ebde-11f1-b5d5-6741946fc38a");
        CHECK(doc.as_object().at("events").as_array().size() == 2);
    }
    SUBCASE("csv: standard output holds the data only; the trace goes to standard error") {
        auto args = base;
        args.insert(args.end(), {"--tracing", "--format", "csv"});
        const auto r = run_binary(args);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "v\nhello\n");
        CHECK(r.err.find("Tracing session: 8d5a6ec0-ebde-11f1-b5d5-6741946fc38a") != std::string::npos);
        CHECK(r.err.find("Request complete") != std::string::npos);
    }
    SUBCASE("csv: a trace lost to a standard error that cannot be written shows in the exit status") {
        const auto home = std::filesystem::temp_directory_path() / "cqlwire-surface-home";
        std::filesystem::create_directories(home);
        cqlwire::test::process_options o;
        o.env = cqlwire::test::isolated_cqlwire_env(home.string());
        std::vector<std::string> args{"-c", "exec \"$0\" \"$@\" 2>/dev/full", CQLWIRE_BINARY};
        args.insert(args.end(), base.begin(), base.end());
        args.insert(args.end(), {"--tracing", "--format", "csv"});
        const auto r = cqlwire::test::run_process("/bin/sh", args, o);
        CHECK(r.out == "v\nhello\n");
        CHECK(r.exit_code == cqlwire::cli::to_int(cqlwire::cli::exit_code::output_failed));
    }
    SUBCASE("without --tracing the flag is clear and system_traces is not read") {
        const auto r = run_binary(base);
        CHECK(r.exit_code == 0);
        CHECK(r.out == "\n v\n-------\n hello\n\n(1 rows)\n\nWarnings :\na warning from the server\n\n");
        CHECK(session_reads == 0);
        std::lock_guard lock(mutex);
        REQUIRE(flags_seen.size() == 1);
        CHECK((flags_seen[0] & protocol::frame_flags::tracing) == 0);
    }
}

TEST_CASE("results without rows print nothing; a non-SELECT's rows print without the row count") {
    fake_cql_server server({});
    server.on_query("USE ks", [](fake_session& s, const fake_request& r) {
        std::vector<std::uint8_t> out;
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        CHECK_FALSE(protocol::encode_result_set_keyspace(out, f, "ks"));
        s.send_raw(std::move(out));
    });
    server.on_query("CREATE TABLE t (k int PRIMARY KEY)", [](fake_session& s, const fake_request& r) {
        protocol::schema_change_view c;
        c.change_type = "CREATED";
        c.target = protocol::schema_change_target::table;
        c.keyspace = "ks";
        c.name = "t";
        std::vector<std::uint8_t> out;
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        CHECK_FALSE(protocol::encode_result_schema_change(out, f, c));
        s.send_raw(std::move(out));
    });
    server.on_query("INSERT INTO t (k) VALUES (1)", [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
    });
    server.on_query("INSERT INTO t (k) VALUES (1) IF NOT EXISTS", [](fake_session& s, const fake_request& r) {
        protocol::result_metadata m;
        m.flags = protocol::metadata_flags::global_tables_spec;
        m.column_count = 2;
        m.columns = {{"ks", "t", "[applied]", protocol::data_type::of(protocol::type_kind::boolean)},
                     {"ks", "t", "k", protocol::data_type::of(protocol::type_kind::int_)}};
        const std::vector<std::uint8_t> no{0};
        const auto k = int_bytes(1);
        const std::vector<protocol::raw_value> cells{protocol::raw_value::of(no), protocol::raw_value::of(k)};
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells));
        s.send_raw(std::move(out));
    });
    const auto r = run_binary({"127.0.0.1", std::to_string(server.port()), "-e",
                               "USE ks; CREATE TABLE t (k int PRIMARY KEY); INSERT INTO t (k) VALUES (1);"
                               "INSERT INTO t (k) VALUES (1) IF NOT EXISTS"});
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(r.out == "\n [applied] | k\n-----------+---\n     False | 1\n");  // no blank line after, as cqlsh
}

TEST_CASE("cqlwire events prints each EVENT frame as a line, then exits after --count") {
    fake_cql_server server({});
    std::mutex mutex;
    std::vector<std::string> registered;
    server.on_opcode(protocol::opcode::register_, [&](fake_session& s, const fake_request& r) {
        std::vector<std::string_view> types;
        CHECK_FALSE(protocol::decode_register(r.body, types));
        {
            std::lock_guard lock(mutex);
            for (auto t : types) registered.emplace_back(t);
        }
        s.send_raw(fake_cql_server::ready_frame(r.header.stream));
        // Events come after READY, on stream -1, a little later as a real server sends them.
        s.send_after(std::chrono::milliseconds(50), fake_cql_server::status_up_event_frame());
        protocol::event_view e;
        e.type = protocol::event_type::schema_change;
        e.schema_change.change_type = "CREATED";
        e.schema_change.target = protocol::schema_change_target::table;
        e.schema_change.keyspace = "cli_ks";
        e.schema_change.name = "t1";
        protocol::response_frame_options f;
        f.stream = -1;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_event(out, f, e));
        s.send_after(std::chrono::milliseconds(100), std::move(out));
    });

    SUBCASE("table lines, all three types registered by default") {
        const auto r = run_binary({"events", "--count", "2", "--timeout", "10", "127.0.0.1", std::to_string(server.port())});
        CHECK(r.exit_code == 0);
        CHECK(r.err.empty());
        const auto first = r.out.find('\n');
        REQUIRE(first != std::string::npos);
        // "<date> <time> STATUS_CHANGE UP 127.0.0.1:9042"
        CHECK(r.out.substr(27, first - 27) == "STATUS_CHANGE UP 127.0.0.1:9042");
        CHECK(r.out.substr(first + 1 + 27) == "SCHEMA_CHANGE CREATED TABLE cli_ks.t1\n");
        std::lock_guard lock(mutex);
        CHECK(registered == std::vector<std::string>{"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"});
    }
    SUBCASE("json lines, only the types asked for registered") {
        const auto r = run_binary({"events", "--types", "SCHEMA_CHANGE,STATUS_CHANGE", "--format", "json", "--count",
                                   "2", "127.0.0.1", std::to_string(server.port())});
        CHECK(r.exit_code == 0);
        const auto first = r.out.find('\n');
        REQUIRE(first != std::string::npos);
        const auto a = boost::json::parse(r.out.substr(0, first)).as_object();
        const auto b = boost::json::parse(r.out.substr(first + 1)).as_object();
        CHECK(a.at("type").as_string() == "STATUS_CHANGE");
        CHECK(a.at("address").as_string() == "127.0.0.1");
        CHECK(b.at("type").as_string() == "SCHEMA_CHANGE");
        CHECK(b.at("name").as_string() == "t1");
        std::lock_guard lock(mutex);
        CHECK(registered == std::vector<std::string>{"SCHEMA_CHANGE", "STATUS_CHANGE"});
    }
    SUBCASE("--timeout before --count is reached exits 3") {
        const auto r = run_binary({"events", "--count", "3", "--timeout", "1", "127.0.0.1", std::to_string(server.port())});
        CHECK(r.exit_code == 3);
        CHECK(r.err == "cqlwire events: 2 of 3 events before the time-out\n");
    }
}

TEST_CASE("cqlwire events exits 0 on SIGTERM, with every line already flushed") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::register_, [&](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::ready_frame(r.header.stream));
        s.send_after(std::chrono::milliseconds(20), fake_cql_server::status_up_event_frame());
    });
    int out_pipe[2];
    REQUIRE(::pipe(out_pipe) == 0);
    const std::string port = std::to_string(server.port());
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(out_pipe[1], STDOUT_FILENO);
        ::close(out_pipe[0]);
        ::close(out_pipe[1]);
        ::execl(CQLWIRE_BINARY, CQLWIRE_BINARY, "events", "127.0.0.1", port.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(out_pipe[1]);
    // The line arrives while the command is still running: it was flushed.
    std::string shown;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (shown.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
        pollfd p{out_pipe[0], POLLIN, 0};
        if (::poll(&p, 1, 200) <= 0) continue;
        char buf[512];
        const auto n = ::read(out_pipe[0], buf, sizeof buf);
        if (n <= 0) break;
        shown.append(buf, static_cast<std::size_t>(n));
    }
    CHECK(shown.find("STATUS_CHANGE UP 127.0.0.1:9042\n") != std::string::npos);
    ::kill(pid, SIGTERM);
    int status = 0;
    ::waitpid(pid, &status, 0);
    ::close(out_pipe[0]);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("on a terminal, the prompt shows the keyspace after USE and the line editor echoes input") {
    fake_cql_server server({});
    // The statement keeps the line break it was typed with.
    server.on_query("USE\ncli_ks", [](fake_session& s, const fake_request& r) {
        std::vector<std::uint8_t> out;
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        CHECK_FALSE(protocol::encode_result_set_keyspace(out, f, "cli_ks"));
        s.send_raw(std::move(out));
    });
    const auto home = std::filesystem::temp_directory_path() / ("cqlwire-shell-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())},
                                         cqlwire::test::isolated_terminal_env(home.string(), "xterm"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("USE\r");  // a statement over two lines
    REQUIRE(term.expect("   ... "));
    term.type("cli_ks;\r");
    REQUIRE(term.expect("cqlwire:cli_ks> "));
    term.type("\x1b[A");  // Up recalls it, joined into one line
    REQUIRE(term.expect("USE cli_ks;"));
    term.type("\x03");  // Ctrl-C clears the line
    REQUIRE(term.expect("^C"));
    term.type("exit\r");
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    // What was typed, after the greeting's reads of system.local.
    auto typed = server.queries();
    std::erase_if(typed, [](const std::string& q) { return q.find("FROM system.local WHERE key = 'local'") != std::string::npos; });
    CHECK(typed == std::vector<std::string>{"USE\ncli_ks"});
    // The history file holds the statement, readable by its owner only.
    struct stat st {};
    REQUIRE(::stat((home / ".cassandra" / "cqlwire_history").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::filesystem::remove_all(home);
}

TEST_CASE("shell: a table of several pages pauses at ---MORE--- as cqlsh does, each page under its header") {
    fake_cql_server server({});
    constexpr std::string_view query = "SELECT id FROM ks.t";
    std::atomic<int> requests{0};
    serve_paged_ids(server, query, [&](const decoded_query&) { ++requests; });
    const auto home = std::filesystem::temp_directory_path() / ("cqlwire-more-" + std::to_string(::getpid()));
    std::filesystem::create_directories(home);
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())},
                                         cqlwire::test::isolated_terminal_env(home.string(), "dumb"));
    REQUIRE(term.expect("cqlwire> "));
    term.type(std::string(query) + ";\r");
    // The first page, under its header and a blank line, then the pause: the next page is not
    // asked for until Enter.
    REQUIRE(term.expect("\r\n id\r\n----\r\n  1\r\n  2\r\n\r\n---MORE---"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK(requests == 1);
    term.type("\r");
    REQUIRE(term.expect(" id\r\n----\r\n  3\r\n  4\r\n\r\n---MORE---"));
    term.type("\r");
    // The last page, then the count right after its blank line.
    REQUIRE(term.expect(" id\r\n----\r\n  5\r\n\r\n(5 rows)\r\n"));
    CHECK(requests == 3);
    // Ctrl-C at the pause stops the result there: no count, back to the prompt.
    term.type(std::string(query) + ";\r");
    REQUIRE(term.expect("---MORE---"));
    term.type("\x03");
    REQUIRE(term.expect("cqlwire> "));
    // PAGING OFF: no pause.
    term.type("PAGING OFF\r");
    REQUIRE(term.expect("PAGING set to OFF"));
    term.type(std::string(query) + ";\r");
    REQUIRE(term.expect("(5 rows)"));
    term.type("\x04");
    INFO("shown: " << term.shown());
    CHECK(term.shown().find("(2 rows)") == std::string::npos);
    CHECK(term.wait_exit() == 0);
    std::filesystem::remove_all(home);
}

TEST_CASE("shell on a pipe (--tty): a long script is read in chunks, ---MORE--- takes its Enter from it, a last line without its newline runs") {
    fake_cql_server server({});
    constexpr std::string_view query = "SELECT id FROM ks.t";
    std::atomic<int> requests{0};
    serve_paged_ids(server, query, [&](const decoded_query&) { ++requests; });
    // Lines that cross the reads' chunk boundaries, and one longer than a chunk.
    std::string comments;
    for (int i = 0; i < 3000; ++i) comments += "-- comment line " + std::to_string(i) + "\n";
    comments += "-- " + std::string(40'000, 'x') + "\n";
    cqlwire::test::process_options o;
    const auto home = std::filesystem::temp_directory_path() / "cqlwire-surface-home";
    std::filesystem::create_directories(home);
    o.env = cqlwire::test::isolated_cqlwire_env(home.string());
    o.timeout = std::chrono::seconds(30);
    o.stdin_text = std::string(query) + ";\n\n\n" + comments + "CONSISTENCY ONE\n" + std::string(query) +
                   ";\nthis line answers ---MORE---\n\nCONSISTENCY";
    const auto r = cqlwire::test::run_process(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port()), "--tty"}, o);
    INFO("stdout: " << r.out.substr(r.out.size() - std::min<std::size_t>(r.out.size(), 600)) << "\nstderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK_FALSE(r.timed_out);
    CHECK(r.err.empty());
    // Nothing echoes the Enter read at ---MORE--- on a pipe.
    const std::string pages = "\n id\n----\n  1\n  2\n\n---MORE--- id\n----\n  3\n  4\n\n---MORE--- id\n----\n  5\n\n(5 rows)\n";
    const auto first = r.out.find(pages);
    CHECK(first != std::string::npos);
    CHECK(r.out.find(pages, first + 1) != std::string::npos);
    CHECK(requests == 6);
    // The comments are not statements: each only brings the next prompt.
    CHECK(r.out.find("comment line") == std::string::npos);
    CHECK(r.out.find(std::string(100, 'x')) == std::string::npos);
    CHECK(r.out.find("Consistency level set to ONE.\n") != std::string::npos);
    // The last line, without its newline, runs as the input ends (a newline shown first, as on a terminal).
    CHECK(r.out.ends_with("(5 rows)\ncqlwire> \nCurrent consistency level is ONE.\ncqlwire> \n"));
    // A prompt for each line but those ---MORE--- took: 2 statements, 3001 comments, 2
    // CONSISTENCY, and the end of input.
    std::size_t prompts = 0;
    for (auto at = r.out.find("cqlwire> "); at != std::string::npos; at = r.out.find("cqlwire> ", at + 1)) ++prompts;
    CHECK(prompts == 2 + 3001 + 2 + 1);
}

TEST_CASE("cqlwire events: a lost connection is replaced from the contact points and the listening goes on") {
    // The first node lets in one session, which the test drops once it registered; the second
    // sends an event once registered.
    fake_cql_server first({});
    auto startups = std::make_shared<std::atomic<int>>(0);
    first.on_opcode(protocol::opcode::startup, [startups](fake_session& s, const fake_request& r) {
        s.send_raw(++*startups == 1 ? fake_cql_server::ready_frame(r.header.stream)
                                    : fake_cql_server::error_frame(r.header.stream, 0x1001, "overloaded"));
    });
    fake_cql_server second({});
    second.on_opcode(protocol::opcode::register_, [](fake_session& s, const fake_request& r) {
        s.send_raw(fake_cql_server::ready_frame(r.header.stream));
        s.send_after(std::chrono::milliseconds(50), fake_cql_server::status_up_event_frame());
    });
    const std::string hosts = "127.0.0.1:" + std::to_string(first.port()) + ",127.0.0.1:" + std::to_string(second.port());
    cqlwire::test::process_result r;
    std::thread command([&] { r = run_binary({"events", "--count", "1", "--timeout", "20", hosts}); });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (first.requests_received() < 2 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    REQUIRE(first.last_session() != nullptr);
    first.last_session()->close();
    command.join();
    INFO("stderr: " << r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.out.find("STATUS_CHANGE UP 127.0.0.1:9042\n") != std::string::npos);
    CHECK(r.err.find("cqlwire events: warning: the connection to 127.0.0.1:" + std::to_string(first.port()) +
                     " was lost (") != std::string::npos);
    CHECK(r.err.find("warning: contact point 127.0.0.1:" + std::to_string(first.port()) + " failed") !=
          std::string::npos);
    CHECK(r.err.find("cqlwire events: warning: connected to 127.0.0.1:" + std::to_string(second.port()) +
                     "; the events of the time without a connection are missed\n") != std::string::npos);
}

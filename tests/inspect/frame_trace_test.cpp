#include "test_support.hpp"

#include <string>
#include <vector>

#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "protocol/wire_support.hpp"

using namespace cqlwire::protocol;
using namespace cqlwire::inspect;
using wire_test::wire;

namespace {

std::string to_hex(bytes_view b) {
    std::string out;
    append_hex(out, b);
    return out;
}

// 2025-11-29 10:00:28.123456 UTC.
constexpr std::int64_t t0 = 1764410428123456;

// Traces one whole frame (header + body) as encoded.
std::string trace(frame_tracer& tracer, const std::vector<std::uint8_t>& frame, std::optional<std::int64_t> time = t0) {
    frame_header h;
    REQUIRE_FALSE(decode_frame_header(frame, h));
    REQUIRE(frame.size() == frame_header_size + h.length);
    std::string out;
    tracer.append({time, h.is_response() ? frame_sender::server : frame_sender::client, h,
                   bytes_view(frame).subspan(frame_header_size)},
                  out);
    return out;
}

std::string trace_one(const std::vector<std::uint8_t>& frame, trace_format format = trace_format::summary) {
    frame_trace_options o;
    o.format = format;
    frame_tracer tracer(o);
    return trace(tracer, frame);
}

std::vector<std::uint8_t> query_frame(std::string_view cql, std::int16_t stream = 3,
                                      const query_parameters& p = {}) {
    std::vector<std::uint8_t> out;
    request_frame_options f;
    f.stream = stream;
    REQUIRE_FALSE(encode_query(out, f, cql, p));
    return out;
}

const trace_format all_formats[] = {trace_format::summary, trace_format::hex, trace_format::jsonl};

std::vector<std::uint8_t> error_frame(std::int16_t stream, std::string_view message) {
    response_frame_options o;
    o.stream = stream;
    error_view e;
    e.code = 0x2000;
    e.message = message;
    std::vector<std::uint8_t> f;
    REQUIRE_FALSE(encode_error(f, o, e));
    return f;
}

void check_absent(const std::string& text, std::string_view secret) {
    INFO(text);
    CHECK(text.find(secret) == std::string::npos);
    // Nor as hex, in any dump.
    auto hex = to_hex(as_bytes(secret));
    std::string spaced;
    for (std::size_t i = 0; i < hex.size(); i += 2) spaced += (i ? " " : "") + hex.substr(i, 2);
    CHECK(text.find(spaced.substr(0, 11)) == std::string::npos);
}

}  // namespace

TEST_CASE("summary lines are byte-exact for requests") {
    SUBCASE("QUERY with paging") {
        query_parameters p;
        p.page_size = 5000;
        // Body: [long string] 4+26, consistency 2, flags 1, page size 4 = 37.
        CHECK(trace_one(query_frame("SELECT * FROM system.local", 3, p)) ==
              "10:00:28.123456 C>S v4 stream=3 QUERY flags=- length=37 query=\"SELECT * FROM system.local\" "
              "consistency=ONE page_size=5000\n");
    }
    SUBCASE("STARTUP") {
        std::vector<std::uint8_t> f;
        const string_map_entry options[] = {{"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "cqlwire"}};
        REQUIRE_FALSE(encode_startup(f, {}, options));
        CHECK(trace_one(f) == "10:00:28.123456 C>S v4 stream=0 STARTUP flags=- length=44 "
                              "options={CQL_VERSION=\"3.0.0\", DRIVER_NAME=\"cqlwire\"}\n");
    }
    SUBCASE("OPTIONS without a time, in hex") {
        std::vector<std::uint8_t> f;
        request_frame_options o;
        o.stream = 1;
        REQUIRE_FALSE(encode_options(f, o));
        frame_trace_options opts;
        opts.format = trace_format::hex;
        frame_tracer tracer(opts);
        CHECK(trace(tracer, f, std::nullopt) ==
              "- C>S v4 stream=1 OPTIONS flags=- length=0\n"
              "  0000  04 00 00 01 05 00 00 00  00                       .........\n");
    }
    SUBCASE("text with a newline and a quote stays on one line") {
        auto line = trace_one(query_frame("SELECT \"k\"\nFROM t"));
        CHECK(line.find("query=\"SELECT \\\"k\\\"\\nFROM t\"") != std::string::npos);
        CHECK(line.find('\n') == line.size() - 1);
    }
}

TEST_CASE("summary lines are byte-exact for responses") {
    SUBCASE("ERROR Unavailable with its fields") {
        std::vector<std::uint8_t> f;
        response_frame_options o;
        o.stream = 5;
        error_view e;
        e.code = 0x1000;
        e.message = "Cannot achieve consistency level QUORUM";
        e.details = unavailable_info{consistency::quorum, 2, 1};
        REQUIRE_FALSE(encode_error(f, o, e));
        CHECK(trace_one(f) == "10:00:28.123456 S>C v4 stream=5 ERROR flags=- length=55 code=0x1000 "
                              "name=\"Unavailable exception\" message=\"Cannot achieve consistency level QUORUM\" "
                              "consistency=QUORUM required=2 alive=1\n");
    }
    SUBCASE("RESULT Rows, bounded, with warnings and a tracing id") {
        result_metadata m;
        m.flags = metadata_flags::global_tables_spec;
        m.columns = {{"ks", "t", "k", data_type::of(type_kind::varchar)}, {"ks", "t", "v", data_type::of(type_kind::int_)}};
        m.column_count = 2;
        auto a = wire("'a'"), b = wire("'b'"), c = wire("'c'");
        auto one = wire("00000001"), two = wire("00000002");
        const raw_value cells[] = {raw_value::of(a), raw_value::of(one), raw_value::of(b), raw_value::null(),
                                   raw_value::of(c), raw_value::of(two)};
        const std::string_view warnings[] = {"Aggregation query used without partition key"};
        response_frame_options o;
        o.stream = 7;
        o.warnings = std::span<const std::string_view>(warnings);
        o.tracing_id = parse_uuid("0a1b2c3d-0000-1000-8000-000000000001");
        std::vector<std::uint8_t> f;
        REQUIRE_FALSE(encode_result_rows(f, o, m, cells));
        frame_trace_options opts;
        opts.max_rows = 2;
        frame_tracer tracer(opts);
        CHECK(trace(tracer, f) ==
              "10:00:28.123456 S>C v4 stream=7 RESULT flags=TRACING|WARNING length=" +
                  std::to_string(f.size() - 9) +
                  " tracing_id=0a1b2c3d-0000-1000-8000-000000000001 "
                  "warnings=[\"Aggregation query used without partition key\"] kind=Rows table=\"ks.t\" "
                  "columns=[k text, v int] rows=3 row_values=[(\"a\", 1), (\"b\", null)] rows_not_shown=1\n");
    }
    SUBCASE("the same in jsonl") {
        result_metadata m;
        m.flags = metadata_flags::global_tables_spec;
        m.columns = {{"ks", "t", "k", data_type::of(type_kind::varchar)}};
        m.column_count = 1;
        auto a = wire("'a'");
        const raw_value cells[] = {raw_value::of(a)};
        response_frame_options o;
        o.stream = 7;
        std::vector<std::uint8_t> f;
        REQUIRE_FALSE(encode_result_rows(f, o, m, cells));
        CHECK(trace_one(f, trace_format::jsonl) ==
              "{\"time\":1764410428.123456,\"sender\":\"server\",\"version\":4,\"stream\":7,\"opcode\":\"RESULT\","
              "\"flags\":0,\"length\":" +
                  std::to_string(f.size() - 9) +
                  ",\"kind\":\"Rows\",\"table\":\"ks.t\",\"columns\":[\"k text\"],\"rows\":1,"
                  "\"row_values\":[[\"a\"]]}\n");
    }
    SUBCASE("an EVENT") {
        event_view e;
        e.type = event_type::status_change;
        e.change = "UP";
        e.address.address = *parse_inet_address("127.0.0.2");
        e.address.port = 9042;
        response_frame_options o;
        o.stream = -1;
        std::vector<std::uint8_t> f;
        REQUIRE_FALSE(encode_event(f, o, e));
        CHECK(trace_one(f) == "10:00:28.123456 S>C v4 stream=-1 EVENT flags=- length=" + std::to_string(f.size() - 9) +
                                  " event=STATUS_CHANGE change=UP address=127.0.0.2:9042\n");
    }
    SUBCASE("an undecodable body is named, not fatal") {
        auto f = query_frame("SELECT 1");
        // Claim a longer query string than the body holds.
        f[9 + 3] = 0x7F;
        auto line = trace_one(f);
        CHECK(line.find("undecodable=\"") != std::string::npos);
        CHECK(line.starts_with("10:00:28.123456 C>S v4 stream=3 QUERY"));
    }
}

TEST_CASE("JSON lines escape C1 controls, so that a terminal filter leaves them valid JSON") {
    const auto line = trace_one(query_frame("SELECT '\xc2\x85\x7f' FROM t", 3, {}), trace_format::jsonl);
    CHECK(line.find("\\u0085\\u007f") != std::string::npos);
    CHECK(line.find("\xc2\x85") == std::string::npos);
}

TEST_CASE("secrets never appear in any format") {
    for (auto format : all_formats) {
        CAPTURE(to_string(format));
        SUBCASE("AUTH_RESPONSE shows only the token's length") {
            auto token = wire("00 'cassandra' 00 'Sup3rSecret'");
            std::vector<std::uint8_t> f;
            REQUIRE_FALSE(encode_auth_response(f, {}, raw_value::of(token)));
            auto text = trace_one(f, format);
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("<22 bytes withheld>") != std::string::npos);
        }
        SUBCASE("nothing of a login frame's custom payload, only how many entries") {
            auto token = wire("00 'cassandra' 00 'pw'");
            auto v = wire("'Sup3rSecret'");
            const bytes_map_entry payload[] = {{"Sup3rSecret", raw_value::of(v)}};
            request_frame_options o;
            o.custom_payload = payload;
            std::vector<std::uint8_t> f;
            REQUIRE_FALSE(encode_auth_response(f, o, raw_value::of(token)));
            auto text = trace_one(f, format);
            check_absent(text, "Sup3rSecret");
            check_absent(text, "cassandra");
            CHECK(text.find("custom_payload_withheld") != std::string::npos);
            CHECK(text.find("<13 bytes withheld>") != std::string::npos);
        }
        SUBCASE("a QUERY that cannot be decoded is not dumped") {
            // The [long string] claims more than the body holds: where the text ends is unknown.
            auto f = query_frame("CREATE ROLE alice WITH PASSWORD = 'Sup3rSecret'");
            f[frame_header_size + 1] = 0x7f;
            auto text = trace_one(f, format);
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("undecodable") != std::string::npos);
        }
        SUBCASE("CREATE ROLE ... PASSWORD in a QUERY") {
            auto text = trace_one(query_frame("CREATE ROLE alice WITH PASSWORD = 'Sup3rSecret' AND LOGIN = true"),
                                  format);
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("PASSWORD = '********'") != std::string::npos);
        }
        SUBCASE("HASHED PASSWORD in a PREPARE") {
            std::vector<std::uint8_t> f;
            REQUIRE_FALSE(encode_prepare(f, {}, "ALTER ROLE bob WITH HASHED PASSWORD = '$2a$10$Sup3rSecret'"));
            check_absent(trace_one(f, format), "Sup3rSecret");
        }
        SUBCASE("a password in a BATCH statement, and its bound value") {
            auto pw = wire("'Sup3rSecret'");
            const raw_value values[] = {raw_value::of(pw)};
            const batch_statement statements[] = {
                batch_statement::of_query("CREATE USER u WITH PASSWORD 'Sup3rSecret'"),
                batch_statement::of_query("ALTER ROLE r WITH PASSWORD = ?", values)};
            batch_request b;
            b.statements = statements;
            std::vector<std::uint8_t> f;
            REQUIRE_FALSE(encode_batch(f, {}, b));
            auto text = trace_one(f, format);
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("<sensitive, 11 bytes>") != std::string::npos);
        }
        SUBCASE("bound values the caller marks sensitive, by name or all") {
            auto pw = wire("'Sup3rSecret'");
            auto other = wire("'visible'");
            const raw_value values[] = {raw_value::of(other), raw_value::of(pw)};
            const std::string_view names[] = {"user", "secret"};
            query_parameters p;
            p.values = values;
            p.names = names;
            frame_trace_options o;
            o.format = format;
            o.sensitive_value_names = {"SECRET"};
            frame_tracer tracer(o);
            auto text = trace(tracer, query_frame("UPDATE t SET s = :secret WHERE u = :user", 3, p));
            check_absent(text, "Sup3rSecret");
            CHECK(text.find(to_hex(other)) != std::string::npos);

            frame_trace_options all;
            all.format = format;
            all.mask_all_bound_values = true;
            frame_tracer masking(all);
            auto masked = trace(masking, query_frame("UPDATE t SET s = :secret WHERE u = :user", 3, p));
            check_absent(masked, "visible");
        }
        SUBCASE("EXECUTE of a prepared password statement") {
            frame_trace_options o;
            o.format = format;
            frame_tracer tracer(o);
            std::vector<std::uint8_t> prepare;
            request_frame_options rf;
            rf.stream = 9;
            REQUIRE_FALSE(encode_prepare(prepare, rf, "CREATE ROLE r WITH PASSWORD = ?"));
            trace(tracer, prepare);
            auto id = wire("cafe");
            prepared_metadata bind;
            bind.columns = {{"system_auth", "roles", "password", data_type::of(type_kind::varchar)}};
            std::vector<std::uint8_t> prepared;
            response_frame_options pf;
            pf.stream = 9;
            REQUIRE_FALSE(encode_result_prepared(prepared, pf, id, bind, result_metadata{metadata_flags::no_metadata, 0, {}}));
            trace(tracer, prepared);
            auto pw = wire("'Sup3rSecret'");
            const raw_value values[] = {raw_value::of(pw)};
            query_parameters p;
            p.values = values;
            std::vector<std::uint8_t> execute;
            REQUIRE_FALSE(encode_execute(execute, {}, id, p));
            auto text = trace(tracer, execute);
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("CREATE ROLE r WITH PASSWORD = ?") != std::string::npos);
            CHECK(text.find("<sensitive, 11 bytes>") != std::string::npos);
        }
    }
}

TEST_CASE("a response never shows a password that a request on the connection set") {
    for (auto format : all_formats) {
        CAPTURE(to_string(format));
        frame_trace_options o;
        o.format = format;
        frame_tracer tracer(o);
        const std::string statement = "CREATE ROLE alice WITH PASSWORD = 'Sup3rSecret' AND LOGIN = true";
        check_absent(trace(tracer, query_frame(statement, 3)), "Sup3rSecret");
        SUBCASE("an ERROR echoing the statement and the bare value") {
            const auto text = trace(tracer, error_frame(3, "line 1:34 no viable alternative at input 'Sup3rSecret' (" +
                                                               statement + ")"));
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("no viable alternative at input '********' (CREATE ROLE alice WITH PASSWORD = '********'") !=
                  std::string::npos);
        }
        SUBCASE("the statement cut short inside the value, in a later response on another stream") {
            const auto text = trace(tracer, error_frame(9, "Cannot parse: CREATE ROLE alice WITH PASSWORD = 'Sup3rSe"));
            CHECK(text.find("Sup3rSe") == std::string::npos);
            CHECK(text.find("PASSWORD = '********") != std::string::npos);
        }
        SUBCASE("warnings and rows of system_traces: text cells and text inside a map") {
            result_metadata m;
            m.flags = metadata_flags::global_tables_spec;
            m.columns = {{"system_traces", "sessions", "activity", data_type::of(type_kind::varchar)},
                         {"system_traces", "sessions", "parameters",
                          data_type::map_of(data_type::of(type_kind::varchar), data_type::of(type_kind::varchar))}};
            m.column_count = 2;
            const std::string activity = "Parsing " + statement;
            std::vector<std::uint8_t> parameters;
            byte_writer w(parameters);
            w.write_int(1);
            w.write_bytes(as_bytes("query"));
            w.write_bytes(as_bytes(statement));
            const raw_value cells[] = {raw_value::of(as_bytes(activity)), raw_value::of(parameters)};
            const std::string_view warnings[] = {"Role alice's password Sup3rSecret is weak"};
            response_frame_options f;
            f.stream = 4;
            f.warnings = std::span<const std::string_view>(warnings);
            std::vector<std::uint8_t> frame;
            REQUIRE_FALSE(encode_result_rows(frame, f, m, cells));
            const auto text = trace(tracer, frame);
            check_absent(text, "Sup3rSecret");
            CHECK(text.find("Parsing CREATE ROLE alice WITH PASSWORD = '********' AND LOGIN = true") != std::string::npos);
            CHECK(text.find("password ******** is weak") != std::string::npos);
        }
        SUBCASE("a compressed response: its bytes are not decoded, and the echo is masked in the dump") {
            auto frame = error_frame(3, "at input 'Sup3rSecret'");
            frame[1] |= frame_flags::compression;
            check_absent(trace(tracer, frame), "Sup3rSecret");
        }
    }
}

TEST_CASE("a response's own password literals are masked, with no request seen") {
    for (auto format : all_formats) {
        CAPTURE(to_string(format));
        const auto text = trace_one(error_frame(3, "Invalid: ALTER USER bob WITH PASSWORD 'Sup3rSecret'"), format);
        check_absent(text, "Sup3rSecret");
        CHECK(text.find("ALTER USER bob WITH PASSWORD '********'") != std::string::npos);
    }
}

TEST_CASE("the hex dump of a response masks the bytes of an echoed password") {
    frame_trace_options o;
    o.format = trace_format::hex;
    frame_tracer tracer(o);
    trace(tracer, query_frame("ALTER ROLE r WITH PASSWORD 'pw12'", 3));
    // Body: code 4, [string] 2 + 10. The value starts at body offset 11 (frame offset 20).
    const auto text = trace(tracer, error_frame(3, "bad 'pw12'"));
    const auto dump = text.substr(text.find('\n') + 1);
    CHECK(dump ==
          "  0000  84 00 00 03 00 00 00 00  10 00 00 20 00 00 0a 62  ........... ...b\n"
          "  0010  61 64 20 27 ** ** ** **  27                       ad '****'\n");
    CHECK(text.find("message=\"bad '********'\"") != std::string::npos);
}

TEST_CASE("the hex dump masks the bytes of a secret") {
    auto token = wire("00 'cassandra' 00 'pw'");
    std::vector<std::uint8_t> f;
    request_frame_options o;
    o.stream = 2;
    REQUIRE_FALSE(encode_auth_response(f, o, raw_value::of(token)));
    CHECK(trace_one(f, trace_format::hex) ==
          "10:00:28.123456 C>S v4 stream=2 AUTH_RESPONSE flags=- length=17 token=\"<13 bytes withheld>\"\n"
          "  0000  04 00 00 02 0f 00 00 00  11 ** ** ** ** ** ** **  .........*******\n"
          "  0010  ** ** ** ** ** ** ** **  ** **                    **********\n");
}

TEST_CASE("notes and formats by name") {
    frame_tracer summary;
    std::string out;
    summary.append_note("connection 127.0.0.1:5000 -> 127.0.0.1:9042", out);
    CHECK(out == "# connection 127.0.0.1:5000 -> 127.0.0.1:9042\n");
    frame_trace_options o;
    o.format = trace_format::jsonl;
    frame_tracer jsonl(o);
    out.clear();
    jsonl.append_note("12 bytes \"left\"", out);
    CHECK(out == "{\"note\":\"12 bytes \\\"left\\\"\"}\n");
    CHECK(parse_trace_format("hex") == trace_format::hex);
    CHECK_FALSE(parse_trace_format("HEX"));
    CHECK(to_string(trace_format::jsonl) == "jsonl");
}

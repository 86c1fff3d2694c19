#include "test_support.hpp"

#include "cqlwire/protocol/requests.hpp"
#include "message_vectors.hpp"

using namespace cqlwire::protocol;
using namespace wire_test;

namespace {

// The frame the encoder must produce: a request header built by the test, then the body.
std::vector<std::uint8_t> request_frame(std::uint8_t flags, std::int16_t stream, opcode op, const char* body) {
    auto b = wire(body);
    return framed(0x04, flags, stream, op, b);
}

request_frame_options on_stream(std::int16_t stream) {
    request_frame_options o;
    o.stream = stream;
    return o;
}

std::array<raw_value, 3> three_values() {
    static const std::uint8_t forty_two[] = {0, 0, 0, 0x2A};
    return {raw_value::of(forty_two), raw_value::null(), raw_value::not_set()};
}

}  // namespace

TEST_CASE("STARTUP: encoded byte for byte, header included") {
    std::vector<std::uint8_t> out;
    const string_map_entry options[] = {{"CQL_VERSION", "3.0.0"}};
    REQUIRE_FALSE(encode_startup(out, on_stream(1), options));
    CHECK(out == wire("04 00 0001 01 00000016 0001 000B 'CQL_VERSION' 0005 '3.0.0'"));

    string_map_view decoded;
    exact_buffer body(wire("0002 000B 'CQL_VERSION' 0005 '3.0.0' 000B 'COMPRESSION' 0003 'lz4'"));
    REQUIRE_FALSE(decode_startup(body.view(), decoded));
    REQUIRE(decoded.size() == 2);
    CHECK(decoded[0] == string_map_entry{"CQL_VERSION", "3.0.0"});
    CHECK(decoded[1] == string_map_entry{"COMPRESSION", "lz4"});
}

TEST_CASE("OPTIONS: a header and an empty body") {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_options(out, on_stream(0x7FFF)));
    CHECK(out == wire("04 00 7FFF 05 00000000"));
}

TEST_CASE("AUTH_RESPONSE: token bytes, and null") {
    std::vector<std::uint8_t> out;
    const auto token = wire("00 'alice' 00 'pw'");
    REQUIRE_FALSE(encode_auth_response(out, on_stream(2), raw_value::of(token)));
    CHECK(out == wire("04 00 0002 0F 0000000D 00000009 00 'alice' 00 'pw'"));

    out.clear();
    REQUIRE_FALSE(encode_auth_response(out, {}, raw_value::null()));
    CHECK(out == wire("04 00 0000 0F 00000004 FFFFFFFF"));
    CHECK(encode_auth_response(out, {}, raw_value::not_set()) == client_errc::bad_value);

    raw_value decoded;
    exact_buffer body(wire("00000009 00 'alice' 00 'pw'"));
    REQUIRE_FALSE(decode_auth_response(body.view(), decoded));
    REQUIRE(decoded.is_present());
    CHECK(std::vector<std::uint8_t>(decoded.bytes.begin(), decoded.bytes.end()) == token);
}

TEST_CASE("QUERY: simple, with consistency and no flags") {
    std::vector<std::uint8_t> out;
    query_parameters p;
    REQUIRE_FALSE(encode_query(out, on_stream(5), "SELECT * FROM system.local", p));
    CHECK(out == wire("04 00 0005 07 00000021 0000001A 'SELECT * FROM system.local' 0001 00"));
}

TEST_CASE("QUERY: every query parameter, in the order of §4.1.4") {
    auto values = three_values();
    const auto state = wire("010203");
    query_parameters p;
    p.consistency_level = consistency::local_quorum;
    p.values = values;
    p.skip_metadata = true;
    p.page_size = 5000;
    p.paging_state = bytes_view(state);
    p.serial_consistency = consistency::local_serial;
    p.default_timestamp = 1700000000000000;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_query(out, {}, "SELECT ?", p));
    CHECK(out == request_frame(0, 0, opcode::query,
                               "00000008 'SELECT ?' 0006 3F"
                               " 0003 00000004 0000002A FFFFFFFF FFFFFFFE 00001388 00000003 010203 0009"
                               " 00060A24181E4000"));

    query_view q;
    exact_buffer body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_query(body.view(), q));
    CHECK(q.query == "SELECT ?");
    CHECK(q.parameters.consistency_level == consistency::local_quorum);
    CHECK(q.parameters.flags == 0x3F);
    REQUIRE(q.parameters.values.size() == 3);
    CHECK(q.parameters.values[0].bytes.size() == 4);
    CHECK(q.parameters.values[0].bytes[3] == 0x2A);
    CHECK(q.parameters.values[1].is_null());
    CHECK(q.parameters.values[2].is_not_set());
    CHECK(q.parameters.names.empty());
    CHECK(q.parameters.skip_metadata);
    CHECK(q.parameters.page_size == 5000);
    REQUIRE(q.parameters.paging_state);
    CHECK(q.parameters.paging_state->bytes.size() == 3);
    CHECK(q.parameters.serial_consistency == consistency::local_serial);
    CHECK(q.parameters.default_timestamp == 1700000000000000);
}

TEST_CASE("QUERY: named values set flag 0x40 and precede each value with its name") {
    const auto seven = wire("07");
    const raw_value values[] = {raw_value::of(seven), raw_value::of({})};
    const std::string_view names[] = {"k", "v"};
    query_parameters p;
    p.consistency_level = consistency::local_one;
    p.values = values;
    p.names = names;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_query(out, {}, "Q :k", p));
    CHECK(out == request_frame(0, 0, opcode::query,
                               "00000004 'Q :k' 000A 41 0002 0001 'k' 00000001 07 0001 'v' 00000000"));

    query_view q;
    exact_buffer body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_query(body.view(), q));
    REQUIRE(q.parameters.names.size() == 2);
    CHECK(q.parameters.names[0] == "k");
    CHECK(q.parameters.names[1] == "v");
    CHECK(q.parameters.values[1].is_present());  // empty, which is not null
    CHECK(q.parameters.values[1].bytes.empty());

    const std::string_view one_name[] = {"k"};
    p.names = one_name;
    std::vector<std::uint8_t> untouched = wire("AA");
    CHECK(encode_query(untouched, {}, "Q", p) == client_errc::bad_value);
    CHECK(untouched == wire("AA"));
}

TEST_CASE("QUERY: boundary values") {
    query_parameters p;
    p.consistency_level = consistency::any;
    p.page_size = 0x7FFFFFFF;
    p.default_timestamp = 0x7FFFFFFFFFFFFFFF;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_query(out, {}, "", p));
    CHECK(out == request_frame(0, 0, opcode::query, "00000000 0000 24 7FFFFFFF 7FFFFFFFFFFFFFFF"));

    p.default_timestamp = -1;  // the specification forbids negative timestamps
    out.clear();
    CHECK(encode_query(out, {}, "", p) == client_errc::value_out_of_range);
    CHECK(out.empty());
}

TEST_CASE("QUERY: frame flags for tracing and a custom payload at the start of the body") {
    const auto beef = wire("BEEF");
    const bytes_map_entry payload[] = {{"key", raw_value::of(beef)}};
    request_frame_options traced_with_payload;
    traced_with_payload.stream = 9;
    traced_with_payload.tracing = true;
    traced_with_payload.custom_payload = payload;
    query_parameters p;
    p.consistency_level = consistency::quorum;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_query(out, traced_with_payload, "Q", p));
    CHECK(out == request_frame(0x06, 9, opcode::query, "0001 0003 'key' 00000002 BEEF 00000001 'Q' 0004 00"));

    frame_header h;
    h.flags = 0x06;
    request_prefix prefix;
    bytes_view rest;
    exact_buffer body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_request_prefix(h, body.view(), prefix, rest));
    REQUIRE(prefix.custom_payload);
    REQUIRE(prefix.custom_payload->size() == 1);
    CHECK((*prefix.custom_payload)[0].first == "key");
    query_view q;
    REQUIRE_FALSE(decode_query(rest, q));
    CHECK(q.query == "Q");
}

TEST_CASE("PREPARE and EXECUTE") {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_prepare(out, on_stream(3), "SELECT ?"));
    CHECK(out == wire("04 00 0003 09 0000000C 00000008 'SELECT ?'"));

    const auto id = wire("CAFEBABE");
    const auto one = wire("00000001");
    const raw_value values[] = {raw_value::of(one)};
    query_parameters p;
    p.consistency_level = consistency::quorum;
    p.values = values;
    p.page_size = 100;
    out.clear();
    REQUIRE_FALSE(encode_execute(out, {}, id, p));
    CHECK(out == request_frame(0, 0, opcode::execute, "0004 CAFEBABE 0004 05 0001 00000004 00000001 00000064"));

    execute_view e;
    exact_buffer body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_execute(body.view(), e));
    CHECK(hex_string(e.prepared_id) == "cafebabe");
    CHECK(e.parameters.page_size == 100);
    CHECK(e.parameters.values.size() == 1);
    CHECK_FALSE(e.parameters.paging_state);
    CHECK_FALSE(e.parameters.serial_consistency);
    CHECK_FALSE(e.parameters.default_timestamp);

    exact_buffer null_state(wire("0000 0001 0E 00000001 FFFFFFFF"));
    REQUIRE_FALSE(decode_execute(null_state.view(), e));
    CHECK(e.prepared_id.empty());
    CHECK(e.parameters.skip_metadata);
    REQUIRE(e.parameters.paging_state);
    CHECK(e.parameters.paging_state->is_null());
}

TEST_CASE("BATCH: query and prepared statements, serial consistency and timestamp") {
    const auto five = wire("05");
    const auto id = wire("ABCD");
    const raw_value v1[] = {raw_value::of(five)};
    const batch_statement statements[] = {batch_statement::of_query("Q1", v1), batch_statement::of_prepared(id)};
    batch_request b;
    b.type = batch_type::unlogged;
    b.statements = statements;
    b.consistency_level = consistency::quorum;
    b.serial_consistency = consistency::serial;
    b.default_timestamp = 7;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_batch(out, {}, b));
    CHECK(out == request_frame(0, 0, opcode::batch,
                               "01 0002 00 00000002 'Q1' 0001 00000001 05 01 0002 ABCD 0000 0004 30 0008"
                               " 0000000000000007"));

    batch_view d;
    exact_buffer body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_batch(body.view(), d));
    CHECK(d.type == batch_type::unlogged);
    REQUIRE(d.statements.size() == 2);
    CHECK(d.statements[0].statement_kind == batch_statement::kind::query);
    CHECK(d.statements[0].query == "Q1");
    CHECK(d.statements[0].values.size() == 1);
    CHECK(d.statements[1].statement_kind == batch_statement::kind::prepared);
    CHECK(hex_string(d.statements[1].prepared_id) == "abcd");
    CHECK(d.statements[1].values.empty());
    CHECK(d.consistency_level == consistency::quorum);
    CHECK(d.serial_consistency == consistency::serial);
    CHECK(d.default_timestamp == 7);
}

TEST_CASE("BATCH: an empty counter batch, and refusals") {
    batch_request b;
    b.type = batch_type::counter;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_batch(out, {}, b));
    CHECK(out == request_frame(0, 0, opcode::batch, "02 0000 0001 00"));

    batch_view d;
    CHECK(decode_batch(wire("03 0000 0001 00"), d) == client_errc::bad_value);          // batch type
    CHECK(decode_batch(wire("00 0001 02 0000 0000 0001 00"), d) == client_errc::bad_value);  // statement kind
    // Named values in a batch cannot be laid out; refused as the server does.
    CHECK(decode_batch(wire("00 0000 0001 40"), d) == client_errc::bad_value);
    // A statement count that the body cannot hold.
    CHECK(decode_batch(wire("00 FFFF 00 00000000 0000"), d) == client_errc::truncated);
}

TEST_CASE("REGISTER: a string list of event types") {
    const std::string_view types[] = {"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"};
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_register(out, {}, types));
    CHECK(out == request_frame(0, 0, opcode::register_,
                               "0003 000F 'TOPOLOGY_CHANGE' 000D 'STATUS_CHANGE' 000D 'SCHEMA_CHANGE'"));
    std::vector<std::string_view> decoded;
    exact_buffer body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_register(body.view(), decoded));
    CHECK(decoded == std::vector<std::string_view>(std::begin(types), std::end(types)));
}

TEST_CASE("requests coalesce into one buffer; a failed encode leaves it as it was") {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_options(out, on_stream(1)));
    REQUIRE_FALSE(encode_prepare(out, on_stream(2), "Q"));
    auto before = out;
    CHECK(encode_options(out, on_stream(-1)) == client_errc::value_out_of_range);
    std::string too_long(70000, 'x');
    const string_map_entry bad[] = {{"CQL_VERSION", too_long}};
    CHECK(encode_startup(out, {}, bad) == client_errc::length_out_of_range);
    std::vector<raw_value> many(65536, raw_value::null());
    query_parameters p;
    p.values = many;
    CHECK(encode_query(out, {}, "Q", p) == client_errc::too_many_values);
    CHECK(out == before);
    CHECK(out == wire("04 00 0001 05 00000000 04 00 0002 09 00000005 00000001 'Q'"));
}

TEST_CASE("request decoders: corrupted lengths and counts give specific errors") {
    query_view q;
    execute_view e;
    std::string_view s;
    CHECK(decode_query(wire("FFFFFFFF 0001 00"), q) == client_errc::length_out_of_range);  // negative query
    CHECK(decode_query(wire("7FFFFFFF 0001 00"), q) == client_errc::truncated);            // huge query
    CHECK(decode_query(wire("00000000 000B 00"), q) == client_errc::bad_consistency);
    CHECK(decode_query(wire("00000000 0001 01 FFFF"), q) == client_errc::truncated);  // value count overruns
    CHECK(decode_query(wire("00000000 0001 01 0001 FFFFFFFD"), q) == client_errc::length_out_of_range);  // [value] -3
    CHECK(decode_query(wire("00000000 0001 01 0001 7FFFFFFF"), q) == client_errc::truncated);
    CHECK(decode_query(wire("00000000 0001 10 0042"), q) == client_errc::bad_consistency);  // serial
    CHECK(decode_prepare(wire("80000000"), s) == client_errc::length_out_of_range);
    CHECK(decode_execute(wire("FFFF 00"), e) == client_errc::truncated);
    string_map_view m;
    CHECK(decode_startup(wire("FFFF 0000"), m) == client_errc::truncated);
    std::vector<std::string_view> list;
    CHECK(decode_register(wire("0002 0001 'a'"), list) == client_errc::truncated);
    frame_header h;
    h.flags = frame_flags::custom_payload;
    request_prefix prefix;
    bytes_view rest;
    CHECK(decode_request_prefix(h, wire("0001 0001 'k' 7FFFFFFF"), prefix, rest) == client_errc::truncated);
}

TEST_CASE("every request vector: the summary names what was decoded") {
    // A spot check that decode_any (used by the split and truncation sweeps) really reaches the
    // fields, so that those sweeps compare something.
    for (const auto& v : message_vectors()) {
        if (v.response) continue;
        std::string summary;
        REQUIRE_FALSE(decode_any(header_for(v, 0), wire(v.body), summary));
        if (v.op == opcode::query && std::string_view(v.name) == "QUERY all parameters")
            CHECK(summary == "\"SELECT ?\" cl=6 flags=63 values=[0x0000002a,null,unset,] skip=1 page=5000 "
                             "state=0x010203 serial=9 ts=1700000000000000");
        if (v.op == opcode::batch && std::string_view(v.name) == "BATCH")
            CHECK(summary == "type=1 [0 \"Q1\"  0x05] [1 \"\" abcd] cl=4 flags=48 serial=8 ts=7");
    }
}

#include "test_support.hpp"

#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "message_vectors.hpp"

using namespace cqlwire::protocol;
using namespace wire_test;

namespace {

// Decoded from a buffer of exactly the message's size, which lives as long as this object
// (the views point into it; moving the object keeps the heap block where it is).
struct decoded_error {
    exact_buffer body;
    error_view e;
};

decoded_error decode_error_exact(const char* spec) {
    decoded_error d{exact_buffer(wire(spec)), {}};
    REQUIRE_FALSE(decode_error(d.body.view(), d.e));
    return d;
}

response_frame_options on_stream(std::int16_t stream) {
    response_frame_options o;
    o.stream = stream;
    return o;
}

// Encodes `e` and checks the frame against the hand-written body.
void check_error_encodes(const error_view& e, const char* spec) {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_error(out, on_stream(1), e));
    auto body = wire(spec);
    CHECK(out == framed(0x84, 0, 1, opcode::error, body));
}

}  // namespace

TEST_CASE("ERROR: codes without extra fields keep code and message") {
    const char* spec = "00000000 0004 'boom'";
    auto [eb, e] = decode_error_exact(spec);
    CHECK(e.code == 0);
    CHECK(e.message == "boom");
    CHECK(std::holds_alternative<std::monostate>(e.details));
    CHECK(e.error_code() == server_errc::server_error);
    check_error_encodes(e, spec);

    CHECK(decode_error_exact("0000000A 0003 'bad'").e.error_code() == server_errc::protocol_error);
    CHECK(decode_error_exact("00000100 0006 'denied'").e.error_code() == server_errc::bad_credentials);
    CHECK(decode_error_exact("00001001 0000").e.error_code() == server_errc::overloaded);
    CHECK(decode_error_exact("00002000 0003 'syn'").e.error_code() == server_errc::syntax_error);
    CHECK(decode_error_exact("00002200 0002 'iv'").e.error_code() == server_errc::invalid);
}

TEST_CASE("ERROR: Unavailable <cl><required><alive>") {
    const char* spec = "00001000 0003 'bad' 0004 00000003 00000001";
    auto [eb, e] = decode_error_exact(spec);
    REQUIRE(std::holds_alternative<unavailable_info>(e.details));
    auto d = std::get<unavailable_info>(e.details);
    CHECK(d.consistency_level == consistency::quorum);
    CHECK(d.required == 3);
    CHECK(d.alive == 1);
    check_error_encodes(e, spec);
}

TEST_CASE("ERROR: Write_timeout <cl><received><blockfor><writeType>") {
    const char* spec = "00001100 0002 'wt' 0006 00000001 00000002 0006 'SIMPLE'";
    auto [eb, e] = decode_error_exact(spec);
    auto d = std::get<write_timeout_info>(e.details);
    CHECK(d.consistency_level == consistency::local_quorum);
    CHECK(d.received == 1);
    CHECK(d.block_for == 2);
    CHECK(d.write_type == "SIMPLE");
    check_error_encodes(e, spec);
}

TEST_CASE("ERROR: Read_timeout <cl><received><blockfor><data_present>") {
    const char* spec = "00001200 0002 'rt' 0001 00000000 00000001 00";
    auto [eb, e] = decode_error_exact(spec);
    auto d = std::get<read_timeout_info>(e.details);
    CHECK(d.consistency_level == consistency::one);
    CHECK(d.received == 0);
    CHECK(d.block_for == 1);
    CHECK_FALSE(d.data_present);
    check_error_encodes(e, spec);
    // Any non-zero byte means present.
    CHECK(std::get<read_timeout_info>(decode_error_exact("00001200 0002 'rt' 000A 00000001 00000001 02").e.details)
              .data_present);
}

TEST_CASE("ERROR: Read_failure <cl><received><blockfor><numfailures><data_present>") {
    const char* spec = "00001300 0002 'rf' 0005 00000001 00000003 00000002 01";
    auto [eb, e] = decode_error_exact(spec);
    auto d = std::get<read_failure_info>(e.details);
    CHECK(d.consistency_level == consistency::all);
    CHECK(d.received == 1);
    CHECK(d.block_for == 3);
    CHECK(d.num_failures == 2);
    CHECK(d.data_present);
    check_error_encodes(e, spec);
}

TEST_CASE("ERROR: Function_failure <keyspace><function><arg_types>") {
    const char* spec = "00001400 0002 'ff' 0002 'ks' 0002 'fn' 0002 0003 'int' 0004 'text'";
    auto [eb, e] = decode_error_exact(spec);
    auto d = std::get<function_failure_info>(e.details);
    CHECK(d.keyspace == "ks");
    CHECK(d.function == "fn");
    CHECK(d.arg_types == std::vector<std::string_view>{"int", "text"});
    check_error_encodes(e, spec);
}

TEST_CASE("ERROR: Write_failure <cl><received><blockfor><numfailures><writeType>") {
    const char* spec = "00001500 0002 'wf' 000A 00000000 00000001 00000001 0005 'BATCH'";
    auto [eb, e] = decode_error_exact(spec);
    auto d = std::get<write_failure_info>(e.details);
    CHECK(d.consistency_level == consistency::local_one);
    CHECK(d.received == 0);
    CHECK(d.block_for == 1);
    CHECK(d.num_failures == 1);
    CHECK(d.write_type == "BATCH");
    check_error_encodes(e, spec);
}

TEST_CASE("ERROR: Already_exists <ks><table> and Unprepared <id>") {
    const char* exists = "00002400 0002 'ae' 0002 'ks' 0000";
    auto [eb, e] = decode_error_exact(exists);
    auto d = std::get<already_exists_info>(e.details);
    CHECK(d.keyspace == "ks");
    CHECK(d.table.empty());
    check_error_encodes(e, exists);

    const char* unprepared = "00002500 0002 'up' 0002 1234";
    auto [ub, u] = decode_error_exact(unprepared);
    CHECK(hex_string(std::get<unprepared_info>(u.details).id) == "1234");
    CHECK(u.error_code() == server_errc::unprepared);
    check_error_encodes(u, unprepared);
}

TEST_CASE("ERROR: an unknown code keeps code and message, and trailing bytes are ignored") {
    auto [eb, e] = decode_error_exact("00007777 0002 'zz' 010203");
    CHECK(e.code == 0x7777);
    CHECK(e.message == "zz");
    CHECK(std::holds_alternative<std::monostate>(e.details));
    CHECK(e.error_code().category() == server_category());
    CHECK(e.error_code().value() == 0x7777);
}

TEST_CASE("ERROR: corruptions give specific errors") {
    error_view e;
    CHECK(decode_error(wire("00001000 0000 0042 00000001 00000001"), e) == client_errc::bad_consistency);
    CHECK(decode_error(wire("00001000 FFFF 'x'"), e) == client_errc::truncated);
    CHECK(decode_error(wire("00001400 0000 0000 0000 FFFF"), e) == client_errc::truncated);
    CHECK(decode_error(wire("00002500 0000 FFFF 00"), e) == client_errc::truncated);
}

TEST_CASE("READY, AUTHENTICATE, SUPPORTED, AUTH_CHALLENGE, AUTH_SUCCESS: both ways") {
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_ready(out, on_stream(1)));
    CHECK(out == wire("84 00 0001 02 00000000"));
    CHECK_FALSE(decode_ready({}));

    out.clear();
    REQUIRE_FALSE(encode_authenticate(out, on_stream(0), "org.apache.cassandra.auth.PasswordAuthenticator"));
    CHECK(out == wire("84 00 0000 03 00000031 002F 'org.apache.cassandra.auth.PasswordAuthenticator'"));
    std::string_view authenticator;
    exact_buffer auth_body(bytes_view(out).subspan(9));
    REQUIRE_FALSE(decode_authenticate(auth_body.view(), authenticator));
    CHECK(authenticator == "org.apache.cassandra.auth.PasswordAuthenticator");

    const std::pair<std::string_view, std::vector<std::string_view>> options[] = {
        {"CQL_VERSION", {"3.4.5"}}, {"COMPRESSION", {"snappy", "lz4"}}};
    out.clear();
    REQUIRE_FALSE(encode_supported(out, on_stream(0), options));
    const char* supported = "0002 000B 'CQL_VERSION' 0001 0005 '3.4.5' 000B 'COMPRESSION' 0002 0006 'snappy' 0003 'lz4'";
    CHECK(out == framed(0x84, 0, 0, opcode::supported, wire(supported)));
    string_multimap_view m;
    exact_buffer supported_body(wire(supported));
    REQUIRE_FALSE(decode_supported(supported_body.view(), m));
    REQUIRE(m.size() == 2);
    CHECK(m[1].first == "COMPRESSION");
    CHECK(m[1].second == std::vector<std::string_view>{"snappy", "lz4"});

    const auto token = wire("010203");
    out.clear();
    REQUIRE_FALSE(encode_auth_challenge(out, on_stream(4), raw_value::of(token)));
    CHECK(out == wire("84 00 0004 0E 00000007 00000003 010203"));
    out.clear();
    REQUIRE_FALSE(encode_auth_success(out, on_stream(4), raw_value::null()));
    CHECK(out == wire("84 00 0004 10 00000004 FFFFFFFF"));
    CHECK(encode_auth_success(out, on_stream(4), raw_value::not_set()) == client_errc::bad_value);

    raw_value t;
    exact_buffer null_token(wire("FFFFFFFF"));
    REQUIRE_FALSE(decode_auth_success(null_token.view(), t));
    CHECK(t.is_null());
    exact_buffer empty_token(wire("00000000"));
    REQUIRE_FALSE(decode_auth_success(empty_token.view(), t));
    CHECK(t.is_present());
    CHECK(t.bytes.empty());
    exact_buffer challenge(wire("00000003 010203"));
    REQUIRE_FALSE(decode_auth_challenge(challenge.view(), t));
    CHECK(hex_string(t.bytes) == "010203");
    CHECK(decode_auth_challenge(wire("00000004 010203"), t) == client_errc::truncated);
}

TEST_CASE("EVENT: topology and status changes with [inet]") {
    event_view e;
    exact_buffer topology(wire("000F 'TOPOLOGY_CHANGE' 0008 'NEW_NODE' 04 0A000001 00002352"));
    REQUIRE_FALSE(decode_event(topology.view(), e));
    CHECK(e.type == event_type::topology_change);
    CHECK(e.change == "NEW_NODE");
    CHECK(to_string(e.address.address) == "10.0.0.1");
    CHECK(e.address.port == 9042);

    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_event(out, on_stream(-1), e));
    CHECK(out == framed(0x84, 0, -1, opcode::event, wire("000F 'TOPOLOGY_CHANGE' 0008 'NEW_NODE' 04 0A000001 00002352")));

    exact_buffer status(wire("000D 'STATUS_CHANGE' 0004 'DOWN' 10 00000000000000000000000000000001 00002352"));
    REQUIRE_FALSE(decode_event(status.view(), e));
    CHECK(e.type == event_type::status_change);
    CHECK(e.change == "DOWN");
    CHECK(to_string(e.address.address) == "::1");

    CHECK(decode_event(wire("000D 'STATUS_CHANGE' 0002 'UP' 05 0102030405 00000000"), e) == client_errc::bad_value);
    CHECK(decode_event(wire("0004 'NOPE'"), e) == client_errc::unknown_event_type);
}

TEST_CASE("EVENT: schema changes for every target") {
    struct expected {
        const char* body;
        schema_change_target target;
        const char* change;
        const char* keyspace;
        const char* name;
        std::vector<std::string_view> args;
    };
    const expected cases[] = {
        {"000D 'SCHEMA_CHANGE' 0007 'CREATED' 0008 'KEYSPACE' 0002 'ks'", schema_change_target::keyspace, "CREATED",
         "ks", "", {}},
        {"000D 'SCHEMA_CHANGE' 0007 'UPDATED' 0005 'TABLE' 0002 'ks' 0001 't'", schema_change_target::table, "UPDATED",
         "ks", "t", {}},
        {"000D 'SCHEMA_CHANGE' 0007 'DROPPED' 0004 'TYPE' 0002 'ks' 0004 'addr'", schema_change_target::type, "DROPPED",
         "ks", "addr", {}},
        {"000D 'SCHEMA_CHANGE' 0007 'CREATED' 0008 'FUNCTION' 0002 'ks' 0001 'f' 0002 0003 'int' 0004 'text'",
         schema_change_target::function, "CREATED", "ks", "f", {"int", "text"}},
        {"000D 'SCHEMA_CHANGE' 0007 'DROPPED' 0009 'AGGREGATE' 0002 'ks' 0003 'agg' 0000",
         schema_change_target::aggregate, "DROPPED", "ks", "agg", {}},
    };
    for (const auto& c : cases) {
        CAPTURE(c.body);
        exact_buffer body(wire(c.body));
        event_view e;
        REQUIRE_FALSE(decode_event(body.view(), e));
        CHECK(e.type == event_type::schema_change);
        CHECK(e.schema_change.target == c.target);
        CHECK(e.schema_change.change_type == c.change);
        CHECK(e.schema_change.keyspace == c.keyspace);
        CHECK(e.schema_change.name == c.name);
        CHECK(e.schema_change.argument_types == c.args);
        std::vector<std::uint8_t> out;
        REQUIRE_FALSE(encode_event(out, on_stream(-1), e));
        CHECK(out == framed(0x84, 0, -1, opcode::event, wire(c.body)));
    }
    event_view e;
    CHECK(decode_event(wire("000D 'SCHEMA_CHANGE' 0007 'CREATED' 0005 'INDEX' 0002 'ks'"), e) == client_errc::bad_value);
}

TEST_CASE("response prefix: tracing id, warnings and custom payload, in that order") {
    const auto body = wire(CQLWIRE_UUID_1 " 0001 0004 'warn' 0001 0001 'k' 00000001 FF 00000001");
    frame_header h;
    h.version = 0x84;
    h.flags = frame_flags::tracing | frame_flags::warning | frame_flags::custom_payload;
    h.op = opcode::result;
    exact_buffer exact(body);
    response_prefix p;
    bytes_view rest;
    REQUIRE_FALSE(decode_response_prefix(h, exact.view(), p, rest));
    REQUIRE(p.tracing_id);
    CHECK(to_string(*p.tracing_id) == "01234567-89ab-cdef-1032-547698badcfe");
    REQUIRE(p.warnings);
    CHECK(*p.warnings == std::vector<std::string_view>{"warn"});
    REQUIRE(p.custom_payload);
    CHECK((*p.custom_payload)[0].first == "k");
    CHECK(hex_string(rest) == "00000001");

    // The encoders write the same prefix from response_frame_options.
    const std::string_view warnings[] = {"warn"};
    const auto ff = wire("FF");
    const bytes_map_entry payload[] = {{"k", raw_value::of(ff)}};
    response_frame_options o;
    o.stream = 2;
    o.tracing_id = *p.tracing_id;
    o.warnings = warnings;
    o.custom_payload = payload;
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_ready(out, o));
    CHECK(out == framed(0x84, 0x0E, 2, opcode::ready, wire(CQLWIRE_UUID_1 " 0001 0004 'warn' 0001 0001 'k' 00000001 FF")));

    // Only the flags that are set are read.
    h.flags = frame_flags::warning;
    exact_buffer warning_only(wire("0000 AB"));
    REQUIRE_FALSE(decode_response_prefix(h, warning_only.view(), p, rest));
    CHECK_FALSE(p.tracing_id);
    CHECK(p.warnings->empty());
    CHECK_FALSE(p.custom_payload);
    CHECK(hex_string(rest) == "ab");

    h.flags = frame_flags::tracing;
    CHECK(decode_response_prefix(h, wire("0123"), p, rest) == client_errc::truncated);
    h.flags = frame_flags::warning;
    CHECK(decode_response_prefix(h, wire("0005 0001 'a'"), p, rest) == client_errc::truncated);
}

// Writes the seed corpus of every fuzz target (corpus/<target>/) from the codec's own
// encoders, so that each seed is a well-formed message the fuzzer mutates from.
//
//     cqlwire_make_fuzz_seeds <repo>/fuzz/corpus
//
// The input layout each target expects is described at the top of its source file; the seeds
// here follow it (control bytes first where a target has them). Run after changing a wire
// format and commit what it writes.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value.hpp"

namespace proto = cqlwire::protocol;
using bytes = std::vector<std::uint8_t>;
using proto::data_type;
using proto::type_kind;
using proto::value;

namespace {

std::filesystem::path root;
int failures = 0;

void write_seed(std::string_view target, std::string_view name, const bytes& content) {
    const auto dir = root / target;
    std::filesystem::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(content.data()), static_cast<std::streamsize>(content.size()));
    if (!out) {
        std::fprintf(stderr, "cannot write %s/%s\n", std::string(target).c_str(), std::string(name).c_str());
        ++failures;
    }
}

void expect(std::error_code ec, std::string_view what) {
    if (ec) {
        std::fprintf(stderr, "encoding %s failed: %s\n", std::string(what).c_str(), ec.message().c_str());
        ++failures;
    }
}

bytes body_of(const bytes& frame) { return {frame.begin() + proto::frame_header_size, frame.end()}; }

bytes with_control(std::initializer_list<std::uint8_t> control, const bytes& rest) {
    bytes out(control);
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

bytes text(std::string_view s) { return {s.begin(), s.end()}; }

proto::response_frame_options on_stream(std::int16_t stream) {
    proto::response_frame_options options;
    options.stream = stream;
    return options;
}

proto::request_frame_options request_on_stream(std::int16_t stream) {
    proto::request_frame_options options;
    options.stream = stream;
    return options;
}

proto::uuid sample_uuid() { return *proto::parse_uuid("5d7c2e8a-4b1f-11ef-9a2b-0242ac120002"); }

// ---- value_fuzz and result_fuzz: types and values ----

struct typed_value {
    std::string name;
    data_type type;
    value v;
};

std::vector<typed_value> sample_values() {
    std::vector<typed_value> out;
    auto t = [](type_kind k) { return data_type::of(k); };
    out.push_back({"int", t(type_kind::int_), value::from(std::int32_t{-42})});
    out.push_back({"bigint", t(type_kind::bigint), value::from(std::int64_t{1} << 40)});
    out.push_back({"text", t(type_kind::varchar), value::text("héllo 'quoted'")});
    out.push_back({"ascii", t(type_kind::ascii), value::text("plain")});
    out.push_back({"blob", t(type_kind::blob), value::blob(bytes{0xCA, 0xFE, 0x00})});
    out.push_back({"boolean", t(type_kind::boolean), value::from(true)});
    out.push_back({"double", t(type_kind::double_), value::from(3.141592653589793)});
    out.push_back({"float", t(type_kind::float_), value::from(1.5f)});
    out.push_back({"uuid", t(type_kind::uuid), value::from(sample_uuid())});
    out.push_back({"inet6", t(type_kind::inet), value::from(*proto::parse_inet_address("2001:db8::1"))});
    out.push_back({"date", t(type_kind::date), value::from(proto::cql_date{19000})});
    out.push_back({"time", t(type_kind::time), value::from(proto::cql_time{45'296'123'456'789})});
    out.push_back({"timestamp", t(type_kind::timestamp), value::from(proto::cql_timestamp{1'714'979'289'123})});
    out.push_back({"duration", t(type_kind::duration), value::from(proto::cql_duration{14, 3, 14'706'007'008'009})});
    out.push_back({"decimal", t(type_kind::decimal),
                   value::from(proto::cql_decimal{5, proto::cql_varint::from_int64(-1234567)})});
    out.push_back({"varint", t(type_kind::varint), value::from(proto::cql_varint{{0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}})});
    out.push_back({"smallint", t(type_kind::smallint), value::from(std::int16_t{-300})});
    out.push_back({"tinyint", t(type_kind::tinyint), value::from(std::int8_t{7})});
    out.push_back({"list_int", data_type::list_of(t(type_kind::int_)),
                   value::list({value::from(std::int32_t{1}), value::null(), value::from(std::int32_t{3})})});
    out.push_back({"set_text", data_type::set_of(t(type_kind::varchar)), value::set({value::text("a"), value::text("b")})});
    out.push_back({"map_text_bigint", data_type::map_of(t(type_kind::varchar), t(type_kind::bigint)),
                   value::map({{value::text("k"), value::from(std::int64_t{9})}})});
    out.push_back({"tuple", data_type::tuple_of({t(type_kind::int_), t(type_kind::varchar), t(type_kind::boolean)}),
                   value::tuple({value::from(std::int32_t{5}), value::text("x"), value::null()})});
    out.push_back({"udt", data_type::udt_of("ks", "address", {"street", "zip"}, {t(type_kind::varchar), t(type_kind::int_)}),
                   value::udt({value::text("Main St"), value::from(std::int32_t{12345})})});
    out.push_back({"vector_float", data_type::vector_of(t(type_kind::float_), 3),
                   value::vector({value::from(1.0f), value::from(-2.5f), value::from(0.0f)})});
    out.push_back({"vector_text", data_type::vector_of(t(type_kind::varchar), 2),
                   value::vector({value::text("ab"), value::text("")})});
    out.push_back({"nested", data_type::map_of(t(type_kind::varchar), data_type::list_of(data_type::set_of(t(type_kind::int_)))),
                   value::map({{value::text("outer"),
                                value::list({value::set({value::from(std::int32_t{1}), value::from(std::int32_t{2})})})}})});
    return out;
}

void value_seeds() {
    for (const auto& s : sample_values()) {
        bytes encoded;
        expect(proto::encode_value(s.v, s.type, encoded), s.name);
        // Mode 0: the type as an [option], then the value.
        bytes option;
        proto::byte_writer w(option);
        proto::encode_type(w, s.type);
        bytes seed{0x00};
        seed.insert(seed.end(), option.begin(), option.end());
        seed.insert(seed.end(), encoded.begin(), encoded.end());
        write_seed("value_fuzz", "option_" + s.name, seed);
    }
    // Mode 1: a marshal class name, then the value.
    auto marshal_seed = [](std::string_view name, std::string_view class_name, const bytes& value_bytes) {
        bytes seed{0x01, static_cast<std::uint8_t>(class_name.size())};
        seed.insert(seed.end(), class_name.begin(), class_name.end());
        seed.insert(seed.end(), value_bytes.begin(), value_bytes.end());
        write_seed("value_fuzz", name, seed);
    };
    marshal_seed("marshal_vector_double",
                 "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.DoubleType, 2)",
                 bytes{0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0});
    marshal_seed("marshal_frozen_list",
                 "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.ListType("
                 "org.apache.cassandra.db.marshal.Int32Type))",
                 bytes{0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 7});
    marshal_seed("marshal_duration", "org.apache.cassandra.db.marshal.DurationType", bytes{0x02, 0x04, 0x06});
}

// ---- result_fuzz ----

void result_seeds() {
    bytes frame;
    expect(proto::encode_result_void(frame, {}), "void");
    write_seed("result_fuzz", "void", body_of(frame));
    frame.clear();
    expect(proto::encode_result_set_keyspace(frame, {}, "system"), "set_keyspace");
    write_seed("result_fuzz", "set_keyspace", body_of(frame));
    frame.clear();
    proto::schema_change_view change{"CREATED", proto::schema_change_target::function, "ks", "fn", {"int", "text"}};
    expect(proto::encode_result_schema_change(frame, {}, change), "schema_change");
    write_seed("result_fuzz", "schema_change_function", body_of(frame));

    // Rows of every sample type, one column each, two rows (the second all null).
    const auto samples = sample_values();
    proto::result_metadata metadata;
    std::vector<bytes> storage;
    for (const auto& s : samples) {
        metadata.columns.push_back({"ks", "t", s.name, s.type});
        storage.emplace_back();
        expect(proto::encode_value(s.v, s.type, storage.back()), s.name);
    }
    metadata.column_count = static_cast<std::int32_t>(metadata.columns.size());
    std::vector<proto::raw_value> cells;
    for (const auto& b : storage) cells.push_back(proto::raw_value::of(b));
    for (std::size_t i = 0; i < storage.size(); ++i) cells.push_back(proto::raw_value::null());
    frame.clear();
    expect(proto::encode_result_rows(frame, {}, metadata, cells), "rows");
    write_seed("result_fuzz", "rows_all_types", body_of(frame));

    // Global table spec, paging state, a few int/text rows.
    proto::result_metadata global;
    global.flags = proto::metadata_flags::global_tables_spec;
    global.columns = {{"system", "local", "key", data_type::of(type_kind::varchar)},
                      {"system", "local", "n", data_type::of(type_kind::int_)}};
    global.column_count = 2;
    const bytes key = text("local"), n = {0, 0, 0, 1}, empty;
    std::vector<proto::raw_value> small{proto::raw_value::of(key), proto::raw_value::of(n),
                                        proto::raw_value::of(empty), proto::raw_value::of(empty)};
    const bytes paging = {0xAB, 0xCD};
    frame.clear();
    expect(proto::encode_result_rows(frame, {}, global, small, proto::bytes_view(paging)), "rows_global");
    write_seed("result_fuzz", "rows_global_paged", body_of(frame));

    // No_metadata: cells typed by the caller.
    proto::result_metadata bare;
    bare.flags = proto::metadata_flags::no_metadata;
    bare.column_count = 2;
    const bytes int_cell = {0, 0, 0, 5};
    std::vector<proto::raw_value> bare_cells{proto::raw_value::of(int_cell), proto::raw_value::of(key)};
    frame.clear();
    expect(proto::encode_result_rows(frame, {}, bare, bare_cells), "rows_no_metadata");
    write_seed("result_fuzz", "rows_no_metadata", body_of(frame));

    proto::prepared_metadata bind;
    bind.flags = proto::metadata_flags::global_tables_spec;
    bind.partition_key_indexes = {0};
    bind.columns = {{"ks", "t", "id", data_type::of(type_kind::uuid)}};
    const bytes id = {1, 2, 3, 4, 5, 6, 7, 8};
    frame.clear();
    expect(proto::encode_result_prepared(frame, {}, id, bind, global), "prepared");
    write_seed("result_fuzz", "prepared", body_of(frame));
}

// ---- error, authenticate, supported, event, response prefix ----

void response_seeds() {
    bytes frame;
    auto error_seed = [&](std::string_view name, proto::error_view e) {
        frame.clear();
        expect(proto::encode_error(frame, {}, e), name);
        write_seed("error_fuzz", name, body_of(frame));
    };
    error_seed("unavailable", {0x1000, "Cannot achieve consistency", proto::unavailable_info{proto::consistency::quorum, 3, 1}});
    error_seed("write_timeout", {0x1100, "timeout", proto::write_timeout_info{proto::consistency::one, 0, 1, "BATCH_LOG"}});
    error_seed("read_timeout", {0x1200, "timeout", proto::read_timeout_info{proto::consistency::all, 1, 3, true}});
    error_seed("read_failure", {0x1300, "failure", proto::read_failure_info{proto::consistency::two, 1, 2, 1, false}});
    error_seed("function_failure", {0x1400, "fn failed", proto::function_failure_info{"ks", "f", {"int", "text"}}});
    error_seed("write_failure", {0x1500, "failure", proto::write_failure_info{proto::consistency::one, 0, 1, 1, "SIMPLE"}});
    error_seed("already_exists", {0x2400, "exists", proto::already_exists_info{"ks", "t"}});
    const bytes unprepared_id = {0xDE, 0xAD, 0xBE, 0xEF};
    error_seed("unprepared", {0x2500, "unprepared", proto::unprepared_info{unprepared_id}});
    error_seed("bad_credentials", {0x0100, "Provided username and/or password are incorrect", {}});
    error_seed("unknown_code", {0x7777, "from the future", {}});

    frame.clear();
    expect(proto::encode_authenticate(frame, {}, "org.apache.cassandra.auth.PasswordAuthenticator"), "authenticate");
    write_seed("authenticate_fuzz", "authenticate", with_control({0}, body_of(frame)));
    const bytes challenge = text("PLAIN-START");
    frame.clear();
    expect(proto::encode_auth_challenge(frame, {}, proto::raw_value::of(challenge)), "auth_challenge");
    write_seed("authenticate_fuzz", "auth_challenge", with_control({1}, body_of(frame)));
    frame.clear();
    expect(proto::encode_auth_success(frame, {}, proto::raw_value::null()), "auth_success");
    write_seed("authenticate_fuzz", "auth_success_null", with_control({2}, body_of(frame)));
    write_seed("authenticate_fuzz", "ready", bytes{3});

    const std::vector<std::pair<std::string_view, std::vector<std::string_view>>> supported{
        {"CQL_VERSION", {"3.4.7"}}, {"COMPRESSION", {"snappy", "lz4"}}, {"PROTOCOL_VERSIONS", {"3/v3", "4/v4", "5/v5"}}};
    frame.clear();
    expect(proto::encode_supported(frame, {}, supported), "supported");
    write_seed("supported_fuzz", "supported", body_of(frame));

    proto::event_view topology;
    topology.type = proto::event_type::topology_change;
    topology.change = "NEW_NODE";
    topology.address = {*proto::parse_inet_address("10.0.0.7"), 9042};
    frame.clear();
    expect(proto::encode_event(frame, on_stream(-1), topology), "topology event");
    write_seed("event_fuzz", "topology_change", body_of(frame));
    proto::event_view status = topology;
    status.type = proto::event_type::status_change;
    status.change = "DOWN";
    status.address = {*proto::parse_inet_address("::1"), 9042};
    frame.clear();
    expect(proto::encode_event(frame, on_stream(-1), status), "status event");
    write_seed("event_fuzz", "status_change", body_of(frame));
    proto::event_view schema;
    schema.type = proto::event_type::schema_change;
    schema.schema_change = {"UPDATED", proto::schema_change_target::table, "ks", "t", {}};
    frame.clear();
    expect(proto::encode_event(frame, on_stream(-1), schema), "schema event");
    write_seed("event_fuzz", "schema_change_table", body_of(frame));
    schema.schema_change = {"DROPPED", proto::schema_change_target::aggregate, "ks", "agg", {"int"}};
    frame.clear();
    expect(proto::encode_event(frame, on_stream(-1), schema), "schema event");
    write_seed("event_fuzz", "schema_change_aggregate", body_of(frame));

    // Response prefixes: flags byte, then the body of a READY that carries them.
    const std::vector<std::string_view> warnings{"Aggregation query used without partition key"};
    const bytes payload_value = {1, 2, 3};
    const std::vector<proto::bytes_map_entry> payload{{"key", proto::raw_value::of(payload_value)},
                                                      {"none", proto::raw_value::null()}};
    auto prefix_seed = [&](std::string_view name, const proto::response_frame_options& options) {
        frame.clear();
        expect(proto::encode_ready(frame, options), name);
        write_seed("response_prefix_fuzz", name, with_control({frame[1]}, body_of(frame)));
    };
    proto::response_frame_options options;
    options.tracing_id = sample_uuid();
    prefix_seed("tracing", options);
    options = {};
    options.warnings = warnings;
    prefix_seed("warnings", options);
    options = {};
    options.custom_payload = payload;
    prefix_seed("payload", options);
    options.tracing_id = sample_uuid();
    options.warnings = warnings;
    prefix_seed("all", options);
}

// ---- requests ----

void request_seeds() {
    bytes frame;
    // The control byte: the request's index (see request_roundtrip_fuzz.cpp), bit 3 for a payload.
    auto seed = [&](std::string_view name, std::uint8_t index) {
        const bool has_payload = (frame[1] & proto::frame_flags::custom_payload) != 0;
        const auto control = static_cast<std::uint8_t>(index | (has_payload ? 0x08 : 0x00));
        write_seed("request_roundtrip_fuzz", name, with_control({control}, body_of(frame)));
        frame.clear();
    };
    const std::vector<proto::string_map_entry> startup{{"CQL_VERSION", "3.0.0"}, {"DRIVER_NAME", "cqlwire"}};
    expect(proto::encode_startup(frame, {}, startup), "startup");
    seed("startup", 0);
    const bytes token = text(std::string_view("\0user\0pass", 10));
    expect(proto::encode_auth_response(frame, {}, proto::raw_value::of(token)), "auth_response");
    seed("auth_response", 1);

    const bytes v1 = {0, 0, 0, 1};
    const std::vector<proto::raw_value> values{proto::raw_value::of(v1), proto::raw_value::null(), proto::raw_value::not_set()};
    const std::vector<std::string_view> names{"a", "b", "c"};
    const bytes paging = {9, 9};
    proto::query_parameters full;
    full.consistency_level = proto::consistency::local_quorum;
    full.values = values;
    full.names = names;
    full.skip_metadata = true;
    full.page_size = 100;
    full.paging_state = paging;
    full.serial_consistency = proto::consistency::local_serial;
    full.default_timestamp = 1'714'979'289'123'456;
    const bytes payload_value = {7};
    const std::vector<proto::bytes_map_entry> payload{{"trace", proto::raw_value::of(payload_value)}};
    proto::request_frame_options with_payload;
    with_payload.custom_payload = payload;
    expect(proto::encode_query(frame, with_payload, "SELECT * FROM t WHERE a = :a", full), "query");
    seed("query_full_payload", 2);
    expect(proto::encode_query(frame, {}, "SELECT * FROM system.local", {}), "query");
    seed("query_plain", 2);
    expect(proto::encode_prepare(frame, {}, "INSERT INTO t (a, b) VALUES (?, ?)"), "prepare");
    seed("prepare", 3);
    proto::query_parameters positional = full;
    positional.names = {};
    const bytes id = {1, 2, 3, 4};
    expect(proto::encode_execute(frame, {}, id, positional), "execute");
    seed("execute", 4);
    const std::vector<proto::batch_statement> statements{proto::batch_statement::of_query("INSERT INTO t (a) VALUES (?)", values),
                                                         proto::batch_statement::of_prepared(id, values)};
    proto::batch_request batch{proto::batch_type::unlogged, statements, proto::consistency::quorum,
                               proto::consistency::serial, 42};
    expect(proto::encode_batch(frame, {}, batch), "batch");
    seed("batch", 5);
    const std::vector<std::string_view> events{"TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE"};
    expect(proto::encode_register(frame, {}, events), "register");
    seed("register", 6);
}

// ---- frame_decoder_fuzz ----

void frame_seeds() {
    bytes stream;
    expect(proto::encode_ready(stream, {}), "ready");
    expect(proto::encode_result_void(stream, on_stream(3)), "void");
    expect(proto::encode_error(stream, on_stream(4), {0x2200, "invalid", {}}), "error");
    // control: 3 split sizes, client side, feed(); then sizes 1, 5, 17.
    write_seed("frame_decoder_fuzz", "three_frames_feed", with_control({0x02, 0, 4, 16}, stream));
    // prepare()/commit(), one split size of 256.
    write_seed("frame_decoder_fuzz", "three_frames_prepare", with_control({0x20, 255}, stream));
    // With the tiny 64-byte limit, a 100-byte class name makes the frame too large.
    bytes big;
    expect(proto::encode_authenticate(big, {}, std::string(100, 'x')), "authenticate");
    write_seed("frame_decoder_fuzz", "too_large_for_tiny_limit", with_control({0x40, 7}, big));
    // Server side: a request stream.
    bytes requests;
    const std::vector<proto::string_map_entry> startup{{"CQL_VERSION", "3.0.0"}};
    expect(proto::encode_startup(requests, {}, startup), "startup");
    expect(proto::encode_options(requests, request_on_stream(2)), "options");
    write_seed("frame_decoder_fuzz", "server_requests", with_control({0x09, 2, 8}, requests));
    // A TLS handshake record where CQL was expected.
    write_seed("frame_decoder_fuzz", "tls_record", with_control({0x00, 0}, bytes{0x16, 0x03, 0x01, 0x02, 0x00, 0x01}));
}

// ---- marshal_type_fuzz ----

void marshal_seeds() {
    const std::vector<std::pair<std::string, std::string>> names{
        {"int", "org.apache.cassandra.db.marshal.Int32Type"},
        {"map", "org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.UTF8Type,"
                "org.apache.cassandra.db.marshal.LongType)"},
        {"vector", "org.apache.cassandra.db.marshal.VectorType(org.apache.cassandra.db.marshal.FloatType, 3)"},
        {"frozen_tuple", "org.apache.cassandra.db.marshal.FrozenType(org.apache.cassandra.db.marshal.TupleType("
                         "org.apache.cassandra.db.marshal.Int32Type,org.apache.cassandra.db.marshal.UTF8Type))"},
        {"udt", "org.apache.cassandra.db.marshal.UserType(ks,61646472657373,"
                "737472656574:org.apache.cassandra.db.marshal.UTF8Type,"
                "7a6970:org.apache.cassandra.db.marshal.Int32Type)"},
        {"reversed", "org.apache.cassandra.db.marshal.ReversedType(org.apache.cassandra.db.marshal.TimestampType)"},
        {"custom", "com.example.MyType"},
    };
    for (const auto& [name, class_name] : names) write_seed("marshal_type_fuzz", name, text(class_name));
}

// ---- cqlshrc_fuzz and startup_fuzz ----

void cqlshrc_seeds() {
    write_seed("cqlshrc_fuzz", "sections",
               text("[authentication]\nusername = admin\npassword = s3cret;with;semicolons\n\n"
                    "[connection]\nhostname = db.example.com\nport = 10350\nssl = true\n"
                    "connect_timeout = 10\nrequest_timeout = 20\n\n"
                    "[ssl]\ncertfile = /etc/ca.pem\nvalidate = true ;; inline comment\n"
                    "userkey = /etc/key.pem\nusercert = /etc/cert.pem\n\n"
                    "[certfiles]\nDB1.example.com = /etc/ca1.pem\n"));
    write_seed("cqlshrc_fuzz", "no_sections",
               text("hostname: managed.example.com\nport: 9042\nusername: u\npassword: p\nssl: 1\nunknown_key: x\n"));
    write_seed("cqlshrc_fuzz", "default_section",
               text("[DEFAULT]\nvalidate = no\n; comment\n# comment\n[ssl]\ncertfile = ca.pem\n[ui]\ncolor = on\n"));
}

bytes server_frame(proto::opcode op, std::uint8_t flags, std::int16_t stream, const bytes& body) {
    bytes out{static_cast<std::uint8_t>(op), flags, static_cast<std::uint8_t>(static_cast<std::uint16_t>(stream) >> 8),
              static_cast<std::uint8_t>(stream), static_cast<std::uint8_t>(body.size() >> 8),
              static_cast<std::uint8_t>(body.size())};
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

void startup_seeds() {
    auto body = [](auto encode) {
        bytes frame;
        expect(encode(frame), "startup reply");
        return body_of(frame);
    };
    const bytes ready = server_frame(proto::opcode::ready, 0, 0, {});
    write_seed("startup_fuzz", "ready", with_control({0}, ready));

    auto authenticate = [&](std::string_view cls) {
        return server_frame(proto::opcode::authenticate, 0, 0,
                            body([&](bytes& f) { return proto::encode_authenticate(f, {}, cls); }));
    };
    const bytes success = server_frame(proto::opcode::auth_success, 0, 0, body([](bytes& f) {
                                           return proto::encode_auth_success(f, {}, proto::raw_value::null());
                                       }));
    bytes password = authenticate("org.apache.cassandra.auth.PasswordAuthenticator");
    password.insert(password.end(), success.begin(), success.end());
    write_seed("startup_fuzz", "password_success", with_control({1}, password));

    const bytes plain_start = text("PLAIN-START");
    bytes dse = authenticate("com.datastax.bdp.cassandra.auth.DseAuthenticator");
    const bytes challenge = server_frame(proto::opcode::auth_challenge, 0, 0, body([&](bytes& f) {
                                             return proto::encode_auth_challenge(f, {}, proto::raw_value::of(plain_start));
                                         }));
    dse.insert(dse.end(), challenge.begin(), challenge.end());
    dse.insert(dse.end(), success.begin(), success.end());
    write_seed("startup_fuzz", "dse_challenge_success", with_control({1}, dse));

    bytes refused = authenticate("org.apache.cassandra.auth.PasswordAuthenticator");
    const bytes bad = server_frame(proto::opcode::error, 0, 0, body([](bytes& f) {
                                       return proto::encode_error(f, {}, {0x0100, "Provided username and/or password are incorrect", {}});
                                   }));
    refused.insert(refused.end(), bad.begin(), bad.end());
    write_seed("startup_fuzz", "bad_credentials", with_control({1}, refused));

    const bytes version = server_frame(proto::opcode::error, 0, 0, body([](bytes& f) {
                                           return proto::encode_error(
                                               f, {}, {0x000A, "Invalid or unsupported protocol version (4); supported versions are (3/v3, 5/v5)", {}});
                                       }));
    write_seed("startup_fuzz", "unsupported_version", with_control({0}, version));
    write_seed("startup_fuzz", "not_allowed_authenticator", with_control({1}, authenticate("com.example.KerberosAuthenticator")));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <fuzz/corpus folder>\n", argv[0]);
        return 2;
    }
    root = argv[1];
    frame_seeds();
    response_seeds();
    result_seeds();
    value_seeds();
    request_seeds();
    marshal_seeds();
    cqlshrc_seeds();
    startup_seeds();
    return failures == 0 ? 0 : 1;
}

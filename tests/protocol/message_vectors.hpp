// Every request and response body of the v4 specification, written by hand from the
// specification (not produced by the codec), and one function that decodes any frame body
// with the matching decoder and summarises everything it found as text. The summaries let
// tests compare decoding paths (whole, split at every offset, byte by byte) exactly.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>
#include <system_error>
#include <variant>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "wire_support.hpp"

namespace wire_test {

namespace cp = cqlwire::protocol;

struct message_vector {
    const char* name;
    bool response;
    cp::opcode op;
    std::uint8_t flags;
    const char* body;          // wire() spec
    std::size_t trailing = 0;  // bytes at the end that the decoder ignores (growth room)
};

// Shorthands for the vectors below.
#define CQLWIRE_UUID_1 "01 23 45 67 89 ab cd ef 10 32 54 76 98 ba dc fe"

inline const std::vector<message_vector>& message_vectors() {
    static const std::vector<message_vector> v = {
        // ---- requests ----
        {"STARTUP", false, cp::opcode::startup, 0, "0001 000B 'CQL_VERSION' 0005 '3.0.0'"},
        {"STARTUP with compression", false, cp::opcode::startup, 0,
         "0002 000B 'CQL_VERSION' 0005 '3.0.0' 000B 'COMPRESSION' 0003 'lz4'"},
        {"OPTIONS", false, cp::opcode::options, 0, ""},
        {"AUTH_RESPONSE", false, cp::opcode::auth_response, 0, "00000009 00 'alice' 00 'pw'"},
        {"AUTH_RESPONSE null", false, cp::opcode::auth_response, 0, "FFFFFFFF"},
        {"QUERY simple", false, cp::opcode::query, 0, "0000001A 'SELECT * FROM system.local' 0001 00"},
        {"QUERY all parameters", false, cp::opcode::query, 0,
         "00000008 'SELECT ?' 0006 3F"
         " 0003 00000004 0000002A FFFFFFFF FFFFFFFE"  // values: int 42, null, not set
         " 00001388"                                  // page size 5000
         " 00000003 010203"                           // paging state
         " 0009"                                      // serial LOCAL_SERIAL
         " 00060A24181E4000"},                        // timestamp 1700000000000000 us
        {"QUERY named values", false, cp::opcode::query, 0,
         "00000004 'Q :k' 000A 41 0002 0001 'k' 00000001 07 0001 'v' 00000000"},
        {"QUERY boundaries", false, cp::opcode::query, 0,
         "00000000 0000 24 7FFFFFFF 7FFFFFFFFFFFFFFF"},  // empty query, ANY, max page size and timestamp
        {"QUERY tracing and custom payload", false, cp::opcode::query, 0x06,
         "0001 0003 'key' 00000002 BEEF 00000001 'Q' 0004 00"},
        {"PREPARE", false, cp::opcode::prepare, 0, "00000008 'SELECT ?'"},
        {"EXECUTE", false, cp::opcode::execute, 0, "0004 CAFEBABE 0004 05 0001 00000004 00000001 00000064"},
        {"EXECUTE skip metadata paging null state", false, cp::opcode::execute, 0,
         "0000 0001 0E 00000001 FFFFFFFF"},
        {"BATCH", false, cp::opcode::batch, 0,
         "01 0002"
         " 00 00000002 'Q1' 0001 00000001 05"
         " 01 0002 ABCD 0000"
         " 0004 30 0008 0000000000000007"},
        {"BATCH counter empty", false, cp::opcode::batch, 0, "02 0000 0001 00"},
        {"REGISTER", false, cp::opcode::register_, 0,
         "0003 000F 'TOPOLOGY_CHANGE' 000D 'STATUS_CHANGE' 000D 'SCHEMA_CHANGE'"},

        // ---- responses: ERROR for every code of §9 ----
        {"ERROR server error", true, cp::opcode::error, 0, "00000000 0004 'boom'"},
        {"ERROR protocol error", true, cp::opcode::error, 0, "0000000A 0003 'bad'"},
        {"ERROR bad credentials", true, cp::opcode::error, 0, "00000100 0006 'denied'"},
        {"ERROR unavailable", true, cp::opcode::error, 0, "00001000 0003 'bad' 0004 00000003 00000001"},
        {"ERROR overloaded", true, cp::opcode::error, 0, "00001001 0000"},
        {"ERROR is bootstrapping", true, cp::opcode::error, 0, "00001002 0000"},
        {"ERROR truncate error", true, cp::opcode::error, 0, "00001003 0000"},
        {"ERROR write timeout", true, cp::opcode::error, 0,
         "00001100 0002 'wt' 0006 00000001 00000002 0006 'SIMPLE'"},
        {"ERROR read timeout", true, cp::opcode::error, 0, "00001200 0002 'rt' 0001 00000000 00000001 00"},
        {"ERROR read timeout data present", true, cp::opcode::error, 0,
         "00001200 0002 'rt' 000A 00000001 00000001 02"},
        {"ERROR read failure", true, cp::opcode::error, 0,
         "00001300 0002 'rf' 0005 00000001 00000003 00000002 01"},
        {"ERROR function failure", true, cp::opcode::error, 0,
         "00001400 0002 'ff' 0002 'ks' 0002 'fn' 0002 0003 'int' 0004 'text'"},
        {"ERROR write failure", true, cp::opcode::error, 0,
         "00001500 0002 'wf' 000A 00000000 00000001 00000001 0005 'BATCH'"},
        {"ERROR syntax error", true, cp::opcode::error, 0, "00002000 0003 'syn'"},
        {"ERROR unauthorized", true, cp::opcode::error, 0, "00002100 0002 'no'"},
        {"ERROR invalid", true, cp::opcode::error, 0, "00002200 0002 'iv'"},
        {"ERROR config error", true, cp::opcode::error, 0, "00002300 0002 'cf'"},
        {"ERROR already exists", true, cp::opcode::error, 0, "00002400 0002 'ae' 0002 'ks' 0000"},
        {"ERROR unprepared", true, cp::opcode::error, 0, "00002500 0002 'up' 0002 1234"},
        {"ERROR unknown code with growth", true, cp::opcode::error, 0, "00007777 0002 'zz' 010203", 3},

        // ---- responses: the others ----
        {"READY", true, cp::opcode::ready, 0, ""},
        {"AUTHENTICATE", true, cp::opcode::authenticate, 0, "002F 'org.apache.cassandra.auth.PasswordAuthenticator'"},
        {"SUPPORTED", true, cp::opcode::supported, 0,
         "0002 000B 'CQL_VERSION' 0001 0005 '3.4.5' 000B 'COMPRESSION' 0002 0006 'snappy' 0003 'lz4'"},
        {"AUTH_CHALLENGE", true, cp::opcode::auth_challenge, 0, "00000003 010203"},
        {"AUTH_CHALLENGE null", true, cp::opcode::auth_challenge, 0, "FFFFFFFF"},
        {"AUTH_SUCCESS null", true, cp::opcode::auth_success, 0, "FFFFFFFF"},
        {"AUTH_SUCCESS empty", true, cp::opcode::auth_success, 0, "00000000"},
        {"EVENT topology change", true, cp::opcode::event, 0,
         "000F 'TOPOLOGY_CHANGE' 0008 'NEW_NODE' 04 0A000001 00002352"},
        {"EVENT status change ipv6", true, cp::opcode::event, 0,
         "000D 'STATUS_CHANGE' 0004 'DOWN' 10 00000000000000000000000000000001 00002352"},
        {"EVENT schema keyspace", true, cp::opcode::event, 0,
         "000D 'SCHEMA_CHANGE' 0007 'CREATED' 0008 'KEYSPACE' 0002 'ks'"},
        {"EVENT schema table", true, cp::opcode::event, 0,
         "000D 'SCHEMA_CHANGE' 0007 'UPDATED' 0005 'TABLE' 0002 'ks' 0001 't'"},
        {"EVENT schema type", true, cp::opcode::event, 0,
         "000D 'SCHEMA_CHANGE' 0007 'DROPPED' 0004 'TYPE' 0002 'ks' 0004 'addr'"},
        {"EVENT schema function", true, cp::opcode::event, 0,
         "000D 'SCHEMA_CHANGE' 0007 'CREATED' 0008 'FUNCTION' 0002 'ks' 0001 'f' 0002 0003 'int' 0004 'text'"},
        {"EVENT schema aggregate", true, cp::opcode::event, 0,
         "000D 'SCHEMA_CHANGE' 0007 'DROPPED' 0009 'AGGREGATE' 0002 'ks' 0003 'agg' 0000"},

        // ---- responses: RESULT ----
        {"RESULT void", true, cp::opcode::result, 0, "00000001"},
        {"RESULT set keyspace", true, cp::opcode::result, 0, "00000003 0006 'system'"},
        {"RESULT schema change", true, cp::opcode::result, 0,
         "00000005 0007 'CREATED' 0005 'TABLE' 0002 'ks' 0001 't'"},
        {"RESULT rows global spec", true, cp::opcode::result, 0,
         "00000002 00000001 00000002 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 000D"
         " 00000002"
         " 00000004 00000001 00000001 'a'"
         " 00000004 00000002 FFFFFFFF"},
        {"RESULT rows paged", true, cp::opcode::result, 0,
         "00000002 00000002 00000001 00000002 AABB 0002 'ks' 0001 't' 0001 'l' 0020 0009"
         " 00000001 00000000"},
        {"RESULT rows no metadata", true, cp::opcode::result, 0,
         "00000002 00000004 00000003 00000001"
         " 00000004 00000007 00000001 'x' 00000008 000000000000002A"},
        {"RESULT rows complex types", true, cp::opcode::result, 0,
         "00000002 00000001 00000004 0002 'ks' 0001 't'"
         " 0001 'm' 0021 000D 0009"
         " 0001 'u' 0030 0002 'ks' 0004 'addr' 0001 0003 'zip' 0009"
         " 0001 'p' 0031 0002 0009 000D"
         " 0001 'd' 0000 002C 'org.apache.cassandra.db.marshal.DurationType'"
         " 00000000"},
        {"RESULT prepared", true, cp::opcode::result, 0,
         "00000004 0002 ABCD"
         " 00000001 00000002 00000001 0000 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 000D"
         " 00000001 00000001 0002 'ks' 0001 't' 0001 'v' 000D"},
        {"RESULT prepared no result metadata", true, cp::opcode::result, 0,
         "00000004 0001 01"
         " 00000000 00000001 00000000 0002 'ks' 0001 't' 0001 'x' 0002"
         " 00000004 00000000"},

        // ---- the response prefix (§2.2): tracing, warnings, custom payload, in that order ----
        {"RESULT void with tracing, warning and payload", true, cp::opcode::result, 0x0E,
         CQLWIRE_UUID_1 " 0001 0004 'warn' 0001 0001 'k' 00000001 FF 00000001"},
        {"READY with warning only", true, cp::opcode::ready, 0x08, "0002 0001 'a' 0000"},
    };
    return v;
}

// ---- Summaries ----
// Built by appending pieces (never with chains of std::string operator+, which GCC 12 at -O2
// mistakes for overlapping copies and warns about).

inline void add(std::string& out, std::initializer_list<std::string_view> parts) {
    for (auto p : parts) out.append(p);
}
inline std::string num(long long v) { return std::to_string(v); }

inline std::string str(std::string_view s) {
    std::string out;
    add(out, {"\"", s, "\""});
    return out;
}
inline std::string str(const cp::raw_value& v) {
    if (v.is_null()) return "null";
    if (v.is_not_set()) return "unset";
    std::string out = "0x";
    out.append(hex_string(v.bytes));
    return out;
}
inline std::string str(const std::vector<std::string_view>& list) {
    std::string out = "[";
    for (auto x : list) add(out, {str(x), ","});
    out.append("]");
    return out;
}
inline std::string str(const cp::bytes_map_view& m) {
    std::string out = "{";
    for (const auto& [k, v] : m) add(out, {str(k), ":", str(v), ","});
    out.append("}");
    return out;
}
inline std::string str(const cp::query_parameters_view& p) {
    std::string out;
    add(out, {"cl=", num(static_cast<int>(p.consistency_level)), " flags=", num(p.flags), " values=["});
    for (std::size_t i = 0; i < p.values.size(); ++i) {
        if (!p.names.empty()) add(out, {str(p.names[i]), "="});
        add(out, {str(p.values[i]), ","});
    }
    add(out, {"] skip=", num(p.skip_metadata)});
    if (p.page_size) add(out, {" page=", num(*p.page_size)});
    if (p.paging_state) add(out, {" state=", str(*p.paging_state)});
    if (p.serial_consistency) add(out, {" serial=", num(static_cast<int>(*p.serial_consistency))});
    if (p.default_timestamp) add(out, {" ts=", num(*p.default_timestamp)});
    return out;
}
inline std::string str(const std::vector<cp::column_spec>& cols) {
    std::string out;
    for (const auto& c : cols) add(out, {c.keyspace, ".", c.table, ".", c.name, ":", cp::cql_type_name(c.type), ","});
    return out;
}
inline std::string str(const cp::schema_change_view& c) {
    std::string out;
    add(out, {str(c.change_type), " ", cp::to_string(c.target), " ", str(c.keyspace), " ", str(c.name), " ",
              str(c.argument_types)});
    return out;
}
inline std::string str(const cp::inet_endpoint& e) {
    std::string out;
    add(out, {cp::to_string(e.address), ":", num(e.port)});
    return out;
}

inline void add_error_details(std::string& out, const cp::error_details& details) {
    std::visit(
        [&out](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, cp::unavailable_info>)
                add(out, {" ", num(static_cast<int>(d.consistency_level)), "/", num(d.required), "/", num(d.alive)});
            else if constexpr (std::is_same_v<T, cp::write_timeout_info>)
                add(out, {" ", num(d.received), "/", num(d.block_for), str(d.write_type)});
            else if constexpr (std::is_same_v<T, cp::read_timeout_info>)
                add(out, {" ", num(d.received), "/", num(d.block_for), "/", num(d.data_present)});
            else if constexpr (std::is_same_v<T, cp::read_failure_info>)
                add(out, {" ", num(d.num_failures), "/", num(d.data_present)});
            else if constexpr (std::is_same_v<T, cp::function_failure_info>)
                add(out, {" ", str(d.keyspace), str(d.function), str(d.arg_types)});
            else if constexpr (std::is_same_v<T, cp::write_failure_info>)
                add(out, {" ", num(d.num_failures), str(d.write_type)});
            else if constexpr (std::is_same_v<T, cp::already_exists_info>)
                add(out, {" ", str(d.keyspace), str(d.table)});
            else if constexpr (std::is_same_v<T, cp::unprepared_info>)
                add(out, {" ", hex_string(d.id)});
        },
        details);
}

// Decodes a frame body with the decoder its opcode calls for and summarises the result.
inline std::error_code decode_any(const cp::frame_header& h, bytes_view body, std::string& out) {
    out.clear();
    bytes_view rest;
    if (h.is_response()) {
        cp::response_prefix prefix;
        if (auto ec = cp::decode_response_prefix(h, body, prefix, rest)) return ec;
        if (prefix.tracing_id) add(out, {"trace=", cp::to_string(*prefix.tracing_id), " "});
        if (prefix.warnings) add(out, {"warnings=", str(*prefix.warnings), " "});
        if (prefix.custom_payload) add(out, {"payload=", str(*prefix.custom_payload), " "});
    } else {
        cp::request_prefix prefix;
        if (auto ec = cp::decode_request_prefix(h, body, prefix, rest)) return ec;
        if (prefix.custom_payload) add(out, {"payload=", str(*prefix.custom_payload), " "});
    }
    std::error_code ec;
    switch (h.op) {
    case cp::opcode::startup: {
        cp::string_map_view m;
        ec = cp::decode_startup(rest, m);
        for (const auto& [k, v] : m) add(out, {str(k), "=", str(v), " "});
        break;
    }
    case cp::opcode::options: out.append("options"); break;
    case cp::opcode::auth_response: {
        cp::raw_value t;
        ec = cp::decode_auth_response(rest, t);
        add(out, {"token=", str(t)});
        break;
    }
    case cp::opcode::query: {
        cp::query_view q;
        ec = cp::decode_query(rest, q);
        add(out, {str(q.query), " ", str(q.parameters)});
        break;
    }
    case cp::opcode::prepare: {
        std::string_view q;
        ec = cp::decode_prepare(rest, q);
        out.append(str(q));
        break;
    }
    case cp::opcode::execute: {
        cp::execute_view e;
        ec = cp::decode_execute(rest, e);
        add(out, {"id=", hex_string(e.prepared_id), " ", str(e.parameters)});
        break;
    }
    case cp::opcode::batch: {
        cp::batch_view b;
        ec = cp::decode_batch(rest, b);
        add(out, {"type=", num(static_cast<int>(b.type))});
        for (const auto& s : b.statements) {
            add(out, {" [", num(static_cast<int>(s.statement_kind)), " ", str(s.query), " ", hex_string(s.prepared_id)});
            for (const auto& v : s.values) add(out, {" ", str(v)});
            out.append("]");
        }
        add(out, {" cl=", num(static_cast<int>(b.consistency_level)), " flags=", num(b.flags)});
        if (b.serial_consistency) add(out, {" serial=", num(static_cast<int>(*b.serial_consistency))});
        if (b.default_timestamp) add(out, {" ts=", num(*b.default_timestamp)});
        break;
    }
    case cp::opcode::register_: {
        std::vector<std::string_view> types;
        ec = cp::decode_register(rest, types);
        out.append(str(types));
        break;
    }
    case cp::opcode::error: {
        cp::error_view e;
        ec = cp::decode_error(rest, e);
        add(out, {"code=", num(e.code), " ", str(e.message), " details=", num(static_cast<long long>(e.details.index()))});
        add_error_details(out, e.details);
        break;
    }
    case cp::opcode::ready:
        ec = cp::decode_ready(rest);
        out.append("ready");
        break;
    case cp::opcode::authenticate: {
        std::string_view c;
        ec = cp::decode_authenticate(rest, c);
        out.append(str(c));
        break;
    }
    case cp::opcode::supported: {
        cp::string_multimap_view m;
        ec = cp::decode_supported(rest, m);
        for (const auto& [k, v] : m) add(out, {str(k), "=", str(v), " "});
        break;
    }
    case cp::opcode::auth_challenge:
    case cp::opcode::auth_success: {
        cp::raw_value t;
        ec = h.op == cp::opcode::auth_challenge ? cp::decode_auth_challenge(rest, t) : cp::decode_auth_success(rest, t);
        add(out, {"token=", str(t)});
        break;
    }
    case cp::opcode::event: {
        cp::event_view e;
        ec = cp::decode_event(rest, e);
        add(out, {cp::to_string(e.type), " ", str(e.change), " "});
        out.append(e.type == cp::event_type::schema_change ? str(e.schema_change) : str(e.address));
        break;
    }
    case cp::opcode::result: {
        cp::result_view r;
        ec = cp::decode_result(rest, r);
        if (ec) break;
        add(out, {cp::to_string(r.kind), " "});
        switch (r.kind) {
        case cp::result_kind::void_: break;
        case cp::result_kind::set_keyspace: out.append(str(r.keyspace)); break;
        case cp::result_kind::schema_change: out.append(str(r.schema_change)); break;
        case cp::result_kind::prepared:
            add(out, {"id=", hex_string(r.prepared.id), " flags=", num(r.prepared.metadata.flags), " pk="});
            for (auto i : r.prepared.metadata.partition_key_indexes) add(out, {num(i), ","});
            add(out, {" binds=", str(r.prepared.metadata.columns), " result_flags=", num(r.prepared.rows_metadata.flags),
                      " result_count=", num(r.prepared.rows_metadata.column_count),
                      " results=", str(r.prepared.rows_metadata.columns)});
            break;
        case cp::result_kind::rows:
            add(out, {"flags=", num(r.metadata.flags), " columns=", num(static_cast<long long>(r.rows.column_count())),
                      " ", str(r.metadata.columns), " more=", num(r.rows.has_more_pages()),
                      " state=", str(r.rows.paging_state()), " rows=", num(static_cast<long long>(r.rows.size())), ":"});
            for (const auto& row : r.rows) {
                out.append(" (");
                for (std::size_t i = 0; i < row.size(); ++i)
                    add(out, {cp::cql_type_name(row[i].type()), " ", str(row[i].raw()), ","});
                out.append(")");
            }
            break;
        }
        break;
    }
    }
    return ec;
}

// The frame header a vector travels in.
inline cp::frame_header header_for(const message_vector& v, std::uint32_t length) {
    cp::frame_header h;
    h.version = v.response ? 0x84 : 0x04;
    h.flags = v.flags;
    h.stream = v.response ? 7 : 3;
    h.op = v.op;
    h.length = length;
    return h;
}

}  // namespace wire_test

// Fuzzes the request decoders and encoders together: STARTUP, AUTH_RESPONSE, QUERY, PREPARE,
// EXECUTE, BATCH and REGISTER.
//
// Input: byte 0 picks the request (low three bits modulo 7, in that order) and, with bit 3, sets
// the custom payload flag; the rest is the body (custom payload first when flagged). Whatever
// decodes must encode again and decode to the same fields. Two things a decoder accepts cannot
// be encoded by design and are skipped: a negative default timestamp (the encoders refuse it,
// as the specification does) and a null paging state (encoders take the state as bytes).
#include <algorithm>
#include <vector>

#include "cqlwire/protocol/requests.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

namespace {

bool same_raw(const proto::raw_value& a, const proto::raw_value& b) {
    return a.state == b.state && std::equal(a.bytes.begin(), a.bytes.end(), b.bytes.begin(), b.bytes.end());
}

bool same_raws(const std::vector<proto::raw_value>& a, const std::vector<proto::raw_value>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), same_raw);
}

bool same_bytes(proto::bytes_view a, proto::bytes_view b) { return std::equal(a.begin(), a.end(), b.begin(), b.end()); }

bool same_payload(const proto::bytes_map_view& a, const proto::bytes_map_view& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto& x, const auto& y) { return x.first == y.first && same_raw(x.second, y.second); });
}

// Can these decoded parameters be encoded at all? (See the file comment.)
bool encodable(const proto::query_parameters_view& p) {
    if (p.default_timestamp && *p.default_timestamp < 0) return false;
    if (p.paging_state && !p.paging_state->is_present()) return false;
    return true;
}

proto::query_parameters to_parameters(const proto::query_parameters_view& p) {
    proto::query_parameters out;
    out.consistency_level = p.consistency_level;
    out.values = p.values;
    if (p.flags & proto::query_flags::with_names_for_values) out.names = p.names;
    out.skip_metadata = p.skip_metadata;
    out.page_size = p.page_size;
    if (p.paging_state) out.paging_state = p.paging_state->bytes;
    out.serial_consistency = p.serial_consistency;
    out.default_timestamp = p.default_timestamp;
    return out;
}

void check_same_parameters(const proto::query_parameters_view& a, const proto::query_parameters_view& b) {
    FUZZ_CHECK(a.consistency_level == b.consistency_level);
    FUZZ_CHECK(same_raws(a.values, b.values));
    FUZZ_CHECK(a.names == b.names);
    FUZZ_CHECK(a.skip_metadata == b.skip_metadata);
    FUZZ_CHECK(a.page_size == b.page_size);
    FUZZ_CHECK(a.paging_state.has_value() == b.paging_state.has_value());
    if (a.paging_state) FUZZ_CHECK(same_raw(*a.paging_state, *b.paging_state));
    FUZZ_CHECK(a.serial_consistency == b.serial_consistency);
    FUZZ_CHECK(a.default_timestamp == b.default_timestamp);
}

enum class request { startup, auth_response, query, prepare, execute, batch, register_ };

// Splits an encoded frame into its header and, after the custom payload, its message body.
proto::bytes_view message_of(const std::vector<std::uint8_t>& frame, proto::opcode op, proto::request_prefix& prefix) {
    proto::frame_header header;
    FUZZ_CHECK(!proto::decode_frame_header(frame, header));
    FUZZ_CHECK(header.op == op && header.version == proto::protocol_v4);
    FUZZ_CHECK(header.length == frame.size() - proto::frame_header_size);
    proto::bytes_view rest;
    FUZZ_CHECK(!proto::decode_request_prefix(header, proto::bytes_view(frame).subspan(proto::frame_header_size), prefix,
                                             rest));
    return rest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const std::uint8_t control = in.byte();
    const auto which = static_cast<request>((control & 0x07u) % 7);
    proto::frame_header header;
    header.version = proto::protocol_v4;
    if (control & 0x08u) header.flags = proto::frame_flags::custom_payload;
    const auto body = in.rest();
    header.length = static_cast<std::uint32_t>(body.size());

    proto::request_prefix prefix;
    proto::bytes_view message;
    if (proto::decode_request_prefix(header, body, prefix, message)) return 0;
    FUZZ_CHECK(prefix.custom_payload.has_value() == ((control & 0x08u) != 0));

    std::vector<proto::bytes_map_entry> payload;
    proto::request_frame_options frame_options;
    frame_options.stream = 1;
    if (prefix.custom_payload) {
        payload.assign(prefix.custom_payload->begin(), prefix.custom_payload->end());
        frame_options.custom_payload = std::span<const proto::bytes_map_entry>(payload);
    }

    std::vector<std::uint8_t> frame;
    proto::request_prefix again_prefix;
    switch (which) {
    case request::startup: {
        proto::string_map_view options;
        if (proto::decode_startup(message, options)) return 0;
        FUZZ_CHECK(!proto::encode_startup(frame, frame_options, options));
        proto::string_map_view again;
        FUZZ_CHECK(!proto::decode_startup(message_of(frame, proto::opcode::startup, again_prefix), again));
        FUZZ_CHECK(again == options);
        break;
    }
    case request::auth_response: {
        proto::raw_value token;
        if (proto::decode_auth_response(message, token)) return 0;
        FUZZ_CHECK(!proto::encode_auth_response(frame, frame_options, token));
        proto::raw_value again;
        FUZZ_CHECK(!proto::decode_auth_response(message_of(frame, proto::opcode::auth_response, again_prefix), again));
        FUZZ_CHECK(same_raw(again, token));
        break;
    }
    case request::query: {
        proto::query_view query;
        if (proto::decode_query(message, query)) return 0;
        if (!encodable(query.parameters)) return 0;
        FUZZ_CHECK(!proto::encode_query(frame, frame_options, query.query, to_parameters(query.parameters)));
        proto::query_view again;
        FUZZ_CHECK(!proto::decode_query(message_of(frame, proto::opcode::query, again_prefix), again));
        FUZZ_CHECK(again.query == query.query);
        check_same_parameters(query.parameters, again.parameters);
        break;
    }
    case request::prepare: {
        std::string_view query;
        if (proto::decode_prepare(message, query)) return 0;
        FUZZ_CHECK(!proto::encode_prepare(frame, frame_options, query));
        std::string_view again;
        FUZZ_CHECK(!proto::decode_prepare(message_of(frame, proto::opcode::prepare, again_prefix), again));
        FUZZ_CHECK(again == query);
        break;
    }
    case request::execute: {
        proto::execute_view execute;
        if (proto::decode_execute(message, execute)) return 0;
        if (!encodable(execute.parameters)) return 0;
        FUZZ_CHECK(!proto::encode_execute(frame, frame_options, execute.prepared_id, to_parameters(execute.parameters)));
        proto::execute_view again;
        FUZZ_CHECK(!proto::decode_execute(message_of(frame, proto::opcode::execute, again_prefix), again));
        FUZZ_CHECK(same_bytes(again.prepared_id, execute.prepared_id));
        check_same_parameters(execute.parameters, again.parameters);
        break;
    }
    case request::batch: {
        proto::batch_view batch;
        if (proto::decode_batch(message, batch)) return 0;
        if (batch.default_timestamp && *batch.default_timestamp < 0) return 0;
        std::vector<proto::batch_statement> statements;
        for (const auto& s : batch.statements) {
            statements.push_back(s.statement_kind == proto::batch_statement::kind::query
                                     ? proto::batch_statement::of_query(s.query, s.values)
                                     : proto::batch_statement::of_prepared(s.prepared_id, s.values));
        }
        proto::batch_request request{batch.type, statements, batch.consistency_level, batch.serial_consistency,
                                     batch.default_timestamp};
        FUZZ_CHECK(!proto::encode_batch(frame, frame_options, request));
        proto::batch_view again;
        FUZZ_CHECK(!proto::decode_batch(message_of(frame, proto::opcode::batch, again_prefix), again));
        FUZZ_CHECK(again.type == batch.type);
        FUZZ_CHECK(again.consistency_level == batch.consistency_level);
        FUZZ_CHECK(again.serial_consistency == batch.serial_consistency);
        FUZZ_CHECK(again.default_timestamp == batch.default_timestamp);
        FUZZ_CHECK(again.statements.size() == batch.statements.size());
        for (std::size_t i = 0; i < batch.statements.size(); ++i) {
            FUZZ_CHECK(again.statements[i].statement_kind == batch.statements[i].statement_kind);
            FUZZ_CHECK(again.statements[i].query == batch.statements[i].query);
            FUZZ_CHECK(same_bytes(again.statements[i].prepared_id, batch.statements[i].prepared_id));
            FUZZ_CHECK(same_raws(again.statements[i].values, batch.statements[i].values));
        }
        break;
    }
    case request::register_: {
        std::vector<std::string_view> events;
        if (proto::decode_register(message, events)) return 0;
        FUZZ_CHECK(!proto::encode_register(frame, frame_options, events));
        std::vector<std::string_view> again;
        FUZZ_CHECK(!proto::decode_register(message_of(frame, proto::opcode::register_, again_prefix), again));
        FUZZ_CHECK(again == events);
        break;
    }
    }
    FUZZ_CHECK(again_prefix.custom_payload.has_value() == prefix.custom_payload.has_value());
    if (prefix.custom_payload) FUZZ_CHECK(same_payload(*again_prefix.custom_payload, *prefix.custom_payload));
    return 0;
}

#include "cqlwire/protocol/server/encode_responses.hpp"

#include <type_traits>
#include <variant>

#include "response_frame.hpp"

namespace cqlwire::protocol {
namespace {

std::error_code encode_token(std::vector<std::uint8_t>& out, const response_frame_options& frame, opcode op,
                             raw_value token) {
    if (token.is_not_set()) return make_error_code(client_errc::bad_value);  // [bytes] has no "not set"
    auto b = detail::begin_response(out, frame, op);
    b.writer().write_value(token);
    return b.finish();
}

}  // namespace

std::error_code encode_error(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                             const error_view& error) {
    auto b = detail::begin_response(out, frame, opcode::error);
    auto& w = b.writer();
    w.write_int(error.code);
    w.write_string(error.message);
    std::visit(
        [&w](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, unavailable_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.required);
                w.write_int(d.alive);
            } else if constexpr (std::is_same_v<T, write_timeout_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_string(d.write_type);
            } else if constexpr (std::is_same_v<T, read_timeout_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_byte(d.data_present ? 1 : 0);
            } else if constexpr (std::is_same_v<T, read_failure_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_int(d.num_failures);
                w.write_byte(d.data_present ? 1 : 0);
            } else if constexpr (std::is_same_v<T, function_failure_info>) {
                w.write_string(d.keyspace);
                w.write_string(d.function);
                w.write_string_list(d.arg_types);
            } else if constexpr (std::is_same_v<T, write_failure_info>) {
                w.write_consistency(d.consistency_level);
                w.write_int(d.received);
                w.write_int(d.block_for);
                w.write_int(d.num_failures);
                w.write_string(d.write_type);
            } else if constexpr (std::is_same_v<T, already_exists_info>) {
                w.write_string(d.keyspace);
                w.write_string(d.table);
            } else if constexpr (std::is_same_v<T, unprepared_info>) {
                w.write_short_bytes(d.id);
            }
        },
        error.details);
    return b.finish();
}

std::error_code encode_ready(std::vector<std::uint8_t>& out, const response_frame_options& frame) {
    auto b = detail::begin_response(out, frame, opcode::ready);
    return b.finish();
}

std::error_code encode_authenticate(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                    std::string_view authenticator_class) {
    auto b = detail::begin_response(out, frame, opcode::authenticate);
    b.writer().write_string(authenticator_class);
    return b.finish();
}

std::error_code encode_supported(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                 std::span<const std::pair<std::string_view, std::vector<std::string_view>>> options) {
    auto b = detail::begin_response(out, frame, opcode::supported);
    b.writer().write_string_multimap(options);
    return b.finish();
}

std::error_code encode_auth_challenge(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                      raw_value token) {
    return encode_token(out, frame, opcode::auth_challenge, token);
}

std::error_code encode_auth_success(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                    raw_value token) {
    return encode_token(out, frame, opcode::auth_success, token);
}

void encode_schema_change(byte_writer& w, const schema_change_view& change) {
    w.write_string(change.change_type);
    w.write_string(to_string(change.target));
    w.write_string(change.keyspace);
    if (change.target == schema_change_target::keyspace) return;
    w.write_string(change.name);
    if (change.target == schema_change_target::table || change.target == schema_change_target::type) return;
    w.write_string_list(change.argument_types);
}

std::error_code encode_event(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                             const event_view& event) {
    auto b = detail::begin_response(out, frame, opcode::event);
    auto& w = b.writer();
    w.write_string(to_string(event.type));
    if (event.type == event_type::schema_change) {
        encode_schema_change(w, event.schema_change);
    } else {
        w.write_string(event.change);
        w.write_inet(event.address);
    }
    return b.finish();
}

}  // namespace cqlwire::protocol

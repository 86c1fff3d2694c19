#include "cqlwire/protocol/frame_header.hpp"

#include "cqlwire/protocol/errc.hpp"

namespace cqlwire::protocol {

bool is_known_opcode(std::uint8_t v) noexcept { return v <= 0x10 && v != 0x04; }

bool is_request_opcode(opcode op) noexcept {
    switch (op) {
    case opcode::startup:
    case opcode::options:
    case opcode::query:
    case opcode::prepare:
    case opcode::execute:
    case opcode::register_:
    case opcode::batch:
    case opcode::auth_response: return true;
    default: return false;
    }
}

std::string_view to_string(opcode op) noexcept {
    switch (op) {
    case opcode::error: return "ERROR";
    case opcode::startup: return "STARTUP";
    case opcode::ready: return "READY";
    case opcode::authenticate: return "AUTHENTICATE";
    case opcode::options: return "OPTIONS";
    case opcode::supported: return "SUPPORTED";
    case opcode::query: return "QUERY";
    case opcode::result: return "RESULT";
    case opcode::prepare: return "PREPARE";
    case opcode::execute: return "EXECUTE";
    case opcode::register_: return "REGISTER";
    case opcode::event: return "EVENT";
    case opcode::batch: return "BATCH";
    case opcode::auth_challenge: return "AUTH_CHALLENGE";
    case opcode::auth_response: return "AUTH_RESPONSE";
    case opcode::auth_success: return "AUTH_SUCCESS";
    }
    return "UNKNOWN";
}

std::error_code decode_frame_header(bytes_view bytes, frame_header& out, std::uint32_t max_body_length) noexcept {
    if (bytes.size() < frame_header_size) return make_error_code(client_errc::truncated);
    if (!is_known_opcode(bytes[4])) return make_error_code(client_errc::unknown_opcode);
    std::uint32_t length = static_cast<std::uint32_t>(bytes[5]) << 24 | static_cast<std::uint32_t>(bytes[6]) << 16 |
                           static_cast<std::uint32_t>(bytes[7]) << 8 | bytes[8];
    if (length > 0x7FFFFFFFu) return make_error_code(client_errc::length_out_of_range);
    if (length > max_body_length) return make_error_code(client_errc::frame_too_large);
    out.version = bytes[0];
    out.flags = bytes[1];
    out.stream = static_cast<std::int16_t>(static_cast<std::uint16_t>(bytes[2] << 8 | bytes[3]));
    out.op = static_cast<opcode>(bytes[4]);
    out.length = length;
    return {};
}

void encode_frame_header(const frame_header& h, std::array<std::uint8_t, frame_header_size>& out) noexcept {
    auto stream = static_cast<std::uint16_t>(h.stream);
    out[0] = h.version;
    out[1] = h.flags;
    out[2] = static_cast<std::uint8_t>(stream >> 8);
    out[3] = static_cast<std::uint8_t>(stream);
    out[4] = static_cast<std::uint8_t>(h.op);
    out[5] = static_cast<std::uint8_t>(h.length >> 24);
    out[6] = static_cast<std::uint8_t>(h.length >> 16);
    out[7] = static_cast<std::uint8_t>(h.length >> 8);
    out[8] = static_cast<std::uint8_t>(h.length);
}

}  // namespace cqlwire::protocol

// Internal to the codec: starts a response frame (version 0x84) and writes its prefix
// (tracing id, warnings, custom payload — the order of §2.2), with the matching flags.
#pragma once

#include "cqlwire/protocol/server/encode_responses.hpp"
#include "../frame_builder.hpp"

namespace cqlwire::protocol::detail {

inline frame_builder begin_response(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                    opcode op) {
    std::uint8_t flags = 0;
    if (frame.tracing_id) flags |= frame_flags::tracing;
    if (frame.warnings) flags |= frame_flags::warning;
    if (frame.custom_payload) flags |= frame_flags::custom_payload;
    frame_builder b(out, protocol_v4 | response_direction_bit, flags, frame.stream, op);
    if (frame.tracing_id) b.writer().write_uuid(*frame.tracing_id);
    if (frame.warnings) b.writer().write_string_list(*frame.warnings);
    if (frame.custom_payload) b.writer().write_bytes_map(*frame.custom_payload);
    return b;
}

}  // namespace cqlwire::protocol::detail

// Fuzzes decode_response_prefix: the tracing id, warnings and custom payload before a response
// body (§2.2).
//
// Input: byte 0 is the header's flags byte (tracing 0x02, custom payload 0x04, warning 0x08 and
// whatever else); the rest is the body. Invariants: each part is present exactly when its flag
// is; the rest handed back is the body's tail; and the prefix re-encoded (through an encoder that
// writes one) decodes to the same parts.
#include <algorithm>
#include <vector>

#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

namespace {

bool same_payload(const proto::bytes_map_view& a, const proto::bytes_map_view& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (a[i].first != b[i].first || a[i].second.state != b[i].second.state) return false;
        if (!std::equal(a[i].second.bytes.begin(), a[i].second.bytes.end(), b[i].second.bytes.begin(),
                        b[i].second.bytes.end()))
            return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    proto::frame_header header;
    header.version = proto::protocol_v4 | proto::response_direction_bit;
    header.flags = in.byte();
    header.op = proto::opcode::ready;
    const auto body = in.rest();
    header.length = static_cast<std::uint32_t>(body.size());

    proto::response_prefix prefix;
    proto::bytes_view rest;
    if (proto::decode_response_prefix(header, body, prefix, rest)) return 0;
    FUZZ_CHECK(prefix.tracing_id.has_value() == header.has_flag(proto::frame_flags::tracing));
    FUZZ_CHECK(prefix.warnings.has_value() == header.has_flag(proto::frame_flags::warning));
    FUZZ_CHECK(prefix.custom_payload.has_value() == header.has_flag(proto::frame_flags::custom_payload));
    FUZZ_CHECK(rest.size() <= body.size());
    FUZZ_CHECK(rest.data() + rest.size() == body.data() + body.size());

    // Re-encode the prefix in front of an empty READY body.
    proto::response_frame_options options;
    options.tracing_id = prefix.tracing_id;
    std::vector<proto::bytes_map_entry> payload;
    if (prefix.warnings) options.warnings = std::span<const std::string_view>(*prefix.warnings);
    if (prefix.custom_payload) {
        payload.assign(prefix.custom_payload->begin(), prefix.custom_payload->end());
        options.custom_payload = std::span<const proto::bytes_map_entry>(payload);
    }
    std::vector<std::uint8_t> frame;
    FUZZ_CHECK(!proto::encode_ready(frame, options));
    proto::frame_header again_header;
    FUZZ_CHECK(!proto::decode_frame_header(frame, again_header));
    const std::uint8_t prefix_flags =
        proto::frame_flags::tracing | proto::frame_flags::warning | proto::frame_flags::custom_payload;
    FUZZ_CHECK((again_header.flags & prefix_flags) == (header.flags & prefix_flags));
    proto::response_prefix again;
    proto::bytes_view again_rest;
    FUZZ_CHECK(!proto::decode_response_prefix(again_header, proto::bytes_view(frame).subspan(proto::frame_header_size),
                                              again, again_rest));
    FUZZ_CHECK(again_rest.empty());
    FUZZ_CHECK(again.tracing_id == prefix.tracing_id);
    FUZZ_CHECK(again.warnings == prefix.warnings);
    FUZZ_CHECK(again.custom_payload.has_value() == prefix.custom_payload.has_value());
    if (prefix.custom_payload) FUZZ_CHECK(same_payload(*again.custom_payload, *prefix.custom_payload));
    return 0;
}

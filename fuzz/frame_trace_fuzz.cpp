// Fuzzes frame_tracer: byte 0 picks the format (bits 0-1) and the sender (bit 2); then the input
// is a run of frames, each a 9-byte header followed by as much body as remains up to its length
// (the length field is kept as received, so the tracer also sees bodies shorter than announced).
// One tracer traces them all, so its memory of PREPAREs and prepared ids is exercised. Every
// trace must end in a newline, JSON lines must be one line each, and the secret marker planted
// in AUTH_RESPONSE tokens and PASSWORD literals never appears in the output.
#include <string>
#include <string_view>

#include "cqlwire/protocol/frame_trace.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const std::uint8_t control = in.byte();
    proto::frame_trace_options options;
    options.format = static_cast<proto::trace_format>((control & 0x03) % 3);
    options.max_rows = 3;
    options.max_text = 64;
    options.sensitive_value_names = {"secret"};
    proto::frame_tracer tracer(options);
    std::string out;
    while (in.remaining() >= proto::frame_header_size) {
        const auto header_bytes = in.take(proto::frame_header_size);
        proto::frame_header h;
        h.version = header_bytes[0];
        h.flags = header_bytes[1];
        h.stream = static_cast<std::int16_t>(header_bytes[2] << 8 | header_bytes[3]);
        if (!proto::is_known_opcode(header_bytes[4])) return 0;
        h.op = static_cast<proto::opcode>(header_bytes[4]);
        h.length = static_cast<std::uint32_t>(header_bytes[5]) << 24 | static_cast<std::uint32_t>(header_bytes[6]) << 16 |
                   static_cast<std::uint32_t>(header_bytes[7]) << 8 | header_bytes[8];
        const auto body = in.take(h.length);
        out.clear();
        const auto sender = (control & 0x04) ? proto::frame_sender::server : proto::frame_sender::client;
        tracer.append({std::nullopt, sender, h, body}, out);
        FUZZ_CHECK(!out.empty() && out.back() == '\n');
        if (options.format != proto::trace_format::hex) FUZZ_CHECK(out.find('\n') == out.size() - 1);
        if (h.op == proto::opcode::auth_response && !h.is_response())
            FUZZ_CHECK(out.find("Sup3rSecret") == std::string::npos);
        // A QUERY that sets a password: the literal must not show. Only when it is the one
        // occurrence in the body: the same text elsewhere (another literal, a bound value, a
        // value's name) is not the password, and is rightly shown.
        const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
        const auto first = text.find("Sup3rSecret");
        if (h.op == proto::opcode::query && h.flags == 0 && text.size() > 4 &&
            text.substr(4).starts_with("CREATE ROLE r WITH PASSWORD = 'Sup3rSecret'") &&
            text.find("Sup3rSecret", first + 1) == std::string_view::npos)
            FUZZ_CHECK(out.find("Sup3rSecret") == std::string::npos);
    }
    return 0;
}

// Fuzzes frame_tracer: byte 0 picks the format (bits 0-1) and the sender (bit 2); then the input
// is a run of frames, each a 9-byte header followed by as much body as remains up to its length
// (the length field is kept as received, so the tracer also sees bodies shorter than announced).
// One tracer traces them all, so its memory of PREPAREs, prepared ids and password values is
// exercised. Every trace must end in a newline, JSON lines must be one line each, and the secret
// marker planted in AUTH_RESPONSE tokens and PASSWORD literals never appears in the output; once
// a QUERY has set the password, no response may show it either, wherever it echoes it.
#include <cctype>
#include <string>
#include <string_view>

#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;
namespace insp = cqlwire::inspect;

namespace {

constexpr std::string_view secret = "Sup3rSecret";
constexpr std::string_view planting_statement = "CREATE ROLE r WITH PASSWORD = 'Sup3rSecret'";

// Whether a request frame is a QUERY (no flags) that sets the password `secret`, its literal
// ending right after it (a doubled quote would make the password longer).
bool plants_secret(const proto::frame_header& h, proto::bytes_view body) {
    if (h.is_response() || h.op != proto::opcode::query || h.flags != 0) return false;
    proto::request_prefix prefix;
    proto::bytes_view message;
    proto::query_view q;
    if (proto::decode_request_prefix(h, body, prefix, message) || proto::decode_query(message, q)) return false;
    return q.query.starts_with(planting_statement) && !q.query.substr(planting_statement.size()).starts_with("'");
}

// The frame bytes a hex dump shows (the lines after the summary line), a masked byte ("**") as
// NUL. Read by column: the ASCII column is not a rendering to trust for this.
std::string dumped_bytes(std::string_view trace) {
    std::string out;
    std::size_t at = trace.find('\n');
    while (at != std::string_view::npos && at + 1 < trace.size()) {
        const std::size_t end = trace.find('\n', at + 1);
        const auto line = trace.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
        for (std::size_t i = 0; i < 16; ++i) {
            const std::size_t pos = 8 + 3 * i + (i >= 8 ? 1 : 0);
            if (pos + 2 > line.size()) break;
            const auto token = line.substr(pos, 2);
            if (token == "**") {
                out += '\0';
            } else if (std::isxdigit(static_cast<unsigned char>(token[0])) &&
                       std::isxdigit(static_cast<unsigned char>(token[1]))) {
                out += static_cast<char>(std::stoi(std::string(token), nullptr, 16));
            } else {
                break;
            }
        }
        at = end;
    }
    return out;
}

// Whether a response's trace shows `secret`: in its line, or among the body bytes its hex dump
// shows. (The dump's ASCII column starts with the header's bytes, whose length field may
// supply the first letters of the marker: only the body's bytes count.)
bool shows_secret(std::string_view trace, insp::trace_format format) {
    if (format != insp::trace_format::hex) return trace.find(secret) != std::string_view::npos;
    if (trace.substr(0, trace.find('\n')).find(secret) != std::string_view::npos) return true;
    const auto bytes = dumped_bytes(trace);
    return bytes.size() > proto::frame_header_size &&
           std::string_view(bytes).substr(proto::frame_header_size).find(secret) != std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const std::uint8_t control = in.byte();
    insp::frame_trace_options options;
    options.format = static_cast<insp::trace_format>((control & 0x03) % 3);
    options.max_rows = 3;
    options.max_text = 64;
    options.sensitive_value_names = {"secret"};
    insp::frame_tracer tracer(options);
    // The tracer remembers the 4096 most recent password values (1 MiB): an input must be
    // smaller than 4096 literals of at least 11 bytes (PASSWORD'x') to be sure it did not push
    // the planted one out.
    const bool memory_holds = size < 4096 * 11;
    bool planted = false;
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
        const auto sender = (control & 0x04) ? insp::frame_sender::server : insp::frame_sender::client;
        tracer.append({std::nullopt, sender, h, body}, out);
        FUZZ_CHECK(!out.empty() && out.back() == '\n');
        if (options.format != insp::trace_format::hex) FUZZ_CHECK(out.find('\n') == out.size() - 1);
        if (h.op == proto::opcode::auth_response && !h.is_response()) FUZZ_CHECK(out.find(secret) == std::string::npos);
        // A QUERY that sets a password: the literal must not show. Only when it is the one
        // occurrence in the body: the same text elsewhere (another literal, a bound value, a
        // value's name) is not the password, and is rightly shown.
        const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
        const auto first = text.find(secret);
        if (h.op == proto::opcode::query && h.flags == 0 && text.size() > 4 &&
            text.substr(4).starts_with(planting_statement) && text.find(secret, first + 1) == std::string_view::npos)
            FUZZ_CHECK(out.find(secret) == std::string::npos);
        if (planted && memory_holds && h.is_response()) FUZZ_CHECK(!shows_secret(out, options.format));
        planted = planted || plants_secret(h, body);
    }
    return 0;
}

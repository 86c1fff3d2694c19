#include "frame_trace_writer.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::inspect {
// The writer reads every part of the codec; its names are used unqualified here.
using namespace cqlwire::protocol;
namespace {

// The frames of the SASL exchange: their bodies carry tokens.
bool is_login_opcode(opcode op) noexcept {
    return op == opcode::auth_response || op == opcode::auth_challenge || op == opcode::auth_success;
}

std::string flag_names(std::uint8_t flags) {
    std::string out;
    auto add = [&](std::uint8_t bit, std::string_view name) {
        if ((flags & bit) == 0) return;
        if (!out.empty()) out += '|';
        out += name;
    };
    add(frame_flags::compression, "COMPRESSED");
    add(frame_flags::tracing, "TRACING");
    add(frame_flags::custom_payload, "CUSTOM_PAYLOAD");
    add(frame_flags::warning, "WARNING");
    add(frame_flags::use_beta, "USE_BETA");
    if (flags & 0xE0) {
        if (!out.empty()) out += '|';
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", flags & 0xE0);
        out += buf;
    }
    return out.empty() ? std::string("-") : out;
}

}  // namespace

void frame_trace_writer::write() {
    const auto& h = frame_.header;
    const bool compressed = h.has_flag(frame_flags::compression);
    if (json_) {
        out_ += '{';
        out_ += "\"time\":";
        out_ += frame_.time_us ? epoch_seconds(*frame_.time_us) : std::string("null");
        out_ += ",\"sender\":\"";
        out_.append(to_string(frame_.sender));
        out_ += "\",\"version\":" + std::to_string(h.protocol_version());
        out_ += ",\"stream\":" + std::to_string(h.stream);
        out_ += ",\"opcode\":\"";
        out_.append(to_string(h.op));
        out_ += "\",\"flags\":" + std::to_string(h.flags);
        out_ += ",\"length\":" + std::to_string(h.length);
    } else {
        out_ += frame_.time_us ? time_of_day(*frame_.time_us) : std::string("-");
        out_ += frame_.sender == frame_sender::client ? " C>S" : " S>C";
        out_ += " v" + std::to_string(h.protocol_version());
        out_ += " stream=" + std::to_string(h.stream);
        out_ += ' ';
        out_.append(to_string(h.op));
        out_ += " flags=" + flag_names(h.flags);
        out_ += " length=" + std::to_string(h.length);
    }
    if (frame_.body.size() != h.length) {
        number("body_bytes", static_cast<std::int64_t>(frame_.body.size()));
    }
    // Also in a compressed body: compression leaves short runs of bytes as they are.
    if (h.is_response() && !is_login_opcode(h.op)) star_echoed_passwords();
    if (compressed) {
        word("body", "compressed (not decoded)");
    } else if (is_login_opcode(h.op)) {
        login(frame_.body);
    } else if (h.is_response()) {
        response(decoded_);
    } else {
        request(frame_.body);
    }
    if (json_) out_ += '}';
    out_ += '\n';
    // A login frame's body is never shown, whatever it holds or however it is broken: the token
    // may sit anywhere a malformed prefix moves it to. Nor is a request's that could not be
    // decoded: where its query text and bound values are, and so what to mask, is unknown.
    const bool unknown_request = !h.is_response() && (compressed || undecodable_);
    if (is_login_opcode(h.op) || unknown_request) mask(frame_.body.data(), frame_.body.size());
    if (o_.format == trace_format::hex) hex_dump();
}

// Only numbers leave a login frame: the flags' prefixes are counted, not shown (a custom payload
// key or a warning could carry the secret as well as the token can), and the token is reduced to
// its length.
void frame_trace_writer::login(bytes_view full) {
    const auto& h = frame_.header;
    bytes_view body;
    raw_value t;
    std::error_code ec;
    if (h.is_response()) {
        response_prefix prefix;
        ec = decode_response_prefix(h, full, prefix, body);
        if (!ec) {
            if (prefix.warnings) number("warnings_withheld", static_cast<std::int64_t>(prefix.warnings->size()));
            if (prefix.custom_payload)
                number("custom_payload_withheld", static_cast<std::int64_t>(prefix.custom_payload->size()));
            if (h.op == opcode::auth_response) return text("unexpected", "a request opcode in a response frame");
            ec = h.op == opcode::auth_challenge ? decode_auth_challenge(body, t) : decode_auth_success(body, t);
        }
    } else {
        request_prefix prefix;
        ec = decode_request_prefix(h, full, prefix, body);
        if (!ec) {
            if (prefix.custom_payload)
                number("custom_payload_withheld", static_cast<std::int64_t>(prefix.custom_payload->size()));
            if (h.op != opcode::auth_response) return text("unexpected", "a response opcode in a request frame");
            ec = decode_auth_response(body, t);
        }
    }
    if (ec) return undecodable(ec);
    if (t.is_null()) {
        key("token");
        out_ += "null";  // bare in both forms: JSON's null
        return;
    }
    word("token", "<" + std::to_string(t.bytes.size()) + " bytes withheld>");
}

void frame_trace_writer::hex_dump() {
    // The header and body as on the wire, 16 bytes a line, masked bytes as "**".
    std::array<std::uint8_t, frame_header_size> header{};
    encode_frame_header(frame_.header, header);
    const std::size_t total = header.size() + frame_.body.size();
    auto byte_at = [&](std::size_t i) { return i < header.size() ? header[i] : frame_.body[i - header.size()]; };
    std::vector<bool> masked_body(frame_.body.size(), false);
    for (const auto& r : masked_)
        std::fill_n(masked_body.begin() + static_cast<std::ptrdiff_t>(r.first), r.size, true);
    auto is_masked = [&](std::size_t i) { return i >= header.size() && masked_body[i - header.size()]; };
    for (std::size_t line = 0; line < total; line += 16) {
        char offset[32];
        std::snprintf(offset, sizeof offset, "  %04zx  ", line);
        out_ += offset;
        std::string ascii;
        for (std::size_t i = line; i < line + 16; ++i) {
            if (i == line + 8) out_ += ' ';
            if (i >= total) {
                out_ += "   ";
                continue;
            }
            if (is_masked(i)) {
                out_ += "** ";
                ascii += '*';
                continue;
            }
            const auto b = byte_at(i);
            append_hex_byte(out_, b);
            out_ += ' ';
            ascii += (b >= 0x20 && b < 0x7F) ? static_cast<char>(b) : '.';
        }
        out_ += ' ';
        out_ += ascii;
        out_ += '\n';
    }
}

}  // namespace cqlwire::inspect

#include "cqlwire/transport/peer_bytes.hpp"

#include <algorithm>
#include <cstdio>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/tls_diagnosis.hpp"

namespace cqlwire::transport {
namespace {

constexpr std::size_t max_examined = 128;
constexpr std::size_t max_status_line = 80;

bool starts_with(protocol::bytes_view bytes, std::string_view prefix) {
    if (bytes.size() < prefix.size()) return false;
    return std::equal(prefix.begin(), prefix.end(), bytes.begin(),
                      [](char c, std::uint8_t b) { return static_cast<std::uint8_t>(c) == b; });
}

std::string hex_byte(std::uint8_t b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%02x", b);
    return buf;
}

}  // namespace

peer_bytes_identity identify_peer_bytes(protocol::bytes_view bytes) {
    peer_bytes_identity id;
    if (bytes.size() > max_examined) bytes = bytes.first(max_examined);
    if (bytes.empty()) return id;

    // An HTTP/1.x status line, or the bare HTML page an HTTP server sends to a request line it
    // cannot parse (HTTP/0.9 style, no status line: Python's http.server does this).
    if (starts_with(bytes, "HTTP/") || starts_with(bytes, "<!DOCTYPE") || starts_with(bytes, "<!doctype") ||
        starts_with(bytes, "<html") || starts_with(bytes, "<HTML")) {
        id.kind = peer_bytes_kind::http;
        for (std::uint8_t b : bytes) {
            if (b == '\r' || b == '\n' || id.http_status_line.size() >= max_status_line) break;
            id.http_status_line.push_back(b >= 0x20 && b < 0x7F ? static_cast<char>(b) : '?');
        }
        return id;
    }

    const std::uint8_t first = bytes[0];
    // TLS record header: type (20 change_cipher_spec, 21 alert, 22 handshake, 23 application
    // data), then the major version 3. A single byte is judged by its type alone.
    if (first >= 20 && first <= 23 && (bytes.size() < 2 || bytes[1] == 0x03)) {
        id.kind = peer_bytes_kind::tls_record;
        id.tls_content_type = first;
        // An alert record: 5-byte header, then level and description.
        if (first == 21 && bytes.size() >= 7) id.tls_alert = bytes[6];
        return id;
    }

    // A CQL response header: direction bit, a version the specifications define (1 to 6), and
    // (when it has arrived) an opcode byte that v4 knows.
    if ((first & protocol::response_direction_bit) != 0) {
        const int version = first & 0x7F;
        if (version >= 1 && version <= 6 && (bytes.size() < 5 || protocol::is_known_opcode(bytes[4]))) {
            id.kind = peer_bytes_kind::cql_frame;
            id.cql_version = version;
            if (bytes.size() >= 5) id.cql_opcode = bytes[4];
            return id;
        }
    }
    id.kind = peer_bytes_kind::unknown;
    return id;
}

std::optional<std::string_view> protocol_error_message(protocol::bytes_view bytes) {
    protocol::frame_header header;
    if (bytes.size() < protocol::frame_header_size || protocol::decode_frame_header(bytes, header)) return std::nullopt;
    // Flags would put a tracing id, warnings or a payload before the message: not expected here.
    if (!header.is_response() || header.op != protocol::opcode::error || header.flags != 0) return std::nullopt;
    const auto rest = bytes.subspan(protocol::frame_header_size);
    if (header.length > rest.size()) return std::nullopt;
    protocol::error_view error;
    if (protocol::decode_error(rest.first(header.length), error)) return std::nullopt;
    constexpr std::int32_t protocol_error_code = 0x000A;
    if (error.code != protocol_error_code) return std::nullopt;
    return error.message;
}

std::string describe_peer_bytes(const peer_bytes_identity& id, protocol::bytes_view bytes) {
    switch (id.kind) {
    case peer_bytes_kind::none: return "nothing (the connection closed without a byte)";
    case peer_bytes_kind::cql_frame: {
        std::string m = "a CQL server (protocol v" + std::to_string(id.cql_version);
        if (id.cql_opcode >= 0)
            m += " " + std::string(protocol::to_string(static_cast<protocol::opcode>(id.cql_opcode))) + " frame";
        else
            m += " frame";
        return m + ")";
    }
    case peer_bytes_kind::tls_record: {
        std::string m = "a TLS endpoint (";
        switch (id.tls_content_type) {
        case 21: m += "alert record"; break;
        case 22: m += "handshake record"; break;
        case 23: m += "application data record"; break;
        default: m += "change_cipher_spec record"; break;
        }
        if (id.tls_alert >= 0) m += ": " + tls_alert_name(id.tls_alert);
        return m + ")";
    }
    case peer_bytes_kind::http: return "an HTTP server (\"" + id.http_status_line + "\")";
    case peer_bytes_kind::unknown: break;
    }
    return "bytes of no known protocol (first byte " + hex_byte(bytes.empty() ? 0 : bytes[0]) + ")";
}

}  // namespace cqlwire::transport

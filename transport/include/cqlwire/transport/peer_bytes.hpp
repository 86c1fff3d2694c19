// Naming the protocol a peer answered with, from the first bytes it sent: a CQL frame, a TLS
// record, an HTTP reply, or something else. Used when the answer is not what was expected —
// TLS where a CQL frame should be ("the server expects TLS"), CQL or nothing where a TLS
// handshake should be ("the port is plaintext"), an HTTP status line ("an HTTP server
// answered") — so that the message names what is on the other end instead of "bad version".
//
// Pure functions of the bytes: no I/O. The bytes are untrusted; anything quoted from them in a
// description is limited to printable ASCII and a bounded length.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

enum class peer_bytes_kind : std::uint8_t {
    none,       // no byte at all
    cql_frame,  // a CQL response frame header (direction bit set, version 1..6, a known opcode)
    tls_record, // a TLS record: content type 20..23, then major version 3
    http,       // an HTTP/1.x or HTTP/2 reply ("HTTP/")
    unknown,    // anything else
};

struct CQLWIRE_TRANSPORT_API peer_bytes_identity {
    peer_bytes_kind kind = peer_bytes_kind::none;
    // For cql_frame: the protocol version of the frame (its first byte without the direction
    // bit) and its opcode byte.
    int cql_version = 0;
    int cql_opcode = -1;
    // For tls_record: the record's content type (21 alert, 22 handshake...) and, for an alert
    // record with its two body bytes present, the alert's description number.
    int tls_content_type = 0;
    int tls_alert = -1;
    // For http: the status line, printable ASCII only, at most 80 characters.
    std::string http_status_line;
};

// Identifies `bytes`, the first bytes a peer sent. Reads at most the first 128 bytes.
CQLWIRE_TRANSPORT_API peer_bytes_identity identify_peer_bytes(protocol::bytes_view bytes);

// One phrase naming what answered, for messages: "a CQL server (protocol v4 ERROR frame)",
// "a TLS endpoint (alert record: protocol_version (70))", "an HTTP server (\"HTTP/1.1 400 Bad
// Request\")", "bytes of no known protocol (first byte 0x41)", "nothing (the connection closed
// without a byte)".
CQLWIRE_TRANSPORT_API std::string describe_peer_bytes(const peer_bytes_identity& identity, protocol::bytes_view bytes);

// When `bytes` begin with a whole CQL ERROR response frame, of any protocol version, whose
// code is the protocol error (0x000A): its message, a view into `bytes` (untrusted text, e.g.
// "Invalid or unsupported protocol version (2); supported versions are (3/v3, 4/v4, 5/v5)").
// A server answers a version it does not speak that way, in a version of its choosing.
CQLWIRE_TRANSPORT_API std::optional<std::string_view> protocol_error_message(protocol::bytes_view bytes);

}  // namespace cqlwire::transport

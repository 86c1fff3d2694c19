// Reading captured CQL traffic back into frames, for `cqlwire decode`: raw byte files, hex
// dumps, and pcap / pcapng captures of plaintext CQL over TCP. Bytes in, frames out; no I/O.
//
// Inputs understood:
//   raw     frames back to back, one direction (given, or inferred from the first frame's
//           version byte: 0x04 is a request, so the client sent it; 0x84 the server).
//   hex     text: plain hex digits (whitespace ignored), xxd lines ("00000010: 8400 0001 ..."),
//           tshark -x / Wireshark hex dumps ("0010  84 00 00 01 ...  ascii"). A dump whose
//           bytes do not start a CQL frame is read as packets instead: blocks starting at offset
//           0 (as tshark -x prints them), each an Ethernet, Linux cooked, loopback or raw IP
//           packet (hex_dump.hpp reads the dump).
//   pcap / pcapng   link types Ethernet (1, VLAN tags skipped), BSD loopback NULL (0) and LOOP
//           (108), raw IP (101), Linux cooked SLL (113) and SLL2 (276); IPv4 (unfragmented) and
//           IPv6 (with the common extension headers); TCP.
//
// TCP reassembly, per direction of each connection (keyed by its address/port 4-tuple):
// segments are placed by sequence number, so out-of-order segments wait for the gap to fill
// and retransmitted or overlapping bytes are taken once (the first copy wins). Which side is
// the client: the side whose peer port is the server port (capture_options::server_ports),
// else the side that sent the first byte of a request (version byte 0x04 / 0x03).
// A direction that stops making sense as CQL (a bad header) is reported in a note and dropped.
//
// Limits: bodies above capture_options::max_body_length end that direction; out-of-order data
// waiting for a gap is capped (max_pending_bytes per direction); every length in the file is
// checked against what remains before use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/inspect/export.hpp"

namespace cqlwire::inspect {

enum class capture_kind : std::uint8_t { raw, hex, pcap, pcapng };
CQLWIRE_INSPECT_API std::string_view to_string(capture_kind k) noexcept;

// pcap / pcapng by their magic numbers; hex when every byte is printable text made of hex
// digits, offsets and dump columns; raw otherwise.
capture_kind detect_capture_kind(protocol::bytes_view data) noexcept;

struct CQLWIRE_INSPECT_API capture_options {
    // Forces the kind instead of detecting it.
    std::optional<capture_kind> kind;
    // Raw input (and hex dumps of CQL bytes): who sent the bytes. Empty: from the version byte.
    std::optional<frame_sender> raw_sender;
    // TCP ports that identify the server side of a connection.
    std::vector<std::uint16_t> server_ports{9042, 19042, 19043};
    std::uint32_t max_body_length = protocol::max_frame_body_length;
    std::size_t max_pending_bytes = 64u * 1024u * 1024u;
};

struct CQLWIRE_INSPECT_API captured_frame {
    std::optional<std::int64_t> time_us;  // of the packet that completed the frame
    frame_sender sender = frame_sender::client;
    protocol::frame_header header;
    std::vector<std::uint8_t> body;
    // "10.0.0.1:50412 -> 10.0.0.2:9042" for packet captures (client first); empty for raw.
    std::string connection;
};

struct CQLWIRE_INSPECT_API capture_result {
    capture_kind kind = capture_kind::raw;
    std::vector<captured_frame> frames;  // in the order their last byte was captured
    // Things worth saying that did not stop the reading: bytes left mid-frame at the end, a
    // direction that stopped being CQL, packets skipped (fragments, other protocols).
    std::vector<std::string> notes;
    std::size_t packets = 0;  // packets read (pcap, pcapng, hex packets)
};

// Reads a whole capture. Fails (client_errc::truncated / bad_value, with `message`) only when
// the container itself is broken before any packet could be read, e.g. a pcap header that is
// cut short; damage later on ends the reading with a note and keeps what was found.
[[nodiscard]] std::error_code read_capture(protocol::bytes_view data, const capture_options& options,
                                           capture_result& out, std::string& message);

}  // namespace cqlwire::inspect

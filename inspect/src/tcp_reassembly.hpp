// TCP reassembly for capture reading: each direction of each connection (keyed by its
// address/port 4-tuple) is put back in sequence order — out-of-order segments wait for the gap
// to fill (bounded by capture_options::max_pending_bytes), retransmitted or overlapping bytes
// are taken once — and cut into frames (frame_stream.hpp). Which side is the client: the side
// whose peer port is a server port, else the side that opened the connection or sent a request.
#pragma once

#include <vector>

#include "capture_packet.hpp"
#include "cqlwire/inspect/capture.hpp"

namespace cqlwire::inspect {

// The CQL frames of the TCP connections in `packets`, appended to out.frames in the order their
// last byte was captured; what could not be decoded is said in out.notes.
void read_packets(const std::vector<packet>& packets, const capture_options& options, capture_result& out);

}  // namespace cqlwire::inspect

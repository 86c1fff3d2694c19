#include "tcp_reassembly.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "frame_stream.hpp"
#include "packet_layers.hpp"

namespace cqlwire::inspect {
using protocol::bytes_view;
namespace {

// One direction of a TCP connection: bytes placed by sequence number.
struct tcp_direction {
    bool started = false;
    std::uint32_t next = 0;  // sequence number of the next byte expected
    std::map<std::uint32_t, std::vector<std::uint8_t>> pending;  // out of order, by sequence number
    std::size_t pending_bytes = 0;
    frame_splitter splitter;
    bool gave_up = false;
};

struct tcp_connection {
    endpoint client;  // decided at the first segment
    endpoint server;
    bool roles_known = false;
    tcp_direction from_client;
    tcp_direction from_server;
    std::string name;
};

class reassembler {
public:
    reassembler(const capture_options& options, capture_result& out) : options_(options), out_(out) {}

    void add(const tcp_segment& s, std::optional<std::int64_t> time) {
        const bool forward = s.source < s.destination;
        const auto key = forward ? std::make_pair(s.source, s.destination) : std::make_pair(s.destination, s.source);
        auto& c = connections_[key];
        if (!c.roles_known) {
            if (!decide_roles(c, s)) return;  // nothing to decide by yet (e.g. a bare ACK)
        }
        const bool from_client = s.source == c.client;
        auto& d = from_client ? c.from_client : c.from_server;
        const auto sender = from_client ? frame_sender::client : frame_sender::server;
        if (s.syn) {
            if (d.started && d.splitter.buffered() > 0) note_leftover(c, d, sender);
            d = tcp_direction{};
            d.started = true;
            d.next = s.seq + 1;
            return;  // a SYN carries no payload in ordinary captures
        }
        if (s.payload.empty()) return;
        if (!d.started) {
            d.started = true;
            d.next = s.seq;
        }
        if (d.gave_up) return;
        place(c, d, sender, s.seq, s.payload, time);
    }

    void finish() {
        for (auto& [key, c] : connections_) {
            for (auto* d : {&c.from_client, &c.from_server}) {
                const auto sender = d == &c.from_client ? frame_sender::client : frame_sender::server;
                if (d->pending_bytes > 0 && !d->gave_up)
                    out_.notes.push_back(c.name + ": " + std::to_string(d->pending_bytes) + " bytes from the " +
                                         std::string(to_string(sender)) +
                                         " wait behind a gap (segments missing from the capture)");
                if (d->splitter.buffered() > 0) note_leftover(c, *d, sender);
            }
        }
    }

private:
    bool decide_roles(tcp_connection& c, const tcp_segment& s) {
        auto is_server_port = [&](std::uint16_t p) {
            return std::find(options_.server_ports.begin(), options_.server_ports.end(), p) !=
                   options_.server_ports.end();
        };
        if (is_server_port(s.destination.port) && !is_server_port(s.source.port)) {
            c.client = s.source, c.server = s.destination;
        } else if (is_server_port(s.source.port) && !is_server_port(s.destination.port)) {
            c.client = s.destination, c.server = s.source;
        } else if (s.syn) {
            // The side that opens the connection is the client (a SYN without ACK).
            c.client = s.source, c.server = s.destination;
        } else if (!s.payload.empty() && is_request_version(s.payload[0])) {
            c.client = s.source, c.server = s.destination;
        } else if (!s.payload.empty() && is_response_version(s.payload[0])) {
            c.client = s.destination, c.server = s.source;
        } else {
            return false;
        }
        c.roles_known = true;
        c.name = c.client.text() + " -> " + c.server.text();
        return true;
    }

    void place(tcp_connection& c, tcp_direction& d, frame_sender sender, std::uint32_t seq, bytes_view payload,
               std::optional<std::int64_t> time) {
        const auto ahead = static_cast<std::int32_t>(seq - d.next);
        if (ahead > 0) {
            // Out of order: keep it until the gap fills (the longest copy at one position wins).
            if (d.pending_bytes + payload.size() > options_.max_pending_bytes) {
                d.gave_up = true;
                out_.notes.push_back(c.name + ": more than " + std::to_string(options_.max_pending_bytes) +
                                     " bytes from the " + std::string(to_string(sender)) +
                                     " wait behind a gap; the rest of that direction is not decoded");
                return;
            }
            auto& slot = d.pending[seq];
            if (slot.size() < payload.size()) {
                d.pending_bytes += payload.size() - slot.size();
                slot.assign(payload.begin(), payload.end());
            }
            return;
        }
        deliver(c, d, sender, payload, static_cast<std::size_t>(-static_cast<std::int64_t>(ahead)), time);
        // Drain what the new bytes made contiguous.
        for (bool progress = true; progress && !d.pending.empty();) {
            progress = false;
            for (auto it = d.pending.begin(); it != d.pending.end(); ++it) {
                const auto offset = static_cast<std::int32_t>(it->first - d.next);
                if (offset > 0) continue;
                auto bytes = std::move(it->second);
                d.pending_bytes -= bytes.size();
                d.pending.erase(it);
                deliver(c, d, sender, bytes, static_cast<std::size_t>(-static_cast<std::int64_t>(offset)), time);
                progress = true;
                break;
            }
        }
    }

    // Bytes whose first `already` bytes were seen before (a retransmission overlapping the
    // stream so far): only the new part is taken.
    void deliver(tcp_connection& c, tcp_direction& d, frame_sender sender, bytes_view bytes, std::size_t already,
                 std::optional<std::int64_t> time) {
        if (already >= bytes.size()) return;
        const auto fresh = bytes.subspan(already);
        d.next += static_cast<std::uint32_t>(fresh.size());
        if (d.splitter.dead()) return;
        std::string why;
        if (!d.splitter.feed(fresh, options_, time, sender, c.name, out_.frames, why))
            out_.notes.push_back(c.name + ": the " + std::string(to_string(sender)) + "'s bytes stop being CQL: " +
                                 why + "; the rest of that direction is not decoded");
    }

    void note_leftover(const tcp_connection& c, const tcp_direction& d, frame_sender sender) {
        out_.notes.push_back(c.name + ": " + std::to_string(d.splitter.buffered()) + " bytes of an incomplete frame from the " +
                             std::string(to_string(sender)) + " at the end");
    }

    const capture_options& options_;
    capture_result& out_;
    std::map<std::pair<endpoint, endpoint>, tcp_connection> connections_;
};

}  // namespace

void read_packets(const std::vector<packet>& packets, const capture_options& options, capture_result& out) {
    reassembler r(options, out);
    std::size_t fragments = 0;
    for (const auto& p : packets) {
        tcp_segment s;
        std::string why;
        if (parse_ip(network_layer(p.link_type, p.data), s, why) == parse_outcome::segment) r.add(s, p.time_us);
        else if (!why.empty()) ++fragments;
    }
    r.finish();
    if (fragments > 0) out.notes.push_back(std::to_string(fragments) + " IP fragments were skipped (not reassembled)");
}

}  // namespace cqlwire::inspect

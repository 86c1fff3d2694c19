#include "cqlwire/protocol/capture.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "cqlwire/protocol/errc.hpp"

namespace cqlwire::protocol {
namespace {

// ---- bounds-checked little helpers ---------------------------------------------------------------

std::uint16_t be16(const std::uint8_t* p) noexcept { return static_cast<std::uint16_t>(p[0] << 8 | p[1]); }
std::uint32_t be32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
           static_cast<std::uint32_t>(p[2]) << 8 | p[3];
}
std::uint16_t le16(const std::uint8_t* p) noexcept { return static_cast<std::uint16_t>(p[1] << 8 | p[0]); }
std::uint32_t le32(const std::uint8_t* p) noexcept {
    return static_cast<std::uint32_t>(p[3]) << 24 | static_cast<std::uint32_t>(p[2]) << 16 |
           static_cast<std::uint32_t>(p[1]) << 8 | p[0];
}

// A captured link-layer packet.
struct packet {
    std::optional<std::int64_t> time_us;
    std::uint32_t link_type = 0;
    bytes_view data;
};

constexpr std::uint32_t link_null = 0;
constexpr std::uint32_t link_ethernet = 1;
constexpr std::uint32_t link_raw = 101;
constexpr std::uint32_t link_loop = 108;
constexpr std::uint32_t link_sll = 113;
constexpr std::uint32_t link_sll2 = 276;
constexpr std::uint32_t link_ipv4 = 228;
constexpr std::uint32_t link_ipv6 = 229;
// Our own marker for hex-dump packets whose link type is guessed from their bytes.
constexpr std::uint32_t link_guess = 0xFFFFFFFF;

// ---- TCP segments ----------------------------------------------------------------------------------

struct endpoint {
    std::array<std::uint8_t, 16> address{};
    std::uint8_t size = 4;
    std::uint16_t port = 0;

    friend bool operator<(const endpoint& a, const endpoint& b) noexcept {
        return std::tie(a.size, a.address, a.port) < std::tie(b.size, b.address, b.port);
    }
    friend bool operator==(const endpoint& a, const endpoint& b) noexcept {
        return a.size == b.size && a.address == b.address && a.port == b.port;
    }
    std::string text() const {
        inet_address a;
        a.size = size;
        a.bytes = address;
        return size == 16 ? "[" + to_string(a) + "]:" + std::to_string(port) : to_string(a) + ":" + std::to_string(port);
    }
};

struct tcp_segment {
    endpoint source;
    endpoint destination;
    std::uint32_t seq = 0;
    bool syn = false;
    bytes_view payload;
};

enum class parse_outcome { segment, skip };

// IP and TCP, from the network-layer header on. `why` is set when the packet is skipped for a
// reason worth a note (not merely "not TCP").
parse_outcome parse_ip(bytes_view ip, tcp_segment& out, std::string& why) {
    if (ip.empty()) return parse_outcome::skip;
    const int version = ip[0] >> 4;
    std::uint8_t protocol = 0;
    bytes_view rest;
    if (version == 4) {
        if (ip.size() < 20) return parse_outcome::skip;
        const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
        std::size_t total = be16(ip.data() + 2);
        if (header < 20 || header > ip.size()) return parse_outcome::skip;
        // Offloaded captures may say 0; otherwise trust the smaller of the two (Ethernet padding).
        if (total == 0 || total > ip.size()) total = ip.size();
        if (total < header) return parse_outcome::skip;
        const std::uint16_t fragment = be16(ip.data() + 6);
        protocol = ip[9];
        if (protocol == 6 && (fragment & 0x3FFF) != 0) {
            why = "an IPv4 fragment (not reassembled) was skipped";
            return parse_outcome::skip;
        }
        out.source.size = out.destination.size = 4;
        std::copy_n(ip.data() + 12, 4, out.source.address.begin());
        std::copy_n(ip.data() + 16, 4, out.destination.address.begin());
        rest = ip.subspan(header, total - header);
    } else if (version == 6) {
        if (ip.size() < 40) return parse_outcome::skip;
        std::size_t payload_length = be16(ip.data() + 4);
        if (payload_length == 0 || payload_length > ip.size() - 40) payload_length = ip.size() - 40;
        out.source.size = out.destination.size = 16;
        std::copy_n(ip.data() + 8, 16, out.source.address.begin());
        std::copy_n(ip.data() + 24, 16, out.destination.address.begin());
        protocol = ip[6];
        rest = ip.subspan(40, payload_length);
        // Hop-by-hop, routing and destination options: skip them to reach TCP.
        for (int hops = 0; hops < 8 && (protocol == 0 || protocol == 43 || protocol == 60); ++hops) {
            if (rest.size() < 8) return parse_outcome::skip;
            const std::size_t length = (static_cast<std::size_t>(rest[1]) + 1) * 8;
            if (length > rest.size()) return parse_outcome::skip;
            protocol = rest[0];
            rest = rest.subspan(length);
        }
        if (protocol == 44) {
            why = "an IPv6 fragment (not reassembled) was skipped";
            return parse_outcome::skip;
        }
    } else {
        return parse_outcome::skip;
    }
    if (protocol != 6 || rest.size() < 20) return parse_outcome::skip;
    const std::size_t tcp_header = static_cast<std::size_t>(rest[12] >> 4) * 4;
    if (tcp_header < 20 || tcp_header > rest.size()) return parse_outcome::skip;
    out.source.port = be16(rest.data());
    out.destination.port = be16(rest.data() + 2);
    out.seq = be32(rest.data() + 4);
    out.syn = (rest[13] & 0x02) != 0;
    out.payload = rest.subspan(tcp_header);
    return parse_outcome::segment;
}

std::uint32_t guess_link_type(bytes_view b) noexcept {
    if (b.size() >= 4 && b[1] == 0 && b[2] == 0 && b[3] == 0 && (b[0] == 2 || b[0] == 24 || b[0] == 28 || b[0] == 30))
        return link_null;
    if (b.size() >= 14) {
        const auto type = be16(b.data() + 12);
        if (type == 0x0800 || type == 0x86DD || type == 0x8100) return link_ethernet;
    }
    if (b.size() >= 16) {
        const auto type = be16(b.data() + 14);
        if (type == 0x0800 || type == 0x86DD) return link_sll;
    }
    return link_raw;
}

// The network-layer bytes of a link-layer packet; empty when it carries no IP.
bytes_view network_layer(std::uint32_t link_type, bytes_view b) noexcept {
    if (link_type == link_guess) link_type = guess_link_type(b);
    switch (link_type) {
    case link_null:
    case link_loop:
        return b.size() >= 4 ? b.subspan(4) : bytes_view{};
    case link_ethernet: {
        if (b.size() < 14) return {};
        std::size_t at = 12;
        std::uint16_t type = be16(b.data() + at);
        // 802.1Q / 802.1ad tags.
        for (int tags = 0; tags < 4 && (type == 0x8100 || type == 0x88A8); ++tags) {
            at += 4;
            if (b.size() < at + 2) return {};
            type = be16(b.data() + at);
        }
        if (type != 0x0800 && type != 0x86DD) return {};
        return b.subspan(at + 2);
    }
    case link_sll: {
        if (b.size() < 16) return {};
        const auto type = be16(b.data() + 14);
        return (type == 0x0800 || type == 0x86DD) ? b.subspan(16) : bytes_view{};
    }
    case link_sll2: {
        if (b.size() < 20) return {};
        const auto type = be16(b.data());
        return (type == 0x0800 || type == 0x86DD) ? b.subspan(20) : bytes_view{};
    }
    case link_raw:
    case link_ipv4:
    case link_ipv6:
        return b;
    default: return {};
    }
}

// ---- reassembly and framing -------------------------------------------------------------------------

bool is_request_version(std::uint8_t v) noexcept { return v == 0x03 || v == 0x04; }
bool is_response_version(std::uint8_t v) noexcept { return v == 0x83 || v == 0x84; }

// Splits one direction's bytes into frames.
class frame_splitter {
public:
    // Appends frames completed by the new bytes to `out`. Returns false once the stream stopped
    // being CQL (the reason is in `why`).
    bool feed(bytes_view data, const capture_options& options, std::optional<std::int64_t> time, frame_sender sender,
              const std::string& connection, std::vector<captured_frame>& out, std::string& why) {
        if (dead_) return false;
        buffer_.insert(buffer_.end(), data.begin(), data.end());
        std::size_t at = 0;
        while (buffer_.size() - at >= frame_header_size) {
            const bytes_view rest(buffer_.data() + at, buffer_.size() - at);
            const std::uint8_t version = rest[0];
            if (!is_request_version(version) && !is_response_version(version)) {
                why = "a byte " + hex_byte(version) + " where a CQL frame header should start";
                return die();
            }
            frame_header h;
            if (auto ec = decode_frame_header(rest, h, options.max_body_length)) {
                why = "a frame header that is not valid CQL (" + ec.message() + ")";
                return die();
            }
            if (h.is_response() != (sender == frame_sender::server)) {
                why = std::string(h.is_response() ? "a response" : "a request") + " frame sent by the " +
                      std::string(to_string(sender));
                return die();
            }
            if (rest.size() - frame_header_size < h.length) break;
            captured_frame f;
            f.time_us = time;
            f.sender = sender;
            f.header = h;
            f.body.assign(rest.begin() + frame_header_size, rest.begin() + frame_header_size + h.length);
            f.connection = connection;
            out.push_back(std::move(f));
            at += frame_header_size + h.length;
        }
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(at));
        return true;
    }
    std::size_t buffered() const noexcept { return dead_ ? 0 : buffer_.size(); }
    bool dead() const noexcept { return dead_; }

private:
    static std::string hex_byte(std::uint8_t b) {
        static constexpr char digits[] = "0123456789abcdef";
        return std::string("0x") + digits[b >> 4] + digits[b & 0x0F];
    }
    bool die() {
        dead_ = true;
        buffer_.clear();
        buffer_.shrink_to_fit();
        return false;
    }
    std::vector<std::uint8_t> buffer_;
    bool dead_ = false;
};

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

// ---- containers ------------------------------------------------------------------------------------

std::error_code broken(std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(client_errc::truncated);
}

template <class OnPacket>
std::error_code read_pcap(bytes_view data, capture_result& out, std::string& message, OnPacket on_packet) {
    if (data.size() < 24) return broken(message, "the pcap file header is cut short (" + std::to_string(data.size()) + " bytes)");
    const std::uint32_t magic_le = le32(data.data());
    bool little = true;
    bool nanoseconds = false;
    if (magic_le == 0xA1B2C3D4) little = true;
    else if (magic_le == 0xA1B23C4D) little = true, nanoseconds = true;
    else if (be32(data.data()) == 0xA1B2C3D4) little = false;
    else if (be32(data.data()) == 0xA1B23C4D) little = false, nanoseconds = true;
    auto u32 = [&](const std::uint8_t* p) { return little ? le32(p) : be32(p); };
    const std::uint32_t link_type = u32(data.data() + 20) & 0x0FFFFFFF;  // upper bits: FCS info
    std::size_t at = 24;
    while (data.size() - at >= 16) {
        const std::uint32_t seconds = u32(data.data() + at);
        const std::uint32_t fraction = u32(data.data() + at + 4);
        const std::uint32_t included = u32(data.data() + at + 8);
        at += 16;
        if (included > data.size() - at) {
            out.notes.push_back("the last packet record is cut short (" + std::to_string(included) + " bytes announced, " +
                                std::to_string(data.size() - at) + " present)");
            return {};
        }
        const std::int64_t time = static_cast<std::int64_t>(seconds) * 1000000 +
                                  (nanoseconds ? fraction / 1000 : fraction);
        ++out.packets;
        on_packet(packet{time, link_type, data.subspan(at, included)});
        at += included;
    }
    if (at != data.size()) out.notes.push_back(std::to_string(data.size() - at) + " bytes after the last packet record are ignored");
    return {};
}

template <class OnPacket>
std::error_code read_pcapng(bytes_view data, capture_result& out, std::string& message, OnPacket on_packet) {
    struct interface_info {
        std::uint32_t link_type = 0;
        // Timestamp units per second, as a power: 10^-digits or 2^-digits.
        std::uint8_t resolution = 6;
        bool binary = false;
    };
    std::vector<interface_info> interfaces;
    bool little = true;
    std::size_t at = 0;
    bool first = true;
    while (data.size() - at >= 12) {
        const std::uint8_t* p = data.data() + at;
        std::uint32_t type = le32(p);
        if (type == 0x0A0D0D0A) {
            // Section header: its byte-order magic says how to read this section.
            const std::uint32_t bom = le32(p + 8);
            if (bom == 0x1A2B3C4D) little = true;
            else if (bom == 0x4D3C2B1A) little = false;
            else return broken(message, "a pcapng section header with an unknown byte-order magic");
            interfaces.clear();
        } else if (first) {
            return broken(message, "a pcapng file that does not start with a section header");
        }
        first = false;
        auto u32 = [&](const std::uint8_t* q) { return little ? le32(q) : be32(q); };
        auto u16 = [&](const std::uint8_t* q) { return little ? le16(q) : be16(q); };
        type = u32(p);
        const std::uint32_t length = u32(p + 4);
        if (length < 12 || length % 4 != 0 || length > data.size() - at) {
            out.notes.push_back("a pcapng block of length " + std::to_string(length) + " does not fit; reading stops there");
            return {};
        }
        const bytes_view body(p + 8, length - 12);
        if (type == 1 && body.size() >= 8) {
            interface_info info;
            info.link_type = u16(body.data());
            // Options: if_tsresol (9).
            std::size_t o = 8;
            while (body.size() - o >= 4) {
                const std::uint16_t code = u16(body.data() + o);
                const std::uint16_t olen = u16(body.data() + o + 2);
                o += 4;
                if (code == 0 || olen > body.size() - o) break;
                if (code == 9 && olen >= 1) {
                    info.binary = (body[o] & 0x80) != 0;
                    info.resolution = body[o] & 0x7F;
                }
                o += (static_cast<std::size_t>(olen) + 3) / 4 * 4;
            }
            interfaces.push_back(info);
        } else if (type == 6 && body.size() >= 20) {
            const std::uint32_t id = u32(body.data());
            const std::uint64_t stamp = static_cast<std::uint64_t>(u32(body.data() + 4)) << 32 | u32(body.data() + 8);
            const std::uint32_t captured = u32(body.data() + 12);
            if (id >= interfaces.size()) {
                out.notes.push_back("a packet names interface " + std::to_string(id) + ", which was not described; skipped");
            } else if (captured > body.size() - 20) {
                out.notes.push_back("a pcapng packet block is shorter than its packet; skipped");
            } else {
                const auto& info = interfaces[id];
                std::int64_t time;
                if (info.binary) {
                    const unsigned shift = std::min<unsigned>(info.resolution, 63);
                    const std::uint64_t units = std::uint64_t{1} << shift;
                    time = static_cast<std::int64_t>(stamp / units * 1000000 + (stamp % units) * 1000000 / units);
                } else {
                    std::uint64_t units = 1;
                    for (int k = 0; k < std::min<int>(info.resolution, 19); ++k) units *= 10;
                    time = static_cast<std::int64_t>(units >= 1000000 ? stamp / (units / 1000000)
                                                                     : stamp * (1000000 / units));
                }
                ++out.packets;
                on_packet(packet{time, info.link_type, body.subspan(20, captured)});
            }
        } else if (type == 3 && body.size() >= 4) {
            // Simple packet block: interface 0, no timestamp.
            if (interfaces.empty()) {
                out.notes.push_back("a simple packet block before any interface description; skipped");
            } else {
                const std::uint32_t original = u32(body.data());
                const std::size_t captured = std::min<std::size_t>(original, body.size() - 4);
                ++out.packets;
                on_packet(packet{std::nullopt, interfaces[0].link_type, body.subspan(4, captured)});
            }
        }
        at += length;
    }
    if (at != data.size()) out.notes.push_back(std::to_string(data.size() - at) + " bytes after the last pcapng block are ignored");
    return {};
}

// Frames back to back from one sender.
void read_raw(bytes_view data, const capture_options& options, capture_result& out) {
    if (data.empty()) return;
    frame_sender sender = frame_sender::client;
    if (options.raw_sender) sender = *options.raw_sender;
    else if (is_response_version(data[0])) sender = frame_sender::server;
    frame_splitter splitter;
    std::string why;
    if (!splitter.feed(data, options, std::nullopt, sender, {}, out.frames, why)) {
        out.notes.push_back("the bytes stop being CQL after " + std::to_string(out.frames.size()) + " frames: " + why);
        return;
    }
    if (splitter.buffered() > 0)
        out.notes.push_back(std::to_string(splitter.buffered()) + " bytes of an incomplete frame at the end");
}

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

// ---- hex dumps -------------------------------------------------------------------------------------

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool all_hex(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return hex_digit(c) >= 0; });
}

struct token {
    std::string_view text;
    std::size_t gap_before = 0;  // spaces before it (a tab counts as 4)
};

std::vector<token> tokenize(std::string_view line) {
    std::vector<token> out;
    std::size_t i = 0;
    std::size_t gap = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
            gap += line[i] == '\t' ? 4 : 1;
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        out.push_back({line.substr(start, i - start), gap});
        gap = 0;
    }
    return out;
}

void append_hex(std::string_view digits, std::vector<std::uint8_t>& out) {
    for (std::size_t k = 0; k + 1 < digits.size(); k += 2)
        out.push_back(static_cast<std::uint8_t>(hex_digit(digits[k]) << 4 | hex_digit(digits[k + 1])));
}

}  // namespace

std::string_view to_string(capture_kind k) noexcept {
    switch (k) {
    case capture_kind::raw: return "raw";
    case capture_kind::hex: return "hex";
    case capture_kind::pcap: return "pcap";
    case capture_kind::pcapng: return "pcapng";
    }
    return "raw";
}

capture_kind detect_capture_kind(bytes_view data) noexcept {
    if (data.size() >= 4) {
        const auto le = le32(data.data());
        const auto be = be32(data.data());
        if (le == 0xA1B2C3D4 || le == 0xA1B23C4D || be == 0xA1B2C3D4 || be == 0xA1B23C4D) return capture_kind::pcap;
        if (le == 0x0A0D0D0A) return capture_kind::pcapng;
    }
    if (data.empty()) return capture_kind::raw;
    // Text of hex digits, offsets, colons, spaces, line breaks and printable dump columns: the
    // first byte of a CQL frame (0x03/0x04/0x83/0x84) is never printable, so raw frames are
    // never taken for text.
    bool has_hex_digit = false;
    for (auto b : data) {
        if (b == '\n' || b == '\r' || b == '\t' || (b >= 0x20 && b < 0x7F)) {
            if (hex_digit(static_cast<char>(b)) >= 0) has_hex_digit = true;
            continue;
        }
        return capture_kind::raw;
    }
    return has_hex_digit ? capture_kind::hex : capture_kind::raw;
}

std::error_code parse_hex_dump(std::string_view text, std::vector<std::vector<std::uint8_t>>& blocks,
                               std::string& message) {
    blocks.clear();
    std::size_t line_number = 0;
    bool offsets_seen = false;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto tokens = tokenize(line);
        if (tokens.empty() || tokens[0].text.starts_with('#')) continue;
        // tshark's data-source titles ("Frame (74 bytes):", "Reassembled TCP (120 bytes):").
        if (line.ends_with("bytes):")) continue;

        std::size_t first = 0;
        std::optional<std::uint64_t> offset;
        auto parse_offset = [](std::string_view s) {
            std::uint64_t v = 0;
            for (char c : s) v = v * 16 + static_cast<std::uint64_t>(hex_digit(c));
            return v;
        };
        if (tokens[0].text.size() >= 2 && tokens[0].text.back() == ':' &&
            all_hex(tokens[0].text.substr(0, tokens[0].text.size() - 1)) && tokens[0].text.size() <= 17) {
            offset = parse_offset(tokens[0].text.substr(0, tokens[0].text.size() - 1));
            first = 1;
        } else if (tokens.size() > 1 && tokens[0].text.size() >= 4 && tokens[0].text.size() <= 16 &&
                   all_hex(tokens[0].text) && tokens[1].gap_before >= 2) {
            offset = parse_offset(tokens[0].text);
            first = 1;
        }
        if (offset) offsets_seen = true;
        if (blocks.empty() || (offset && *offset == 0 && !blocks.back().empty())) blocks.emplace_back();
        auto& block = blocks.back();
        if (offset && *offset != block.size()) {
            message = "line " + std::to_string(line_number) + ": offset " + std::string(tokens[0].text) +
                      " does not follow the " + std::to_string(block.size()) + " bytes before it";
            return make_error_code(client_errc::bad_value);
        }
        std::size_t taken = 0;
        for (std::size_t k = first; k < tokens.size(); ++k) {
            const auto& t = tokens[k];
            std::string_view digits = t.text;
            if (!offset && (digits.starts_with("0x") || digits.starts_with("0X"))) digits.remove_prefix(2);
            if (offset) {
                // After the bytes comes the printable column: a wide gap or a token that is
                // not a group of 1-4 bytes.
                if (taken > 0 && t.gap_before >= 3) break;
                if (!all_hex(digits) || digits.size() % 2 != 0 || digits.size() > 8) break;
            } else if (!all_hex(digits) || digits.size() % 2 != 0) {
                message = "line " + std::to_string(line_number) + " is not part of a hex dump";
                return make_error_code(client_errc::bad_value);
            }
            append_hex(digits, block);
            taken += digits.size() / 2;
        }
        if (offset && taken == 0 && tokens.size() > first) {
            message = "line " + std::to_string(line_number) + " is not part of a hex dump";
            return make_error_code(client_errc::bad_value);
        }
    }
    static_cast<void>(offsets_seen);
    while (!blocks.empty() && blocks.back().empty()) blocks.pop_back();
    return {};
}

std::error_code read_capture(bytes_view data, const capture_options& options, capture_result& out,
                             std::string& message) {
    out = capture_result{};
    out.kind = options.kind.value_or(detect_capture_kind(data));
    std::vector<packet> packets;
    auto collect = [&](packet p) { packets.push_back(p); };
    switch (out.kind) {
    case capture_kind::raw: read_raw(data, options, out); return {};
    case capture_kind::pcap:
        if (auto ec = read_pcap(data, out, message, collect)) return ec;
        read_packets(packets, options, out);
        return {};
    case capture_kind::pcapng:
        if (auto ec = read_pcapng(data, out, message, collect)) return ec;
        read_packets(packets, options, out);
        return {};
    case capture_kind::hex: {
        std::vector<std::vector<std::uint8_t>> blocks;
        if (auto ec = parse_hex_dump(as_chars(data), blocks, message)) return ec;
        if (blocks.empty()) return {};
        const auto b0 = blocks.front().empty() ? 0 : blocks.front()[0];
        if (is_request_version(b0) || is_response_version(b0)) {
            std::vector<std::uint8_t> all;
            for (const auto& b : blocks) all.insert(all.end(), b.begin(), b.end());
            read_raw(all, options, out);
            return {};
        }
        for (const auto& b : blocks) packets.push_back(packet{std::nullopt, link_guess, b});
        out.packets = packets.size();
        read_packets(packets, options, out);
        return {};
    }
    }
    return {};
}

}  // namespace cqlwire::protocol

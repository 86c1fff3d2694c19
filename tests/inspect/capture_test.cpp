#include "test_support.hpp"

#include <string>
#include <vector>

#include "cqlwire/inspect/capture.hpp"
#include "cqlwire/inspect/hex_dump.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "protocol/wire_support.hpp"

using namespace cqlwire::protocol;
using namespace cqlwire::inspect;
using wire_test::wire;

namespace {

using bytes = std::vector<std::uint8_t>;

void put16(bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v >> 8));
    b.push_back(static_cast<std::uint8_t>(v));
}
void put32(bytes& b, std::uint32_t v) {
    put16(b, static_cast<std::uint16_t>(v >> 16));
    put16(b, static_cast<std::uint16_t>(v));
}
void put32le(bytes& b, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put16le(bytes& b, std::uint16_t v) {
    b.push_back(static_cast<std::uint8_t>(v));
    b.push_back(static_cast<std::uint8_t>(v >> 8));
}

constexpr std::uint8_t syn = 0x02, ack = 0x10, psh = 0x08;

// A 20-byte TCP header (no options, window 65535) and the payload, after an IP header.
void append_tcp(bytes& b, std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint8_t flags,
                const bytes& payload) {
    put16(b, sport);
    put16(b, dport);
    put32(b, seq);
    put32(b, 0);
    b.push_back(0x50);
    b.push_back(flags);
    put16(b, 65535);
    put32(b, 0);
    b.insert(b.end(), payload.begin(), payload.end());
}

// A TCP segment in IPv4 (addresses 127.0.0.<a>), no options.
bytes ipv4_tcp(std::uint8_t from, std::uint16_t sport, std::uint8_t to, std::uint16_t dport, std::uint32_t seq,
               std::uint8_t flags, const bytes& payload) {
    bytes b;
    b.push_back(0x45);
    b.push_back(0);
    put16(b, static_cast<std::uint16_t>(20 + 20 + payload.size()));
    put16(b, 0);
    put16(b, 0x4000);  // don't fragment
    b.push_back(64);
    b.push_back(6);
    put16(b, 0);
    for (std::uint8_t a : {std::uint8_t{127}, std::uint8_t{0}, std::uint8_t{0}, from}) b.push_back(a);
    for (std::uint8_t a : {std::uint8_t{127}, std::uint8_t{0}, std::uint8_t{0}, to}) b.push_back(a);
    append_tcp(b, sport, dport, seq, flags, payload);
    return b;
}

// The same in IPv6 (addresses ::<a>).
bytes ipv6_tcp(std::uint8_t from, std::uint16_t sport, std::uint8_t to, std::uint16_t dport, std::uint32_t seq,
               std::uint8_t flags, const bytes& payload) {
    bytes b;
    put32(b, 0x60000000);
    put16(b, static_cast<std::uint16_t>(20 + payload.size()));
    b.push_back(6);
    b.push_back(64);
    for (int i = 0; i < 15; ++i) b.push_back(0);
    b.push_back(from);
    for (int i = 0; i < 15; ++i) b.push_back(0);
    b.push_back(to);
    append_tcp(b, sport, dport, seq, flags, payload);
    return b;
}

bytes ethernet(const bytes& ip, std::uint16_t type = 0x0800) {
    bytes b(12, 0);
    put16(b, type);
    b.insert(b.end(), ip.begin(), ip.end());
    return b;
}

// A little-endian microsecond pcap of the given link type.
struct pcap_writer {
    bytes data;
    explicit pcap_writer(std::uint32_t link_type) {
        put32le(data, 0xA1B2C3D4);
        put16le(data, 2);
        put16le(data, 4);
        put32le(data, 0);
        put32le(data, 0);
        put32le(data, 65535);
        put32le(data, link_type);
    }
    void add(std::uint32_t seconds, std::uint32_t micros, const bytes& packet) {
        put32le(data, seconds);
        put32le(data, micros);
        put32le(data, static_cast<std::uint32_t>(packet.size()));
        put32le(data, static_cast<std::uint32_t>(packet.size()));
        data.insert(data.end(), packet.begin(), packet.end());
    }
};

bytes options_frame(std::int16_t stream) {
    bytes f;
    request_frame_options o;
    o.stream = stream;
    REQUIRE_FALSE(encode_options(f, o));
    return f;
}

bytes query_frame(std::string_view cql, std::int16_t stream) {
    bytes f;
    request_frame_options o;
    o.stream = stream;
    REQUIRE_FALSE(encode_query(f, o, cql, {}));
    return f;
}

bytes ready_frame(std::int16_t stream) {
    bytes f;
    response_frame_options o;
    o.stream = stream;
    REQUIRE_FALSE(encode_ready(f, o));
    return f;
}

bytes slice(const bytes& b, std::size_t from, std::size_t to) { return bytes(b.begin() + from, b.begin() + to); }

capture_result read(const bytes& data, const capture_options& options = {}) {
    capture_result r;
    std::string message;
    REQUIRE_FALSE(read_capture(data, options, r, message));
    return r;
}

}  // namespace

TEST_CASE("pcap over Ethernet: both directions, sender from the server port, times kept") {
    pcap_writer p(1);
    const auto q = query_frame("SELECT * FROM system.local", 1);
    const auto r = ready_frame(1);
    p.add(100, 1, ethernet(ipv4_tcp(1, 50000, 2, 9042, 1000, syn, {})));
    p.add(100, 2, ethernet(ipv4_tcp(1, 50000, 2, 9042, 1001, ack | psh, q)));
    p.add(100, 3, ethernet(ipv4_tcp(2, 9042, 1, 50000, 7000, ack | psh, r)));
    auto result = read(p.data);
    CHECK(result.kind == capture_kind::pcap);
    CHECK(result.packets == 3);
    CHECK(result.notes.empty());
    REQUIRE(result.frames.size() == 2);
    CHECK(result.frames[0].sender == frame_sender::client);
    CHECK(result.frames[0].header.op == opcode::query);
    CHECK(result.frames[0].header.stream == 1);
    CHECK(result.frames[0].body == slice(q, 9, q.size()));
    CHECK(result.frames[0].time_us == 100000002);
    CHECK(result.frames[0].connection == "127.0.0.1:50000 -> 127.0.0.2:9042");
    CHECK(result.frames[1].sender == frame_sender::server);
    CHECK(result.frames[1].header.op == opcode::ready);
    CHECK(result.frames[1].time_us == 100000003);
}

TEST_CASE("TCP reassembly: out of order, retransmitted and overlapping segments") {
    const auto q = query_frame("SELECT * FROM system.local WHERE key = 'local'", 4);
    REQUIRE(q.size() > 40);
    const std::uint32_t isn = 0xFFFFFFF0;  // the sequence numbers wrap inside the frame
    auto seg = [&](std::size_t from, std::size_t to) {
        return ethernet(ipv4_tcp(1, 40000, 2, 19043, isn + static_cast<std::uint32_t>(from), ack | psh, slice(q, from, to)));
    };
    SUBCASE("out of order") {
        // The SYN fixes where the stream starts, so that a segment from its middle may come first.
        pcap_writer p(1);
        p.add(0, 9, ethernet(ipv4_tcp(1, 40000, 2, 19043, isn - 1, syn, {})));
        p.add(1, 0, seg(30, q.size()));
        p.add(1, 1, seg(0, 10));
        p.add(1, 2, seg(10, 30));
        auto r = read(p.data);
        REQUIRE(r.frames.size() == 1);
        CHECK(r.frames[0].body == slice(q, 9, q.size()));
        CHECK(r.frames[0].time_us == 1000002);  // completed by the third packet
        CHECK(r.notes.empty());
    }
    SUBCASE("retransmissions and overlaps are taken once") {
        pcap_writer p(1);
        p.add(1, 0, seg(0, 20));
        p.add(1, 1, seg(0, 20));   // retransmitted
        p.add(1, 2, seg(10, 35));  // overlaps the first
        p.add(1, 3, seg(35, q.size()));
        p.add(1, 4, seg(35, q.size()));  // retransmitted after completion
        auto r = read(p.data);
        REQUIRE(r.frames.size() == 1);
        CHECK(r.frames[0].body == slice(q, 9, q.size()));
        CHECK(r.notes.empty());
    }
    SUBCASE("a gap that never fills is a note, not a frame") {
        pcap_writer p(1);
        p.add(1, 0, seg(0, 10));
        p.add(1, 1, seg(20, q.size()));
        auto r = read(p.data);
        CHECK(r.frames.empty());
        REQUIRE(r.notes.size() == 2);
        CHECK(r.notes[0].find("wait behind a gap") != std::string::npos);
        CHECK(r.notes[1].find("10 bytes of an incomplete frame from the client") != std::string::npos);
    }
}

TEST_CASE("streams are kept apart by their 4-tuple") {
    pcap_writer p(1);
    const auto a = query_frame("SELECT 'a'", 1);
    const auto b = query_frame("SELECT 'b'", 1);
    p.add(1, 0, ethernet(ipv4_tcp(1, 40001, 2, 9042, 100, ack, slice(a, 0, 5))));
    p.add(1, 1, ethernet(ipv4_tcp(1, 40002, 2, 9042, 900, ack, slice(b, 0, 5))));
    p.add(1, 2, ethernet(ipv4_tcp(1, 40002, 2, 9042, 905, ack, slice(b, 5, b.size()))));
    p.add(1, 3, ethernet(ipv4_tcp(1, 40001, 2, 9042, 105, ack, slice(a, 5, a.size()))));
    auto r = read(p.data);
    REQUIRE(r.frames.size() == 2);
    CHECK(r.frames[0].body == slice(b, 9, b.size()));
    CHECK(r.frames[0].connection == "127.0.0.1:40002 -> 127.0.0.2:9042");
    CHECK(r.frames[1].body == slice(a, 9, a.size()));
}

TEST_CASE("pcapng with IPv6 over Linux cooked SLL2, nanosecond timestamps, big-endian section") {
    const auto o = options_frame(2);
    bytes sll2;
    put16(sll2, 0x86DD);  // protocol
    put16(sll2, 0);
    put32(sll2, 1);  // interface index
    put16(sll2, 772);
    sll2.push_back(0);  // packet type
    sll2.push_back(6);  // address length
    for (int i = 0; i < 8; ++i) sll2.push_back(0);
    REQUIRE(sll2.size() == 20);
    auto packet = sll2;
    const auto ip = ipv6_tcp(1, 51000, 1, 9042, 5, ack | psh, o);
    packet.insert(packet.end(), ip.begin(), ip.end());

    bytes d;
    // Section header block, big-endian.
    put32(d, 0x0A0D0D0A);
    put32(d, 28);
    put32(d, 0x1A2B3C4D);
    put16(d, 1);
    put16(d, 0);
    put32(d, 0xFFFFFFFF);
    put32(d, 0xFFFFFFFF);
    put32(d, 28);
    // Interface description: SLL2, if_tsresol = 9 (nanoseconds).
    put32(d, 1);
    put32(d, 32);
    put16(d, 276);
    put16(d, 0);
    put32(d, 0);
    put16(d, 9);
    put16(d, 1);
    d.push_back(9);
    d.push_back(0);
    d.push_back(0);
    d.push_back(0);
    put16(d, 0);  // end of options
    put16(d, 0);
    put32(d, 32);
    // Enhanced packet block.
    const std::size_t padded = (packet.size() + 3) / 4 * 4;
    put32(d, 6);
    put32(d, static_cast<std::uint32_t>(32 + padded));
    put32(d, 0);
    const std::uint64_t ns = 1764410428123456789ull;
    put32(d, static_cast<std::uint32_t>(ns >> 32));
    put32(d, static_cast<std::uint32_t>(ns));
    put32(d, static_cast<std::uint32_t>(packet.size()));
    put32(d, static_cast<std::uint32_t>(packet.size()));
    d.insert(d.end(), packet.begin(), packet.end());
    d.resize(d.size() + padded - packet.size(), 0);
    put32(d, static_cast<std::uint32_t>(32 + padded));

    CHECK(detect_capture_kind(d) == capture_kind::pcapng);
    auto r = read(d);
    CHECK(r.notes.empty());
    REQUIRE(r.frames.size() == 1);
    CHECK(r.frames[0].header.op == opcode::options);
    CHECK(r.frames[0].header.stream == 2);
    CHECK(r.frames[0].time_us == 1764410428123456);
    CHECK(r.frames[0].connection == "[::1]:51000 -> [::1]:9042");
}

TEST_CASE("loopback NULL link type and a custom server port") {
    pcap_writer p(0);
    const auto o = options_frame(1);
    const auto ready = ready_frame(1);
    auto null_header = [](const bytes& ip) {
        bytes b;
        put32le(b, 2);  // AF_INET, host order
        b.insert(b.end(), ip.begin(), ip.end());
        return b;
    };
    p.add(1, 0, null_header(ipv4_tcp(1, 7000, 2, 6000, 1, ack, o)));
    p.add(1, 1, null_header(ipv4_tcp(2, 6000, 1, 7000, 1, ack, ready)));
    capture_options opts;
    opts.server_ports = {6000};
    auto r = read(p.data, opts);
    REQUIRE(r.frames.size() == 2);
    CHECK(r.frames[0].sender == frame_sender::client);
    CHECK(r.frames[1].sender == frame_sender::server);
    CHECK(r.frames[0].connection == "127.0.0.1:7000 -> 127.0.0.2:6000");
    SUBCASE("without the port, the version byte decides") {
        auto guessed = read(p.data);
        REQUIRE(guessed.frames.size() == 2);
        CHECK(guessed.frames[0].sender == frame_sender::client);
        CHECK(guessed.frames[0].connection == "127.0.0.1:7000 -> 127.0.0.2:6000");
    }
}

TEST_CASE("raw frames back to back, the sender inferred or given") {
    auto data = options_frame(1);
    const auto q = query_frame("SELECT 1", 2);
    data.insert(data.end(), q.begin(), q.end());
    auto r = read(data);
    CHECK(r.kind == capture_kind::raw);
    REQUIRE(r.frames.size() == 2);
    CHECK(r.frames[1].header.op == opcode::query);
    CHECK(r.frames[1].sender == frame_sender::client);
    CHECK_FALSE(r.frames[1].time_us);

    auto cut = slice(data, 0, data.size() - 3);
    auto partial = read(cut);
    CHECK(partial.frames.size() == 1);
    REQUIRE(partial.notes.size() == 1);
    CHECK(partial.notes[0] == std::to_string(q.size() - 3) + " bytes of an incomplete frame at the end");

    capture_options as_server;
    as_server.raw_sender = frame_sender::server;
    auto wrong = read(data, as_server);
    CHECK(wrong.frames.empty());
    REQUIRE(wrong.notes.size() == 1);
    CHECK(wrong.notes[0].find("a request frame sent by the server") != std::string::npos);
}

TEST_CASE("hex dumps: plain, xxd, tshark, and tshark -x packets") {
    const auto o = options_frame(1);  // 04 00 00 01 05 00 00 00 00
    SUBCASE("plain") {
        auto r = read(wire("'04 00 00 01 05 00 00 00 00\n0x840000010200000000\n'"));
        CHECK(r.kind == capture_kind::hex);
        REQUIRE(r.frames.size() == 1);  // the second is a response: it breaks a one-sided stream
        CHECK(r.notes.size() == 1);
    }
    SUBCASE("xxd") {
        auto text = std::string("00000000: 0400 0001 0500 0000 0004 0000 0207 0000  ................\n"
                                "00000010: 0011 0000 000a 5345 4c45 4354 2027 6127  ......SELECT 'a'\n"
                                "00000020: 0001 00                                  ...\n");
        auto r = read(bytes(text.begin(), text.end()));
        REQUIRE(r.frames.size() == 2);
        CHECK(r.frames[1].header.op == opcode::query);
        CHECK(r.notes.empty());
    }
    SUBCASE("tshark -x of an Ethernet packet (the bytes of an ASCII column never count)") {
        auto packet = ethernet(ipv4_tcp(1, 50000, 2, 9042, 1, ack | psh, o));
        std::string text = "Frame (" + std::to_string(packet.size()) + " bytes):\n";
        for (std::size_t at = 0; at < packet.size(); at += 16) {
            char offset[24];
            std::snprintf(offset, sizeof offset, "%04zx", at);
            text += offset;
            text += "  ";
            std::string ascii;
            for (std::size_t i = at; i < at + 16; ++i) {
                if (i < packet.size()) {
                    append_hex_byte(text, packet[i]);
                    text += " ";
                    ascii += "a";  // looks like hex: must still be taken for the ASCII column
                } else {
                    text += "   ";
                }
            }
            text += "  " + ascii + "\n";
        }
        text += "\n";
        auto r = read(bytes(text.begin(), text.end()));
        CHECK(r.packets == 1);
        REQUIRE(r.frames.size() == 1);
        CHECK(r.frames[0].header.op == opcode::options);
        CHECK(r.frames[0].sender == frame_sender::client);
    }
    SUBCASE("a line that is not a dump") {
        std::vector<std::vector<std::uint8_t>> blocks;
        std::string message;
        CHECK(parse_hex_dump("04 00\nhello world\n", blocks, message) == make_error_code(client_errc::bad_value));
        CHECK(message == "line 2 is not part of a hex dump");
    }
}

TEST_CASE("broken containers: refused at the header, notes later") {
    capture_result r;
    std::string message;
    const bytes short_pcap = {0xD4, 0xC3, 0xB2, 0xA1, 2, 0};
    CHECK(read_capture(short_pcap, {}, r, message) == make_error_code(client_errc::truncated));
    CHECK(message == "the pcap file header is cut short (6 bytes)");

    pcap_writer p(1);
    p.add(1, 0, ethernet(ipv4_tcp(1, 50000, 2, 9042, 1, ack | psh, options_frame(1))));
    auto cut = slice(p.data, 0, p.data.size() - 4);
    auto result = read(cut);
    CHECK(result.frames.empty());
    REQUIRE(result.notes.size() == 1);
    CHECK(result.notes[0].find("the last packet record is cut short") == 0);

    bytes ng = {0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 1, 2, 3, 4};
    ng.resize(28, 0);
    CHECK(read_capture(ng, {}, r, message) == make_error_code(client_errc::truncated));
    CHECK(message == "a pcapng section header with an unknown byte-order magic");
}

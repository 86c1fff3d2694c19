#include "cqlwire/inspect/capture.hpp"

#include "capture_packet.hpp"
#include "cqlwire/inspect/hex_dump.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "frame_stream.hpp"
#include "pcap_reader.hpp"
#include "pcapng_reader.hpp"
#include "tcp_reassembly.hpp"

namespace cqlwire::inspect {
using protocol::bytes_view;
namespace {

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
            if (protocol::hex_value(static_cast<char>(b)) >= 0) has_hex_digit = true;
            continue;
        }
        return capture_kind::raw;
    }
    return has_hex_digit ? capture_kind::hex : capture_kind::raw;
}

std::error_code read_capture(bytes_view data, const capture_options& options, capture_result& out,
                             std::string& message) {
    out = capture_result{};
    out.kind = options.kind.value_or(detect_capture_kind(data));
    std::vector<packet> packets;
    switch (out.kind) {
    case capture_kind::raw: read_raw(data, options, out); return {};
    case capture_kind::pcap:
        if (auto ec = read_pcap(data, out, message, packets)) return ec;
        read_packets(packets, options, out);
        return {};
    case capture_kind::pcapng:
        if (auto ec = read_pcapng(data, out, message, packets)) return ec;
        read_packets(packets, options, out);
        return {};
    case capture_kind::hex: {
        std::vector<std::vector<std::uint8_t>> blocks;
        if (auto ec = parse_hex_dump(protocol::as_chars(data), blocks, message)) return ec;
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

}  // namespace cqlwire::inspect

// Fuzzes read_capture: byte 0 picks the input kind (bits 0-2: detect, raw, hex, pcap, pcapng),
// the raw sender (bit 3: given as server) and a tiny body limit (bit 4: 64 bytes); the rest is
// the file. Whatever is read must be consistent: every frame's body is as long as its header
// says and within the limit, its sender matches its header's direction, and reading is
// deterministic (the same input read twice gives the same frames).
#include <string>

#include "cqlwire/inspect/capture.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;
namespace insp = cqlwire::inspect;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const std::uint8_t control = in.byte();
    insp::capture_options options;
    switch (control & 0x07) {
    case 1: options.kind = insp::capture_kind::raw; break;
    case 2: options.kind = insp::capture_kind::hex; break;
    case 3: options.kind = insp::capture_kind::pcap; break;
    case 4: options.kind = insp::capture_kind::pcapng; break;
    default: break;
    }
    if (control & 0x08) options.raw_sender = insp::frame_sender::server;
    if (control & 0x10) options.max_body_length = 64;
    options.max_pending_bytes = 1u << 20;
    const auto file = in.rest();

    insp::capture_result result;
    std::string message;
    const auto ec = insp::read_capture(file, options, result, message);
    if (ec) {
        FUZZ_CHECK(!message.empty());
        return 0;
    }
    for (const auto& f : result.frames) {
        FUZZ_CHECK(f.body.size() == f.header.length);
        FUZZ_CHECK(f.header.length <= options.max_body_length);
        FUZZ_CHECK(f.header.is_response() == (f.sender == insp::frame_sender::server));
    }
    insp::capture_result again;
    std::string message_again;
    FUZZ_CHECK(!insp::read_capture(file, options, again, message_again));
    FUZZ_CHECK(again.frames.size() == result.frames.size());
    for (std::size_t i = 0; i < again.frames.size(); ++i) FUZZ_CHECK(again.frames[i].body == result.frames[i].body);
    FUZZ_CHECK(again.notes == result.notes);
    return 0;
}

// Helpers for the codec's message tests: bytes written literally, buffers of exactly a
// message's size (so that AddressSanitizer catches any read past the end), and frame wrapping.
#pragma once

#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace wire_test {

using cqlwire::protocol::bytes_view;

// Bytes from text written by hand: hex digits in pairs ("00 0B", "000B" alike) and 'quoted'
// ASCII text copied as is. Spaces between tokens are ignored. A malformed spec is a bug in the
// test itself, so it throws.
inline std::vector<std::uint8_t> wire(std::string_view spec) {
    std::vector<std::uint8_t> out;
    using cqlwire::protocol::hex_value;
    for (std::size_t i = 0; i < spec.size();) {
        char c = spec[i];
        if (c == ' ' || c == '\n' || c == '\t') {
            ++i;
        } else if (c == '\'') {
            auto end = spec.find('\'', i + 1);
            if (end == std::string_view::npos) throw std::invalid_argument("unterminated text in wire spec");
            for (std::size_t k = i + 1; k < end; ++k) out.push_back(static_cast<std::uint8_t>(spec[k]));
            i = end + 1;
        } else {
            if (i + 1 >= spec.size() || hex_value(c) < 0 || hex_value(spec[i + 1]) < 0)
                throw std::invalid_argument("bad hex in wire spec: " + std::string(spec.substr(i, 8)));
            out.push_back(static_cast<std::uint8_t>(hex_value(c) << 4 | hex_value(spec[i + 1])));
            i += 2;
        }
    }
    return out;
}

// A heap block of exactly the input's size: a decoder reading one byte too far is caught.
class exact_buffer {
public:
    explicit exact_buffer(bytes_view bytes)
        : data_(std::make_unique<std::uint8_t[]>(bytes.size())), size_(bytes.size()) {
        if (size_ > 0) std::memcpy(data_.get(), bytes.data(), size_);
    }
    bytes_view view() const noexcept { return {data_.get(), size_}; }
    std::uint8_t* data() noexcept { return data_.get(); }

private:
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_;
};

// A whole frame: the nine header bytes (built by hand here, not by the codec) then the body.
inline std::vector<std::uint8_t> framed(std::uint8_t version, std::uint8_t flags, std::int16_t stream,
                                        cqlwire::protocol::opcode op, bytes_view body) {
    auto s = static_cast<std::uint16_t>(stream);
    auto n = static_cast<std::uint32_t>(body.size());
    std::vector<std::uint8_t> out;
    out.reserve(9 + body.size());
    out.push_back(version);
    out.push_back(flags);
    out.push_back(static_cast<std::uint8_t>(s >> 8));
    out.push_back(static_cast<std::uint8_t>(s));
    out.push_back(static_cast<std::uint8_t>(op));
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
    for (auto b : body) out.push_back(b);
    return out;
}

inline std::string hex_string(bytes_view b) {
    std::string s;
    cqlwire::protocol::append_hex(s, b);
    return s;
}

}  // namespace wire_test

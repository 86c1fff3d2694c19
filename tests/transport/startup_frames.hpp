// Server frames of the start-up exchange, encoded whole and split into the header and body
// that startup_machine::resume takes: for the tests that drive the machine directly.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "test_support.hpp"

namespace cqlwire::test {

using protocol::bytes_view;

// One whole frame as the server would send it, split into the header and body the machine takes.
struct server_frame {
    std::vector<std::uint8_t> bytes;
    protocol::frame_header header;
    bytes_view body() const { return bytes_view(bytes).subspan(protocol::frame_header_size); }
    void parse() { REQUIRE_FALSE(protocol::decode_frame_header(bytes, header)); }
};

inline server_frame ready(std::int16_t stream = 0) {
    server_frame f;
    protocol::response_frame_options frame;
    frame.stream = stream;
    REQUIRE_FALSE(protocol::encode_ready(f.bytes, frame));
    f.parse();
    return f;
}
inline server_frame authenticate(std::string_view cls) {
    server_frame f;
    REQUIRE_FALSE(protocol::encode_authenticate(f.bytes, {}, cls));
    f.parse();
    return f;
}
inline server_frame challenge(std::string_view token) {
    server_frame f;
    REQUIRE_FALSE(protocol::encode_auth_challenge(f.bytes, {}, protocol::raw_value::of(protocol::as_bytes(token))));
    f.parse();
    return f;
}
inline server_frame success() {
    server_frame f;
    REQUIRE_FALSE(protocol::encode_auth_success(f.bytes, {}, protocol::raw_value::null()));
    f.parse();
    return f;
}
inline server_frame error(std::int32_t code, std::string_view message) {
    server_frame f;
    protocol::error_view e;
    e.code = code;
    e.message = message;
    REQUIRE_FALSE(protocol::encode_error(f.bytes, {}, e));
    f.parse();
    return f;
}

}  // namespace cqlwire::test

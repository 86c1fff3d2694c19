// Fuzzes the start-up responses: AUTHENTICATE, AUTH_CHALLENGE, AUTH_SUCCESS and READY.
//
// Input: byte 0 modulo 4 picks the message (0 AUTHENTICATE, 1 AUTH_CHALLENGE, 2 AUTH_SUCCESS,
// 3 READY); the rest is its body. Whatever decodes must re-encode and decode to the same class
// name or token (null stays null, empty stays empty).
#include <algorithm>
#include <vector>

#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

namespace {

bool same_token(const proto::raw_value& a, const proto::raw_value& b) {
    return a.state == b.state && std::equal(a.bytes.begin(), a.bytes.end(), b.bytes.begin(), b.bytes.end());
}

proto::bytes_view body_of(const std::vector<std::uint8_t>& frame) {
    FUZZ_CHECK(frame.size() >= proto::frame_header_size);
    return proto::bytes_view(frame).subspan(proto::frame_header_size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const int which = in.byte() % 4;
    const auto body = in.rest();
    std::vector<std::uint8_t> frame;

    switch (which) {
    case 0: {
        std::string_view authenticator_class;
        if (proto::decode_authenticate(body, authenticator_class)) return 0;
        FUZZ_CHECK(authenticator_class.data() >= reinterpret_cast<const char*>(body.data()));
        FUZZ_CHECK(!proto::encode_authenticate(frame, {}, authenticator_class));
        std::string_view again;
        FUZZ_CHECK(!proto::decode_authenticate(body_of(frame), again));
        FUZZ_CHECK(again == authenticator_class);
        break;
    }
    case 1:
    case 2: {
        const bool challenge = which == 1;
        proto::raw_value token;
        if (challenge ? proto::decode_auth_challenge(body, token) : proto::decode_auth_success(body, token)) return 0;
        FUZZ_CHECK(!token.is_not_set());
        FUZZ_CHECK(!(challenge ? proto::encode_auth_challenge(frame, {}, token)
                               : proto::encode_auth_success(frame, {}, token)));
        proto::raw_value again;
        FUZZ_CHECK(!(challenge ? proto::decode_auth_challenge(body_of(frame), again)
                               : proto::decode_auth_success(body_of(frame), again)));
        FUZZ_CHECK(same_token(token, again));
        break;
    }
    default: {
        // READY has no content: any body decodes (extra bytes are ignored).
        FUZZ_CHECK(!proto::decode_ready(body));
        FUZZ_CHECK(!proto::encode_ready(frame, {}));
        FUZZ_CHECK(frame.size() == proto::frame_header_size);
        break;
    }
    }
    return 0;
}

// Fuzzes the start-up exchange (transport/startup.hpp) with a hostile server.
//
// Input: byte 0 bit 0 says whether an authenticator (SASL PLAIN with a known user name and
// password) is configured; then a sequence of server frames, each
//   opcode (1 byte, any value), flags (1 byte; bit 7 also turns the frame into a request),
//   stream (2 bytes), body length n (2 bytes), n body bytes.
// The machine is driven as a connection drives it until it is done, fails or the input ends.
//
// Invariants: it only ever asks to send well-formed request frames (STARTUP first, then
// AUTH_RESPONSE, each with the start-up stream id and an exact length); an AUTH_RESPONSE goes
// out only after an AUTHENTICATE naming a password authenticator; it answers at most
// auth::max_challenge_rounds challenges; a failure carries an error code; and the password
// never appears in its diagnostics.
#include <string_view>
#include <vector>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/transport/startup.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;
namespace transport = cqlwire::transport;

namespace {

constexpr std::string_view password = "fuzz-password-7d1c";

bool mentions(std::string_view text, std::string_view secret) { return text.find(secret) != std::string_view::npos; }

// Checks one frame the machine wants sent; returns its opcode.
proto::opcode check_sent_frame(proto::bytes_view bytes) {
    FUZZ_CHECK(bytes.size() >= proto::frame_header_size);
    proto::frame_header header;
    FUZZ_CHECK(!proto::decode_frame_header(bytes, header));
    FUZZ_CHECK(header.version == proto::protocol_v4);
    FUZZ_CHECK(header.stream == transport::startup_stream_id);
    FUZZ_CHECK(header.length == bytes.size() - proto::frame_header_size);
    FUZZ_CHECK(header.op == proto::opcode::startup || header.op == proto::opcode::auth_response);
    return header.op;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const bool with_credentials = (in.byte() & 1u) != 0;
    cqlwire::auth::plain_text_authenticator authenticator("fuzzuser", password);
    transport::startup_config config;
    if (with_credentials) config.authenticator = &authenticator;
    transport::startup_machine machine(config);

    int sends = 0;
    transport::startup_action action = machine.resume();
    for (int step = 0; step < 64; ++step) {
        if (action.is_done() || action.is_failed()) break;
        if (action.is_send()) {
            const auto op = check_sent_frame(action.bytes);
            FUZZ_CHECK((sends == 0) == (op == proto::opcode::startup));
            if (op == proto::opcode::auth_response) {
                FUZZ_CHECK(with_credentials);
                FUZZ_CHECK(cqlwire::auth::is_password_authenticator(machine.server_authenticator()));
            }
            ++sends;
            action = machine.resume();
            continue;
        }
        FUZZ_CHECK(action.is_wait());
        if (in.remaining() == 0) break;
        proto::frame_header header;
        const std::uint8_t op = in.byte();
        header.op = static_cast<proto::opcode>(op);
        header.flags = in.byte();
        header.version = (header.flags & 0x80u) ? proto::protocol_v4 : proto::protocol_v4 | proto::response_direction_bit;
        header.flags &= 0x7Fu;
        header.stream = static_cast<std::int16_t>(in.u16());
        const auto body = in.take(in.u16());
        header.length = static_cast<std::uint32_t>(body.size());
        // An exact-size copy, so that the sanitizers see any read past the body.
        const std::vector<std::uint8_t> exact(body.begin(), body.end());
        action = machine.resume(header, exact);
    }

    FUZZ_CHECK(machine.challenge_rounds() <= cqlwire::auth::max_challenge_rounds);
    if (action.is_failed()) {
        FUZZ_CHECK(action.error);
        FUZZ_CHECK(machine.failed());
    }
    if (action.is_done()) FUZZ_CHECK(machine.done());
    FUZZ_CHECK(!mentions(machine.diagnostics().client_message(), password));
    FUZZ_CHECK(!mentions(machine.diagnostics().server_message(), password) ||
               mentions(cqlwire::fuzz::as_text({data, size}), password));
    return 0;
}

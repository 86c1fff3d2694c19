// Uses each installed library once: the codec (frame header and a uuid round trip), the
// authenticator and the transport's error category. Exits 0 when all agree.
#include <cqlwire/auth/plain_text_authenticator.hpp>
#include <cqlwire/protocol/frame_header.hpp>
#include <cqlwire/protocol/primitives.hpp>
#include <cqlwire/transport/errc.hpp>

#include <cstdio>

int main() {
    using namespace cqlwire;
    protocol::frame_header h;
    h.op = protocol::opcode::options;
    std::array<std::uint8_t, protocol::frame_header_size> bytes{};
    protocol::encode_frame_header(h, bytes);
    protocol::frame_header back;
    if (protocol::decode_frame_header(bytes, back) || back.op != protocol::opcode::options) return 1;

    auto id = protocol::parse_uuid("00000000-0000-4000-8000-000000000001");
    if (!id || protocol::to_string(*id) != "00000000-0000-4000-8000-000000000001") return 2;

    auth::plain_text_authenticator authn("user", "secret");
    auth::secret_bytes token;
    if (authn.initial_response("org.apache.cassandra.auth.PasswordAuthenticator", token) || token.size() != 12) return 3;

    auto ec = make_error_code(transport::errc::request_timeout);
    std::printf("cqlwire consumer OK (%s)\n", ec.message().c_str());
    return 0;
}

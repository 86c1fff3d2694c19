// Uses each installed library once: the codec (frame header and a uuid round trip), the
// authenticator, the transport's error category and the cluster's token arithmetic. Exits 0
// when all agree.
#include <cqlwire/auth/plain_text_authenticator.hpp>
#include <cqlwire/cluster/contact_points.hpp>
#include <cqlwire/cluster/session.hpp>
#include <cqlwire/cluster/token.hpp>
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

    // The token Cassandra gives the int 1 (its 4 bytes), and a contact point list.
    const std::uint8_t one[] = {0, 0, 0, 1};
    if (cluster::murmur3_token(one) != -4069959284402364209) return 4;
    std::vector<cluster::contact_point> points;
    protocol::diagnostics diag;
    if (cluster::parse_contact_points("10.0.0.1,10.0.0.2:9043", 9042, points, diag) || points.size() != 2) return 5;
    cluster::session empty;  // links the session's code
    if (empty.valid()) return 6;

    auto ec = make_error_code(transport::errc::request_timeout);
    std::printf("cqlwire consumer OK (%s)\n", ec.message().c_str());
    return 0;
}

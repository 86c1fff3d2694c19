#include "cqlwire/transport/errc.hpp"

#include <string>

namespace cqlwire::transport {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.transport"; }
    std::string message(int ev) const override {
        switch (static_cast<errc>(ev)) {
        case errc::resolve_failed: return "the host name could not be resolved";
        case errc::connect_failed: return "could not connect to any address of the host";
        case errc::connect_timeout: return "timed out connecting";
        case errc::handshake_timeout: return "timed out during the TLS handshake or CQL start-up";
        case errc::request_timeout: return "timed out waiting for the response";
        case errc::connection_closed: return "the server closed the connection";
        case errc::tls_config: return "the TLS settings are unusable";
        case errc::tls_handshake_failed: return "the TLS handshake failed";
        case errc::certificate_untrusted: return "the server's certificate is not trusted";
        case errc::certificate_name_mismatch: return "the server's certificate does not match the expected name";
        case errc::certificate_expired: return "the server's certificate has expired";
        case errc::certificate_not_yet_valid: return "the server's certificate is not yet valid";
        case errc::client_certificate_required: return "the server requires a client certificate";
        case errc::client_certificate_rejected: return "the server rejected the client certificate";
        case errc::server_expects_tls: return "the server expects TLS, but the client spoke plaintext";
        case errc::server_is_plaintext: return "the port speaks plaintext CQL, but the client expected TLS";
        case errc::authentication_failed: return "authentication failed";
        case errc::authenticator_not_allowed: return "the server's authenticator is not on the allow-list";
        case errc::credentials_required: return "the server requires authentication, but no credentials were given";
        case errc::too_many_auth_rounds: return "the authentication exchange went on for too many rounds";
        case errc::protocol_violation: return "the server violated the CQL protocol";
        case errc::unsupported_protocol_version: return "the server does not support the requested protocol version";
        case errc::stream_ids_exhausted: return "every stream id of the connection is in use";
        case errc::connection_broken: return "the connection failed before this request completed";
        case errc::certificate_login_refused: return "the server refused the certificate login";
        case errc::certificate_login_needs_certificate:
            return "the server logs in by client certificate, but this connection presented none";
        }
        return "unknown cqlwire.transport error " + std::to_string(ev);
    }
};

}  // namespace

const std::error_category& transport_category() noexcept {
    static const category_impl instance;
    return instance;
}

std::error_code make_error_code(errc e) noexcept { return {static_cast<int>(e), transport_category()}; }

}  // namespace cqlwire::transport

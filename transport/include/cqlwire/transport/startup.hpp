// The CQL start-up exchange as a sans-I/O state machine: no sockets, no Asio, no clocks.
//
//   STARTUP ──► READY                                                   ──► done
//           └─► AUTHENTICATE(class) ─► AUTH_RESPONSE ─► AUTH_SUCCESS    ──► done
//                                          ▲     │
//                                          └─────┴─ AUTH_CHALLENGE (at most auth::max_challenge_rounds)
//
// The driver (connection.cpp, a test, a fuzzer) calls resume() and does what the returned
// action says: send these bytes, then call resume() again; wait for one frame, then call
// resume(header, body) with it; or stop (done / failed). Every step can be tested alone.
//
// Rules it enforces:
//   - An AUTHENTICATE whose class is not one we answer (auth::login_method_of gives unknown)
//     fails with errc::authenticator_not_allowed before any credential is produced.
//   - Certificate login (MutualTlsAuthenticator; the fallback variant when a certificate was
//     presented) is answered with an EMPTY token (length 0, not null): the certificate is the
//     credential. The configured authenticator is told to forget() its password, never sent.
//     Without a presented certificate MutualTlsAuthenticator fails with
//     errc::certificate_login_needs_certificate; an ERROR 0x0100 after a certificate answer is
//     errc::certificate_login_refused, its message naming the certificate's identity and the
//     ADD IDENTITY statement that maps it.
//   - AUTHENTICATE for a password with no authenticator configured fails with
//     errc::credentials_required.
//   - READY is always acceptable: the server does not require authentication, or authenticated
//     the client by its certificate before it asked (early authentication). A configured
//     authenticator then forgets its unused password.
//   - ERROR 0x0100 is errc::authentication_failed; a protocol error about the protocol version is
//     errc::unsupported_protocol_version (the versions the server names are kept); any other
//     ERROR is its server code (protocol::server_errc). The server's text goes to
//     diagnostics().server_message(), never into client_message().
//   - Any other opcode, a frame on another stream, a request frame: errc::protocol_violation.
//
// Secrets: the AUTH_RESPONSE frame holds the password. The machine wipes its output buffer when
// the driver reports the write as done (the next resume()), on failure, and on destruction.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// The stream id the start-up exchange uses; nothing else is in flight on the connection yet.
inline constexpr std::int16_t startup_stream_id = 0;

struct CQLWIRE_TRANSPORT_API startup_config {
    // Answers AUTHENTICATE. Not owned: it must outlive the exchange. Null means "no credentials".
    auth::authenticator* authenticator = nullptr;
    // Optional STARTUP entries that identify the client to the server (shown in
    // system_views.clients); empty means "not sent". No COMPRESSION entry is sent: frames are
    // never compressed (a server would refuse "none").
    std::string_view driver_name = "cqlwire";
    std::string_view driver_version = "0.1.0";
    // The CQL_VERSION entry, which STARTUP must carry: the CQL version the client asks for
    // (Cassandra 5 checks only that it reads as a version).
    std::string_view cql_version = "3.0.0";
    // The protocol version of every frame: 4, or 3 (the bodies of the start-up exchange are
    // the same in both). connection::async_startup sets it from connection_options.
    std::uint8_t protocol_version = protocol::protocol_v4;
    // Whether the TLS handshake presented a client certificate (the server asked for one and we
    // had one), and that certificate's identity (its first URI subjectAltName, e.g. a SPIFFE
    // ID; empty when it has none). connection::async_startup fills both from its stream. The
    // first decides how a certificate authenticator is answered; the second only names the
    // certificate in messages.
    bool client_certificate_presented = false;
    std::string client_certificate_identity{};
};

struct CQLWIRE_TRANSPORT_API startup_action {
    enum class kind : std::uint8_t {
        send,        // write `bytes` (one whole frame), then call resume()
        wait_frame,  // read one frame, then call resume(header, body)
        done,        // the connection is ready for requests
        failed,      // `error` says why; diagnostics() says more
    };
    kind type = kind::failed;
    // For send: valid until the next call on the machine (it may hold a password: do not copy it
    // anywhere that is not wiped).
    protocol::bytes_view bytes;
    std::error_code error;  // for failed

    bool is_send() const noexcept { return type == kind::send; }
    bool is_wait() const noexcept { return type == kind::wait_frame; }
    bool is_done() const noexcept { return type == kind::done; }
    bool is_failed() const noexcept { return type == kind::failed; }
};

class CQLWIRE_TRANSPORT_API startup_machine {
public:
    explicit startup_machine(startup_config config) : config_(std::move(config)) {}
    ~startup_machine();
    startup_machine(const startup_machine&) = delete;
    startup_machine& operator=(const startup_machine&) = delete;

    // Starts the exchange (first call: send STARTUP) or reports that the last `send` was written
    // (then: wait for a frame). Calling it while a frame is awaited is a misuse and fails.
    startup_action resume();
    // Hands in the frame that was awaited. `body` is only read during the call.
    startup_action resume(const protocol::frame_header& header, protocol::bytes_view body);

    bool done() const noexcept { return state_ == state::done; }
    bool failed() const noexcept { return state_ == state::failed; }
    // After failure: the server's message, or what the client noticed. Never holds a secret.
    const protocol::diagnostics& diagnostics() const noexcept { return diag_; }
    // The class the server announced in AUTHENTICATE (empty if it answered READY).
    const std::string& server_authenticator() const noexcept { return server_authenticator_; }
    // The protocol versions an "unsupported version" error named, in the order given (may be empty).
    const std::vector<int>& server_supported_versions() const noexcept { return supported_versions_; }
    // How many AUTH_CHALLENGE rounds were answered.
    int challenge_rounds() const noexcept { return challenge_rounds_; }
    // Whether the login was (or is being) made with the client certificate instead of the
    // configured authenticator's credentials.
    bool certificate_login() const noexcept { return certificate_login_; }

private:
    enum class state : std::uint8_t {
        initial,
        sending_startup,
        awaiting_startup_reply,
        sending_auth_response,
        awaiting_auth_reply,
        done,
        failed,
    };

    startup_action fail(std::error_code ec, std::string_view client_message = {});
    startup_action on_error_frame(protocol::bytes_view body);
    startup_action on_authenticate(protocol::bytes_view body);
    startup_action answer_with_certificate();
    void forget_credentials() noexcept;
    startup_action on_challenge(protocol::bytes_view body);
    startup_action on_success(protocol::bytes_view body);
    startup_action send_auth_response(std::error_code token_error, const auth::secret_bytes& token);
    void wipe_output() noexcept;

    startup_config config_;
    state state_ = state::initial;
    std::vector<std::uint8_t> out_;
    protocol::diagnostics diag_;
    std::string server_authenticator_;
    std::vector<int> supported_versions_;
    int challenge_rounds_ = 0;
    bool certificate_login_ = false;
};

// The versions named in a server's "unsupported protocol version" message, e.g.
// "... supported versions are (3/v3, 4/v4, 5/v5)" gives {3, 4, 5}. Only digits are taken from
// the untrusted text; at most 16 versions.
CQLWIRE_TRANSPORT_API std::vector<int> parse_supported_versions(std::string_view server_message);

}  // namespace cqlwire::transport

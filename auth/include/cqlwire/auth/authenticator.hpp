// The SASL-shaped interface between the start-up exchange and a way of proving who we are.
//
// The exchange (transport/startup.hpp) calls initial_response() when the server sends
// AUTHENTICATE, evaluate_challenge() for each AUTH_CHALLENGE, and on_success() for
// AUTH_SUCCESS. Tokens are secrets: they are produced into secret_bytes, and an authenticator
// never logs them.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/auth/export.hpp"

namespace cqlwire::auth {

// The most AUTH_CHALLENGE rounds we answer before giving up: PLAIN needs none, DSE's PLAIN
// one; a server that keeps challenging is broken or hostile.
inline constexpr int max_challenge_rounds = 8;

class CQLWIRE_AUTH_API authenticator {
public:
    virtual ~authenticator() = default;

    // `server_authenticator` is the class name the server announced in AUTHENTICATE.
    [[nodiscard]] virtual std::error_code initial_response(std::string_view server_authenticator,
                                                           secret_bytes& out) = 0;
    [[nodiscard]] virtual std::error_code evaluate_challenge(std::span<const std::uint8_t> challenge,
                                                             secret_bytes& out) = 0;
    // Called once with the AUTH_SUCCESS token (possibly empty); also the moment to forget secrets.
    virtual void on_success(std::span<const std::uint8_t> token) = 0;
    // Called when the exchange ends without needing this authenticator: the server answered
    // READY at once (no authentication, or early authentication by the client certificate), or
    // it logs in by certificate and was answered with an empty token. Its secrets, never sent,
    // are forgotten here.
    virtual void forget() noexcept {}
};

// Errors an authenticator reports.
enum class auth_errc {
    unexpected_challenge = 1,  // a challenge the mechanism does not expect
    empty_username,            // SASL PLAIN cannot carry an empty user name
    nul_in_credentials,        // a NUL byte in the user name or password cannot be encoded
};
CQLWIRE_AUTH_API const std::error_category& auth_category() noexcept;
CQLWIRE_AUTH_API std::error_code make_error_code(auth_errc e) noexcept;

// How a server's announced authenticator class lets a client in.
enum class login_method {
    password,                  // SASL PLAIN with a user name and password
    certificate,               // the TLS client certificate's identity; the token is empty
    certificate_or_password,   // the certificate when one was presented, else the password
    unknown,                   // not one we answer: nothing is sent
};

// The login method of a class name a server may announce in AUTHENTICATE. Certificate login is
// Cassandra 5.0's MutualTlsAuthenticator; MutualTlsWithPasswordFallbackAuthenticator takes the
// certificate when there is one and the password otherwise.
CQLWIRE_AUTH_API login_method login_method_of(std::string_view class_name) noexcept;

// Authenticator class names a server may announce for which answering with a user name and
// password (SASL PLAIN) is right: login_method_of gives password or certificate_or_password.
// Anything else is refused before a password is sent.
CQLWIRE_AUTH_API bool is_password_authenticator(std::string_view class_name) noexcept;

}  // namespace cqlwire::auth

template <>
struct std::is_error_code_enum<cqlwire::auth::auth_errc> : std::true_type {};

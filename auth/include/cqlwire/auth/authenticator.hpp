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

namespace cqlwire::auth {

// The most AUTH_CHALLENGE rounds we answer before giving up: PLAIN needs none, DSE's PLAIN
// one; a server that keeps challenging is broken or hostile.
inline constexpr int max_challenge_rounds = 8;

class authenticator {
public:
    virtual ~authenticator() = default;

    // `server_authenticator` is the class name the server announced in AUTHENTICATE.
    [[nodiscard]] virtual std::error_code initial_response(std::string_view server_authenticator,
                                                           secret_bytes& out) = 0;
    [[nodiscard]] virtual std::error_code evaluate_challenge(std::span<const std::uint8_t> challenge,
                                                             secret_bytes& out) = 0;
    // Called once with the AUTH_SUCCESS token (possibly empty); also the moment to forget secrets.
    virtual void on_success(std::span<const std::uint8_t> token) = 0;
};

// Errors an authenticator reports.
enum class auth_errc {
    unexpected_challenge = 1,  // a challenge the mechanism does not expect
    empty_username,            // SASL PLAIN cannot carry an empty user name
    nul_in_credentials,        // a NUL byte in the user name or password cannot be encoded
};
const std::error_category& auth_category() noexcept;
std::error_code make_error_code(auth_errc e) noexcept;

// Authenticator class names a server may announce for which answering with a user name and
// password (SASL PLAIN) is right. Anything else is refused before a password is sent.
bool is_password_authenticator(std::string_view class_name) noexcept;

}  // namespace cqlwire::auth

template <>
struct std::is_error_code_enum<cqlwire::auth::auth_errc> : std::true_type {};

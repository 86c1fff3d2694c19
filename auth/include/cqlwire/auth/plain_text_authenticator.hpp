// SASL PLAIN with a user name and a password: the token is "\0user\0password".
//
// Against DataStax Enterprise's DseAuthenticator the mechanism is first named ("PLAIN") and the
// credentials follow its "PLAIN-START" challenge; every other allowed authenticator takes the
// credentials at once. The password is held in wiped memory and forgotten after success.
#pragma once

#include <string_view>

#include "cqlwire/auth/authenticator.hpp"
#include "cqlwire/auth/export.hpp"

namespace cqlwire::auth {

class CQLWIRE_AUTH_API plain_text_authenticator final : public authenticator {
public:
    plain_text_authenticator(std::string_view username, std::string_view password);

    std::error_code initial_response(std::string_view server_authenticator, secret_bytes& out) override;
    std::error_code evaluate_challenge(std::span<const std::uint8_t> challenge, secret_bytes& out) override;
    void on_success(std::span<const std::uint8_t> token) override;
    void forget() noexcept override;

private:
    std::error_code write_credentials(secret_bytes& out) const;

    secret_bytes username_;
    secret_bytes password_;
    bool awaiting_plain_start_ = false;
};

}  // namespace cqlwire::auth

#include "cqlwire/auth/plain_text_authenticator.hpp"

#include <algorithm>

namespace cqlwire::auth {
namespace {

constexpr std::string_view dse_authenticator = "com.datastax.bdp.cassandra.auth.DseAuthenticator";
constexpr std::string_view dse_mechanism = "PLAIN";
constexpr std::string_view dse_plain_start = "PLAIN-START";

bool has_nul(std::span<const std::uint8_t> b) { return std::find(b.begin(), b.end(), 0) != b.end(); }

}  // namespace

plain_text_authenticator::plain_text_authenticator(std::string_view username, std::string_view password)
    : username_(username), password_(password) {}

std::error_code plain_text_authenticator::write_credentials(secret_bytes& out) const {
    if (username_.empty()) return make_error_code(auth_errc::empty_username);
    if (has_nul(username_.view()) || has_nul(password_.view())) return make_error_code(auth_errc::nul_in_credentials);
    out.clear();
    out.push_back(0);
    out.append(username_.view());
    out.push_back(0);
    out.append(password_.view());
    return {};
}

std::error_code plain_text_authenticator::initial_response(std::string_view server_authenticator, secret_bytes& out) {
    if (server_authenticator == dse_authenticator) {
        awaiting_plain_start_ = true;
        out.clear();
        out.append(dse_mechanism);
        return {};
    }
    return write_credentials(out);
}

std::error_code plain_text_authenticator::evaluate_challenge(std::span<const std::uint8_t> challenge,
                                                             secret_bytes& out) {
    auto text = std::string_view(reinterpret_cast<const char*>(challenge.data()), challenge.size());
    if (awaiting_plain_start_ && text == dse_plain_start) {
        awaiting_plain_start_ = false;
        return write_credentials(out);
    }
    return make_error_code(auth_errc::unexpected_challenge);
}

void plain_text_authenticator::on_success(std::span<const std::uint8_t>) { forget(); }

void plain_text_authenticator::forget() noexcept {
    username_.clear();
    password_.clear();
}

}  // namespace cqlwire::auth

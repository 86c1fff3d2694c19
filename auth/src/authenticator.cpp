#include "cqlwire/auth/authenticator.hpp"

#include <array>
#include <string>

namespace cqlwire::auth {
namespace {

class category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.auth"; }
    std::string message(int ev) const override {
        switch (static_cast<auth_errc>(ev)) {
        case auth_errc::unexpected_challenge: return "the server sent an authentication challenge the mechanism does not expect";
        case auth_errc::empty_username: return "the user name is empty";
        case auth_errc::nul_in_credentials: return "the user name or password contains a NUL byte, which SASL PLAIN cannot carry";
        }
        return "unknown cqlwire.auth error " + std::to_string(ev);
    }
};

// Authenticators that take SASL PLAIN credentials: Cassandra's own and the compatible ones of
// common Cassandra distributions and services.
constexpr std::array<std::string_view, 6> password_authenticators{
    "org.apache.cassandra.auth.PasswordAuthenticator",
    "com.datastax.bdp.cassandra.auth.DseAuthenticator",
    "com.instaclustr.cassandra.auth.SharedSecretAuthenticator",
    "com.scylladb.auth.TransitionalAuthenticator",
    "com.ericsson.bss.cassandra.ecaudit.auth.AuditPasswordAuthenticator",
    "io.aiven.cassandra.auth.AivenAuthenticator",
};

// Cassandra 5.0's certificate logins: the identity comes from the TLS client certificate (by
// default its SPIFFE URI SAN) and is mapped to a role with ADD IDENTITY.
constexpr std::string_view certificate_authenticator = "org.apache.cassandra.auth.MutualTlsAuthenticator";
constexpr std::string_view certificate_or_password_authenticator =
    "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator";

}  // namespace

const std::error_category& auth_category() noexcept {
    static const category_impl instance;
    return instance;
}

std::error_code make_error_code(auth_errc e) noexcept { return {static_cast<int>(e), auth_category()}; }

login_method login_method_of(std::string_view class_name) noexcept {
    if (class_name == certificate_authenticator) return login_method::certificate;
    if (class_name == certificate_or_password_authenticator) return login_method::certificate_or_password;
    // Scylla announces its password authenticator under Cassandra's class name, so the list
    // above covers it too.
    for (auto known : password_authenticators)
        if (class_name == known) return login_method::password;
    return login_method::unknown;
}

bool is_password_authenticator(std::string_view class_name) noexcept {
    const login_method method = login_method_of(class_name);
    return method == login_method::password || method == login_method::certificate_or_password;
}

}  // namespace cqlwire::auth

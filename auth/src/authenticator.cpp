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

// Authenticators that take SASL PLAIN credentials: Cassandra's own, its mTLS-with-fallback
// variant, and the compatible ones of common Cassandra distributions and services.
constexpr std::array<std::string_view, 7> password_authenticators{
    "org.apache.cassandra.auth.PasswordAuthenticator",
    "org.apache.cassandra.auth.MutualTlsWithPasswordFallbackAuthenticator",
    "com.datastax.bdp.cassandra.auth.DseAuthenticator",
    "com.instaclustr.cassandra.auth.SharedSecretAuthenticator",
    "com.scylladb.auth.TransitionalAuthenticator",
    "com.ericsson.bss.cassandra.ecaudit.auth.AuditPasswordAuthenticator",
    "io.aiven.cassandra.auth.AivenAuthenticator",
};

}  // namespace

const std::error_category& auth_category() noexcept {
    static const category_impl instance;
    return instance;
}

std::error_code make_error_code(auth_errc e) noexcept { return {static_cast<int>(e), auth_category()}; }

bool is_password_authenticator(std::string_view class_name) noexcept {
    // Scylla announces its password authenticator under Cassandra's class name, so the list
    // above covers it too.
    for (auto known : password_authenticators)
        if (class_name == known) return true;
    return false;
}

}  // namespace cqlwire::auth

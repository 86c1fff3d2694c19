#include "cqlwire/transport/startup.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {
namespace {

using protocol::bytes_view;
using protocol::opcode;

// `text` as the body of a CQL string literal: quotes doubled.
std::string cql_string_body(std::string_view text) {
    std::string out;
    for (const char ch : text) {
        out.push_back(ch);
        if (ch == '\'') out.push_back('\'');
    }
    return out;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// What to tell a user whose certificate login the server refused, from what the certificate
// holds and what the server said (Cassandra 5.0's words: "Unable to extract Spiffe from the
// certificate", "Certificate identity '…' not authorized", or another reason such as a role
// without LOGIN). The ADD IDENTITY statement is offered only where it is the fix, and only
// when the identity is shown exactly (no escaped characters). The role is not ours to know.
std::string certificate_refusal_message(const std::string& identity, std::string_view server_text) {
    const bool is_spiffe = identity.starts_with("spiffe://");
    if (identity.empty() || (!is_spiffe && contains(server_text, "Spiffe"))) {
        std::string m = "the client certificate has no URI subjectAltName starting with spiffe:// for the server to "
                        "take an identity from";
        if (!identity.empty()) m += " (its URI is '" + identity + "')";
        return m + "; present a certificate that has one, mapped to a role with ADD IDENTITY 'spiffe://…' TO ROLE "
                   "'<role>'";
    }
    std::string m = "the identity '" + identity + "' (the client certificate's URI subjectAltName) was not let in";
    if (!contains(server_text, "not authorized")) return m;
    if (contains(identity, "\\")) {
        return m + "; if no role has it yet, map it with ADD IDENTITY (it holds characters shown escaped here: "
                   "take it from the certificate)";
    }
    return m + "; if no role has it yet, map it with ADD IDENTITY '" + cql_string_body(identity) + "' TO ROLE '<role>'";
}

bool mentions_protocol_version(std::string_view message) {
    // Cassandra's wording: "Invalid or unsupported protocol version (4); supported versions are
    // (...)"; other servers say "unsupported protocol version". Compared case-insensitively.
    return protocol::find_ignoring_ascii_case(message, "protocol version") != std::string_view::npos;
}

}  // namespace

std::vector<int> parse_supported_versions(std::string_view message) {
    // Takes the numbers written as "<n>/v<n>" after "supported versions are". Numbers are bounded
    // (at most two digits) and so is the list, whatever the server sends.
    std::vector<int> versions;
    constexpr std::string_view marker = "supported versions are";
    auto at = message.find(marker);
    if (at == std::string_view::npos) return versions;
    auto rest = message.substr(at + marker.size());
    for (std::size_t i = 0; i < rest.size() && versions.size() < 16; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(rest[i]))) continue;
        std::size_t j = i;
        int value = 0;
        while (j < rest.size() && j - i < 3 && std::isdigit(static_cast<unsigned char>(rest[j])))
            value = value * 10 + (rest[j++] - '0');
        if (j - i <= 2 && j + 1 < rest.size() && rest[j] == '/' && rest[j + 1] == 'v') versions.push_back(value);
        // Skip the whole run of digits, and the "/vN" that repeats the number.
        while (j < rest.size() && (std::isdigit(static_cast<unsigned char>(rest[j])) || rest[j] == '/' || rest[j] == 'v'))
            ++j;
        i = j;
    }
    return versions;
}

startup_machine::~startup_machine() { wipe_output(); }

void startup_machine::wipe_output() noexcept {
    auth::wipe(std::span<std::uint8_t>(out_.data(), out_.size()));
    out_.clear();
}

startup_action startup_machine::fail(std::error_code ec, std::string_view client_message) {
    wipe_output();
    state_ = state::failed;
    if (!client_message.empty()) diag_.set_client_message(client_message);
    return {startup_action::kind::failed, {}, ec};
}

startup_action startup_machine::resume() {
    switch (state_) {
    case state::initial: {
        std::array<protocol::string_map_entry, 3> options{};
        std::size_t n = 0;
        options[n++] = {"CQL_VERSION", config_.cql_version.empty() ? std::string_view("3.0.0") : config_.cql_version};
        if (!config_.driver_name.empty()) options[n++] = {"DRIVER_NAME", config_.driver_name};
        if (!config_.driver_version.empty()) options[n++] = {"DRIVER_VERSION", config_.driver_version};
        out_.clear();
        protocol::request_frame_options frame;
        frame.stream = startup_stream_id;
        frame.version = config_.protocol_version;
        if (auto ec = protocol::encode_startup(out_, frame, std::span(options.data(), n)))
            return fail(ec, "could not encode the STARTUP message");
        state_ = state::sending_startup;
        return {startup_action::kind::send, out_, {}};
    }
    case state::sending_startup:
        state_ = state::awaiting_startup_reply;
        return {startup_action::kind::wait_frame, {}, {}};
    case state::sending_auth_response:
        // The AUTH_RESPONSE frame held the credentials; now that it is written, forget it.
        wipe_output();
        state_ = state::awaiting_auth_reply;
        return {startup_action::kind::wait_frame, {}, {}};
    case state::done: return {startup_action::kind::done, {}, {}};
    case state::failed: return {startup_action::kind::failed, {}, make_error_code(errc::protocol_violation)};
    case state::awaiting_startup_reply:
    case state::awaiting_auth_reply: break;
    }
    return fail(make_error_code(errc::protocol_violation), "start-up exchange resumed without the awaited frame");
}

startup_action startup_machine::resume(const protocol::frame_header& h, bytes_view body) {
    if (state_ != state::awaiting_startup_reply && state_ != state::awaiting_auth_reply) {
        if (state_ == state::failed) return {startup_action::kind::failed, {}, make_error_code(errc::protocol_violation)};
        return fail(make_error_code(errc::protocol_violation), "start-up exchange received a frame it did not wait for");
    }
    if (!h.is_response()) return fail(make_error_code(errc::protocol_violation), "the server sent a request frame");
    if (h.protocol_version() != config_.protocol_version) {
        // A server that does not speak our version answers in its own, usually with an ERROR.
        if (h.op == opcode::error) {
            auto action = on_error_frame(body);
            if (action.error == errc::unsupported_protocol_version) return action;
        }
        return fail(make_error_code(errc::unsupported_protocol_version),
                    "the server answered with protocol version " + std::to_string(h.protocol_version()) +
                        " instead of " + std::to_string(config_.protocol_version));
    }
    if (h.has_flag(protocol::frame_flags::compression))
        return fail(make_error_code(errc::protocol_violation), "the server sent a compressed frame; none was negotiated");
    if (h.stream != startup_stream_id)
        return fail(make_error_code(errc::protocol_violation),
                    "the server answered the start-up on stream " + std::to_string(h.stream) + " instead of 0");

    protocol::response_prefix prefix;
    bytes_view message;
    if (protocol::decode_response_prefix(h, body, prefix, message))
        return fail(make_error_code(errc::protocol_violation), "the start-up response is malformed");

    if (h.op == opcode::error) return on_error_frame(message);
    if (state_ == state::awaiting_startup_reply) {
        if (h.op == opcode::ready) {
            // No login, or one the server made from the certificate before asking (early
            // authentication): a configured password is not needed.
            forget_credentials();
            state_ = state::done;
            return {startup_action::kind::done, {}, {}};
        }
        if (h.op == opcode::authenticate) return on_authenticate(message);
    } else {
        if (h.op == opcode::auth_challenge) return on_challenge(message);
        if (h.op == opcode::auth_success) return on_success(message);
    }
    return fail(make_error_code(errc::protocol_violation),
                std::string("the server answered with an unexpected ") + std::string(protocol::to_string(h.op)) +
                    (state_ == state::awaiting_startup_reply ? " to STARTUP" : " to AUTH_RESPONSE"));
}

startup_action startup_machine::on_error_frame(bytes_view message) {
    protocol::error_view error;
    if (protocol::decode_error(message, error))
        return fail(make_error_code(errc::protocol_violation), "the server sent a malformed ERROR message");
    const std::int32_t code = error.code;
    const std::string_view text = error.message;
    diag_.set_server_message(text);
    if (code == static_cast<std::int32_t>(protocol::server_errc::bad_credentials)) {
        if (certificate_login_) {
            return fail(make_error_code(errc::certificate_login_refused),
                        certificate_refusal_message(config_.client_certificate_identity, text));
        }
        return fail(make_error_code(errc::authentication_failed),
                    "the server rejected the credentials (user name or password)");
    }
    if (code == static_cast<std::int32_t>(protocol::server_errc::protocol_error) && mentions_protocol_version(text)) {
        supported_versions_ = parse_supported_versions(text);
        std::string m = "the server does not accept protocol v" + std::to_string(config_.protocol_version);
        if (!supported_versions_.empty()) {
            m += "; it names the versions";
            for (int v : supported_versions_) m += " " + std::to_string(v);
        }
        return fail(make_error_code(errc::unsupported_protocol_version), m);
    }
    if (protocol::is_known_server_error(code)) {
        return fail(make_error_code(static_cast<protocol::server_errc>(code)),
                    "the server refused the start-up: " + std::string(protocol::server_error_name(code)));
    }
    return fail(protocol::make_server_error_code(code),
                "the server refused the start-up with error code " + std::to_string(code));
}

startup_action startup_machine::on_authenticate(bytes_view message) {
    std::string_view class_name;
    if (protocol::decode_authenticate(message, class_name))
        return fail(make_error_code(errc::protocol_violation), "the server sent a malformed AUTHENTICATE message");
    server_authenticator_.assign(class_name);
    const auth::login_method method = auth::login_method_of(class_name);
    if (method == auth::login_method::certificate ||
        (method == auth::login_method::certificate_or_password && config_.client_certificate_presented)) {
        return answer_with_certificate();
    }
    if (method == auth::login_method::unknown) {
        // The class name is the server's text: it goes with the server's words, not ours.
        diag_.set_server_message(class_name);
        return fail(make_error_code(errc::authenticator_not_allowed),
                    "the server's authenticator is not one that takes a user name and password; "
                    "no credentials were sent");
    }
    if (config_.authenticator == nullptr) {
        diag_.set_server_message(class_name);
        return fail(make_error_code(errc::credentials_required),
                    "the server requires authentication; give a user name and password");
    }
    auth::secret_bytes token;
    auto ec = config_.authenticator->initial_response(class_name, token);
    return send_auth_response(ec, token);
}

startup_action startup_machine::answer_with_certificate() {
    if (!config_.client_certificate_presented) {
        diag_.set_server_message(server_authenticator_);
        return fail(make_error_code(errc::certificate_login_needs_certificate),
                    "the server's authenticator takes the identity of a TLS client certificate and none was "
                    "presented; no credentials were sent");
    }
    // The certificate is the credential: the token is empty, and a configured password is
    // forgotten rather than sent to a server that does not check it.
    forget_credentials();
    certificate_login_ = true;
    return send_auth_response({}, auth::secret_bytes{});
}

void startup_machine::forget_credentials() noexcept {
    if (config_.authenticator != nullptr) config_.authenticator->forget();
}

startup_action startup_machine::on_challenge(bytes_view message) {
    protocol::raw_value challenge;
    if (protocol::decode_auth_challenge(message, challenge))
        return fail(make_error_code(errc::protocol_violation), "the server sent a malformed AUTH_CHALLENGE message");
    if (challenge_rounds_ >= auth::max_challenge_rounds) {
        return fail(make_error_code(errc::too_many_auth_rounds),
                    "the server sent more than " + std::to_string(auth::max_challenge_rounds) +
                        " authentication challenges");
    }
    ++challenge_rounds_;
    if (certificate_login_) {
        // A certificate login has no second step: nothing we could answer would be right.
        return fail(make_error_code(auth::auth_errc::unexpected_challenge),
                    "the server challenged a certificate login, which has no challenge to answer");
    }
    auth::secret_bytes token;
    auto ec = config_.authenticator->evaluate_challenge(challenge.bytes, token);
    return send_auth_response(ec, token);
}

startup_action startup_machine::on_success(bytes_view message) {
    protocol::raw_value token;
    if (protocol::decode_auth_success(message, token))
        return fail(make_error_code(errc::protocol_violation), "the server sent a malformed AUTH_SUCCESS message");
    if (!certificate_login_) config_.authenticator->on_success(token.bytes);
    state_ = state::done;
    return {startup_action::kind::done, {}, {}};
}

startup_action startup_machine::send_auth_response(std::error_code token_error, const auth::secret_bytes& token) {
    if (token_error) {
        // The authenticator's own reason (empty user name, an unexpected challenge...) is the
        // code; the message says where it stopped, without saying the reason a second time.
        return fail(token_error, "the authenticator could not answer the server");
    }
    // Reserve the whole frame first so that no reallocation leaves a copy of the token behind.
    wipe_output();
    out_.reserve(protocol::frame_header_size + 4 + token.size());
    protocol::request_frame_options frame;
    frame.stream = startup_stream_id;
    frame.version = config_.protocol_version;
    if (auto ec = protocol::encode_auth_response(out_, frame, protocol::raw_value::of(token.view())))
        return fail(ec, "could not encode the AUTH_RESPONSE message");
    state_ = state::sending_auth_response;
    return {startup_action::kind::send, out_, {}};
}

}  // namespace cqlwire::transport

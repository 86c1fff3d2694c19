// Extra information about a failure, beside its error_code.
//
// What the client itself says (client_message) is kept apart from text that came from the
// server (server_message): the latter is untrusted input and is shown as a quotation, never
// interpreted. Neither may ever hold a secret.
#pragma once

#include <string>
#include <string_view>
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

class CQLWIRE_PROTOCOL_API diagnostics {
public:
    const std::string& client_message() const noexcept { return client_message_; }
    const std::string& server_message() const noexcept { return server_message_; }

    void set_client_message(std::string_view m) { client_message_.assign(m); }
    void set_server_message(std::string_view m) { server_message_.assign(m); }
    void clear() noexcept {
        client_message_.clear();
        server_message_.clear();
    }

private:
    std::string client_message_;
    std::string server_message_;
};

}  // namespace cqlwire::protocol

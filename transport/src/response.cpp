#include "cqlwire/transport/response.hpp"

#include "cqlwire/transport/errc.hpp"
#include "read_buffer.hpp"

namespace cqlwire::transport {

void response::retain(detail::read_block* block) noexcept { detail::retain(block); }
void response::release(detail::read_block* block) noexcept { detail::release(block); }

std::error_code server_error(const response& r, protocol::diagnostics& diag) {
    if (r.op() != protocol::opcode::error) return {};
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    protocol::error_view error;
    if (r.split_prefix(prefix, message) || protocol::decode_error(message, error)) {
        diag.set_client_message("the server sent a malformed ERROR message");
        return make_error_code(errc::protocol_violation);
    }
    diag.set_server_message(error.message);
    return error.error_code();
}

}  // namespace cqlwire::transport

// Decoding a RESULT response into a query_result.
#include "cqlwire/transport/query_result.hpp"

#include <string>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {

std::error_code query_result::from_response(response r, query_result& out, protocol::diagnostics& diag) {
    if (r.op() != protocol::opcode::result) {
        diag.set_client_message("expected a RESULT, the server sent opcode " +
                                std::to_string(static_cast<int>(r.op())));
        return make_error_code(errc::protocol_violation);
    }
    query_result q;
    q.response_ = std::move(r);
    protocol::bytes_view message;
    if (auto ec = q.response_.split_prefix(q.prefix_, message)) {
        diag.set_client_message("the RESULT's prefix (tracing id, warnings, custom payload) does not decode: " +
                                ec.message());
        return ec;
    }
    if (auto ec = protocol::decode_result(message, q.result_)) {
        diag.set_client_message("the RESULT does not decode: " + ec.message());
        return ec;
    }
    out = std::move(q);
    return {};
}

query_result query_result::from_server_error(response error_response) {
    query_result q;
    if (!error_response.empty() && error_response.op() == protocol::opcode::error)
        q.error_response_ = std::move(error_response);
    return q;
}

bool query_result::server_error(protocol::error_view& out) const noexcept {
    if (error_response_.empty()) return false;
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (error_response_.split_prefix(prefix, message)) return false;
    return !protocol::decode_error(message, out);
}

}  // namespace cqlwire::transport

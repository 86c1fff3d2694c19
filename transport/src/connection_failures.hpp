// Why a connection failed, in the user's words: I/O errors, TLS alerts, a server that closed
// without a word, and bytes that are not a CQL response (TLS records on a plaintext port, HTTP,
// another protocol version, lying headers). The connection calls these when it fails; each
// returns the errc and fills diag's client message (the server's own words, where it sent any,
// go to its server message).
#pragma once

#include <cstdint>
#include <optional>
#include <system_error>

#include <boost/system/error_code.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/stream.hpp"

namespace cqlwire::transport::detail {

// What the connection knew when it failed.
struct failure_context {
    stream& link;
    bool starting = false;                    // during the start-up exchange
    std::uint64_t bytes_received = 0;         // from the server, so far
    std::size_t pending = 0;                  // requests waiting for a response
    boost::system::error_code startup_write_error;  // a start-up write that met a closed connection
    std::uint8_t protocol_version = 4;
    std::uint32_t max_frame_body_length = 0;
};

// An error reading or writing the stream.
[[nodiscard]] std::error_code classify_io_error(const boost::system::error_code& ec, const failure_context& at,
                                                protocol::diagnostics& diag);
// A received frame the decoder refused (`ec`, a protocol::client_errc); `first_byte` and
// `buffered` are the decoder's view of the offending bytes.
[[nodiscard]] std::error_code classify_frame_error(std::error_code ec, std::optional<std::uint8_t> first_byte,
                                                   protocol::bytes_view buffered, const failure_context& at,
                                                   protocol::diagnostics& diag);

// The ways an I/O error says that the server ended the connection (no alert read, no TLS error).
bool is_closed_by_server(const boost::system::error_code& ec);

}  // namespace cqlwire::transport::detail

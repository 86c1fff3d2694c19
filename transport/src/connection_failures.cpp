#include "connection_failures.hpp"

#include <cstdio>
#include <string>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/peer_bytes.hpp"
#include "cqlwire/transport/startup.hpp"
#include "cqlwire/transport/tls_diagnosis.hpp"

namespace cqlwire::transport::detail {

namespace asio = boost::asio;

bool is_closed_by_server(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

namespace {

// A reset rather than an orderly close: ECONNRESET, or EPIPE once a reset was reported.
bool is_reset(const boost::system::error_code& ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

// The server ended the connection during the start-up exchange without sending a byte. It said
// nothing, so the verdict rests on how it closed and on what the TLS handshake showed, and the
// messages say "most likely" where that is an inference.
std::error_code classify_silent_close(const boost::system::error_code& ec, const failure_context& at,
                                      protocol::diagnostics& diag) {
    if (const tls_handshake_record* record = at.link.tls_record()) {
        const int version = at.link.tls_version();
        if (auto verdict = classify_close_after_handshake(*record, version, diag)) return verdict;
        diag.set_client_message("right after the TLS handshake, before answering STARTUP");
        return make_error_code(errc::connection_closed);
    }
    // A TLS port (Cassandra's, for one) resets a connection whose first bytes are not a TLS
    // handshake, without a byte in return; a CQL server answers STARTUP or closes in order.
    if (is_reset(ec) || is_reset(at.startup_write_error)) {
        diag.set_client_message("most likely, as it reset the connection without answering STARTUP, which a TLS port "
                                "does with bytes that are not a TLS handshake");
        return make_error_code(errc::server_expects_tls);
    }
    diag.set_client_message("without answering STARTUP");
    return make_error_code(errc::connection_closed);
}

}  // namespace

std::error_code classify_io_error(const boost::system::error_code& ec, const failure_context& at,
                                  protocol::diagnostics& diag) {
    if (auto tls = classify_post_handshake_error(ec, at.link.tls_record(), diag)) return tls;
    if (is_closed_by_server(ec)) {
        if (at.starting && at.bytes_received == 0) return classify_silent_close(ec, at, diag);
        std::string m = is_reset(ec) ? "by a reset, " : "";
        if (at.starting)
            m += "during the CQL start-up exchange";
        else if (at.pending > 0)
            m += "while " + std::to_string(at.pending) + (at.pending == 1 ? " request was" : " requests were") +
                 " waiting for a response";
        else
            m += "while no request was waiting";
        diag.set_client_message(m);
        return make_error_code(errc::connection_closed);
    }
    const tls_handshake_record* record = at.link.tls_record();
    if (record != nullptr && record->alert_received) {
        // An alert that is no verdict on our certificate, named in our words rather than
        // OpenSSL's. Before the server's first byte of CQL it ends what, under TLS 1.3, is
        // still its side of the handshake: a TLS failure, not a network one.
        const std::string alert = tls_alert_name(record->alert_received->description);
        if (at.starting && at.bytes_received == 0) {
            diag.set_client_message("TLS: the server ended the connection with alert " + alert +
                                    " right after the TLS handshake, before answering STARTUP");
            return make_error_code(errc::tls_handshake_failed);
        }
        diag.set_client_message("TLS: the server ended the connection with alert " + alert);
        return make_error_code(errc::connection_broken);
    }
    diag.set_client_message("reading from the server failed: " + ec.message());
    return make_error_code(errc::connection_broken);
}

std::error_code classify_frame_error(std::error_code ec, std::optional<std::uint8_t> first_byte, protocol::bytes_view buffered,
                                     const failure_context& at, protocol::diagnostics& diag) {
    using protocol::client_errc;
    if (ec == client_errc::bad_version) {
        const auto first = first_byte.value_or(0);
        if (!at.link.is_tls() && (first == 0x15 || first == 0x16)) {
            diag.set_client_message(
                "the server answered with a TLS record: the port expects TLS, but the connection is plaintext");
            return make_error_code(errc::server_expects_tls);
        }
        const auto answered = identify_peer_bytes(buffered);
        if (answered.kind == peer_bytes_kind::http) {
            diag.set_client_message("an HTTP server answered (\"" + answered.http_status_line +
                                    "\"); this port serves HTTP, not CQL: check the host and port");
            return make_error_code(errc::protocol_violation);
        }
        if ((first & protocol::response_direction_bit) != 0 &&
            first != (at.protocol_version | protocol::response_direction_bit)) {
            std::string m = "the server answered in protocol version " + std::to_string(first & 0x7F) +
                            " instead of " + std::to_string(at.protocol_version);
            // Its ERROR names the versions it speaks (untrusted text: quoted, digits parsed).
            if (const auto text = protocol_error_message(buffered)) {
                diag.set_server_message(*text);
                const auto versions = parse_supported_versions(*text);
                if (!versions.empty()) {
                    m += "; it supports protocol versions";
                    for (std::size_t i = 0; i < versions.size(); ++i)
                        m += (i == 0 ? " " : ", ") + std::to_string(versions[i]);
                }
            }
            diag.set_client_message(m);
            return make_error_code(errc::unsupported_protocol_version);
        }
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", first);
        diag.set_client_message(std::string("the server sent a frame starting with byte ") + hex +
                                ", which is not a CQL v4 response");
        return make_error_code(errc::protocol_violation);
    }
    if (ec == client_errc::compression_unsupported) {
        diag.set_client_message("the server sent a compressed frame, but no compression was negotiated");
        return make_error_code(errc::protocol_violation);
    }
    // The header's fields, for naming the one that lies (the decoder read all nine bytes).
    const auto header = buffered.first(
        std::min(buffered.size(), protocol::frame_header_size));
    const auto announced = header.size() < protocol::frame_header_size
                               ? std::uint32_t{0}
                               : std::uint32_t{header[5]} << 24 | std::uint32_t{header[6]} << 16 |
                                     std::uint32_t{header[7]} << 8 | std::uint32_t{header[8]};
    if (ec == client_errc::frame_too_large) {
        diag.set_client_message("the server sent a frame header announcing a body of " + std::to_string(announced) +
                                " bytes, beyond the limit of " + std::to_string(at.max_frame_body_length) +
                                " bytes");
        return make_error_code(errc::protocol_violation);
    }
    if (ec == client_errc::length_out_of_range && header.size() == protocol::frame_header_size) {
        // A body length is a signed [int]: the spec allows none below zero.
        diag.set_client_message("the server sent a frame header announcing a negative body length (" +
                                std::to_string(static_cast<std::int32_t>(announced)) + ")");
        return make_error_code(errc::protocol_violation);
    }
    if (ec == client_errc::unknown_opcode && header.size() == protocol::frame_header_size) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", header[4]);
        diag.set_client_message(std::string("the server sent a frame with opcode ") + hex +
                                ", which the CQL protocol does not define");
        return make_error_code(errc::protocol_violation);
    }
    diag.set_client_message("the server sent an invalid frame: " + ec.message());
    return make_error_code(errc::protocol_violation);
}

}  // namespace cqlwire::transport::detail

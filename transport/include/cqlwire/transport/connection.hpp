// One CQL v4 connection: the start-up exchange, then requests multiplexed over stream ids.
//
// What it guarantees:
//   - Up to 32768 requests in flight, each on its own stream id; responses are matched by id,
//     in whatever order the server sends them. EVENT frames (stream -1) go to the event handler.
//   - A request that times out (connection_options::request_timeout) completes with
//     errc::request_timeout and its id is quarantined until the late response arrives, which is
//     then dropped: a response can never reach a request it was not meant for. One that times
//     out before its frame was written (held back, or queued behind a server slow to read) is
//     never sent: the next write drops its frame and frees its id.
//   - Requests queued while a write is under way (or issued in the same turn of the event loop)
//     leave in one write, so that over TLS they share records.
//   - When the connection fails, every pending request completes with the error that broke it
//     — none is left waiting — and so does every later request (and a later start-up):
//     failure() is that error, and failure_diagnostics() (which the blocking calls copy into
//     their `diag`) says what happened. So a frame that breaks the protocol is
//     errc::protocol_violation or unsupported_protocol_version for every request, a TLS alert
//     refusing our certificate client_certificate_rejected, the server closing the connection
//     connection_closed, an I/O error or close() by the client connection_broken. A request
//     that ends with failure()'s error was not answered (nothing was misdelivered): it may be
//     sent again on another connection.
//   - Incoming frames are checked: a TLS record where a CQL frame was expected is
//     errc::server_expects_tls, another protocol version is errc::unsupported_protocol_version,
//     a compressed frame (none is negotiated), a response to an id nobody waits for or a body
//     beyond connection_options::max_frame_body_length is errc::protocol_violation. A TLS alert
//     rejecting our client certificate (TLS 1.3 sends it after the handshake, so it surfaces at
//     the first read) is errc::client_certificate_rejected / client_certificate_required.
//   - A server that ends the connection during the start-up exchange before sending a byte is
//     judged by what it showed (tls_diagnosis.hpp): after a TLS 1.3 handshake that asked for a
//     client certificate, client_certificate_required / _rejected ("most likely"); over
//     plaintext, a reset is errc::server_expects_tls ("most likely": a TLS port resets
//     plaintext), an orderly close errc::connection_closed. When writing STARTUP fails because
//     the server already reset the connection, what it sent before (an alert) is read first.
//
// Two API forms:
//   - Asynchronous, with any Asio completion token: a callback, asio::use_future,
//     asio::use_awaitable. Completion signature void(std::error_code, response); with
//     use_future the result is std::future<std::tuple<std::error_code, response>>, with
//     use_awaitable `auto [ec, r] = co_await c.async_query(...)`. Initiation may happen on any
//     thread: the request is encoded at once (so the caller's views need only live during the
//     call) and handed to the connection's executor.
//   - Blocking, (…, std::error_code&, diagnostics&) and a throwing overload (std::system_error).
//     They wait through run_blocking (blocking.hpp): the calling thread runs the connection's
//     io_context until the operation is done, alongside any other thread that runs it (the
//     connection's strand keeps its handlers on one thread at a time). Called from inside one
//     of its handlers they fail at once with std::errc::resource_deadlock_would_occur
//     (waiting there could never end).
//
// A server ERROR frame is a response like any other, but the operation's error_code is then
// the server's code (protocol::server_errc); server_error() gives the message.
//
// Threading: the connection's state lives on a strand over its stream's executor (the stream's
// own, when it already is a strand), which get_executor() returns: an io_context run by any
// number of threads, or a thread pool, may carry a connection. Handlers run on their own
// associated executor (the connection's strand by default), never inside the initiating call.
// Lifetime: `connection` is a handle; pending operations keep the internals alive, and
// destroying the handle (or close()) closes the stream, completing them.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/frame_encoder_ref.hpp"
#include "cqlwire/transport/response.hpp"
#include "cqlwire/transport/startup.hpp"
#include "cqlwire/transport/stream.hpp"
#include "cqlwire/transport/stream_ids.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

struct CQLWIRE_TRANSPORT_API connection_options {
    // How long a request waits for its response; zero or negative: no limit.
    std::chrono::milliseconds request_timeout{12000};
    // How long the start-up exchange (STARTUP ... READY / AUTH_SUCCESS) may take; zero or
    // negative: no limit. Running out is errc::handshake_timeout.
    std::chrono::milliseconds startup_timeout{5000};
    // The largest frame body accepted; a bigger one breaks the connection (protocol_violation).
    std::uint32_t max_frame_body_length = protocol::max_frame_body_length;
    // The protocol version spoken: 4, or 3 for servers (or tests) that need it. Every request
    // frame's version byte is set to it, and responses must carry it. (v5 framing is not
    // implemented.)
    std::uint8_t protocol_version = protocol::protocol_v4;
    // How many stream ids to use (at most max_stream_ids); fewer for tests or frail servers.
    std::size_t stream_ids = max_stream_ids;
    // The most request bytes held while the server is slow to take them (queued plus being
    // written). A request that would go beyond fails at once with std::errc::no_buffer_space
    // rather than being buffered; one request larger than this is still taken when nothing
    // else waits. So a server that stops reading costs at most max(this, one request).
    std::size_t max_pending_write_bytes = 64u * 1024u * 1024u;
    // How long a request may wait for others before its frame is written, so that requests
    // issued close together leave in one write: fewer system calls, and fewer wake-ups of the
    // server, for up to this much latency. Only a request issued while others on this
    // connection await their answers is held (a lone request is not); one issued while a write
    // is under way goes out when that write completes, and a held write that reaches 64 KiB
    // (or half of max_pending_write_bytes, if less) goes out at once. The time held counts
    // against the request's timeout: keep it far below (one that times out while held is
    // not sent). At most one hour. Zero or negative: written at the end of the current turn
    // of the event loop (requests issued in one turn still leave together).
    std::chrono::microseconds write_coalesce_delay{0};
};

// Per-request settings.
struct CQLWIRE_TRANSPORT_API request_options {
    // Overrides connection_options::request_timeout when set (> 0); zero keeps the default.
    std::chrono::milliseconds timeout{0};
};

using response_signature = void(std::error_code, response);
using startup_signature = void(std::error_code);

// A request already encoded (done eagerly, so that no caller view has to outlive the call,
// whatever the completion token defers).
struct CQLWIRE_TRANSPORT_API encoded_request {
    std::vector<std::uint8_t> frame;
    std::error_code error;  // the encoder's failure, reported through the completion
};

// One frame crossing the connection, as a frame observer sees it (set_frame_observer).
// Lifetime: `body` is valid only during the observer's call. It is the body exactly as on the
// wire, so an AUTH_RESPONSE carries the login token: format it with inspect::frame_tracer
// (cqlwire/inspect/frame_trace.hpp), which masks secrets, rather than printing it.
struct frame_event {
    enum class direction : std::uint8_t { sent, received };
    std::chrono::system_clock::time_point time;  // when it was handed to the stream / decoded
    direction dir = direction::sent;
    protocol::frame_header header;
    protocol::bytes_view body;
};
using frame_observer = std::function<void(const frame_event&)>;

namespace detail {
class connection_impl;
}  // namespace detail

class CQLWIRE_TRANSPORT_API connection {
public:
    using executor_type = boost::asio::any_io_executor;

    // An empty handle: every operation fails with errc::connection_broken.
    connection() = default;
    // Takes a connected (and, for TLS, handshaken) stream. No I/O happens until async_startup
    // or a request.
    explicit connection(stream s, connection_options options = {});
    connection(connection&&) noexcept = default;
    connection& operator=(connection&&) noexcept;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection();

    bool valid() const noexcept { return impl_ != nullptr; }
    executor_type get_executor() const;
    const connection_options& options() const;
    // Whether the stream is TLS (false for an empty handle).
    bool is_tls() const;

    // Closes the stream. Pending requests complete with errc::connection_broken.
    // Thread-safe (it is carried out on the connection's executor).
    void close();

    // Empty while the connection works; otherwise what broke it (connection_closed when the
    // server closed it, server_expects_tls, protocol_violation, client_certificate_rejected...),
    // with failure_diagnostics() explaining. Read these on the connection's executor (or, with
    // the blocking API, after a call returned).
    std::error_code failure() const;
    protocol::diagnostics failure_diagnostics() const;

    // How many requests wait for a response, and how many ids are quarantined (timed out, no
    // late response yet). For tests and monitoring; read on the connection's executor.
    std::size_t pending_requests() const;
    std::size_t quarantined_stream_ids() const;
    // Request bytes accepted but not yet written (bounded by max_pending_write_bytes).
    std::size_t pending_write_bytes() const;

    // Called on the connection's executor with every EVENT frame (after REGISTER). Set before
    // sending REGISTER; a null handler drops events.
    void set_event_handler(std::function<void(response)> handler);

    // Called on the connection's executor with every frame sent (just before it is written, in
    // the order written) and every frame received (as soon as it is decoded, before it is
    // dispatched), start-up frames included. Set it before async_startup to see those. With
    // no observer the paths cost one test of an empty std::function. The observer must not
    // call back into this connection's blocking API.
    void set_frame_observer(frame_observer observer);

    // ---- Start-up (STARTUP → READY, or the SASL exchange) ----------------------------------
    // Must complete before any request is sent. `config.authenticator` and `diag` must outlive
    // the operation. On failure the connection is closed and `diag` says why.
    template <class CompletionToken>
    auto async_startup(const startup_config& config, protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, startup_signature>(
            [impl = impl_](auto handler, startup_config c, protocol::diagnostics* d) {
                start_startup(impl, c, *d, boost::asio::any_completion_handler<startup_signature>(std::move(handler)));
            },
            token, config, &diag);
    }
    [[nodiscard]] std::error_code startup(const startup_config& config, protocol::diagnostics& diag);

    // ---- Requests ----------------------------------------------------------------------------
    // The general form: `encode` appends one whole request frame to the vector it is given; it
    // is called before this returns.
    template <class CompletionToken>
    auto async_request(frame_encoder_ref encode, const request_options& options, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, response_signature>(
            [impl = impl_](auto handler, encoded_request r, request_options o) {
                start_request(impl, std::move(r), o,
                              boost::asio::any_completion_handler<response_signature>(std::move(handler)));
            },
            token, encode_request(encode), options);
    }
    template <class CompletionToken>
    auto async_request(frame_encoder_ref encode, CompletionToken&& token) {
        return async_request(encode, request_options{}, std::forward<CompletionToken>(token));
    }

    // QUERY with the given parameters (views: they need live only during this call).
    template <class CompletionToken>
    auto async_query(std::string_view cql, const protocol::query_parameters& parameters, CompletionToken&& token) {
        auto encode = [&](std::vector<std::uint8_t>& out) {
            return protocol::encode_query(out, protocol::request_frame_options{}, cql, parameters);
        };
        return async_request(encode, request_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_query(std::string_view cql, CompletionToken&& token) {
        return async_query(cql, protocol::query_parameters{}, std::forward<CompletionToken>(token));
    }

    // Blocking forms. On failure the returned response is empty, except for a server ERROR,
    // which is returned too (ec is the server's code, diag.server_message() its message).
    response request(frame_encoder_ref encode, const request_options& options, std::error_code& ec,
                     protocol::diagnostics& diag);
    response query(std::string_view cql, const protocol::query_parameters& parameters, std::error_code& ec,
                   protocol::diagnostics& diag);
    response query(std::string_view cql, std::error_code& ec, protocol::diagnostics& diag) {
        return query(cql, protocol::query_parameters{}, ec, diag);
    }
    // Throwing form: std::system_error whose what() carries the messages (never a secret).
    response query(std::string_view cql, const protocol::query_parameters& parameters = {});

private:
    encoded_request encode_request(frame_encoder_ref encode) const;
    static void start_startup(const std::shared_ptr<detail::connection_impl>& impl, const startup_config& config,
                              protocol::diagnostics& diag,
                              boost::asio::any_completion_handler<startup_signature> handler);
    static void start_request(const std::shared_ptr<detail::connection_impl>& impl, encoded_request request,
                              const request_options& options,
                              boost::asio::any_completion_handler<response_signature> handler);

    std::shared_ptr<detail::connection_impl> impl_;
};
// A strand over `ex` of the kind a connection makes for itself: over an io_context's executor,
// one whose hops cost no heap allocation. Connections whose streams are given it share it (and
// keep it), so that several connections and the code above them run on one strand: a cluster
// session keeps its state and every pool's connections on one.
CQLWIRE_TRANSPORT_API boost::asio::any_io_executor make_connection_strand(const boost::asio::any_io_executor& ex);
// Whether the calling thread runs inside `strand`, one make_connection_strand returned (false
// for any other executor): what dispatching to it asks, without the type-erased call.
CQLWIRE_TRANSPORT_API bool running_in_connection_strand(const boost::asio::any_io_executor& strand) noexcept;

// The exception the throwing overloads raise: code() is the error; what() joins the client's
// message and the server's (quoted).
CQLWIRE_TRANSPORT_API std::system_error make_system_error(std::error_code ec, const protocol::diagnostics& diag);

}  // namespace cqlwire::transport

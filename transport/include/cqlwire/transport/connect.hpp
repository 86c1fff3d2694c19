// Opening a connection: resolve the host, try each address (IPv4 and IPv6, in resolver order)
// until one accepts, then — when TLS is configured — run the TLS handshake with the server's
// chain and name verified. Each phase has its own timeout and its own error:
//
//   resolve_failed      the host name did not resolve
//   connect_timeout     resolution, or every TCP attempt that did not fail outright, ran out of time
//   connect_failed      every address refused or was unreachable (the message lists them all)
//   handshake_timeout   TCP connected but the TLS handshake did not finish in time
//   certificate_* / client_certificate_* / server_is_plaintext / tls_handshake_failed
//                       the handshake failed; see tls_diagnosis.hpp
//
// Two forms: async_connect with any Asio completion token (callback, asio::use_future,
// asio::use_awaitable, ...), and a blocking connect(). Both fill a protocol::diagnostics with
// a message naming the cause; neither throws for a connection failure.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/stream.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

struct CQLWIRE_TRANSPORT_API connect_options {
    // The host to dial: a DNS name or an IP literal ("::1" or "[::1]"). Unless the
    // tls_context has a server_name, it is also the name the server's certificate must carry.
    std::string host;
    std::uint16_t port = 9042;
    // When not empty, these addresses are tried in order instead of resolving `host` (e.g. a
    // peer's address learnt from system.peers); `host` still names the server for TLS and
    // messages.
    std::vector<boost::asio::ip::tcp::endpoint> endpoints;
    // Bounds name resolution, and each TCP connection attempt separately.
    std::chrono::milliseconds connect_timeout{5000};
    // Bounds the TLS handshake once TCP is connected.
    std::chrono::milliseconds handshake_timeout{5000};
    // TLS settings; null for plaintext.
    std::shared_ptr<tls_context> tls;
    // When not empty, the name the server's certificate must carry (and the SNI sent) for this
    // connection, ahead of the tls_context's server_name and `host`: a cluster session checks
    // each node under its own name with one shared context.
    std::string server_name;
};

using connect_signature = void(std::error_code, stream);

// async_connect with the handler type-erased: the function async_connect calls, which a program
// using it links to.
CQLWIRE_TRANSPORT_API void start_async_connect(boost::asio::any_io_executor ex, connect_options options,
                                               protocol::diagnostics& diag,
                                               boost::asio::any_completion_handler<connect_signature> handler);

// Connects asynchronously. Completes with (error, stream): on success the error is empty and
// the stream is connected (and handshaken, with TLS); on failure the stream is closed and
// `diag` holds the message. `diag` must outlive the operation; `options` is copied.
// The stream's socket uses `ex`; the operation's own steps run on a strand over it, so any
// number of threads may run `ex`. The handler runs on its associated executor (`ex` by default).
// Cancellation (a bound cancellation slot) is not supported; use the timeouts.
// With asio::use_future the result is std::future<std::tuple<std::error_code, stream>>, with
// asio::use_awaitable `auto [ec, s] = co_await async_connect(...)`.
template <class CompletionToken>
auto async_connect(boost::asio::any_io_executor ex, connect_options options, protocol::diagnostics& diag,
                   CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, connect_signature>(
        [](auto handler, boost::asio::any_io_executor e, connect_options o, protocol::diagnostics* d) {
            start_async_connect(std::move(e), std::move(o), *d,
                                boost::asio::any_completion_handler<connect_signature>(std::move(handler)));
        },
        token, std::move(ex), std::move(options), &diag);
}

// Connects and waits (run_blocking, blocking.hpp): runs `ioc` on the calling thread, alongside
// any other thread that runs it, until the connection is made or has failed; called from
// inside one of `ioc`'s handlers it fails at once with std::errc::resource_deadlock_would_occur.
// On success `out` holds the stream (bound to `ioc`); on failure `out` is empty.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code connect(boost::asio::io_context& ioc, const connect_options& options,
                                      std::optional<stream>& out, protocol::diagnostics& diag);

}  // namespace cqlwire::transport

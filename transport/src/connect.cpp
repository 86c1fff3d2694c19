#include "cqlwire/transport/connect.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <openssl/ssl.h>

#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/internal/stream.hpp"
#include "cqlwire/transport/internal/tls_context.hpp"
#include "cqlwire/transport/internal/tls_verify.hpp"
#include "cqlwire/transport/tls_diagnosis.hpp"

namespace cqlwire::transport {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

using protocol::strip_brackets;

std::string endpoint_text(const tcp::endpoint& ep) { return protocol::endpoint_text(ep.address().to_string(), ep.port()); }

std::string millis(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

// Everything one connect operation owns. Shared between the composed operation and the
// timeout handler, which may still be queued when the operation completes. Both run on
// `strand`, so that the timer's cancellation never meets a step of the operation on another
// thread when several threads run the executor (a blocking connect runs it on its caller).
struct connect_state {
    connect_state(const asio::any_io_executor& ex, connect_options o, protocol::diagnostics& d)
        : executor(ex), strand(asio::make_strand(ex)), options(std::move(o)), diag(d), resolver(ex), socket(ex),
          timer(ex) {}

    asio::any_io_executor executor;  // the stream's: what the caller gave
    asio::strand<asio::any_io_executor> strand;
    connect_options options;
    protocol::diagnostics& diag;
    tcp::resolver resolver;
    tcp::socket socket;
    asio::steady_timer timer;

    std::vector<tcp::endpoint> endpoints;
    std::size_t next_endpoint = 0;
    std::string attempts;           // "127.0.0.1:9042 (Connection refused); ..."
    bool any_attempt_timed_out = false;

    std::optional<tls_stream> tls;
    std::unique_ptr<tls_handshake_record> record;

    // Each timed step gets a new number; a timer callback acts only if its step is current,
    // so a late expiry can never cancel the step after it.
    unsigned step = 0;
    bool timed_out = false;

    tcp::socket& tcp_layer() { return tls ? tls->next_layer() : socket; }
};

void arm_timer(const std::shared_ptr<connect_state>& st, std::chrono::milliseconds timeout) {
    const unsigned step = ++st->step;
    st->timed_out = false;
    st->timer.expires_after(timeout);
    st->timer.async_wait(asio::bind_executor(st->strand, [st, step](const boost::system::error_code& ec) {
        if (ec || st->step != step) return;
        st->timed_out = true;
        boost::system::error_code ignored;
        st->resolver.cancel();
        st->tcp_layer().cancel(ignored);
    }));
}

void disarm_timer(connect_state& st) {
    ++st.step;
    st.timer.cancel();
}

struct connect_op {
    enum class phase { start, resolving, connecting, handshaking };

    std::shared_ptr<connect_state> st;
    phase at = phase::start;

    template <class Self>
    void operator()(Self& self) {
        connect_state& s = *st;
        s.diag.clear();
        if (!s.options.endpoints.empty()) {
            s.endpoints = s.options.endpoints;
            try_next_endpoint(self);
            return;
        }
        if (s.options.host.empty()) {
            fail(self, errc::resolve_failed, "no host to connect to was given");
            return;
        }
        // An address literal needs no resolver: Asio's runs on a thread of its own, whose start
        // is a measurable part of a one-shot command's cold start.
        boost::system::error_code not_literal;
        const auto literal = asio::ip::make_address(strip_brackets(s.options.host), not_literal);
        if (!not_literal) {
            s.endpoints.emplace_back(literal, s.options.port);
            try_next_endpoint(self);
            return;
        }
        at = phase::resolving;
        arm_timer(st, s.options.connect_timeout);
        s.resolver.async_resolve(strip_brackets(s.options.host), std::to_string(s.options.port),
                                 tcp::resolver::numeric_service, std::move(self));
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec, tcp::resolver::results_type results) {
        connect_state& s = *st;
        disarm_timer(s);
        if (ec) {
            if (s.timed_out) {
                fail(self, errc::connect_timeout,
                     "resolving '" + s.options.host + "' did not finish within " + millis(s.options.connect_timeout));
            } else {
                fail(self, errc::resolve_failed, "could not resolve '" + s.options.host + "': " + ec.message());
            }
            return;
        }
        for (const auto& entry : results) s.endpoints.push_back(entry.endpoint());
        if (s.endpoints.empty()) {
            fail(self, errc::resolve_failed, "'" + s.options.host + "' resolved to no address");
            return;
        }
        try_next_endpoint(self);
    }

    template <class Self>
    void operator()(Self& self, boost::system::error_code ec) {
        if (at == phase::connecting)
            on_connected(self, ec);
        else
            on_handshaken(self, ec);
    }

private:
    template <class Self>
    void try_next_endpoint(Self& self) {
        connect_state& s = *st;
        while (s.next_endpoint < s.endpoints.size()) {
            const tcp::endpoint& ep = s.endpoints[s.next_endpoint];
            boost::system::error_code ec;
            s.socket.close(ec);
            s.socket.open(ep.protocol(), ec);
            if (ec) {
                note_attempt(endpoint_text(ep) + " (" + ec.message() + ")");
                ++s.next_endpoint;
                continue;
            }
            at = phase::connecting;
            arm_timer(st, s.options.connect_timeout);
            s.socket.async_connect(ep, std::move(self));
            return;
        }
        const std::string where = s.options.host.empty() ? std::string("the server")
                                                         : "'" + s.options.host + "' port " + std::to_string(s.options.port);
        if (s.any_attempt_timed_out) {
            fail(self, errc::connect_timeout, "could not connect to " + where + " in time; tried " + s.attempts);
        } else {
            fail(self, errc::connect_failed, "could not connect to " + where + "; tried " + s.attempts);
        }
    }

    void note_attempt(const std::string& outcome) {
        st->attempts += (st->attempts.empty() ? "" : "; ") + outcome;
    }

    template <class Self>
    void on_connected(Self& self, boost::system::error_code ec) {
        connect_state& s = *st;
        disarm_timer(s);
        const tcp::endpoint ep = s.endpoints[s.next_endpoint++];
        if (ec) {
            // A completion that raced the timer with success is kept; only failures count.
            if (s.timed_out) {
                s.any_attempt_timed_out = true;
                note_attempt(endpoint_text(ep) + " (timed out after " + millis(s.options.connect_timeout) + ")");
            } else {
                note_attempt(endpoint_text(ep) + " (" + ec.message() + ")");
            }
            try_next_endpoint(self);
            return;
        }
        boost::system::error_code ignored;
        s.socket.set_option(tcp::no_delay(true), ignored);  // CQL frames are small and latency-bound
        if (!s.options.tls) {
            s.diag.clear();
            self.complete(std::error_code{}, stream(std::move(s.socket)));
            return;
        }

        tls_context& ctx = *s.options.tls;
        s.tls.emplace(std::move(s.socket), ctx.internals().asio_context());
        // Asio asks OpenSSL to free its record buffers whenever they are empty, which on a
        // connection with one request at a time means two 16 KiB allocations per request. A
        // CQL connection is long-lived and busy: it keeps them (about 34 KiB per connection).
        SSL_clear_mode(s.tls->native_handle(), SSL_MODE_RELEASE_BUFFERS);
        // The identity and trust in service now: renewed files on disk are read again here.
        ctx.internals().prepare_session(s.tls->native_handle());
        s.record = std::make_unique<tls_handshake_record>();
        const std::string expected = !s.options.server_name.empty() ? s.options.server_name
                                     : ctx.server_name().empty()       ? s.options.host
                                                                       : ctx.server_name();
        if (auto prep = prepare_tls_session(s.tls->native_handle(), expected, ctx.verify(), *s.record, s.diag)) {
            finish(self, prep);
            return;
        }
        at = phase::handshaking;
        arm_timer(st, s.options.handshake_timeout);
        s.tls->async_handshake(asio::ssl::stream_base::client, std::move(self));
    }

    template <class Self>
    void on_handshaken(Self& self, boost::system::error_code ec) {
        connect_state& s = *st;
        disarm_timer(s);
        if (!ec) {
            s.diag.clear();
            self.complete(std::error_code{}, make_tls_stream(std::move(*s.tls), std::move(s.record)));
            return;
        }
        if (s.timed_out) {
            fail(self, errc::handshake_timeout,
                 "connected to " + endpoint_text(s.endpoints[s.next_endpoint - 1]) +
                     ", but the TLS handshake did not complete within " + millis(s.options.handshake_timeout) +
                     "; the server may not speak TLS on this port, or is overloaded");
            return;
        }
        finish(self, diagnose_handshake_failure(ec, *s.record, s.diag));
    }

    template <class Self>
    void fail(Self& self, errc code, const std::string& message) {
        st->diag.set_client_message(message);
        finish(self, code);
    }

    // Completes with an error whose message is already in diag.
    template <class Self>
    void finish(Self& self, std::error_code code) {
        connect_state& s = *st;
        boost::system::error_code ignored;
        s.tcp_layer().close(ignored);
        self.complete(code, stream(s.executor));
    }
};

}  // namespace

void start_async_connect(asio::any_io_executor ex, connect_options options, protocol::diagnostics& diag,
                         asio::any_completion_handler<connect_signature> handler) {
    auto st = std::make_shared<connect_state>(ex, std::move(options), diag);
    auto strand = st->strand;
    // The operation's steps run on the strand (its handler's associated executor); the caller's
    // handler is then handed to its own executor.
    auto deliver = asio::bind_executor(
        strand, [ex, h = std::move(handler)](std::error_code ec, stream s) mutable {
            auto target = asio::get_associated_executor(h, ex);
            asio::dispatch(target, [h = std::move(h), ec, s = std::move(s)]() mutable { std::move(h)(ec, std::move(s)); });
        });
    asio::async_compose<decltype(deliver), connect_signature>(connect_op{std::move(st)}, deliver, strand);
}

std::error_code connect(asio::io_context& ioc, const connect_options& options, std::optional<stream>& out,
                        protocol::diagnostics& diag) {
    out.reset();
    std::error_code result;
    auto start = [&](auto done) {
        async_connect(ioc.get_executor(), options, diag, [&result, &out, done](std::error_code ec, stream s) {
            result = ec;
            if (!ec) out.emplace(std::move(s));
            done();
        });
    };
    if (auto ec = run_blocking(ioc.get_executor(), start)) {
        diag.set_client_message(ec == std::errc::operation_canceled
                                    ? "the I/O context stopped before the connection attempt finished"
                                    : "a blocking call cannot run here: " + ec.message());
        return ec == std::errc::operation_canceled ? make_error_code(errc::connection_broken) : ec;
    }
    return result;
}

}  // namespace cqlwire::transport

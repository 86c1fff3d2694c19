// The byte stream a CQL connection runs over: either a plain TCP socket or a TLS stream over
// one, chosen at connect time. It models Asio's AsyncReadStream / AsyncWriteStream and
// SyncReadStream / SyncWriteStream, so boost::asio::async_read, async_write, read and write
// work on it unchanged; completion signatures are Asio's (boost::system::error_code, size_t).
//
// Threading: like any Asio I/O object, one stream must not have two reads (or two writes) in
// flight at once, and its operations must run on one thread or strand.
// Lifetime: a TLS stream owns its tls_handshake_record at a stable address, so moving the stream
// keeps the OpenSSL callbacks valid; the SSL_CTX is reference-counted by OpenSSL, so the
// tls_context it came from may be released before the stream.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>
#include <variant>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "cqlwire/transport/tls_verify.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API stream {
public:
    using executor_type = boost::asio::any_io_executor;
    using tcp_socket = boost::asio::ip::tcp::socket;
    using tls_stream = boost::asio::ssl::stream<tcp_socket>;

    // A plain stream that is not connected (what connect() hands back with an error).
    explicit stream(const executor_type& ex) : layer_(std::in_place_type<tcp_socket>, ex) {}
    // A connected plaintext stream.
    explicit stream(tcp_socket socket) : layer_(std::in_place_type<tcp_socket>, std::move(socket)) {}
    // A TLS stream whose handshake completed, with the record its callbacks fill.
    stream(tls_stream tls, std::unique_ptr<tls_handshake_record> record)
        : record_(std::move(record)), layer_(std::in_place_type<tls_stream>, std::move(tls)) {}

    stream(stream&&) = default;
    stream& operator=(stream&&) = default;

    bool is_tls() const noexcept { return std::holds_alternative<tls_stream>(layer_); }
    bool is_open() const { return socket().is_open(); }

    executor_type get_executor() noexcept { return socket().get_executor(); }

    // The TCP layer: endpoints, socket options, cancel().
    tcp_socket& socket() noexcept {
        if (auto* t = std::get_if<tls_stream>(&layer_)) return t->next_layer();
        return std::get<tcp_socket>(layer_);
    }
    const tcp_socket& socket() const noexcept {
        if (auto* t = std::get_if<tls_stream>(&layer_)) return t->next_layer();
        return std::get<tcp_socket>(layer_);
    }
    // The TLS layer, or null for a plaintext stream.
    tls_stream* tls() noexcept { return std::get_if<tls_stream>(&layer_); }
    // What the handshake revealed, or null for a plaintext stream. Pass it to
    // classify_post_handshake_error (tls_diagnosis.hpp) when the first read fails.
    const tls_handshake_record* tls_record() const noexcept { return record_.get(); }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
        return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBufferSequence& b) {
                if (auto* t = std::get_if<tls_stream>(&layer_))
                    t->async_read_some(b, std::move(handler));
                else
                    std::get<tcp_socket>(layer_).async_read_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
        return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBufferSequence& b) {
                if (auto* t = std::get_if<tls_stream>(&layer_))
                    t->async_write_some(b, std::move(handler));
                else
                    std::get<tcp_socket>(layer_).async_write_some(b, std::move(handler));
            },
            token, buffers);
    }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
        return std::visit([&](auto& s) { return s.read_some(buffers, ec); }, layer_);
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
        return std::visit([&](auto& s) { return s.write_some(buffers, ec); }, layer_);
    }
    // Throwing forms, as SyncReadStream / SyncWriteStream require.
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        return std::visit([&](auto& s) { return s.read_some(buffers); }, layer_);
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers) {
        return std::visit([&](auto& s) { return s.write_some(buffers); }, layer_);
    }

    // Closes the TCP socket at once (no TLS close_notify); pending operations complete with
    // operation_aborted. Safe to call on a closed stream.
    void close() noexcept {
        boost::system::error_code ignored;
        socket().shutdown(tcp_socket::shutdown_both, ignored);
        socket().close(ignored);
    }

private:
    // Declared first so that it is destroyed last: the SSL in layer_ points at it.
    std::unique_ptr<tls_handshake_record> record_;
    std::variant<tcp_socket, tls_stream> layer_;
};

}  // namespace cqlwire::transport

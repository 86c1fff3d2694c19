// The byte stream a CQL connection runs over: either a plain TCP socket or a TLS stream over
// one, chosen at connect time. It models Asio's AsyncReadStream / AsyncWriteStream and
// SyncReadStream / SyncWriteStream, so boost::asio::async_read, async_write, read and write
// work on it unchanged; completion signatures are Asio's (boost::system::error_code, size_t).
//
// The TLS layer (OpenSSL, through Asio's ssl::stream) is not part of this header: it lives
// behind an opaque tls_layer, reached through a type-erased completion handler
// (erased_io_handler.hpp) that keeps the handler's associated executor, allocator and
// cancellation slot. So an operation bound to an allocator (asio::bind_allocator) gets all of
// its memory from that allocator, over TLS as over plain TCP: the erased handler and the TLS
// operation are two allocations from it, alive at the same time. A read or write over TLS transfers into (from) the first non-empty buffer of
// the sequence only, as Asio's ssl::stream itself does; async_read / async_write loop as usual.
//
// Threading: like any Asio I/O object, one stream must not have two reads (or two writes) in
// flight at once, and its operations must run on one thread or strand.
// Lifetime: a TLS stream owns its tls_handshake_record at a stable address, so moving the stream
// keeps the OpenSSL callbacks valid; the OpenSSL context is reference-counted by OpenSSL, so the
// tls_context it came from may be released before the stream.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/system_error.hpp>

#include "cqlwire/transport/erased_io_handler.hpp"
#include "cqlwire/transport/tls_verify.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API stream {
public:
    using executor_type = boost::asio::any_io_executor;
    using tcp_socket = boost::asio::ip::tcp::socket;
    // The TLS session and its record. Opaque here: it is defined by the internal header
    // cqlwire/transport/internal/stream.hpp (not installed), for transport's own sources and
    // the project's tools and tests.
    class tls_layer;
    // What a TLS read or write completes through.
    using completion_handler = detail::erased_io_handler;

    // A plain stream that is not connected (what connect() hands back with an error).
    explicit stream(const executor_type& ex);
    // A connected plaintext stream.
    explicit stream(tcp_socket socket);
    // A TLS stream whose handshake completed (made by connect()).
    explicit stream(std::unique_ptr<tls_layer> tls) noexcept;

    // A moved-from stream may only be closed, asked is_open() (false), assigned to or destroyed.
    stream(stream&&) noexcept;
    stream& operator=(stream&&) noexcept;
    ~stream();

    bool is_tls() const noexcept { return tls_ != nullptr; }
    bool is_open() const { return (plain_ || tls_) && socket().is_open(); }

    executor_type get_executor() noexcept { return socket().get_executor(); }

    // The TCP layer: endpoints, socket options, cancel().
    tcp_socket& socket() noexcept { return plain_ ? *plain_ : tls_socket(); }
    const tcp_socket& socket() const noexcept { return plain_ ? *plain_ : tls_socket(); }
    // The negotiated TLS version as OpenSSL numbers it (0x0303 for TLS 1.2, 0x0304 for TLS 1.3),
    // or 0 for a plaintext stream.
    int tls_version() const noexcept;
    // What the handshake revealed, or null for a plaintext stream. Pass it to
    // classify_post_handshake_error (tls_diagnosis.hpp) when the first read fails.
    const tls_handshake_record* tls_record() const noexcept;
    // The TLS layer, or null for a plaintext stream; usable only with the internal header.
    tls_layer* tls_internals() noexcept { return tls_.get(); }

    template <class MutableBufferSequence, class ReadToken>
    auto async_read_some(const MutableBufferSequence& buffers, ReadToken&& token) {
        return boost::asio::async_initiate<ReadToken, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const MutableBufferSequence& b) {
                if (plain_)
                    plain_->async_read_some(b, std::move(handler));
                else
                    async_read_tls(first_buffer<boost::asio::mutable_buffer>(b),
                                   completion_handler(std::move(handler), get_executor()));
            },
            token, buffers);
    }

    template <class ConstBufferSequence, class WriteToken>
    auto async_write_some(const ConstBufferSequence& buffers, WriteToken&& token) {
        return boost::asio::async_initiate<WriteToken, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, const ConstBufferSequence& b) {
                if (plain_)
                    plain_->async_write_some(b, std::move(handler));
                else
                    async_write_tls(first_buffer<boost::asio::const_buffer>(b),
                                    completion_handler(std::move(handler), get_executor()));
            },
            token, buffers);
    }

    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers, boost::system::error_code& ec) {
        if (plain_) return plain_->read_some(buffers, ec);
        return read_tls(first_buffer<boost::asio::mutable_buffer>(buffers), ec);
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers, boost::system::error_code& ec) {
        if (plain_) return plain_->write_some(buffers, ec);
        return write_tls(first_buffer<boost::asio::const_buffer>(buffers), ec);
    }
    // Throwing forms, as SyncReadStream / SyncWriteStream require.
    template <class MutableBufferSequence>
    std::size_t read_some(const MutableBufferSequence& buffers) {
        boost::system::error_code ec;
        const std::size_t n = read_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec, "read_some");
        return n;
    }
    template <class ConstBufferSequence>
    std::size_t write_some(const ConstBufferSequence& buffers) {
        boost::system::error_code ec;
        const std::size_t n = write_some(buffers, ec);
        if (ec) throw boost::system::system_error(ec, "write_some");
        return n;
    }

    // Closes the TCP socket at once (no TLS close_notify); pending operations complete with
    // operation_aborted. Safe to call on a closed stream.
    void close() noexcept {
        if (!plain_ && !tls_) return;
        boost::system::error_code ignored;
        socket().shutdown(tcp_socket::shutdown_both, ignored);
        socket().close(ignored);
    }

private:
    // The first non-empty buffer of a sequence (an empty one when all are): what a TLS record
    // layer reads into or writes from, one buffer at a time.
    template <class Buffer, class Sequence>
    static Buffer first_buffer(const Sequence& buffers) noexcept {
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers);
             ++it) {
            Buffer b(*it);
            if (b.size() != 0) return b;
        }
        return Buffer();
    }

    tcp_socket& tls_socket() noexcept;
    const tcp_socket& tls_socket() const noexcept;
    void async_read_tls(boost::asio::mutable_buffer buffer, completion_handler handler);
    void async_write_tls(boost::asio::const_buffer buffer, completion_handler handler);
    std::size_t read_tls(boost::asio::mutable_buffer buffer, boost::system::error_code& ec);
    std::size_t write_tls(boost::asio::const_buffer buffer, boost::system::error_code& ec);

    // Exactly one of the two is set, except in a moved-from stream (neither).
    std::optional<tcp_socket> plain_;
    std::unique_ptr<tls_layer> tls_;
};

}  // namespace cqlwire::transport

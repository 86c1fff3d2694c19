#include "cqlwire/transport/stream.hpp"

#include <openssl/ssl.h>

#include "cqlwire/transport/internal/stream.hpp"

namespace cqlwire::transport {

stream::stream(const executor_type& ex) : plain_(std::in_place, ex) {}
stream::stream(tcp_socket socket) : plain_(std::in_place, std::move(socket)) {}
stream::stream(std::unique_ptr<tls_layer> tls) noexcept : tls_(std::move(tls)) {}

stream::stream(stream&&) noexcept = default;
stream& stream::operator=(stream&&) noexcept = default;
stream::~stream() = default;

int stream::tls_version() const noexcept { return tls_ ? SSL_version(tls_->tls.native_handle()) : 0; }

const tls_handshake_record* stream::tls_record() const noexcept { return tls_ ? tls_->record.get() : nullptr; }

stream::tcp_socket& stream::tls_socket() noexcept { return tls_->tls.next_layer(); }
const stream::tcp_socket& stream::tls_socket() const noexcept { return tls_->tls.next_layer(); }

void stream::async_read_tls(boost::asio::mutable_buffer buffer, completion_handler handler) {
    tls_->tls.async_read_some(buffer, std::move(handler));
}

void stream::async_write_tls(boost::asio::const_buffer buffer, completion_handler handler) {
    tls_->tls.async_write_some(buffer, std::move(handler));
}

std::size_t stream::read_tls(boost::asio::mutable_buffer buffer, boost::system::error_code& ec) {
    return tls_->tls.read_some(buffer, ec);
}

std::size_t stream::write_tls(boost::asio::const_buffer buffer, boost::system::error_code& ec) {
    return tls_->tls.write_some(buffer, ec);
}

}  // namespace cqlwire::transport

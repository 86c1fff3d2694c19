// Internal to cqlwire, not installed: the TLS side of transport::stream, for transport's own
// sources and for the project's tools and tests (target cqlwire_transport_internal). An
// application never sees it; it uses stream's OpenSSL-free interface (stream.hpp).
#pragma once

#include <memory>
#include <utility>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "cqlwire/transport/stream.hpp"
#include "cqlwire/transport/tls_verify.hpp"

#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

using tls_stream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;

class CQLWIRE_TRANSPORT_API stream::tls_layer {
public:
    tls_layer(tls_stream s, std::unique_ptr<tls_handshake_record> r) : record(std::move(r)), tls(std::move(s)) {}

    // Declared first so that it is destroyed last: the SSL in `tls` points at it.
    std::unique_ptr<tls_handshake_record> record;
    tls_stream tls;
};

// A stream over a TLS stream whose handshake completed, with the record its callbacks fill.
inline stream make_tls_stream(tls_stream tls, std::unique_ptr<tls_handshake_record> record) {
    return stream(std::make_unique<stream::tls_layer>(std::move(tls), std::move(record)));
}

// The Asio TLS stream of `s`, or null for a plaintext stream.
inline tls_stream* tls_stream_of(stream& s) noexcept {
    stream::tls_layer* layer = s.tls_internals();
    return layer ? &layer->tls : nullptr;
}

}  // namespace cqlwire::transport

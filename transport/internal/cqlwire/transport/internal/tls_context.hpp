// Internal to cqlwire, not installed: the OpenSSL side of transport::tls_context, for
// transport's own sources and for the project's tools and tests (target
// cqlwire_transport_internal). An application never sees it; it uses tls_context.hpp.
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <openssl/ssl.h>

#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/tls_options.hpp"

#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API tls_context::impl {
public:
    impl();
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl();

    // The Asio context, for constructing ssl::stream objects. Settings must not be changed
    // once connections use it.
    boost::asio::ssl::context& asio_context() noexcept { return context_; }
    SSL_CTX* native_handle() noexcept { return context_.native_handle(); }

    // Gives `ssl` (made from asio_context(), not yet handshaken) the client identity and trust
    // anchors in service now, reading the files again first when they changed on disk. Safe to
    // call from several threads at once. Never fails: a replacement that cannot be used leaves
    // the previous material in service (and is reported through on_reload_failure).
    void prepare_session(SSL* ssl);
    // How many times changed files were read again and put in service.
    std::uint64_t reloads() const;

    // Starts following the files of `options`, with their stamps taken now: before they are
    // read, so that a change during the read is noticed later rather than missed.
    void watch_files(const tls_options& options);

private:
    // The files rotation watches, their stamps, and the material read from them (tls_rotation.hpp).
    struct rotation_state;

    boost::asio::ssl::context context_;
    std::unique_ptr<rotation_state> rotation_;
};

}  // namespace cqlwire::transport

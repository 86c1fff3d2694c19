// A small in-process server on loopback for the transport tests. It runs on its own thread and
// io_context, and speaks one of three ways:
//   tls        TLS with the given certificate; may require a client certificate. After a
//              successful handshake it writes "hello" and then drains what the client sends.
//   plaintext  no TLS: whatever arrives, it answers with the bytes of a CQL v4 ERROR frame
//              header and closes, as a plaintext CQL port would answer a TLS ClientHello.
//   http       no TLS: whatever arrives, it answers with an HTTP/1.1 400 response and closes,
//              as a web server answers a TLS ClientHello or a CQL frame.
//   banner     no TLS: whatever arrives, it answers with a line of text of no protocol the
//              client knows (an SSH server's greeting) and closes.
//   silent     accepts TCP and never says anything (for the handshake timeout).
//   hang_up    accepts TCP and closes it at once.
//   reset      reads the first bytes the client sends, then resets the connection (RST) without
//              a byte in return: what Cassandra's TLS port does with plaintext CQL.
// It records the SNI of every ClientHello it sees ("" when none was sent).
#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace cqlwire::test {

class tls_test_server {
public:
    enum class mode { tls, plaintext, http, banner, silent, hang_up, reset };

    struct options {
        mode how = mode::tls;
        std::string certificate_chain_file;  // leaf first, then intermediates
        std::string private_key_file;
        std::string client_ca_file;          // not empty: ask for a client certificate
        bool require_client_certificate = false;
        // The alert for a client certificate that fails verification: 0 for OpenSSL's own choice
        // (unknown_ca...), or internal_error (80) / handshake_failure (40), which name no cause,
        // the way some servers answer an untrusted client certificate.
        int untrusted_client_certificate_alert = 0;
        int min_version = TLS1_2_VERSION;
        int max_version = 0;                 // 0: no upper bound
        bool ipv6 = false;                   // listen on ::1 instead of 127.0.0.1
        // mode::tls under TLS 1.2: instead of writing "hello", ask the client to renegotiate at
        // once (HelloRequest). A client that refuses gets OpenSSL's fatal handshake_failure
        // alert before any application data: an alert that is no verdict on a certificate.
        bool renegotiate_after_handshake = false;
        // OpenSSL security level of the server (-1: the build's default). 0 lets it present
        // weak keys and signatures and speak TLS 1.0/1.1, so that the CLIENT's refusal is tested.
        int security_level = -1;
    };

    // The options of a server that speaks `how`, the rest left at their defaults.
    static options speaking(mode how) {
        options o;
        o.how = how;
        return o;
    }

    explicit tls_test_server(options o)
        : options_(std::move(o)), ssl_(boost::asio::ssl::context::tls_server), acceptor_(io_) {
        SSL_CTX* ctx = ssl_.native_handle();
        if (options_.security_level >= 0) SSL_CTX_set_security_level(ctx, options_.security_level);
        SSL_CTX_set_min_proto_version(ctx, options_.min_version);
        if (options_.max_version != 0) SSL_CTX_set_max_proto_version(ctx, options_.max_version);
        if (options_.how == mode::tls) {
            ssl_.use_certificate_chain_file(options_.certificate_chain_file);
            ssl_.use_private_key_file(options_.private_key_file, boost::asio::ssl::context::pem);
        }
        if (!options_.client_ca_file.empty()) {
            ssl_.load_verify_file(options_.client_ca_file);
            // The CA names sent in CertificateRequest.
            SSL_CTX_set_client_CA_list(ctx, SSL_load_client_CA_file(options_.client_ca_file.c_str()));
            int verify_mode = SSL_VERIFY_PEER;
            if (options_.require_client_certificate) verify_mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
            SSL_verify_cb callback = nullptr;
            if (options_.untrusted_client_certificate_alert == 80) callback = &fail_with_internal_error;
            else if (options_.untrusted_client_certificate_alert == 40) callback = &fail_with_handshake_failure;
            else if (options_.untrusted_client_certificate_alert != 0)
                throw std::invalid_argument("tls_test_server: no way to send alert " +
                                            std::to_string(options_.untrusted_client_certificate_alert));
            SSL_CTX_set_verify(ctx, verify_mode, callback);
        }
        SSL_CTX_set_tlsext_servername_callback(ctx, &servername_callback);
        SSL_CTX_set_tlsext_servername_arg(ctx, this);

        const auto address = options_.ipv6 ? boost::asio::ip::make_address("::1")
                                           : boost::asio::ip::make_address("127.0.0.1");
        const boost::asio::ip::tcp::endpoint ep(address, 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(boost::asio::ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        accept_next();
        thread_ = std::thread([this] { io_.run(); });
    }

    ~tls_test_server() {
        io_.stop();
        thread_.join();
        // The server thread has ended: its objects may be touched from here.
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        for (auto& s : held_) s->close(ignored);
    }

    tls_test_server(const tls_test_server&) = delete;
    tls_test_server& operator=(const tls_test_server&) = delete;

    std::uint16_t port() const noexcept { return port_; }

    std::vector<std::string> sni_seen() const {
        std::lock_guard<std::mutex> lock(mutex_);
        return sni_;
    }
    int handshakes_completed() const noexcept { return handshakes_completed_.load(); }
    int handshakes_failed() const noexcept { return handshakes_failed_.load(); }

private:
    using tcp = boost::asio::ip::tcp;
    using tls_stream = boost::asio::ssl::stream<tcp::socket>;

    // OpenSSL picks the alert for a failed verification from the X509 error: these two errors
    // map to internal_error and handshake_failure.
    static int fail_with_internal_error(int ok, X509_STORE_CTX* store) {
        if (ok == 0) X509_STORE_CTX_set_error(store, X509_V_ERR_UNSPECIFIED);
        return ok;
    }
    static int fail_with_handshake_failure(int ok, X509_STORE_CTX* store) {
        if (ok == 0) X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
        return ok;
    }

    static int servername_callback(SSL* ssl, int* /*alert*/, void* arg) {
        auto* self = static_cast<tls_test_server*>(arg);
        const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        std::lock_guard<std::mutex> lock(self->mutex_);
        self->sni_.emplace_back(name != nullptr ? name : "");
        return SSL_TLSEXT_ERR_OK;
    }

    void accept_next() {
        acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
            if (ec) return;
            switch (options_.how) {
            case mode::tls: serve_tls(std::move(socket)); break;
            case mode::plaintext: reply_and_close(std::move(socket), cql_error_reply()); break;
            case mode::http: reply_and_close(std::move(socket), http_error_reply()); break;
            case mode::banner: reply_and_close(std::move(socket), ssh_banner()); break;
            case mode::silent: held_.push_back(std::make_shared<tcp::socket>(std::move(socket))); break;
            case mode::hang_up: socket.close(ec); break;
            case mode::reset: reset_after_first_bytes(std::move(socket)); break;
            }
            accept_next();
        });
    }

    void serve_tls(tcp::socket socket) {
        auto stream = std::make_shared<tls_stream>(std::move(socket), ssl_);
        stream->async_handshake(boost::asio::ssl::stream_base::server, [this, stream](boost::system::error_code ec) {
            if (ec) {
                ++handshakes_failed_;
                return;
            }
            ++handshakes_completed_;
            if (options_.renegotiate_after_handshake) {
                // The HelloRequest leaves with the next read; the client's refusal then fails it.
                SSL_renegotiate(stream->native_handle());
                drain(stream);
                return;
            }
            static const char greeting[] = "hello";
            boost::asio::async_write(*stream, boost::asio::buffer(greeting, 5),
                                     [this, stream](boost::system::error_code wec, std::size_t) {
                                         if (!wec) drain(stream);
                                     });
        });
    }

    void drain(const std::shared_ptr<tls_stream>& stream) {
        auto buf = std::make_shared<std::array<char, 512>>();
        stream->async_read_some(boost::asio::buffer(*buf), [this, stream, buf](boost::system::error_code ec, std::size_t) {
            if (!ec) drain(stream);
        });
    }

    // A v4 response frame: version 0x84, flags 0, stream 0, opcode ERROR (0x00), then a body
    // length — what a CQL port says to bytes it cannot parse.
    static boost::asio::const_buffer cql_error_reply() {
        static const unsigned char frame[] = {0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00,
                                              0x00, 0x0a, 0x00, 0x24, 'I',  'n',  'v',  'a',  'l',  'i',  'd',
                                              ' ',  'o',  'r',  ' ',  'u',  'n',  's',  'u',  'p',  'p',  'o',
                                              'r',  't',  'e',  'd',  ' ',  'p',  'r',  'o',  't',  'o',  'c',
                                              'o',  'l',  ' ',  'v',  'e',  'r',  's',  'i',  'o',  'n'};
        return boost::asio::buffer(frame);
    }
    static boost::asio::const_buffer http_error_reply() {
        static const char reply[] =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\n"
            "Bad Request";
        return boost::asio::buffer(reply, sizeof reply - 1);
    }

    static boost::asio::const_buffer ssh_banner() {
        static const char banner[] = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n";
        return boost::asio::buffer(banner, sizeof banner - 1);
    }

    // Reads the client's first bytes, answers with `reply` and ends the connection.
    void reply_and_close(tcp::socket socket, boost::asio::const_buffer reply) {
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        auto buf = std::make_shared<std::array<char, 512>>();
        s->async_read_some(boost::asio::buffer(*buf), [s, buf, reply](boost::system::error_code ec, std::size_t) {
            if (ec) return;
            boost::asio::async_write(*s, reply, [s](boost::system::error_code, std::size_t) {
                boost::system::error_code ignored;
                s->shutdown(tcp::socket::shutdown_send, ignored);
            });
        });
    }

    void reset_after_first_bytes(tcp::socket socket) {
        auto s = std::make_shared<tcp::socket>(std::move(socket));
        auto buf = std::make_shared<std::array<char, 512>>();
        s->async_read_some(boost::asio::buffer(*buf), [s, buf](boost::system::error_code ec, std::size_t) {
            if (ec) return;
            // A zero linger time makes close() send a reset instead of an orderly end.
            s->set_option(tcp::socket::linger(true, 0), ec);
            s->close(ec);
        });
    }

    options options_;
    boost::asio::io_context io_;
    boost::asio::ssl::context ssl_;
    tcp::acceptor acceptor_;
    std::vector<std::shared_ptr<tcp::socket>> held_;
    std::uint16_t port_ = 0;
    std::thread thread_;

    mutable std::mutex mutex_;
    std::vector<std::string> sni_;
    std::atomic<int> handshakes_completed_{0};
    std::atomic<int> handshakes_failed_{0};
};

}  // namespace cqlwire::test

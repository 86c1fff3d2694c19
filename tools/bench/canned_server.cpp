// A lean CQL v4 server for benchmarks: every answer is encoded once at start-up and sent with
// only its stream id patched, so that what a benchmark measures is the client.
//
//   cqlwire_canned_server [--port P] [--rows N] [--value-bytes B] [--delay-ms D]
//                         [--auth USER:PASSWORD] [--tls-cert CHAIN.pem --tls-key KEY.pem
//                         [--tls-client-ca CA.pem]] [--exit-on-stdin-eof]
//
// It listens on 127.0.0.1 (port 0 picks one) and prints "listening PORT" on stdout once ready,
// then serves on one thread until it is killed or, with --exit-on-stdin-eof, until its stdin
// reaches end-of-file (a parent benchmark closes the pipe, or dies).
//   STARTUP        READY, or AUTHENTICATE PasswordAuthenticator when --auth is given
//   AUTH_RESPONSE  AUTH_SUCCESS when the SASL PLAIN token names USER and PASSWORD, else ERROR 0x0100
//   OPTIONS        SUPPORTED (CQL_VERSION 3.4.7, no compression)
//   REGISTER       READY
//   QUERY/EXECUTE  RESULT Rows: N rows of (k int, v blob of B bytes)
//   PREPARE        RESULT Prepared: a fixed 16-byte id, no bind markers, the rows' metadata
//   anything else  ERROR 0x000A (protocol error)
//
// --delay-ms adds D milliseconds to every flight the server answers: the TLS handshake (the
// ClientHello is read only after D) and each batch of frames read in one go. With D = 0
// everything is answered at once, all frames read together leaving in one write.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unistd.h>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
namespace protocol = cqlwire::protocol;

struct server_options {
    std::uint16_t port = 0;
    std::size_t rows = 1;
    std::size_t value_bytes = 16;
    std::chrono::milliseconds delay{0};
    std::optional<std::string> user;
    std::string password;
    std::string tls_cert;
    std::string tls_key;
    std::string tls_client_ca;
    bool exit_on_stdin_eof = false;
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "cqlwire_canned_server: %s\n", message.c_str());
    std::exit(2);
}

void check(std::error_code ec, const char* what) {
    if (ec) die(std::string("cannot encode ") + what + ": " + ec.message());
}

// The answers, each a whole frame on stream 0; the stream id (bytes 2-3) is patched per request.
struct canned_frames {
    std::vector<std::uint8_t> ready, authenticate, auth_success, bad_credentials, supported, rows, prepared,
        protocol_error;
    std::vector<std::uint8_t> expected_token;  // "\0user\0password"
};

canned_frames build_frames(const server_options& o) {
    canned_frames f;
    const protocol::response_frame_options on0{};
    check(protocol::encode_ready(f.ready, on0), "READY");
    check(protocol::encode_authenticate(f.authenticate, on0, "org.apache.cassandra.auth.PasswordAuthenticator"),
          "AUTHENTICATE");
    check(protocol::encode_auth_success(f.auth_success, on0, protocol::raw_value::null()), "AUTH_SUCCESS");
    protocol::error_view bad;
    bad.code = 0x0100;
    bad.message = "Provided username and/or password are incorrect";
    check(protocol::encode_error(f.bad_credentials, on0, bad), "ERROR");
    protocol::error_view proto;
    proto.code = 0x000A;
    proto.message = "the canned server does not answer this opcode";
    check(protocol::encode_error(f.protocol_error, on0, proto), "ERROR");
    const std::pair<std::string_view, std::vector<std::string_view>> supported[] = {
        {"CQL_VERSION", {"3.4.7"}}, {"COMPRESSION", {}}, {"PROTOCOL_VERSIONS", {"4/v4"}}};
    check(protocol::encode_supported(f.supported, on0, supported), "SUPPORTED");

    protocol::result_metadata metadata;
    metadata.flags = protocol::metadata_flags::global_tables_spec;
    metadata.column_count = 2;
    metadata.columns.push_back({"bench", "canned", "k", protocol::data_type::of(protocol::type_kind::int_)});
    metadata.columns.push_back({"bench", "canned", "v", protocol::data_type::of(protocol::type_kind::blob)});
    std::vector<std::uint8_t> keys(4 * o.rows);
    std::vector<std::uint8_t> value(o.value_bytes, 0x5a);
    std::vector<protocol::raw_value> cells;
    cells.reserve(2 * o.rows);
    for (std::size_t i = 0; i < o.rows; ++i) {
        for (int b = 0; b < 4; ++b) keys[4 * i + b] = static_cast<std::uint8_t>(i >> (8 * (3 - b)));
        cells.push_back(protocol::raw_value::of(protocol::bytes_view(keys.data() + 4 * i, 4)));
        cells.push_back(protocol::raw_value::of(value));
    }
    check(protocol::encode_result_rows(f.rows, on0, metadata, cells), "RESULT Rows");
    static constexpr std::uint8_t id[16] = {0xbe, 0x9c, 0x11, 0x02, 0x03, 0x04, 0x05, 0x06,
                                            0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e};
    check(protocol::encode_result_prepared(f.prepared, on0, id, protocol::prepared_metadata{}, metadata),
          "RESULT Prepared");
    if (o.user) {
        f.expected_token.push_back(0);
        f.expected_token.insert(f.expected_token.end(), o.user->begin(), o.user->end());
        f.expected_token.push_back(0);
        f.expected_token.insert(f.expected_token.end(), o.password.begin(), o.password.end());
    }
    return f;
}

std::uint32_t load_u32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// One client connection. Reads whatever arrived, answers every whole frame in it, and sends the
// answers in one write (after the flight delay, if any). One read and one write at a time.
template <class Stream>
class session : public std::enable_shared_from_this<session<Stream>> {
public:
    session(Stream s, const canned_frames& frames, const server_options& options)
        : stream_(std::move(s)), frames_(frames), options_(options), timer_(stream_.get_executor()) {
        in_.resize(256 * 1024);
    }

    void start() { read(); }

    Stream& stream() { return stream_; }

private:
    void read() {
        if (in_.size() - filled_ < 64 * 1024) in_.resize(in_.size() * 2);
        stream_.async_read_some(asio::buffer(in_.data() + filled_, in_.size() - filled_),
                                [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
                                    if (ec) return;
                                    self->filled_ += n;
                                    self->answer_frames();
                                });
    }

    void answer_frames() {
        std::size_t at = 0;
        while (filled_ - at >= protocol::frame_header_size) {
            const std::uint8_t* h = in_.data() + at;
            const std::uint32_t length = load_u32(h + 5);
            if (h[0] != protocol::protocol_v4 || length > protocol::max_frame_body_length) return;  // drop the client
            if (filled_ - at < protocol::frame_header_size + length) break;
            answer(h[2], h[3], static_cast<protocol::opcode>(h[4]),
                   protocol::bytes_view(h + protocol::frame_header_size, length));
            at += protocol::frame_header_size + length;
        }
        std::memmove(in_.data(), in_.data() + at, filled_ - at);
        filled_ -= at;
        if (options_.delay.count() > 0 && !pending_.empty()) {
            // One flight: this batch of answers leaves after the delay; reading waits for it, so
            // that every client flight costs exactly one delay.
            timer_.expires_after(options_.delay);
            timer_.async_wait([self = this->shared_from_this()](const boost::system::error_code& ec) {
                if (ec) return;
                self->flush();
                self->read();
            });
            return;
        }
        flush();
        read();
    }

    void append(const std::vector<std::uint8_t>& frame, std::uint8_t id_high, std::uint8_t id_low) {
        const auto at = pending_.size();
        pending_.insert(pending_.end(), frame.begin(), frame.end());
        pending_[at + 2] = id_high;
        pending_[at + 3] = id_low;
    }

    void answer(std::uint8_t id_high, std::uint8_t id_low, protocol::opcode op, protocol::bytes_view body) {
        using protocol::opcode;
        switch (op) {
        case opcode::startup: append(options_.user ? frames_.authenticate : frames_.ready, id_high, id_low); return;
        case opcode::auth_response: {
            // [bytes] token: a 4-byte length, then the token.
            const bool good = body.size() >= 4 && load_u32(body.data()) == frames_.expected_token.size() &&
                              body.size() - 4 == frames_.expected_token.size() &&
                              std::memcmp(body.data() + 4, frames_.expected_token.data(), body.size() - 4) == 0;
            append(good ? frames_.auth_success : frames_.bad_credentials, id_high, id_low);
            return;
        }
        case opcode::options: append(frames_.supported, id_high, id_low); return;
        case opcode::register_: append(frames_.ready, id_high, id_low); return;
        case opcode::query:
        case opcode::execute: append(frames_.rows, id_high, id_low); return;
        case opcode::prepare: append(frames_.prepared, id_high, id_low); return;
        default: append(frames_.protocol_error, id_high, id_low); return;
        }
    }

    void flush() {
        if (pending_.empty()) return;
        if (writing_) return;  // the write in flight sends what is pending when it completes
        out_.swap(pending_);
        writing_ = true;
        asio::async_write(stream_, asio::buffer(out_),
                          [self = this->shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              self->writing_ = false;
                              self->out_.clear();
                              if (ec) return;
                              self->flush();
                          });
    }

    Stream stream_;
    const canned_frames& frames_;
    const server_options& options_;
    asio::steady_timer timer_;
    std::vector<std::uint8_t> in_;
    std::size_t filled_ = 0;
    std::vector<std::uint8_t> pending_;
    std::vector<std::uint8_t> out_;
    bool writing_ = false;
};

class server {
public:
    server(asio::io_context& io, const server_options& options, const canned_frames& frames)
        : io_(io), options_(options), frames_(frames), acceptor_(io, tcp::endpoint(asio::ip::address_v4::loopback(), options.port)) {
        if (!options.tls_cert.empty()) {
            ssl_.emplace(asio::ssl::context::tls_server);
            auto* ctx = ssl_->native_handle();
            SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
            // No session tickets: every handshake is a full one, and none of its cost hides in
            // the client's first read.
            SSL_CTX_set_num_tickets(ctx, 0);
            boost::system::error_code ec;
            ssl_->use_certificate_chain_file(options.tls_cert, ec);
            if (ec) die("cannot load " + options.tls_cert + ": " + ec.message());
            ssl_->use_private_key_file(options.tls_key, asio::ssl::context::pem, ec);
            if (ec) die("cannot load " + options.tls_key + ": " + ec.message());
            if (!options.tls_client_ca.empty()) {
                ssl_->load_verify_file(options.tls_client_ca, ec);
                if (ec) die("cannot load " + options.tls_client_ca + ": " + ec.message());
                ssl_->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert);
            }
        }
        acceptor_.set_option(tcp::no_delay(true));
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

    void accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket socket) {
            if (!ec) start(std::move(socket));
            accept();
        });
    }

private:
    void start(tcp::socket socket) {
        socket.set_option(tcp::no_delay(true));
        if (!ssl_) {
            std::make_shared<session<tcp::socket>>(std::move(socket), frames_, options_)->start();
            return;
        }
        using tls = asio::ssl::stream<tcp::socket>;
        auto s = std::make_shared<session<tls>>(tls(std::move(socket), *ssl_), frames_, options_);
        auto handshake = [s] {
            s->stream().async_handshake(asio::ssl::stream_base::server, [s](const boost::system::error_code& ec) {
                if (!ec) s->start();
            });
        };
        if (options_.delay.count() == 0) {
            handshake();
            return;
        }
        // The server's handshake flight (ServerHello ... Finished) leaves one delay after the
        // ClientHello arrived.
        auto timer = std::make_shared<asio::steady_timer>(io_, options_.delay);
        timer->async_wait([timer, handshake](const boost::system::error_code&) { handshake(); });
    }

    asio::io_context& io_;
    const server_options& options_;
    const canned_frames& frames_;
    std::optional<asio::ssl::context> ssl_;
    tcp::acceptor acceptor_;
};

server_options parse(int argc, char** argv) {
    server_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) die(std::string(a) + " needs a value");
            return argv[++i];
        };
        auto number = [&]() -> unsigned long {
            const std::string v = value();
            char* end = nullptr;
            const unsigned long n = std::strtoul(v.c_str(), &end, 10);
            if (v.empty() || *end != '\0') die(std::string(a) + ": not a number: " + v);
            return n;
        };
        if (a == "--port") o.port = static_cast<std::uint16_t>(number());
        else if (a == "--rows") o.rows = number();
        else if (a == "--value-bytes") o.value_bytes = number();
        else if (a == "--delay-ms") o.delay = std::chrono::milliseconds(number());
        else if (a == "--exit-on-stdin-eof") o.exit_on_stdin_eof = true;
        else if (a == "--tls-cert") o.tls_cert = value();
        else if (a == "--tls-key") o.tls_key = value();
        else if (a == "--tls-client-ca") o.tls_client_ca = value();
        else if (a == "--auth") {
            const std::string v = value();
            const auto colon = v.find(':');
            if (colon == std::string::npos) die("--auth wants USER:PASSWORD");
            o.user = v.substr(0, colon);
            o.password = v.substr(colon + 1);
        } else die("unknown argument " + std::string(a));
    }
    if (o.tls_cert.empty() != o.tls_key.empty()) die("give both --tls-cert and --tls-key");
    if (o.rows > 1'000'000 || o.value_bytes > 1'000'000 || o.rows * (o.value_bytes + 12) > 200'000'000)
        die("the result would be too large");
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const server_options options = parse(argc, argv);
    const canned_frames frames = build_frames(options);
    std::signal(SIGPIPE, SIG_IGN);
    // One thread: the sessions are not synchronised, and the client gets the other core.
    asio::io_context io(1);
    server s(io, options, frames);
    s.accept();
    std::printf("listening %u\n", static_cast<unsigned>(s.port()));
    std::fflush(stdout);
    if (options.exit_on_stdin_eof) {
        std::thread([] {
            char c;
            while (::read(0, &c, 1) > 0) {
            }
            std::_Exit(0);
        }).detach();
    }
    io.run();
    return 0;
}

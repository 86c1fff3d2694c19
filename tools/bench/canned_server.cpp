// The benchmarks' CQL v4 peer: the project's fake server (testing/fake_cql_server.hpp) with
// every answer encoded once at start-up and sent with only its stream id patched, so that what
// a benchmark measures is the client. Answering a frame allocates nothing.
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
//   a frame that is not v4, or too long: the connection is closed
//
// --delay-ms adds D milliseconds to every flight the server answers: the TLS handshake (the
// ClientHello is read only after D) and each batch of frames read in one go. With D = 0
// everything is answered at once, all frames read together leaving in one write. TLS: no
// session tickets (every handshake is a full one); with --tls-client-ca a client certificate
// is required.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "fake_cql_server.hpp"

namespace {

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

// The answer to one request frame: its canned frame, with the request's stream id patched in.
class canned_responder {
public:
    canned_responder(const canned_frames& frames, const server_options& options) : frames_(frames), options_(options) {}

    void operator()(const protocol::frame_header& h, protocol::bytes_view body, std::vector<std::uint8_t>& out) const {
        using protocol::opcode;
        const auto stream = static_cast<std::uint16_t>(h.stream);
        switch (h.op) {
        case opcode::startup: append(options_.user ? frames_.authenticate : frames_.ready, stream, out); return;
        case opcode::auth_response: {
            // [bytes] token: a 4-byte length, then the token.
            const bool good = body.size() >= 4 && load_u32(body.data()) == frames_.expected_token.size() &&
                              body.size() - 4 == frames_.expected_token.size() &&
                              std::memcmp(body.data() + 4, frames_.expected_token.data(), body.size() - 4) == 0;
            append(good ? frames_.auth_success : frames_.bad_credentials, stream, out);
            return;
        }
        case opcode::options: append(frames_.supported, stream, out); return;
        case opcode::register_: append(frames_.ready, stream, out); return;
        case opcode::query:
        case opcode::execute: append(frames_.rows, stream, out); return;
        case opcode::prepare: append(frames_.prepared, stream, out); return;
        default: append(frames_.protocol_error, stream, out); return;
        }
    }

private:
    static void append(const std::vector<std::uint8_t>& frame, std::uint16_t stream, std::vector<std::uint8_t>& out) {
        const auto at = out.size();
        out.insert(out.end(), frame.begin(), frame.end());
        out[at + 2] = static_cast<std::uint8_t>(stream >> 8);
        out[at + 3] = static_cast<std::uint8_t>(stream);
    }

    const canned_frames& frames_;
    const server_options& options_;
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
    cqlwire::test::fake_cql_server::options o;
    o.port = options.port;
    o.flight_delay = options.delay;
    if (!options.tls_cert.empty()) {
        cqlwire::test::fake_cql_server::tls_settings tls;
        tls.certificate_chain_file = options.tls_cert;
        tls.private_key_file = options.tls_key;
        tls.client_ca_file = options.tls_client_ca;
        tls.require_client_certificate = !options.tls_client_ca.empty();
        // Every handshake a full one: none of its cost hides in the client's first read.
        tls.session_tickets = false;
        o.tls = std::move(tls);
    }
    // The server answers on its one thread (its sessions are not synchronised); this thread
    // only waits, so the client gets the other core.
    std::optional<cqlwire::test::fake_cql_server> server;
    try {
        server.emplace(std::move(o));
    } catch (const std::exception& e) {
        die(e.what());
    }
    server->on_every_frame(canned_responder(frames, options));
    std::printf("listening %u\n", static_cast<unsigned>(server->port()));
    std::fflush(stdout);
    if (options.exit_on_stdin_eof) {
        char c;
        while (::read(0, &c, 1) > 0) {
        }
        std::_Exit(0);
    }
    for (;;) ::pause();
}

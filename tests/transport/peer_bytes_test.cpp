#include "test_support.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "cqlwire/transport/peer_bytes.hpp"

using namespace cqlwire::transport;
namespace protocol = cqlwire::protocol;

namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) { return {text.begin(), text.end()}; }

// A protocol-error ERROR frame as Cassandra 5.0 sends it to a client speaking version 2,
// captured from the testbed: version byte 0x82, stream 0, opcode ERROR, code 0x000A.
std::vector<std::uint8_t> version_error_frame(std::uint8_t version_byte, std::string_view message) {
    std::vector<std::uint8_t> body = {0x00, 0x00, 0x00, 0x0a,
                                      static_cast<std::uint8_t>(message.size() >> 8),
                                      static_cast<std::uint8_t>(message.size())};
    body.insert(body.end(), message.begin(), message.end());
    // Sized first and filled in place (GCC 12 misjudges an insert into a 9-byte vector).
    std::vector<std::uint8_t> frame(9 + body.size(), 0);
    frame[0] = version_byte;
    frame[8] = static_cast<std::uint8_t>(body.size());
    std::copy(body.begin(), body.end(), frame.begin() + 9);
    return frame;
}

}  // namespace

TEST_CASE("no bytes: nothing answered") {
    const auto id = identify_peer_bytes({});
    CHECK(id.kind == peer_bytes_kind::none);
    CHECK(describe_peer_bytes(id, {}) == "nothing (the connection closed without a byte)");
}

TEST_CASE("an HTTP status line is an HTTP server, quoted without its line end") {
    const auto b = bytes_of("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    const auto id = identify_peer_bytes(b);
    CHECK(id.kind == peer_bytes_kind::http);
    CHECK(id.http_status_line == "HTTP/1.1 400 Bad Request");
    CHECK(describe_peer_bytes(id, b) == "an HTTP server (\"HTTP/1.1 400 Bad Request\")");
}

TEST_CASE("an HTML page with no status line (an HTTP server's answer to a line it cannot parse) is HTTP") {
    for (const std::string page : {"<!DOCTYPE HTML>\n<html lang=\"en\">", "<html><body>400</body></html>"}) {
        const auto b = bytes_of(page);
        const auto id = identify_peer_bytes(b);
        CHECK(id.kind == peer_bytes_kind::http);
    }
}

TEST_CASE("control bytes and length of an HTTP status line are bounded") {
    std::string line = "HTTP/1.1 200 \x1b[31m";
    line += std::string(200, 'x');
    const auto b = bytes_of(line);
    const auto id = identify_peer_bytes(b);
    CHECK(id.kind == peer_bytes_kind::http);
    CHECK(id.http_status_line.size() == 80);
    CHECK(id.http_status_line.find('\x1b') == std::string::npos);
}

TEST_CASE("a TLS alert record names the alert") {
    // Alert record: type 21, version 3.3, length 2, level fatal, protocol_version (70).
    const std::vector<std::uint8_t> b = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46};
    const auto id = identify_peer_bytes(b);
    CHECK(id.kind == peer_bytes_kind::tls_record);
    CHECK(id.tls_content_type == 21);
    CHECK(id.tls_alert == 70);
    CHECK(describe_peer_bytes(id, b) == "a TLS endpoint (alert record: protocol_version (70))");
}

TEST_CASE("a TLS handshake record, and a lone first byte") {
    const std::vector<std::uint8_t> hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    CHECK(identify_peer_bytes(hello).kind == peer_bytes_kind::tls_record);
    CHECK(describe_peer_bytes(identify_peer_bytes(hello), hello) == "a TLS endpoint (handshake record)");
    const std::vector<std::uint8_t> one = {0x15};
    CHECK(identify_peer_bytes(one).kind == peer_bytes_kind::tls_record);
    // 0x16 followed by something other than major version 3 is not TLS.
    const std::vector<std::uint8_t> not_tls = {0x16, 0x07};
    CHECK(identify_peer_bytes(not_tls).kind == peer_bytes_kind::unknown);
}

TEST_CASE("CQL response headers of any version") {
    const std::vector<std::uint8_t> supported = {0x84, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00};
    auto id = identify_peer_bytes(supported);
    CHECK(id.kind == peer_bytes_kind::cql_frame);
    CHECK(id.cql_version == 4);
    CHECK(describe_peer_bytes(id, supported) == "a CQL server (protocol v4 SUPPORTED frame)");
    const std::vector<std::uint8_t> v2_error = {0x82, 0x00, 0x00, 0x00, 0x00};
    id = identify_peer_bytes(v2_error);
    CHECK(id.kind == peer_bytes_kind::cql_frame);
    CHECK(describe_peer_bytes(id, v2_error) == "a CQL server (protocol v2 ERROR frame)");
    // A request header (no direction bit), or an opcode no version defines, is not a response.
    const std::vector<std::uint8_t> request = {0x04, 0x00, 0x00, 0x00, 0x05};
    CHECK(identify_peer_bytes(request).kind == peer_bytes_kind::unknown);
    const std::vector<std::uint8_t> bad_opcode = {0x84, 0x00, 0x00, 0x00, 0x42};
    CHECK(identify_peer_bytes(bad_opcode).kind == peer_bytes_kind::unknown);
    CHECK(describe_peer_bytes(identify_peer_bytes(bad_opcode), bad_opcode) ==
          "bytes of no known protocol (first byte 0x84)");
}

TEST_CASE("the protocol error of a server refusing the version is read from a frame of its version") {
    const std::string message =
        "Invalid or unsupported protocol version (2); supported versions are (3/v3, 4/v4, 5/v5, 6/v6-beta)";
    const auto frame = version_error_frame(0x82, message);
    const auto text = protocol_error_message(frame);
    REQUIRE(text.has_value());
    CHECK(*text == message);
    // Cut anywhere before the end: not a whole frame, no message (and no over-read).
    for (std::size_t n = 0; n < frame.size(); ++n) {
        std::vector<std::uint8_t> cut(frame.begin(), frame.begin() + static_cast<std::ptrdiff_t>(n));
        CHECK_FALSE(protocol_error_message(cut).has_value());
    }
}

TEST_CASE("other ERROR codes and other opcodes are not a version refusal") {
    auto frame = version_error_frame(0x84, "Bad credentials");
    frame[12] = 0x01;  // the code's low byte: 0x0001 instead of the protocol error 0x000A
    CHECK_FALSE(protocol_error_message(frame).has_value());
    const std::vector<std::uint8_t> ready = {0x84, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00};
    CHECK_FALSE(protocol_error_message(ready).has_value());
}

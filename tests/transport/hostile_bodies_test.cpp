// Hostile server, inside a well-framed body: counts and lengths that overrun the body, type
// trees nested beyond the limit, response prefixes (tracing id, warnings, custom payload) cut
// short. The frame itself is sound, so the connection keeps working: the hostile request gets
// its response and decoding it fails with the specific protocol error, while the bystanders on
// the same connection get their own answers (never the hostile one).
#include "test_support.hpp"

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/result.hpp"
#include "transport/hostile_support.hpp"

namespace {

using namespace cqlwire;
using namespace cqlwire::test;
using namespace cqlwire::test::hostile;
using protocol::client_errc;
using transport::errc;
namespace asio = boost::asio;
constexpr std::uint16_t type_int = 0x0009;
constexpr std::uint16_t type_varchar = 0x000D;
constexpr std::uint16_t type_list = 0x0020;

// A RESULT Rows body whose every count is given, not computed: `column_count` and `rows_count`
// may lie about what follows. `columns` are (name, [option] bytes); `cells` are raw bytes.
bytes rows_body(std::int32_t column_count, const std::vector<std::pair<std::string, bytes>>& columns,
                std::int32_t rows_count, const bytes& cells) {
    bytes out;
    protocol::byte_writer w(out);
    w.write_int(0x0002);  // Rows
    w.write_int(0x0001);  // Global_tables_spec
    w.write_int(column_count);
    w.write_string("ks");
    w.write_string("t");
    for (const auto& [name, type] : columns) {
        w.write_string(name);
        w.write_raw(type);
    }
    w.write_int(rows_count);
    w.write_raw(cells);
    return out;
}

bytes option(std::uint16_t id) { return {static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id)}; }

bytes cell(std::string_view text) {
    bytes out;
    protocol::byte_writer w(out);
    w.write_bytes(protocol::as_bytes(text));
    return out;
}

// The body the hostile query is answered with (opcode and flags as given); bystanders are
// answered after 100 ms with their own names.
struct body_setup {
    fake_cql_server server{fake_cql_server::options{}};
    asio::io_context ioc;

    body_setup(protocol::opcode op, bytes body, std::uint8_t flags = 0) {
        install_bystanders(server, bystander_count, 100ms);
        server.on_query("hostile", [op, body, flags](fake_session& s, const fake_request& r) {
            s.send_raw(response_frame(r.header.stream, op, body, flags));
        });
    }
};

// The connection survived: the bystanders got their own answers, nothing else broke.
void check_connection_unharmed(const outcome& o, const transport::connection& c) {
    REQUIRE(o.all_done);
    for (std::size_t i = 0; i < o.bystanders.size(); ++i) {
        CHECK(o.bystanders[i].ec == std::error_code{});
        CHECK(first_text_cell(o.bystanders[i].r) == "bystander " + std::to_string(i));
    }
    CHECK(o.failure == std::error_code{});
    CHECK(o.elapsed < request_timeout + slack);
    CHECK(c.pending_requests() == 0);
}

// Decodes the hostile response as a RESULT; returns the decoder's error.
std::error_code decode_hostile_result(const outcome& o) {
    REQUIRE(o.hostile.ec == std::error_code{});
    REQUIRE(o.hostile.r.op() == protocol::opcode::result);
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (auto ec = o.hostile.r.split_prefix(prefix, message)) return ec;
    protocol::result_view result;
    return protocol::decode_result(message, result);
}

std::error_code split_hostile_prefix(const outcome& o) {
    REQUIRE(o.hostile.ec == std::error_code{});
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    return o.hostile.r.split_prefix(prefix, message);
}

}  // namespace

TEST_CASE("hostile body: a rows count beyond the rows present") {
    body_setup t(protocol::opcode::result, rows_body(1, {{"v", option(type_varchar)}}, 1000, cell("only one")));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(decode_hostile_result(o) == client_errc::truncated);
}

TEST_CASE("hostile body: a column count beyond the column specs present") {
    body_setup t(protocol::opcode::result, rows_body(1000000, {{"v", option(type_varchar)}}, 0, {}));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(decode_hostile_result(o) == client_errc::truncated);
}

TEST_CASE("hostile body: a [string] length beyond the body") {
    // The column name claims 0xFFFF bytes; three follow.
    bytes name_lie{0xFF, 0xFF, 'a', 'b', 'c'};
    bytes body;
    protocol::byte_writer w(body);
    w.write_int(0x0002);
    w.write_int(0x0001);
    w.write_int(1);
    w.write_string("ks");
    w.write_string("t");
    w.write_raw(name_lie);
    body_setup t(protocol::opcode::result, body);
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(decode_hostile_result(o) == client_errc::truncated);
}

TEST_CASE("hostile body: a cell's [bytes] length beyond the body") {
    bytes lying_cell{0x7F, 0xFF, 0xFF, 0xF0, 'a', 'b', 'c'};
    body_setup t(protocol::opcode::result, rows_body(1, {{"v", option(type_varchar)}}, 1, lying_cell));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(decode_hostile_result(o) == client_errc::truncated);
}

TEST_CASE("hostile body: a column type nested deeper than the limit") {
    bytes type;
    for (int i = 0; i < protocol::max_type_depth + 8; ++i) {
        auto l = option(type_list);
        type.insert(type.end(), l.begin(), l.end());
    }
    auto leaf = option(type_int);
    type.insert(type.end(), leaf.begin(), leaf.end());
    body_setup t(protocol::opcode::result, rows_body(1, {{"deep", type}}, 0, {}));
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(decode_hostile_result(o) == client_errc::depth_exceeded);
}

TEST_CASE("hostile body: the tracing flag with fewer than 16 bytes of tracing id") {
    body_setup t(protocol::opcode::result, bytes(10, 0x11), protocol::frame_flags::tracing);
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(split_hostile_prefix(o) == client_errc::truncated);
}

TEST_CASE("hostile body: the warning flag with a warnings list cut short") {
    // [string list] of 3 announced, 1 present.
    bytes body;
    protocol::byte_writer w(body);
    w.write_short(3);
    w.write_string("only warning");
    body_setup t(protocol::opcode::result, body, protocol::frame_flags::warning);
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(split_hostile_prefix(o) == client_errc::truncated);
}

TEST_CASE("hostile body: the custom-payload flag with a payload value cut short") {
    // [bytes map] of 1 entry whose value claims 100 bytes; 2 follow.
    bytes body;
    protocol::byte_writer w(body);
    w.write_short(1);
    w.write_string("key");
    w.write_int(100);
    w.write_raw(bytes{0x01, 0x02});
    body_setup t(protocol::opcode::result, body, protocol::frame_flags::custom_payload);
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(split_hostile_prefix(o) == client_errc::truncated);
}

TEST_CASE("hostile body: an ERROR whose message overruns the body is that request's protocol_violation") {
    bytes body;
    protocol::byte_writer w(body);
    w.write_int(0x2200);
    w.write_raw(bytes{0x00, 0x50, 'a', 'b', 'c'});  // [string] of 80 bytes, 3 present
    body_setup t(protocol::opcode::error, body);
    auto c = started_connection(t.ioc, t.server);
    const auto o = provoke(t.ioc, c, bystander_count);
    check_connection_unharmed(o, c);
    CHECK(o.hostile.ec == errc::protocol_violation);
    protocol::diagnostics diag;
    CHECK(transport::server_error(o.hostile.r, diag) == errc::protocol_violation);
    CHECK(diag.client_message() == "the server sent a malformed ERROR message");
}

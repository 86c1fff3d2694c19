#include "test_support.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "fake_cql_server.hpp"
#include "run_process.hpp"
#include "schema_agreement.hpp"
#include "text_rows_reply.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"

// After a schema change the command waits until the other nodes report the change
// (schema_agreement.hpp): the decision, and the real binary against a fake node whose peers
// catch up, stay behind while answering, or are gone.

namespace {

using cqlwire::protocol::uuid;
using cqlwire::test::fake_cql_server;
using cqlwire::test::fake_request;
using cqlwire::test::fake_session;
namespace protocol = cqlwire::protocol;

uuid version(std::uint8_t n) {
    uuid u{};
    u.bytes.fill(n);
    return u;
}

void send_schema_change(fake_session& s, const fake_request& r) {
    protocol::schema_change_view change;
    change.change_type = "CREATED";
    change.target = protocol::schema_change_target::table;
    change.keyspace = "ks";
    change.name = "t";
    protocol::response_frame_options f;
    f.stream = r.header.stream;
    std::vector<std::uint8_t> out;
    CHECK_FALSE(protocol::encode_result_schema_change(out, f, change));
    s.send_raw(std::move(out));
}

protocol::column_spec column(const char* table, const char* name, protocol::type_kind kind) {
    return {"system", table, name, protocol::data_type::of(kind)};
}

void send_rows(fake_session& s, const fake_request& r, std::vector<protocol::column_spec> columns,
               const std::vector<std::vector<std::uint8_t>>& cells) {
    protocol::result_metadata m;
    m.column_count = static_cast<std::int32_t>(columns.size());
    m.columns = std::move(columns);
    std::vector<protocol::raw_value> raw;
    for (const auto& c : cells) raw.push_back(protocol::raw_value::of(protocol::bytes_view(c)));
    cqlwire::test::send_rows(s, r, m, raw);
}

std::vector<std::uint8_t> bytes_of(const uuid& u) { return {u.bytes.begin(), u.bytes.end()}; }
std::vector<std::uint8_t> ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) { return {a, b, c, d}; }
std::vector<std::uint8_t> int32(std::uint16_t port) {
    return {0, 0, static_cast<std::uint8_t>(port >> 8), static_cast<std::uint8_t>(port & 0xff)};
}

// A fake node at schema version 1 after the CREATE TABLE, with one peer, 127.0.0.1 at
// `peer_port`, whose version `peer_version(round)` gives for each round of questions.
void script_node(fake_cql_server& server, std::uint16_t peer_port, std::function<uuid(int)> peer_version,
                 std::shared_ptr<std::atomic<int>> rounds) {
    server.on_query("CREATE TABLE ks.t (k int PRIMARY KEY)", send_schema_change);
    server.on_query("CREATE TABLE ks.u (k int PRIMARY KEY)", send_schema_change);
    server.on_query("SELECT schema_version FROM system.local", [](fake_session& s, const fake_request& r) {
        send_rows(s, r, {column("local", "schema_version", protocol::type_kind::uuid)}, {bytes_of(version(1))});
    });
    server.on_query("SELECT peer, native_address, native_port, schema_version FROM system.peers_v2",
                    [peer_port, peer_version, rounds](fake_session& s, const fake_request& r) {
                        const int round = (*rounds)++;
                        send_rows(s, r,
                                  {column("peers_v2", "peer", protocol::type_kind::inet),
                                   column("peers_v2", "native_address", protocol::type_kind::inet),
                                   column("peers_v2", "native_port", protocol::type_kind::int_),
                                   column("peers_v2", "schema_version", protocol::type_kind::uuid)},
                                  {ipv4(127, 0, 0, 9), ipv4(127, 0, 0, 1), int32(peer_port),
                                   bytes_of(peer_version(round))});
                    });
    server.on_query("INSERT INTO ks.t (k) VALUES (1)", [](fake_session& s, const fake_request& r) {
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_result_void(out, f));
        s.send_raw(std::move(out));
    });
}

cqlwire::test::process_result run(std::uint16_t port,
                                  std::string statements = "CREATE TABLE ks.t (k int PRIMARY KEY); INSERT INTO ks.t (k) VALUES (1)") {
    cqlwire::test::process_options o;
    const auto home = std::filesystem::temp_directory_path() / "cqlwire-schema-agreement-home";
    std::filesystem::create_directories(home);
    o.env = cqlwire::test::isolated_cqlwire_env(home.string());
    o.timeout = std::chrono::seconds(60);
    auto r = cqlwire::test::run_process(
        CQLWIRE_BINARY, {"127.0.0.1", std::to_string(port), "-e", statements}, o);
    INFO("stdout: " << r.out);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    return r;
}

// A loopback port nothing listens on (taken, then released).
std::uint16_t closed_port() {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

std::size_t count_of(const std::vector<std::string>& queries, std::string_view q) {
    return static_cast<std::size_t>(std::count(queries.begin(), queries.end(), std::string(q)));
}

}  // namespace

TEST_CASE("schema agreement: the peers not at the node's version are the ones waited for") {
    std::vector<cqlwire::cli::peer_schema_version> peers(4);
    peers[0].address = "10.0.0.2";
    peers[0].version = version(1);
    peers[1].address = "10.0.0.3";
    peers[1].version = version(2);
    peers[2].address = "10.0.0.4";  // no version yet: not counted
    peers[3].address = "10.0.0.5";
    peers[3].version = version(3);
    const auto behind = cqlwire::cli::peers_not_at(version(1), peers);
    REQUIRE(behind.size() == 2);
    CHECK(behind[0].address == "10.0.0.3");
    CHECK(behind[1].address == "10.0.0.5");
    CHECK(cqlwire::cli::peers_not_at(version(1), std::span(peers).first(1)).empty());

    const std::vector<std::string> many{"a", "b", "c", "d", "e\x1b[2J"};
    const auto one = cqlwire::cli::schema_disagreement_warning(std::span(many).first(1));
    CHECK(one.find("(a is at another schema version)") != std::string::npos);
    const auto all = cqlwire::cli::schema_disagreement_warning(many);
    CHECK(all.find("(a, b, c and 2 more are at another schema version)") != std::string::npos);
    CHECK(all.find('\x1b') == std::string::npos);
}

TEST_CASE("schema agreement: the command waits until a peer catches up, then runs the next statement") {
    fake_cql_server server({});
    auto rounds = std::make_shared<std::atomic<int>>(0);
    // Behind for the first three rounds (about 400 ms), then at the node's version.
    script_node(server, server.port(), [](int round) { return round < 3 ? version(2) : version(1); }, rounds);
    const auto r = run(server.port());
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    CHECK(rounds->load() == 4);
    const auto q = server.queries();
    CHECK(count_of(q, "SELECT schema_version FROM system.local") == 4);
    // The INSERT went after the agreement.
    REQUIRE(!q.empty());
    CHECK(q.back() == "INSERT INTO ks.t (k) VALUES (1)");
}

TEST_CASE("schema agreement: a peer behind that refuses connections is down, and not waited for") {
    fake_cql_server server({});
    auto rounds = std::make_shared<std::atomic<int>>(0);
    script_node(server, closed_port(), [](int) { return version(2); }, rounds);
    const auto started = std::chrono::steady_clock::now();
    // Two schema changes: the second does not find the peer down again.
    const auto r = run(server.port(), "CREATE TABLE ks.t (k int PRIMARY KEY); CREATE TABLE ks.u (k int PRIMARY KEY); "
                                      "INSERT INTO ks.t (k) VALUES (1)");
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
    // Dialed after 1 s behind, then left out: far less than the 10 s wait. The second change
    // asks once and goes on (about 6 rounds for the first, 1 for the second; 12 if it waited).
    CHECK(took < std::chrono::milliseconds(2'200));
    CHECK(rounds->load() >= 5);
    CHECK(rounds->load() <= 9);
    CHECK(server.queries().back() == "INSERT INTO ks.t (k) VALUES (1)");
}

TEST_CASE("schema agreement: a peer that answers but stays behind is waited for 10 s, then named in a warning") {
    fake_cql_server server({});
    auto rounds = std::make_shared<std::atomic<int>>(0);
    // Its native address is the fake itself: it answers a dial.
    script_node(server, server.port(), [](int) { return version(2); }, rounds);
    const auto started = std::chrono::steady_clock::now();
    const auto r = run(server.port());
    const auto took = std::chrono::steady_clock::now() - started;
    CHECK(r.exit_code == 0);  // a warning, not a failure: the statements still run
    CHECK(r.err ==
          "cqlwire: -e:1: warning: the schema change has not reached every node after 10 s (127.0.0.9 is at another "
          "schema version): statements that use the change may fail on those nodes until it arrives\n");
    CHECK(took >= std::chrono::milliseconds(9'500));
    CHECK(server.queries().back() == "INSERT INTO ks.t (k) VALUES (1)");
}

#include "test_support.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/internal/tls_keylog.hpp"
#include "fake_cql_server.hpp"
#include "transport/transport_test_support.hpp"

using namespace cqlwire;
using namespace cqlwire::test;
using transport::connection;
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

struct seen_frame {
    transport::frame_event::direction dir;
    protocol::opcode op;
    std::int16_t stream;
    std::uint32_t length;
    std::size_t body_size;
};

fake_cql_server::options tls_password_server() {
    fake_cql_server::options o;
    o.tls = fake_server_tls();
    o.authenticator_class = "org.apache.cassandra.auth.PasswordAuthenticator";
    o.username = "cassandra";
    o.password = "s3cret";
    return o;
}

fs::path scratch(const std::string& name) {
    auto dir = fs::temp_directory_path() / ("cqlwire-keylog-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all);
    fs::remove(dir / name);
    return dir / name;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("frame observer: sees every frame both ways, start-up included, in order") {
    fake_cql_server server(tls_password_server());
    asio::io_context ioc;
    auto outcome = connect_to(ioc, "localhost", server.port(), make_context(with_client_certificate("client")));
    REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    connection c(std::move(*outcome.stream));

    std::vector<seen_frame> seen;
    c.set_frame_observer([&](const transport::frame_event& e) {
        seen.push_back({e.dir, e.header.op, e.header.stream, e.header.length, e.body.size()});
    });

    auth::plain_text_authenticator creds("cassandra", "s3cret");
    protocol::diagnostics diag;
    REQUIRE(c.startup({&creds}, diag) == std::error_code{});
    std::error_code ec;
    auto r = c.query("SELECT * FROM system.local", ec, diag);
    REQUIRE(ec == std::error_code{});

    using d = transport::frame_event::direction;
    using op = protocol::opcode;
    const std::vector<std::pair<d, op>> expected = {
        {d::sent, op::startup},      {d::received, op::authenticate}, {d::sent, op::auth_response},
        {d::received, op::auth_success}, {d::sent, op::query},        {d::received, op::result}};
    REQUIRE(seen.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        CAPTURE(i);
        CHECK(seen[i].dir == expected[i].first);
        CHECK(seen[i].op == expected[i].second);
        CHECK(seen[i].body_size == seen[i].length);
    }
    // The QUERY went out on the id the connection chose, and its answer came back on it.
    CHECK(seen[4].stream == seen[5].stream);
    CHECK(seen[5].length == r.body().size());
    // (tests/inspect/frame_observer_trace_test.cpp formats these frames with the tracer.)

    SUBCASE("removing the observer stops the calls") {
        c.set_frame_observer(nullptr);
        auto again = c.query("SELECT * FROM system.local", ec, diag);
        CHECK(ec == std::error_code{});
        CHECK(seen.size() == expected.size());
    }
}

TEST_CASE("TLS key log: NSS lines appended to a 0600 file") {
    const auto file = scratch("keys.log");
    fake_cql_server server(tls_password_server());
    auto run_session = [&] {
        auto options = with_client_certificate("client");
        options.key_log_file = file.string();
        std::shared_ptr<transport::tls_context> ctx;
        std::vector<std::string> warnings;
        protocol::diagnostics diag;
        REQUIRE(transport::tls_context::create(options, ctx, warnings, diag) == std::error_code{});
        asio::io_context ioc;
        auto outcome = connect_to(ioc, "localhost", server.port(), ctx);
        REQUIRE_MESSAGE(!outcome.ec, outcome.message);
    };
    run_session();
    struct stat st {};
    REQUIRE(::stat(file.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    const auto first = read_file(file);
    // TLS 1.3: five secrets per session, each "LABEL <64 hex client random> <hex secret>".
    CHECK(first.find("CLIENT_HANDSHAKE_TRAFFIC_SECRET ") != std::string::npos);
    CHECK(first.find("CLIENT_TRAFFIC_SECRET_0 ") != std::string::npos);
    CHECK(std::count(first.begin(), first.end(), '\n') == 5);

    run_session();
    const auto second = read_file(file);
    CHECK(second.starts_with(first));  // appended, not truncated
    CHECK(std::count(second.begin(), second.end(), '\n') == 10);
}

TEST_CASE("TLS key log: refuses unsafe files with a clear message") {
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    REQUIRE(ctx != nullptr);
    protocol::diagnostics diag;

    SUBCASE("group- or world-writable") {
        const auto file = scratch("shared.log");
        { std::ofstream(file) << ""; }
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_write);
        CHECK(transport::enable_key_log(ctx, file.string(), diag) == make_error_code(transport::errc::tls_config));
        CHECK(diag.client_message() == "TLS key log file '" + file.string() +
                                           "' is writable by other users; refusing to append secrets to it (chmod 600 it)");
    }
    SUBCASE("a symbolic link") {
        const auto target = scratch("target.log");
        const auto link = scratch("link.log");
        { std::ofstream(target) << ""; }
        fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write);
        fs::create_symlink(target, link);
        CHECK(transport::enable_key_log(ctx, link.string(), diag) == make_error_code(transport::errc::tls_config));
        CHECK(diag.client_message() ==
              "TLS key log file '" + link.string() + "' is a symbolic link; refusing to write secrets through it");
        CHECK(read_file(target).empty());
    }
    SUBCASE("not a regular file") {
        const auto dir = scratch("a-folder");
        fs::create_directory(dir);
        CHECK(transport::enable_key_log(ctx, dir.string(), diag) == make_error_code(transport::errc::tls_config));
        CHECK(diag.client_message().find("cannot open TLS key log file '" + dir.string() + "'") == 0);
    }
    SUBCASE("an existing private file is accepted and kept") {
        const auto file = scratch("mine.log");
        { std::ofstream(file) << "# earlier\n"; }
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        CHECK(transport::enable_key_log(ctx, file.string(), diag) == std::error_code{});
        CHECK(read_file(file) == "# earlier\n");
    }
    SSL_CTX_free(ctx);
}

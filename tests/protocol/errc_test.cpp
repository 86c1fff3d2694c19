// Error categories: readable messages, and the one trap of the server's numbering.
#include "test_support.hpp"

#include "cqlwire/protocol/errc.hpp"

using namespace cqlwire::protocol;

TEST_CASE("Server_error (code 0x0000) is still an error") {
    std::error_code ec = server_errc::server_error;
    CHECK(static_cast<bool>(ec));
    CHECK(ec == server_errc::server_error);
    CHECK(server_error_code(ec) == 0);
    CHECK(ec.message() == "Server error (0x0000)");
    CHECK(make_server_error_code(0) == server_errc::server_error);
}

TEST_CASE("server codes keep their numbers and names") {
    std::error_code ec = make_server_error_code(0x2200);
    CHECK(ec == server_errc::invalid);
    CHECK(server_error_code(ec) == 0x2200);
    CHECK(ec.message() == "Invalid (0x2200)");
    CHECK(make_server_error_code(0x7777).message() == "server error code 0x7777");
    CHECK_FALSE(is_known_server_error(0x7777));
}

TEST_CASE("client errors have messages of their own") {
    for (int v = 1; v <= static_cast<int>(client_errc::empty_value); ++v) {
        auto m = make_error_code(static_cast<client_errc>(v)).message();
        CAPTURE(v);
        CHECK(m.find("unknown") == std::string::npos);
    }
}

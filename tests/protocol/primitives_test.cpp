#include "test_support.hpp"

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/byte_writer.hpp"

using namespace cqlwire::protocol;

TEST_CASE("byte_reader reads a [string] and refuses one that overruns") {
    const std::vector<std::uint8_t> ok{0x00, 0x03, 'a', 'b', 'c'};
    byte_reader r(ok);
    std::string_view s;
    REQUIRE_FALSE(r.read_string(s));
    CHECK(s == "abc");
    CHECK(r.empty());

    const std::vector<std::uint8_t> short_input{0x00, 0x04, 'a', 'b', 'c'};
    byte_reader bad(short_input);
    CHECK(bad.read_string(s) == client_errc::truncated);
    CHECK(bad.position() == 0);
}

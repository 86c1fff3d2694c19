// secret_bytes and wipe(): the memory that held a secret is zero when the secret is released,
// also the block left behind when appending grows it.
#include "test_support.hpp"

#include <string>
#include <vector>

#include "cqlwire/auth/secret.hpp"

using namespace cqlwire::auth;

namespace {

std::string text_of(const secret_bytes& b) { return std::string(b.view().begin(), b.view().end()); }

}  // namespace

TEST_CASE("wipe: every byte of a span is zero afterwards; a string is zeroed and emptied") {
    std::vector<std::uint8_t> bytes{1, 2, 3, 0xff};
    wipe(bytes);
    CHECK(bytes == std::vector<std::uint8_t>(4, 0));

    std::string text = "s3cret-password-longer-than-small-string-storage";
    const char* storage = text.data();
    const std::size_t size = text.size();
    wipe(text);
    CHECK(text.empty());
    // clear() keeps the block: what it held must be zeros now.
    CHECK(text.data() == storage);
    for (std::size_t i = 0; i < size; ++i) CHECK(storage[i] == '\0');
}

TEST_CASE("secret_bytes: append, push_back and the text constructor keep the bytes in order") {
    secret_bytes s("ab");
    s.push_back('c');
    s.append(std::string_view("de"));
    const std::vector<std::uint8_t> more{'f', 0, 'g'};
    s.append(more);
    CHECK(s.size() == 8);
    CHECK(text_of(s) == std::string("abcdef\0g", 8));
    s.clear();
    CHECK(s.empty());
}

TEST_CASE("secret_bytes: a move leaves the source empty, and move-assignment replaces the target") {
    secret_bytes a("first");
    secret_bytes b(std::move(a));
    CHECK(text_of(b) == "first");
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is what is tested
    secret_bytes c("second");
    c = std::move(b);
    CHECK(text_of(c) == "first");
    CHECK(b.empty());  // NOLINT(bugprone-use-after-move)
}

#include "test_support.hpp"

#include <string>

#include "credentials_file.hpp"
#include "exit_codes.hpp"
#include "settings.hpp"

using namespace cqlwire::cli;

namespace {

std::string text_of(const cqlwire::auth::secret_bytes& s) { return {reinterpret_cast<const char*>(s.view().data()), s.size()}; }

credentials_values parsed(std::string_view text) {
    credentials_values v;
    std::string message;
    REQUIRE_MESSAGE(!parse_credentials(text, "creds", v, message), message);
    return v;
}

std::string error_of(std::string_view text) {
    credentials_values v;
    std::string message;
    CHECK(parse_credentials(text, "creds", v, message) == make_error_code(cli_errc::bad_config));
    return message;
}

}  // namespace

TEST_CASE("both sections cqlsh reads; raw values (no inline comments, no interpolation)") {
    const auto v = parsed("; a comment\n# another\n[plain_text_auth]\nusername = alice\nPassword: p;a#s%(x)s \n\n"
                          "[PlainTextAuthProvider]\nusername=bob\npassword = other\n[other]\npassword = ignored\n");
    CHECK(v.username == "alice");
    REQUIRE(v.password);
    CHECK(text_of(*v.password) == "p;a#s%(x)s");
    CHECK(v.provider_username == "bob");
    REQUIRE(v.provider_password);
    CHECK(text_of(*v.provider_password) == "other");
    CHECK_FALSE(parsed("").username);
}

TEST_CASE("bad credentials files are errors naming the line, never its text") {
    CHECK(error_of("[plain_text_auth]\nhunter2\n") == "creds:2: expected 'key = value', '[section]' or a comment");
    CHECK(error_of("password = x\n") == "creds:1: a key before any [section] header");
    CHECK(error_of("[plain_text_auth]\npassword = a\npassword = b\n") == "creds:3: 'password' is set twice in [plain_text_auth]");
    CHECK(error_of("[a]\n[a]\n") == "creds:2: section [a] appears twice");
    CHECK(error_of("[a\n") == "creds:1: a section header must end with ']'");
    CHECK(error_of("[plain_text_auth]\npassword = a\n  b\n") ==
          "creds:3: an indented line continues the value above it; cqlwire reads one-line values only");
}

TEST_CASE("the file is used only when it is the user's (or root runs) and its group and others cannot read it") {
    CHECK(credentials_file_is_private(1000, 0600, 1000));
    CHECK(credentials_file_is_private(1000, 0400, 0));
    CHECK(credentials_file_is_private(1000, 0620, 1000));  // group may write, as in cqlsh; not read
    CHECK_FALSE(credentials_file_is_private(1000, 0640, 1000));
    CHECK_FALSE(credentials_file_is_private(1000, 0604, 1000));
    CHECK_FALSE(credentials_file_is_private(1001, 0600, 1000));
}

TEST_CASE("where the credentials rank: [plain_text_auth] > cqlshrc > [PlainTextAuthProvider]; environment and flags above") {
    auto merged = [](std::string_view creds_text, std::string_view rc_text, std::vector<std::string_view> args,
                     std::optional<std::string> env_password) {
        cli_options flags;
        std::string message;
        REQUIRE_FALSE(parse_command_line(args, flags, message));
        cqlshrc_values rc;
        REQUIRE_FALSE(parse_cqlshrc(rc_text, "rc", rc, message));
        auto creds = parsed(creds_text);
        settings s;
        const environment_lookup env = [env_password](std::string_view name) -> std::optional<std::string> {
            if (name == "CQLWIRE_PASSWORD") return env_password;
            return std::nullopt;
        };
        REQUIRE_FALSE(merge_settings(flags, &rc, "rc", env, s, message, &creds));
        return std::make_pair(s.username.value_or(""), text_of(s.password));
    };
    const std::string_view rc = "[authentication]\nusername = rc_user\npassword = rc_pw\n";
    CHECK(merged("[PlainTextAuthProvider]\nusername = p\npassword = p_pw\n", rc, {}, std::nullopt) ==
          std::make_pair(std::string("rc_user"), std::string("rc_pw")));
    CHECK(merged("[PlainTextAuthProvider]\nusername = p\npassword = p_pw\n", "", {}, std::nullopt) ==
          std::make_pair(std::string("p"), std::string("p_pw")));
    CHECK(merged("[plain_text_auth]\nusername = t\npassword = t_pw\n", rc, {}, std::nullopt) ==
          std::make_pair(std::string("t"), std::string("t_pw")));
    CHECK(merged("[plain_text_auth]\nusername = t\npassword = t_pw\n", rc, {"-u", "flag_user"}, "env_pw") ==
          std::make_pair(std::string("flag_user"), std::string("env_pw")));
}

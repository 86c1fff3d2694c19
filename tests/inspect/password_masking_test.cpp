// Finding and masking passwords in CQL text (password_masking.hpp): in statements, and in the
// server's text about them.
#include "test_support.hpp"

#include <string>
#include <vector>

#include "cqlwire/inspect/password_masking.hpp"

using namespace cqlwire::inspect;

TEST_CASE("password literals are found in every spelling") {
    CHECK(mask_passwords("CREATE ROLE r WITH PASSWORD = 'pw1' AND LOGIN = true") ==
          "CREATE ROLE r WITH PASSWORD = '********' AND LOGIN = true");
    CHECK(mask_passwords("alter role r with hashed password = '$2a$10$abc'") ==
          "alter role r with hashed password = '********'");
    CHECK(mask_passwords("CREATE USER u WITH PASSWORD 'it''s' SUPERUSER") ==
          "CREATE USER u WITH PASSWORD '********' SUPERUSER");
    CHECK(mask_passwords("ALTER USER u WITH PASSWORD $$dollar'quoted$$") ==
          "ALTER USER u WITH PASSWORD $$********$$");
    CHECK(mask_passwords("CREATE ROLE r WITH PASSWORD = 'unterminated") == "CREATE ROLE r WITH PASSWORD = '********");
    // Not after the word: a column or a quoted identifier called password keeps its literal
    // only when something else comes between.
    CHECK(mask_passwords("SELECT * FROM t WHERE name = 'password'") == "SELECT * FROM t WHERE name = 'password'");
    CHECK(mask_passwords("SELECT \"password\" FROM t WHERE k = 'x'") == "SELECT \"password\" FROM t WHERE k = 'x'");
    CHECK(mask_passwords("-- PASSWORD 'comment'\nSELECT 'x'") == "-- PASSWORD 'comment'\nSELECT 'x'");
    CHECK(find_password_literals("CREATE ROLE r WITH PASSWORD='ab'") == std::vector<text_range>{{29, 2}});
    // A password mistyped without quotes or in double quotes is still one (the server echoes it).
    CHECK(mask_passwords("CREATE ROLE r WITH PASSWORD = S3cretIII9 AND LOGIN = true") ==
          "CREATE ROLE r WITH PASSWORD = ******** AND LOGIN = true");
    CHECK(mask_passwords("CREATE ROLE r WITH PASSWORD = \"S3cretJJJ0\" AND LOGIN = true") ==
          "CREATE ROLE r WITH PASSWORD = \"********\" AND LOGIN = true");
    CHECK(mask_passwords("SELECT password FROM system_auth.roles") == "SELECT password FROM system_auth.roles");
    // The hash the server computes for a role, as its own statements show it in a trace.
    CHECK(mask_passwords("Parsing UPDATE system_auth.roles SET salted_hash = '$2a$10$Wfno7abc' WHERE role = 'r'") ==
          "Parsing UPDATE system_auth.roles SET salted_hash = '********' WHERE role = 'r'");
    CHECK(mask_passwords("INSERT INTO system_auth.roles (role, salted_hash) VALUES ('r', '$2a$10$Wfno7abc')") ==
          "INSERT INTO system_auth.roles (role, salted_hash) VALUES ('r', '********')");
    // The shell command LOGIN user password, quoted or not.
    CHECK(mask_passwords("LOGIN alice S3cret") == "LOGIN alice ********");
    CHECK(mask_passwords("login \"Alice\" 'S3 cret'") == "login \"Alice\" '********'");
    CHECK(mask_passwords("SELECT login, x FROM t") == "SELECT login, x FROM t");
    // A syntax error quotes the statement with the offending token in brackets.
    CHECK(mask_passwords("mismatched input (CREATE ROLE r WITH PASSWORD ['Horse]...)") ==
          "mismatched input (CREATE ROLE r WITH PASSWORD ['********");
    CHECK(binds_password("CREATE ROLE r WITH PASSWORD = ?"));
    CHECK(binds_password("ALTER ROLE r WITH PASSWORD = :pw"));
    CHECK_FALSE(binds_password("SELECT * FROM t WHERE k = ?"));
}

TEST_CASE("the password values of a statement, and server text masked with them") {
    CHECK(password_values("CREATE USER u WITH PASSWORD 'it''s' AND x = 'it''s'") == std::vector<std::string>{"it''s", "it's"});
    CHECK(password_values("ALTER ROLE r WITH PASSWORD = $$x''y$$ AND LOGIN = true") == std::vector<std::string>{"x''y"});
    CHECK(password_values("CREATE ROLE a WITH PASSWORD = '' ; CREATE ROLE b WITH PASSWORD = 'pw' ; "
                          "CREATE ROLE c WITH HASHED PASSWORD = 'pw'") == std::vector<std::string>{"pw"});
    CHECK(password_values("SELECT 'pw' FROM t").empty());
    const std::vector<std::string> secrets = {"it''s", "it's"};
    // Out of its CQL context, in either spelling, and overlapping echoes as one.
    CHECK(mask_echoed_passwords("at input 'it's' near it''s", secrets) == "at input '********' near ********");
    CHECK(mask_echoed_passwords("it'sit's", secrets) == "********");
    // The text's own literals, with or without secrets.
    CHECK(mask_echoed_passwords("(ALTER ROLE r WITH PASSWORD = 'other')", secrets) == "(ALTER ROLE r WITH PASSWORD = '********')");
    CHECK(mask_echoed_passwords("nothing here", {}) == "nothing here");
    // A server's window on the statement cuts the literal short at either end.
    const std::vector<std::string> long_secret = {"CorrectHorseBatteryStaple"};
    CHECK(mask_echoed_passwords("at 'CorrectHorseBatteryStapl]...", long_secret) == "at '********]...");
    CHECK(mask_echoed_passwords("at [PASSWORD 'CorrectHorseBatteryStapl]...", long_secret) == "at [PASSWORD '********");
    CHECK(mask_echoed_passwords("...[rrectHorseBatteryStaple' AND]", long_secret) == "...[********' AND]");
    CHECK(mask_echoed_passwords("a Correct answer", long_secret) == "a Correct answer");
    CHECK(mask_echoed_passwords("an empty secret masks nothing", std::vector<std::string>{""}) ==
          "an empty secret masks nothing");
}

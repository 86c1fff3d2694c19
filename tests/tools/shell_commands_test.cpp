#include "test_support.hpp"

#include "shell_commands.hpp"
#include "shell_help.hpp"

using namespace cqlwire::cli;
using cqlwire::protocol::consistency;

namespace {

shell_command command(std::string_view text) {
    auto p = parse_shell_command(text);
    REQUIRE(p.is_shell_command);
    REQUIRE_MESSAGE(p.command, p.error);
    return std::move(*p.command);
}

std::string improper(std::string_view text) {
    const auto p = parse_shell_command(text);
    REQUIRE(p.is_shell_command);
    REQUIRE_FALSE(p.command);
    return p.error;
}

}  // namespace

TEST_CASE("CQL statements and DESCRIBE are not shell commands: they go to the server") {
    for (const auto* text : {"SELECT * FROM t", "DESCRIBE KEYSPACES", "desc tables", "INSERT INTO t (k) VALUES (1)", ""})
        CHECK_FALSE(parse_shell_command(text).is_shell_command);
}

TEST_CASE("CONSISTENCY shows or sets any level, case-insensitive") {
    CHECK(command("CONSISTENCY").kind == shell_command_kind::consistency);
    CHECK_FALSE(command("CONSISTENCY").level);
    CHECK(command("consistency local_quorum").level == consistency::local_quorum);
    CHECK(command("Consistency   ALL").level == consistency::all);
    CHECK(improper("consistency FOO") == "Improper consistency command.");
    CHECK(improper("CONSISTENCY ONE TWO") == "Improper CONSISTENCY command.");
}

TEST_CASE("SERIAL CONSISTENCY takes SERIAL or LOCAL_SERIAL only") {
    CHECK(command("SERIAL CONSISTENCY").kind == shell_command_kind::serial_consistency);
    CHECK(command("serial consistency local_serial").level == consistency::local_serial);
    CHECK(improper("SERIAL CONSISTENCY ONE") == "Improper SERIAL command.");
    CHECK(improper("SERIAL") == "Improper SERIAL command.");
    CHECK(improper("serial levels") == "Improper serial command.");
}

TEST_CASE("EXPAND, TRACING and PAGING switches") {
    CHECK(command("EXPAND").toggle == switch_value::none);
    CHECK(command("expand on").toggle == switch_value::on);
    CHECK(command("TRACING OFF").toggle == switch_value::off);
    CHECK(command("TRACING OFF").kind == shell_command_kind::tracing);
    CHECK(improper("EXPAND maybe") == "Improper EXPAND command.");
    CHECK(improper("TRACING ON OFF") == "Improper TRACING command.");
    CHECK(command("PAGING 20").page_size == 20);
    CHECK(command("PAGING on").toggle == switch_value::on);
    // Digits are a size, as cqlsh's isdigit() takes them: 0 and huge ones too.
    CHECK(command("PAGING 0").page_size == 0);
    CHECK(command("PAGING 99999999999").page_size == 99999999999);
    CHECK(command("PAGING 99999999999999999999999").page_size == INT64_MAX);
    CHECK(improper("PAGING -5") == "Improper PAGING command.");
    CHECK(improper("PAGING +5") == "Improper PAGING command.");
    CHECK(improper("PAGING 12abc") == "Improper PAGING command.");
}

TEST_CASE("SHOW, EXIT, QUIT, CLEAR, CLS") {
    CHECK(command("SHOW VERSION").kind == shell_command_kind::show_version);
    CHECK(command("show host").kind == shell_command_kind::show_host);
    CHECK(improper("SHOW me") == "Improper SHOW command.");
    CHECK(command("exit").kind == shell_command_kind::exit);
    CHECK(command("QUIT").kind == shell_command_kind::exit);
    CHECK(improper("EXIT now") == "Improper EXIT command.");
    CHECK(command("cls").kind == shell_command_kind::clear);
}

TEST_CASE("DESCRIBE goes to the server, but alone is refused as cqlsh refuses it") {
    CHECK(improper("DESC") == "Improper DESC command.");
    CHECK(improper("describe") == "Improper describe command.");
    CHECK_FALSE(cqlwire::cli::parse_shell_command("DESCRIBE KEYSPACES").is_shell_command);
    CHECK_FALSE(cqlwire::cli::parse_shell_command("desc t").is_shell_command);
}

TEST_CASE("cqlsh commands cqlwire does not carry out are named, never sent to the server") {
    CHECK(command("DEBUG").kind == shell_command_kind::not_supported);
    CHECK(command("debug things").kind == shell_command_kind::not_supported);
}

TEST_CASE("SHOW REPLICAS takes an integer token, clamped to 64 bits, and a keyspace as CQL names it") {
    auto c = command("SHOW REPLICAS 0");
    CHECK(c.kind == shell_command_kind::show_replicas);
    CHECK(c.token == 0);
    CHECK_FALSE(c.keyspace);
    c = command("show replicas -42 Shop");
    CHECK(c.token == -42);
    CHECK(c.keyspace == "shop");
    CHECK(command("SHOW REPLICAS 1 \"Mixed\"").keyspace == "Mixed");
    CHECK(command("SHOW REPLICAS 1 \"a\"\"b\"").keyspace == "a\"b");
    CHECK(command("SHOW REPLICAS 99999999999999999999").token == INT64_MAX);
    CHECK(command("SHOW REPLICAS -99999999999999999999").token == INT64_MIN);
    for (const auto* text : {"SHOW REPLICAS", "SHOW REPLICAS abc", "SHOW REPLICAS 1.5", "SHOW REPLICAS - ",
                             "SHOW REPLICAS 1 ks extra", "SHOW REPLICAS 1 k-s", "SHOW REPLICAS 1 \"open"}) {
        CAPTURE(text);
        CHECK(improper(text) == "Improper SHOW command.");
    }
}

TEST_CASE("HELP and ? take any number of topics, ? also glued to the first") {
    CHECK(command("HELP").kind == shell_command_kind::help);
    CHECK(command("HELP").topics.empty());
    CHECK(command("help consistency expand").topics == std::vector<std::string>{"consistency", "expand"});
    CHECK(command("? select").topics == std::vector<std::string>{"select"});
    CHECK(command("?select").topics == std::vector<std::string>{"select"});
    CHECK(command("?select").word == "?");
}

TEST_CASE("SHOW SESSION takes one uuid") {
    const auto c = command("SHOW SESSION 7800c720-ebde-11f1-b5d5-6741946fc38a");
    CHECK(c.kind == shell_command_kind::show_session);
    REQUIRE(c.session_id);
    CHECK(cqlwire::protocol::to_string(*c.session_id) == "7800c720-ebde-11f1-b5d5-6741946fc38a");
    CHECK(improper("SHOW SESSION") == "Improper SHOW command.");
    CHECK(improper("SHOW SESSION not-a-uuid") == "Improper SHOW command.");
}

TEST_CASE("SOURCE takes one CQL string literal; ~/ is the home folder") {
    CHECK(command("SOURCE 'f.cql'").kind == shell_command_kind::source);
    CHECK(command("SOURCE 'f.cql'").path == "f.cql");
    CHECK(command("source   'it''s here.cql'  ").path == "it's here.cql");
    CHECK(parse_shell_command("SOURCE '~/s.cql'", "/home/u").command->path == "/home/u/s.cql");
    CHECK(parse_shell_command("SOURCE '~other/s.cql'", "/home/u").command->path == "~other/s.cql");
    CHECK(command("SOURCE '~/s.cql'").path == "~/s.cql");  // no home known
    for (const auto* text : {"SOURCE", "SOURCE f.cql", "SOURCE ''", "SOURCE 'a' 'b'", "SOURCE 'a'b'", "SOURCE 'open"}) {
        CAPTURE(text);
        CHECK(improper(text) == "Improper SOURCE command.");
    }
}

TEST_CASE("HELP's texts: an overview of every command, each command's own, its aliases") {
    const auto overview = shell_help_overview();
    // Every command the shell carries out has its help (found missing for three by a tester).
    for (const auto* name : {"CONSISTENCY", "SERIAL", "EXPAND", "TRACING", "PAGING", "SHOW", "SOURCE", "CAPTURE",
                             "LOGIN", "HISTORY", "DESCRIBE", "EXIT", "CLEAR", "HELP"}) {
        CAPTURE(name);
        CHECK(overview.find(name) != std::string::npos);
        CHECK(shell_help_topic(name));
    }
    REQUIRE(shell_help_topic("consistency"));
    CHECK(shell_help_topic("consistency")->find("LOCAL_QUORUM") != std::string::npos);
    CHECK(shell_help_topic("desc") == shell_help_topic("DESCRIBE"));
    CHECK(shell_help_topic("quit") == shell_help_topic("exit"));
    CHECK(shell_help_topic("?") == shell_help_topic("help"));
    CHECK_FALSE(shell_help_topic("select"));
    CHECK_FALSE(shell_help_topic(""));
}

TEST_CASE("CAPTURE shows the state, takes a file literal, or OFF") {
    CHECK(command("CAPTURE").kind == shell_command_kind::capture);
    CHECK(command("CAPTURE").path.empty());
    CHECK(command("capture off").toggle == switch_value::off);
    CHECK(command("CAPTURE 'out.txt'").path == "out.txt");
    CHECK(parse_shell_command("CAPTURE '~/o.txt'", "/h").command->path == "/h/o.txt");
    CHECK(improper("CAPTURE out.txt") == "Improper CAPTURE command.");
    CHECK(improper("CAPTURE ON") == "Improper CAPTURE command.");
}

TEST_CASE("HISTORY [n]") {
    CHECK(command("HISTORY").kind == shell_command_kind::history);
    CHECK_FALSE(command("history").page_size);
    CHECK(command("HISTORY 5").page_size == 5);
    CHECK(command("HISTORY 0").page_size == 0);
    CHECK(improper("HISTORY -1") == "Improper HISTORY command.");
    CHECK(improper("HISTORY all") == "Improper HISTORY command.");
}

TEST_CASE("LOGIN <user> ['<password>']") {
    auto text_of = [](const cqlwire::auth::secret_bytes& b) {
        return std::string(reinterpret_cast<const char*>(b.view().data()), b.size());
    };
    const auto plain = command("LOGIN alice");
    CHECK(plain.kind == shell_command_kind::login);
    CHECK(plain.username == "alice");
    CHECK_FALSE(plain.password);
    const auto with = command("login \"Bob \"\"B\"\"\" 'it''s a secret'");
    CHECK(with.username == "Bob \"B\"");
    REQUIRE(with.password);
    CHECK(text_of(*with.password) == "it's a secret");
    CHECK(text_of(*command("LOGIN a ''").password).empty());
    CHECK(improper("LOGIN") == "Improper LOGIN command.");
    // A password that is not a literal is refused, and the message never holds it.
    CHECK(improper("LOGIN alice hunter2") == "Improper LOGIN command.");
    CHECK(improper("LOGIN alice 'open") == "Improper LOGIN command.");
}

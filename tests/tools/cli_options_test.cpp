#include "test_support.hpp"

#include <string>
#include <vector>

#include "cli_options.hpp"
#include "exit_codes.hpp"

using namespace cqlwire::cli;
using cqlwire::protocol::consistency;

namespace {

struct parsed {
    std::error_code ec;
    std::string message;
    cli_options options;
};

parsed parse(std::vector<std::string_view> args) {
    parsed p;
    p.ec = parse_command_line(args, p.options, p.message);
    return p;
}

std::string secret_text(const cqlwire::auth::secret_bytes& s) {
    return {reinterpret_cast<const char*>(s.view().data()), s.size()};
}

void check_usage_error(std::vector<std::string_view> args, std::string_view expected_message) {
    const auto p = parse(std::move(args));
    CHECK(p.ec == cli_errc::usage);
    CHECK(exit_code_for(p.ec) == exit_code::usage);
    CHECK(p.message == expected_message);
}

}  // namespace

TEST_CASE("no arguments leaves everything unset") {
    const auto p = parse({});
    REQUIRE_FALSE(p.ec);
    CHECK_FALSE(p.options.host);
    CHECK_FALSE(p.options.port);
    CHECK_FALSE(p.options.ssl);
    CHECK_FALSE(p.options.help);
}

TEST_CASE("host and port positionals") {
    const auto p = parse({"db.example", "9142"});
    REQUIRE_FALSE(p.ec);
    CHECK(*p.options.host == "db.example");
    CHECK(*p.options.port == 9142);
    check_usage_error({"h", "0"}, "invalid port '0': expected 1-65535");
    check_usage_error({"h", "65536"}, "invalid port '65536': expected 1-65535");
    check_usage_error({"h", "12x"}, "invalid port '12x': expected 1-65535");
    // Leading zeros, as cqlsh's int() and a contact point's host:port take them.
    CHECK(*parse({"h", "061042"}).options.port == 61042);
    check_usage_error({"h", "0000000000000070000"}, "invalid port '0000000000000070000': expected 1-65535");
    check_usage_error({"h", "00"}, "invalid port '00': expected 1-65535");
    // Blanks around it, as int() and a list's entries take them; none inside.
    CHECK(*parse({"h", " 9142\t"}).options.port == 9142);
    check_usage_error({"h", "91 42"}, "invalid port '91 42': expected 1-65535");
    check_usage_error({"h", "  "}, "invalid port '  ': expected 1-65535");
    check_usage_error({"h", "1", "extra"}, "too many arguments: expected at most [host [port]] (quote -e statements)");
}

TEST_CASE("every flag with a value, long and short, separate and attached") {
    const auto p = parse({"-e", "SELECT 1", "--username=alice", "-pS3cret", "-k", "ks", "--cqlshrc", "/rc",
                          "--connect-timeout", "2.5", "--request-timeout=30", "--consistency", "local_quorum",
                          "--format", "json"});
    REQUIRE_FALSE(p.ec);
    const auto& o = p.options;
    CHECK(*o.execute == "SELECT 1");
    CHECK(*o.username == "alice");
    CHECK(secret_text(*o.password) == "S3cret");
    CHECK(*o.keyspace == "ks");
    CHECK(*o.cqlshrc == "/rc");
    CHECK(o.connect_timeout->count() == 2500);
    CHECK(o.request_timeout->count() == 30000);
    CHECK(*o.consistency == consistency::local_quorum);
    CHECK(*o.format == output_format::json);
    CHECK_FALSE(o.ssl);

    const auto q = parse({"-f", "in.cql", "-u", "bob", "--password-file", "/pw", "--format=csv"});
    REQUIRE_FALSE(q.ec);
    CHECK(*q.options.file == "in.cql");
    CHECK(*q.options.username == "bob");
    CHECK(*q.options.password_file == "/pw");
    CHECK(*q.options.format == output_format::csv);
    CHECK(*parse({"--format", "table"}).options.format == output_format::table);
    CHECK(*parse({"--execute=x"}).options.execute == "x");
    CHECK(*parse({"--file=f"}).options.file == "f");
    CHECK(*parse({"--keyspace=k"}).options.keyspace == "k");
    CHECK(secret_text(*parse({"--password", "pw"}).options.password) == "pw");
}

TEST_CASE("an -e value may start with a dash") {
    const auto p = parse({"-e", "-- only a comment"});
    REQUIRE_FALSE(p.ec);
    CHECK(*p.options.execute == "-- only a comment");
}

TEST_CASE("TLS flags imply --ssl") {
    CHECK(parse({"--ssl"}).options.ssl);
    for (std::vector<std::string_view> args : std::vector<std::vector<std::string_view>>{
             {"--cafile", "ca.pem"},
             {"--cert", "c.pem", "--key", "k.pem"},
             {"--server-name", "node1"},
             {"--no-verify"},
             {"--tls-min", "1.3"},
             {"--tls-max", "1.2"}}) {
        const auto p = parse(args);
        INFO(args[0]);
        REQUIRE_FALSE(p.ec);
        CHECK(p.options.ssl);
    }
    const auto p = parse({"--cafile=ca.pem", "--cert=c.pem", "--key=k.pem", "--key-password-file=kp", "--server-name=n",
                          "--no-verify", "--tls-min=1.2", "--tls-max=1.3"});
    REQUIRE_FALSE(p.ec);
    CHECK(*p.options.cafile == "ca.pem");
    CHECK(*p.options.cert == "c.pem");
    CHECK(*p.options.key == "k.pem");
    CHECK(*p.options.key_password_file == "kp");
    CHECK(*p.options.server_name == "n");
    CHECK(p.options.no_verify);
    CHECK(*p.options.tls_min == tls_version::v1_2);
    CHECK(*p.options.tls_max == tls_version::v1_3);
}

TEST_CASE("help and version") {
    CHECK(parse({"--help"}).options.help);
    CHECK(parse({"-h"}).options.help);
    CHECK(parse({"--version"}).options.version);
    CHECK(version_text().starts_with("cqlwire "));
}

TEST_CASE("bad values are usage errors with a message") {
    check_usage_error({"--format", "xml"}, "invalid value 'xml' for --format: expected table, json or csv");
    check_usage_error({"--tls-min", "1.1"}, "invalid value '1.1' for --tls-min: expected 1.2 or 1.3");
    check_usage_error({"--tls-max=TLSv1.3"}, "invalid value 'TLSv1.3' for --tls-max: expected 1.2 or 1.3");
    check_usage_error({"--connect-timeout", "0"},
                      "invalid value '0' for --connect-timeout: expected seconds, from 0.001 to 86400");
    check_usage_error({"--request-timeout", "-1"},
                      "invalid value '-1' for --request-timeout: expected seconds, from 0.001 to 86400");
    check_usage_error({"--consistency", "MOST"},
                      "invalid value 'MOST' for --consistency: expected ANY, ONE, TWO, THREE, QUORUM, ALL, "
                      "LOCAL_QUORUM, EACH_QUORUM, SERIAL, LOCAL_SERIAL or LOCAL_ONE");
    check_usage_error({"-e"}, "-e needs a value (STATEMENTS)");
    check_usage_error({"--cafile"}, "--cafile needs a value (FILE)");
    check_usage_error({"--cafile="}, "--cafile needs a non-empty path");
    check_usage_error({"--ssl=yes"}, "--ssl takes no value");
    check_usage_error({"--bogus"}, "unknown option --bogus (see --help)");
    check_usage_error({"-x"}, "unknown option -x (see --help)");
    check_usage_error({"--tls-min", "1.3", "--tls-max", "1.2"}, "--tls-min 1.3 is above --tls-max 1.2");
    check_usage_error({"-e", "x", "-f", "y"}, "use either --execute or --file, not both");
    check_usage_error({"-p", "x", "--password-file", "y"}, "use either --password or --password-file, not both");
    check_usage_error({"--key", "k"}, "--key needs --cert (the certificate that goes with the key)");
    check_usage_error({"--cert", "c", "--key", "k", "--key-password-file", ""}, "--key-password-file needs a non-empty path");
    check_usage_error({"--server-name", "*.cassandra.test"},
                      "--server-name is the name to expect, not a pattern: give one the certificate's wildcard covers "
                      "(for '*.cassandra.test', e.g. 'node1.cassandra.test')");
    check_usage_error({"--server-name", "**"},
                      "--server-name is the name to expect, not a pattern: give one the certificate's wildcard covers");
    check_usage_error({"--server-name", "node1.*"},
                      "--server-name is the name to expect, not a pattern: give one the certificate's wildcard covers");
    for (const char* bad : {" ", "a b", "x/y", "a:1", "\x1b[31m", "caf\xc3\xa9"}) {
        CAPTURE(bad);
        const auto p = parse({"--server-name", bad});
        CHECK(p.ec == cli_errc::usage);
        CHECK(p.message.find("is not a host name") != std::string::npos);
        CHECK(p.message.find('\x1b') == std::string::npos);
    }
    const std::string long_name(254, 'a');
    check_usage_error({"--server-name", long_name},
                      "--server-name '" + long_name +
                          "' is not a host name (ASCII letters, digits, '-', '.' and '_', at most 253 characters) "
                          "nor an IP address");
    CHECK(!parse({"--server-name", "node_1.cassandra.test"}).ec);
    CHECK(!parse({"--server-name", "::1"}).ec);
}

TEST_CASE("--cert alone is accepted: it may be a PKCS#12 bundle that holds its key") {
    const auto p = parse({"--cert", "bundle.p12"});
    REQUIRE_FALSE(p.ec);
    CHECK(p.options.cert == "bundle.p12");
    CHECK_FALSE(p.options.key);
}

TEST_CASE("--key-password-file does not need --key: the key may be the cqlshrc's userkey") {
    const auto p = parse({"--key-password-file", "kp"});
    REQUIRE_FALSE(p.ec);
    CHECK(*p.options.key_password_file == "kp");
    CHECK(p.options.ssl);
    CHECK_FALSE(p.options.key);
}

TEST_CASE("a mistyped password flag does not echo the password") {
    const auto p = parse({"--passwrod=hunter2"});
    CHECK(p.ec == cli_errc::usage);
    CHECK(p.message.find("hunter2") == std::string::npos);
    const auto q = parse({"-Phunter2"});
    CHECK(q.ec == cli_errc::usage);
    CHECK(q.message.find("hunter2") == std::string::npos);
}

TEST_CASE("-- ends the options") {
    const auto p = parse({"--", "-host-with-dash"});
    REQUIRE_FALSE(p.ec);
    CHECK(*p.options.host == "-host-with-dash");
}

TEST_CASE("timeouts in seconds") {
    CHECK(parse_seconds("5")->count() == 5000);
    CHECK(parse_seconds("0.25")->count() == 250);
    CHECK(parse_seconds(".5")->count() == 500);
    CHECK(parse_seconds("1.0009")->count() == 1000);
    CHECK(parse_seconds("86400")->count() == 86400000);
    CHECK_FALSE(parse_seconds("86400.001"));
    CHECK_FALSE(parse_seconds("0.0001"));
    CHECK_FALSE(parse_seconds(""));
    CHECK_FALSE(parse_seconds("."));
    CHECK_FALSE(parse_seconds("1e3"));
    CHECK_FALSE(parse_seconds("inf"));
    CHECK_FALSE(parse_seconds("99999999999999999999999"));
}

TEST_CASE("the help names every flag, the environment and the exit codes, and no secret") {
    const auto p = parse({"-u", "alice", "-p", "topsecret"});
    REQUIRE_FALSE(p.ec);
    const std::string help = help_text();
    for (std::string_view flag :
         {"-e, --execute", "-f, --file", "-u, --username", "-p, --password", "--password-file", "-k, --keyspace", "--ssl",
          "--cqlshrc", "--connect-timeout", "--request-timeout", "--consistency", "--format", "--cafile", "--cert",
          "--key ", "--key-password-file", "--server-name", "--no-verify", "--tls-min", "--tls-max", "--help",
          "--version", "CQLWIRE_PASSWORD", "CQLWIRE_KEY_PASSWORD", "SSL_CERTFILE", "SSL_VALIDATE", "Passphrase for "}) {
        INFO(flag);
        CHECK(help.find(flag) != std::string::npos);
    }
    CHECK(help.find(exit_codes_help()) != std::string::npos);
    CHECK(help.find("topsecret") == std::string::npos);
}

TEST_CASE("cqlsh's display flags: -C/--color, --no-color, --encoding UTF-8, -t/--tty") {
    const auto p = parse({"-C", "--no-color", "--encoding", "UTF8", "-t"});
    REQUIRE_FALSE(p.ec);
    CHECK(p.options.color);
    CHECK(p.options.no_color);
    CHECK(p.options.tty);
    CHECK_FALSE(parse({"--encoding=utf-8"}).ec);
    check_usage_error({"--encoding", "latin1"}, "--encoding latin1 is not supported: cqlwire reads and writes UTF-8 only");
    CHECK(parse({"--tty"}).options.tty);
    CHECK(parse({"--color"}).options.color);
}

TEST_CASE("cqlsh's --cqlversion and --debug") {
    const auto p = parse({"--cqlversion", "3.4.7", "--debug"});
    REQUIRE_FALSE(p.ec);
    CHECK(p.options.cql_version == "3.4.7");
    CHECK(p.options.debug);
    CHECK(parse({"--cqlversion=3.4"}).options.cql_version == "3.4");
    for (std::string_view bad : {"3", "three", "3..4", ".3.4", "3.4.", "3.4.7.1", ""}) {
        const auto r = parse({"--cqlversion", bad});
        CHECK(r.ec == cli_errc::usage);
        CHECK(r.message.find("a version such as 3.4.7") != std::string::npos);
    }
}

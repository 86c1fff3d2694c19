#include "test_support.hpp"

#include <chrono>
#include <string>

#include "cqlshrc.hpp"
#include "exit_codes.hpp"

using namespace cqlwire::cli;

namespace {

std::string secret_text(const cqlwire::auth::secret_bytes& s) {
    return {reinterpret_cast<const char*>(s.view().data()), s.size()};
}

struct parsed {
    std::error_code ec;
    std::string message;
    cqlshrc_values values;
};

parsed parse(std::string_view text) {
    parsed p;
    p.ec = parse_cqlshrc(text, "rc", p.values, p.message);
    return p;
}

void check_error(std::string_view text, std::string_view expected) {
    const auto p = parse(text);
    CHECK(p.ec == cli_errc::bad_config);
    CHECK(exit_code_for(p.ec) == exit_code::configuration);
    CHECK(p.message == expected);
}

}  // namespace

// The file as printed in Microsoft's article on self-signed certificates for Azure Managed
// Instance for Apache Cassandra: no section headers, and an inline `;;` comment.
constexpr std::string_view azure_article_cqlshrc =
    "username = <cluster-username>\n"
    "password = <cluster-password>\n"
    "\n"
    "hostname = <node-ip OR>\n"
    "port = 9042\n"
    "\n"
    "userkey = /path/to/rootCa.key\n"
    "usercert = /path/to/rootCa.crt\n"
    "certfile = /etc/ssl/certs/digicertroot.crt\n"
    "validate = true ;; Optional, see below\n";

TEST_CASE("the Azure article's section-less cqlshrc is read, with one warning") {
    const auto p = parse(azure_article_cqlshrc);
    REQUIRE_FALSE(p.ec);
    const auto& v = p.values;
    CHECK(*v.username == "<cluster-username>");
    CHECK(secret_text(*v.password) == "<cluster-password>");
    CHECK(*v.hostname == "<node-ip OR>");
    CHECK(*v.port == 9042);
    CHECK(*v.userkey == "/path/to/rootCa.key");
    CHECK(*v.usercert == "/path/to/rootCa.crt");
    CHECK(*v.certfile == "/etc/ssl/certs/digicertroot.crt");
    CHECK(*v.validate == true);
    CHECK_FALSE(v.ssl);
    REQUIRE(v.warnings.size() == 1);
    CHECK(v.warnings[0].starts_with("rc:1: no [section] header before this line"));
}

TEST_CASE("a normal cqlshrc") {
    const auto p = parse(
        "; cqlshrc for production\n"
        "[authentication]\n"
        "username = alice\n"
        "password = pa;ss word ; not a comment in a password\n"
        "keyspace = shop\n"
        "\n"
        "[connection]\n"
        "hostname = db1.example\n"
        "port: 9142\n"
        "ssl = Yes\n"
        "timeout = 7\n"
        "request_timeout = 20.5\n"
        "\n"
        "[ssl]\n"
        "certfile = ~/ca.pem\n"
        "validate = off\n"
        "userkey = /k.pem\n"
        "usercert = /c.pem\n"
        "\n"
        "[certfiles]\n"
        "DB2.example = /ca2.pem\n");
    REQUIRE_FALSE(p.ec);
    const auto& v = p.values;
    CHECK(*v.username == "alice");
    CHECK(secret_text(*v.password) == "pa;ss word ; not a comment in a password");
    CHECK(*v.keyspace == "shop");
    CHECK(*v.hostname == "db1.example");
    CHECK(*v.port == 9142);
    CHECK(*v.ssl == true);
    CHECK(v.connect_timeout->count() == 7000);
    CHECK(v.request_timeout->count() == 20500);
    CHECK(*v.certfile == "~/ca.pem");
    CHECK(*v.validate == false);
    CHECK(*v.userkey == "/k.pem");
    CHECK(*v.usercert == "/c.pem");
    REQUIRE(v.certfiles.size() == 1);
    CHECK(v.certfiles[0].first == "db2.example");
    CHECK(v.certfiles[0].second == "/ca2.pem");
    CHECK(v.warnings.empty());
}

TEST_CASE("comments, inline comments, CR LF, byte-order mark and key case") {
    const auto p = parse(
        "\xEF\xBB\xBF# a comment\r\n"
        "  ; an indented comment\r\n"
        "[connection]\r\n"
        "HostName = h1 ; the first node\r\n"
        "port = 9042;not-a-comment-without-space\r\n");
    REQUIRE(p.ec == cli_errc::bad_config);
    CHECK(p.message == "rc:5: [connection] port: '9042;not-a-comment-without-space' is not a port (1-65535)");

    const auto q = parse("[connection]\r\nHostName = h1 ; the first node\r\nssl = TRUE\t; tab before\r\n");
    REQUIRE_FALSE(q.ec);
    CHECK(*q.values.hostname == "h1");
    CHECK(*q.values.ssl == true);
    CHECK(q.values.warnings.empty());
}

TEST_CASE("connect_timeout beats timeout in either order") {
    CHECK(parse("[connection]\nconnect_timeout = 3\ntimeout = 9\n").values.connect_timeout->count() == 3000);
    CHECK(parse("[connection]\ntimeout = 9\nconnect_timeout = 3\n").values.connect_timeout->count() == 3000);
}

TEST_CASE("[DEFAULT] fills the sections that lack a key") {
    const auto p = parse("[DEFAULT]\nport = 1111\nhostname = d\n[connection]\nport = 2222\n");
    REQUIRE_FALSE(p.ec);
    CHECK(*p.values.port == 2222);
    CHECK(*p.values.hostname == "d");
    CHECK(p.values.warnings.empty());
}

TEST_CASE("[ssl] version is ignored with a notice") {
    const auto p = parse("[ssl]\nversion = TLSv1_2\n");
    REQUIRE_FALSE(p.ec);
    REQUIRE(p.values.warnings.size() == 1);
    CHECK(p.values.warnings[0] ==
          "rc:2: [ssl] version is ignored (as cqlsh does); cqlwire negotiates TLS 1.2 or 1.3, see --tls-min and --tls-max");
}

TEST_CASE("unknown keys and sections are warnings") {
    const auto p = parse(
        "[connection]\nretries = x\n[ui]\ncompletekey = tab\n[mystery]\na = b\n[authentication]\ncredentials = ~/c\n");
    REQUIRE_FALSE(p.ec);
    const auto& w = p.values.warnings;
    REQUIRE(w.size() == 3);
    CHECK(w[0] == "rc:2: unknown key 'retries' in [connection]; ignored");
    CHECK(w[1] == "rc:4: [ui] completekey is a cqlsh setting cqlwire does not use; ignored");
    CHECK(w[2] == "rc:5: unknown section [mystery]; ignored");
    // [authentication] credentials names the credentials file (credentials_file.hpp).
    CHECK(p.values.credentials == "~/c");
    const auto q = parse("colour = blue\n");
    REQUIRE_FALSE(q.ec);
    REQUIRE(q.values.warnings.size() == 2);
    CHECK(q.values.warnings[1] == "rc:1: unknown key 'colour'; ignored");
}

TEST_CASE("bad lines are errors naming the file and line") {
    check_error("[connection]\nhostname\n", "rc:2: expected 'key = value', '[section]' or a comment");
    check_error("[connection\n", "rc:1: a section header must look like [name]");
    check_error("[]\n", "rc:1: a section header must look like [name]");
    check_error("= value\n", "rc:1: expected 'key = value', '[section]' or a comment");
    check_error("[ssl]\n[ssl]\n", "rc:2: section [ssl] appears twice (first on line 1)");
    check_error("[ssl]\ncertfile = a\ncertfile = b\n", "rc:3: 'certfile' is set twice (first on line 2)");
    check_error("[connection]\nport = 70000\n", "rc:2: [connection] port: '70000' is not a port (1-65535)");
    check_error("[connection]\nssl = maybe\n",
                "rc:2: [connection] ssl: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)");
    check_error("[ssl]\nvalidate = truthy\n",
                "rc:2: [ssl] validate: 'truthy' is not a boolean (true/false, yes/no, on/off, 1/0)");
    check_error("[connection]\ntimeout = soon\n",
                "rc:2: [connection] timeout: 'soon' is not a number of seconds from 0.001 to 86400");
    check_error("[ssl]\ncertfile =\n", "rc:2: [ssl] certfile is empty");
    check_error("[connection]\nhostname = a\n    b\n",
                "rc:3: indented line continues the value above; cqlshrc values are single lines");
}

TEST_CASE("[connection] factory, a standard cqlsh key, is accepted without a warning") {
    const auto p = parse("[connection]\nhostname = db1\nfactory = cqlshlib.ssl.ssl_transport_factory\n");
    REQUIRE_FALSE(p.ec);
    CHECK(p.values.warnings.empty());
    CHECK(p.values.hostname == "db1");
    // In a file without headers it is read into [connection] too.
    const auto q = parse("factory = cqlshlib.ssl.ssl_transport_factory\n");
    REQUIRE_FALSE(q.ec);
    REQUIRE(q.values.warnings.size() == 1);  // only the section-less notice
    CHECK(q.values.warnings[0].starts_with("rc:1: no [section] header"));
}

TEST_CASE("[auth_provider], cqlsh's Python auth provider class, is a cqlsh section, not an unknown one") {
    const auto p = parse("[auth_provider]\nmodule = cassandra.auth\nclassname = PlainTextAuthProvider\n");
    REQUIRE_FALSE(p.ec);
    REQUIRE(p.values.warnings.size() == 1);
    CHECK(p.values.warnings[0] == "rc:1: section [auth_provider] holds cqlsh settings that cqlwire does not use; ignored");
}

TEST_CASE("a cqlshrc that is not text is an error naming the line, quoting nothing") {
    const std::string nul_line = std::string("[connection]\nhostname = db") + '\0' + "1\n";
    check_error(nul_line, "rc:2: holds a NUL byte; a cqlshrc is a text file (is this the right file?)");
    check_error("[connection]\nhostname = \x1b[31mdb\n",
                "rc:2: holds a control character; a cqlshrc is a text file (is this the right file?)");
    check_error("[authentication]\npassword = p\x7fw\n",
                "rc:2: holds a control character; a cqlshrc is a text file (is this the right file?)");
    check_error("[connection]\n\nhostname = db\f\n",
                "rc:3: holds a control character; a cqlshrc is a text file (is this the right file?)");
    check_error("[connection]\nhostname = \xC2\x9B" "31m\n",
                "rc:2: holds a control character; a cqlshrc is a text file (is this the right file?)");
    check_error("# caf\xE9\n", "rc:1: is not valid UTF-8; a cqlshrc is a UTF-8 text file (is this the right file?)");
    check_error("[ssl]\ncertfile = \xC0\xAF\n",
                "rc:2: is not valid UTF-8; a cqlshrc is a UTF-8 text file (is this the right file?)");
    // The start of a gzip file, as `--cqlshrc cqlshrc.gz` would give.
    check_error(std::string("\x1f\x8b\x08\x00", 4) + "\n", "rc:1: holds a control character; a cqlshrc is a text file (is this the right file?)");
    // A password line with a control character is refused without quoting the password.
    const auto p = parse("[authentication]\npassword = hunter2\x01\n");
    CHECK(p.ec == cli_errc::bad_config);
    CHECK(p.message.find("hunter2") == std::string::npos);
    // Tabs, CR LF endings and UTF-8 are text.
    const auto ok = parse("[connection]\r\nhostname =\tdb\xC3\xA9\r\n# \xE2\x82\xAC \xF0\x9F\x98\x80\r\n");
    REQUIRE_FALSE(ok.ec);
    CHECK(ok.values.hostname == "db\xC3\xA9");
}

TEST_CASE("a malformed line is not quoted (it may be a password)") {
    const auto p = parse("[authentication]\nusername = a\nhunter2\n");
    CHECK(p.ec == cli_errc::bad_config);
    CHECK(p.message.find("hunter2") == std::string::npos);
}

TEST_CASE("empty and comment-only files") {
    CHECK_FALSE(parse("").ec);
    CHECK_FALSE(parse("\n\n# nothing\n").ec);
    CHECK(parse("").values.warnings.empty());
}

TEST_CASE("configparser booleans") {
    for (auto t : {"1", "yes", "true", "on", "TRUE", "Yes", "oN"}) CHECK(parse_config_boolean(t) == true);
    for (auto f : {"0", "no", "false", "off", "FALSE", "No", "OFF"}) CHECK(parse_config_boolean(f) == false);
    for (auto bad : {"", "2", "y", "n", "truee", "enabled"}) CHECK_FALSE(parse_config_boolean(bad));
}

TEST_CASE("[ui] float_precision and double_precision are read; the other [ui] keys are named and ignored") {
    const auto p = parse("[ui]\nfloat_precision = 3\ndouble_precision=12\nencoding = utf8\ncompletekey = tab\n"
                         "date_format = %d/%m/%Y\n");
    REQUIRE_FALSE(p.ec);
    CHECK(p.values.float_precision == 3);
    CHECK(p.values.double_precision == 12);
    REQUIRE(p.values.warnings.size() == 3);
    CHECK(p.values.warnings[0] == "rc:4: [ui] encoding is a cqlsh setting cqlwire does not use; ignored");
    CHECK(p.values.warnings[1] == "rc:5: [ui] completekey is a cqlsh setting cqlwire does not use; ignored");
    CHECK(p.values.warnings[2] == "rc:6: [ui] date_format is a cqlsh setting cqlwire does not use; ignored");
    check_error("[ui]\nfloat_precision = 0\n", "rc:2: [ui] float_precision: '0' is not a number of significant digits from 1 to 17");
    check_error("[ui]\ndouble_precision = many\n",
                "rc:2: [ui] double_precision: 'many' is not a number of significant digits from 1 to 17");
    check_error("[ui]\ndouble_precision = 18\n",
                "rc:2: [ui] double_precision: '18' is not a number of significant digits from 1 to 17");
}

TEST_CASE("[ui] time_format, timezone and color, and [tracing] max_trace_wait are read") {
    const auto p = parse("[ui]\ntime_format = %Y-%m-%d %H:%M:%S%z\ntimezone = America/New_York\ncolor = on\n"
                         "[tracing]\nmax_trace_wait = 2.5\n");
    REQUIRE_FALSE(p.ec);
    CHECK(p.values.warnings.empty());
    CHECK(p.values.time_format == "%Y-%m-%d %H:%M:%S%z");
    CHECK(p.values.timezone == "America/New_York");
    CHECK(p.values.color == true);
    CHECK(p.values.max_trace_wait == std::chrono::milliseconds(2500));
    CHECK(parse("[ui]\ncolor = off\n").values.color == false);
    // Not there: not set.
    const auto none = parse("[ui]\nfloat_precision = 3\n");
    CHECK_FALSE(none.values.time_format);
    CHECK_FALSE(none.values.timezone);
    CHECK_FALSE(none.values.color);
    CHECK_FALSE(none.values.max_trace_wait);
}

TEST_CASE("[ui] datetimeformat is read as time_format, with a warning; both at once are refused") {
    const auto p = parse("[ui]\ndatetimeformat = %d/%m/%Y %H:%M\n");
    REQUIRE_FALSE(p.ec);
    CHECK(p.values.time_format == "%d/%m/%Y %H:%M");
    REQUIRE(p.values.warnings.size() == 1);
    CHECK(p.values.warnings[0] ==
          "rc:2: [ui] datetimeformat is read as time_format, cqlsh's name for it (cqlsh ignores datetimeformat)");
    check_error("[ui]\ntime_format = %Y\ndatetimeformat = %Y\n",
                "rc:3: [ui] datetimeformat and time_format are both set (time_format on line 2); keep time_format");
}

TEST_CASE("bad [ui] time_format, timezone, color and [tracing] max_trace_wait values name the key") {
    check_error("[ui]\ntime_format = %Y %a\n",
                "rc:2: [ui] time_format '%Y %a': %a is not supported; use %Y %m %d %H %M %S %f %z %Z %j %y %s and %%");
    check_error("[ui]\ntime_format = %H%\n",
                "rc:2: [ui] time_format '%H%': it ends with a lone %; use %Y %m %d %H %M %S %f %z %Z %j %y %s and %%");
    check_error("[ui]\ntime_format =\n", "rc:2: [ui] time_format is empty");
    check_error("[ui]\ntimezone =\n", "rc:2: [ui] timezone is empty; give a zone such as America/New_York or UTC");
    check_error("[ui]\ncolor = blue\n", "rc:2: [ui] color: 'blue' is not a boolean (true/false, yes/no, on/off, 1/0)");
    check_error("[tracing]\nmax_trace_wait = soon\n",
                "rc:2: [tracing] max_trace_wait: 'soon' is not a number of seconds from 0.001 to 86400");
    // [tracing]'s other keys are named; the section itself is no longer "not used".
    const auto p = parse("[tracing]\nmax_trace_wait = 1\nverbose = yes\n");
    REQUIRE_FALSE(p.ec);
    REQUIRE(p.values.warnings.size() == 1);
    CHECK(p.values.warnings[0] == "rc:3: unknown key 'verbose' in [tracing]; ignored");
}

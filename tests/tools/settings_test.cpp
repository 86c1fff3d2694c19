#include "test_support.hpp"

#include <sys/stat.h>

#include <map>
#include <string>
#include <vector>

#include "exit_codes.hpp"
#include "password_source.hpp"
#include "settings.hpp"
#include "temp_dir.hpp"

using namespace cqlwire::cli;

namespace {

std::string secret_text(const cqlwire::auth::secret_bytes& s) {
    return {reinterpret_cast<const char*>(s.view().data()), s.size()};
}

environment_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        const auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

cli_options flags_of(std::vector<std::string_view> args) {
    cli_options o;
    std::string message;
    REQUIRE_FALSE(parse_command_line(args, o, message));
    return o;
}

cqlshrc_values rc_of(std::string_view text) {
    cqlshrc_values v;
    std::string message;
    REQUIRE_FALSE(parse_cqlshrc(text, "rc", v, message));
    return v;
}

struct merged {
    std::error_code ec;
    std::string message;
    settings s;
};

merged merge(std::vector<std::string_view> args, std::optional<std::string_view> rc_text,
             std::map<std::string, std::string> env = {}) {
    merged m;
    cli_options flags = flags_of(std::move(args));
    std::optional<cqlshrc_values> rc;
    if (rc_text) rc = rc_of(*rc_text);
    m.ec = merge_settings(flags, rc ? &*rc : nullptr, "rc", env_of(std::move(env)), m.s, m.message);
    return m;
}

constexpr std::string_view full_rc =
    "[authentication]\nusername = rc_user\npassword = rc_pw\nkeyspace = rc_ks\n"
    "[connection]\nhostname = rc_host\nport = 1000\nssl = true\ntimeout = 11\nrequest_timeout = 12\n"
    "[ssl]\ncertfile = ~/rc_ca.pem\nvalidate = true\nuserkey = /rc_key.pem\nusercert = /rc_cert.pem\n";

}  // namespace

TEST_CASE("defaults") {
    const auto m = merge({}, std::nullopt);
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.host == "127.0.0.1");
    CHECK(m.s.port == 9042);
    CHECK(m.s.connect_timeout.count() == 5000);
    CHECK(m.s.request_timeout.count() == 10000);
    CHECK(m.s.consistency == cqlwire::protocol::consistency::one);
    CHECK(m.s.format == output_format::table);
    CHECK_FALSE(m.s.username);
    CHECK(m.s.password_from == password_origin::none);
    CHECK_FALSE(m.s.tls.enabled);
    CHECK(m.s.tls.verify);
    CHECK(m.s.tls.server_name.empty());  // the host dialed
    CHECK(m.s.warnings.empty());
}

TEST_CASE("the cqlshrc over the defaults") {
    const auto m = merge({}, full_rc, {{"HOME", "/home/u"}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.host == "rc_host");
    CHECK(m.s.port == 1000);
    CHECK(*m.s.username == "rc_user");
    CHECK(secret_text(m.s.password) == "rc_pw");
    CHECK(m.s.password_from == password_origin::cqlshrc);
    CHECK(*m.s.keyspace == "rc_ks");
    CHECK(m.s.connect_timeout.count() == 11000);
    CHECK(m.s.request_timeout.count() == 12000);
    CHECK(m.s.tls.enabled);
    CHECK(m.s.tls.verify);
    CHECK(m.s.tls.ca_file == "/home/u/rc_ca.pem");
    CHECK(m.s.tls.key_file == "/rc_key.pem");
    CHECK(m.s.tls.cert_file == "/rc_cert.pem");
    CHECK(m.s.tls.server_name.empty());
}

TEST_CASE("the environment over the cqlshrc") {
    const auto m = merge({}, full_rc,
                         {{"CQLSH_HOST", "env_host"}, {"CQLSH_PORT", "2000"}, {"CQLWIRE_PASSWORD", "env_pw"},
                          {"SSL_CERTFILE", "/env_ca.pem"}, {"SSL_VALIDATE", "false"}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.host == "env_host");
    CHECK(m.s.port == 2000);
    CHECK(secret_text(m.s.password) == "env_pw");
    CHECK(m.s.password_from == password_origin::environment);
    CHECK(m.s.tls.ca_file == "/env_ca.pem");
    CHECK_FALSE(m.s.tls.verify);
    REQUIRE(m.s.warnings.size() == 1);
    CHECK(m.s.warnings[0] == no_verify_warning());
}

TEST_CASE("an empty CQLWIRE_PASSWORD counts as unset: the cqlshrc's password stands") {
    const auto m = merge({}, full_rc, {{"CQLWIRE_PASSWORD", ""}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.password_from != password_origin::environment);
    CHECK_FALSE(m.s.password.empty());
}

TEST_CASE("flags over the environment and the cqlshrc") {
    const auto m = merge({"flag_host", "3000", "-u", "flag_user", "-p", "flag_pw", "-k", "flag_ks", "--connect-timeout",
                          "1", "--request-timeout", "2", "--cafile", "/flag_ca.pem", "--cert", "/flag_cert.pem", "--key",
                          "/flag_key.pem", "--key-password-file", "/kp", "--server-name", "node.example", "--tls-min",
                          "1.3", "--consistency", "QUORUM", "--format", "csv", "-e", "SELECT 1"},
                         full_rc,
                         {{"CQLSH_HOST", "env_host"}, {"CQLSH_PORT", "2000"}, {"CQLWIRE_PASSWORD", "env_pw"},
                          {"SSL_CERTFILE", "/env_ca.pem"}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.host == "flag_host");
    CHECK(m.s.port == 3000);
    CHECK(*m.s.username == "flag_user");
    CHECK(secret_text(m.s.password) == "flag_pw");
    CHECK(m.s.password_from == password_origin::flag);
    CHECK(*m.s.keyspace == "flag_ks");
    CHECK(m.s.connect_timeout.count() == 1000);
    CHECK(m.s.request_timeout.count() == 2000);
    CHECK(m.s.tls.ca_file == "/flag_ca.pem");
    CHECK(m.s.tls.cert_file == "/flag_cert.pem");
    CHECK(m.s.tls.key_file == "/flag_key.pem");
    CHECK(m.s.tls.key_password_file == "/kp");
    CHECK(m.s.tls.key_password_from == password_origin::file);
    CHECK(m.s.tls.server_name == "node.example");
    CHECK(*m.s.tls.min_version == tls_version::v1_3);
    CHECK_FALSE(m.s.tls.max_version);
    CHECK(m.s.consistency == cqlwire::protocol::consistency::quorum);
    CHECK(m.s.format == output_format::csv);
    CHECK(*m.s.execute == "SELECT 1");
}

TEST_CASE("--password-file is read later; --no-verify warns") {
    const auto m = merge({"--password-file", "~/pw", "--no-verify"}, std::nullopt,
                         {{"CQLWIRE_PASSWORD", "env_pw"}, {"HOME", "/h"}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.password_from == password_origin::file);
    CHECK(m.s.password_file == "/h/pw");
    CHECK(m.s.password.empty());
    CHECK(m.s.tls.enabled);
    CHECK_FALSE(m.s.tls.verify);
    REQUIRE(m.s.warnings.size() == 1);
    CHECK(m.s.warnings[0].starts_with("WARNING: TLS certificate verification is OFF"));
}

TEST_CASE("the key passphrase: CQLWIRE_KEY_PASSWORD, below --key-password-file; the key may come from the cqlshrc") {
    constexpr std::string_view rc_with_key = "[ssl]\nuserkey = ~/k.pem\nusercert = ~/c.pem\n";
    const std::map<std::string, std::string> env{{"CQLWIRE_KEY_PASSWORD", "env_kp"}, {"HOME", "/h"}};

    auto m = merge({}, rc_with_key, env);
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.key_file == "/h/k.pem");
    CHECK(m.s.tls.key_password_from == password_origin::environment);
    CHECK(secret_text(m.s.tls.key_password) == "env_kp");
    // The login password is a different secret: the passphrase does not fill it in.
    CHECK(m.s.password_from == password_origin::none);

    m = merge({"--key-password-file", "~/kp"}, rc_with_key, env);
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.enabled);
    CHECK(m.s.tls.key_password_from == password_origin::file);
    CHECK(m.s.tls.key_password_file == "/h/kp");
    CHECK(m.s.tls.key_password.empty());

    m = merge({"--cert", "/c.pem", "--key", "/k.pem"}, std::nullopt, env);
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.key_password_from == password_origin::environment);

    // An empty variable gives no passphrase (an empty one opens no key).
    m = merge({"--cert", "/c.pem", "--key", "/k.pem"}, std::nullopt, {{"CQLWIRE_KEY_PASSWORD", ""}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.key_password_from == password_origin::none);
}

TEST_CASE("a key passphrase with no private key anywhere is a configuration error") {
    auto m = merge({"--key-password-file", "/kp"}, std::nullopt);
    CHECK(m.ec == cli_errc::bad_config);
    CHECK(exit_code_for(m.ec) == exit_code::configuration);
    CHECK(m.message == "--key-password-file gives a key passphrase but no private key is set; give --cert FILE "
                       "--key FILE (or usercert and userkey in the cqlshrc's [ssl]), or a PKCS#12 bundle or "
                       "truststore as --cert or --cafile");
}

TEST_CASE("a key passphrase with only a certificate or CA file is kept: either may be a PKCS#12 file") {
    // Whether one is, and so whether anything needs the passphrase, is known once the files are
    // read (resolve_key_password).
    auto m = merge({"--key-password-file", "/kp"}, "[ssl]\ncertfile = /ca.p12\n");
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.key_password_from == password_origin::file);
    m = merge({"--cert", "/bundle.p12"}, std::nullopt, {{"CQLWIRE_KEY_PASSWORD", "env_kp"}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.key_password_from == password_origin::environment);
}

TEST_CASE("an exported key passphrase is ignored when there is no private key") {
    auto m = merge({"--ssl"}, std::nullopt, {{"CQLWIRE_KEY_PASSWORD", "env_kp"}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.key_password_from == password_origin::none);
    CHECK(m.s.tls.key_password.empty());
}

TEST_CASE("validate = false in the cqlshrc warns too") {
    const auto m = merge({}, "[connection]\nssl = true\n[ssl]\nvalidate = false\n");
    REQUIRE_FALSE(m.ec);
    CHECK_FALSE(m.s.tls.verify);
    CHECK(m.s.warnings == std::vector<std::string>{std::string(no_verify_warning())});
}

TEST_CASE("a client certificate in the cqlshrc turns TLS on unless ssl = false") {
    CHECK(merge({}, "[ssl]\nuserkey = k\nusercert = c\n").s.tls.enabled);
    CHECK_FALSE(merge({}, "[connection]\nssl = false\n[ssl]\nuserkey = k\nusercert = c\n").s.tls.enabled);
    CHECK(merge({"--ssl"}, "[connection]\nssl = false\n").s.tls.enabled);
    CHECK_FALSE(merge({}, "[ssl]\ncertfile = ca\n").s.tls.enabled);
}

TEST_CASE("[certfiles] picks the CA per host, below SSL_CERTFILE and --cafile") {
    constexpr std::string_view rc = "[ssl]\ncertfile = /default.pem\n[certfiles]\nnode1 = /node1.pem\n";
    CHECK(merge({"NODE1"}, rc).s.tls.ca_file == "/node1.pem");
    CHECK(merge({"node2"}, rc).s.tls.ca_file == "/default.pem");
    CHECK(merge({"node1"}, rc, {{"SSL_CERTFILE", "/env.pem"}}).s.tls.ca_file == "/env.pem");
    CHECK(merge({"node1", "--cafile", "/flag.pem"}, rc).s.tls.ca_file == "/flag.pem");
    // Kept per host for the contact points of a list, unless one CA is named for every host.
    const auto listed = merge({"node1:9042,node2"}, rc).s.tls;
    CHECK(listed.ca_file == "/default.pem");
    CHECK(listed.ca_file_by_host == std::vector<std::pair<std::string, std::string>>{{"node1", "/node1.pem"}});
    CHECK(merge({"node1,node2", "--cafile", "/flag.pem"}, rc).s.tls.ca_file_by_host.empty());
    CHECK(merge({"node1,node2"}, rc, {{"SSL_CERTFILE", "/env.pem"}}).s.tls.ca_file_by_host.empty());
    // An empty SSL_CERTFILE counts as unset.
    CHECK(merge({"node1"}, rc, {{"SSL_CERTFILE", ""}}).s.tls.ca_file == "/node1.pem");
    // A single contact point written with its port is its host; hosts not dialed are left out.
    CHECK(merge({"node1:9042"}, rc).s.tls.ca_file == "/node1.pem");
    CHECK(merge({"node2,node3"}, rc).s.tls.ca_file_by_host.empty());
}

TEST_CASE("bad environment values and half a client certificate are configuration errors") {
    auto m = merge({}, std::nullopt, {{"CQLSH_PORT", "http"}});
    CHECK(m.ec == cli_errc::bad_config);
    CHECK(m.message == "CQLSH_PORT='http' is not a port (1-65535)");
    m = merge({}, std::nullopt, {{"SSL_VALIDATE", "sometimes"}});
    CHECK(m.ec == cli_errc::bad_config);
    CHECK(m.message == "SSL_VALIDATE='sometimes' is not a boolean (true/false)");
    m = merge({}, "[ssl]\nuserkey = k\n");
    CHECK(m.ec == cli_errc::bad_config);
    CHECK(m.message == "rc: [ssl] userkey needs usercert (the certificate that goes with the key); only userkey is set");
    // usercert alone may be a PKCS#12 bundle holding its key.
    m = merge({}, "[ssl]\nusercert = c.p12\n");
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.cert_file == "c.p12");
    CHECK(m.s.tls.enabled);
}

TEST_CASE("the Azure article's cqlshrc gives mutual TLS with verification and a password") {
    const auto m = merge({},
                         "username = admin\npassword = pw\n\nhostname = 127.0.0.1\nport = 9042\n\n"
                         "userkey = /path/to/rootCa.key\nusercert = /path/to/rootCa.crt\n"
                         "certfile = /etc/ssl/certs/digicertroot.crt\nvalidate = true ;; Optional, see below\n");
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.tls.enabled);
    CHECK(m.s.tls.verify);
    CHECK(m.s.tls.ca_file == "/etc/ssl/certs/digicertroot.crt");
    CHECK(m.s.tls.cert_file == "/path/to/rootCa.crt");
    CHECK(m.s.tls.key_file == "/path/to/rootCa.key");
    CHECK(*m.s.username == "admin");
    CHECK(m.s.password_from == password_origin::cqlshrc);
    REQUIRE(m.s.warnings.size() == 1);
    CHECK(m.s.warnings[0].starts_with("rc:1: no [section] header"));
}

TEST_CASE("choosing the cqlshrc") {
    const auto env = env_of({{"HOME", "/home/u"}});
    const auto exists = [](const std::string& p) { return p == "/home/u/.cassandra/cqlshrc"; };
    const auto none = [](const std::string&) { return false; };
    CHECK(*choose_cqlshrc(flags_of({}), env, exists) == "/home/u/.cassandra/cqlshrc");
    CHECK_FALSE(choose_cqlshrc(flags_of({}), env, none));
    CHECK(*choose_cqlshrc(flags_of({"--cqlshrc", "~/other"}), env, none) == "/home/u/other");
    CHECK_FALSE(choose_cqlshrc(flags_of({}), env_of({}), exists));
}

TEST_CASE("expanding ~") {
    const auto env = env_of({{"HOME", "/h"}});
    CHECK(expand_home("~", env) == "/h");
    CHECK(expand_home("~/a", env) == "/h/a");
    CHECK(expand_home("~bob/a", env) == "~bob/a");
    CHECK(expand_home("/a/~", env) == "/a/~");
    CHECK(expand_home("~/a", env_of({})) == "~/a");
}

TEST_CASE("--password-file: the first line, a warning when others may read it, a directory refused") {
    const cqlwire::test::temp_dir dir("cqlwire-pwfile");
    const std::string path = dir.write("pw", "first-line\r\nsecond\n");

    cqlwire::auth::secret_bytes out;
    std::string message;
    std::vector<std::string> warnings;
    REQUIRE_FALSE(read_secret_file(path, "password", out, message, warnings));
    CHECK(secret_text(out) == "first-line");
    CHECK(warnings.empty());
    // A byte order mark (Notepad's UTF-8) is not part of the password.
    const std::string bom = dir.write("pw-bom", "\xEF\xBB\xBFwith-bom\n");
    REQUIRE_FALSE(read_secret_file(bom, "password", out, message, warnings));
    CHECK(secret_text(out) == "with-bom");

    REQUIRE(::chmod(path.c_str(), 0644) == 0);
    REQUIRE_FALSE(read_secret_file(path, "password", out, message, warnings));
    REQUIRE(warnings.size() == 1);
    CHECK(warnings[0] == path + " holds a password and is readable by other users; chmod 600 it");
    REQUIRE(::chmod(path.c_str(), 0640) == 0);
    REQUIRE_FALSE(read_secret_file(path, "key passphrase", out, message, warnings));
    REQUIRE(warnings.size() == 2);
    CHECK(warnings[1] == path + " holds a key passphrase and is readable by other users; chmod 600 it");

    const auto ec = read_secret_file(dir.str(), "password", out, message, warnings);
    CHECK(exit_code_for(ec) == exit_code::configuration);
    CHECK(message == "password file '" + dir.str() + "' is a directory; give a file");
    CHECK(out.empty());

    const std::string empty = dir.write("empty", "\nsecond\n");
    CHECK(read_secret_file(empty, "password", out, message, warnings) == cli_errc::bad_config);
    CHECK(message == "password file '" + empty + "' is empty (the first line is the password)");
}

TEST_CASE("--cqlversion reaches the settings; --debug is a summary frame trace unless one was asked for") {
    auto m = merge({"--cqlversion", "3.4.7", "--debug"}, std::nullopt);
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.cql_version == "3.4.7");
    CHECK(m.s.trace_frames == cqlwire::inspect::trace_format::summary);
    CHECK(merge({}, std::nullopt).s.cql_version == "3.0.0");
    CHECK_FALSE(merge({}, std::nullopt).s.trace_frames.has_value());
    CHECK(merge({"--debug", "--trace-frames=hex"}, std::nullopt).s.trace_frames == cqlwire::inspect::trace_format::hex);
    // The cqlshrc's [copy] sections are kept for COPY, in file order.
    auto c = merge({}, std::string_view("[copy]\nheader = true\n[copy-from:ks.t]\nchunksize = 10\n"));
    REQUIRE_FALSE(c.ec);
    REQUIRE(c.s.copy_sections.size() == 2);
    CHECK(c.s.copy_sections[0].name == "copy");
    CHECK(c.s.copy_sections[1].values == std::vector<std::pair<std::string, std::string>>{{"chunksize", "10"}});
}

TEST_CASE("colours: --no-color, -C, [ui] color, else a terminal with a TERM and no -f, as cqlsh decides") {
    const auto term = env_of({{"TERM", "xterm-256color"}});
    CHECK(decide_color(true, true, false, term));
    CHECK_FALSE(decide_color(false, false, true, term));
    CHECK(decide_color(std::nullopt, false, true, term));
    CHECK_FALSE(decide_color(std::nullopt, true, true, term));   // -f
    CHECK_FALSE(decide_color(std::nullopt, false, false, term));  // a pipe
    CHECK_FALSE(decide_color(std::nullopt, false, true, env_of({{"TERM", "dumb"}})));
    CHECK_FALSE(decide_color(std::nullopt, false, true, env_of({})));
    // Through the layers (the tests' standard output is not a terminal): -C and [ui] color force
    // it, --no-color wins over both; -C warns no more.
    CHECK(merge({"-C"}, std::nullopt).s.color);
    CHECK(merge({"-C"}, std::nullopt).s.warnings.empty());
    CHECK(merge({}, "[ui]\ncolor = on\n").s.color);
    CHECK_FALSE(merge({"--no-color"}, "[ui]\ncolor = on\n").s.color);
    CHECK_FALSE(merge({"-C", "--no-color"}, std::nullopt).s.color);
    CHECK(merge({"-C"}, "[ui]\ncolor = off\n").s.color);
}

TEST_CASE("[ui] time_format and timezone, TZ over it, and [tracing] max_trace_wait reach the settings") {
    const auto defaults = merge({}, std::nullopt);
    CHECK(defaults.s.time_format.empty());
    CHECK_FALSE(defaults.s.display_zone);
    CHECK(defaults.s.max_trace_wait == std::chrono::milliseconds(10000));
    CHECK_FALSE(defaults.s.color);

    cqlwire::test::temp_dir zones("cqlwire-tz");
    // A zone file written here, as $TZDIR: one hour east, no daylight time.
    std::string tzif = "TZif2";
    tzif.append(15, '\0');
    auto put32 = [&tzif](std::uint32_t v) {
        for (int i = 3; i >= 0; --i) tzif.push_back(static_cast<char>(v >> (8 * i)));
    };
    for (int block = 0; block < 2; ++block) {
        if (block == 1) {
            tzif += "TZif2";
            tzif.append(15, '\0');
        }
        for (std::uint32_t v : {0u, 0u, 0u, 0u, 1u, 4u}) put32(v);
        put32(3600);
        tzif += std::string("\0\0TST\0", 6);
    }
    tzif += "\nTST-1\n";
    zones.write("Test_Zone", tzif);
    const auto m = merge({}, "[ui]\ntime_format = %H:%M %z\ntimezone = Test_Zone\n[tracing]\nmax_trace_wait = 3\n",
                         {{"TZDIR", zones.str()}});
    REQUIRE_FALSE(m.ec);
    CHECK(m.s.time_format == "%H:%M %z");
    REQUIRE(m.s.display_zone);
    CHECK(m.s.display_zone->at(0).utc_offset_seconds == 3600);
    CHECK(m.s.max_trace_wait == std::chrono::milliseconds(3000));
    CHECK(m.s.warnings.empty());
    // cqlsh's default pattern given outright is the default.
    CHECK(merge({}, "[ui]\ntime_format = %Y-%m-%d %H:%M:%S.%f%z\n").s.time_format.empty());

    // An unknown zone: a warning naming the key, and UTC.
    const auto unknown = merge({}, "[ui]\ntimezone = Mars/Olympus_Mons\n", {{"TZDIR", zones.str()}});
    REQUIRE_FALSE(unknown.ec);
    CHECK_FALSE(unknown.s.display_zone);
    REQUIRE(unknown.s.warnings.size() == 1);
    CHECK(unknown.s.warnings[0] == "rc: [ui] timezone: 'Mars/Olympus_Mons' is not a time zone in " + zones.str() +
                                       "; timestamps are shown in UTC");
    // TZ names the zone over [ui] timezone, as in cqlsh; "UTC" needs no file.
    const auto tz = merge({}, "[ui]\ntimezone = Mars/Olympus_Mons\n", {{"TZDIR", zones.str()}, {"TZ", "Test_Zone"}});
    REQUIRE(tz.s.display_zone);
    CHECK(tz.s.warnings.empty());
    const auto bad_tz = merge({}, std::nullopt, {{"TZDIR", zones.str()}, {"TZ", "Nowhere"}});
    CHECK_FALSE(bad_tz.s.display_zone);
    REQUIRE(bad_tz.s.warnings.size() == 1);
    CHECK(bad_tz.s.warnings[0] == "TZ: 'Nowhere' is not a time zone in " + zones.str() + "; timestamps are shown in UTC");
    // C's forms of TZ: ":Zone" and ":/path/to/a/zone/file".
    CHECK(merge({}, std::nullopt, {{"TZDIR", zones.str()}, {"TZ", ":Test_Zone"}}).s.display_zone);
    const auto path = merge({}, std::nullopt, {{"TZ", ":" + zones.path("Test_Zone")}});
    REQUIRE(path.s.display_zone);
    CHECK(path.s.display_zone->at(0).abbreviation == "TST");
    const auto utc = merge({}, "[ui]\ntimezone = UTC\n", {{"TZDIR", zones.str()}});
    CHECK_FALSE(utc.s.display_zone);
    CHECK(utc.s.warnings.empty());
}

TEST_CASE("a port argument that no contact point uses is named in a warning") {
    const std::vector<std::string> unused_by_argument = {
        "the port argument 9142 is not used: every contact point of the host argument names its own port"};
    CHECK(merge({"h1:9042,h2:9043", "9142"}, std::nullopt).s.warnings == unused_by_argument);
    CHECK(merge({"[::1]:9042", "9142"}, std::nullopt).s.warnings == unused_by_argument);
    // One entry without a port uses it; no port argument, nothing to say.
    CHECK(merge({"h1:9042,h2", "9142"}, std::nullopt).s.warnings.empty());
    CHECK(merge({"h1", "9142"}, std::nullopt).s.warnings.empty());
    CHECK(merge({"::1", "9142"}, std::nullopt).s.warnings.empty());
    CHECK(merge({"h1:9042,h2:9043"}, std::nullopt).s.warnings.empty());
    // A port some contact point names anyway is not worth a warning: the user meant it.
    CHECK(merge({"h1:9142,h2:09142", "9142"}, std::nullopt).s.warnings.empty());
    CHECK(merge({"h1:9142,h2:9042", "9142"}, std::nullopt).s.warnings.empty());
    CHECK(merge({"h1:9042,h2:9142", "9142"}, std::nullopt).s.warnings.empty());
}

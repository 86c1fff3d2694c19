// The secret sweep: the real `cqlwire` binary through every output path we can reach — help,
// usage and configuration errors, a wrong password, TLS failures, a server error, a statement
// that sets a role's password and a server that echoes it (in an error, a warning, and the
// trace's events and parameters read with --tracing), each output format, the frame traces (to
// stderr and to a file), the TLS key log and `tls-check` — with a known login password, a known
// passphrase on an encrypted client key and a known role password. After each run, none of them, nor the SASL
// PLAIN token "\0user\0password" (raw, base64 or hex), may appear in stdout, stderr or any file
// the run wrote. The detector is itself checked: on known encodings, on a run that shows the
// password on purpose (a SELECT of it, traced), and on the files the test wrote itself.
#include "test_support.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "fake_cql_server.hpp"
#include "mtls_fake_server.hpp"
#include "pki/test_pki.hpp"
#include "run_process.hpp"

namespace {

using cqlwire::test::fake_cql_server;
using cqlwire::test::process_result;
using cqlwire::test::test_pki;
namespace fs = std::filesystem;
namespace proto = cqlwire::protocol;

constexpr std::string_view user = "sweep_user";
constexpr std::string_view password = "Sw33p-Pa55w0rd-7Q";
constexpr std::string_view role_password = "R0le-Secret-9Zx";
constexpr std::string_view system_local = "SELECT * FROM system.local";

std::string sasl_token() {
    return std::string(1, '\0') + std::string(user) + std::string(1, '\0') + std::string(password);
}

std::string to_hex(std::string_view bytes, bool upper) {
    std::string out;
    cqlwire::protocol::append_hex(out, bytes, upper ? cqlwire::protocol::hex_case::upper : cqlwire::protocol::hex_case::lower);
    return out;
}

std::string to_base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                           static_cast<unsigned char>(bytes[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 0x3f];
    }
    if (const std::size_t rest = bytes.size() - i; rest > 0) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out += alphabet[(v >> 18) & 0x3f];
        out += alphabet[(v >> 12) & 0x3f];
        out += rest == 2 ? alphabet[(v >> 6) & 0x3f] : '=';
        out += '=';
    }
    return out;
}

// The bytes of a hex dump: every whitespace-separated token of exactly two hex digits, in order
// (offsets and the ASCII column are longer tokens and drop out). A secret dumped as hex, even
// across lines, reappears here as raw bytes.
std::string hex_dump_bytes(std::string_view text) {
    std::string out;
    std::istringstream in{std::string(text)};
    std::string token;
    while (in >> token) {
        using cqlwire::protocol::hex_value;
        if (token.size() == 2 && hex_value(token[0]) >= 0 && hex_value(token[1]) >= 0)
            out += static_cast<char>(hex_value(token[0]) << 4 | hex_value(token[1]));
    }
    return out;
}

// A secret and the names of the forms in which it is looked for.
struct secret {
    std::string name;
    std::string value;
};

std::vector<secret> secrets() {
    const std::string token = sasl_token();
    std::vector<secret> all = {
        {"login password", std::string(password)},
        {"key passphrase", test_pki::instance().key_password()},
        {"role password", std::string(role_password)},
        {"SASL token (raw)", token},
        {"SASL token (base64)", to_base64(token)},
        // Without the padding, and from the second byte (a base64 of the token's tail).
        {"SASL token (base64, unpadded)", to_base64(token).substr(0, to_base64(token).find('='))},
        {"SASL token (hex)", to_hex(token, false)},
        {"SASL token (HEX)", to_hex(token, true)},
        {"login password (base64)", to_base64(password)},
        {"login password (hex)", to_hex(password, false)},
        {"login password (HEX)", to_hex(password, true)},
    };
    return all;
}

// Which secrets `text` shows, by name: each secret whole, its hex-dumped bytes, and — for the
// passwords and the passphrase — any 8-character piece of it (a line break or a column may cut a
// secret in two).
std::set<std::string> find_secrets(std::string_view text) {
    std::set<std::string> found;
    const std::string dumped = hex_dump_bytes(text);
    for (const auto& s : secrets()) {
        if (text.find(s.value) != std::string_view::npos || dumped.find(s.value) != std::string::npos)
            found.insert(s.name);
    }
    for (const auto& s : {secrets()[0], secrets()[1], secrets()[2]}) {
        for (std::size_t i = 0; i + 8 <= s.value.size(); ++i) {
            if (text.find(std::string_view(s.value).substr(i, 8)) != std::string_view::npos)
                found.insert(s.name + " (piece)");
        }
    }
    return found;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A temporary $HOME (and $TMPDIR inside it): every file a run may write lands here, next to the
// files the test itself wrote (which hold the password on purpose and are known by content).
class sweep_home {
public:
    sweep_home() {
        std::string pattern = (fs::temp_directory_path() / "cqlwire-sweep-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
        fs::create_directories(path_ / "tmp");
    }
    ~sweep_home() {
        std::error_code ignored;
        fs::remove_all(path_, ignored);
    }
    sweep_home(const sweep_home&) = delete;
    sweep_home& operator=(const sweep_home&) = delete;

    std::string write(const std::string& name, const std::string& content) {
        const auto p = path_ / name;
        std::ofstream(p, std::ios::binary) << content;
        fs::permissions(p, fs::perms::owner_read | fs::perms::owner_write);
        ours_[p.string()] = content;
        return p.string();
    }
    std::string path(const std::string& name) const { return (path_ / name).string(); }
    std::string str() const { return path_.string(); }

    // Every file under $HOME that the test did not write as it now is: (path, content).
    std::vector<std::pair<std::string, std::string>> files_written_by_runs() const {
        std::vector<std::pair<std::string, std::string>> out;
        for (const auto& entry : fs::recursive_directory_iterator(path_)) {
            if (!entry.is_regular_file()) continue;
            std::string content = read_file(entry.path());
            const auto mine = ours_.find(entry.path().string());
            if (mine != ours_.end() && mine->second == content) continue;
            out.emplace_back(entry.path().string(), std::move(content));
        }
        return out;
    }
    // The files the test wrote, as it wrote them.
    const std::map<std::string, std::string>& ours() const { return ours_; }

private:
    fs::path path_;
    std::map<std::string, std::string> ours_;
};

fake_cql_server::options mtls_password_server(std::string expected_password = std::string(password)) {
    return cqlwire::test::mtls_password_server_options(std::string(user), std::move(expected_password));
}

struct sweep {
    sweep_home home;
    std::map<std::string, std::string> env;
    int paths_checked = 0;

    sweep() {
        env = cqlwire::test::isolated_cqlwire_env(home.str());
        env["TMPDIR"] = home.path("tmp");
    }

    // Runs the binary and returns what it did, without judging it.
    process_result run_raw(const std::vector<std::string>& args, const std::map<std::string, std::string>& extra_env) const {
        cqlwire::test::process_options o;
        o.env = env;
        for (const auto& [k, v] : extra_env) o.env[k] = v;
        o.timeout = std::chrono::seconds(60);
        return cqlwire::test::run_process(CQLWIRE_BINARY, args, o);
    }

    // Runs one output path and asserts that no secret shows anywhere. Returns the result for
    // the path's own checks (that it really went where it was meant to).
    process_result operator()(const std::string& path_name, const std::vector<std::string>& args,
                              const std::map<std::string, std::string>& extra_env = {}) {
        CAPTURE(path_name);
        const auto r = run_raw(args, extra_env);
        INFO("stdout: " << r.out);
        INFO("stderr: " << r.err);
        CHECK_FALSE(r.timed_out);
        CHECK(r.exit_code < 128);  // no crash
        CHECK(find_secrets(r.out).empty());
        CHECK(find_secrets(r.err).empty());
        for (const auto& [file, content] : home.files_written_by_runs()) {
            CAPTURE(file);
            CHECK(find_secrets(content).empty());
        }
        ++paths_checked;
        return r;
    }
};

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

// Mutual TLS with the ENCRYPTED client key (its passphrase given by the caller), verifying the
// fake server, logging in as `user`.
std::vector<std::string> mtls(std::uint16_t port) {
    const auto& pki = test_pki::instance();
    return {"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("client.crt"), "--key",
            pki.path("client-encrypted.key"), "-u", std::string(user), "localhost", std::to_string(port)};
}

bool contains(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

std::string as_text(const std::vector<std::uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

const std::string create_role =
    "CREATE ROLE sweep_role WITH PASSWORD = '" + std::string(role_password) + "' AND LOGIN = true";
const std::string alter_role = "ALTER ROLE sweep_role WITH PASSWORD = '" + std::string(role_password) + "'";
const proto::uuid trace_session = *proto::parse_uuid("8d5a6ec0-ebde-11f1-b5d5-6741946fc38a");

// The server's answers that echo the role password, as Cassandra's do: an ERROR quoting the
// bare value and the statement (a syntax error), and for ALTER ROLE a Void result carrying a
// warning that quotes the statement and, when traced, the tracing session whose events and
// `query` parameter hold it (plus an event with the bare value).
std::vector<std::uint8_t> create_role_error(std::int16_t stream) {
    return fake_cql_server::error_frame(stream, 0x2000,
                                        "line 1:39 no viable alternative at input '" + std::string(role_password) +
                                            "' (" + create_role + ")");
}

std::vector<std::uint8_t> alter_role_result(std::int16_t stream, bool traced) {
    const std::string warning = "Statement " + alter_role + " sets a weak password";
    const std::string_view warnings[] = {warning};
    proto::response_frame_options f;
    f.stream = stream;
    f.warnings = std::span<const std::string_view>(warnings);
    if (traced) f.tracing_id = trace_session;
    std::vector<std::uint8_t> out;
    CHECK_FALSE(proto::encode_result_void(out, f));  // on the server's thread too: no REQUIRE
    return out;
}

fake_cql_server::trace_record alter_role_trace() {
    fake_cql_server::trace_record t;
    t.session_id = trace_session;
    t.parameters = {{"consistency_level", "ONE"}, {"page_size", "5000"}, {"query", alter_role}};
    t.activities = {"Parsing " + alter_role, "Preparing statement",
                    "Hashing password " + std::string(role_password) + " with bcrypt"};
    return t;
}

void script_password_echoes(fake_cql_server& server) {
    server.on_query(create_role,
                    [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
                        s.send_raw(create_role_error(r.header.stream));
                    });
    server.on_query(alter_role, [](cqlwire::test::fake_session& s, const cqlwire::test::fake_request& r) {
        s.send_raw(alter_role_result(r.header.stream, (r.header.flags & proto::frame_flags::tracing) != 0));
    });
    server.on_trace_queries(alter_role_trace());
}

}  // namespace

TEST_CASE("secret sweep: the detector finds every form of every secret") {
    // Known answers computed apart from this file, so the encoders are not checked by themselves.
    CHECK(to_base64(sasl_token()) == "AHN3ZWVwX3VzZXIAU3czM3AtUGE1NXcwcmQtN1E=");
    CHECK(to_hex(sasl_token(), false) == "0073776565705f757365720053773333702d50613535773072642d3751");
    CHECK(to_base64("ab") == "YWI=");
    CHECK(to_base64("abc") == "YWJj");

    CHECK(find_secrets("nothing to see: sweep_user, ******** and 17 bytes").empty());
    for (const auto& s : secrets()) {
        CAPTURE(s.name);
        CHECK(find_secrets("before " + s.value + " after").count(s.name) == 1);
    }
    // A hex dump with the token cut across two lines, offsets and an ASCII column.
    const std::string token_hex = to_hex(sasl_token(), false);
    std::string dump = "0000: ";
    for (std::size_t i = 0; i < token_hex.size(); i += 2) {
        dump += token_hex.substr(i, 2) + " ";
        if (i == 20) dump += " |..sweep_use|\n0010: ";
    }
    CHECK(find_secrets(dump).count("SASL token (raw)") == 1);
    // Half of the password on each of two lines.
    CHECK(find_secrets("x Sw33p-Pa55\nw0rd-7Q y").count("login password (piece)") == 1);
}

TEST_CASE("secret sweep: no output path of cqlwire shows the password, the key passphrase or the SASL token") {
    const auto& pki = test_pki::instance();
    const std::string passphrase = pki.key_password();
    REQUIRE(passphrase.size() >= 16);
    sweep run;
    const std::string pw_file = run.home.write("password.txt", std::string(password) + "\n");
    const std::string pass_file = run.home.write("key.pass", passphrase + "\n");
    const std::map<std::string, std::string> key_env{{"CQLWIRE_KEY_PASSWORD", passphrase}};
    const std::map<std::string, std::string> all_env{{"CQLWIRE_KEY_PASSWORD", passphrase},
                                                     {"CQLWIRE_PASSWORD", std::string(password)}};

    // ---- Before any connection ----
    CHECK(run("--help", {"--help", "-p", std::string(password)}).exit_code == 0);
    CHECK(run("--version", {"--version"}, all_env).exit_code == 0);
    {
        const auto r = run("unknown flag", {"-p", std::string(password), "--no-such-flag"}, all_env);
        CHECK(r.exit_code == 1);
        CHECK(contains(r.err, "no-such-flag"));
    }
    CHECK(run("bad --format", {"-p", std::string(password), "--format", "yaml"}).exit_code == 1);
    CHECK(run("-p without a value", {"-u", std::string(user), "-p"}).exit_code == 1);
    CHECK(run("--key without --cert", {"--key", pki.path("client-encrypted.key"), "--key-password-file", pass_file,
                                       "-e", "x"})
              .exit_code == 1);
    {
        // A password line without '=': the parser must not quote it back.
        const std::string rc = run.home.write("cqlshrc-bad", "[authentication]\nusername = " + std::string(user) +
                                                                 "\n" + std::string(password) + "\n[connection]\nport = x\n");
        CHECK(run("bad cqlshrc (password typed without its key)", {"--cqlshrc", rc, "-e", "x"}).exit_code == 2);
        const std::string rc2 = run.home.write("cqlshrc-port", "[authentication]\nusername = " + std::string(user) +
                                                                   "\npassword = " + std::string(password) +
                                                                   "\n[connection]\nport = ninety\n");
        const auto r = run("bad cqlshrc (bad port after the password)", {"--cqlshrc", rc2, "-e", "x"});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "ninety"));
    }
    {
        const std::string wrong = run.home.write("wrong.pass", "not-the-passphrase\n");
        const auto r = run("wrong key passphrase", concat(mtls(1), {"--key-password-file", wrong, "-e", "x"}),
                           {{"CQLWIRE_PASSWORD", std::string(password)}});
        CHECK(r.exit_code == 2);
        CHECK(contains(r.err, "passphrase is wrong"));
        CHECK_FALSE(contains(r.err, "not-the-passphrase"));
    }
    CHECK(run("connection refused", concat(mtls(1), {"-e", std::string(system_local)}), all_env).exit_code == 3);

    // ---- Against the fake server: logins, errors, formats, traces ----
    fake_cql_server server(mtls_password_server());
    script_password_echoes(server);
    const auto port = server.port();
    const std::string trace_file = run.home.path("trace.txt");
    const std::string keylog_file = run.home.path("keys.log");
    {
        const auto r = run("table output, password from -p, passphrase from a file",
                           concat(mtls(port), {"-p", std::string(password), "--key-password-file", pass_file, "-e",
                                               std::string(system_local)}));
        CHECK(r.exit_code == 0);
        CHECK(contains(r.out, "(1 rows)"));
    }
    CHECK(run("json output, password from --password-file",
              concat(mtls(port), {"--password-file", pw_file, "--format", "json", "-e", std::string(system_local)}),
              key_env)
              .exit_code == 0);
    CHECK(run("csv output, password from CQLWIRE_PASSWORD",
              concat(mtls(port), {"--format", "csv", "-e", std::string(system_local)}), all_env)
              .exit_code == 0);
    {
        const std::string rc = run.home.write(
            "cqlshrc", "[authentication]\nusername = " + std::string(user) + "\npassword = " + std::string(password) +
                           "\n[connection]\nhostname = localhost\nport = " + std::to_string(port) + "\n[ssl]\ncertfile = " +
                           pki.path("server-ca.crt") + "\nuserkey = " + pki.path("client-encrypted.key") +
                           "\nusercert = " + pki.path("client.crt") + "\n");
        CHECK(run("password from cqlshrc", {"--cqlshrc", rc, "-e", std::string(system_local)}, key_env).exit_code == 0);
    }
    {
        const auto r = run("server error (rejected statement)",
                           concat(mtls(port), {"-e", "SELECT nonsense FROM nowhere"}), all_env);
        CHECK(r.exit_code == 6);
        CHECK(contains(r.err, "Invalid (0x2200): "));
    }
    {
        // Positive control: the server's answer does echo the password, bare and in the statement.
        const auto echo = as_text(create_role_error(1));
        CHECK(find_secrets(echo).count("role password") == 1);
        CHECK(echo.find(role_password) != echo.rfind(role_password));
        const auto r = run("CREATE ROLE ... PASSWORD (server error echoing it)", concat(mtls(port), {"-e", create_role}),
                           all_env);
        CHECK(r.exit_code == 6);
        CHECK(contains(r.err, "no viable alternative at input '********' (CREATE ROLE sweep_role WITH PASSWORD = "
                              "'********' AND LOGIN = true)"));
    }
    for (const std::string format : {"", "=summary", "=hex", "=jsonl"}) {
        const auto r = run("--trace-frames" + format + " to stderr (an ERROR echoing the role password)",
                           concat(mtls(port), {"--trace-frames" + format, "-e", create_role + ";\n" +
                                                                                std::string(system_local)}),
                           all_env);
        CHECK(r.exit_code == 6);
        CHECK(contains(r.err, "AUTH_RESPONSE"));  // the login really was traced
        CHECK(contains(r.err, "no viable alternative at input '********'"));  // and the echo
    }
    {
        // Positive control: what the server sends holds the password — the warning, the trace
        // events and the trace's `query` parameter.
        CHECK(find_secrets(as_text(alter_role_result(1, true))).count("role password") == 1);
        const auto trace = alter_role_trace();
        CHECK(find_secrets(as_text(fake_cql_server::trace_session_frame(1, trace))).count("role password") == 1);
        CHECK(find_secrets(as_text(fake_cql_server::trace_events_frame(1, trace))).count("role password") == 1);
        for (const std::string format : {"table", "json"}) {
            const auto r = run("--tracing --format " + format + " (trace events and parameters hold the role password)",
                               concat(mtls(port), {"--tracing", "--format", format, "-e", alter_role}), all_env);
            CHECK(r.exit_code == 0);
            CHECK(contains(r.out, format == "json" ? "\"query\":\"ALTER ROLE sweep_role WITH PASSWORD = '********'\""
                                                   : "Parsing ALTER ROLE sweep_role WITH PASSWORD = '********'"));
            CHECK(contains(r.out, "Hashing password ******** with bcrypt"));
            // Warnings follow a table on standard output, as in cqlsh; with JSON they go to stderr.
            CHECK(contains(format == "table" ? r.out : r.err,
                           "Statement ALTER ROLE sweep_role WITH PASSWORD = '********' sets a weak password"));
        }
        for (const std::string format : {"=summary", "=hex", "=jsonl"}) {
            const auto r = run("--tracing --trace-frames" + format + " (system_traces rows hold the role password)",
                               concat(mtls(port), {"--tracing", "--trace-frames" + format, "-e", alter_role}), all_env);
            CHECK(r.exit_code == 0);
            CHECK(contains(r.err, "system_traces"));  // the trace's rows really were traced
            CHECK(contains(r.out, "Tracing session: 8d5a6ec0-ebde-11f1-b5d5-6741946fc38a"));
        }
    }
    {
        const auto r = run("--trace-frames=hex to --trace-file, --keylog",
                           concat(mtls(port), {"--trace-frames=hex", "--trace-file", trace_file, "--keylog",
                                               keylog_file, "-e", create_role + ";\n" + std::string(system_local)}),
                           all_env);
        CHECK(r.exit_code == 6);
        CHECK(contains(read_file(trace_file), "AUTH_RESPONSE"));
        CHECK(contains(read_file(keylog_file), "CLIENT_"));  // the key log really was written
    }

    // ---- Refusals ----
    {
        fake_cql_server other(mtls_password_server("a-different-password"));
        const auto r = run("wrong password (server expects another)",
                           concat(mtls(other.port()), {"--trace-frames=hex", "-e", std::string(system_local)}), all_env);
        CHECK(r.exit_code == 5);
        CHECK(contains(r.err, "authentication failed"));
        const auto tokens = other.auth_tokens();
        REQUIRE(tokens.size() == 1);
        // Positive control: what was sent IS the token the detector looks for.
        const auto& sent = tokens[0];
        CHECK(find_secrets(std::string(sent.begin(), sent.end())).count("SASL token (raw)") == 1);
    }
    const std::string port_text = std::to_string(port);
    CHECK(run("TLS: server certificate from an unknown CA",
              {"--cafile", pki.path("other-ca.crt"), "--cert", pki.path("client.crt"), "--key",
               pki.path("client-encrypted.key"), "-u", std::string(user), "localhost", port_text, "-e", "x"},
              all_env)
              .exit_code == 4);
    CHECK(run("TLS: wrong --server-name", concat(mtls(port), {"--server-name", "elsewhere.example", "-e", "x"}), all_env)
              .exit_code == 4);
    CHECK(run("TLS: no client certificate",
              {"--cafile", pki.path("server-ca.crt"), "-u", std::string(user), "localhost", port_text, "-e", "x"},
              all_env)
              .exit_code == 4);
    CHECK(run("TLS: untrusted client certificate",
              {"--cafile", pki.path("server-ca.crt"), "--cert", pki.path("untrusted.crt"), "--key",
               pki.path("untrusted.key"), "-u", std::string(user), "localhost", port_text, "-e", "x",
               "--trace-frames=jsonl"},
              all_env)
              .exit_code == 4);
    {
        const auto r = run("tls-check (text)", {"tls-check", "--cafile", pki.path("server-ca.crt"), "--cert",
                                                pki.path("client.crt"), "--key", pki.path("client-encrypted.key"),
                                                "-u", std::string(user), "-p", std::string(password),
                                                "localhost:" + port_text},
                           key_env);
        CHECK(r.exit_code == 0);
        const auto j = run("tls-check (json, untrusted CA)",
                           {"tls-check", "--format", "json", "--cafile", pki.path("other-ca.crt"), "--cert",
                            pki.path("client.crt"), "--key", pki.path("client-encrypted.key"),
                            "localhost:" + port_text},
                           key_env);
        CHECK(j.exit_code == 8);
    }

    // ---- events, and offline decoding of captured login frames ----
    for (const std::string format : {"=hex", "=jsonl"}) {
        const auto r = run("events --trace-frames" + format,
                           concat({"events", "--count", "1", "--timeout", "1", "--trace-frames" + format}, mtls(port)),
                           all_env);
        CHECK(r.exit_code == 3);  // the fake server sends no event: --count not reached
        CHECK(contains(r.err, "AUTH_RESPONSE"));
        CHECK(contains(r.err, "REGISTER"));
    }
    {
        // What a capture of a login holds: the AUTH_RESPONSE with the SASL token, and a CREATE
        // ROLE with a password literal, as raw frames and as a hex dump of them.
        std::vector<std::uint8_t> frames;
        const std::string token = sasl_token();
        const std::vector<std::uint8_t> token_bytes(token.begin(), token.end());
        REQUIRE_FALSE(proto::encode_auth_response(frames, {}, proto::raw_value::of(token_bytes)));
        REQUIRE_FALSE(proto::encode_query(frames, {}, create_role, {}));
        const std::string raw = run.home.write("login.cql", std::string(frames.begin(), frames.end()));
        std::string hex;  // plain hex, 16 bytes a line
        for (std::size_t i = 0; i < frames.size(); ++i)
            hex += to_hex(std::string(1, static_cast<char>(frames[i])), false) + (i % 16 == 15 ? "\n" : " ");
        const std::string dump = run.home.write("login.hex", hex + "\n");
        // Positive control: the inputs do hold the secrets.
        CHECK(find_secrets(std::string(frames.begin(), frames.end())).count("SASL token (raw)") == 1);
        CHECK(find_secrets(hex).count("SASL token (raw)") == 1);
        for (const std::string format : {"summary", "hex", "jsonl"}) {
            for (const auto& input : {raw, dump}) {
                const auto r = run("decode --format " + format + " " + fs::path(input).filename().string(),
                                   {"decode", "--format", format, input});
                CHECK(r.exit_code == 0);
                CHECK(contains(r.out, "AUTH_RESPONSE"));
                CHECK(contains(r.out, "CREATE ROLE"));
            }
        }
    }

    // ---- Positive controls: the detector sees a secret that IS shown ----
    {
        // A SELECT of the password and the passphrase (not a PASSWORD clause: nothing masks it),
        // traced as hex: the query text and its hex dump both carry them.
        const auto r = run.run_raw(concat(mtls(port), {"--trace-frames=hex", "-e", "SELECT '" + std::string(password) +
                                                                                       "', '" + passphrase +
                                                                                       "' FROM system.local"}),
                                   all_env);
        const auto found = find_secrets(r.err);
        CHECK(found.count("login password") == 1);
        CHECK(found.count("key passphrase") == 1);
        CHECK(find_secrets(hex_dump_bytes(r.err)).count("login password") == 1);
    }
    // The files this test wrote hold the password and the passphrase, and the scan reads them.
    std::set<std::string> in_our_files;
    for (const auto& [file, content] : run.home.ours()) {
        const auto f = find_secrets(content);
        in_our_files.insert(f.begin(), f.end());
    }
    CHECK(in_our_files.count("login password") == 1);
    CHECK(in_our_files.count("key passphrase") == 1);

    std::printf("secret sweep: %d output paths of cqlwire checked for %zu secret forms; none shown\n",
                run.paths_checked, secrets().size());
    std::fflush(stdout);
}

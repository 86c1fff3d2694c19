// Packet captures of real sessions with the testbed on loopback: (a) a TLS session recorded with
// dumpcap while `cqlwire --keylog` runs, decrypted by tshark with that key log; (b) a plaintext
// session decoded by `cqlwire decode --format jsonl` and compared frame by frame with tshark's
// CQL dissector.
//
// Capturing needs CAP_NET_RAW (root in CI). When dumpcap cannot capture, the test prints the
// reason and exits with 77, which CMake registers as SKIP_RETURN_CODE: ctest then lists the test
// as skipped ("***Skipped") in its summary instead of passing it silently.
#include "test_support.hpp"

#include <signal.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "cqlwire/protocol/ascii.hpp"
#include "run_cqlwire.hpp"

extern char** environ;

namespace {

using namespace cqlwire::integration;
namespace fs = std::filesystem;

constexpr int skip_exit_code = 77;

[[noreturn]] void skip(const std::string& why) {
    std::cerr << "\n*** SKIPPED: " << why << " ***\n" << std::flush;
    std::_Exit(skip_exit_code);
}

// dumpcap on loopback with a capture filter, stopped with SIGINT.
class loopback_capture {
public:
    loopback_capture(const std::string& filter, const fs::path& file) : file_(file) {
        err_ = file.string() + ".err";
        std::vector<std::string> args = {"dumpcap", "-q", "-i", "lo", "-f", filter, "-w", file.string()};
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 2, err_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
        const int rc = posix_spawnp(&pid_, "dumpcap", &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0) skip("dumpcap could not be started (install Debian's tshark package): " + std::string(strerror(rc)));
        // dumpcap writes the pcapng section and interface blocks once it captures.
        for (int i = 0; i < 100; ++i) {
            std::error_code ec;
            if (fs::exists(file_, ec) && fs::file_size(file_, ec) > 0) {
                std::this_thread::sleep_for(std::chrono::milliseconds(300));
                return;
            }
            int status = 0;
            if (waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                skip("dumpcap cannot capture on lo (needs root or CAP_NET_RAW): " + read_err());
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        stop();
        skip("dumpcap did not start capturing on lo within 10 s: " + read_err());
    }
    ~loopback_capture() { stop(); }

    void stop() {
        if (pid_ <= 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the last packets land
        kill(pid_, SIGINT);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
    }
    std::string read_err() const {
        std::ifstream in(err_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

private:
    fs::path file_;
    std::string err_;
    pid_t pid_ = -1;
};

cqlwire::test::process_result tshark(const std::vector<std::string>& args) {
    cqlwire::test::process_options o;
    o.timeout = std::chrono::seconds(60);
    return cqlwire::test::run_process("/usr/bin/tshark", args, o);
}

std::vector<std::string> split(const std::string& s, char sep) {
    std::vector<std::string> out;
    std::string cur;
    for (char c : s) {
        if (c == sep) {
            out.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    out.push_back(cur);
    return out;
}

std::string hex_of(std::string_view s) {
    std::string out;
    cqlwire::protocol::append_hex(out, s);
    return out;
}

}  // namespace

TEST_CASE("a key log written by --keylog lets tshark decrypt the TLS session") {
    const auto& tb = require_testbed();
    const auto dir = scratch_folder();
    const auto pcap = dir / "tls.pcapng";
    const auto keys = dir / "keys.log";
    const std::string statement = "SELECT * FROM system.local";
    cqlwire::test::process_result run;
    {
        loopback_capture capture("tcp port " + std::to_string(tb.port), pcap);
        run = run_cqlwire(concat(concat(login_args(tb), {"--keylog", keys.string(), "-e", statement}), tls_args(tb)),
                          password_env(tb));
    }
    INFO(describe(run));
    REQUIRE(run.exit_code == 0);
    CHECK(run.err.find("cqlwire: warning: writing TLS session keys to '" + keys.string() + "'") != std::string::npos);
    struct stat st {};
    REQUIRE(::stat(keys.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);

    // tshark decrypts the session with the key log and its CQL dissector reads the frames. That
    // dissector registers only for tcp.port 9042, so a small Lua plugin adds it to the tls.port
    // table for the testbed's port (tshark's -d cannot, as CQL is not a tls.port choice).
    const std::string port = std::to_string(tb.port);
    auto dissected = tshark({"-r", pcap.string(), "-X", std::string("lua_script:") + CQLWIRE_CQL_OVER_TLS_LUA, "-X",
                             "lua_script1:" + port, "-o", "tls.keylog_file:" + keys.string(), "-d",
                             "tcp.port==" + port + ",tls", "-Y", "cql", "-T", "fields", "-E", "separator=|", "-e",
                             "cql.opcode", "-e", "cql.string", "-e", "cql.result.kind"});
    INFO("tshark CQL dissector: " << dissected.out << dissected.err);
    REQUIRE(dissected.exit_code == 0);
    bool dissected_query = false, dissected_rows = false;
    for (const auto& line : split(dissected.out, '\n')) {
        const auto fields = split(line, '|');
        if (fields.size() != 3) continue;
        if (fields[0] == "7" && fields[1] == statement) dissected_query = true;  // QUERY with our text
        if (fields[0] == "8" && fields[2] == "2") dissected_rows = true;          // RESULT of kind Rows
    }
    CHECK_MESSAGE(dissected_query, "tshark's CQL dissector did not show the QUERY text in the decrypted session");
    CHECK_MESSAGE(dissected_rows, "tshark's CQL dissector did not show a Rows RESULT in the decrypted session");

    // The decrypted client bytes carry the QUERY frame (opcode 0x07 with the statement) and the
    // server's bytes a RESULT (opcode 0x08).
    cqlwire::test::process_result follow;
    // Other helpers' sessions may share the capture: find the decrypted stream among all.
    std::string decrypted;
    for (int stream = 0; stream < 16 && decrypted.find(hex_of(statement)) == std::string::npos; ++stream) {
        follow = tshark({"-r", pcap.string(), "-o", "tls.keylog_file:" + keys.string(), "-d",
                         "tcp.port==" + std::to_string(tb.port) + ",tls", "-q", "-z",
                         "follow,tls,raw," + std::to_string(stream)});
        decrypted = follow.out;
    }
    REQUIRE_MESSAGE(decrypted.find(hex_of(statement)) != std::string::npos, "tshark could not decrypt the session");
    bool query = false, result = false;
    for (const auto& line : split(decrypted, '\n')) {
        // follow,tls,raw: client bytes indented with a tab, server bytes not.
        if (line.starts_with("\t04") && line.substr(9, 2) == "07" && line.find(hex_of(statement)) != std::string::npos)
            query = true;
        if (line.starts_with("84") && line.size() > 10 && line.substr(8, 2) == "08") result = true;
    }
    CHECK(query);
    CHECK(result);
    // And cqlwire decode reads the decrypted hex the same way.
    std::string client_hex;
    for (const auto& line : split(decrypted, '\n'))
        if (line.starts_with("\t04")) client_hex += line.substr(1) + "\n";
    const auto hex_file = write_private_file("client.hex", client_hex);
    auto decoded = run_cqlwire({"decode", hex_file});
    INFO(describe(decoded));
    CHECK(decoded.exit_code == 0);
    CHECK(decoded.out.find("QUERY flags=- length=") != std::string::npos);
    CHECK(decoded.out.find("query=\"" + statement + "\"") != std::string::npos);
    CHECK(decoded.out.find(tb.password) == std::string::npos);
}

TEST_CASE("cqlwire decode agrees with tshark's CQL dissector frame by frame") {
    const auto& tb = require_testbed();
    REQUIRE_MESSAGE(tb.plain_port != 0, "the testbed has no plaintext port");
    const auto pcap = scratch_folder() / "plain.pcapng";
    cqlwire::test::process_result run;
    {
        loopback_capture capture("tcp port " + std::to_string(tb.plain_port), pcap);
        run = run_cqlwire(concat(login_args(tb), {"-e", "SELECT * FROM system.local; SELECT key FROM system.local",
                                                  tb.host, std::to_string(tb.plain_port)}),
                          password_env(tb));
    }
    INFO(describe(run));
    REQUIRE(run.exit_code == 0);

    auto decoded = run_cqlwire({"decode", "--format", "jsonl", "--server-port", std::to_string(tb.plain_port),
                                pcap.string()});
    INFO(describe(decoded));
    REQUIRE(decoded.exit_code == 0);
    CHECK(decoded.out.find(tb.password) == std::string::npos);

    // tshark: one line per packet carrying CQL, several frames comma-separated.
    const auto port = std::to_string(tb.plain_port);
    auto fields = tshark({"-r", pcap.string(), "-d", "tcp.port==" + port + ",cql", "-Y", "cql", "-T", "fields", "-E",
                          "occurrence=a", "-E", "aggregator=,", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e",
                          "cql.stream", "-e", "cql.opcode", "-e", "cql.message_length"});
    INFO("tshark: " << fields.out << fields.err);
    REQUIRE(fields.exit_code == 0);

    // The same connections only: another helper's session may share the port.
    std::vector<std::string> expected;
    for (const auto& line : split(fields.out, '\n')) {
        if (line.empty()) continue;
        auto cols = split(line, '\t');
        REQUIRE(cols.size() == 5);
        auto streams = split(cols[2], ','), opcodes = split(cols[3], ','), lengths = split(cols[4], ',');
        REQUIRE(streams.size() == opcodes.size());
        REQUIRE(lengths.size() == opcodes.size());
        const std::string sender = cols[0] == port ? "server" : "client";
        const std::string client_port = cols[0] == port ? cols[1] : cols[0];
        for (std::size_t i = 0; i < opcodes.size(); ++i)
            expected.push_back(client_port + " " + sender + " " + streams[i] + " " + opcodes[i] + " " + lengths[i]);
    }
    std::vector<std::string> actual;
    static const std::map<std::string, int> opcode_numbers = {
        {"ERROR", 0},    {"STARTUP", 1},  {"READY", 2},   {"AUTHENTICATE", 3}, {"OPTIONS", 5},
        {"SUPPORTED", 6}, {"QUERY", 7},   {"RESULT", 8},  {"PREPARE", 9},      {"EXECUTE", 10},
        {"REGISTER", 11}, {"EVENT", 12},  {"BATCH", 13},  {"AUTH_CHALLENGE", 14}, {"AUTH_RESPONSE", 15},
        {"AUTH_SUCCESS", 16}};
    std::string connection;
    auto with_connections = run_cqlwire({"decode", "--server-port", port, pcap.string()});
    // Summary output names each connection ("# connection 127.0.0.1:PORT -> ..."); jsonl lines
    // come in the same order, so the client port of each frame is taken from there.
    std::vector<std::string> client_ports;
    for (const auto& line : split(with_connections.out, '\n')) {
        if (line.starts_with("# connection ")) {
            auto colon = line.find(':');
            connection = line.substr(colon + 1, line.find(' ', colon) - colon - 1);
        } else if (!line.empty()) {
            client_ports.push_back(connection);
        }
    }
    std::size_t index = 0;
    for (const auto& line : split(decoded.out, '\n')) {
        if (line.empty()) continue;
        auto v = boost::json::parse(line).as_object();
        REQUIRE(index < client_ports.size());
        actual.push_back(client_ports[index++] + " " + std::string(v.at("sender").as_string()) + " " +
                         std::to_string(v.at("stream").as_int64()) + " " +
                         std::to_string(opcode_numbers.at(std::string(v.at("opcode").as_string()))) + " " +
                         std::to_string(v.at("length").as_int64()));
    }
    CHECK(actual.size() >= 8);  // STARTUP .. AUTH_SUCCESS, two QUERY/RESULT pairs
    CHECK(actual == expected);
}

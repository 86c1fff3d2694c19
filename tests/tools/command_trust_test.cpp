#include "test_support.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "exit_codes.hpp"
#include "fake_cql_server.hpp"
#include "run_process.hpp"
#include "terminal_session.hpp"

// The command never changes or loses data by surprise: batches stay whole, unfinished statements
// are never run, Ctrl-C in the shell stops waiting without leaving it, output failures are never
// ignored, input and results stream. The real binary against the in-process fake server.

namespace {

namespace protocol = cqlwire::protocol;
using cqlwire::cli::exit_code;
using cqlwire::cli::to_int;
using cqlwire::test::fake_cql_server;
using cqlwire::test::fake_request;
using cqlwire::test::fake_session;
using cqlwire::test::process_result;

constexpr std::string_view system_local = "SELECT * FROM system.local";

struct temp_home {
    std::filesystem::path path;
    temp_home() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cqlwire-trust-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~temp_home() {
        std::error_code ignored;
        std::filesystem::remove_all(path, ignored);
    }
    std::string write(std::string_view name, std::string_view content) const {
        std::ofstream(path / name, std::ios::binary) << content;
        return (path / name).string();
    }
};

process_result run_program(const std::string& program, const std::vector<std::string>& args, const temp_home& home,
                           std::string stdin_text = {}, std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    cqlwire::test::process_options o;
    o.env = cqlwire::test::isolated_cqlwire_env(home.path.string());
    o.stdin_text = std::move(stdin_text);
    o.timeout = timeout;
    auto r = cqlwire::test::run_process(program, args, o);
    INFO("stdout: " << r.out);
    INFO("stderr: " << r.err);
    CHECK_FALSE(r.timed_out);
    if (r.err.find("Sanitizer") != std::string::npos || r.err.find("internal error") != std::string::npos)
        FAIL_CHECK("cqlwire failed inside: " << r.err);
    return r;
}

process_result run_cqlwire(const fake_cql_server& server, std::vector<std::string> args, const temp_home& home,
                           std::string stdin_text = {}) {
    std::vector<std::string> all{"127.0.0.1", std::to_string(server.port())};
    all.insert(all.end(), args.begin(), args.end());
    return run_program(CQLWIRE_BINARY, all, home, std::move(stdin_text));
}

// A script that answers a statement with a Void result.
void answer_void(fake_cql_server& server, const std::string& text) {
    server.on_query(text, [](fake_session& s, const fake_request& r) { s.send_raw(fake_cql_server::void_result_frame(r.header.stream)); });
}

std::vector<std::uint8_t> int_bytes(std::int32_t v) {
    std::vector<std::uint8_t> out;
    protocol::byte_writer(out).write_int(v);
    return out;
}

// Answers `query` with pages of two int rows (1-2, 3-4, ...); the page after `last_page` is never
// answered (a server that stalls mid-result).
void script_stalling_pages(fake_cql_server& server, const std::string& query, int last_page) {
    server.on_query(query, [last_page](fake_session& s, const fake_request& r) {
        protocol::request_prefix prefix;
        protocol::bytes_view message;
        protocol::query_view q;
        REQUIRE_FALSE(protocol::decode_request_prefix(r.header, r.body, prefix, message));
        REQUIRE_FALSE(protocol::decode_query(message, q));
        int page = 0;
        if (q.parameters.paging_state && q.parameters.paging_state->is_present()) {
            const auto b = q.parameters.paging_state->bytes;
            page = std::stoi(std::string(b.begin(), b.end()));
        }
        if (page > last_page) return;  // silence
        protocol::result_metadata m;
        m.flags = protocol::metadata_flags::global_tables_spec;
        m.column_count = 1;
        m.columns = {{"ks", "t", "id", protocol::data_type::of(protocol::type_kind::int_)}};
        std::vector<std::vector<std::uint8_t>> storage;
        storage.reserve(2);
        std::vector<protocol::raw_value> cells;
        for (int id = page * 2 + 1; id <= page * 2 + 2; ++id)
            cells.push_back(protocol::raw_value::of(storage.emplace_back(int_bytes(id))));
        const std::string next = std::to_string(page + 1);
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells, protocol::as_bytes(next)));
        s.send_raw(std::move(out));
    });
}

const std::string batch =
    "BEGIN BATCH INSERT INTO t (k,v) VALUES (1,1); INSERT INTO t (k,v) VALUES (2,2); APPLY BATCH";

}  // namespace

TEST_CASE("a BEGIN BATCH ... APPLY BATCH reaches the server as one statement, from -e, -f and stdin") {
    fake_cql_server server({});
    answer_void(server, batch);
    temp_home home;
    const std::string multi_line = "BEGIN UNLOGGED BATCH\n  INSERT INTO t (k,v) VALUES (1,'a;b'); -- one;\n"
                                   "  /* two; */ INSERT INTO t (k,v) VALUES (2,2);\nAPPLY BATCH";
    answer_void(server, multi_line);

    SUBCASE("-e") {
        const auto r = run_cqlwire(server, {"-e", batch + ";"}, home);
        CHECK(r.exit_code == 0);
        CHECK(server.queries() == std::vector<std::string>{batch});
    }
    SUBCASE("-f") {
        const auto file = home.write("batch.cql", multi_line + ";\n");
        const auto r = run_cqlwire(server, {"-f", file}, home);
        CHECK(r.exit_code == 0);
        CHECK(server.queries() == std::vector<std::string>{multi_line});
    }
    SUBCASE("stdin") {
        const auto r = run_cqlwire(server, {}, home, batch + ";\n" + multi_line + ";\n");
        CHECK(r.exit_code == 0);
        CHECK(server.queries() == std::vector<std::string>{batch, multi_line});
    }
    SUBCASE("a batch without APPLY BATCH is never sent, not even in part") {
        const auto open_batch = "BEGIN BATCH INSERT INTO t (k,v) VALUES (1,1); INSERT INTO t (k,v) VALUES (2,2);";
        auto r = run_cqlwire(server, {"-e", open_batch}, home);
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: -e: the batch begun on line 1 has no APPLY BATCH; it was not run (end it with APPLY BATCH;)\n");
        r = run_cqlwire(server, {}, home, std::string("SELECT * FROM system.local;\n") + open_batch + "\n");
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: <stdin>:2: the input ends inside a statement (no ';' after it); it was not run\n");
        CHECK(server.queries() == std::vector<std::string>{std::string(system_local)});
    }
}

TEST_CASE("-f and stdin: an unfinished last statement is never run; exit 1 naming its line") {
    fake_cql_server server({});
    answer_void(server, "TRUNCATE t");
    temp_home home;
    const std::string text = "SELECT * FROM system.local;\n\n  TRUNCATE t\n";
    SUBCASE("stdin") {
        const auto r = run_cqlwire(server, {}, home, text);
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: <stdin>:3: the input ends inside a statement (no ';' after it); it was not run\n");
        CHECK(r.out.ends_with("(1 rows)\n"));  // what came before it ran
    }
    SUBCASE("-f") {
        const auto file = home.write("unfinished.cql", text);
        const auto r = run_cqlwire(server, {"-f", file}, home);
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: " + file + ":3: the input ends inside a statement (no ';' after it); it was not run\n");
    }
    CHECK(server.queries() == std::vector<std::string>{std::string(system_local)});
}

TEST_CASE("-f and stdin: bytes that are not CQL text are refused before they are sent") {
    fake_cql_server server({});
    temp_home home;
    SUBCASE("a statement that is not UTF-8: exit 1 naming the file and the line of the byte") {
        const auto file = home.write("latin1.cql", "SELECT * FROM system.local;\nINSERT INTO t (k, v)\nVALUES (1, 'caf\xe9');\n");
        const auto r = run_cqlwire(server, {"-f", file}, home);
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: " + file +
                           ":3: the statement is not valid UTF-8 (byte 0xe9); it was not sent (save the file as UTF-8)\n");
        CHECK(server.queries() == std::vector<std::string>{std::string(system_local)});
    }
    SUBCASE("-e that is not UTF-8 costs no connection") {
        const auto r = run_cqlwire(server, {"-e", "SELECT '\xff' FROM t"}, home);
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: -e:1: the statement is not valid UTF-8 (byte 0xff); it was not sent (set the terminal to UTF-8)\n");
        CHECK(server.sessions_accepted() == 0);
    }
    SUBCASE("a byte order mark at the start of a file is not sent") {
        const auto file = home.write("bom.cql", "\xEF\xBB\xBF" + std::string(system_local) + ";\n");
        const auto r = run_cqlwire(server, {"-f", file}, home);
        CHECK(r.exit_code == 0);
        CHECK(server.queries() == std::vector<std::string>{std::string(system_local)});
    }
    SUBCASE("/dev/zero: exit 2 at once, no connection") {
        const auto r = run_cqlwire(server, {"-f", "/dev/zero"}, home);
        CHECK(r.exit_code == to_int(exit_code::configuration));
        CHECK(r.err == "cqlwire: /dev/zero:1: holds a NUL byte: this is not CQL text\n");
        CHECK(server.sessions_accepted() == 0);
    }
    SUBCASE("a directory: exit 2 naming it") {
        const auto r = run_cqlwire(server, {"-f", home.path.string()}, home);
        CHECK(r.exit_code == to_int(exit_code::configuration));
        CHECK(r.err == "cqlwire: -f: '" + home.path.string() + "' is a directory, not a file of statements\n");
    }
    SUBCASE("a statement longer than the most a statement can be") {
        const auto r = run_cqlwire(server, {}, home, "SELECT '" + std::string(17 * 1024 * 1024, 'x'));
        CHECK(r.exit_code == to_int(exit_code::usage));
        CHECK(r.err == "cqlwire: <stdin>:1: the statement starting here is longer than 16 MiB (the most a statement can be); it was not run\n");
        CHECK(server.sessions_accepted() == 0);
    }
}

TEST_CASE("stdin: each statement runs as soon as it is complete, while the producer goes on") {
    fake_cql_server server({});
    int to_child[2];
    int from_child[2];
    REQUIRE(::pipe(to_child) == 0);
    REQUIRE(::pipe(from_child) == 0);
    const std::string port = std::to_string(server.port());
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(to_child[0], 0);
        ::dup2(from_child[1], 1);
        ::close(to_child[1]);
        ::close(from_child[0]);
        ::execl(CQLWIRE_BINARY, CQLWIRE_BINARY, "127.0.0.1", port.c_str(), static_cast<char*>(nullptr));
        ::_exit(127);
    }
    ::close(to_child[0]);
    ::close(from_child[1]);
    // Reads the child's output until `text` has been shown `times` times, or 20 s passed.
    std::string shown;
    auto wait_for = [&](std::string_view text, std::size_t times) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        auto count = [&] {
            std::size_t n = 0;
            for (auto at = shown.find(text); at != std::string::npos; at = shown.find(text, at + 1)) ++n;
            return n;
        };
        while (count() < times && std::chrono::steady_clock::now() < deadline) {
            pollfd p{from_child[0], POLLIN, 0};
            if (::poll(&p, 1, 200) <= 0) continue;
            char buf[4096];
            const auto n = ::read(from_child[0], buf, sizeof buf);
            if (n <= 0) break;
            shown.append(buf, static_cast<std::size_t>(n));
        }
        return count() >= times;
    };
    const std::string statement = std::string(system_local) + ";\n";
    for (std::size_t round = 1; round <= 3; ++round) {
        // The statement spread over two writes: the first half alone runs nothing.
        REQUIRE(::write(to_child[1], statement.data(), 10) == 10);
        REQUIRE(::write(to_child[1], statement.data() + 10, statement.size() - 10) ==
                static_cast<ssize_t>(statement.size() - 10));
        CHECK(wait_for("(1 rows)", round));  // printed while standard input is still open
    }
    ::close(to_child[1]);
    wait_for("never shown", 1);  // drains to the end
    ::close(from_child[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(server.sessions_accepted() == 1);
}

TEST_CASE("results print page by page: a server that stalls mid-result leaves every earlier row printed") {
    fake_cql_server server({});
    script_stalling_pages(server, "SELECT id FROM ks.t", 1);  // pages 0 and 1 come, page 2 never does
    temp_home home;
    SUBCASE("table") {
        const auto r = run_cqlwire(server, {"--page-size", "2", "--request-timeout", "1", "-e", "SELECT id FROM ks.t"}, home);
        CHECK(r.exit_code == to_int(exit_code::network));
        CHECK(r.out == "\n id\n----\n  1\n  2\n  3\n  4\n");
        CHECK(r.err.find("no response within 1000 ms") != std::string::npos);
    }
    SUBCASE("csv") {
        const auto r = run_cqlwire(server, {"--page-size", "2", "--request-timeout", "1", "--format", "csv", "-e", "SELECT id FROM ks.t"}, home);
        CHECK(r.exit_code == to_int(exit_code::network));
        CHECK(r.out == "id\n1\n2\n3\n4\n");
    }
    SUBCASE("json: the rows that came, in an array left open") {
        const auto r = run_cqlwire(server, {"--page-size", "2", "--request-timeout", "1", "--format", "json", "-e", "SELECT id FROM ks.t"}, home);
        CHECK(r.exit_code == to_int(exit_code::network));
        CHECK(r.out == "[{\"id\":1},{\"id\":2},{\"id\":3},{\"id\":4}\n");
    }
}

TEST_CASE("a page's rows are sized by that page, as cqlsh prints a paged result off a terminal") {
    fake_cql_server server({});
    server.on_query("SELECT v FROM ks.t", [](fake_session& s, const fake_request& r) {
        protocol::request_prefix prefix;
        protocol::bytes_view message;
        protocol::query_view q;
        REQUIRE_FALSE(protocol::decode_request_prefix(r.header, r.body, prefix, message));
        REQUIRE_FALSE(protocol::decode_query(message, q));
        const bool second = q.parameters.paging_state && q.parameters.paging_state->is_present();
        protocol::result_metadata m;
        m.flags = protocol::metadata_flags::global_tables_spec;
        m.column_count = 1;
        m.columns = {{"ks", "t", "v", protocol::data_type::of(protocol::type_kind::varchar)}};
        const std::string text = second ? "a longer value" : "x";
        const std::vector<std::uint8_t> cell(text.begin(), text.end());
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        std::vector<std::uint8_t> out;
        const std::string next = "1";
        CHECK_FALSE(protocol::encode_result_rows(out, f, m, std::vector<protocol::raw_value>{protocol::raw_value::of(cell)},
                                                 second ? std::optional<protocol::bytes_view>() : protocol::as_bytes(next)));
        s.send_raw(std::move(out));
    });
    temp_home home;
    const auto r = run_cqlwire(server, {"--page-size", "1", "-e", "SELECT v FROM ks.t"}, home);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "\n v\n---\n x\n a longer value\n\n(2 rows)\n");
}

TEST_CASE("output that cannot be written ends the command with exit 11 naming the stream") {
    fake_cql_server server({});
    temp_home home;
    const std::vector<std::string> select{"127.0.0.1", std::to_string(server.port()), "--format", "csv", "-e",
                                          std::string(system_local) + ";" + std::string(system_local)};
    auto shell = [&](const std::string& redirect) {
        std::vector<std::string> args{"-c", "exec \"$0\" \"$@\" " + redirect, CQLWIRE_BINARY};
        args.insert(args.end(), select.begin(), select.end());
        return run_program("/bin/sh", args, home);
    };
    SUBCASE("a full disk (/dev/full)") {
        const auto r = shell(">/dev/full");
        CHECK(r.exit_code == to_int(exit_code::output_failed));
        CHECK(r.err == "cqlwire: cannot write to standard output: No space left on device; the output is incomplete "
                       "and no further statement was run\n");
        CHECK(server.queries().size() == 1);  // nothing ran after the failed write
    }
    SUBCASE("a closed standard output") {
        const auto r = shell(">&-");
        CHECK(r.exit_code == to_int(exit_code::output_failed));
        CHECK(r.err.starts_with("cqlwire: cannot write to standard output: Bad file descriptor"));
    }
    SUBCASE("a --trace-file on a full disk") {
        // It fails with the first frame (STARTUP): no statement runs.
        answer_void(server, "INSERT INTO t (k) VALUES (1)");
        const auto r = run_cqlwire(server, {"--trace-frames", "--trace-file", "/dev/full", "-e", "INSERT INTO t (k) VALUES (1)"}, home);
        CHECK(r.exit_code == to_int(exit_code::output_failed));
        CHECK(r.err == "cqlwire: cannot write to the frame trace file '/dev/full': No space left on device; the frame "
                       "trace is incomplete and no further statement was run\n");
        CHECK(server.queries().empty());
    }
    SUBCASE("--trace-frames to a standard error that cannot be written") {
        const auto r = run_program("/bin/sh", {"-c", "exec \"$0\" \"$@\" 2>/dev/full", CQLWIRE_BINARY, "127.0.0.1",
                                               std::to_string(server.port()), "--trace-frames", "-e", std::string(system_local)},
                                   home);
        CHECK(r.exit_code == to_int(exit_code::output_failed));
        CHECK(server.queries().empty());
    }
    SUBCASE("a --trace-file FIFO that nobody reads is refused at once, not waited on") {
        const auto fifo = (home.path / "trace.fifo").string();
        REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
        const auto r = run_cqlwire(server, {"--trace-frames", "--trace-file", fifo, "-e", std::string(system_local)}, home);
        CHECK(r.exit_code == to_int(exit_code::configuration));
        CHECK(r.err.find("cannot write the frame trace to '" + fifo + "': nothing reads from it (a FIFO needs a reader)") !=
              std::string::npos);
    }
    SUBCASE("--trace-frames with standard error closed: the trace is lost, so nothing runs") {
        const auto r = run_program("/bin/sh", {"-c", "exec \"$0\" \"$@\" 2>&-", CQLWIRE_BINARY, "127.0.0.1",
                                               std::to_string(server.port()), "--trace-frames", "-e", std::string(system_local)},
                                   home);
        CHECK(r.exit_code == to_int(exit_code::output_failed));
        CHECK(server.queries().empty());
    }
    SUBCASE("a frame trace's reader that goes away (2>&1 | head) is no failure either") {
        std::string many;
        for (int i = 0; i < 300; ++i) many += std::string(system_local) + ";";
        std::vector<std::string> args{"-c", "\"$0\" \"$@\" 2>&1 | head -c 1 >/dev/null; echo \"status=${PIPESTATUS[0]}\"",
                                      CQLWIRE_BINARY, "127.0.0.1", std::to_string(server.port()), "--trace-frames", "-e", many};
        const auto r = run_program("/bin/bash", args, home);
        CHECK(r.out == "status=0\n");
    }
    SUBCASE("--help to a full disk") {
        const auto r = run_program("/bin/sh", {"-c", "exec \"$0\" --help >/dev/full", CQLWIRE_BINARY}, home);
        CHECK(r.exit_code == to_int(exit_code::output_failed));
    }
    SUBCASE("a reader that goes away (| head) is no failure and says nothing") {
        std::string many;
        for (int i = 0; i < 300; ++i) many += std::string(system_local) + ";";
        std::vector<std::string> args{"-c", "\"$0\" \"$@\" | head -c 1 >/dev/null; echo \"status=${PIPESTATUS[0]}\"",
                                      CQLWIRE_BINARY, "127.0.0.1", std::to_string(server.port()), "-e", many};
        const auto r = run_program("/bin/bash", args, home);
        CHECK(r.out == "status=0\n");
        CHECK(r.err.empty());
    }
}

TEST_CASE("shell: Ctrl-C, or a timeout, stops waiting for a statement and returns to the prompt on the same connection") {
    fake_cql_server server({});
    server.on_query("SELECT * FROM ks.slow", [](fake_session&, const fake_request&) {});  // never answered
    temp_home home;
    const auto env = cqlwire::test::isolated_terminal_env(home.path.string(), "xterm");
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port()), "--request-timeout", "2"}, env);
    REQUIRE(term.expect("cqlwire> "));
    // A statement that times out leaves the shell and the connection as they were.
    term.type("SELECT * FROM ks.slow;\r");
    CHECK(term.expect("no response within 2000 ms"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("SELECT * FROM ks.slow;\r");
    REQUIRE(term.expect("SELECT * FROM ks.slow;"));
    // Let the second request leave before interrupting (the first, timed out, is already counted):
    // a Ctrl-C typed while the line editor still holds the terminal would reach the next prompt instead.
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    auto slow_requests = [&] {
        const auto q = server.queries();
        return std::count(q.begin(), q.end(), std::string("SELECT * FROM ks.slow"));
    };
    while (slow_requests() < 2 && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    term.type("\x03");
    CHECK(term.expect("interrupted: no longer waiting for the result; the server may still carry the statement out"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("SELECT * FROM system.local;\r");
    CHECK(term.expect("(1 rows)"));
    REQUIRE(term.expect("cqlwire> "));
    term.type("\x03");  // Ctrl-C at an empty prompt: a new prompt, as in cqlsh
    CHECK(term.expect("cqlwire> "));
    term.type("\x04");  // Ctrl-D at an empty prompt: exit 0
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    CHECK(server.sessions_accepted() == 1);
}

TEST_CASE("shell: Ctrl-D after an unfinished statement discards it, saying so, and never sends it") {
    fake_cql_server server({});
    answer_void(server, "TRUNCATE t");
    temp_home home;
    auto env = cqlwire::test::isolated_terminal_env(home.path.string(), "xterm");
    SUBCASE("with the line editor") {}
    SUBCASE("read plainly (TERM=dumb)") { env["TERM"] = "dumb"; }
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())}, env);
    REQUIRE(term.expect("cqlwire> "));
    term.type("TRUNCATE t\r");
    REQUIRE(term.expect("   ... "));
    term.type("\x04");
    CHECK(term.expect("the unfinished statement (no ';' after it, begun on line 1) was not run"));
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
    // Only the greeting's reads of system.local reached the server.
    for (const auto& q : server.queries()) CHECK(q.find("FROM system.local WHERE key = 'local'") != std::string::npos);
    CHECK(term.shown().find("Use HELP for help.") != std::string::npos);
}

TEST_CASE("a table shows a column name from the server with its controls escaped; CSV and JSON keep it as data") {
    fake_cql_server server({});
    const std::string name = "v\x1b[2J";
    server.on_query("SELECT v FROM ks.t", [name](fake_session& s, const fake_request& r) {
        protocol::result_metadata m;
        m.flags = protocol::metadata_flags::global_tables_spec;
        m.column_count = 1;
        m.columns = {{"ks", "t", name, protocol::data_type::of(protocol::type_kind::int_)}};
        const auto cell = int_bytes(7);
        protocol::response_frame_options f;
        f.stream = r.header.stream;
        std::vector<std::uint8_t> out;
        CHECK_FALSE(protocol::encode_result_rows(out, f, m, std::vector<protocol::raw_value>{protocol::raw_value::of(cell)}));
        s.send_raw(std::move(out));
    });
    temp_home home;
    auto r = run_cqlwire(server, {"-e", "SELECT v FROM ks.t"}, home);
    CHECK(r.exit_code == 0);
    CHECK(r.out == "\n v\\x1b[2J\n----------\n        7\n\n(1 rows)\n");
    r = run_cqlwire(server, {"--format", "csv", "-e", "SELECT v FROM ks.t"}, home);
    CHECK(r.out == name + "\n7\n");
    r = run_cqlwire(server, {"--format", "json", "-e", "SELECT v FROM ks.t"}, home);
    CHECK(r.out.find("\\u001B[2J") != std::string::npos);
}

TEST_CASE("a password file that is standard input is refused when the statements come from standard input too") {
    fake_cql_server server({});
    temp_home home;
    const auto r = run_cqlwire(server, {"-u", "alice", "--password-file", "/dev/stdin"}, home,
                               "S3cretOnStdin\nSELECT * FROM system.local;\n");
    CHECK(r.exit_code == to_int(exit_code::usage));
    CHECK(r.err == "cqlwire: '/dev/stdin' is standard input, which holds the statements; give the statements with -e or "
                   "-f, or the secret in another file\n");
    CHECK(server.sessions_accepted() == 0);
    CHECK(r.err.find("S3cretOnStdin") == std::string::npos);
}

TEST_CASE("an output file that is one of the input files is refused before anything is read or written") {
    fake_cql_server server({});
    temp_home home;
    const std::string cert = home.write("c.crt", "certificate\n");
    const std::string key = home.write("k.key", "key\n");
    const std::string ca = home.write("ca.pem", "ca\n");
    const std::string key_pass = home.write("key.pass", "K3yPass\n");
    const std::string pass = home.write("pw.txt", "S3cret\n");
    const std::string rc = home.write("cqlshrc", "[connection]\n");
    const std::string statements = home.write("st.cql", "SELECT * FROM system.local;\n");
    struct input {
        std::string option;
        std::string path;
        std::vector<std::string> args;
    };
    const std::vector<input> inputs{
        {"--cert", cert, {"--cert", cert, "--key", key}},
        {"--key", key, {"--cert", cert, "--key", key}},
        {"--cafile", ca, {"--cafile", ca}},
        {"--key-password-file", key_pass, {"--cert", cert, "--key", key, "--key-password-file", key_pass}},
        {"--password-file", pass, {"-u", "alice", "--password-file", pass}},
        {"--cqlshrc", rc, {"--cqlshrc", rc}},
        {"-f", statements, {"-f", statements}},
    };
    for (const auto& in : inputs) {
        for (const std::string output : {"--trace-file", "--keylog"}) {
            CAPTURE(in.option);
            CAPTURE(output);
            const auto before = std::filesystem::file_size(in.path);
            std::vector<std::string> args = in.args;
            // The same file under another spelling: through "." and "..".
            const std::string alias = home.path.string() + "/./../" + home.path.filename().string() + "/" +
                                      std::filesystem::path(in.path).filename().string();
            args.insert(args.end(), {output, alias});
            if (in.option != "-f") args.insert(args.end(), {"-e", "SELECT * FROM system.local"});
            const auto r = run_cqlwire(server, args, home);
            CHECK(r.exit_code == to_int(exit_code::usage));
            CHECK(r.err == "cqlwire: " + output + " '" + alias + "' is the file given as " + in.option + " ('" + in.path +
                               "'), which writing would overwrite; give " + output + " another file\n");
            CHECK(std::filesystem::file_size(in.path) == before);
            CHECK(server.sessions_accepted() == 0);
        }
    }
    // SSLKEYLOGFILE is an output too, named as such.
    cqlwire::test::process_options o;
    o.env = cqlwire::test::isolated_cqlwire_env(home.path.string());
    o.env["SSLKEYLOGFILE"] = key;
    const auto r = cqlwire::test::run_process(
        CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port()), "--cert", cert, "--key", key, "-e", "SELECT 1"}, o);
    CHECK(r.exit_code == to_int(exit_code::usage));
    CHECK(r.err == "cqlwire: SSLKEYLOGFILE '" + key + "' is the file given as --key ('" + key +
                       "'), which writing would overwrite; give SSLKEYLOGFILE another file\n");
    // The subcommands that connect refuse the same.
    for (const std::string sub : {"events", "tls-check"}) {
        CAPTURE(sub);
        const auto refused = run_program(
            CQLWIRE_BINARY, {sub, "127.0.0.1", std::to_string(server.port()), "--cert", cert, "--key", key, "--trace-file", cert},
            home);
        CHECK(refused.exit_code == to_int(exit_code::usage));
        CHECK(refused.err == "cqlwire " + sub + ": --trace-file '" + cert + "' is the file given as --cert ('" + cert +
                                 "'), which writing would overwrite; give --trace-file another file\n");
    }
    CHECK(server.sessions_accepted() == 0);
}

TEST_CASE("shell: HISTORY shows the statements entered before it, never a LOGIN or PASSWORD line") {
    fake_cql_server server({});
    answer_void(server, "TRUNCATE a");
    answer_void(server, "TRUNCATE b");
    temp_home home;
    const auto env = cqlwire::test::isolated_terminal_env(home.path.string(), "dumb");
    cqlwire::test::terminal_session term(CQLWIRE_BINARY, {"127.0.0.1", std::to_string(server.port())}, env);
    REQUIRE(term.expect("cqlwire> "));
    term.type("TRUNCATE a;\r");
    REQUIRE(term.expect("cqlwire> "));
    term.type("LOGIN someone s3cret\r");
    REQUIRE(term.expect("cqlwire> "));
    term.type("TRUNCATE b;\r");
    REQUIRE(term.expect("cqlwire> "));
    term.type("HISTORY\r");
    CHECK(term.expect("TRUNCATE a;\r\nTRUNCATE b;\r\ncqlwire> "));
    term.type("HISTORY 1\r");
    CHECK(term.expect("HISTORY\r\ncqlwire> "));
    term.type("\x04");
    INFO("shown: " << term.shown());
    CHECK(term.wait_exit() == 0);
}

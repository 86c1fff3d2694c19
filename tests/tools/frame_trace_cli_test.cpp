#include "test_support.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli_options.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "decode_command.hpp"
#include "exit_codes.hpp"
#include "settings.hpp"

using namespace cqlwire::cli;
namespace protocol = cqlwire::protocol;
namespace inspect = cqlwire::inspect;

namespace {

environment_lookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        const auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

settings merged(std::vector<std::string_view> args, std::map<std::string, std::string> env = {}) {
    cli_options o;
    std::string message;
    REQUIRE_FALSE(parse_command_line(args, o, message));
    settings s;
    REQUIRE_FALSE(merge_settings(o, nullptr, "", env_of(std::move(env)), s, message));
    return s;
}

}  // namespace

TEST_CASE("--trace-frames takes an optional =FORMAT and never the next argument") {
    CHECK(merged({"--trace-frames"}).trace_frames == inspect::trace_format::summary);
    CHECK(merged({"--trace-frames=hex"}).trace_frames == inspect::trace_format::hex);
    CHECK(merged({"--trace-frames=jsonl"}).trace_frames == inspect::trace_format::jsonl);
    auto s = merged({"--trace-frames", "db1"});
    CHECK(s.trace_frames == inspect::trace_format::summary);
    CHECK(s.host == "db1");
    CHECK_FALSE(merged({}).trace_frames);

    cli_options o;
    std::string message;
    CHECK(parse_command_line(std::vector<std::string_view>{"--trace-frames=xml"}, o, message) == make_error_code(cli_errc::usage));
    CHECK(message == "invalid value 'xml' for --trace-frames: expected summary, hex or jsonl");
    CHECK(parse_command_line(std::vector<std::string_view>{"--trace-frames="}, o, message) == make_error_code(cli_errc::usage));
    CHECK(help_text().find("--trace-frames[=FORMAT]") != std::string::npos);
}

TEST_CASE("--trace-file implies summary tracing; --keylog beats SSLKEYLOGFILE") {
    auto s = merged({"--trace-file", "/tmp/t.txt"});
    CHECK(s.trace_frames == inspect::trace_format::summary);
    CHECK(s.trace_file == "/tmp/t.txt");
    CHECK(merged({"--trace-file", "t", "--trace-frames=jsonl"}).trace_frames == inspect::trace_format::jsonl);

    CHECK(merged({}).tls.key_log_file.empty());
    CHECK(merged({}, {{"SSLKEYLOGFILE", "/tmp/env.log"}}).tls.key_log_file == "/tmp/env.log");
    CHECK(merged({}, {{"SSLKEYLOGFILE", ""}}).tls.key_log_file.empty());
    CHECK(merged({"--keylog", "/tmp/flag.log"}, {{"SSLKEYLOGFILE", "/tmp/env.log"}}).tls.key_log_file == "/tmp/flag.log");
    CHECK(merged({"--keylog", "~/k.log"}, {{"HOME", "/home/u"}}).tls.key_log_file == "/home/u/k.log");
}

TEST_CASE("cqlwire decode: usage errors and a raw file") {
    std::ostringstream out, err;
    auto run = [&](std::vector<std::string_view> args) {
        out.str("");
        err.str("");
        return run_decode(args, out, err);
    };
    CHECK(run({}) == 1);
    CHECK(err.str() == "cqlwire decode: no capture file given (see cqlwire decode --help)\n");
    CHECK(run({"--format", "xml", "f"}) == 1);
    CHECK(err.str() == "cqlwire decode: invalid value 'xml' for --format: expected summary, hex or jsonl (see cqlwire "
                       "decode --help)\n");
    CHECK(run({"/nonexistent/capture.pcap"}) == 2);
    CHECK(err.str() == "cqlwire decode: cannot read '/nonexistent/capture.pcap': No such file or directory\n");

    std::vector<std::uint8_t> frames;
    protocol::request_frame_options o;
    o.stream = 1;
    REQUIRE_FALSE(protocol::encode_query(frames, o, "CREATE ROLE r WITH PASSWORD = 'hunter2'", {}));
    const auto path = std::filesystem::temp_directory_path() / ("cqlwire-decode-" + std::to_string(::getpid()) + ".raw");
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(frames.data()), static_cast<std::streamsize>(frames.size()));
    }
    CHECK(run({"--format=summary", path.string()}) == 0);
    CHECK(out.str() == "- C>S v4 stream=1 QUERY flags=- length=46 query=\"CREATE ROLE r WITH PASSWORD = '********'\" "
                       "consistency=ONE\n");
    CHECK(err.str() == "cqlwire decode: " + path.string() + ": raw, 1 frames\n");
    std::filesystem::remove(path);
}

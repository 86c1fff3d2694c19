#include "decode_command.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli_options.hpp"
#include "cqlwire/inspect/capture.hpp"
#include "cqlwire/inspect/frame_trace.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {
namespace {

// Captures larger than this are refused rather than read into memory.
constexpr std::uintmax_t max_capture_file = 2ull * 1024 * 1024 * 1024;

int usage(std::ostream& err, const std::string& message) {
    err << "cqlwire decode: " << message << " (see cqlwire decode --help)\n";
    return to_int(exit_code::usage);
}

}  // namespace

std::string_view decode_help_text() noexcept {
    return "Usage: cqlwire decode [options] FILE...\n"
           "\n"
           "Prints the CQL frames in captured traffic, in the formats of --trace-frames. Reads\n"
           "raw frames back to back (one direction), hex dumps (plain hex, xxd, tshark -x or\n"
           "Wireshark hex), and pcap or pcapng captures of plaintext CQL over TCP (IPv4/IPv6 over\n"
           "Ethernet, Linux cooked SLL/SLL2, loopback or raw IP), reassembling TCP streams.\n"
           "Secrets (login tokens, passwords in statements) are masked.\n"
           "\n"
           "Options:\n"
           "  --format FORMAT        summary (default), hex or jsonl\n"
           "  --direction SENDER     raw files: who sent the bytes, client or server (default:\n"
           "                         from the first frame's version byte)\n"
           "  --server-port PORT     a TCP port of the server side (repeatable; default 9042,\n"
           "                         19042 and 19043)\n"
           "  --input KIND           raw, hex, pcap or pcapng instead of detecting it\n"
           "  --max-rows N           rows shown per RESULT (default 5)\n"
           "  --mask-values          show every bound value as its length only\n"
           "  -h, --help             print this help\n";
}

int run_decode(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    inspect::frame_trace_options trace;
    inspect::capture_options capture;
    bool ports_given = false;
    std::vector<std::string> files;
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view a = args[i];
        std::optional<std::string_view> attached;
        if (a.starts_with("--") && a.find('=') != std::string_view::npos) {
            attached = a.substr(a.find('=') + 1);
            a = a.substr(0, a.find('='));
        }
        auto value = [&](std::string_view& v) {
            if (attached) {
                v = *attached;
                return true;
            }
            if (i + 1 >= args.size()) return false;
            v = args[++i];
            return true;
        };
        std::string_view v;
        if (a == "-h" || a == "--help") {
            out << decode_help_text();
            return 0;
        } else if (a == "--format") {
            if (!value(v)) return usage(err, "--format needs a value (summary, hex or jsonl)");
            auto f = inspect::parse_trace_format(v);
            if (!f) return usage(err, "invalid value '" + std::string(v) + "' for --format: expected summary, hex or jsonl");
            trace.format = *f;
        } else if (a == "--direction") {
            if (!value(v)) return usage(err, "--direction needs a value (client or server)");
            if (v == "client") capture.raw_sender = inspect::frame_sender::client;
            else if (v == "server") capture.raw_sender = inspect::frame_sender::server;
            else return usage(err, "invalid value '" + std::string(v) + "' for --direction: expected client or server");
        } else if (a == "--server-port") {
            if (!value(v)) return usage(err, "--server-port needs a value");
            auto p = parse_port(v);
            if (!p) return usage(err, "invalid port '" + std::string(v) + "' for --server-port: expected 1-65535");
            if (!ports_given) capture.server_ports.clear();
            ports_given = true;
            capture.server_ports.push_back(*p);
        } else if (a == "--input") {
            if (!value(v)) return usage(err, "--input needs a value (raw, hex, pcap or pcapng)");
            if (v == "raw") capture.kind = inspect::capture_kind::raw;
            else if (v == "hex") capture.kind = inspect::capture_kind::hex;
            else if (v == "pcap") capture.kind = inspect::capture_kind::pcap;
            else if (v == "pcapng") capture.kind = inspect::capture_kind::pcapng;
            else return usage(err, "invalid value '" + std::string(v) + "' for --input: expected raw, hex, pcap or pcapng");
        } else if (a == "--max-rows") {
            if (!value(v)) return usage(err, "--max-rows needs a value");
            auto n = parse_page_size(v);
            if (!n) return usage(err, "invalid value '" + std::string(v) + "' for --max-rows: expected a positive number");
            trace.max_rows = static_cast<std::size_t>(*n);
        } else if (a == "--mask-values") {
            if (attached) return usage(err, "--mask-values takes no value");
            trace.mask_all_bound_values = true;
        } else if (a == "--" ) {
            for (++i; i < args.size(); ++i) files.emplace_back(args[i]);
        } else if (a.size() > 1 && a[0] == '-') {
            return usage(err, "unknown option " + std::string(a));
        } else {
            files.emplace_back(a);
        }
    }
    if (files.empty()) return usage(err, "no capture file given");

    for (const auto& name : files) {
        std::ifstream in(name, std::ios::binary);
        if (!in) {
            err << "cqlwire decode: cannot read '" << name << "': " << std::strerror(errno) << "\n";
            return to_int(exit_code::configuration);
        }
        in.seekg(0, std::ios::end);
        const auto size = static_cast<std::uintmax_t>(in.tellg());
        in.seekg(0, std::ios::beg);
        if (size > max_capture_file) {
            err << "cqlwire decode: '" << name << "' is larger than 2 GiB; split it first (editcap -c)\n";
            return to_int(exit_code::configuration);
        }
        std::vector<std::uint8_t> data(static_cast<std::size_t>(size));
        in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
        if (!in) {
            err << "cqlwire decode: cannot read '" << name << "': read error\n";
            return to_int(exit_code::configuration);
        }
        inspect::capture_result result;
        std::string message;
        if (auto ec = inspect::read_capture(data, capture, result, message)) {
            err << "cqlwire decode: " << name << ": not a readable " << inspect::to_string(result.kind) << " capture: "
                << message << "\n";
            return to_int(exit_code::configuration);
        }
        // Each file starts afresh: prepared ids of one capture say nothing about another.
        inspect::frame_tracer tracer(trace);
        std::string text;
        std::string connection;
        for (const auto& f : result.frames) {
            text.clear();
            if (trace.format != inspect::trace_format::jsonl && f.connection != connection) {
                connection = f.connection;
                tracer.append_note("connection " + connection, text);
            }
            tracer.append({f.time_us, f.sender, f.header, f.body}, text);
            out << text;
        }
        out.flush();
        for (const auto& n : result.notes) err << "cqlwire decode: " << name << ": " << n << "\n";
        err << "cqlwire decode: " << name << ": " << inspect::to_string(result.kind) << ", "
            << (result.kind == inspect::capture_kind::raw ? std::string()
                                                            : std::to_string(result.packets) + " packets, ")
            << result.frames.size() << " frames\n";
    }
    return 0;
}

}  // namespace cqlwire::cli

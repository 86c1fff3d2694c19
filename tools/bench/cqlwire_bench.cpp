// Load benchmark: N connections × D requests in flight per connection, through cqlwire's
// transport::connection (mode "cqlwire") or through a raw loop of pre-encoded frames on the
// same socket type (mode "raw", the floor F1). Also two one-shot measurements: time to first
// row (--first-row K) and the CPU of connecting (--handshakes K).
//
//   cqlwire_bench [target] [load] [what]
//   target: --port P [--host H]            a running server (else a canned server is spawned:
//                                          cqlwire_canned_server from this binary's folder)
//           --pki DIR                      TLS with DIR/{ca,client,server}.{crt,key} (mTLS)
//           --ca F --cert F --key F --server-name N   TLS files for an external server
//           --user U --password P          SASL PLAIN (the spawned server then demands it); the
//                                          password may come from CQLWIRE_BENCH_PASSWORD instead,
//                                          out of sight of ps
//           --rows N --value-bytes B --delay-ms D     the spawned server's answers
//   load:   --connections N --depth D (in flight per connection)
//           --duration SECONDS | --requests COUNT, --warmup SECONDS
//           --rate R                       open loop: R requests/s in total, latency measured
//                                          from each request's intended send time
//           --query CQL [--prepared]       the statement (PREPARE once, then EXECUTE)
//   what:   --mode cqlwire|raw, --first-row K, --handshakes K, --quiet (no progress line)
//
// Output: a human-readable summary, then one line "RESULT key=value ..." for scripts.
// Requests/s, client CPU µs per request (getrusage of this process; the server is another
// process), latency percentiles from a log-linear histogram, heap allocations per request and
// per row (a counting global operator new), all over the measured window (after the warm-up).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include "argument_reader.hpp"
#include "counting_allocator.hpp"
#include "latency_histogram.hpp"

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/protocol/frame_decoder.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/internal/stream.hpp"
#include "cqlwire/transport/session.hpp"
#include "cqlwire/transport/startup.hpp"
#include "cqlwire/transport/tls_context.hpp"

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
using cqlwire::bench::latency_histogram;
using clock_type = std::chrono::steady_clock;

// ---- options --------------------------------------------------------------------------------

struct bench_options {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;  // 0: spawn the canned server
    std::string ca, cert, key, server_name;
    std::string server_cert, server_key, server_client_ca;  // for the spawned server (from --pki)
    std::string user, password;
    std::size_t rows = 1;
    std::size_t value_bytes = 16;
    unsigned delay_ms = 0;
    std::size_t connections = 1;
    std::size_t depth = 1;
    double duration = 3.0;
    double warmup = 0.5;
    std::uint64_t requests = 0;  // > 0: stop after this many measured completions
    double rate = 0;             // > 0: open loop
    std::string query = "SELECT k, v FROM bench.canned";
    bool prepared = false;
    std::string mode = "cqlwire";
    std::size_t first_row = 0;
    std::size_t handshakes = 0;
    bool quiet = false;

    bool tls() const { return !ca.empty(); }
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "cqlwire_bench: %s\n", message.c_str());
    std::exit(2);
}

bench_options parse(int argc, char** argv) {
    bench_options o;
    cqlwire::bench::argument_reader args(argc, argv, die);
    while (args.next()) {
        const std::string_view a = args.flag();
        auto value = [&] { return args.value(); };
        auto number = [&] { return args.number(); };
        if (a == "--host") o.host = value();
        else if (a == "--port") o.port = static_cast<std::uint16_t>(number());
        else if (a == "--pki") {
            const std::string d = value();
            o.ca = d + "/ca.crt";
            o.cert = d + "/client.crt";
            o.key = d + "/client.key";
            o.server_cert = d + "/server.crt";
            o.server_key = d + "/server.key";
            o.server_client_ca = d + "/ca.crt";
            if (o.server_name.empty()) o.server_name = "localhost";
        } else if (a == "--ca") o.ca = value();
        else if (a == "--cert") o.cert = value();
        else if (a == "--key") o.key = value();
        else if (a == "--server-name") o.server_name = value();
        else if (a == "--user") o.user = value();
        else if (a == "--password") o.password = value();
        else if (a == "--rows") o.rows = static_cast<std::size_t>(number());
        else if (a == "--value-bytes") o.value_bytes = static_cast<std::size_t>(number());
        else if (a == "--delay-ms") o.delay_ms = static_cast<unsigned>(number());
        else if (a == "--connections") o.connections = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        else if (a == "--depth") o.depth = std::clamp<std::size_t>(static_cast<std::size_t>(number()), 1, 32768);
        else if (a == "--duration") o.duration = number();
        else if (a == "--warmup") o.warmup = number();
        else if (a == "--requests") o.requests = static_cast<std::uint64_t>(number());
        else if (a == "--rate") o.rate = number();
        else if (a == "--query") o.query = value();
        else if (a == "--prepared") o.prepared = true;
        else if (a == "--mode") o.mode = value();
        else if (a == "--first-row") o.first_row = static_cast<std::size_t>(number());
        else if (a == "--handshakes") o.handshakes = static_cast<std::size_t>(number());
        else if (a == "--quiet") o.quiet = true;
        else die("unknown argument " + std::string(a) + " (see the comment at the top of cqlwire_bench.cpp)");
    }
    if (o.mode != "cqlwire" && o.mode != "raw") die("--mode is cqlwire or raw");
    if (o.mode == "raw" && o.rate > 0) die("the raw floor runs closed-loop only");
    if (o.password.empty()) {
        if (const char* p = std::getenv("CQLWIRE_BENCH_PASSWORD")) o.password = p;
    }
    if (o.user.empty() != o.password.empty() && !o.user.empty())
        die("--user needs --password (or CQLWIRE_BENCH_PASSWORD)");
    return o;
}

// ---- the canned server as a child process ------------------------------------------------------

struct child_server {
    pid_t pid = -1;
    int stdin_fd = -1;
    std::uint16_t port = 0;

    ~child_server() {
        if (pid <= 0) return;
        ::close(stdin_fd);  // it exits when its stdin closes
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
};

std::string own_folder() {
    std::array<char, 4096> path{};
    const ssize_t n = ::readlink("/proc/self/exe", path.data(), path.size() - 1);
    if (n <= 0) die("cannot find my own path");
    std::string p(path.data(), static_cast<std::size_t>(n));
    return p.substr(0, p.rfind('/'));
}

void spawn_server(const bench_options& o, child_server& child) {
    std::vector<std::string> args = {own_folder() + "/cqlwire_canned_server", "--exit-on-stdin-eof", "--rows",
                                     std::to_string(o.rows), "--value-bytes", std::to_string(o.value_bytes),
                                     "--delay-ms", std::to_string(o.delay_ms)};
    if (!o.server_cert.empty()) {
        args.insert(args.end(), {"--tls-cert", o.server_cert, "--tls-key", o.server_key});
        if (!o.server_client_ca.empty()) args.insert(args.end(), {"--tls-client-ca", o.server_client_ca});
    }
    if (!o.user.empty()) args.insert(args.end(), {"--auth", o.user + ":" + o.password});
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);

    int in[2], out[2];
    if (::pipe(in) != 0 || ::pipe(out) != 0) die("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_addclose(&actions, in[1]);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    if (posix_spawn(&child.pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
        die("cannot start " + args[0]);
    posix_spawn_file_actions_destroy(&actions);
    ::close(in[0]);
    ::close(out[1]);
    ::fcntl(in[1], F_SETFD, FD_CLOEXEC);
    child.stdin_fd = in[1];
    std::string line;
    char c;
    while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
    ::close(out[0]);
    unsigned port = 0;
    if (std::sscanf(line.c_str(), "listening %u", &port) != 1 || port == 0)
        die("the canned server did not start (it said \"" + line + "\")");
    child.port = static_cast<std::uint16_t>(port);
}

// ---- measuring ---------------------------------------------------------------------------------

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double seconds_between(clock_type::time_point a, clock_type::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

// What the measured window saw.
struct window {
    std::uint64_t completed = 0;
    std::uint64_t errors = 0;
    std::uint64_t rows = 0;
    std::uint64_t late = 0;  // open loop: requests that waited for a free slot
    latency_histogram latency;
};

// ---- setting up connections ---------------------------------------------------------------------

struct client_setup {
    std::shared_ptr<transport::tls_context> tls;
    std::string user, password;  // an authenticator is used up by one start-up: one per connection
    transport::connect_options connect;
};

client_setup make_setup(const bench_options& o) {
    client_setup s;
    s.connect.host = o.host;
    s.connect.port = o.port;
    if (o.tls()) {
        transport::tls_options t;
        t.ca_files.push_back(o.ca);
        t.certificate_file = o.cert;
        t.private_key_file = o.key;
        t.server_name = o.server_name;
        t.min_version = transport::tls_version::tls1_3;
        std::vector<std::string> warnings;
        protocol::diagnostics diag;
        if (auto ec = transport::tls_context::create(t, s.tls, warnings, diag))
            die("TLS settings: " + ec.message() + ": " + diag.client_message());
        s.connect.tls = s.tls;
    }
    s.user = o.user;
    s.password = o.password;
    return s;
}

transport::stream connect_stream(asio::io_context& io, const client_setup& s) {
    std::optional<transport::stream> out;
    protocol::diagnostics diag;
    if (auto ec = transport::connect(io, s.connect, out, diag))
        die("connect: " + ec.message() + ": " + diag.client_message());
    return std::move(*out);
}

transport::connection open_connection(asio::io_context& io, const client_setup& s) {
    std::optional<cqlwire::auth::plain_text_authenticator> authenticator;
    if (!s.user.empty()) authenticator.emplace(s.user, s.password);
    transport::open_options o;
    o.connect = s.connect;
    o.authenticator = authenticator ? &*authenticator : nullptr;
    std::optional<transport::connection> c;
    protocol::diagnostics diag;
    if (auto ec = transport::open_connection(io, o, c, diag))
        die("connecting and logging in: " + ec.message() + ": " + diag.client_message() + " " + diag.server_message());
    return std::move(*c);
}

// The prepared statement's id and the metadata of what it returns.
struct prepared_statement {
    std::vector<std::uint8_t> id;
    protocol::result_metadata rows_metadata;
};

prepared_statement prepare(transport::connection& c, const std::string& cql) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto encode = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_prepare(out, protocol::request_frame_options{}, cql);
    };
    auto r = c.request(encode, transport::request_options{}, ec, diag);
    if (ec) die("PREPARE: " + ec.message() + ": " + diag.client_message() + " " + diag.server_message());
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    protocol::result_view result;
    if (r.split_prefix(prefix, message) || protocol::decode_result(message, result) ||
        result.kind != protocol::result_kind::prepared)
        die("PREPARE: not a Prepared result");
    return {std::vector<std::uint8_t>(result.prepared.id.begin(), result.prepared.id.end()),
            std::move(result.prepared.rows_metadata)};
}

// ---- the cqlwire load loop ----------------------------------------------------------------------

class load_run;

// The completion handler of one request: three words, so that the type-erased handler the
// connection keeps is small.
struct request_done {
    load_run* run;
    std::size_t connection;
    clock_type::time_point intended;
    void operator()(std::error_code ec, transport::response r) const;
};

class load_run {
public:
    load_run(asio::io_context& io, const bench_options& o, std::vector<transport::connection>& connections,
             const prepared_statement* prepared)
        : io_(io), o_(o), connections_(connections), prepared_(prepared), state_(connections.size()),
          stop_timer_(io), progress_timer_(io), rate_timer_(io) {
        for (auto& s : state_) s.backlog.resize(o.rate > 0 ? 1u << 20 : 0);
    }

    void run() {
        start_ = clock_type::now();
        measure_from_ = start_ + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o_.warmup));
        if (o_.warmup <= 0) begin_window();
        else {
            stop_timer_.expires_at(measure_from_);
            stop_timer_.async_wait([this](const boost::system::error_code&) { begin_window(); });
        }
        if (!o_.quiet) tick_progress();
        if (o_.rate > 0) {
            next_index_ = 0;
            tick_rate();
        } else {
            for (std::size_t c = 0; c < connections_.size(); ++c)
                for (std::size_t d = 0; d < o_.depth; ++d) issue(c, clock_type::now());
        }
        io_.run();
        if (!o_.quiet) std::fprintf(stderr, "\n");
    }

    // Takes the response by value and lets it go before issuing the next request, so that the
    // read block it holds goes back to the pool as soon as the batch it came in is done.
    void on_done(std::size_t c, clock_type::time_point intended, std::error_code ec, transport::response r) {
        auto& s = state_[c];
        --s.in_flight;
        const auto now = clock_type::now();
        ++total_completed_;
        if (measuring_) {
            if (ec) {
                ++w_.errors;
                if (w_.errors == 1) std::fprintf(stderr, "\ncqlwire_bench: request failed: %s\n", ec.message().c_str());
            } else {
                w_.rows += consume(r);
                w_.latency.record(static_cast<std::uint64_t>((now - intended).count()));
                ++w_.completed;
            }
            if (o_.requests > 0 && w_.completed + w_.errors >= o_.requests) end_window();
        } else if (!ec) {
            consume(r);
        }
        r = transport::response{};
        // The connection's own failure (whatever broke it) ends its part of the run.
        if (ec && ec == connections_[c].failure()) {
            if (!stopping_) end_window();
            return;
        }
        if (stopping_) {
            maybe_finish();
            return;
        }
        if (o_.rate > 0) {
            // A request that waited for a free slot keeps its intended time.
            if (s.backlog_size > 0) {
                const auto t = s.backlog[s.backlog_head];
                s.backlog_head = (s.backlog_head + 1) % s.backlog.size();
                --s.backlog_size;
                issue(c, t);
            }
        } else {
            issue(c, now);
        }
    }

    const window& result() const { return w_; }
    double window_seconds() const { return seconds_between(window_start_, window_end_); }
    double window_cpu() const { return cpu_end_ - cpu_start_; }
    cqlwire::bench::allocation_counts window_allocations() const { return alloc_end_ - alloc_start_; }

private:
    struct connection_state {
        std::size_t in_flight = 0;
        std::vector<clock_type::time_point> backlog;  // open loop: a ring of intended send times
        std::size_t backlog_head = 0;
        std::size_t backlog_size = 0;
    };

    void issue(std::size_t c, clock_type::time_point intended) {
        ++state_[c].in_flight;
        if (prepared_) {
            auto encode = [this](std::vector<std::uint8_t>& out) {
                return protocol::encode_execute(out, protocol::request_frame_options{}, prepared_->id, parameters_);
            };
            connections_[c].async_request(encode, request_done{this, c, intended});
        } else {
            auto encode = [this](std::vector<std::uint8_t>& out) {
                return protocol::encode_query(out, protocol::request_frame_options{}, o_.query, parameters_);
            };
            connections_[c].async_request(encode, request_done{this, c, intended});
        }
    }

    // Decodes the RESULT and reads every cell through the view path; returns the rows.
    std::uint64_t consume(const transport::response& r) {
        protocol::response_prefix prefix;
        protocol::bytes_view message;
        if (r.op() != protocol::opcode::result || r.split_prefix(prefix, message) ||
            protocol::decode_result(message, result_, prepared_ ? &prepared_->rows_metadata : nullptr)) {
            ++decode_failures_;
            return 0;
        }
        if (result_.kind != protocol::result_kind::rows) return 0;
        std::uint64_t n = 0;
        for (const auto& row : result_.rows) {
            row.for_each_cell([&](std::size_t, const protocol::value_view& v) { checksum_ += v.bytes().size(); });
            ++n;
        }
        return n;
    }

    void begin_window() {
        if (stopping_) return;
        measuring_ = true;
        w_ = window{};
        window_start_ = clock_type::now();
        cpu_start_ = cpu_seconds();
        alloc_start_ = cqlwire::bench::allocations_now();
        if (o_.requests == 0) {
            stop_timer_.expires_at(window_start_ + std::chrono::duration_cast<clock_type::duration>(
                                                       std::chrono::duration<double>(o_.duration)));
            stop_timer_.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) end_window();
            });
        }
    }

    void end_window() {
        if (stopping_) return;
        stopping_ = true;
        window_end_ = clock_type::now();
        cpu_end_ = cpu_seconds();
        alloc_end_ = cqlwire::bench::allocations_now();
        measuring_ = false;
        progress_timer_.cancel();
        rate_timer_.cancel();
        stop_timer_.cancel();
        maybe_finish();
    }

    void maybe_finish() {
        for (auto& s : state_)
            if (s.in_flight > 0) return;
        io_.stop();
    }

    void tick_progress() {
        progress_timer_.expires_after(std::chrono::seconds(1));
        progress_timer_.async_wait([this](const boost::system::error_code& ec) {
            if (ec || stopping_) return;
            const double t = seconds_between(start_, clock_type::now());
            std::size_t in_flight = 0;
            for (auto& s : state_) in_flight += s.in_flight + s.backlog_size;
            const double rate = static_cast<double>(total_completed_ - last_completed_);
            last_completed_ = total_completed_;
            std::fprintf(stderr, "\r[%5.1fs] %s %llu done, %.0f req/s, %zu waiting   ", t,
                         measuring_ ? "measuring" : "warming up", static_cast<unsigned long long>(total_completed_),
                         rate, in_flight);
            std::fflush(stderr);
            tick_progress();
        });
    }

    // Open loop: request i is due at start + i / rate, whatever happened to earlier ones.
    void tick_rate() {
        const auto now = clock_type::now();
        const double period = 1.0 / o_.rate;
        for (;;) {
            const auto due = start_ + std::chrono::duration_cast<clock_type::duration>(
                                          std::chrono::duration<double>(static_cast<double>(next_index_) * period));
            if (due > now) {
                // Wake at the next due time, but not more often than every 100 µs.
                rate_timer_.expires_at(std::max(due, now + std::chrono::microseconds(100)));
                rate_timer_.async_wait([this](const boost::system::error_code& ec) {
                    if (!ec && !stopping_) tick_rate();
                });
                return;
            }
            const std::size_t c = next_index_ % state_.size();
            ++next_index_;
            auto& s = state_[c];
            if (s.in_flight < o_.depth) {
                issue(c, due);
            } else if (s.backlog_size < s.backlog.size()) {
                s.backlog[(s.backlog_head + s.backlog_size) % s.backlog.size()] = due;
                ++s.backlog_size;
                if (measuring_) ++w_.late;
            } else {
                die("open loop: more than a million requests wait; the rate is far beyond what the server answers");
            }
        }
    }

    asio::io_context& io_;
    const bench_options& o_;
    std::vector<transport::connection>& connections_;
    const prepared_statement* prepared_;
    protocol::query_parameters parameters_{};
    std::vector<connection_state> state_;
    protocol::result_view result_;
    std::uint64_t checksum_ = 0;
    std::uint64_t decode_failures_ = 0;

    asio::steady_timer stop_timer_, progress_timer_, rate_timer_;
    clock_type::time_point start_, measure_from_, window_start_, window_end_;
    double cpu_start_ = 0, cpu_end_ = 0;
    cqlwire::bench::allocation_counts alloc_start_, alloc_end_;
    bool measuring_ = false, stopping_ = false;
    std::uint64_t total_completed_ = 0, last_completed_ = 0;
    std::uint64_t next_index_ = 0;
    window w_;

public:
    std::uint64_t decode_failures() const { return decode_failures_; }
};

void request_done::operator()(std::error_code ec, transport::response r) const {
    run->on_done(connection, intended, ec, std::move(r));
}

// ---- the raw floor (F1) -------------------------------------------------------------------------

// One connection of the floor: `depth` copies of one pre-encoded request frame in flight, each
// answered frame sent again at once under the same stream id. Nothing is decoded beyond the
// frame header, nothing is allocated: the cost of the socket (and TLS) alone.
template <class Stream>
class raw_loop {
public:
    raw_loop(Stream& s, const std::vector<std::uint8_t>& frame, std::size_t depth, window& w, const bool& measuring,
             const bool& stopping, std::size_t& live)
        : s_(s), frame_(frame), sent_at_(depth), w_(w), measuring_(measuring), stopping_(stopping), live_(live) {
        in_.resize(1 << 20);
        pending_.reserve(frame.size() * depth);
        out_.reserve(frame.size() * depth);
        in_flight_ = depth;
        const auto now = clock_type::now();
        for (std::size_t id = 0; id < depth; ++id) append(static_cast<std::uint16_t>(id), now);
        ++live_;
        write();
        read();
    }

private:
    void append(std::uint16_t id, clock_type::time_point now) {
        const auto at = pending_.size();
        pending_.insert(pending_.end(), frame_.begin(), frame_.end());
        pending_[at + 2] = static_cast<std::uint8_t>(id >> 8);
        pending_[at + 3] = static_cast<std::uint8_t>(id);
        sent_at_[id] = now;
    }

    void write() {
        if (writing_ || pending_.empty()) return;
        out_.swap(pending_);
        writing_ = true;
        asio::async_write(s_, asio::buffer(out_), [this](const boost::system::error_code& ec, std::size_t) {
            writing_ = false;
            out_.clear();
            if (ec) return finish();
            write();
        });
    }

    void read() {
        s_.async_read_some(asio::buffer(in_.data() + filled_, in_.size() - filled_),
                           [this](const boost::system::error_code& ec, std::size_t n) {
                               if (ec) return finish();
                               filled_ += n;
                               on_bytes();
                           });
    }

    void on_bytes() {
        std::size_t at = 0;
        const auto now = clock_type::now();
        while (filled_ - at >= protocol::frame_header_size) {
            const std::uint8_t* h = in_.data() + at;
            const std::uint32_t length = (std::uint32_t{h[5]} << 24) | (std::uint32_t{h[6]} << 16) |
                                         (std::uint32_t{h[7]} << 8) | h[8];
            if (filled_ - at < protocol::frame_header_size + length) {
                if (protocol::frame_header_size + length > in_.size()) die("raw loop: a response beyond 1 MiB");
                break;
            }
            const auto id = static_cast<std::uint16_t>((h[2] << 8) | h[3]);
            if (id >= sent_at_.size()) die("raw loop: a response on an unexpected stream");
            if (measuring_) {
                if (h[4] == static_cast<std::uint8_t>(protocol::opcode::result)) {
                    w_.latency.record(static_cast<std::uint64_t>((now - sent_at_[id]).count()));
                    ++w_.completed;
                } else {
                    ++w_.errors;
                }
            }
            at += protocol::frame_header_size + length;
            if (stopping_) --in_flight_;
            else append(id, now);
        }
        std::memmove(in_.data(), in_.data() + at, filled_ - at);
        filled_ -= at;
        if (in_flight_ == 0) return finish();
        write();
        read();
    }

    void finish() {
        if (done_) return;
        done_ = true;
        --live_;
    }

    Stream& s_;
    const std::vector<std::uint8_t>& frame_;
    std::vector<clock_type::time_point> sent_at_;
    window& w_;
    const bool& measuring_;
    const bool& stopping_;
    std::size_t& live_;
    std::vector<std::uint8_t> in_, pending_, out_;
    std::size_t filled_ = 0;
    std::size_t in_flight_ = 0;
    bool writing_ = false;
    bool done_ = false;
};

// Runs the start-up exchange over a bare stream, blocking.
void raw_startup(transport::stream& s, const client_setup& setup) {
    std::optional<cqlwire::auth::plain_text_authenticator> authenticator;
    if (!setup.user.empty()) authenticator.emplace(setup.user, setup.password);
    transport::startup_config config;
    config.authenticator = authenticator ? &*authenticator : nullptr;
    transport::startup_machine machine(config);
    protocol::frame_decoder decoder(protocol::frame_decoder_options{
        protocol::max_frame_body_length, protocol::protocol_v4 | protocol::response_direction_bit, false});
    auto action = machine.resume();
    while (!action.is_done()) {
        if (action.is_failed()) die("raw start-up: " + action.error.message());
        if (action.is_send()) {
            asio::write(s, asio::buffer(action.bytes.data(), action.bytes.size()));
            action = machine.resume();
            continue;
        }
        protocol::frame_view frame;
        std::error_code ec;
        auto status = decoder.next(frame, ec);
        while (status == protocol::decode_status::need_more) {
            auto space = decoder.prepare(4096);
            const auto n = s.read_some(asio::buffer(space.data(), space.size()));
            decoder.commit(n);
            status = decoder.next(frame, ec);
        }
        if (status == protocol::decode_status::error) die("raw start-up: " + ec.message());
        action = machine.resume(frame.header, frame.body);
    }
}

// ---- one-shot measurements --------------------------------------------------------------------------

void print_result_line(const std::string& fields) { std::printf("RESULT %s\n", fields.c_str()); }

int run_first_row(const bench_options& o, const client_setup& setup) {
    std::vector<double> ms;
    for (std::size_t i = 0; i < o.first_row; ++i) {
        asio::io_context io;
        const auto t0 = clock_type::now();
        auto c = open_connection(io, setup);
        std::error_code ec;
        protocol::diagnostics diag;
        auto r = c.query(o.query, ec, diag);
        protocol::response_prefix prefix;
        protocol::bytes_view message;
        protocol::result_view result;
        if (ec || r.split_prefix(prefix, message) || protocol::decode_result(message, result) ||
            result.kind != protocol::result_kind::rows || result.rows.empty())
            die("first row: no rows (" + ec.message() + ")");
        [[maybe_unused]] const auto first = *result.rows.begin();
        ms.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    std::sort(ms.begin(), ms.end());
    const double median = ms[ms.size() / 2];
    std::printf("time to first row: median %.2f ms of %zu (min %.2f, max %.2f)", median, ms.size(), ms.front(),
                ms.back());
    if (o.delay_ms > 0) std::printf(" = %.2f x the %u ms flight delay", median / o.delay_ms, o.delay_ms);
    std::printf("\n");
    char line[256];
    std::snprintf(line, sizeof line, "kind=first_row tls=%d delay_ms=%u median_ms=%.3f flights=%.3f runs=%zu", o.tls(),
                  o.delay_ms, median, o.delay_ms > 0 ? median / o.delay_ms : 0.0, ms.size());
    print_result_line(line);
    return 0;
}

int run_handshakes(const bench_options& o, const client_setup& setup) {
    asio::io_context io;
    open_connection(io, setup);  // warm: file caches, OpenSSL's lazy initialisation
    const double cpu0 = cpu_seconds();
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < o.handshakes; ++i) {
        auto c = open_connection(io, setup);
        c.close();
        io.restart();
        io.poll();
    }
    const double cpu = cpu_seconds() - cpu0;
    const double wall = seconds_between(t0, clock_type::now());
    const double per = cpu / static_cast<double>(o.handshakes) * 1e6;
    std::printf("connect + start-up: %zu times, client CPU %.1f us each, wall %.1f us each\n", o.handshakes, per,
                wall / static_cast<double>(o.handshakes) * 1e6);
    char line[256];
    std::snprintf(line, sizeof line, "kind=handshake tls=%d count=%zu cpu_us=%.2f wall_us=%.2f", o.tls(), o.handshakes,
                  per, wall / static_cast<double>(o.handshakes) * 1e6);
    print_result_line(line);
    return 0;
}

void report_load(const bench_options& o, const window& w, double seconds, double cpu,
                 cqlwire::bench::allocation_counts allocations) {
    const double n = static_cast<double>(std::max<std::uint64_t>(w.completed, 1));
    const double rps = static_cast<double>(w.completed) / seconds;
    const double cpu_us = cpu / n * 1e6;
    const double alloc_per_request = static_cast<double>(allocations.all) / n;
    const double alloc_per_row = w.rows > 0 ? static_cast<double>(allocations.all) / static_cast<double>(w.rows) : 0.0;
    const double openssl_per_request = static_cast<double>(allocations.openssl) / n;
    auto us = [&](double q) { return static_cast<double>(w.latency.percentile(q)) / 1e3; };
    std::printf("%s %s, %zu connection(s) x depth %zu, %s: %llu requests in %.2f s\n", o.mode.c_str(),
                o.tls() ? "TLS" : "plaintext", o.connections, o.depth,
                o.rate > 0 ? "open loop" : "closed loop", static_cast<unsigned long long>(w.completed), seconds);
    std::printf("  %.0f requests/s, client CPU %.2f us/request, latency p50 %.1f us p99 %.1f us p99.9 %.1f us max %.1f us\n",
                rps, cpu_us, us(0.5), us(0.99), us(0.999), static_cast<double>(w.latency.max()) / 1e3);
    std::printf("  heap allocations: %.3f per request (%.3f of them inside OpenSSL), %.4f per row; errors %llu\n",
                alloc_per_request, openssl_per_request, alloc_per_row, static_cast<unsigned long long>(w.errors));
    char line[512];
    std::snprintf(line, sizeof line,
                  "kind=load mode=%s tls=%d connections=%zu depth=%zu rate=%.0f prepared=%d requests=%llu seconds=%.3f "
                  "rps=%.1f cpu_us=%.3f p50_us=%.1f p99_us=%.1f p999_us=%.1f max_us=%.1f allocs_per_request=%.4f "
                  "allocs_per_row=%.5f openssl_allocs_per_request=%.4f rows=%llu errors=%llu late=%llu",
                  o.mode.c_str(), o.tls(), o.connections, o.depth, o.rate, o.prepared,
                  static_cast<unsigned long long>(w.completed), seconds, rps, cpu_us, us(0.5), us(0.99), us(0.999),
                  static_cast<double>(w.latency.max()) / 1e3, alloc_per_request, alloc_per_row, openssl_per_request,
                  static_cast<unsigned long long>(w.rows), static_cast<unsigned long long>(w.errors),
                  static_cast<unsigned long long>(w.late));
    print_result_line(line);
}

int run_cqlwire(const bench_options& o, const client_setup& setup) {
    asio::io_context io(1);
    std::vector<transport::connection> connections;
    for (std::size_t i = 0; i < o.connections; ++i) connections.push_back(open_connection(io, setup));
    std::optional<prepared_statement> prepared;
    if (o.prepared) prepared = prepare(connections.front(), o.query);
    load_run run(io, o, connections, prepared ? &*prepared : nullptr);
    io.restart();
    run.run();
    if (run.decode_failures() > 0)
        std::fprintf(stderr, "cqlwire_bench: %llu responses were not RESULT frames that decode\n",
                     static_cast<unsigned long long>(run.decode_failures()));
    report_load(o, run.result(), run.window_seconds(), run.window_cpu(), run.window_allocations());
    for (auto& c : connections) c.close();
    io.restart();
    io.poll();
    return run.result().errors > 0 || run.decode_failures() > 0 ? 1 : 0;
}

int run_raw(const bench_options& o, const client_setup& setup) {
    asio::io_context io(1);
    std::vector<transport::stream> streams;
    for (std::size_t i = 0; i < o.connections; ++i) {
        streams.push_back(connect_stream(io, setup));
        raw_startup(streams.back(), setup);
    }
    std::vector<std::uint8_t> frame;
    if (o.prepared) {
        // PREPARE over the first stream, blocking, to learn the id.
        std::vector<std::uint8_t> prep;
        if (protocol::encode_prepare(prep, protocol::request_frame_options{}, o.query)) die("cannot encode PREPARE");
        asio::write(streams.front(), asio::buffer(prep));
        protocol::frame_decoder decoder(protocol::frame_decoder_options{
            protocol::max_frame_body_length, protocol::protocol_v4 | protocol::response_direction_bit, false});
        protocol::frame_view f;
        std::error_code ec;
        while (decoder.next(f, ec) == protocol::decode_status::need_more) {
            auto space = decoder.prepare(4096);
            decoder.commit(streams.front().read_some(asio::buffer(space.data(), space.size())));
        }
        protocol::response_prefix prefix;
        protocol::bytes_view message;
        protocol::result_view result;
        if (protocol::decode_response_prefix(f.header, f.body, prefix, message) || protocol::decode_result(message, result) ||
            result.kind != protocol::result_kind::prepared)
            die("raw PREPARE failed");
        if (protocol::encode_execute(frame, protocol::request_frame_options{}, result.prepared.id, {}))
            die("cannot encode EXECUTE");
    } else if (protocol::encode_query(frame, protocol::request_frame_options{}, o.query, {})) {
        die("cannot encode QUERY");
    }

    window w;
    bool measuring = false, stopping = false;
    std::size_t live = 0;
    std::vector<std::unique_ptr<raw_loop<transport::tls_stream>>> tls_loops;
    std::vector<std::unique_ptr<raw_loop<transport::stream::tcp_socket>>> tcp_loops;
    for (auto& s : streams) {
        if (auto* t = transport::tls_stream_of(s))
            tls_loops.push_back(std::make_unique<raw_loop<transport::tls_stream>>(*t, frame, o.depth, w, measuring,
                                                                                 stopping, live));
        else
            tcp_loops.push_back(std::make_unique<raw_loop<transport::stream::tcp_socket>>(s.socket(), frame, o.depth, w,
                                                                                         measuring, stopping, live));
    }
    clock_type::time_point t0, t1;
    double cpu0 = 0, cpu1 = 0;
    cqlwire::bench::allocation_counts a0, a1;
    asio::steady_timer timer(io);
    auto begin = [&] {
        measuring = true;
        t0 = clock_type::now();
        cpu0 = cpu_seconds();
        a0 = cqlwire::bench::allocations_now();
    };
    auto end = [&] {
        t1 = clock_type::now();
        cpu1 = cpu_seconds();
        a1 = cqlwire::bench::allocations_now();
        measuring = false;
        stopping = true;
    };
    timer.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.warmup)));
    timer.async_wait([&](const boost::system::error_code&) {
        begin();
        if (o.requests > 0) return;  // count mode: the loop below ends it
        timer.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration)));
        timer.async_wait([&](const boost::system::error_code& ec) {
            if (!ec && !stopping) end();
        });
    });
    // Runs until every loop drained after the stop, or, in count mode, until enough completed.
    while (live > 0 && io.run_one() > 0) {
        if (measuring && o.requests > 0 && w.completed >= o.requests) end();
    }
    report_load(o, w, seconds_between(t0, t1), cpu1 - cpu0, a1 - a0);
    return w.errors > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);
    bench_options o = parse(argc, argv);
    child_server child;
    if (o.port == 0) {
        spawn_server(o, child);
        o.port = child.port;
    }
    const client_setup setup = make_setup(o);
    if (o.first_row > 0) return run_first_row(o, setup);
    if (o.handshakes > 0) return run_handshakes(o, setup);
    return o.mode == "raw" ? run_raw(o, setup) : run_cqlwire(o, setup);
}

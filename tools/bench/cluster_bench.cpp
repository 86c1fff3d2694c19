// Cluster benchmark: cqlwire's cluster::session against a real cluster, a fixed number of
// prepared requests in flight — INSERT and SELECT by key of one table — for a fixed time.
// tools/bench/run-cluster runs it beside gocql and the Python driver on the same workload.
//
//   cqlwire_cluster_bench --hosts H1,H2[:port] [--port P] [TLS] [login] [workload] [--setup]
//   TLS:      --ca F --cert F --key F    mutual TLS; each node's certificate is checked against
//                                        the address dialed (its IP SANs) unless
//             --server-name N            names the one name every node's certificate must carry
//   login:    --user U                   SASL PLAIN; the password comes from
//                                        CQLWIRE_BENCH_PASSWORD (out of sight of ps) or --password
//   workload: --keyspace KS (bench) --replication-factor RF (3, SimpleStrategy) --keys N (10000)
//             --value-bytes B (100) --workload insert|select|mixed (mixed: alternate)
//             --depth D (64 requests in flight in all) --duration S (5) --warmup S (1)
//             --connections-per-node N (1) --no-token-aware --quiet
//             --write-coalesce-us U (0)      connection_options::write_coalesce_delay
//   --setup:  creates KS.kv (k int PRIMARY KEY, v blob) if absent, waits until every node has
//             the schema, writes every key once, prints RESULT kind=setup ... and exits.
//
// One thread runs everything: the io_context is run by the main thread only, so getrusage of
// the process is the client's CPU alone. Output: a summary, then one line
//   RESULT kind=cluster client=cqlwire workload=W depth=D nodes=N requests=R seconds=S
//          req_per_s=X cpu_us_per_req=C p50_us=.. p99_us=.. allocs_per_req=A openssl_allocs_per_req=O
//          rows=.. errors=E token_aware_hits=H primary_hits=P served=ADDR:COUNT,...
// where token_aware_hits counts the requests a replica of their key served (the replicas are
// computed here, before the measurement, from the nodes' tokens and the keyspace's replication)
// and primary_hits those the key's first replica served; allocs_per_req counts every heap
// allocation of the process in the measured window (counting_allocator.hpp), OpenSSL's apart.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <vector>

#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "argument_reader.hpp"
#include "counting_allocator.hpp"
#include "latency_histogram.hpp"

#include "cqlwire/auth/plain_text_authenticator.hpp"
#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/cluster/replication.hpp"
#include "cqlwire/cluster/session.hpp"
#include "cqlwire/cluster/token.hpp"
#include "cqlwire/cluster/token_ring.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/tls_context.hpp"

namespace {

namespace asio = boost::asio;
namespace cluster = cqlwire::cluster;
namespace protocol = cqlwire::protocol;
namespace transport = cqlwire::transport;
using cqlwire::bench::latency_histogram;
using clock_type = std::chrono::steady_clock;

// ---- options --------------------------------------------------------------------------------

enum class workload { insert, select, mixed };

struct bench_options {
    std::string hosts = "127.0.0.1";
    std::uint16_t port = 9042;
    std::string ca, cert, key, server_name;
    std::string user, password;
    std::string keyspace = "bench";
    int replication_factor = 3;
    std::uint32_t keys = 10000;
    std::size_t value_bytes = 100;
    workload kind = workload::mixed;
    std::size_t depth = 64;
    double duration = 5.0;
    double warmup = 1.0;
    std::size_t connections_per_node = 1;
    std::chrono::microseconds write_coalesce_delay{0};
    bool token_aware = true;
    bool setup = false;
    bool quiet = false;
};

[[noreturn]] void die(const std::string& message) {
    std::fprintf(stderr, "cqlwire_cluster_bench: %s\n", message.c_str());
    std::exit(2);
}

std::string_view to_string(workload w) {
    switch (w) {
        case workload::insert: return "insert";
        case workload::select: return "select";
        case workload::mixed: return "mixed";
    }
    return "?";
}

bench_options parse(int argc, char** argv) {
    bench_options o;
    cqlwire::bench::argument_reader args(argc, argv, die);
    while (args.next()) {
        const std::string_view a = args.flag();
        auto value = [&] { return args.value(); };
        auto number = [&] { return args.number(); };
        if (a == "--hosts") o.hosts = value();
        else if (a == "--port") o.port = static_cast<std::uint16_t>(number());
        else if (a == "--ca") o.ca = value();
        else if (a == "--cert") o.cert = value();
        else if (a == "--key") o.key = value();
        else if (a == "--server-name") o.server_name = value();
        else if (a == "--user") o.user = value();
        else if (a == "--password") o.password = value();
        else if (a == "--keyspace") o.keyspace = value();
        else if (a == "--replication-factor") o.replication_factor = std::max(1, static_cast<int>(number()));
        else if (a == "--keys") o.keys = std::max<std::uint32_t>(1, static_cast<std::uint32_t>(number()));
        else if (a == "--value-bytes") o.value_bytes = static_cast<std::size_t>(number());
        else if (a == "--workload") {
            const std::string w = value();
            if (w == "insert") o.kind = workload::insert;
            else if (w == "select") o.kind = workload::select;
            else if (w == "mixed") o.kind = workload::mixed;
            else die("--workload is insert, select or mixed, not " + w);
        } else if (a == "--depth") o.depth = std::clamp<std::size_t>(static_cast<std::size_t>(number()), 1, 32768);
        else if (a == "--duration") o.duration = number();
        else if (a == "--warmup") o.warmup = number();
        else if (a == "--connections-per-node")
            o.connections_per_node = std::max<std::size_t>(1, static_cast<std::size_t>(number()));
        else if (a == "--write-coalesce-us")
            o.write_coalesce_delay = std::chrono::microseconds(static_cast<long>(number()));
        else if (a == "--no-token-aware") o.token_aware = false;
        else if (a == "--setup") o.setup = true;
        else if (a == "--quiet") o.quiet = true;
        else die("unknown argument " + std::string(a) + " (see the comment at the top of cluster_bench.cpp)");
    }
    if (o.password.empty()) {
        if (const char* p = std::getenv("CQLWIRE_BENCH_PASSWORD")) o.password = p;
    }
    if (!o.user.empty() && o.password.empty()) die("--user needs CQLWIRE_BENCH_PASSWORD (or --password)");
    if (!o.ca.empty() && (o.cert.empty() != o.key.empty())) die("--cert and --key go together");
    // Keyspace names are identifiers spliced into the schema statements: letters, digits, '_'.
    if (o.keyspace.empty() || !std::all_of(o.keyspace.begin(), o.keyspace.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        }))
        die("--keyspace takes lower-case letters, digits and '_' only, not " + o.keyspace);
    return o;
}

// ---- connecting ---------------------------------------------------------------------------------

cluster::session_options session_options_for(const bench_options& o) {
    cluster::session_options s;
    protocol::diagnostics diag;
    if (auto ec = cluster::parse_contact_points(o.hosts, o.port, s.contact_points, diag))
        die("--hosts: " + ec.message() + ": " + diag.client_message());
    if (!o.ca.empty()) {
        transport::tls_options t;
        t.ca_files.push_back(o.ca);
        t.certificate_file = o.cert;
        t.private_key_file = o.key;
        t.server_name = o.server_name;
        std::vector<std::string> warnings;
        if (auto ec = transport::tls_context::create(t, s.tls, warnings, diag))
            die("TLS settings: " + ec.message() + ": " + diag.client_message());
    }
    if (!o.user.empty()) {
        // An authenticator forgets its secret after one login: a fresh one per connection.
        s.authenticator = [user = o.user, password = o.password]() -> std::unique_ptr<cqlwire::auth::authenticator> {
            return std::make_unique<cqlwire::auth::plain_text_authenticator>(user, password);
        };
    }
    s.connections_per_node = o.connections_per_node;
    s.connection.write_coalesce_delay = o.write_coalesce_delay;
    s.token_aware = o.token_aware;
    s.connection.request_timeout = std::chrono::milliseconds(12000);
    // A node that goes down or is refused during a run makes its figures meaningless: say so.
    s.on_node = [](const cluster::node_report& r) {
        using kind = cluster::node_report::kind;
        if (r.what == kind::down || r.what == kind::refused || r.what == kind::contact_point_failed)
            std::fprintf(stderr, "cqlwire_cluster_bench: node %s %s: %s\n", r.address.c_str(),
                         std::string(cluster::to_string(r.what)).c_str(), r.message.c_str());
    };
    return s;
}

void execute_or_die(cluster::session& s, const std::string& cql) {
    std::error_code ec;
    protocol::diagnostics diag;
    (void)s.execute(cql, ec, diag);
    if (ec) die(cql.substr(0, cql.find(' ', 7)) + "...: " + ec.message() + ": " + diag.client_message() + " " +
                diag.server_message());
}

// ---- schema -------------------------------------------------------------------------------------

// The schema versions one answer lists (system.local or system.peers), as text.
void collect_schema_versions(const cluster::execution_result& r, std::vector<std::string>& out) {
    for (const auto& row : r.result.rows()) {
        protocol::uuid id{};
        if (!protocol::to_uuid(row[0], id)) out.push_back(protocol::to_string(id));
    }
}

// Schema changes reach the other nodes through gossip: until they have, a statement prepared
// on one of them fails. Several answers in a row, from whichever nodes serve them, must agree.
void wait_for_schema_agreement(cluster::session& s) {
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    int agreeing = 0;
    while (agreeing < 3) {
        if (clock_type::now() > deadline) die("the nodes did not agree on the schema within 60 s");
        std::vector<std::string> versions;
        for (const char* cql : {"SELECT schema_version FROM system.local", "SELECT schema_version FROM system.peers"}) {
            std::error_code ec;
            protocol::diagnostics diag;
            const auto r = s.execute(cql, ec, diag);
            if (ec) die(std::string(cql) + ": " + ec.message() + ": " + diag.client_message());
            collect_schema_versions(r, versions);
        }
        const bool same = !versions.empty() && std::all_of(versions.begin(), versions.end(),
                                                           [&](const std::string& v) { return v == versions.front(); });
        agreeing = same ? agreeing + 1 : 0;
        if (!same) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

void create_schema(cluster::session& s, const bench_options& o) {
    execute_or_die(s, "CREATE KEYSPACE IF NOT EXISTS " + o.keyspace +
                          " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " +
                          std::to_string(o.replication_factor) + "}");
    execute_or_die(s, "CREATE TABLE IF NOT EXISTS " + o.keyspace + ".kv (k int PRIMARY KEY, v blob)");
    wait_for_schema_agreement(s);
}

// ---- where each key lives -------------------------------------------------------------------------

// Per key: the nodes (indexes into the session's node list) holding it, and its first replica.
struct key_placement {
    std::vector<std::uint64_t> replica_mask;  // bit i: node i is a replica
    std::vector<std::uint8_t> primary;        // the first replica's index; 0xff when unknown
    std::vector<asio::ip::tcp::endpoint> addresses;
};

std::map<std::string, std::string> read_replication(cluster::session& s, const std::string& keyspace) {
    transport::statement st{std::string("SELECT replication FROM system_schema.keyspaces WHERE keyspace_name = ?")};
    st.bind(keyspace);
    std::error_code ec;
    protocol::diagnostics diag;
    const auto r = s.execute(st, ec, diag);
    if (ec) die("reading the replication of " + keyspace + ": " + ec.message() + ": " + diag.client_message());
    std::map<std::string, std::string> options;
    for (const auto& row : r.result.rows()) {
        protocol::map_cursor entries;
        if (protocol::open_entries(row[0], entries)) die("the replication of " + keyspace + " is not a map");
        protocol::value_view k = row[0], v = row[0];
        while (!entries.at_end()) {
            std::string_view key, value;
            if (entries.next(k, v) || protocol::to_text(k, key) || protocol::to_text(v, value))
                die("the replication of " + keyspace + " is not a map of text");
            options.emplace(key, value);
        }
    }
    if (options.empty()) die("keyspace " + keyspace + " does not exist: run with --setup first");
    return options;
}

// The serialized partition key of key k: an int, 4 bytes big-endian.
std::array<std::uint8_t, 4> serialized_key(std::uint32_t k) {
    return {static_cast<std::uint8_t>(k >> 24), static_cast<std::uint8_t>(k >> 16), static_cast<std::uint8_t>(k >> 8),
            static_cast<std::uint8_t>(k)};
}

key_placement place_keys(cluster::session& s, const bench_options& o) {
    cluster::replication_strategy strategy;
    if (auto ec = cluster::parse_replication(read_replication(s, o.keyspace), strategy))
        die("the replication of " + o.keyspace + " does not parse: " + ec.message());
    const auto nodes = s.nodes();
    if (nodes.size() > 64) die("more than 64 nodes: the replica masks hold 64");
    std::vector<cluster::ring_member> members;
    key_placement p;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        members.push_back({i, nodes[i].datacenter, nodes[i].rack, nodes[i].tokens});
        p.addresses.push_back(nodes[i].address);
    }
    const cluster::token_ring ring(members);
    const cluster::replica_map replicas(ring, strategy);
    p.replica_mask.resize(o.keys);
    p.primary.assign(o.keys, 0xff);
    for (std::uint32_t k = 0; k < o.keys; ++k) {
        const auto bytes = serialized_key(k);
        const auto list = replicas.replicas(cluster::murmur3_token(protocol::bytes_view(bytes.data(), bytes.size())));
        for (const auto r : list) p.replica_mask[k] |= std::uint64_t{1} << r;
        if (!list.empty()) p.primary[k] = static_cast<std::uint8_t>(list.front());
    }
    return p;
}

// ---- measuring ------------------------------------------------------------------------------------

double cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
           static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct window {
    std::uint64_t completed = 0;
    std::uint64_t errors = 0;
    std::uint64_t rows = 0;
    std::uint64_t replica_hits = 0;
    std::uint64_t primary_hits = 0;
    std::vector<std::uint64_t> served;  // per node index; the last slot: a node not in the list
    latency_histogram latency;
};

// DEPTH requests in flight, each completion starting the next. With `fill`, every key is
// written once, in order, and the run ends; otherwise keys are visited in a fixed stride
// (7919, a prime) and the run ends when stop() is called and the last request is back.
class load_run {
public:
    load_run(asio::io_context& io, cluster::session& s, const bench_options& o, const key_placement& placement,
             std::shared_ptr<const transport::prepared_statement> insert,
             std::shared_ptr<const transport::prepared_statement> select, bool fill)
        : io_(io), session_(s), o_(o), placement_(placement), fill_(fill), insert_(std::move(insert)),
          select_(std::move(select)), slots_(o.depth) {
        value_.resize(o.value_bytes);
        for (std::size_t i = 0; i < value_.size(); ++i) value_[i] = static_cast<std::uint8_t>(i * 31 + 7);
        measured_.served.assign(placement.addresses.size() + 1, 0);
    }

    void start() {
        for (std::size_t i = 0; i < slots_.size(); ++i) issue(i);
    }
    // From here on, completions are counted.
    void measure() {
        measured_ = window{};
        measured_.served.assign(placement_.addresses.size() + 1, 0);
        measuring_ = true;
    }
    // No new request; the io_context stops once the last one is back.
    window stop() {
        measuring_ = false;
        stopping_ = true;
        if (in_flight_ == 0) io_.stop();
        return measured_;
    }
    std::uint64_t errors_seen() const { return errors_seen_; }
    const std::string& first_error() const { return first_error_; }

private:
    struct request_slot {
        protocol::diagnostics diag;
        clock_type::time_point sent;
        std::uint32_t key = 0;
    };

    void issue(std::size_t index) {
        if (stopping_ || (fill_ && next_ >= o_.keys)) {
            if (in_flight_ == 0) io_.stop();
            return;
        }
        const std::uint64_t n = next_++;
        auto& s = slots_[index];
        s.key = fill_ ? static_cast<std::uint32_t>(n) : static_cast<std::uint32_t>((n * 7919) % o_.keys);
        const bool insert = fill_ || o_.kind == workload::insert || (o_.kind == workload::mixed && n % 2 == 0);
        // A statement per request, moved into the session (as an application builds one).
        transport::statement st(insert ? insert_ : select_);
        st.options.idempotent = true;
        st.bind(static_cast<std::int32_t>(s.key));
        if (insert) st.bind(transport::bind_value::of_serialized(value_));
        ++in_flight_;
        s.sent = clock_type::now();
        session_.async_execute(std::move(st), s.diag, [this, index](std::error_code ec, cluster::execution_result r) {
            done(index, ec, r);
        });
    }

    void done(std::size_t index, std::error_code ec, const cluster::execution_result& r) {
        --in_flight_;
        auto& s = slots_[index];
        if (ec) {
            ++errors_seen_;
            if (first_error_.empty())
                first_error_ = ec.message() + ": " + s.diag.client_message() + " " + s.diag.server_message();
        }
        if (measuring_) {
            if (ec) {
                ++measured_.errors;
            } else {
                ++measured_.completed;
                measured_.latency.record(
                    static_cast<std::uint64_t>(std::chrono::nanoseconds(clock_type::now() - s.sent).count()));
                measured_.rows += r.result.rows().size();
                count_node(s.key, r.node);
            }
        }
        issue(index);
    }

    void count_node(std::uint32_t key, const asio::ip::tcp::endpoint& node) {
        const auto& a = placement_.addresses;
        const auto i = static_cast<std::size_t>(std::find(a.begin(), a.end(), node) - a.begin());
        ++measured_.served[i];
        if (i < a.size()) {
            if (placement_.replica_mask[key] & (std::uint64_t{1} << i)) ++measured_.replica_hits;
            if (placement_.primary[key] == i) ++measured_.primary_hits;
        }
    }

    asio::io_context& io_;
    cluster::session& session_;
    const bench_options& o_;
    const key_placement& placement_;
    bool fill_;
    std::shared_ptr<const transport::prepared_statement> insert_, select_;
    std::vector<request_slot> slots_;
    std::vector<std::uint8_t> value_;
    std::uint64_t next_ = 0;
    std::size_t in_flight_ = 0;
    bool measuring_ = false;
    bool stopping_ = false;
    window measured_;
    std::uint64_t errors_seen_ = 0;
    std::string first_error_;
};

std::shared_ptr<const transport::prepared_statement> prepare_or_die(cluster::session& s, const std::string& cql) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto p = s.prepare(cql, ec, diag);
    if (ec) die("PREPARE " + cql + ": " + ec.message() + ": " + diag.client_message() + " " + diag.server_message());
    return p;
}

}  // namespace

int main(int argc, char** argv) {
    const bench_options o = parse(argc, argv);
    asio::io_context io;
    std::error_code ec;
    protocol::diagnostics diag;
    auto session = cluster::session::connect(io.get_executor(), session_options_for(o), ec, diag);
    if (ec) die("connect: " + ec.message() + ": " + diag.client_message());
    if (o.setup) create_schema(session, o);

    const key_placement placement = place_keys(session, o);
    const auto insert = prepare_or_die(session, "INSERT INTO " + o.keyspace + ".kv (k, v) VALUES (?, ?)");
    const auto select = prepare_or_die(session, "SELECT v FROM " + o.keyspace + ".kv WHERE k = ?");

    load_run run(io, session, o, placement, insert, select, o.setup);
    run.start();
    if (o.setup) {
        // Every key once; the run stops the io_context after the last answer.
        io.restart();
        io.run();
        if (run.errors_seen() > 0)
            die("writing the keys: " + std::to_string(run.errors_seen()) + " errors, the first: " + run.first_error());
        std::printf("set up %s.kv (replication factor %d when created; %u keys of %zu bytes) on %zu nodes\n"
                    "RESULT kind=setup keyspace=%s keys=%u value_bytes=%zu nodes=%zu\n",
                    o.keyspace.c_str(), o.replication_factor, o.keys, o.value_bytes, placement.addresses.size(),
                    o.keyspace.c_str(), o.keys, o.value_bytes, placement.addresses.size());
        return 0;
    }

    // The phases run on the same thread as the requests, from timers.
    window w;
    double seconds = 0, cpu = 0;
    clock_type::time_point t0;
    double c0 = 0;
    cqlwire::bench::allocation_counts a0, allocations;
    asio::steady_timer phase(io);
    phase.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.warmup)));
    phase.async_wait([&](boost::system::error_code) {
        run.measure();
        t0 = clock_type::now();
        c0 = cpu_seconds();
        a0 = cqlwire::bench::allocations_now();
        phase.expires_after(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(o.duration)));
        phase.async_wait([&](boost::system::error_code) {
            seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
            cpu = cpu_seconds() - c0;
            allocations = cqlwire::bench::allocations_now() - a0;
            w = run.stop();
        });
    });
    io.restart();
    io.run();
    session.close();

    const double n = static_cast<double>(std::max<std::uint64_t>(w.completed, 1));
    const double rps = seconds > 0 ? static_cast<double>(w.completed) / seconds : 0;
    std::string served;
    for (std::size_t i = 0; i < w.served.size(); ++i) {
        if (w.served[i] == 0) continue;
        if (!served.empty()) served += ",";
        const bool known = i < placement.addresses.size();
        served += (known ? protocol::endpoint_text(placement.addresses[i].address().to_string(),
                                                   placement.addresses[i].port())
                         : std::string("other")) +
                  ":" + std::to_string(w.served[i]);
    }
    if (!o.quiet) {
        std::printf("cqlwire cluster session: %s, depth %zu, %zu nodes, token-aware %s: %llu requests in %.2f s, "
                    "%.0f requests/s, client CPU %.1f us/request, %llu errors; replica served %.1f %%, first "
                    "replica %.1f %%\n",
                    std::string(to_string(o.kind)).c_str(), o.depth, placement.addresses.size(),
                    o.token_aware ? "on" : "off", static_cast<unsigned long long>(w.completed), seconds, rps,
                    cpu / n * 1e6, static_cast<unsigned long long>(w.errors),
                    100.0 * static_cast<double>(w.replica_hits) / n, 100.0 * static_cast<double>(w.primary_hits) / n);
        if (!run.first_error().empty()) std::printf("first error: %s\n", run.first_error().c_str());
    }
    std::printf("RESULT kind=cluster client=cqlwire workload=%s depth=%zu nodes=%zu token_aware=%d requests=%llu "
                "seconds=%.3f req_per_s=%.1f cpu_us_per_req=%.3f p50_us=%.0f p99_us=%.0f allocs_per_req=%.2f "
                "openssl_allocs_per_req=%.2f rows=%llu errors=%llu "
                "token_aware_hits=%llu primary_hits=%llu served=%s\n",
                std::string(to_string(o.kind)).c_str(), o.depth, placement.addresses.size(), o.token_aware ? 1 : 0,
                static_cast<unsigned long long>(w.completed), seconds, rps, cpu / n * 1e6,
                static_cast<double>(w.latency.percentile(0.50)) / 1e3,
                static_cast<double>(w.latency.percentile(0.99)) / 1e3, static_cast<double>(allocations.all) / n,
                static_cast<double>(allocations.openssl) / n, static_cast<unsigned long long>(w.rows),
                static_cast<unsigned long long>(w.errors), static_cast<unsigned long long>(w.replica_hits),
                static_cast<unsigned long long>(w.primary_hits), served.empty() ? "none" : served.c_str());
    return 0;
}

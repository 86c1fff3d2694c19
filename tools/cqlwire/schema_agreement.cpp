// The wait for schema agreement after a schema change (schema_agreement.hpp): the decision, and
// statement_runner's polling of the node it is connected to.
#include "schema_agreement.hpp"

#include <iostream>
#include <memory>
#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>

#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "interrupt.hpp"
#include "safe_stderr.hpp"
#include "statement_runner.hpp"

namespace asio = boost::asio;

namespace cqlwire::cli {

std::vector<peer_schema_version> peers_not_at(const protocol::uuid& local,
                                              std::span<const peer_schema_version> peers) {
    std::vector<peer_schema_version> behind;
    for (const auto& p : peers)
        if (p.version && *p.version != local) behind.push_back(p);
    return behind;
}

std::string schema_disagreement_warning(std::span<const std::string> behind) {
    constexpr std::size_t named = 3;
    std::string who;
    for (std::size_t i = 0; i < behind.size() && i < named; ++i) who += (i == 0 ? "" : ", ") + escape_controls(behind[i]);
    if (behind.size() > named) who += " and " + std::to_string(behind.size() - named) + " more";
    return "warning: the schema change has not reached every node after " +
           std::to_string(schema_agreement_wait.count() / 1000) + " s (" + who +
           (behind.size() == 1 ? " is" : " are") +
           " at another schema version): statements that use the change may fail on those nodes until it arrives";
}

namespace {

// The rows of a RESULT, or nothing when the answer is an error or has no rows. The view points
// into `r`.
std::optional<protocol::result_view> rows_of(const transport::response& r, std::error_code ec) {
    if (ec) return std::nullopt;
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (r.split_prefix(prefix, message)) return std::nullopt;
    protocol::result_view result;
    if (protocol::decode_result(message, result) || result.kind != protocol::result_kind::rows) return std::nullopt;
    return result;
}

// Whether a TCP connection to the peer's native port opens within peer_probe_timeout (or
// `stop` says to give up). A node killed or gone refuses or does not answer.
bool peer_answers(const asio::any_io_executor& ex, const peer_schema_version& p, bool (*stop)() noexcept) {
    if (!p.native_address || p.native_port == 0) return true;  // cannot tell: waited for
    boost::system::error_code parse_ec;
    const auto address = asio::ip::make_address(protocol::to_string(*p.native_address), parse_ec);
    if (parse_ec) return true;
    struct probe {
        explicit probe(const asio::any_io_executor& ex) : socket(ex) {}
        asio::ip::tcp::socket socket;
        boost::system::error_code ec;
    };
    // Shared with the completion, which runs late when the wait gave up.
    auto state = std::make_shared<probe>(ex);
    const auto waited = transport::run_blocking(
        ex,
        [&](auto done) {
            state->socket.async_connect(asio::ip::tcp::endpoint(address, p.native_port),
                                        [state, done](const boost::system::error_code& ec) {
                                            state->ec = ec;
                                            done();
                                        });
        },
        std::chrono::steady_clock::now() + peer_probe_timeout, stop);
    boost::system::error_code ignored;
    state->socket.close(ignored);  // a late completion then only records operation_aborted
    return !waited && !state->ec;
}

}  // namespace

void statement_runner::await_schema_agreement(std::string_view context) {
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + schema_agreement_wait;
    std::set<std::string> probed;
    bool peers_v2 = true;
    for (;;) {
        protocol::query_parameters params;
        params.consistency_level = protocol::consistency::one;  // node-local tables
        std::error_code ec;
        protocol::diagnostics diag;
        transport::response local_answer;
        if (send_query("SELECT schema_version FROM system.local", params, false, local_answer, ec, diag) ==
            wait_outcome::interrupted)
            break;
        const auto local = rows_of(local_answer, ec);
        protocol::uuid version;
        if (!local || local->rows.size() != 1 || protocol::to_uuid((*local->rows.begin())[0], version))
            return;  // the node does not say its version: nothing to compare with
        transport::response peers_answer;
        std::optional<protocol::result_view> peers;
        if (peers_v2) {
            if (send_query("SELECT peer, native_address, native_port, schema_version FROM system.peers_v2", params,
                           false, peers_answer, ec, diag) == wait_outcome::interrupted)
                break;
            peers = rows_of(peers_answer, ec);
            peers_v2 = peers.has_value();  // servers before 4.0 have system.peers only
        }
        if (!peers_v2) {
            if (send_query("SELECT peer, rpc_address, schema_version FROM system.peers", params, false, peers_answer,
                           ec, diag) == wait_outcome::interrupted)
                break;
            peers = rows_of(peers_answer, ec);
        }
        if (!peers) return;
        std::vector<peer_schema_version> versions;
        for (const auto& row : peers->rows) {
            auto& p = versions.emplace_back();
            protocol::inet_address a;
            p.address = protocol::to_inet(row[0], a) ? std::string("a peer") : protocol::to_string(a);
            if (!protocol::to_inet(row[1], a)) p.native_address = a;
            std::int32_t port = settings_.port;  // system.peers does not say: the port dialed
            if (peers_v2 && protocol::to_int32(row[2], port)) port = 0;
            p.native_port = port > 0 && port <= 65535 ? static_cast<std::uint16_t>(port) : 0;
            protocol::uuid v;
            if (!protocol::to_uuid(row[peers_v2 ? 3 : 2], v)) p.version = v;
        }
        std::vector<std::string> behind;
        for (const auto& p : peers_not_at(version, versions)) {
            // A peer that did not answer a dial (in this wait or a recent one) is not waited for.
            if (const auto down = peers_found_down_.find(p.address);
                down != peers_found_down_.end() && std::chrono::steady_clock::now() - down->second < schema_down_peer_memory)
                continue;
            // Dialed once, when still behind after a while: a live node has usually caught up by
            // then, and is not bothered with a connection that never logs in.
            if (std::chrono::steady_clock::now() - start >= peer_probe_after && probed.insert(p.address).second &&
                !peer_answers(conn_.get_executor(), p, interrupt_requested)) {
                if (interrupt_requested()) break;
                peers_found_down_[p.address] = std::chrono::steady_clock::now();
                continue;
            }
            behind.push_back(p.address);
        }
        if (interrupt_requested()) break;
        if (behind.empty()) return;
        if (std::chrono::steady_clock::now() + schema_agreement_recheck > deadline) {
            std::cerr << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ")
                      << schema_disagreement_warning(behind) << "\n";
            return;
        }
        // Slices, so that Ctrl-C ends the wait at once.
        const auto wake = std::chrono::steady_clock::now() + schema_agreement_recheck;
        while (std::chrono::steady_clock::now() < wake && !interrupt_requested())
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (interrupt_requested()) break;
    }
    // The change itself was made: only the wait is given up.
    clear_interrupt();
    std::cerr << after_interrupt_echo() << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ")
              << "interrupted: no longer waiting for the other nodes to apply the schema change\n";
}

}  // namespace cqlwire::cli

// The pools: opening connections (for pools and for the control connection), marking nodes up
// and down, reconnecting with an exponential, jittered delay, and heartbeats on idle
// connections so that a node that died while nobody talked to it is noticed.
#include <algorithm>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>

#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/connect.hpp"
#include "cqlwire/transport/errc.hpp"
#include "session_impl.hpp"

namespace asio = boost::asio;

namespace cqlwire::cluster {
namespace {

bool is_certificate_failure(std::error_code ec) {
    using transport::errc;
    return ec == errc::certificate_untrusted || ec == errc::certificate_name_mismatch ||
           ec == errc::certificate_expired || ec == errc::certificate_not_yet_valid;
}


}  // namespace

std::string session_impl::verify_name_for(const node_info& node, std::string& refusal) const {
    refusal.clear();
    if (!options.server_name_for) return {};
    std::string name;
    try {
        name = options.server_name_for(node);
    } catch (const std::exception& e) {
        refusal = std::string("server_name_for threw: ") + e.what();
        return {};
    } catch (...) {
        refusal = "server_name_for threw";
        return {};
    }
    // A pattern would be matched as a literal name, so that any node's wildcard certificate
    // would pass: the name to expect is one the wildcard covers.
    if (name.find('*') != std::string::npos)
        refusal = "server_name_for gave a pattern, not a name (give one the certificate's wildcard covers)";
    return name;
}

void session_impl::open_connection(const node_info& target, bool to_contact_point, const contact_point* point,
                                   opened_handler done) {
    transport::connect_options c;
    std::string refusal;  // why the name server_name_for gave cannot be used
    if (to_contact_point) {
        c.host = point->host;
        c.port = point->port;
        // A contact point given as an address is asked about too, before discovery: only its
        // address is known (no host id, DC or rack yet). One given as a name is checked under it.
        boost::system::error_code not_an_address;
        const auto address = boost::asio::ip::make_address(point->host, not_an_address);
        if (!not_an_address && options.server_name_for) {
            node_info known;
            known.address = known.advertised = boost::asio::ip::tcp::endpoint(address, point->port);
            c.server_name = verify_name_for(known, refusal);
        }
    } else {
        c.host = target.address.address().to_string();
        c.port = target.address.port();
        c.endpoints = {target.address};
        c.server_name = verify_name_for(target, refusal);
    }
    if (!refusal.empty()) {
        // The node is refused, as one whose certificate does not verify: no name to check it by.
        auto opening = std::make_shared<connection_opening>();
        opening->diag.set_client_message(refusal);
        asio::post(strand, [opening, done = std::move(done)]() mutable {
            done(make_error_code(transport::errc::certificate_name_mismatch), opening);
        });
        return;
    }
    c.connect_timeout = options.connect_timeout;
    c.handshake_timeout = options.handshake_timeout;
    c.tls = options.tls;
    auto opening = std::make_shared<connection_opening>();
    if (options.authenticator) opening->authenticator = options.authenticator();
    // The connection runs on the session's strand (a stream that has a strand keeps it): its
    // completions then reach the session without another pass through the scheduler.
    transport::async_connect(
        strand, std::move(c), opening->diag,
        asio::bind_executor(strand, [this, self = shared_from_this(), opening,
                                     done = std::move(done)](std::error_code ec, transport::stream s) mutable {
            if (ec) return done(ec, opening);
            boost::system::error_code ignored;
            opening->remote = s.socket().remote_endpoint(ignored);
            opening->conn.emplace(std::move(s), options.connection);
            transport::startup_config config;
            config.authenticator = opening->authenticator.get();
            opening->conn->async_startup(
                config, opening->diag,
                asio::bind_executor(strand, [opening, done = std::move(done)](std::error_code startup_ec) {
                    done(startup_ec, opening);
                }));
        }));
}

void session_impl::fill_pool(std::size_t index) {
    auto& node = *nodes[index];
    if (closed || node.info.state == node_state::refused || node.info.state == node_state::removed) return;
    while (node.connections.size() + node.opening < options.connections_per_node) {
        ++node.opening;
        open_connection(node.info, false, nullptr,
                        [this, index](std::error_code ec, std::shared_ptr<connection_opening> opening) {
                            on_pool_connection(index, ec, std::move(opening));
                        });
    }
}

void session_impl::on_pool_connection(std::size_t index, std::error_code ec, std::shared_ptr<connection_opening> opening) {
    --nodes[index]->opening;
    add_to_pool(index, ec, *opening);
    maybe_ready();
}

void session_impl::add_to_pool(std::size_t index, std::error_code ec, connection_opening& opening_result) {
    auto& node = *nodes[index];
    auto* opening = &opening_result;
    if (closed || node.info.state == node_state::removed) {
        if (opening->conn) opening->conn->close();
        return;
    }
    if (ec) {
        if (opening->conn) opening->conn->close();
        const auto why = explain(ec, opening->diag);
        if (is_certificate_failure(ec)) {
            node.info.state = node_state::refused;
            node.last_error = why;
            for (auto& pc : node.connections) pc->conn.close();
            node.connections.clear();
            report(node_report::kind::refused, node.info.address, why);
            publish_snapshot();
            return;
        }
        if (node.connections.empty()) mark_down(index, why);
        schedule_reconnect(index);
        return;
    }
    node.connections.push_back(std::make_shared<pooled_connection>(std::move(*opening->conn)));
    node.failed_attempts = 0;
    node.last_error.clear();
    if (node.info.state != node_state::up) {
        node.info.state = node_state::up;
        report(node_report::kind::up, node.info.address, {});
        publish_snapshot();
    }
    fill_pool(index);
}

void session_impl::connection_failed(std::size_t index, const std::shared_ptr<pooled_connection>& pc,
                                     const std::string& why) {
    auto& node = *nodes[index];
    const auto it = std::find(node.connections.begin(), node.connections.end(), pc);
    if (it == node.connections.end()) return;  // already dropped
    pc->conn.close();
    node.connections.erase(it);
    if (node.connections.empty()) mark_down(index, why);
    schedule_reconnect(index);
}

void session_impl::mark_down(std::size_t index, const std::string& why) {
    auto& node = *nodes[index];
    node.last_error = why;
    if (node.info.state == node_state::down) return;
    if (node.info.state == node_state::refused || node.info.state == node_state::removed) return;
    node.info.state = node_state::down;
    report(node_report::kind::down, node.info.address, why);
    publish_snapshot();
}

void session_impl::schedule_reconnect(std::size_t index) {
    auto& node = *nodes[index];
    if (closed || node.reconnect_scheduled || node.info.state == node_state::refused ||
        node.info.state == node_state::removed)
        return;
    // base * 2^attempts, capped, then ±20 % so that many clients do not come back in step.
    const int shift = std::min(node.failed_attempts, 20);
    ++node.failed_attempts;
    auto delay = options.reconnect_base_delay * (std::int64_t{1} << shift);
    delay = std::min(delay, options.reconnect_max_delay);
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const auto jittered = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(delay.count()) * jitter(random)));
    node.reconnect_scheduled = true;
    node.reconnect_timer.expires_after(jittered);
    node.reconnect_timer.async_wait(
        asio::bind_executor(strand, [this, self = shared_from_this(), index](boost::system::error_code ec) {
            auto& n = *nodes[index];
            n.reconnect_scheduled = false;
            if (ec || closed) return;
            fill_pool(index);
        }));
}

void session_impl::reconnect_now(std::size_t index) {
    auto& node = *nodes[index];
    if (node.info.state == node_state::refused || node.info.state == node_state::removed) return;
    if (node.connections.size() + node.opening >= options.connections_per_node) return;
    node.failed_attempts = 0;
    if (node.reconnect_scheduled) node.reconnect_timer.cancel();
    fill_pool(index);
}

std::shared_ptr<pooled_connection> session_impl::least_busy(std::size_t index) const {
    const auto& conns = nodes[index]->connections;
    std::shared_ptr<pooled_connection> best;
    for (const auto& pc : conns)
        if (!best || pc->in_flight < best->in_flight) best = pc;
    return best;
}

void session_impl::start_heartbeat() {
    if (options.heartbeat_interval.count() <= 0 || closed) return;
    heartbeat_timer.expires_after(options.heartbeat_interval);
    heartbeat_timer.async_wait(asio::bind_executor(strand, [this, self = shared_from_this()](boost::system::error_code ec) {
        if (ec || closed) return;
        heartbeat();
        start_heartbeat();
    }));
}

void session_impl::heartbeat() {
    const auto idle_since = std::chrono::steady_clock::now() - options.heartbeat_interval;
    for (std::size_t index = 0; index < nodes.size(); ++index) {
        for (const auto& pc : nodes[index]->connections) {
            if (pc->in_flight > 0 || pc->last_answer > idle_since) continue;
            auto encode = [](std::vector<std::uint8_t>& out) {
                return protocol::encode_options(out, protocol::request_frame_options{});
            };
            pc->conn.async_request(
                encode, transport::request_options{},
                [this, self = shared_from_this(), index, pc](std::error_code ec, transport::response) {
                    // On the connection's executor: failure() may be read here.
                    const bool broken = static_cast<bool>(pc->conn.failure());
                    const auto why = broken ? explain(pc->conn.failure(), pc->conn.failure_diagnostics())
                                            : std::string("heartbeat: ") + ec.message();
                    asio::dispatch(strand, [this, self, index, pc, ec, broken, why] {
                        if (!ec) {
                            pc->last_answer = std::chrono::steady_clock::now();
                            return;
                        }
                        if (broken || ec == transport::errc::request_timeout) connection_failed(index, pc, why);
                    });
                });
        }
    }
}

}  // namespace cqlwire::cluster

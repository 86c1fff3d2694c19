// REGISTER and EVENT handling; see events.hpp.
#include "cqlwire/transport/events.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/execution/context.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {
namespace {

namespace asio = boost::asio;

asio::io_context* io_context_of(const asio::any_io_executor& ex) {
    if (auto* e = ex.target<asio::io_context::executor_type>()) return &asio::query(*e, asio::execution::context);
    using tracked = decltype(asio::require(std::declval<asio::io_context::executor_type>(),
                                           asio::execution::outstanding_work.tracked));
    if (auto* e = ex.target<tracked>()) return &asio::query(*e, asio::execution::context);
    return nullptr;
}

}  // namespace

std::optional<protocol::event_type> parse_event_type(std::string_view name) noexcept {
    auto equals = [&](std::string_view want) {
        if (name.size() != want.size()) return false;
        for (std::size_t i = 0; i < name.size(); ++i) {
            char c = name[i];
            if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
            if (c != want[i]) return false;
        }
        return true;
    };
    if (equals("TOPOLOGY_CHANGE")) return protocol::event_type::topology_change;
    if (equals("STATUS_CHANGE")) return protocol::event_type::status_change;
    if (equals("SCHEMA_CHANGE")) return protocol::event_type::schema_change;
    return std::nullopt;
}

std::error_code decode_cluster_event(const response& r, cluster_event& out) {
    if (r.op() != protocol::opcode::event) return protocol::make_error_code(protocol::client_errc::unexpected_opcode);
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (auto ec = r.split_prefix(prefix, message)) return ec;
    protocol::event_view e;
    if (auto ec = protocol::decode_event(message, e)) return ec;
    out = cluster_event{};
    out.type = e.type;
    out.change.assign(e.type == protocol::event_type::schema_change ? e.schema_change.change_type : e.change);
    out.address = e.address;
    out.target = e.schema_change.target;
    out.keyspace.assign(e.schema_change.keyspace);
    out.name.assign(e.schema_change.name);
    for (auto a : e.schema_change.argument_types) out.argument_types.emplace_back(a);
    return {};
}

event_listener::event_listener(connection& conn) : conn_(conn) {
    conn_.set_event_handler([q = queue_](response r) {
        queued_event item;
        item.error = decode_cluster_event(r, item.event);
        const std::lock_guard lock(q->mutex);
        q->events.push_back(std::move(item));
    });
}

std::error_code event_listener::register_for(std::span<const protocol::event_type> types,
                                             protocol::diagnostics& diag) {
    std::vector<std::string_view> names;
    for (auto t : types) names.push_back(protocol::to_string(t));
    auto encode = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_register(out, protocol::request_frame_options{}, names);
    };
    std::error_code ec;
    const response r = conn_.request(encode, request_options{}, ec, diag);
    if (ec) return ec;
    if (r.op() != protocol::opcode::ready) {
        diag.set_client_message("the server answered REGISTER with something other than READY");
        return make_error_code(errc::protocol_violation);
    }
    return {};
}

std::size_t event_listener::queued() const {
    const std::lock_guard lock(queue_->mutex);
    return queue_->events.size();
}

bool event_listener::take(cluster_event& out, std::error_code& ec) {
    const std::lock_guard lock(queue_->mutex);
    if (queue_->events.empty()) return false;
    auto item = std::move(queue_->events.front());
    queue_->events.pop_front();
    ec = item.error;
    if (!ec) out = std::move(item.event);
    return true;
}

bool event_listener::wait_for_event(std::chrono::milliseconds timeout, cluster_event& out, std::error_code& ec,
                                    protocol::diagnostics& diag) {
    ec.clear();
    if (take(out, ec)) return !ec;
    auto* ioc = io_context_of(conn_.get_executor());
    if (ioc == nullptr) {
        ec = make_error_code(errc::connection_broken);
        diag.set_client_message("the connection has no io_context to run");
        return false;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    ioc->restart();
    for (;;) {
        if (auto f = conn_.failure()) {
            ec = f;
            diag = conn_.failure_diagnostics();
            return false;
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return false;
        // Runs at most one handler; returns 0 on time-out or when nothing is left to run
        // (the connection is closed: failure() says so on the next turn).
        if (ioc->run_one_until(deadline) == 0 && ioc->stopped()) {
            if (take(out, ec)) return !ec;
            if (auto f = conn_.failure()) {
                ec = f;
                diag = conn_.failure_diagnostics();
            }
            return false;
        }
        if (take(out, ec)) return !ec;
    }
}

}  // namespace cqlwire::transport

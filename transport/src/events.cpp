// REGISTER and EVENT handling; see events.hpp.
#include "cqlwire/transport/events.hpp"

#include <algorithm>
#include <deque>
#include <mutex>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/errc.hpp"
#include "operation_support.hpp"

namespace cqlwire::transport {

namespace asio = boost::asio;

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

// The events received and not yet taken (under a mutex: queued() reads it from any thread),
// and the waits in the order they started (on the connection's executor only).
class event_listener::shared_state : public std::enable_shared_from_this<shared_state> {
public:
    explicit shared_state(connection& conn) : conn_(conn) {}

    // On the connection's executor: the event handler's work.
    void push(response r) {
        queued_event item;
        item.error = decode_cluster_event(r, item.event);
        {
            const std::lock_guard lock(mutex_);
            // A server flooding events must not grow the queue without end: past the bound,
            // events are counted, and the wait that reaches the end of the queue reports them.
            if (events_.size() >= max_queued_events) {
                ++dropped_;
                return;
            }
            events_.push_back(std::move(item));
        }
        while (!waiters_.empty() && hand_over(*waiters_.front())) {
        }
    }

    std::size_t queued() const {
        const std::lock_guard lock(mutex_);
        return events_.size();
    }

    // On the connection's executor.
    void wait(std::chrono::milliseconds timeout, protocol::diagnostics* diag,
              asio::any_completion_handler<event_signature> handler) {
        auto w = std::make_shared<waiter>(std::move(handler), detail::executor_of(conn_), diag,
                                          std::chrono::steady_clock::now() + timeout);
        // Events queue only while nobody waits, so this takes the oldest.
        if (hand_over(*w)) return;
        if (check(*w)) return;
        waiters_.push_back(w);
        arm(w);
    }

private:
    struct queued_event {
        cluster_event event;
        std::error_code error;
    };
    struct waiter {
        waiter(asio::any_completion_handler<event_signature> handler, const asio::any_io_executor& ex,
               protocol::diagnostics* d, std::chrono::steady_clock::time_point until)
            : completion(std::move(handler), ex), timer(ex), diag(d != nullptr ? d : &own_diag), deadline(until) {}
        detail::pending_completion<event_signature> completion;
        asio::steady_timer timer;
        protocol::diagnostics own_diag;
        protocol::diagnostics* diag;
        std::chrono::steady_clock::time_point deadline;
        bool finished = false;
    };

    // Gives `w` the next queued event, if any, or the report of events dropped; true when it did
    // (and `w` is finished).
    bool hand_over(waiter& w) {
        queued_event item;
        std::uint64_t dropped = 0;
        {
            const std::lock_guard lock(mutex_);
            if (!events_.empty()) {
                item = std::move(events_.front());
                events_.pop_front();
            } else if (dropped_ > 0) {
                dropped = std::exchange(dropped_, 0);
            } else {
                return false;
            }
        }
        if (dropped > 0) {
            w.diag->set_client_message(std::to_string(dropped) +
                                       " events were dropped while nobody waited: the queue holds at most " +
                                       std::to_string(max_queued_events));
            finish(w, std::make_error_code(std::errc::no_buffer_space), {});
            return true;
        }
        if (item.error)
            w.diag->set_client_message("an EVENT frame from the server does not decode: " + item.error.message());
        finish(w, item.error, std::move(item.event));
        return true;
    }

    // Ends `w` when the connection failed or its time ran out; true when it did.
    bool check(waiter& w) {
        if (auto f = conn_.failure()) {
            *w.diag = conn_.failure_diagnostics();
            finish(w, f, {});
            return true;
        }
        if (std::chrono::steady_clock::now() >= w.deadline) {
            finish(w, make_error_code(std::errc::timed_out), {});
            return true;
        }
        return false;
    }

    void arm(const std::shared_ptr<waiter>& w) {
        w->timer.expires_at(std::min(w->deadline, std::chrono::steady_clock::now() + failure_poll_interval));
        w->timer.async_wait([self = shared_from_this(), w](std::error_code) {
            if (w->finished || self->check(*w)) return;
            self->arm(w);
        });
    }

    void finish(waiter& w, std::error_code ec, cluster_event event) {
        w.finished = true;
        w.timer.cancel();
        const auto it = std::find_if(waiters_.begin(), waiters_.end(), [&](const auto& p) { return p.get() == &w; });
        if (it != waiters_.end()) waiters_.erase(it);
        w.completion.complete(ec, std::move(event));
    }

    connection& conn_;
    mutable std::mutex mutex_;
    std::deque<queued_event> events_;
    std::uint64_t dropped_ = 0;  // events not queued because the queue was full
    std::deque<std::shared_ptr<waiter>> waiters_;
};

event_listener::event_listener(connection& conn) : conn_(conn), state_(std::make_shared<shared_state>(conn)) {
    conn_.set_event_handler([state = state_](response r) { state->push(std::move(r)); });
}

void event_listener::start_register(std::vector<protocol::event_type> types, protocol::diagnostics& diag,
                                    asio::any_completion_handler<register_signature> handler) {
    std::vector<std::string_view> names;
    for (auto t : types) names.push_back(protocol::to_string(t));
    auto encode = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_register(out, protocol::request_frame_options{}, names);
    };
    auto completion = std::make_shared<detail::pending_completion<register_signature>>(std::move(handler),
                                                                                       detail::executor_of(conn_));
    conn_.async_request(encode, request_options{},
                        [conn = &conn_, &diag, completion](std::error_code ec, response r) {
                            if ((ec = detail::explain_request_failure(*conn, ec, r, {}, diag)))
                                return completion->complete(ec);
                            if (r.op() != protocol::opcode::ready) {
                                diag.set_client_message(
                                    "the server answered REGISTER with something other than READY");
                                return completion->complete(make_error_code(errc::protocol_violation));
                            }
                            completion->complete(std::error_code{});
                        });
}

std::error_code event_listener::register_for(std::span<const protocol::event_type> types,
                                             protocol::diagnostics& diag) {
    return detail::wait_for_completion(
        detail::executor_of(conn_), [&](auto handler) { async_register_for(types, diag, std::move(handler)); }, diag);
}

void event_listener::start_wait(std::chrono::milliseconds timeout, protocol::diagnostics* diag,
                                asio::any_completion_handler<event_signature> handler) {
    asio::post(detail::executor_of(conn_), [state = state_, timeout, diag, h = std::move(handler)]() mutable {
        state->wait(timeout, diag, std::move(h));
    });
}

bool event_listener::wait_for_event(std::chrono::milliseconds timeout, cluster_event& out, std::error_code& ec,
                                    protocol::diagnostics& diag) {
    auto event = detail::wait_for_result<cluster_event>(
        detail::executor_of(conn_), [&](auto handler) { async_wait_for_event(timeout, diag, std::move(handler)); }, ec,
        diag);
    if (ec == std::errc::timed_out) {
        ec.clear();
        return false;
    }
    if (ec) return false;
    out = std::move(event);
    return true;
}

std::size_t event_listener::queued() const { return state_->queued(); }

}  // namespace cqlwire::transport

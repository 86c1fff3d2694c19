// The session handle, its start-up and close, prepared statements across nodes, and what the
// session reports (node reports, the nodes() snapshot).
#include "cqlwire/cluster/session.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "session_impl.hpp"

namespace asio = boost::asio;

namespace cqlwire::cluster {

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& e) {
    return protocol::endpoint_text(e.address().to_string(), e.port());
}

std::string explain(std::error_code ec, const protocol::diagnostics& diag) {
    std::string why = ec.message();
    if (!diag.client_message().empty()) why += ": " + diag.client_message();
    if (!diag.server_message().empty()) why += " (server: \"" + diag.server_message() + "\")";
    return why;
}

std::string_view to_string(node_report::kind k) noexcept {
    using kind = node_report::kind;
    switch (k) {
        case kind::added: return "added";
        case kind::up: return "up";
        case kind::down: return "down";
        case kind::refused: return "refused";
        case kind::removed: return "removed";
        case kind::contact_point_failed: return "contact point failed";
        case kind::peer_ignored: return "peer ignored";
        case kind::control_moved: return "control connection moved";
        case kind::schema_not_agreed: return "schema not agreed";
    }
    return "invalid";
}

boost::asio::ip::tcp::endpoint fixed_address_translator::operator()(const boost::asio::ip::tcp::endpoint& advertised) const {
    const auto it = map_.find(advertised);
    return it == map_.end() ? advertised : it->second;
}

session_impl::session_impl(boost::asio::any_io_executor ex, session_options o)
    : executor(ex), strand(transport::make_connection_strand(ex)), options(std::move(o)), control_timer(strand), control_watch_timer(strand), refresh_timer(strand),
      heartbeat_timer(strand) {
    if (!options.retry) options.retry = std::make_shared<default_retry_policy>();
    if (options.connections_per_node == 0) options.connections_per_node = 1;
}

void session_impl::report(node_report::kind what, const boost::asio::ip::tcp::endpoint& address, std::string message) {
    report_text(what, endpoint_text(address), std::move(message));
}

void session_impl::report_text(node_report::kind what, std::string address, std::string message) {
    if (!options.on_node) return;
    node_report r;
    r.what = what;
    r.address = std::move(address);
    r.message = std::move(message);
    options.on_node(r);
}

void session_impl::publish_snapshot() {
    std::vector<node_info> copy;
    copy.reserve(nodes.size());
    for (const auto& n : nodes) copy.push_back(n->info);
    std::lock_guard lock(snapshot_mutex);
    nodes_snapshot = std::move(copy);
    datacenter_snapshot = local_dc;
}

std::vector<node_info> session_impl::snapshot() const {
    std::lock_guard lock(snapshot_mutex);
    return nodes_snapshot;
}

std::string session_impl::snapshot_datacenter() const {
    std::lock_guard lock(snapshot_mutex);
    return datacenter_snapshot;
}

void session_impl::close() {
    if (closed) return;
    closed = true;
    control_timer.cancel();
    control_watch_timer.cancel();
    refresh_timer.cancel();
    heartbeat_timer.cancel();
    if (control) control->conn.close();
    control.reset();
    for (auto& n : nodes) {
        n->reconnect_timer.cancel();
        for (auto& pc : n->connections) pc->conn.close();
        n->connections.clear();
    }
}

// ---- prepared statements ----------------------------------------------------------------------

void session_impl::prepare(std::string cql, protocol::diagnostics* diag, completion<prepare_signature>&& done) {
    struct operation {
        explicit operation(completion<prepare_signature> c) : done(std::move(c)) {}
        completion<prepare_signature> done;
        protocol::diagnostics own_diag;
        protocol::diagnostics* diag = nullptr;
        std::string cql;
        query_plan plan;
        std::size_t next = 0;
        std::string failures;
    };
    auto op = std::make_shared<operation>(std::move(done));
    op->diag = diag ? diag : &op->own_diag;
    op->cql = std::move(cql);
    auto complete = [op](std::error_code ec, std::shared_ptr<const transport::prepared_statement> p) {
        op->done.complete(ec, std::move(p));
    };
    if (closed) {
        op->diag->set_client_message("the session is closed");
        return complete(make_error_code(errc::session_closed), nullptr);
    }
    if (const auto it = prepared.find(op->cql); it != prepared.end()) return complete({}, it->second);
    plan_for(transport::statement(op->cql), op->plan);
    // Tries the plan's nodes in turn; a node's failure that is the server's judgement of the
    // statement (a syntax error, an unknown table) ends it at once.
    auto self = shared_from_this();
    // The function refers to itself weakly: only the PREPARE under way holds it.
    auto try_next = std::make_shared<std::function<void()>>();
    *try_next = [this, self, op, complete, weak_next = std::weak_ptr<std::function<void()>>(try_next)] {
        const auto next = weak_next.lock();
        if (!next) return;
        while (op->next < op->plan.size() && nodes[op->plan[op->next]]->connections.empty()) ++op->next;
        if (op->next >= op->plan.size()) {
            op->diag->clear();
            op->diag->set_client_message("no node of the cluster could prepare the statement" +
                                         (op->failures.empty() ? std::string() : ": " + op->failures));
            return complete(make_error_code(errc::no_node_available), nullptr);
        }
        const auto node = op->plan[op->next++];
        auto pc = least_busy(node);
        auto attempt_diag = std::make_shared<protocol::diagnostics>();
        pc->client.async_prepare(
            op->cql, *attempt_diag,
            asio::bind_executor(strand, [this, self, op, complete, next, node, pc, attempt_diag](
                                            std::error_code ec, std::shared_ptr<const transport::prepared_statement> p) {
                if (!ec) {
                            // Bounded like a connection's cache: past the bound an arbitrary statement is
                    // forgotten (it is prepared again on its next use).
                    if (prepared.size() >= transport::prepared_cache::default_capacity) prepared.erase(prepared.begin());
                    prepared[op->cql] = p;
                    if (options.prepare_on_all_nodes)
                        for (std::size_t i = 0; i < nodes.size(); ++i) {
                            if (i == node) continue;
                            for (const auto& other : nodes[i]->connections)
                                other->client.async_prepare(op->cql, [](std::error_code, auto) {});
                        }
                    return complete({}, std::move(p));
                }
                const bool node_problem = ec.category() != protocol::server_category() ||
                                          ec == protocol::server_errc::overloaded ||
                                          ec == protocol::server_errc::is_bootstrapping ||
                                          ec == protocol::server_errc::server_error;
                if (!node_problem) {
                            *op->diag = *attempt_diag;
                    return complete(ec, nullptr);
                }
                if (!op->failures.empty()) op->failures += "; ";
                op->failures += endpoint_text(nodes[node]->info.address) + ": " + ec.message();
                (*next)();
            }));
    };
    (*try_next)();
}

void session_impl::forget_prepared(const std::string& keyspace, const std::string& table) {
    for (auto it = prepared.begin(); it != prepared.end();) {
        const auto& columns = it->second->bind_metadata().columns;
        const auto& result_columns = it->second->result_metadata().columns;
        const auto touches = [&](const std::vector<protocol::column_spec>& cols) {
            return std::any_of(cols.begin(), cols.end(), [&](const protocol::column_spec& c) {
                return c.keyspace == keyspace && (table.empty() || c.table == table);
            });
        };
        if (touches(columns) || touches(result_columns) || it->second->keyspace() == keyspace)
            it = prepared.erase(it);
        else
            ++it;
    }
}

// ---- the handle -------------------------------------------------------------------------------

session::~session() { close(); }

session& session::operator=(session&& other) noexcept {
    if (this != &other) {
        close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

void session::start_connect(boost::asio::any_io_executor ex, session_options options, protocol::diagnostics& diag,
                            boost::asio::any_completion_handler<connect_signature> handler) {
    auto done = std::make_shared<completion<connect_signature>>(std::move(handler), ex);
    auto complete = [done](std::error_code ec, session s) { done->complete(ec, std::move(s)); };
    if (options.contact_points.empty()) {
        diag.set_client_message("no contact point: give a host, or several separated by commas");
        return complete(make_error_code(errc::no_contact_point), session());
    }
    auto impl = std::make_shared<session_impl>(ex, std::move(options));
    asio::post(impl->strand, [impl, &diag, complete] {
        impl->start([impl, &diag, complete](std::error_code ec, const protocol::diagnostics& d) {
            if (ec) {
                diag = d;
                impl->close();
                return complete(ec, session());
            }
            // Control connection up and the tables read: open the pools, then report ready.
            impl->pending_ready = [impl, &diag, complete](std::error_code e, const protocol::diagnostics& d2) {
                if (e) {
                    diag = d2;
                    impl->close();
                    return complete(e, session());
                }
                impl->start_heartbeat();
                complete(e, session(impl));
            };
            impl->open_initial_pools();
        });
    });
}

namespace {

// The blocking forms: `start(handler)` starts the asynchronous one, run_blocking waits for it.
template <class Result, class Start>
Result wait_for(const boost::asio::any_io_executor& ex, std::error_code& ec, protocol::diagnostics& diag, Start start) {
    Result out{};
    bool finished = false;
    const auto wait_error = transport::run_blocking(ex, [&](transport::blocking_done done) {
        start([&, done](std::error_code e, Result r) {
            ec = e;
            out = std::move(r);
            finished = true;
            done();
        });
    });
    if (finished) return out;
    ec = wait_error ? wait_error : make_error_code(std::errc::operation_canceled);
    if (ec == std::errc::resource_deadlock_would_occur)
        diag.set_client_message("a blocking call was made from a handler running on the session's executor, where it "
                                "would deadlock; use the asynchronous form there");
    else
        diag.set_client_message("the session's executor could not run the operation to its end (" + ec.message() +
                                "): restart() a stopped io_context, or keep a thread running it");
    return out;
}

std::error_code closed_handle(protocol::diagnostics& diag) {
    diag.set_client_message("the session is closed (an empty handle)");
    return make_error_code(errc::session_closed);
}

}  // namespace

session session::connect(boost::asio::any_io_executor ex, session_options options, std::error_code& ec,
                         protocol::diagnostics& diag) {
    return wait_for<session>(ex, ec, diag, [&](auto handler) { async_connect(ex, std::move(options), diag, std::move(handler)); });
}

void session::start_execute(transport::statement&& s, protocol::diagnostics* diag,
                            boost::asio::any_completion_handler<execute_signature> handler,
                            transport::handler_executor hint) {
    if (!impl_) {
        if (diag) diag->set_client_message("the session is closed (an empty handle)");
        // An empty handle has no executor of its own: the handler's, or the system executor.
        completion<execute_signature>(std::move(handler), asio::system_executor())
            .complete(make_error_code(errc::session_closed), execution_result{});
        return;
    }
    // The handler's executor is kept busy from here on, also while the request waits for the
    // strand.
    completion<execute_signature> done(std::move(handler), impl_->executor, hint);
    // A request made from a handler already on the session's strand (the next request of a
    // loop) starts at once, as a dispatch would start it, without the dispatch's type-erased
    // hop; from elsewhere it is dispatched.
    if (transport::running_in_connection_strand(impl_->strand)) return impl_->execute(std::move(s), diag, std::move(done));
    asio::dispatch(impl_->strand, [impl = impl_, s = std::move(s), diag, done = std::move(done)]() mutable {
        impl->execute(std::move(s), diag, std::move(done));
    });
}

void session::start_prepare(std::string cql, protocol::diagnostics* diag,
                            boost::asio::any_completion_handler<prepare_signature> handler) {
    if (!impl_) {
        if (diag) diag->set_client_message("the session is closed (an empty handle)");
        completion<prepare_signature>(std::move(handler), asio::system_executor())
            .complete(make_error_code(errc::session_closed), std::shared_ptr<const transport::prepared_statement>());
        return;
    }
    // The handler's executor is kept busy from here on, also while the request waits for the
    // strand.
    completion<prepare_signature> done(std::move(handler), impl_->executor);
    asio::post(impl_->strand, [impl = impl_, cql = std::move(cql), diag, done = std::move(done)]() mutable {
        impl->prepare(std::move(cql), diag, std::move(done));
    });
}

execution_result session::execute(const transport::statement& s, std::error_code& ec, protocol::diagnostics& diag) {
    if (!impl_) {
        ec = closed_handle(diag);
        return {};
    }
    return wait_for<execution_result>(impl_->executor, ec, diag,
                                      [&](auto handler) { async_execute(s, diag, std::move(handler)); });
}

std::shared_ptr<const transport::prepared_statement> session::prepare(std::string_view cql, std::error_code& ec,
                                                                      protocol::diagnostics& diag) {
    if (!impl_) {
        ec = closed_handle(diag);
        return nullptr;
    }
    return wait_for<std::shared_ptr<const transport::prepared_statement>>(
        impl_->executor, ec, diag, [&](auto handler) { async_prepare(cql, diag, std::move(handler)); });
}

std::vector<node_info> session::nodes() const { return impl_ ? impl_->snapshot() : std::vector<node_info>{}; }

std::string session::local_datacenter() const { return impl_ ? impl_->snapshot_datacenter() : std::string(); }

boost::asio::any_io_executor session::get_executor() const {
    return impl_ ? impl_->executor : boost::asio::any_io_executor{};
}

void session::close() {
    if (!impl_) return;
    asio::post(impl_->strand, [impl = impl_] { impl->close(); });
}

}  // namespace cqlwire::cluster

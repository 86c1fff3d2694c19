// One request over the cluster: its query plan, its attempts (retries and speculative
// executions), and what each attempt did to its node's pool.
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/steady_timer.hpp>

#include "cqlwire/cluster/errc.hpp"
#include "cqlwire/cluster/token.hpp"
#include "cqlwire/transport/errc.hpp"
#include "query_plan.hpp"
#include "session_impl.hpp"

namespace asio = boost::asio;

namespace cqlwire::cluster {
namespace {

// The partition key's serialized components of a prepared statement's values, in key order;
// false when they cannot all be found (not prepared, no key markers, a null or unset key value).
// `values_of` is set to &s once `values` holds its values, encoded against its bind markers.
bool routing_components(const transport::statement& s, transport::encoded_values& values,
                        const transport::statement*& values_of, std::vector<protocol::bytes_view>& out) {
    const auto& prepared = s.prepared();
    if (!prepared) return false;
    const auto& meta = prepared->bind_metadata();
    if (meta.partition_key_indexes.empty()) return false;
    protocol::diagnostics ignored;
    if (transport::encode_statement_values(s, &meta.columns, values, ignored)) return false;
    values_of = &s;
    out.clear();
    for (const auto marker : meta.partition_key_indexes) {
        if (marker >= meta.columns.size()) return false;
        const protocol::raw_value* v = nullptr;
        if (values.names.empty()) {
            if (marker < values.values.size()) v = &values.values[marker];
        } else {
            const auto& name = meta.columns[marker].name;
            for (std::size_t i = 0; i < values.names.size(); ++i)
                if (values.names[i] == name) v = &values.values[i];
        }
        if (v == nullptr || !v->is_present()) return false;
        out.push_back(v->bytes);
    }
    return true;
}

class execute_operation : public std::enable_shared_from_this<execute_operation> {
public:
    execute_operation(std::shared_ptr<session_impl> s, transport::statement&& st, protocol::diagnostics* diag,
                      completion<execute_signature>&& done)
        : session_(std::move(s)), statement_(std::move(st)), diag_(diag ? diag : &own_diag_),
          completion_(std::move(done)) {}

    void start() {
        starting_ = true;
        run_start();
        starting_ = false;
    }

private:
    void run_start() {
        if (session_->closed) return finish(make_error_code(errc::session_closed), "the session is closed");
        session_->plan_for(statement_, plan_);
        if (plan_.empty()) return finish(make_error_code(errc::no_node_available), no_node_message());
        if (session_->options.request_timeout.count() > 0)
            deadline_ = std::chrono::steady_clock::now() + session_->options.request_timeout;
        // Routing encoded the values already: the first send takes them as they are.
        const auto& scratch = session_->scratch;
        attempt(plan_[next_++], false, scratch.values_of == &statement_ ? &scratch.values : nullptr);
        arm_speculative();
    }

    struct attempt_state {
        std::size_t node = 0;
        std::shared_ptr<pooled_connection> pc;
        protocol::diagnostics diag;
        bool speculative = false;
        int number = 0;
        std::chrono::steady_clock::time_point started;
    };

    // The state of a new attempt: the first lives in the operation itself (most requests make
    // one attempt), later ones on the heap. Each stays until the operation ends: a connection
    // may still answer an attempt the request no longer waits for.
    attempt_state& new_attempt() {
        if (attempts_ == 0) return first_attempt_;
        return *more_attempts_.emplace_back(std::make_unique<attempt_state>());
    }

    std::string no_node_message() const {
        std::string m = "no node of the cluster can take the request";
        std::string detail;
        for (const auto& n : session_->nodes) {
            if (n->info.state == node_state::removed) continue;
            if (!detail.empty()) detail += "; ";
            detail += endpoint_text(n->info.address) + " " + std::string(to_string(n->info.state));
            if (!n->last_error.empty()) detail += " (" + n->last_error + ")";
        }
        if (!session_->options.allow_remote_datacenters) m += " in data center '" + session_->local_dc + "'";
        return detail.empty() ? m : m + ": " + detail;
    }

    // `encoded`: the statement's values already encoded, for the first attempt, or null.
    void attempt(std::size_t node, bool speculative, const transport::encoded_values* encoded = nullptr) {
        auto pc = session_->least_busy(node);
        // A connection that failed while idle (its node died between requests) is dropped
        // before anything is sent on it: the request goes elsewhere, idempotent or not. The
        // connections share the session's strand, so failure() may be read here.
        while (pc && pc->conn.failure()) {
            session_->connection_failed(node, pc, explain(pc->conn.failure(), pc->conn.failure_diagnostics()));
            pc = session_->least_busy(node);
        }
        if (!pc) {
            // The pool lost its connections since the plan was made: the next node.
            record_failure(node, "no open connection");
            return next_node();
        }
        const auto now = std::chrono::steady_clock::now();
        std::chrono::milliseconds timeout{0};  // the statement's own, else the connection's
        if (deadline_) {
            if (now >= *deadline_) {
                if (in_flight_ > 0) return;  // those answer within the deadline, or time out by it
                return out_of_time();
            }
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(*deadline_ - now);
            const auto own = statement_.options.timeout.count() > 0 ? statement_.options.timeout
                                                                    : session_->options.connection.request_timeout;
            timeout = own.count() > 0 ? std::min(own, left) : left;
        }
        attempt_state& a = new_attempt();
        a.node = node;
        a.pc = pc;
        a.speculative = speculative;
        a.number = ++attempts_;
        a.started = now;
        ++pc->in_flight;
        ++in_flight_;
        // The connection runs on the session's strand, where this runs: the statement is lent
        // (the operation keeps it until every attempt has answered) rather than copied, and the
        // answer arrives here with no further pass through the scheduler.
        pc->client.execute_here(
            statement_, encoded, a.diag,
            [self = shared_from_this(), &a](std::error_code ec, transport::query_result r) {
                self->on_attempt(a, ec, std::move(r));
            },
            timeout);
    }

    // `r` by reference: a result is large, and each move of it costs (it crosses three layers).
    void on_attempt(attempt_state& a, std::error_code ec, transport::query_result&& r) {
        --a.pc->in_flight;
        --in_flight_;
        const auto now = std::chrono::steady_clock::now();
        if (!ec) a.pc->last_answer = now;
        // Whether the connection broke is read here, on the strand it shares with the session.
        const bool broken = ec && static_cast<bool>(a.pc->conn.failure());
        if (broken) session_->connection_failed(a.node, a.pc, explain(a.pc->conn.failure(), a.pc->conn.failure_diagnostics()));
        // A connection whose ids are all taken or quarantined (a server that stopped answering)
        // is sick even though nothing broke: replace it.
        if (ec == transport::errc::stream_ids_exhausted)
            session_->connection_failed(a.node, a.pc, "every stream id is taken: the node stopped answering");
        const auto& node = session_->nodes[a.node]->info;
        attempt_report report;
        report.node = node.address;
        report.attempt = a.number;
        report.speculative = a.speculative;
        report.error = ec;
        report.took = now - a.started;
        if (done_) {
            // Another attempt answered first: this one is still reported, and nothing follows it.
            if (session_->options.on_attempt) session_->options.on_attempt(report);
            return;
        }
        if (session_->closed) return finish(make_error_code(errc::session_closed), "the session was closed");
        if (!ec) {
            if (session_->options.on_attempt) session_->options.on_attempt(report);
            execution_result out;
            out.result = std::move(r);
            out.node = node.address;
            out.host_id = node.host_id;
            out.attempts = attempts_;
            if (!out.result.is_schema_change()) return succeed(std::move(out));
            // The next statement may go to any node: it must find the new schema there.
            done_ = true;
            auto self = shared_from_this();
            auto result = std::make_shared<execution_result>(std::move(out));
            return session_->await_schema_agreement([self, result] {
                self->done_ = false;
                self->succeed(std::move(*result));
            });
        }
        protocol::error_view server_error;
        attempt_failure f;
        f.error = ec;
        f.server_error = r.server_error(server_error) ? &server_error : nullptr;
        f.idempotent = statement_.options.idempotent;
        f.maybe_sent = !(ec == transport::errc::stream_ids_exhausted || ec == std::errc::no_buffer_space);
        f.connection_failed = broken;
        f.retries = retries_;
        const auto decision = session_->options.retry->decide(f);
        report.decision = decision;
        if (session_->options.on_attempt) session_->options.on_attempt(report);
        record_failure(a.node, explain(ec, a.diag));
        last_error_ = ec;
        last_diag_ = a.diag;
        last_result_ = std::move(r);  // a server ERROR's details, for the caller
        last_node_ = a.node;
        switch (decision) {
            case retry_decision::rethrow:
                if (in_flight_ > 0) return;  // a speculative execution may still answer
                return fail_with_last();
            case retry_decision::retry_same_node:
                ++retries_;
                return attempt(a.node, false);
            case retry_decision::retry_next_node:
                ++retries_;
                return next_node();
        }
    }

    void next_node() {
        while (next_ < plan_.size()) {
            const auto node = plan_[next_++];
            if (!session_->nodes[node]->connections.empty()) return attempt(node, false);
            record_failure(node, "no open connection");
        }
        if (in_flight_ > 0) return;
        if (last_error_) return fail_with_last();
        finish(make_error_code(errc::no_node_available), no_node_message());
    }

    void arm_speculative() {
        const auto& o = session_->options;
        if (done_ || !statement_.options.idempotent || o.speculative_delay.count() <= 0 ||
            speculative_started_ >= o.max_speculative_executions)
            return;
        if (!speculative_timer_) speculative_timer_.emplace(session_->strand);
        speculative_timer_->expires_after(o.speculative_delay);
        speculative_timer_->async_wait([self = shared_from_this()](boost::system::error_code ec) {
            if (ec || self->done_ || self->next_ >= self->plan_.size()) return;
            ++self->speculative_started_;
            self->attempt(self->plan_[self->next_++], true);
            self->arm_speculative();
        });
    }

    void record_failure(std::size_t node, const std::string& why) {
        if (!failures_.empty()) failures_ += "; ";
        failures_ += endpoint_text(session_->nodes[node]->info.address) + ": " + why;
    }

    // session_options::request_timeout ran out before another attempt could start: the error
    // says so, and the result names the last node tried, as any other failure's.
    void out_of_time() {
        const std::string spent = "the request took its whole " +
                                  std::to_string(session_->options.request_timeout.count()) +
                                  " ms (session_options::request_timeout) over " + std::to_string(attempts_) +
                                  " attempt(s)";
        if (attempts_ == 0) return finish(make_error_code(transport::errc::request_timeout), spent);
        diag_->clear();
        diag_->set_client_message(spent + "; attempts: " + failures_);
        execution_result out;
        out.result = std::move(last_result_);
        out.node = session_->nodes[last_node_]->info.address;
        out.host_id = session_->nodes[last_node_]->info.host_id;
        out.attempts = attempts_;
        complete(make_error_code(transport::errc::request_timeout), std::move(out));
    }

    void fail_with_last() {
        // The last attempt's own error and explanation; the earlier attempts are added.
        *diag_ = last_diag_;
        if (attempts_ > 1) {
            std::string m = diag_->client_message();
            m += (m.empty() ? "" : "; ") + std::string("attempts: ") + failures_;
            diag_->set_client_message(m);
        }
        execution_result out;
        out.result = std::move(last_result_);
        out.node = session_->nodes[last_node_]->info.address;
        out.host_id = session_->nodes[last_node_]->info.host_id;
        out.attempts = attempts_;
        complete(last_error_, std::move(out));
    }

    void finish(std::error_code ec, std::string message) {
        diag_->clear();
        if (!failures_.empty()) message += "; attempts: " + failures_;
        diag_->set_client_message(message);
        complete(ec, execution_result{});
    }

    void succeed(execution_result&& out) {
        diag_->clear();
        complete({}, std::move(out));
    }

    void complete(std::error_code ec, execution_result&& out) {
        if (done_) return;
        done_ = true;
        if (speculative_timer_) speculative_timer_->cancel();
        // A failure found while starting must not run the caller's handler inside its own call.
        if (starting_)
            completion_.complete_later(ec, std::move(out));
        else
            completion_.complete_here(ec, std::move(out));  // on the strand, over the fallback executor
    }

    std::shared_ptr<session_impl> session_;
    transport::statement statement_;
    protocol::diagnostics own_diag_;
    protocol::diagnostics* diag_;
    completion<execute_signature> completion_;
    std::optional<asio::steady_timer> speculative_timer_;  // made when a speculative execution is armed
    std::optional<std::chrono::steady_clock::time_point> deadline_;  // with session_options::request_timeout
    query_plan plan_;
    attempt_state first_attempt_;
    std::vector<std::unique_ptr<attempt_state>> more_attempts_;
    std::size_t next_ = 0;
    int attempts_ = 0;
    int retries_ = 0;
    int in_flight_ = 0;
    int speculative_started_ = 0;
    bool done_ = false;
    bool starting_ = false;  // inside start(), i.e. inside the caller's async_execute
    std::error_code last_error_;
    protocol::diagnostics last_diag_;
    transport::query_result last_result_;
    std::size_t last_node_ = 0;
    std::string failures_;
};

}  // namespace

void session_impl::execute(transport::statement&& s, protocol::diagnostics* diag, completion<execute_signature>&& done) {
    std::make_shared<execute_operation>(shared_from_this(), std::move(s), diag, std::move(done))->start();
}

std::span<const std::size_t> session_impl::replicas_for(const transport::statement& s) {
    scratch.values_of = nullptr;  // set again only when this statement's values are encoded
    if (!options.token_aware) return {};
    auto& values = scratch.values;
    auto& components = scratch.components;
    if (!routing_components(s, values, scratch.values_of, components)) return {};
    const auto& meta = s.prepared()->bind_metadata();
    const auto& keyspace = meta.columns[meta.partition_key_indexes.front()].keyspace;
    auto it = replica_maps.find(keyspace);
    if (it == replica_maps.end()) {
        const auto strategy = keyspaces.find(keyspace);
        if (strategy == keyspaces.end()) return {};
        it = replica_maps.emplace(keyspace, std::make_unique<replica_map>(ring, strategy->second)).first;
    }
    auto& key = scratch.key;
    if (compose_routing_key(components, key)) return {};  // a key component too long to route by
    return it->second->replicas(murmur3_token(key));
}

void session_impl::plan_for(const transport::statement& s, query_plan& plan) {
    auto& candidates = scratch.candidates;
    candidates.assign(nodes.size(), plan_candidate{});
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        const auto& n = *nodes[i];
        candidates[i].usable = n.info.state == node_state::up && !n.connections.empty();
        candidates[i].local = n.info.datacenter == local_dc;
    }
    make_query_plan(candidates, replicas_for(s), rotation++, options.allow_remote_datacenters, plan);
}

}  // namespace cqlwire::cluster

// Waiting, after a schema change, until every live node has applied it. Each live node is asked
// its own schema version (system.local, on its pool's connection) rather than the control node
// about its peers: the control node's view of the others comes from gossip, which can show every
// node at the old version while the change is still on its way — a false agreement.
#include <algorithm>

#include <boost/asio/bind_executor.hpp>

#include "cqlwire/protocol/values.hpp"
#include "session_impl.hpp"

namespace asio = boost::asio;

namespace cqlwire::cluster {
namespace {

constexpr std::chrono::milliseconds recheck_interval{200};

struct agreement_wait {
    std::function<void()> done;
    std::chrono::steady_clock::time_point deadline;
    asio::steady_timer timer;
    std::vector<protocol::uuid> versions;  // of the round under way
    bool unanswered = false;               // a live node of this round did not answer
    std::size_t pending = 0;
};

}  // namespace

void session_impl::await_schema_agreement(std::function<void()> done) {
    if (options.schema_agreement_timeout.count() <= 0) return done();
    auto w = std::make_shared<agreement_wait>(agreement_wait{
        std::move(done), std::chrono::steady_clock::now() + options.schema_agreement_timeout, asio::steady_timer(strand), {}, false, 0});
    // The function refers to itself weakly: only the queries and the timer under way hold it.
    auto round = std::make_shared<std::function<void()>>();
    *round = [this, self = shared_from_this(), w, weak_round = std::weak_ptr<std::function<void()>>(round)] {
        const auto this_round = weak_round.lock();
        if (!this_round) return;
        const auto finish = [w] { w->done(); };
        const auto next_round_or_give_up = [this, w, this_round, finish] {
            if (closed) return finish();
            if (std::chrono::steady_clock::now() >= w->deadline) {
                report_text(node_report::kind::schema_not_agreed, {},
                            "the nodes did not agree on the schema within " +
                                std::to_string(options.schema_agreement_timeout.count()) + " ms");
                return finish();
            }
            w->timer.expires_after(recheck_interval);
            w->timer.async_wait([this_round](boost::system::error_code) { (*this_round)(); });
        };
        w->versions.clear();
        w->unanswered = false;
        w->pending = 0;
        for (auto& n : nodes) {
            if (n->info.state != node_state::up || n->connections.empty()) continue;
            ++w->pending;
            auto diag = std::make_shared<protocol::diagnostics>();
            // Each question is bounded by what is left of the wait.
            transport::statement question("SELECT schema_version FROM system.local");
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(w->deadline - std::chrono::steady_clock::now());
            question.options.timeout = std::max(left, std::chrono::milliseconds(1));
            auto pc = n->connections.front();
            pc->client.async_execute(
                question, *diag,
                asio::bind_executor(strand, [w, diag, pc, finish, next_round_or_give_up](std::error_code ec,
                                                                                         transport::query_result r) {
                    // A node whose connection broke (it is dying) does not hold the others up; one
                    // that does not answer in time has not shown that it agrees.
                    protocol::uuid v;
                    if (!ec && r.rows().size() == 1 && !protocol::to_uuid((*r.rows().begin())[0], v))
                        w->versions.push_back(v);
                    else if (!pc->conn.failure())
                        w->unanswered = true;
                    if (--w->pending > 0) return;
                    const bool agreed = !w->unanswered && std::all_of(w->versions.begin(), w->versions.end(),
                                                                      [&](const protocol::uuid& x) { return x == w->versions.front(); });
                    if (agreed) return finish();
                    next_round_or_give_up();
                }));
        }
        if (w->pending == 0) finish();  // no live node to ask
    };
    (*round)();
}

}  // namespace cqlwire::cluster

// QUERY, PREPARE, EXECUTE and BATCH over a connection, with the prepared-statement cache and
// the re-prepare on Unprepared: the asynchronous operations, and the blocking forms over them.
#include "cqlwire/transport/query_client.hpp"

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/post.hpp>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/errc.hpp"
#include "operation_support.hpp"

namespace cqlwire::transport {

namespace asio = boost::asio;

namespace {

// The frame flags of a request; `payload` holds the views of the custom payload's entries and
// must outlive the returned options.
protocol::request_frame_options frame_of(const statement_options& o, std::vector<protocol::bytes_map_entry>& payload) {
    protocol::request_frame_options f;
    f.tracing = o.tracing;
    if (o.custom_payload) {
        payload.clear();
        for (const auto& [key, bytes] : *o.custom_payload)
            payload.emplace_back(key, protocol::raw_value::of(protocol::bytes_view(bytes)));
        f.custom_payload = std::span<const protocol::bytes_map_entry>(payload);
    }
    return f;
}

// <query_parameters>, as views into `o` and `values`.
protocol::query_parameters parameters_of(const statement_options& o, const encoded_values& values) {
    protocol::query_parameters p;
    p.consistency_level = o.consistency;
    p.values = values.values;
    p.names = values.names;
    p.page_size = o.page_size;
    if (o.paging_state) p.paging_state = protocol::bytes_view(*o.paging_state);
    p.serial_consistency = o.serial_consistency;
    p.default_timestamp = o.default_timestamp;
    return p;
}

request_options request_options_of(const statement_options& o) {
    request_options r;
    r.timeout = o.timeout;
    return r;
}

// The id an Unprepared ERROR names, or an empty view when `r` is not one.
protocol::bytes_view unprepared_id(const response& r) {
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (r.split_prefix(prefix, message)) return {};
    protocol::error_view error;
    if (protocol::decode_error(message, error)) return {};
    if (const auto* u = std::get_if<protocol::unprepared_info>(&error.details)) return u->id;
    return {};
}

bool same_bytes(protocol::bytes_view a, protocol::bytes_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

// ---- PREPARE ------------------------------------------------------------------------------

void query_client::send_prepare(std::string cql, protocol::diagnostics& diag,
                                std::function<void(std::error_code, std::shared_ptr<prepared_statement>)> done) {
    ++counters_.prepares_sent;
    auto encode = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_prepare(out, protocol::request_frame_options{}, cql);
    };
    // The statement belongs to the keyspace current when it was sent (v4 resolves names then).
    connection_->async_request(
        encode, request_options{},
        [this, &diag, cql, keyspace = keyspace_, done = std::move(done)](std::error_code ec, response r) {
            if ((ec = detail::explain_request_failure(*connection_, ec, r, {}, diag))) return done(ec, nullptr);
            query_result result;
            if ((ec = query_result::from_response(std::move(r), result, diag))) return done(ec, nullptr);
            if (!result.is_prepared()) {
                diag.set_client_message("the server answered PREPARE with a " +
                                        std::string(protocol::to_string(result.kind())) + " result");
                return done(make_error_code(errc::protocol_violation), nullptr);
            }
            done({}, std::make_shared<prepared_statement>(keyspace, cql, result.result().prepared));
        });
}

void query_client::start_prepare(std::string cql, protocol::diagnostics* diag,
                                 asio::any_completion_handler<prepare_signature> handler) {
    struct operation {
        detail::pending_completion<prepare_signature> completion;
        std::string cql;
        protocol::diagnostics own_diag;
        protocol::diagnostics* diag;
    };
    auto op = std::make_shared<operation>(
        operation{{std::move(handler), detail::executor_of(*connection_)}, std::move(cql), {}, diag});
    if (op->diag == nullptr) op->diag = &op->own_diag;
    asio::post(detail::executor_of(*connection_), [this, op] {
        if (auto cached = cache_.find(keyspace_, op->cql)) {
            ++counters_.cache_hits;
            return op->completion.complete(std::error_code{}, std::shared_ptr<const prepared_statement>(cached));
        }
        // Statements prepared together (a thousand coroutines starting at once) share one PREPARE.
        auto key = std::make_pair(keyspace_, op->cql);
        auto [waiting, first] = preparing_.try_emplace(key);
        waiting->second.push_back(
            [op](std::error_code ec, const protocol::diagnostics& d, const std::shared_ptr<prepared_statement>& p) {
                if (ec) *op->diag = d;
                op->completion.complete(ec, std::shared_ptr<const prepared_statement>(p));
            });
        if (!first) return;
        auto prepare_diag = std::make_shared<protocol::diagnostics>();
        send_prepare(op->cql, *prepare_diag,
                     [this, key = std::move(key), prepare_diag](std::error_code ec, std::shared_ptr<prepared_statement> p) {
                         if (p) cache_.insert(p);
                         const auto node = preparing_.extract(key);
                         for (const auto& waiter : node.mapped()) waiter(ec, *prepare_diag, p);
                     });
    });
}

std::shared_ptr<const prepared_statement> query_client::prepare(std::string_view cql, std::error_code& ec,
                                                                protocol::diagnostics& diag) {
    return detail::wait_for_result<std::shared_ptr<const prepared_statement>>(
        detail::executor_of(*connection_), [&](auto handler) { async_prepare(cql, diag, std::move(handler)); }, ec, diag);
}

std::shared_ptr<const prepared_statement> query_client::prepare(std::string_view cql) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto p = prepare(cql, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return p;
}

// ---- QUERY / EXECUTE / BATCH ----------------------------------------------------------------

std::error_code query_client::finish(response r, query_result& out, protocol::diagnostics& diag) {
    if (auto ec = query_result::from_response(std::move(r), out, diag)) return ec;
    if (out.is_set_keyspace()) keyspace_.assign(out.keyspace());
    return {};
}

// One QUERY, EXECUTE or BATCH on the connection's executor: encode and send; while the server
// answers Unprepared for a statement it holds, PREPARE that statement again (updating it in
// place, so every handle gets the new id) and send again, at most max_retries_ times. Shared by
// the callbacks it waits for; ends by completing the caller's handler. Every step runs on the
// connection's executor, so a handler without an executor of its own is called directly.
class query_client::execute_operation : public std::enable_shared_from_this<execute_operation> {
public:
    // `request` is the statement or batch, owned; or a statement borrowed by execute_here.
    execute_operation(query_client& client, std::variant<statement, batch, const statement*> request,
                      protocol::diagnostics* diag, asio::any_completion_handler<query_signature> handler,
                      handler_executor hint = handler_executor::unknown)
        : client_(client),
          request_(std::move(request)),
          diag_(diag != nullptr ? diag : &own_diag_),
          completion_(std::move(handler), detail::executor_of(*client.connection_), hint) {
        // A statement is re-prepared at most once. After a restart the server may have
        // forgotten every statement of a batch, and it names one per answer: so at most one
        // retry per statement there.
        if (const auto* b = std::get_if<batch>(&request_)) {
            for (const auto& member : b->statements()) max_retries_ += member.is_prepared() ? 1 : 0;
        } else {
            max_retries_ = single()->is_prepared() ? 1 : 0;
        }
    }

    // Positive: each send's timeout, instead of the statement's.
    void set_timeout(std::chrono::milliseconds t) noexcept { timeout_ = t; }

    // `encoded`: the statement's values already encoded (execute_here's first send), or null.
    void send(const encoded_values* encoded = nullptr) {
        const auto& options = options_of();
        std::vector<protocol::bytes_map_entry> payload;
        const auto frame = frame_of(options, payload);
        auto on_response = [self = shared_from_this()](std::error_code ec, response r) {
            self->on_response(ec, std::move(r));
        };
        if (const auto* s = single()) {
            if (encoded == nullptr) {
                const auto* markers = s->is_prepared() ? &s->prepared()->bind_metadata().columns : nullptr;
                if (auto ec = encode_statement_values(*s, markers, client_.send_values_, *diag_))
                    return completion_.complete_here(ec, query_result{});
                encoded = &client_.send_values_;
            }
            const auto parameters = parameters_of(options, *encoded);
            auto encode = [&](std::vector<std::uint8_t>& out) {
                return s->is_prepared() ? protocol::encode_execute(out, frame, s->prepared()->id(), parameters)
                                        : protocol::encode_query(out, frame, s->query(), parameters);
            };
            client_.connection_->async_request(encode, request_options_for(options), std::move(on_response));
            return;
        }
        const auto& b = std::get<batch>(request_);
        const auto& statements = b.statements();
        std::vector<encoded_values> values(statements.size());
        std::vector<protocol::batch_statement> entries;
        entries.reserve(statements.size());
        for (std::size_t i = 0; i < statements.size(); ++i) {
            const auto& s = statements[i];
            if (!s.names().empty()) {
                diag_->set_client_message("batch statement " + std::to_string(i) +
                                          " has named values; a v4 BATCH takes positional values only");
                return completion_.complete_here(make_error_code(protocol::client_errc::bad_value), query_result{});
            }
            const auto* markers = s.is_prepared() ? &s.prepared()->bind_metadata().columns : nullptr;
            if (auto ec = encode_statement_values(s, markers, values[i], *diag_)) {
                diag_->set_client_message("batch statement " + std::to_string(i) + ": " + diag_->client_message());
                return completion_.complete_here(ec, query_result{});
            }
            entries.push_back(s.is_prepared() ? protocol::batch_statement::of_prepared(s.prepared()->id(), values[i].values)
                                              : protocol::batch_statement::of_query(s.query(), values[i].values));
        }
        protocol::batch_request request;
        request.type = b.type();
        request.statements = entries;
        request.consistency_level = b.options.consistency;
        request.serial_consistency = b.options.serial_consistency;
        request.default_timestamp = b.options.default_timestamp;
        auto encode = [&](std::vector<std::uint8_t>& out) { return protocol::encode_batch(out, frame, request); };
        client_.connection_->async_request(encode, request_options_for(options), std::move(on_response));
    }

private:
    request_options request_options_for(const statement_options& options) const {
        auto r = request_options_of(options);
        if (timeout_.count() > 0) r.timeout = timeout_;
        return r;
    }

    // The single statement, or null for a batch.
    const statement* single() const noexcept {
        if (const auto* owned = std::get_if<statement>(&request_)) return owned;
        if (const auto* borrowed = std::get_if<const statement*>(&request_)) return *borrowed;
        return nullptr;
    }
    const statement_options& options_of() const {
        if (const auto* s = single()) return s->options;
        return std::get<batch>(request_).options;
    }
    // The prepared statement of the request whose id the server named, or null.
    std::shared_ptr<const prepared_statement> prepared_with_id(protocol::bytes_view id) const {
        auto matches = [&](const statement& s) { return s.is_prepared() && same_bytes(s.prepared()->id(), id); };
        if (const auto* s = single()) return matches(*s) ? s->prepared() : nullptr;
        for (const auto& member : std::get<batch>(request_).statements())
            if (matches(member)) return member.prepared();
        return nullptr;
    }

    void on_response(std::error_code ec, response r) {
        const auto waited = timeout_.count() > 0 ? timeout_ : options_of().timeout;
        ec = detail::explain_request_failure(*client_.connection_, ec, r, waited, *diag_);
        if (attempt_ < max_retries_ && ec == protocol::server_errc::unprepared) return reprepare(ec, r);
        if (ec) return completion_.complete_here(ec, query_result::from_server_error(std::move(r)));
        query_result result;
        if ((ec = client_.finish(std::move(r), result, *diag_))) return completion_.complete_here(ec, query_result{});
        result.set_reprepared(attempt_ > 0);
        completion_.complete_here(std::error_code{}, std::move(result));
    }

    // `r` is the Unprepared error (`ec`), its message already in the diagnostics.
    void reprepare(std::error_code ec, const response& r) {
        ++client_.counters_.unprepared_received;
        auto target = prepared_with_id(unprepared_id(r));
        // An id we never sent: keep the server's error as it is.
        if (!target) return completion_.complete_here(ec, query_result{});
        client_.send_prepare(
            target->query(), prepare_diag_,
            [self = shared_from_this(), target](std::error_code prepare_ec,
                                                          std::shared_ptr<prepared_statement> fresh) {
                self->on_reprepared(target, prepare_ec, std::move(fresh));
            });
    }

    void on_reprepared(const std::shared_ptr<const prepared_statement>& target, std::error_code ec,
                       std::shared_ptr<prepared_statement> fresh) {
        if (!fresh) {
            *diag_ = prepare_diag_;
            diag_->set_client_message("the server forgot a prepared statement and preparing it again failed" +
                                      (prepare_diag_.client_message().empty() ? std::string()
                                                                              : ": " + prepare_diag_.client_message()));
            return completion_.complete_here(ec, query_result{});
        }
        // The statement was created non-const (by send_prepare); handles see it as const so that
        // only the client changes it, which it does here (on the connection's executor, where
        // every operation reads it) so that every handle gets the new id.
        auto writable = std::const_pointer_cast<prepared_statement>(target);
        writable->update(*fresh);
        ++client_.counters_.reprepares;
        if (client_.cache_.find(target->keyspace(), target->query()) != writable) client_.cache_.insert(writable);
        ++attempt_;
        diag_->clear();
        send();
    }

    query_client& client_;
    std::variant<statement, batch, const statement*> request_;
    protocol::diagnostics own_diag_;
    protocol::diagnostics* diag_;
    protocol::diagnostics prepare_diag_;
    detail::pending_completion<query_signature> completion_;
    std::size_t max_retries_ = 0;
    std::size_t attempt_ = 0;
    std::chrono::milliseconds timeout_{0};  // positive: each send's timeout (set_timeout)
};

void query_client::start_execute(statement s, protocol::diagnostics* diag,
                                 asio::any_completion_handler<query_signature> handler) {
    auto op = std::make_shared<execute_operation>(*this, std::move(s), diag, std::move(handler));
    asio::post(detail::executor_of(*connection_), [op] { op->send(); });
}

void query_client::start_execute_here(const statement& s, const encoded_values* values, protocol::diagnostics& diag,
                                      asio::any_completion_handler<query_signature> handler,
                                      std::chrono::milliseconds timeout, handler_executor hint) {
    auto op = std::make_shared<execute_operation>(*this, &s, &diag, std::move(handler), hint);
    op->set_timeout(timeout);
    op->send(values);
}

void query_client::start_batch(batch b, protocol::diagnostics* diag,
                               asio::any_completion_handler<query_signature> handler) {
    auto op = std::make_shared<execute_operation>(*this, std::move(b), diag, std::move(handler));
    asio::post(detail::executor_of(*connection_), [op] { op->send(); });
}

query_result query_client::execute(const statement& s, std::error_code& ec, protocol::diagnostics& diag) {
    return detail::wait_for_result<query_result>(
        detail::executor_of(*connection_), [&](auto handler) { async_execute(s, diag, std::move(handler)); }, ec, diag);
}

query_result query_client::execute(const statement& s) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = execute(s, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return r;
}

query_result query_client::execute(const batch& b, std::error_code& ec, protocol::diagnostics& diag) {
    return detail::wait_for_result<query_result>(
        detail::executor_of(*connection_), [&](auto handler) { async_batch(b, diag, std::move(handler)); }, ec, diag);
}

query_result query_client::execute(const batch& b) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = execute(b, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return r;
}

}  // namespace cqlwire::transport

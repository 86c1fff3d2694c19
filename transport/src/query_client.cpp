// QUERY, PREPARE, EXECUTE and BATCH over a connection, with the prepared-statement cache and
// the re-prepare on Unprepared.
#include "cqlwire/transport/query_client.hpp"

#include <array>
#include <string>
#include <vector>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {

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

std::shared_ptr<prepared_statement> query_client::send_prepare(std::string_view cql, std::error_code& ec,
                                                               protocol::diagnostics& diag) {
    auto encode = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_prepare(out, protocol::request_frame_options{}, cql);
    };
    ++counters_.prepares_sent;
    response r = connection_->request(encode, request_options{}, ec, diag);
    if (ec) return nullptr;
    query_result result;
    if ((ec = query_result::from_response(std::move(r), result, diag))) return nullptr;
    if (!result.is_prepared()) {
        diag.set_client_message("the server answered PREPARE with a " +
                                std::string(protocol::to_string(result.kind())) + " result");
        ec = make_error_code(errc::protocol_violation);
        return nullptr;
    }
    return std::make_shared<prepared_statement>(keyspace_, std::string(cql), result.result().prepared);
}

std::shared_ptr<const prepared_statement> query_client::prepare(std::string_view cql, std::error_code& ec,
                                                                protocol::diagnostics& diag) {
    ec.clear();
    if (auto cached = cache_.find(keyspace_, cql)) {
        ++counters_.cache_hits;
        return cached;
    }
    auto prepared = send_prepare(cql, ec, diag);
    if (prepared) cache_.insert(prepared);
    return prepared;
}

std::shared_ptr<const prepared_statement> query_client::prepare(std::string_view cql) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto p = prepare(cql, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return p;
}

bool query_client::reprepare(const response& r, std::span<const std::shared_ptr<const prepared_statement>> candidates,
                             std::error_code& ec, protocol::diagnostics& diag) {
    ++counters_.unprepared_received;
    const auto id = unprepared_id(r);
    std::shared_ptr<const prepared_statement> target;
    for (const auto& c : candidates) {
        if (c && same_bytes(c->id(), id)) {
            target = c;
            break;
        }
    }
    if (!target) return false;  // an id we never sent: keep the server's error as it is
    std::error_code prepare_ec;
    protocol::diagnostics prepare_diag;
    auto fresh = send_prepare(target->query(), prepare_ec, prepare_diag);
    if (!fresh) {
        ec = prepare_ec;
        diag = prepare_diag;
        diag.set_client_message("the server forgot a prepared statement and preparing it again failed" +
                                (prepare_diag.client_message().empty() ? std::string()
                                                                       : ": " + prepare_diag.client_message()));
        return false;
    }
    // The statement was created non-const (by send_prepare); handles see it as const so that
    // only the client changes it, which it does here so that every handle gets the new id.
    auto writable = std::const_pointer_cast<prepared_statement>(target);
    writable->update(*fresh);
    ++counters_.reprepares;
    if (cache_.find(target->keyspace(), target->query()) != writable) cache_.insert(writable);
    return true;
}

// ---- QUERY / EXECUTE --------------------------------------------------------------------

query_result query_client::finish(response r, std::error_code& ec, protocol::diagnostics& diag) {
    if (ec) return {};
    query_result result;
    if ((ec = query_result::from_response(std::move(r), result, diag))) return {};
    if (result.is_set_keyspace()) keyspace_.assign(result.keyspace());
    return result;
}

template <class Send>
query_result query_client::send_with_reprepare(std::size_t max_retries,
                                               std::span<const std::shared_ptr<const prepared_statement>> candidates,
                                               Send&& send, std::error_code& ec, protocol::diagnostics& diag) {
    for (std::size_t attempt = 0;; ++attempt) {
        response r;
        if (!send(r)) return {};
        if (attempt < max_retries && ec == protocol::server_errc::unprepared) {
            if (!reprepare(r, candidates, ec, diag)) return {};
            ec.clear();
            diag.clear();
            continue;
        }
        query_result result = finish(std::move(r), ec, diag);
        result.set_reprepared(attempt > 0);
        return result;
    }
}

query_result query_client::execute(const statement& s, std::error_code& ec, protocol::diagnostics& diag) {
    ec.clear();
    std::vector<protocol::bytes_map_entry> payload;
    const auto frame = frame_of(s.options, payload);
    if (!s.is_prepared()) {
        encoded_values values;
        if ((ec = encode_statement_values(s, nullptr, values, diag))) return {};
        const auto parameters = parameters_of(s.options, values);
        auto encode = [&](std::vector<std::uint8_t>& out) {
            return protocol::encode_query(out, frame, s.query(), parameters);
        };
        return finish(connection_->request(encode, request_options_of(s.options), ec, diag), ec, diag);
    }
    const std::array candidates{s.prepared()};
    return send_with_reprepare(
        1, candidates,
        [&](response& r) {
            encoded_values values;
            if ((ec = encode_statement_values(s, &s.prepared()->bind_metadata().columns, values, diag))) return false;
            const auto parameters = parameters_of(s.options, values);
            auto encode = [&](std::vector<std::uint8_t>& out) {
                return protocol::encode_execute(out, frame, s.prepared()->id(), parameters);
            };
            r = connection_->request(encode, request_options_of(s.options), ec, diag);
            return true;
        },
        ec, diag);
}

query_result query_client::execute(const statement& s) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = execute(s, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return r;
}

// ---- BATCH --------------------------------------------------------------------------------

query_result query_client::execute(const batch& b, std::error_code& ec, protocol::diagnostics& diag) {
    ec.clear();
    std::vector<protocol::bytes_map_entry> payload;
    const auto frame = frame_of(b.options, payload);
    const auto& statements = b.statements();
    std::vector<std::shared_ptr<const prepared_statement>> prepared;
    for (const auto& s : statements)
        if (s.is_prepared()) prepared.push_back(s.prepared());
    // Each retry re-prepares one statement the server forgot (after a restart it may have
    // forgotten them all, and it names one per answer); so at most one retry per statement.
    return send_with_reprepare(
        prepared.size(), prepared,
        [&](response& r) {
            std::vector<encoded_values> values(statements.size());
            std::vector<protocol::batch_statement> entries;
            entries.reserve(statements.size());
            for (std::size_t i = 0; i < statements.size(); ++i) {
                const auto& s = statements[i];
                if (!s.names().empty()) {
                    diag.set_client_message("batch statement " + std::to_string(i) +
                                            " has named values; a v4 BATCH takes positional values only");
                    ec = make_error_code(protocol::client_errc::bad_value);
                    return false;
                }
                const auto* markers = s.is_prepared() ? &s.prepared()->bind_metadata().columns : nullptr;
                if ((ec = encode_statement_values(s, markers, values[i], diag))) {
                    diag.set_client_message("batch statement " + std::to_string(i) + ": " + diag.client_message());
                    return false;
                }
                entries.push_back(s.is_prepared()
                                      ? protocol::batch_statement::of_prepared(s.prepared()->id(), values[i].values)
                                      : protocol::batch_statement::of_query(s.query(), values[i].values));
            }
            protocol::batch_request request;
            request.type = b.type();
            request.statements = entries;
            request.consistency_level = b.options.consistency;
            request.serial_consistency = b.options.serial_consistency;
            request.default_timestamp = b.options.default_timestamp;
            auto encode = [&](std::vector<std::uint8_t>& out) { return protocol::encode_batch(out, frame, request); };
            r = connection_->request(encode, request_options_of(b.options), ec, diag);
            return true;
        },
        ec, diag);
}

query_result query_client::execute(const batch& b) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = execute(b, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return r;
}

}  // namespace cqlwire::transport

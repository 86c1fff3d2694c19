// What the query-surface tests share: RESULT and ERROR frames the fake server answers with, a
// log of what it received, and a started-up plaintext connection to it.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>

#include "cql_test_client.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "fake_cql_server.hpp"
#include "test_support.hpp"

namespace cqlwire::test {

using bytes = std::vector<std::uint8_t>;

// What the fake server received, copied under a lock (handlers run on the server's thread).
class request_log {
public:
    void add(const fake_request& r) {
        std::lock_guard lock(mutex_);
        requests_.push_back(r);
    }
    std::vector<fake_request> all() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }
    std::vector<protocol::opcode> opcodes() const {
        std::vector<protocol::opcode> out;
        for (const auto& r : all()) out.push_back(r.header.op);
        return out;
    }

private:
    mutable std::mutex mutex_;
    std::vector<fake_request> requests_;
};

inline protocol::column_spec column(std::string name, protocol::type_kind kind) {
    return {"ks", "t", std::move(name), protocol::data_type::of(kind)};
}

inline bytes prepared_frame(std::int16_t stream, const bytes& id, std::vector<protocol::column_spec> markers,
                            std::vector<protocol::column_spec> result_columns = {}) {
    protocol::prepared_metadata m;
    m.columns = std::move(markers);
    protocol::result_metadata rows;
    rows.column_count = static_cast<std::int32_t>(result_columns.size());
    rows.columns = std::move(result_columns);
    bytes out;
    if (protocol::encode_result_prepared(out, protocol::response_frame_options{stream, {}, {}, {}}, id, m, rows))
        out.clear();
    return out;
}

inline bytes unprepared_frame(std::int16_t stream, const bytes& id) {
    protocol::error_view e;
    e.code = 0x2500;
    e.message = "Prepared query with ID not found";
    e.details = protocol::unprepared_info{id};
    bytes out;
    if (protocol::encode_error(out, protocol::response_frame_options{stream, {}, {}, {}}, e)) out.clear();
    return out;
}

// A Schema_change result: CREATED TABLE ks.t.
inline bytes table_created_frame(std::int16_t stream) {
    protocol::schema_change_view change;
    change.change_type = "CREATED";
    change.target = protocol::schema_change_target::table;
    change.keyspace = "ks";
    change.name = "t";
    bytes out;
    if (protocol::encode_result_schema_change(out, protocol::response_frame_options{stream, {}, {}, {}}, change))
        out.clear();
    return out;
}

// A Rows result with one int column "k" holding `keys`, and a paging state when given.
inline bytes int_rows_frame(std::int16_t stream, const std::vector<std::int32_t>& keys,
                            std::optional<std::string> state) {
    protocol::result_metadata m;
    m.columns = {column("k", protocol::type_kind::int_)};
    m.column_count = 1;
    std::vector<bytes> storage;
    for (auto k : keys) {
        const auto u = static_cast<std::uint32_t>(k);
        storage.push_back({static_cast<std::uint8_t>(u >> 24), static_cast<std::uint8_t>(u >> 16),
                           static_cast<std::uint8_t>(u >> 8), static_cast<std::uint8_t>(u)});
    }
    std::vector<protocol::raw_value> cells;
    for (const auto& s : storage) cells.push_back(protocol::raw_value::of(s));
    bytes out;
    std::optional<protocol::bytes_view> paging;
    if (state) paging = protocol::as_bytes(*state);
    if (protocol::encode_result_rows(out, protocol::response_frame_options{stream, {}, {}, {}}, m, cells, paging))
        out.clear();
    return out;
}

// A plaintext connection to the fake server, started up. `on_strand`: its executor is a strand,
// as a connection needs when more than one thread runs its io_context (a blocking call made
// while another thread runs it is one more).
struct client_fixture {
    explicit client_fixture(const fake_cql_server& server, bool on_strand = false)
        : c(on_strand ? plain_stream_to(boost::asio::make_strand(ioc), server.port())
                      : plain_stream_to(ioc, server.port())) {
        protocol::diagnostics diag;
        REQUIRE(c.startup({}, diag) == std::error_code{});
    }
    boost::asio::io_context ioc;
    transport::connection c;
};

inline const bytes statement_id{0xAB, 0xCD};

}  // namespace cqlwire::test

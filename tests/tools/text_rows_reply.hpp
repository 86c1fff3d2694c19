// A ROWS reply of text columns, for the fake server's handlers in the command's tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "fake_cql_server.hpp"
#include "test_support.hpp"

namespace cqlwire::test {

// Sends, as the answer to `request`, the rows of `cells` (row by row, serialized values) under
// `m`'s columns.
inline void send_rows(fake_session& session, const fake_request& request, const protocol::result_metadata& m,
                      const std::vector<protocol::raw_value>& cells) {
    protocol::response_frame_options f;
    f.stream = request.header.stream;
    std::vector<std::uint8_t> out;
    CHECK_FALSE(protocol::encode_result_rows(out, f, m, cells, std::nullopt));
    session.send_raw(std::move(out));
}

// Sends, as the answer to `request`, the rows of `cells` (row by row) under text columns
// `names` of keyspace.table.
inline void send_text_rows(fake_session& session, const fake_request& request, const std::string& keyspace,
                           const std::string& table, const std::vector<std::string>& names,
                           const std::vector<std::string>& cells) {
    protocol::result_metadata m;
    m.flags = protocol::metadata_flags::global_tables_spec;
    m.column_count = static_cast<std::int32_t>(names.size());
    for (const auto& n : names)
        m.columns.push_back({keyspace, table, n, protocol::data_type::of(protocol::type_kind::varchar)});
    std::vector<protocol::raw_value> raw;
    for (const auto& c : cells) raw.push_back(protocol::raw_value::of(protocol::as_bytes(c)));
    send_rows(session, request, m, raw);
}

}  // namespace cqlwire::test

// How COPY FROM turns a CSV record into the values of a request: the fields parsed as the columns'
// types (protocol/parse_literal.hpp, DATETIMEFORMAT for timestamps), NULL's text as a null, a
// quoted empty field as an empty text, and the partition key's bytes for grouping rows into
// batches.
//
// The statements, prepared once: an INSERT of the columns (USING TTL when asked); for a table
// with counters, an UPDATE adding each counter; and, for a table with static columns, an INSERT
// of the partition key and its static columns, for the records that hold a partition without
// rows (COPY TO writes those with empty clustering columns, and they must read back).
//
// Rows are encoded once, straight into bytes (encoded_rows), and requests are framed from those
// bytes (an EXECUTE for one row, an UNLOGGED or COUNTER BATCH for more) with no statement
// objects between: COPY FROM's client CPU is mostly this.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "copy_options.hpp"
#include "copy_support.hpp"
#include "cqlwire/protocol/parse_literal.hpp"
#include "cqlwire/transport/query_client.hpp"

namespace cqlwire::cli {

// Encoded rows: each row's values back to back in `data`, each value an offset and a size (-1:
// null), each row its first value and which statement it is for.
struct encoded_rows {
    std::vector<std::uint8_t> data;
    std::vector<std::uint32_t> offsets;
    std::vector<std::int32_t> sizes;
    std::vector<std::uint32_t> row_starts;
    std::vector<std::uint8_t> row_targets;

    std::size_t rows() const noexcept { return row_starts.size(); }
    void clear() noexcept {
        data.clear();
        offsets.clear();
        sizes.clear();
        row_starts.clear();
        row_targets.clear();
    }
    // Appends row `row` of `from`.
    void append_row(const encoded_rows& from, std::size_t row);
};

class row_encoder {
public:
    // `columns`: the file's columns in order; `used[i]` says whether column i is imported
    // (SKIPCOLS leaves some out). Prepares the statements; false with `error` set on failure.
    bool prepare(transport::query_client& client, const table_schema& schema, const std::string& keyspace,
                 const std::string& table, const std::vector<std::string>& columns, const std::vector<bool>& used,
                 const copy_options& options, protocol::consistency consistency, std::string& error);

    // Appends one record's row to `out`; false with `why` set (and `out` as it was) when a
    // field does not parse. `quoted[i]` says whether field i was quoted. `key` receives the
    // partition key's bytes.
    bool encode(const std::vector<std::string>& fields, const std::vector<bool>& quoted, encoded_rows& out,
                std::string& key, std::string& why);

    // Appends the request frame for `rows`: an EXECUTE for one row, else a BATCH.
    std::error_code append_frame(const encoded_rows& rows, std::vector<std::uint8_t>& out) const;

    // Prepares the statements again (the server forgot them: a restart, a schema change);
    // false with `error` set when it cannot.
    bool prepare_again(transport::query_client& client, std::string& error);

private:
    // One prepared statement and where each file column goes in it.
    struct target {
        std::string cql;
        std::shared_ptr<const transport::prepared_statement> prepared;
        std::vector<std::uint8_t> id;  // the prepared id, as sent
        std::vector<std::optional<std::size_t>> marker_of;  // file column -> bind marker
        std::vector<std::size_t> column_of;                 // bind marker -> file column
        std::vector<std::size_t> key_markers;
    };
    bool prepare_target(transport::query_client& client, const std::string& cql, std::size_t markers, target& t,
                        std::string& error);
    // Whether field i of a record stands for a null.
    bool is_null(const std::vector<std::string>& fields, const std::vector<bool>& quoted, std::size_t i) const;
    // Appends field `text` of file column `column` (a null when `null`).
    bool encode_field(const std::string& text, bool null, std::size_t column, const protocol::data_type& type,
                      encoded_rows& out, std::string& why);

    std::vector<std::string> columns_;
    std::vector<bool> used_;
    std::vector<bool> in_primary_key_;
    std::vector<bool> in_clustering_;
    std::vector<bool> is_static_;
    std::vector<bool> text_column_;  // text or ascii: "" is an empty text there
    copy_options options_;
    protocol::literal_options literal_;
    protocol::consistency consistency_ = protocol::consistency::one;
    bool counters_ = false;
    target main_;
    std::optional<target> statics_;  // the partition-only INSERT, when the table has statics
};

}  // namespace cqlwire::cli

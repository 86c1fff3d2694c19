// COPY FROM's records as statements; see copy_row_encoder.hpp.
#include "copy_row_encoder.hpp"

#include <algorithm>

#include "copy_time_format.hpp"

namespace cqlwire::cli {

namespace {

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

void encoded_rows::append_row(const encoded_rows& from, std::size_t row) {
    const std::size_t first = from.row_starts[row];
    const std::size_t last = row + 1 < from.rows() ? from.row_starts[row + 1] : from.offsets.size();
    row_starts.push_back(static_cast<std::uint32_t>(offsets.size()));
    row_targets.push_back(from.row_targets[row]);
    for (std::size_t v = first; v < last; ++v) {
        offsets.push_back(static_cast<std::uint32_t>(data.size()));
        sizes.push_back(from.sizes[v]);
        if (from.sizes[v] > 0) {
            const auto* begin = from.data.data() + from.offsets[v];
            data.insert(data.end(), begin, begin + from.sizes[v]);
        }
    }
}

bool row_encoder::prepare_target(transport::query_client& client, const std::string& cql, std::size_t markers,
                                 target& t, std::string& error) {
    std::error_code ec;
    protocol::diagnostics diag;
    t.cql = cql;
    t.prepared = client.prepare(cql, ec, diag);
    if (ec || !t.prepared) {
        error = "COPY FROM could not prepare its statement: " +
                (diag.server_message().empty() ? ec.message() : std::string(diag.server_message()));
        return false;
    }
    if (t.prepared->bind_metadata().columns.size() != markers) {
        error = "COPY FROM: the server prepared its statement with " +
                std::to_string(t.prepared->bind_metadata().columns.size()) + " markers, not " + std::to_string(markers);
        return false;
    }
    const auto id = t.prepared->id();
    t.id.assign(id.begin(), id.end());
    const auto& keys = t.prepared->bind_metadata().partition_key_indexes;
    t.key_markers.assign(keys.begin(), keys.end());
    t.column_of.assign(markers, 0);
    for (std::size_t i = 0; i < t.marker_of.size(); ++i)
        if (t.marker_of[i]) t.column_of[*t.marker_of[i]] = i;
    return true;
}

bool row_encoder::prepare_again(transport::query_client& client, std::string& error) {
    client.cache().clear();  // the cached ids are the ones the server forgot
    for (target* t : {&main_, statics_ ? &*statics_ : nullptr}) {
        if (t == nullptr) continue;
        const std::string cql = t->cql;
        if (!prepare_target(client, cql, t->column_of.size(), *t, error)) return false;
    }
    return true;
}

std::error_code row_encoder::append_frame(const encoded_rows& rows, std::vector<std::uint8_t>& out) const {
    std::vector<protocol::raw_value> values;
    values.reserve(rows.offsets.size());
    for (std::size_t v = 0; v < rows.offsets.size(); ++v)
        values.push_back(rows.sizes[v] < 0
                             ? protocol::raw_value::null()
                             : protocol::raw_value::of(protocol::bytes_view(rows.data.data() + rows.offsets[v],
                                                                            static_cast<std::size_t>(rows.sizes[v]))));
    auto values_of = [&](std::size_t row) {
        const std::size_t first = rows.row_starts[row];
        const std::size_t last = row + 1 < rows.rows() ? rows.row_starts[row + 1] : values.size();
        return std::span<const protocol::raw_value>(values.data() + first, last - first);
    };
    auto id_of = [&](std::size_t row) {
        const target& t = rows.row_targets[row] == 0 ? main_ : *statics_;
        return protocol::bytes_view(t.id.data(), t.id.size());
    };
    const protocol::request_frame_options frame;
    if (rows.rows() == 1) {
        protocol::query_parameters p;
        p.consistency_level = consistency_;
        p.values = values_of(0);
        return protocol::encode_execute(out, frame, id_of(0), p);
    }
    std::vector<protocol::batch_statement> statements;
    statements.reserve(rows.rows());
    for (std::size_t r = 0; r < rows.rows(); ++r) statements.push_back(protocol::batch_statement::of_prepared(id_of(r), values_of(r)));
    protocol::batch_request b;
    b.type = counters_ ? protocol::batch_type::counter : protocol::batch_type::unlogged;
    b.statements = statements;
    b.consistency_level = consistency_;
    return protocol::encode_batch(out, frame, b);
}

bool row_encoder::prepare(transport::query_client& client, const table_schema& schema, const std::string& keyspace,
                          const std::string& table, const std::vector<std::string>& columns,
                          const std::vector<bool>& used, const copy_options& options, protocol::consistency consistency,
                          std::string& error) {
    columns_ = columns;
    used_ = used;
    options_ = options;
    consistency_ = consistency;
    literal_.true_text = options_.true_text;
    literal_.false_text = options_.false_text;
    literal_.decimal_sep = options_.decimal_sep;
    literal_.thousands_sep = options_.thousands_sep;
    const std::size_t n = columns.size();
    in_primary_key_.assign(n, false);
    in_clustering_.assign(n, false);
    is_static_.assign(n, false);
    for (std::size_t i = 0; i < n; ++i) {
        in_primary_key_[i] = contains(schema.primary_key, columns[i]);
        in_clustering_[i] = contains(schema.clustering, columns[i]);
        is_static_[i] = contains(schema.statics, columns[i]);
    }
    counters_ = !schema.counters.empty();
    const std::string qualified = cql_name(keyspace) + "." + cql_name(table);
    const std::string ttl = options.ttl ? " USING TTL " + std::to_string(*options.ttl) : "";
    main_ = {};
    main_.marker_of.assign(n, std::nullopt);
    std::size_t markers = 0;
    std::string cql;
    if (counters_) {
        // UPDATE adds each counter; the key columns come last, in the WHERE clause.
        std::string sets, where;
        for (std::size_t i = 0; i < n; ++i) {
            if (!used[i] || in_primary_key_[i]) continue;
            const std::string name = cql_name(columns[i]);
            sets += (sets.empty() ? "" : ", ") + name + " = " + name + " + ?";
            main_.marker_of[i] = markers++;
        }
        for (std::size_t i = 0; i < n; ++i) {
            if (!used[i] || !in_primary_key_[i]) continue;
            where += (where.empty() ? "" : " AND ") + cql_name(columns[i]) + " = ?";
            main_.marker_of[i] = markers++;
        }
        if (sets.empty()) {
            error = "COPY FROM into a counter table needs a counter column";
            return false;
        }
        cql = "UPDATE " + qualified + ttl + " SET " + sets + " WHERE " + where;
    } else {
        std::string names, marks;
        for (std::size_t i = 0; i < n; ++i) {
            if (!used[i]) continue;
            names += (names.empty() ? "" : ", ") + cql_name(columns[i]);
            marks += marks.empty() ? "?" : ", ?";
            main_.marker_of[i] = markers++;
        }
        cql = "INSERT INTO " + qualified + " (" + names + ") VALUES (" + marks + ")" + ttl;
    }
    if (!prepare_target(client, cql, markers, main_, error)) return false;
    // Which columns are text, for telling "" from a null.
    text_column_.assign(n, false);
    for (std::size_t m = 0; m < main_.column_of.size(); ++m) {
        const auto kind = main_.prepared->bind_metadata().columns[m].type.kind;
        text_column_[main_.column_of[m]] = kind == protocol::type_kind::varchar || kind == protocol::type_kind::ascii;
    }
    statics_.reset();
    if (!counters_ && !schema.statics.empty() && !schema.clustering.empty()) {
        target t;
        t.marker_of.assign(n, std::nullopt);
        std::string names, marks;
        std::size_t m = 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (!used[i] || !(is_static_[i] || (in_primary_key_[i] && !in_clustering_[i]))) continue;
            names += (names.empty() ? "" : ", ") + cql_name(columns[i]);
            marks += marks.empty() ? "?" : ", ?";
            t.marker_of[i] = m++;
        }
        if (!prepare_target(client, "INSERT INTO " + qualified + " (" + names + ") VALUES (" + marks + ")" + ttl, m, t,
                            error))
            return false;
        statics_ = std::move(t);
    }
    return true;
}

bool row_encoder::is_null(const std::vector<std::string>& fields, const std::vector<bool>& quoted,
                          std::size_t i) const {
    // NULL's text, unquoted, is a null; "" (quoted) is an empty text, and a null for other types.
    const bool quoted_empty = i < quoted.size() && quoted[i] && fields[i].empty();
    return fields[i] == options_.null_text && !(quoted_empty && text_column_[i]);
}

bool row_encoder::encode_field(const std::string& text, bool null, std::size_t column,
                               const protocol::data_type& type, encoded_rows& out, std::string& why) {
    out.offsets.push_back(static_cast<std::uint32_t>(out.data.size()));
    if (null) {
        if (type.kind == protocol::type_kind::counter) {
            // A counter adds nothing for a missing value, as in cqlsh (the server refuses null).
            out.data.insert(out.data.end(), 8, 0);
            out.sizes.push_back(8);
            return true;
        }
        out.sizes.push_back(-1);
        return true;
    }
    protocol::value v;
    std::string problem;
    if (type.kind == protocol::type_kind::timestamp && !options_.datetime_format.empty()) {
        if (auto ms = parse_timestamp(options_.datetime_format, text)) v = protocol::value::from(protocol::cql_timestamp{*ms});
        else problem = protocol::parse_cql_literal(text, type, v, literal_);
    } else {
        problem = protocol::parse_cql_literal(text, type, v, literal_);
    }
    const std::size_t before = out.data.size();
    if (problem.empty()) {
        if (auto e = protocol::encode_value(v, type, out.data)) problem = e.message();
    }
    if (!problem.empty()) {
        why = "Failed to parse the value of column " + columns_[column] + ": " + problem;
        return false;
    }
    out.sizes.push_back(static_cast<std::int32_t>(out.data.size() - before));
    return true;
}

bool row_encoder::encode(const std::vector<std::string>& fields, const std::vector<bool>& quoted, encoded_rows& out,
                         std::string& key, std::string& why) {
    if (fields.size() != columns_.size()) {
        why = "Invalid row length " + std::to_string(fields.size()) + " should be " + std::to_string(columns_.size());
        return false;
    }
    // A partition without rows: every clustering column and regular column null.
    bool partition_only = statics_.has_value();
    for (std::size_t i = 0; i < fields.size() && partition_only; ++i)
        if (used_[i] && !is_static_[i] && !(in_primary_key_[i] && !in_clustering_[i]) && !is_null(fields, quoted, i))
            partition_only = false;
    const target& t = partition_only ? *statics_ : main_;
    const auto& markers = t.prepared->bind_metadata().columns;
    // Undone on failure, so that `out` holds whole rows only.
    const std::size_t data_size = out.data.size(), values = out.offsets.size();
    auto undo = [&] {
        out.data.resize(data_size);
        out.offsets.resize(values);
        out.sizes.resize(values);
        return false;
    };
    for (std::size_t m = 0; m < markers.size(); ++m) {
        const std::size_t i = t.column_of[m];
        const bool null = is_null(fields, quoted, i);
        if (in_primary_key_[i] && null) {
            why = "Cannot insert null value for primary key column '" + columns_[i] + "'.";
            return undo();
        }
        if (!encode_field(fields[i], null, i, markers[m].type, out, why)) return undo();
    }
    key.clear();
    for (std::size_t k : t.key_markers) {
        const std::int32_t n = out.sizes[values + k];
        key.append(reinterpret_cast<const char*>(&n), sizeof n);
        if (n > 0) key.append(reinterpret_cast<const char*>(out.data.data() + out.offsets[values + k]), static_cast<std::size_t>(n));
    }
    out.row_starts.push_back(static_cast<std::uint32_t>(values));
    out.row_targets.push_back(partition_only ? 1 : 0);
    return true;
}

}  // namespace cqlwire::cli

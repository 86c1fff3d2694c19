#include "cqlwire/protocol/result.hpp"

#include <algorithm>

namespace cqlwire::protocol {
namespace {

// Column specs: (<ksname><tablename>)?<name><type>. A spec takes at least a two-byte name and
// a two-byte type id, plus two two-byte strings without a global table spec; a count beyond
// what the input can hold is refused before anything is reserved.
std::error_code read_column_specs(byte_reader& r, std::int32_t flags, std::int32_t count,
                                  std::vector<column_spec>& out) {
    out.clear();
    const bool global = (flags & metadata_flags::global_tables_spec) != 0;
    std::string_view global_ks, global_table;
    if (global) {
        if (auto ec = r.read_string(global_ks)) return ec;
        if (auto ec = r.read_string(global_table)) return ec;
    }
    const std::size_t min_spec = global ? 4 : 8;
    if (static_cast<std::size_t>(count) > r.remaining() / min_spec) return make_error_code(client_errc::truncated);
    out.reserve(static_cast<std::size_t>(count));
    for (std::int32_t i = 0; i < count; ++i) {
        std::string_view ks = global_ks, table = global_table, name;
        if (!global) {
            if (auto ec = r.read_string(ks)) return ec;
            if (auto ec = r.read_string(table)) return ec;
        }
        if (auto ec = r.read_string(name)) return ec;
        column_spec c;
        if (auto ec = decode_type(r, c.type)) return ec;
        c.keyspace.assign(ks);
        c.table.assign(table);
        c.name.assign(name);
        out.push_back(std::move(c));
    }
    return {};
}

std::error_code read_count(byte_reader& r, std::int32_t& out) {
    if (auto ec = r.read_int(out)) return ec;
    if (out < 0) return make_error_code(client_errc::length_out_of_range);
    return {};
}

// <flags><columns_count>[<paging_state>] of Rows metadata: what comes before the column specs.
std::error_code read_metadata_head(byte_reader& r, result_metadata& out, raw_value& paging_state) {
    paging_state = raw_value::null();
    if (auto ec = r.read_int(out.flags)) return ec;
    if (auto ec = read_count(r, out.column_count)) return ec;
    if (out.flags & metadata_flags::has_more_pages) return r.read_bytes(paging_state);
    return {};
}

}  // namespace

std::string_view to_string(result_kind k) noexcept {
    switch (k) {
    case result_kind::void_: return "Void";
    case result_kind::rows: return "Rows";
    case result_kind::set_keyspace: return "Set_keyspace";
    case result_kind::prepared: return "Prepared";
    case result_kind::schema_change: return "Schema_change";
    }
    return "Unknown";
}

const data_type& untyped_column_type() noexcept {
    static const data_type blob = data_type::of(type_kind::blob);
    return blob;
}

std::error_code decode_result_metadata(byte_reader& r, result_metadata& out, raw_value& paging_state) {
    out.columns.clear();
    if (auto ec = read_metadata_head(r, out, paging_state)) return ec;
    if (!out.has_column_specs()) return {};
    return read_column_specs(r, out.flags, out.column_count, out.columns);
}

std::error_code decode_prepared_metadata(byte_reader& r, prepared_metadata& out) {
    out.partition_key_indexes.clear();
    out.columns.clear();
    std::int32_t column_count = 0, pk_count = 0;
    if (auto ec = r.read_int(out.flags)) return ec;
    if (auto ec = read_count(r, column_count)) return ec;
    if (auto ec = read_count(r, pk_count)) return ec;
    if (static_cast<std::size_t>(pk_count) > r.remaining() / 2) return make_error_code(client_errc::truncated);
    out.partition_key_indexes.reserve(static_cast<std::size_t>(pk_count));
    for (std::int32_t i = 0; i < pk_count; ++i) {
        std::uint16_t index = 0;
        if (auto ec = r.read_short(index)) return ec;
        out.partition_key_indexes.push_back(index);
    }
    return read_column_specs(r, out.flags, column_count, out.columns);
}

std::error_code decode_rows_result(byte_reader& r, const result_metadata& metadata, raw_value paging_state,
                                   const result_metadata* known_metadata, rows_view& out) {
    out = rows_view();
    const column_spec* columns = nullptr;
    if (metadata.has_column_specs()) {
        columns = metadata.columns.data();
    } else if (known_metadata) {
        if (known_metadata->columns.size() != static_cast<std::size_t>(metadata.column_count))
            return make_error_code(client_errc::type_mismatch);
        columns = known_metadata->columns.data();
    }
    std::int32_t row_count = 0;
    if (auto ec = read_count(r, row_count)) return ec;
    const auto rows = static_cast<std::size_t>(row_count);
    const auto cols = static_cast<std::size_t>(metadata.column_count);
    // Rows without columns occupy no bytes, so nothing would bound how many a server claims;
    // no query returns them, and iterating two billion empty rows is a hang, not a result.
    if (cols == 0 && rows > 0) return make_error_code(client_errc::length_out_of_range);
    // Every cell takes at least its four-byte length: check the claim before walking it
    // (computed in 64 bits: both counts are below 2^31).
    if (static_cast<std::uint64_t>(rows) * cols > r.remaining() / 4) return make_error_code(client_errc::truncated);
    // Walk every cell once so that iteration never has to check anything again.
    const bytes_view rest = r.rest();
    std::size_t pos = 0;
    for (std::size_t cell = 0, cells = rows * cols; cell < cells; ++cell) {
        if (rest.size() - pos < 4) return make_error_code(client_errc::truncated);
        std::int32_t n = detail::load_int32(rest.data() + pos);
        pos += 4;
        if (n > 0) {
            if (static_cast<std::size_t>(n) > rest.size() - pos) return make_error_code(client_errc::truncated);
            pos += static_cast<std::size_t>(n);
        }
    }
    if (auto ec = r.skip(pos)) return ec;
    out.content_ = rest.first(pos);
    out.columns_ = columns;
    out.column_count_ = cols;
    out.row_count_ = rows;
    out.has_more_pages_ = (metadata.flags & metadata_flags::has_more_pages) != 0;
    out.paging_state_ = paging_state;
    return {};
}

std::error_code decode_result(bytes_view body, result_view& out, const result_metadata* known_metadata) {
    // A reused result_view must not keep views of an earlier body.
    out.rows = rows_view();
    out.keyspace = {};
    byte_reader r(body);
    std::int32_t kind = 0;
    if (auto ec = r.read_int(kind)) return ec;
    switch (static_cast<result_kind>(kind)) {
    case result_kind::void_: out.kind = result_kind::void_; return {};
    case result_kind::rows: {
        out.kind = result_kind::rows;
        auto& m = out.metadata;
        // Parsing column specs depends only on their bytes, the layout flag and the count: when
        // all three are those of the specs already decoded, the result is the same.
        // (A caller that emptied metadata.columns in between loses the cache.)
        const bool cached = out.column_specs_cached_ && m.columns.size() == static_cast<std::size_t>(m.column_count);
        const auto cached_count = m.column_count;
        out.column_specs_cached_ = false;
        raw_value paging_state;
        if (auto ec = read_metadata_head(r, m, paging_state)) return ec;
        if (!m.has_column_specs()) {
            m.columns.clear();
        } else {
            const auto layout = m.flags & metadata_flags::global_tables_spec;
            const auto rest = r.rest();
            auto& bytes = out.column_specs_bytes_;
            if (cached && layout == out.column_specs_layout_ && m.column_count == cached_count &&
                rest.size() >= bytes.size() && std::equal(bytes.begin(), bytes.end(), rest.begin())) {
                if (auto ec = r.skip(bytes.size())) return ec;
            } else {
                const auto start = r.position();
                if (auto ec = read_column_specs(r, m.flags, m.column_count, m.columns)) return ec;
                bytes.assign(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(r.position() - start));
                out.column_specs_layout_ = layout;
            }
            out.column_specs_cached_ = true;
        }
        return decode_rows_result(r, m, paging_state, known_metadata, out.rows);
    }
    case result_kind::set_keyspace: out.kind = result_kind::set_keyspace; return r.read_string(out.keyspace);
    case result_kind::prepared: {
        out.kind = result_kind::prepared;
        if (auto ec = r.read_short_bytes(out.prepared.id)) return ec;
        if (auto ec = decode_prepared_metadata(r, out.prepared.metadata)) return ec;
        raw_value ignored;  // a Prepared result's metadata never pages
        return decode_result_metadata(r, out.prepared.rows_metadata, ignored);
    }
    case result_kind::schema_change:
        out.kind = result_kind::schema_change;
        return decode_schema_change(r, out.schema_change);
    }
    return make_error_code(client_errc::unknown_result_kind);
}

}  // namespace cqlwire::protocol

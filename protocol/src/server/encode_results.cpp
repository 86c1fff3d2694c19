#include "cqlwire/protocol/server/encode_results.hpp"

#include <algorithm>
#include <limits>

#include "response_frame.hpp"

namespace cqlwire::protocol {
namespace {

void write_column_specs(byte_writer& w, std::int32_t flags, std::span<const column_spec> columns) {
    const bool global = (flags & metadata_flags::global_tables_spec) != 0;
    if (global) {
        w.write_string(columns.empty() ? std::string_view() : std::string_view(columns.front().keyspace));
        w.write_string(columns.empty() ? std::string_view() : std::string_view(columns.front().table));
    }
    for (const auto& c : columns) {
        if (!global) {
            w.write_string(c.keyspace);
            w.write_string(c.table);
        }
        w.write_string(c.name);
        encode_type(w, c.type);
    }
}

std::size_t encoded_column_count(const result_metadata& m) noexcept {
    return m.has_column_specs() ? m.columns.size() : static_cast<std::size_t>(std::max(m.column_count, 0));
}

bool fits_int(std::size_t n) noexcept { return n <= static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()); }

}  // namespace

void encode_result_metadata(byte_writer& w, const result_metadata& metadata, std::optional<bytes_view> paging_state) {
    std::int32_t flags = metadata.flags & ~metadata_flags::has_more_pages;
    if (paging_state) flags |= metadata_flags::has_more_pages;
    const std::size_t columns = encoded_column_count(metadata);
    if (!fits_int(columns)) {
        w.fail(make_error_code(client_errc::length_out_of_range));
        return;
    }
    w.write_int(flags);
    w.write_int(static_cast<std::int32_t>(columns));
    if (paging_state) w.write_bytes(*paging_state);
    if (metadata.has_column_specs()) write_column_specs(w, flags, metadata.columns);
}

void encode_prepared_metadata(byte_writer& w, const prepared_metadata& metadata) {
    if (!fits_int(metadata.columns.size()) || !fits_int(metadata.partition_key_indexes.size())) {
        w.fail(make_error_code(client_errc::length_out_of_range));
        return;
    }
    w.write_int(metadata.flags);
    w.write_int(static_cast<std::int32_t>(metadata.columns.size()));
    w.write_int(static_cast<std::int32_t>(metadata.partition_key_indexes.size()));
    for (auto index : metadata.partition_key_indexes) w.write_short(index);
    write_column_specs(w, metadata.flags, metadata.columns);
}

std::error_code encode_result_void(std::vector<std::uint8_t>& out, const response_frame_options& frame) {
    auto b = detail::begin_response(out, frame, opcode::result);
    b.writer().write_int(static_cast<std::int32_t>(result_kind::void_));
    return b.finish();
}

std::error_code encode_result_set_keyspace(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                           std::string_view keyspace) {
    auto b = detail::begin_response(out, frame, opcode::result);
    b.writer().write_int(static_cast<std::int32_t>(result_kind::set_keyspace));
    b.writer().write_string(keyspace);
    return b.finish();
}

std::error_code encode_result_schema_change(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                            const schema_change_view& change) {
    auto b = detail::begin_response(out, frame, opcode::result);
    b.writer().write_int(static_cast<std::int32_t>(result_kind::schema_change));
    encode_schema_change(b.writer(), change);
    return b.finish();
}

std::error_code encode_result_prepared(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                       bytes_view id, const prepared_metadata& metadata,
                                       const result_metadata& rows_metadata) {
    auto b = detail::begin_response(out, frame, opcode::result);
    b.writer().write_int(static_cast<std::int32_t>(result_kind::prepared));
    b.writer().write_short_bytes(id);
    encode_prepared_metadata(b.writer(), metadata);
    encode_result_metadata(b.writer(), rows_metadata, std::nullopt);
    return b.finish();
}

std::error_code encode_result_rows(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                   const result_metadata& metadata, std::span<const raw_value> cells,
                                   std::optional<bytes_view> paging_state) {
    const std::size_t columns = encoded_column_count(metadata);
    if (columns == 0 ? !cells.empty() : cells.size() % columns != 0) return make_error_code(client_errc::bad_value);
    const std::size_t rows = columns == 0 ? 0 : cells.size() / columns;
    if (!fits_int(rows)) return make_error_code(client_errc::length_out_of_range);
    auto b = detail::begin_response(out, frame, opcode::result);
    auto& w = b.writer();
    w.write_int(static_cast<std::int32_t>(result_kind::rows));
    encode_result_metadata(w, metadata, paging_state);
    w.write_int(static_cast<std::int32_t>(rows));
    for (const auto& cell : cells) w.write_value(cell);
    return b.finish();
}

}  // namespace cqlwire::protocol

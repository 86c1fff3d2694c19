// Fuzzes decode_result: the input is a RESULT body (Void, Rows, Set_keyspace, Prepared or
// Schema_change).
//
// For Rows: the row count and the cells agree with the metadata; every row is visited both
// with the iterator and with the next() cursor (they must agree), and every cell goes through
// check_value (both renderers, converters, materialize, encode round trip). A No_metadata
// result is decoded a second time with caller-supplied metadata of the right column count.
// Whatever decodes must re-encode (encode_result_*) and decode to the same metadata and cells.
// A result_view reused across inputs must agree with a fresh one on every input.
#include <algorithm>
#include <vector>

#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "fuzz_support.hpp"
#include "value_checks.hpp"

namespace proto = cqlwire::protocol;

namespace {

bool same_raw(const proto::raw_value& a, const proto::raw_value& b) {
    return a.state == b.state && std::equal(a.bytes.begin(), a.bytes.end(), b.bytes.begin(), b.bytes.end());
}

// Cells of every row, in order, checked as they are visited. The iterator and the cursor must
// see the same rows.
std::vector<proto::raw_value> visit_rows(const proto::rows_view& rows) {
    std::vector<proto::raw_value> cells;
    std::size_t row_index = 0;
    std::size_t position = 0;
    proto::row_view cursor_row;
    for (const auto row : rows) {
        FUZZ_CHECK(row.size() == rows.column_count());
        FUZZ_CHECK(rows.next(position, cursor_row));
        FUZZ_CHECK(cursor_row.bytes().data() == row.bytes().data() && cursor_row.bytes().size() == row.bytes().size());
        for (std::size_t i = 0; i < row.size(); ++i) {
            const proto::value_view cell = row[i];
            FUZZ_CHECK(same_raw(cell.raw(), row.raw(i)));
            FUZZ_CHECK(!cell.raw().is_not_set());
            cqlwire::fuzz::check_value(cell);
            cells.push_back(cell.raw());
        }
        ++row_index;
    }
    FUZZ_CHECK(row_index == rows.size());
    FUZZ_CHECK(!rows.next(position, cursor_row));
    FUZZ_CHECK(position == rows.content().size());
    return cells;
}

// The types a caller-supplied metadata gives the columns of a No_metadata result, in turn.
proto::data_type known_column_type(std::size_t i) {
    using k = proto::type_kind;
    switch (i % 6) {
    case 0: return proto::data_type::of(k::int_);
    case 1: return proto::data_type::of(k::varchar);
    case 2: return proto::data_type::list_of(proto::data_type::of(k::bigint));
    case 3: return proto::data_type::map_of(proto::data_type::of(k::varchar), proto::data_type::of(k::blob));
    case 4: return proto::data_type::of(k::uuid);
    default: return proto::data_type::tuple_of({proto::data_type::of(k::boolean), proto::data_type::of(k::double_)});
    }
}

proto::bytes_view body_of(const std::vector<std::uint8_t>& frame) {
    FUZZ_CHECK(frame.size() >= proto::frame_header_size);
    return proto::bytes_view(frame).subspan(proto::frame_header_size);
}

void check_rows(const proto::bytes_view body, const proto::result_view& result) {
    const auto& rows = result.rows;
    FUZZ_CHECK(rows.column_count() == static_cast<std::size_t>(result.metadata.column_count));
    if (result.metadata.has_column_specs())
        FUZZ_CHECK(rows.columns().size() == result.metadata.columns.size());
    FUZZ_CHECK(rows.has_more_pages() == ((result.metadata.flags & proto::metadata_flags::has_more_pages) != 0));
    const auto cells = visit_rows(rows);
    FUZZ_CHECK(cells.size() == rows.size() * rows.column_count());

    if (!result.metadata.has_column_specs() && result.metadata.column_count <= 64) {
        proto::result_metadata known;
        known.column_count = result.metadata.column_count;
        for (std::int32_t i = 0; i < known.column_count; ++i)
            known.columns.push_back({"ks", "t", "c", known_column_type(static_cast<std::size_t>(i))});
        proto::result_view typed;
        FUZZ_CHECK(!proto::decode_result(body, typed, &known));
        FUZZ_CHECK(typed.rows.size() == rows.size());
        visit_rows(typed.rows);
    }

    // Round trip. The paging state cannot be null in an encoded result (it is [bytes] given
    // as a view), so a null one is not re-encoded.
    std::optional<proto::bytes_view> paging_state;
    if (rows.has_more_pages()) {
        if (rows.paging_state().is_null()) return;
        paging_state = rows.paging_state().bytes;
    }
    std::vector<std::uint8_t> frame;
    FUZZ_CHECK(!proto::encode_result_rows(frame, {}, result.metadata, cells, paging_state));
    proto::result_view again;
    FUZZ_CHECK(!proto::decode_result(body_of(frame), again));
    FUZZ_CHECK(again.kind == proto::result_kind::rows);
    FUZZ_CHECK(again.metadata == result.metadata);
    const auto again_cells = visit_rows(again.rows);
    FUZZ_CHECK(again_cells.size() == cells.size());
    for (std::size_t i = 0; i < cells.size(); ++i) FUZZ_CHECK(same_raw(again_cells[i], cells[i]));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const proto::bytes_view body(data, size);
    proto::result_view result;
    const auto ec = proto::decode_result(body, result);

    // A result_view reused from input to input (its column specs cached from the last Rows
    // result it decoded) must decode every input exactly as a fresh one does.
    static proto::result_view reused;
    FUZZ_CHECK(proto::decode_result(body, reused) == ec);
    if (!ec && result.kind == proto::result_kind::rows) {
        FUZZ_CHECK(reused.metadata == result.metadata);
        FUZZ_CHECK(reused.rows.size() == result.rows.size());
        FUZZ_CHECK(reused.rows.columns().size() == result.rows.columns().size());
    }
    if (ec) return 0;
    FUZZ_CHECK(proto::to_string(result.kind) != "Unknown");

    std::vector<std::uint8_t> frame;
    switch (result.kind) {
    case proto::result_kind::rows: check_rows(body, result); break;
    case proto::result_kind::void_: FUZZ_CHECK(!proto::encode_result_void(frame, {})); break;
    case proto::result_kind::set_keyspace: {
        FUZZ_CHECK(!proto::encode_result_set_keyspace(frame, {}, result.keyspace));
        proto::result_view again;
        FUZZ_CHECK(!proto::decode_result(body_of(frame), again));
        FUZZ_CHECK(again.keyspace == result.keyspace);
        break;
    }
    case proto::result_kind::schema_change: {
        FUZZ_CHECK(!proto::encode_result_schema_change(frame, {}, result.schema_change));
        proto::result_view again;
        FUZZ_CHECK(!proto::decode_result(body_of(frame), again));
        FUZZ_CHECK(again.schema_change.change_type == result.schema_change.change_type);
        FUZZ_CHECK(again.schema_change.target == result.schema_change.target);
        FUZZ_CHECK(again.schema_change.keyspace == result.schema_change.keyspace);
        FUZZ_CHECK(again.schema_change.name == result.schema_change.name);
        FUZZ_CHECK(again.schema_change.argument_types == result.schema_change.argument_types);
        break;
    }
    case proto::result_kind::prepared: {
        FUZZ_CHECK(!proto::encode_result_prepared(frame, {}, result.prepared.id, result.prepared.metadata,
                                                  result.prepared.rows_metadata));
        proto::result_view again;
        FUZZ_CHECK(!proto::decode_result(body_of(frame), again));
        FUZZ_CHECK(std::equal(again.prepared.id.begin(), again.prepared.id.end(), result.prepared.id.begin(),
                              result.prepared.id.end()));
        FUZZ_CHECK(again.prepared.metadata == result.prepared.metadata);
        // Has_more_pages is the encoder's to set (a Prepared result never pages), so it is the
        // one thing of the rows metadata that does not come back.
        auto expected = result.prepared.rows_metadata;
        expected.flags &= ~proto::metadata_flags::has_more_pages;
        FUZZ_CHECK(again.prepared.rows_metadata == expected);
        break;
    }
    }
    return 0;
}

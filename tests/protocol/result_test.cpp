#include "test_support.hpp"

#include <iterator>
#include <ranges>

#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "message_vectors.hpp"

using namespace cqlwire::protocol;
using namespace wire_test;

namespace {

response_frame_options on_stream(std::int16_t stream) {
    response_frame_options o;
    o.stream = stream;
    return o;
}

column_spec column(std::string ks, std::string table, std::string name, data_type type) {
    return column_spec{std::move(ks), std::move(table), std::move(name), std::move(type)};
}

const char* const rows_global_spec =
    "00000002 00000001 00000002 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 000D"
    " 00000002"
    " 00000004 00000001 00000001 'a'"
    " 00000004 00000002 FFFFFFFF";

}  // namespace

TEST_CASE("RESULT Void, Set_keyspace, Schema_change") {
    result_view r;
    exact_buffer v(wire("00000001"));
    REQUIRE_FALSE(decode_result(v.view(), r));
    CHECK(r.kind == result_kind::void_);
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_void(out, on_stream(3)));
    CHECK(out == wire("84 00 0003 08 00000004 00000001"));

    exact_buffer ks(wire("00000003 0006 'system'"));
    REQUIRE_FALSE(decode_result(ks.view(), r));
    CHECK(r.kind == result_kind::set_keyspace);
    CHECK(r.keyspace == "system");
    out.clear();
    REQUIRE_FALSE(encode_result_set_keyspace(out, on_stream(3), "system"));
    CHECK(out == wire("84 00 0003 08 0000000C 00000003 0006 'system'"));

    const char* change = "00000005 0007 'CREATED' 0005 'TABLE' 0002 'ks' 0001 't'";
    exact_buffer sc(wire(change));
    REQUIRE_FALSE(decode_result(sc.view(), r));
    CHECK(r.kind == result_kind::schema_change);
    CHECK(r.schema_change.change_type == "CREATED");
    CHECK(r.schema_change.target == schema_change_target::table);
    CHECK(r.schema_change.keyspace == "ks");
    CHECK(r.schema_change.name == "t");
    out.clear();
    REQUIRE_FALSE(encode_result_schema_change(out, on_stream(0), r.schema_change));
    CHECK(out == framed(0x84, 0, 0, opcode::result, wire(change)));

    CHECK(decode_result(wire("00000006"), r) == client_errc::unknown_result_kind);
    CHECK(decode_result(wire("00000000"), r) == client_errc::unknown_result_kind);
}

TEST_CASE("RESULT Rows: global table spec, two rows, a null cell") {
    exact_buffer body(wire(rows_global_spec));
    result_view r;
    REQUIRE_FALSE(decode_result(body.view(), r));
    REQUIRE(r.kind == result_kind::rows);
    CHECK(r.metadata.flags == metadata_flags::global_tables_spec);
    CHECK(r.metadata.column_count == 2);
    REQUIRE(r.metadata.columns.size() == 2);
    CHECK(r.metadata.columns[0] == column("ks", "t", "k", data_type::of(type_kind::int_)));
    CHECK(r.metadata.columns[1] == column("ks", "t", "v", data_type::of(type_kind::varchar)));
    CHECK_FALSE(r.rows.has_more_pages());
    CHECK(r.rows.size() == 2);
    CHECK(r.rows.column_count() == 2);
    CHECK(r.rows.columns().size() == 2);

    std::vector<std::string> seen;
    for (const row_view& row : r.rows) {
        REQUIRE(row.size() == 2);
        CHECK(row[0].type().kind == type_kind::int_);
        CHECK(row[1].type().kind == type_kind::varchar);
        seen.push_back(hex_string(row[0].bytes()) + "/" + (row[1].is_null() ? "null" : std::string(as_chars(row[1].bytes()))));
    }
    CHECK(seen == std::vector<std::string>{"00000001/a", "00000002/null"});

    // The cursor form sees the same rows.
    std::size_t position = 0;
    row_view row;
    int count = 0;
    while (r.rows.next(position, row)) {
        CHECK(row.size() == 2);
        ++count;
    }
    CHECK(count == 2);
    CHECK(position == r.rows.content().size());

    // Encoding the same metadata and cells gives the same bytes.
    const auto one = wire("00000001"), two = wire("00000002"), a = wire("'a'");
    const raw_value cells[] = {raw_value::of(one), raw_value::of(a), raw_value::of(two), raw_value::null()};
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_rows(out, on_stream(1), r.metadata, cells));
    CHECK(out == framed(0x84, 0, 1, opcode::result, wire(rows_global_spec)));
}

TEST_CASE("RESULT Rows: per-column table specs and a paging state") {
    const char* spec =
        "00000002 00000002 00000001 00000002 AABB 0002 'ks' 0001 't' 0001 'l' 0020 0009"
        " 00000001 00000000";
    exact_buffer body(wire(spec));
    result_view r;
    REQUIRE_FALSE(decode_result(body.view(), r));
    CHECK(r.rows.has_more_pages());
    CHECK(hex_string(r.rows.paging_state().bytes) == "aabb");
    CHECK(r.metadata.columns[0] == column("ks", "t", "l", data_type::list_of(data_type::of(type_kind::int_))));
    REQUIRE(r.rows.size() == 1);
    auto cell = (*r.rows.begin())[0];
    CHECK_FALSE(cell.is_null());
    CHECK(cell.bytes().empty());

    const auto state = wire("AABB");
    const raw_value cells[] = {raw_value::of({})};
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_rows(out, on_stream(0), r.metadata, cells, bytes_view(state)));
    CHECK(out == framed(0x84, 0, 0, opcode::result, wire(spec)));
}

TEST_CASE("RESULT Rows: No_metadata uses the caller's metadata") {
    const char* spec =
        "00000002 00000004 00000003 00000001"
        " 00000004 00000007 00000001 'x' 00000008 000000000000002A";
    exact_buffer body(wire(spec));
    result_metadata prepared;
    prepared.flags = metadata_flags::global_tables_spec;
    prepared.column_count = 3;
    prepared.columns = {column("ks", "t", "a", data_type::of(type_kind::int_)),
                        column("ks", "t", "b", data_type::of(type_kind::varchar)),
                        column("ks", "t", "c", data_type::of(type_kind::bigint))};
    result_view r;
    REQUIRE_FALSE(decode_result(body.view(), r, &prepared));
    CHECK_FALSE(r.metadata.has_column_specs());
    CHECK(r.metadata.columns.empty());
    REQUIRE(r.rows.size() == 1);
    const auto& row = *r.rows.begin();
    CHECK(row[0].type().kind == type_kind::int_);
    CHECK(row[1].type().kind == type_kind::varchar);
    CHECK(row[2].type().kind == type_kind::bigint);
    CHECK(&row[2].type() == &prepared.columns[2].type);
    CHECK(hex_string(row[2].bytes()) == "000000000000002a");

    // Without it the cells are blobs; with metadata of the wrong width it is refused.
    REQUIRE_FALSE(decode_result(body.view(), r));
    CHECK((*r.rows.begin())[1].type().kind == type_kind::blob);
    CHECK(r.rows.columns().empty());
    prepared.columns.pop_back();
    CHECK(decode_result(body.view(), r, &prepared) == client_errc::type_mismatch);

    result_metadata no_metadata;
    no_metadata.flags = metadata_flags::no_metadata;
    no_metadata.column_count = 3;
    const auto i7 = wire("00000007"), x = wire("'x'"), l42 = wire("000000000000002A");
    const raw_value cells[] = {raw_value::of(i7), raw_value::of(x), raw_value::of(l42)};
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_rows(out, on_stream(0), no_metadata, cells));
    CHECK(out == framed(0x84, 0, 0, opcode::result, wire(spec)));
}

TEST_CASE("RESULT Rows: column types of every shape") {
    const char* spec =
        "00000002 00000001 00000004 0002 'ks' 0001 't'"
        " 0001 'm' 0021 000D 0009"
        " 0001 'u' 0030 0002 'ks' 0004 'addr' 0001 0003 'zip' 0009"
        " 0001 'p' 0031 0002 0009 000D"
        " 0001 'd' 0000 002C 'org.apache.cassandra.db.marshal.DurationType'"
        " 00000000";
    exact_buffer body(wire(spec));
    result_view r;
    REQUIRE_FALSE(decode_result(body.view(), r));
    REQUIRE(r.metadata.columns.size() == 4);
    CHECK(cql_type_name(r.metadata.columns[0].type) == "map<text, int>");
    CHECK(r.metadata.columns[1].type.kind == type_kind::udt);
    CHECK(r.metadata.columns[1].type.field_names == std::vector<std::string>{"zip"});
    CHECK(cql_type_name(r.metadata.columns[2].type) == "tuple<int, text>");
    CHECK(r.metadata.columns[3].type.kind == type_kind::duration);
    CHECK(r.rows.empty());
    CHECK(r.rows.begin() == r.rows.end());

    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_rows(out, on_stream(0), r.metadata, {}));
    CHECK(out == framed(0x84, 0, 0, opcode::result, wire(spec)));
}

TEST_CASE("RESULT Prepared: id, bind markers with partition key indexes, result metadata") {
    const char* spec =
        "00000004 0002 ABCD"
        " 00000001 00000002 00000001 0000 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 000D"
        " 00000001 00000001 0002 'ks' 0001 't' 0001 'v' 000D";
    exact_buffer body(wire(spec));
    result_view r;
    REQUIRE_FALSE(decode_result(body.view(), r));
    REQUIRE(r.kind == result_kind::prepared);
    CHECK(hex_string(r.prepared.id) == "abcd");
    CHECK(r.prepared.metadata.flags == metadata_flags::global_tables_spec);
    CHECK(r.prepared.metadata.partition_key_indexes == std::vector<std::uint16_t>{0});
    REQUIRE(r.prepared.metadata.columns.size() == 2);
    CHECK(r.prepared.metadata.columns[1] == column("ks", "t", "v", data_type::of(type_kind::varchar)));
    CHECK(r.prepared.rows_metadata.column_count == 1);
    CHECK(r.prepared.rows_metadata.columns[0].name == "v");

    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_prepared(out, on_stream(0), r.prepared.id, r.prepared.metadata,
                                         r.prepared.rows_metadata));
    CHECK(out == framed(0x84, 0, 0, opcode::result, wire(spec)));

    // No partition key index, per-column specs, and an empty result metadata (not a SELECT).
    const char* insert =
        "00000004 0001 01"
        " 00000000 00000001 00000000 0002 'ks' 0001 't' 0001 'x' 0002"
        " 00000004 00000000";
    exact_buffer insert_body(wire(insert));
    REQUIRE_FALSE(decode_result(insert_body.view(), r));
    CHECK(r.prepared.metadata.partition_key_indexes.empty());
    CHECK(r.prepared.metadata.columns[0] == column("ks", "t", "x", data_type::of(type_kind::bigint)));
    CHECK_FALSE(r.prepared.rows_metadata.has_column_specs());
    CHECK(r.prepared.rows_metadata.column_count == 0);
    out.clear();
    REQUIRE_FALSE(encode_result_prepared(out, on_stream(0), r.prepared.id, r.prepared.metadata,
                                         r.prepared.rows_metadata));
    CHECK(out == framed(0x84, 0, 0, opcode::result, wire(insert)));
}

TEST_CASE("RESULT Rows: a moved result_view keeps its rows valid") {
    exact_buffer body(wire(rows_global_spec));
    result_view r;
    REQUIRE_FALSE(decode_result(body.view(), r));
    result_view moved = std::move(r);
    CHECK(moved.rows.size() == 2);
    CHECK((*moved.rows.begin())[1].type().kind == type_kind::varchar);
    CHECK(&(*moved.rows.begin())[0].type() == &moved.metadata.columns[0].type);
}

TEST_CASE("RESULT Rows: wide rows beyond the cached cell positions") {
    // 40 int columns, 3 rows; cell (r, c) holds r * 100 + c.
    result_metadata m;
    m.flags = metadata_flags::global_tables_spec;
    for (int c = 0; c < 40; ++c) {
        std::string name = "c";
        name.append(std::to_string(c));
        m.columns.push_back(column("ks", "t", std::move(name), data_type::of(type_kind::int_)));
    }
    m.column_count = 40;
    std::vector<std::array<std::uint8_t, 4>> storage;
    storage.reserve(120);
    std::vector<raw_value> cells;
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 40; ++c) {
            if (c == 20) {
                cells.push_back(raw_value::null());
                continue;
            }
            auto v = static_cast<std::uint32_t>(r * 100 + c);
            storage.push_back({static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
            cells.push_back(raw_value::of(storage.back()));
        }
    std::vector<std::uint8_t> out;
    REQUIRE_FALSE(encode_result_rows(out, on_stream(0), m, cells));
    exact_buffer body(bytes_view(out).subspan(9));
    result_view res;
    REQUIRE_FALSE(decode_result(body.view(), res));
    int r = 0;
    for (const auto& row : res.rows) {
        for (int c = 39; c >= 0; --c) {  // backwards, so the uncached path starts cold
            CAPTURE(c);
            auto cell = row[static_cast<std::size_t>(c)];
            if (c == 20) {
                CHECK(cell.is_null());
                continue;
            }
            REQUIRE(cell.bytes().size() == 4);
            CHECK(detail::load_int32(cell.bytes().data()) == r * 100 + c);
        }
        // Sequential access sees the same cells.
        int seen = 0;
        row.for_each_cell([&](std::size_t c, const value_view& cell) {
            CHECK(cell.type().kind == type_kind::int_);
            if (c == 20)
                CHECK(cell.is_null());
            else
                CHECK(detail::load_int32(cell.bytes().data()) == r * 100 + static_cast<int>(c));
            ++seen;
        });
        CHECK(seen == 40);
        ++r;
    }
    CHECK(r == 3);
}

TEST_CASE("RESULT: a reused result_view drops the rows of the previous body") {
    result_view r;
    exact_buffer rows(wire(rows_global_spec));
    REQUIRE_FALSE(decode_result(rows.view(), r));
    CHECK(r.rows.size() == 2);
    exact_buffer void_body(wire("00000001"));
    REQUIRE_FALSE(decode_result(void_body.view(), r));
    CHECK(r.kind == result_kind::void_);
    CHECK(r.rows.empty());
    CHECK(r.rows.begin() == r.rows.end());
}

TEST_CASE("RESULT Rows: corruptions are refused when the view is made") {
    result_view r;
    // Row count larger than the body can hold.
    CHECK(decode_result(wire("00000002 00000004 00000001 7FFFFFFF 00000000"), r) == client_errc::truncated);
    // Negative row count, negative column count.
    CHECK(decode_result(wire("00000002 00000004 00000001 FFFFFFFF"), r) == client_errc::length_out_of_range);
    CHECK(decode_result(wire("00000002 00000004 80000000 00000000"), r) == client_errc::length_out_of_range);
    // A cell whose length runs past the body.
    CHECK(decode_result(wire("00000002 00000004 00000001 00000001 00000005 0102"), r) == client_errc::truncated);
    CHECK(decode_result(wire("00000002 00000004 00000001 00000001 7FFFFFFF"), r) == client_errc::truncated);
    // Rows without columns.
    CHECK(decode_result(wire("00000002 00000004 00000000 7FFFFFFF"), r) == client_errc::length_out_of_range);
    // A column count that the column specs cannot fill.
    CHECK(decode_result(wire("00000002 00000000 7FFFFFFF 0000"), r) == client_errc::truncated);
    // An unknown type id in a column spec.
    CHECK(decode_result(wire("00000002 00000001 00000001 0000 0000 0001 'x' 00FF 00000000"), r) ==
          client_errc::bad_type_id);
    // A paging state that overruns.
    CHECK(decode_result(wire("00000002 00000006 00000001 00000010 AA"), r) == client_errc::truncated);
    // Prepared: negative or overrunning partition key count.
    CHECK(decode_result(wire("00000004 0000 00000000 00000000 FFFFFFFF"), r) == client_errc::length_out_of_range);
    CHECK(decode_result(wire("00000004 0000 00000000 00000000 00010000 0000"), r) == client_errc::truncated);
    // An empty row set with zero columns is fine.
    CHECK_FALSE(decode_result(wire("00000002 00000004 00000000 00000000"), r));
    CHECK(r.rows.empty());
}

TEST_CASE("RESULT encoders refuse cells that do not fill whole rows") {
    result_metadata m;
    m.columns = {column("ks", "t", "a", data_type::of(type_kind::int_)),
                 column("ks", "t", "b", data_type::of(type_kind::int_))};
    m.column_count = 2;
    const raw_value three[] = {raw_value::null(), raw_value::null(), raw_value::null()};
    std::vector<std::uint8_t> out{0xAA};
    CHECK(encode_result_rows(out, on_stream(0), m, three) == client_errc::bad_value);
    CHECK(out == std::vector<std::uint8_t>{0xAA});
}

static_assert(std::forward_iterator<rows_view::iterator>);
static_assert(std::ranges::forward_range<rows_view>);

TEST_CASE("RESULT Rows: a reused result_view decodes changed column specs, and reuses unchanged ones") {
    result_view r;
    exact_buffer first(wire(rows_global_spec));
    REQUIRE_FALSE(decode_result(first.view(), r));
    const auto* specs = r.metadata.columns.data();

    SUBCASE("the same specs on a later page: kept, with the new page's flags, paging state and rows") {
        exact_buffer page(wire("00000002 00000003 00000002 00000002 CAFE 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 000D"
                               " 00000001 00000004 00000007 00000001 'z'"));
        REQUIRE_FALSE(decode_result(page.view(), r));
        CHECK(r.metadata.columns.data() == specs);  // not decoded again
        CHECK(r.metadata.flags == (metadata_flags::global_tables_spec | metadata_flags::has_more_pages));
        CHECK(hex_string(r.rows.paging_state().bytes) == "cafe");
        REQUIRE(r.rows.size() == 1);
        CHECK(hex_string((*r.rows.begin())[0].bytes()) == "00000007");
        CHECK(as_chars((*r.rows.begin())[1].bytes()) == "z");
    }
    SUBCASE("a renamed column") {
        exact_buffer other(wire("00000002 00000001 00000002 0002 'ks' 0001 't' 0001 'k' 0009 0001 'w' 000D 00000000"));
        REQUIRE_FALSE(decode_result(other.view(), r));
        CHECK(r.metadata.columns[1] == column("ks", "t", "w", data_type::of(type_kind::varchar)));
    }
    SUBCASE("a changed type") {
        exact_buffer other(wire("00000002 00000001 00000002 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 0009 00000000"));
        REQUIRE_FALSE(decode_result(other.view(), r));
        CHECK(r.metadata.columns[1].type == data_type::of(type_kind::int_));
    }
    SUBCASE("the same bytes read with another count") {
        exact_buffer other(wire("00000002 00000001 00000001 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v' 000D 00000000"));
        REQUIRE(decode_result(other.view(), r));  // 'v' 000D is then no row count
    }
    SUBCASE("per-column specs after global ones") {
        exact_buffer other(wire("00000002 00000000 00000001 0002 'ks' 0001 't' 0001 'k' 0009 00000000"));
        REQUIRE_FALSE(decode_result(other.view(), r));
        REQUIRE(r.metadata.columns.size() == 1);
        CHECK(r.metadata.columns[0] == column("ks", "t", "k", data_type::of(type_kind::int_)));
    }
    SUBCASE("a caller that took the columns away") {
        const auto taken = std::move(r.metadata.columns);
        r.metadata.columns.clear();
        REQUIRE_FALSE(decode_result(first.view(), r));
        CHECK(r.metadata.columns == taken);
    }
    SUBCASE("a failed decode in between") {
        exact_buffer broken(wire("00000002 00000001 00000002 0002 'ks' 0001 't' 0001 'k' 0009 0001 'v'"));
        REQUIRE(decode_result(broken.view(), r));
        REQUIRE_FALSE(decode_result(first.view(), r));
        CHECK(r.metadata.columns[1] == column("ks", "t", "v", data_type::of(type_kind::varchar)));
        CHECK(r.rows.size() == 2);
    }
}

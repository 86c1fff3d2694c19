// RESULT messages (§4.2.5 of the v4 specification), as a client decodes them: Void, Rows,
// Set_keyspace, Prepared and Schema_change. Their encoders, which only a server needs, are the
// codec's server half (server/encode_results.hpp).
//
// Metadata (column names and types) is decoded into owning objects, once per RESULT, so that a
// prepared statement can keep its result metadata for later pages sent with No_metadata.
// Rows are not copied: rows_view walks the frame body in place.
//
// Validation happens once, when decode_result() builds the view: every cell's length is checked
// against the body and the row count against what the body can hold (O(cells)). Iterating the
// rows afterwards cannot fail, cannot read outside the body and allocates nothing.
//
// Lifetimes: rows_view, row_view and value_view point into (a) the frame body given to
// decode_result and (b) the column metadata, which is either the result_view's own (moving a
// result_view keeps it valid; result_view cannot be copied) or the metadata the caller
// supplied for a No_metadata result. Both must outlive every view taken from them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value_view.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

enum class result_kind : std::int32_t {
    void_ = 0x0001,
    rows = 0x0002,
    set_keyspace = 0x0003,
    prepared = 0x0004,
    schema_change = 0x0005,
};
CQLWIRE_PROTOCOL_API std::string_view to_string(result_kind k) noexcept;  // "Void", "Rows", ... as the spec names them

// <flags> of Rows metadata (§4.2.5.2); Prepared bind metadata uses only global_tables_spec.
namespace metadata_flags {
inline constexpr std::int32_t global_tables_spec = 0x0001;
inline constexpr std::int32_t has_more_pages = 0x0002;
inline constexpr std::int32_t no_metadata = 0x0004;
}  // namespace metadata_flags

// One <col_spec>. With Global_tables_spec the global keyspace and table are copied into every
// column, so a column always says where it comes from.
struct CQLWIRE_PROTOCOL_API column_spec {
    std::string keyspace;
    std::string table;
    std::string name;
    data_type type;

    friend bool operator==(const column_spec&, const column_spec&) = default;
};

// <metadata> of a Rows result, and <result_metadata> of a Prepared result. Owning.
struct CQLWIRE_PROTOCOL_API result_metadata {
    std::int32_t flags = 0;         // as received; encoders set Has_more_pages themselves
    std::int32_t column_count = 0;  // <columns_count>, also when No_metadata leaves columns empty
    std::vector<column_spec> columns;

    bool has_column_specs() const noexcept { return (flags & metadata_flags::no_metadata) == 0; }
    friend bool operator==(const result_metadata&, const result_metadata&) = default;
};

// <metadata> of a Prepared result (§4.2.5.4): the bind markers. Owning.
struct CQLWIRE_PROTOCOL_API prepared_metadata {
    std::int32_t flags = 0;  // Global_tables_spec only
    // For each partition key column in order, the index of its bind marker. Empty when some
    // partition key column has no bind marker of its own.
    std::vector<std::uint16_t> partition_key_indexes;
    std::vector<column_spec> columns;

    friend bool operator==(const prepared_metadata&, const prepared_metadata&) = default;
};

// One row: column_count cells, each a value_view of the column's type. Cheap to copy (no
// allocation): the positions of the first `cached_columns` cells are located once when the
// row is reached; further cells are found by skipping from the last located one.
class CQLWIRE_PROTOCOL_API row_view {
public:
    static constexpr std::size_t cached_columns = 16;

    row_view() noexcept = default;

    std::size_t size() const noexcept { return column_count_; }
    // Cell i (i < size()); unchecked, like std::span::operator[].
    value_view operator[](std::size_t i) const noexcept { return {column_type(i), raw(i)}; }
    // The cell's bytes without its type.
    raw_value raw(std::size_t i) const noexcept;
    // The whole row as it is on the wire (column_count [bytes]).
    bytes_view bytes() const noexcept { return {start_, length_}; }
    // Calls f(index, value_view) for every cell in order, O(1) per cell at any width (index
    // access beyond cached_columns skips from the last cached cell).
    template <class F>
    void for_each_cell(F&& f) const {
        std::uint32_t offset = 0;
        for (std::size_t i = 0; i < column_count_; ++i) {
            const std::uint8_t* p = start_ + offset;
            std::int32_t n = load_cell_length(p);
            f(i, value_view(column_type(i), n < 0 ? raw_value::null()
                                                  : raw_value::of(bytes_view(p + 4, static_cast<std::size_t>(n)))));
            offset += 4u + (n > 0 ? static_cast<std::uint32_t>(n) : 0u);
        }
    }

private:
    friend class rows_view;
    // Locates the cells of the row that starts at `start`; the body was validated beforehand.
    void locate(const std::uint8_t* start) noexcept;
    const data_type& column_type(std::size_t i) const noexcept;
    static std::int32_t load_cell_length(const std::uint8_t* p) noexcept;

    const std::uint8_t* start_ = nullptr;
    const column_spec* columns_ = nullptr;  // null when the result carries no column specs
    std::uint32_t column_count_ = 0;
    std::uint32_t length_ = 0;                           // bytes of this row
    std::array<std::uint32_t, cached_columns> offsets_{};  // of each cell's length, from start_
};

// The rows of a Rows result. Iterable (a forward range of row_view) and also usable as a
// cursor with next(). See the file comment for lifetimes.
class CQLWIRE_PROTOCOL_API rows_view {
public:
    // Dereferencing yields the row_view by value (a copy of a few pointers and offsets, no
    // allocation), so `const auto& row = *rows.begin();` is safe: the row does not live inside
    // the iterator. Multi-pass like a forward iterator, but its reference is a value, hence the
    // input category for pre-C++20 algorithms.
    class iterator {
    public:
        using iterator_concept = std::forward_iterator_tag;
        using iterator_category = std::input_iterator_tag;
        using value_type = row_view;
        using difference_type = std::ptrdiff_t;
        using reference = row_view;

        iterator() noexcept = default;
        row_view operator*() const noexcept { return row_; }
        const row_view* operator->() const noexcept { return &row_; }
        iterator& operator++() noexcept;
        iterator operator++(int) noexcept {
            auto copy = *this;
            ++*this;
            return copy;
        }
        friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.index_ == b.index_; }

    private:
        friend class rows_view;
        row_view row_;
        std::size_t index_ = 0;
        std::size_t count_ = 0;
    };

    rows_view() noexcept = default;

    std::size_t size() const noexcept { return row_count_; }
    bool empty() const noexcept { return row_count_ == 0; }
    std::size_t column_count() const noexcept { return column_count_; }
    // The column specs the cells are typed by; empty when the result had No_metadata and the
    // caller supplied none (cells are then typed as blob).
    std::span<const column_spec> columns() const noexcept {
        return columns_ ? std::span<const column_spec>(columns_, column_count_) : std::span<const column_spec>();
    }
    bool has_more_pages() const noexcept { return has_more_pages_; }
    raw_value paging_state() const noexcept { return paging_state_; }  // when has_more_pages()
    bytes_view content() const noexcept { return content_; }           // <rows_content>

    iterator begin() const noexcept;
    iterator end() const noexcept;

    // Cursor use: fills `row` with the row at byte `position` of content() and advances
    // `position` past it, or returns false at the end. Start with position 0.
    bool next(std::size_t& position, row_view& row) const noexcept;

private:
    friend std::error_code decode_rows_result(byte_reader&, const result_metadata&, raw_value, const result_metadata*,
                                              rows_view&);
    row_view first_row_template() const noexcept;

    bytes_view content_;
    const column_spec* columns_ = nullptr;
    std::size_t column_count_ = 0;
    std::size_t row_count_ = 0;
    bool has_more_pages_ = false;
    raw_value paging_state_;
};

struct CQLWIRE_PROTOCOL_API prepared_view {
    bytes_view id;
    prepared_metadata metadata;     // the bind markers
    result_metadata rows_metadata;  // what executing it returns (may be empty, see §4.2.5.4)
};

class result_view;
// Decodes a RESULT body (what follows the response prefix). For a Rows result with
// No_metadata, `known_metadata` (typically the prepared statement's rows_metadata) types the
// cells; its column count must match (client_errc::type_mismatch otherwise). Without it such
// cells are typed as blob. An unknown kind is client_errc::unknown_result_kind.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_result(bytes_view body, result_view& out,
                                            const result_metadata* known_metadata = nullptr);

// A decoded RESULT. Which members are meaningful depends on `kind`; the others are unspecified.
// Move-only (see lifetimes). Reusing one across decode_result calls keeps the metadata vectors'
// memory, and a Rows result whose column specs are byte for byte those of the previous Rows
// result (the next page, the same statement again) reuses them instead of decoding them again
// (so change a copy of `metadata`, not the view's own).
class CQLWIRE_PROTOCOL_API result_view {
public:
    result_view() = default;
    result_view(result_view&&) noexcept = default;
    result_view& operator=(result_view&&) noexcept = default;
    result_view(const result_view&) = delete;
    result_view& operator=(const result_view&) = delete;

    result_kind kind = result_kind::void_;
    std::string_view keyspace;         // set_keyspace
    schema_change_view schema_change;  // schema_change
    prepared_view prepared;            // prepared
    result_metadata metadata;          // rows: the metadata as received
    rows_view rows;                    // rows

    // The memory kept for comparing column specs (above): with metadata.columns' capacity, a
    // measure of what keeping this view for reuse holds on to.
    std::size_t kept_column_specs_bytes() const noexcept { return column_specs_bytes_.capacity(); }

private:
    friend std::error_code decode_result(bytes_view body, result_view& out, const result_metadata* known_metadata);
    // The bytes metadata.columns were decoded from, with the layout flag and count they were
    // read with; valid while column_specs_cached_ is set.
    std::vector<std::uint8_t> column_specs_bytes_;
    std::int32_t column_specs_layout_ = 0;
    bool column_specs_cached_ = false;
};

// The pieces, for callers that hold a reader: <metadata> of Rows (paging_state is set when
// Has_more_pages is), and the bind <metadata> of Prepared.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_result_metadata(byte_reader& r, result_metadata& out, raw_value& paging_state);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_prepared_metadata(byte_reader& r, prepared_metadata& out);
// <rows_count><rows_content>, validated, after Rows metadata already read into `metadata`
// (with its paging state); known_metadata as for decode_result.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_rows_result(byte_reader& r, const result_metadata& metadata,
                                                 raw_value paging_state, const result_metadata* known_metadata,
                                                 rows_view& out);

// The type given to cells of a result that carries no column specs: blob (opaque bytes).
CQLWIRE_PROTOCOL_API const data_type& untyped_column_type() noexcept;

// ---- Inline definitions: iteration is the hot path, so it stays visible to the optimiser. ----

namespace detail {
inline std::int32_t load_int32(const std::uint8_t* p) noexcept {
    return static_cast<std::int32_t>(static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
                                     static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]));
}
// Bytes taken by the [bytes] at p: the length field plus the value (none when null).
inline std::uint32_t cell_size(const std::uint8_t* p) noexcept {
    std::int32_t n = load_int32(p);
    return 4u + (n > 0 ? static_cast<std::uint32_t>(n) : 0u);
}
}  // namespace detail

inline std::int32_t row_view::load_cell_length(const std::uint8_t* p) noexcept { return detail::load_int32(p); }

inline void row_view::locate(const std::uint8_t* start) noexcept {
    start_ = start;
    std::uint32_t offset = 0;
    const std::uint32_t cached = column_count_ < cached_columns ? column_count_ : cached_columns;
    for (std::uint32_t i = 0; i < cached; ++i) {
        offsets_[i] = offset;
        offset += detail::cell_size(start + offset);
    }
    for (std::uint32_t i = cached; i < column_count_; ++i) offset += detail::cell_size(start + offset);
    length_ = offset;
}

inline raw_value row_view::raw(std::size_t i) const noexcept {
    std::uint32_t offset;
    if (i < cached_columns) {
        offset = offsets_[i];
    } else {
        offset = offsets_[cached_columns - 1];
        for (std::size_t k = cached_columns - 1; k < i; ++k) offset += detail::cell_size(start_ + offset);
    }
    const std::uint8_t* p = start_ + offset;
    std::int32_t n = detail::load_int32(p);
    if (n < 0) return raw_value::null();
    return raw_value::of(bytes_view(p + 4, static_cast<std::size_t>(n)));
}

inline const data_type& row_view::column_type(std::size_t i) const noexcept {
    return columns_ ? columns_[i].type : untyped_column_type();
}

inline rows_view::iterator& rows_view::iterator::operator++() noexcept {
    if (++index_ < count_) row_.locate(row_.start_ + row_.length_);
    return *this;
}

inline row_view rows_view::first_row_template() const noexcept {
    row_view r;
    r.columns_ = columns_;
    r.column_count_ = static_cast<std::uint32_t>(column_count_);
    return r;
}

inline rows_view::iterator rows_view::begin() const noexcept {
    iterator it;
    it.row_ = first_row_template();
    it.count_ = row_count_;
    if (row_count_ > 0) it.row_.locate(content_.data());
    return it;
}

inline rows_view::iterator rows_view::end() const noexcept {
    iterator it;
    it.index_ = row_count_;
    it.count_ = row_count_;
    return it;
}

inline bool rows_view::next(std::size_t& position, row_view& row) const noexcept {
    // Rows are never empty (a result with rows has at least one column), so the end of the
    // content is the end of the rows.
    if (position >= content_.size()) return false;
    row = first_row_template();
    row.locate(content_.data() + position);
    position += row.length_;
    return true;
}

}  // namespace cqlwire::protocol

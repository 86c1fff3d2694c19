// Writing the rows of a result as a cqlsh-like table, JSON or CSV.
//
// The writers work on cells that are already rendered (the caller renders each value with
// protocol's render_cql for table and csv, render_json for json — see cell_rendering_for), so
// they are independent of the codec and tested byte for byte.
//
//   table  As cqlsh prints it: a blank line, the header (names left-aligned), a line of dashes
//          with `+` at the column joins, each row (values right-aligned, `null` for null), a
//          blank line, then `(N rows)`. Widths count display columns, not bytes. A result of
//          several pages is printed page by page as cqlsh prints it when not on a terminal: the
//          header once, each page's rows with the column widths of that page.
//          Expanded (EXPAND ON), as cqlsh prints it: each row as an `@ Row N` block of
//          `name | value` lines under a line of dashes, the widths of its page, a blank line
//          after each block; a result without rows keeps the header.
//          In colour (cqlsh's -C), the names are magenta and a null red; the cells arrive already
//          coloured (cell_rendering.hpp), and widths count only what shows, so that the layout is
//          the plain one's.
//   json   One JSON array per result, on one line: an object per row, keyed by column name,
//          whose values are the rendered JSON pasted as is (null for null).
//   csv    RFC 4180 fields with LF line endings (not CR LF, so that line-oriented tools work):
//          a header row, then one row per line; a field holding `,` `"` CR or LF is quoted with
//          inner quotes doubled. A null is an empty field; an empty text value is `""`, so the
//          two stay distinguishable.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli_options.hpp"

namespace cqlwire::cli {

// The rows of one result. Every row has exactly one cell per column; nullopt is a null value.
struct rendered_rows {
    std::vector<std::string> column_names;
    std::vector<std::vector<std::optional<std::string>>> rows;
};

enum class cell_rendering { cql_text, json };

// A column's role in its table, which cqlsh's colours show in the names of a table's header.
enum class column_role : std::uint8_t { other, partition_key, clustering, static_column };
cell_rendering cell_rendering_for(output_format f) noexcept;

// Prints one result as its pages arrive, so that only one page is ever held: page() for each
// page (the first prints the header), then finish(). `show_row_count` false leaves out the
// table's "(N rows)" line (cqlsh prints it for SELECT only).
class result_writer {
public:
    // `terminal_layout`: cqlsh's layout for an interactive shell — every page of a table under its
    // own header and followed by a blank line, the row count right after the last.
    // `color`: cqlsh's colours in a table (the cells coloured by render_cell's cell_display).
    result_writer(std::ostream& out, output_format format, bool show_row_count = true, bool expanded = false,
                  bool terminal_layout = false, bool color = false)
        : out_(out),
          format_(format),
          show_row_count_(show_row_count),
          expanded_(expanded),
          terminal_layout_(terminal_layout),
          color_(color) {}
    // In colour, the names of partition key, clustering and static columns are shown as cqlsh
    // shows them (red, cyan, white); the others, and all without this, magenta.
    void set_column_roles(std::vector<column_role> roles) { roles_ = std::move(roles); }
    // Every page of one result has the same column_names.
    void page(const rendered_rows& rows);
    void finish();
    std::size_t rows_written() const noexcept { return rows_; }

private:
    void table_page(const rendered_rows& r);
    void expanded_page(const rendered_rows& r);
    void json_page(const rendered_rows& r);
    void csv_page(const rendered_rows& r);
    std::size_t width(std::string_view text) const noexcept;
    void write_name(std::string& line, std::string_view name, std::size_t column) const;
    void write_cell(std::string& line, const std::optional<std::string>& cell) const;

    std::ostream& out_;
    output_format format_;
    bool show_row_count_;
    bool expanded_;
    bool terminal_layout_;
    bool color_;
    bool started_ = false;
    std::size_t rows_ = 0;
    std::vector<std::string> json_keys_;
    std::vector<column_role> roles_;
};

// One whole result at once (result_writer with a single page).
void write_table(std::ostream& out, const rendered_rows& r);
void write_json(std::ostream& out, const rendered_rows& r);
void write_csv(std::ostream& out, const rendered_rows& r);
void write_rows(std::ostream& out, output_format f, const rendered_rows& r);

// Terminal columns `text` (UTF-8) occupies: East Asian wide and full-width characters count 2,
// combining marks 0, every other character 1. Invalid UTF-8 bytes count 1 each.
std::size_t display_width(std::string_view text) noexcept;
// The same, not counting SGR escape sequences (ESC [ ... m), for coloured text.
std::size_t visible_width(std::string_view text) noexcept;

// `text` as a JSON string literal, quotes included.
std::string json_quote(std::string_view text);

}  // namespace cqlwire::cli

// Drawing the edited line over several rows; see line_display.hpp.
#include "line_display.hpp"

#include <algorithm>

#include "output_format.hpp"

namespace cqlwire::cli {
namespace {

std::string csi(std::size_t n, char final_byte) { return "\x1b[" + std::to_string(n) + final_byte; }

}  // namespace

std::string line_display::draw(std::string_view prompt, std::string_view line, std::size_t cursor,
                               std::size_t columns) {
    columns = std::max<std::size_t>(columns, 1);
    cursor = std::min(cursor, line.size());
    std::string shown(line);
    std::replace(shown.begin(), shown.end(), '\t', ' ');
    std::string out;
    // Back to the prompt's first row, and everything from there on cleared.
    if (cursor_row_ > 0) out += csi(cursor_row_, 'A');
    out += "\r\x1b[J";
    out += prompt;
    out += shown;
    const std::size_t prompt_width = display_width(prompt);
    const std::size_t total = prompt_width + display_width(shown);
    // Text that fills its last row exactly leaves the terminal's cursor in that row's last
    // column, waiting to wrap: a line break puts it at the start of the next row, where the
    // arithmetic below expects it.
    if (total > 0 && total % columns == 0) out += "\r\n";
    end_row_ = total / columns;
    end_column_ = total % columns;
    const std::size_t before_cursor = prompt_width + display_width(std::string_view(shown).substr(0, cursor));
    cursor_row_ = before_cursor / columns;
    const std::size_t cursor_column = before_cursor % columns;
    if (end_row_ > cursor_row_) out += csi(end_row_ - cursor_row_, 'A');
    out += '\r';
    if (cursor_column > 0) out += csi(cursor_column, 'C');
    return out;
}

std::string line_display::to_end() const {
    std::string out;
    if (end_row_ > cursor_row_) out += csi(end_row_ - cursor_row_, 'B');
    out += '\r';
    if (end_column_ > 0) out += csi(end_column_, 'C');
    return out;
}

}  // namespace cqlwire::cli

// Drawing the edited line over several rows; see line_display.hpp.
#include "line_display.hpp"

#include <algorithm>

#include "output_format.hpp"

namespace cqlwire::cli {
namespace {

std::string csi(std::size_t n, char final_byte) { return "\x1b[" + std::to_string(n) + final_byte; }

}  // namespace

namespace {

// Where the terminal's cursor stands after writing `text` from column `column` of row `row`, as
// terminals wrap: a character that does not fit in what is left of a row (a wide one in the
// last column) goes whole to the next row; a row filled to its end leaves the cursor waiting
// in its last column (column == columns) until the next character.
void advance(std::string_view text, std::size_t columns, std::size_t& row, std::size_t& column) {
    for (std::size_t i = 0; i < text.size();) {
        std::size_t length = 1;
        const auto lead = static_cast<unsigned char>(text[i]);
        if (lead >= 0xF0) length = 4;
        else if (lead >= 0xE0) length = 3;
        else if (lead >= 0xC0) length = 2;
        length = std::min(length, text.size() - i);
        const std::size_t width = display_width(text.substr(i, length));
        i += length;
        if (width == 0) continue;
        if (column + width > columns) {
            ++row;
            column = 0;
        }
        column += width;
    }
}

}  // namespace

std::string line_display::draw(std::string_view prompt, std::string_view line, std::size_t cursor,
                               std::size_t columns) {
    columns = std::max<std::size_t>(columns, 2);
    cursor = std::min(cursor, line.size());
    std::string shown(line);
    std::replace(shown.begin(), shown.end(), '\t', ' ');
    std::string out;
    // Back to the prompt's first row, and everything from there on cleared.
    if (cursor_row_ > 0) out += csi(cursor_row_, 'A');
    out += "\r\x1b[J";
    out += prompt;
    out += shown;
    std::size_t cursor_row = 0, cursor_column = 0;
    advance(prompt, columns, cursor_row, cursor_column);
    advance(std::string_view(shown).substr(0, cursor), columns, cursor_row, cursor_column);
    std::size_t row = cursor_row, column = cursor_column;
    advance(std::string_view(shown).substr(cursor), columns, row, column);
    // Text that fills its last row exactly leaves the terminal's cursor in that row's last
    // column, waiting to wrap: a line break puts it at the start of the next row, where the
    // arithmetic below expects it. A cursor at such a row's end stands at the next row's start.
    if (column == columns) {
        out += "\r\n";
        ++row;
        column = 0;
    }
    if (cursor_column == columns) {
        ++cursor_row;
        cursor_column = 0;
    }
    end_row_ = row;
    end_column_ = column;
    cursor_row_ = cursor_row;
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

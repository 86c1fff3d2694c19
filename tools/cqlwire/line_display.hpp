// Drawing the line being edited on the terminal: the prompt and the line, wrapped over as many
// rows as the terminal's width makes it take, with the cursor where the editor has it. Pure: it
// returns the bytes to write (and remembers where it left the cursor), so it is tested without
// a terminal.
//
// Each draw goes back to the prompt's first row, clears to the end of the screen and writes the
// whole text, then moves the cursor back from the end to its place: a line longer than the
// terminal is wide is redrawn in place, never copied down the screen. Widths are display widths
// (output_format.hpp's display_width), and rows wrap as terminals wrap them (a wide character
// that does not fit at a row's end goes whole to the next row); a tab in the line (pasted) is
// shown as one space.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cqlwire::cli {

class line_display {
public:
    // The bytes that show `prompt` then `line` with the cursor before line[cursor] (a byte
    // offset), replacing what the previous draw showed. `columns`: the terminal's width.
    std::string draw(std::string_view prompt, std::string_view line, std::size_t cursor, std::size_t columns);
    // The bytes that move the cursor from its place to the end of the text last drawn (before
    // the line is ended with a line break, or a list is printed under it).
    std::string to_end() const;
    // The next draw starts on the row the cursor is on (after a list was printed, or the screen
    // cleared).
    void start_afresh() noexcept { cursor_row_ = end_row_ = end_column_ = 0; }

private:
    std::size_t cursor_row_ = 0;   // rows below the prompt's first row, where the cursor is
    std::size_t end_row_ = 0;      // and where the text ends
    std::size_t end_column_ = 0;
};

}  // namespace cqlwire::cli

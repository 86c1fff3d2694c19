#include "test_support.hpp"

#include <string>

#include "line_display.hpp"

// The edited line drawn over several rows: what goes to the terminal for each draw.

using cqlwire::cli::line_display;

TEST_CASE("a line within one row: back to its start, cleared, written, the cursor moved back") {
    line_display d;
    CHECK(d.draw("cql> ", "SELECT", 6, 80) == "\r\x1b[Jcql> SELECT\r\x1b[11C");
    CHECK(d.draw("cql> ", "SELECT", 2, 80) == "\r\x1b[Jcql> SELECT\r\x1b[7C");
    CHECK(d.to_end() == "\r\x1b[11C");
    // A tab pasted into the line shows as one space.
    CHECK(d.draw("> ", "a\tb", 3, 80) == "\r\x1b[J> a b\r\x1b[5C");
}

TEST_CASE("a line over several rows is redrawn in place from the prompt's first row") {
    line_display d;
    // Width 10: "p> " + 15 characters = 18 columns, two rows; the cursor at the end, row 1 col 8.
    const std::string line = "abcdefghijklmno";
    CHECK(d.draw("p> ", line, line.size(), 10) == "\r\x1b[Jp> abcdefghijklmno\r\x1b[8C");
    // The next draw goes up one row first. The cursor at byte 2: row 0, column 5.
    CHECK(d.draw("p> ", line, 2, 10) == "\x1b[1A\r\x1b[Jp> abcdefghijklmno\x1b[1A\r\x1b[5C");
    // From row 0, no row to go up; to the end is one row down.
    CHECK(d.to_end() == "\x1b[1B\r\x1b[8C");
    CHECK(d.draw("p> ", "x", 1, 10) == "\r\x1b[Jp> x\r\x1b[4C");
}

TEST_CASE("text that fills its last row exactly gets a line break, so that the cursor is known") {
    line_display d;
    // 3 + 7 = 10 columns on a width of 10: the end is row 1, column 0.
    CHECK(d.draw("p> ", "abcdefg", 7, 10) == "\r\x1b[Jp> abcdefg\r\n\r");
    CHECK(d.draw("p> ", "abcdefg", 0, 10) == "\x1b[1A\r\x1b[Jp> abcdefg\r\n\x1b[1A\r\x1b[3C");
    // Wide characters count two columns.
    line_display w;
    CHECK(w.draw("> ", "日本", 6, 80) == "\r\x1b[J> 日本\r\x1b[6C");
    // After a list printed under the line, the next draw starts where the cursor is.
    d.start_afresh();
    CHECK(d.draw("p> ", "", 0, 10) == "\r\x1b[Jp> \r\x1b[3C");
}

TEST_CASE("a wide character that does not fit at a row's end goes whole to the next row, as terminals put it") {
    line_display d;
    // Width 10: "p> " + 6 narrow = column 9; 中 (2 wide) does not fit in the last column: it
    // starts row 1, so the text ends at row 1, column 2, and the cursor after 中 is there too.
    const std::string line = "abcdef\xe4\xb8\xad";
    CHECK(d.draw("p> ", line, line.size(), 10) == "\r\x1b[Jp> abcdef\xe4\xb8\xad\r\x1b[2C");
    // The cursor before 中: row 0, column 9 (where the terminal shows the gap).
    CHECK(d.draw("p> ", line, 6, 10) == "\x1b[1A\r\x1b[Jp> abcdef\xe4\xb8\xad\x1b[1A\r\x1b[9C");
    // A wide character that fits exactly at a row's end fills it: a line break follows.
    line_display e;
    const std::string fits = "abcde\xe4\xb8\xad";  // 3 + 5 + 2 = 10
    CHECK(e.draw("p> ", fits, fits.size(), 10) == "\r\x1b[Jp> abcde\xe4\xb8\xad\r\n\r");
}

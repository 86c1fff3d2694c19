// CSV as COPY writes and reads it: the dialect cqlsh's COPY uses (its DELIMITER, QUOTE and
// ESCAPE options over the rules of Python's csv module, which cqlsh's files follow), so that
// files move between cqlsh and cqlwire both ways.
//
// Writing (csv_append_record): a field is quoted when it holds the delimiter, a CR or an LF (or
// the quote, when quote == escape: "doublequote"), or when it is empty and either the only field
// of its record (else the record would read back as a blank line) or marked as an empty text
// (so that it reads back apart from a null, which is written unquoted). The quote is doubled
// when quote == escape, else written after the escape, quoted or not; so is the escape itself.
// Records end with CRLF, as cqlsh's do.
//
// Reading (csv_reader): records one at a time from a byte source, each with the line it began
// on. Outside quotes the escape takes the next character literally, and CR, LF or CRLF end the
// record; inside quotes line ends are data, and the quote ends the quoted part (doubled, it is
// one quote). Text after a closing quote joins the field, as Python's non-strict reader does.
// Blank lines are skipped. A record longer than the limit, or a quoted field still open at the
// end of the input, is an error naming its line.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cqlwire::cli {

struct csv_dialect {
    char delimiter = ',';
    char quote = '"';
    char escape = '\\';  // == quote: quotes are doubled instead of escaped
};

// Appends one record (with its CRLF) to `out`. `empty_is_text[i]` marks an empty field i as a
// value rather than a null (it is then written "").
void csv_append_record(const csv_dialect& d, const std::vector<std::string>& fields, std::string& out,
                       const std::vector<bool>* empty_is_text = nullptr);

class csv_reader {
public:
    // Fills `buffer` with up to `size` bytes; returns how many (0 at the end), or -1 on a read
    // error (whose words the source keeps; the reader reports "read error").
    using source = std::function<long(char* buffer, std::size_t size)>;

    csv_reader(csv_dialect d, source src, std::size_t max_record_bytes = std::size_t{16} << 20)
        : dialect_(d), source_(std::move(src)), max_record_bytes_(max_record_bytes) {}

    enum class status { record, end, error };
    // The next record into `fields`. On error, `error()` says why (no byte of the data in it).
    status next(std::vector<std::string>& fields);
    // Whether each field of the last record was quoted ("" is an empty text, nothing a null).
    const std::vector<bool>& quoted() const noexcept { return quoted_; }
    // The line (1-based) the last record began on.
    std::size_t record_line() const noexcept { return record_line_; }
    const std::string& error() const noexcept { return error_; }

private:
    bool fill();
    int peek();
    csv_dialect dialect_;
    source source_;
    std::size_t max_record_bytes_;
    std::vector<char> buffer_ = std::vector<char>(64 * 1024);
    std::size_t pos_ = 0;
    std::size_t end_ = 0;
    bool eof_ = false;
    bool failed_ = false;
    std::size_t line_ = 1;
    std::size_t record_line_ = 0;
    std::string error_;
    std::vector<bool> quoted_;
};

}  // namespace cqlwire::cli

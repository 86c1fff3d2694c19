// COPY's CSV; see csv_dialect.hpp.
#include "csv_dialect.hpp"

namespace cqlwire::cli {

void csv_append_record(const csv_dialect& d, const std::vector<std::string>& fields, std::string& out,
                       const std::vector<bool>* empty_is_text) {
    const bool doubled = d.quote == d.escape;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out.push_back(d.delimiter);
        const std::string& f = fields[i];
        // Python's writer quotes for the delimiter and line ends (and, doubling, for the quote);
        // a quote it does not double, and the escape, are escaped wherever they are.
        bool quoted = f.empty() && (fields.size() == 1 || (empty_is_text != nullptr && i < empty_is_text->size() &&
                                                           (*empty_is_text)[i]));
        for (char c : f)
            if (c == d.delimiter || c == '\r' || c == '\n' || (doubled && c == d.quote)) {
                quoted = true;
                break;
            }
        if (quoted) out.push_back(d.quote);
        for (char c : f) {
            if (c == d.quote) out.push_back(doubled ? d.quote : d.escape);
            else if (!doubled && c == d.escape) out.push_back(d.escape);
            out.push_back(c);
        }
        if (quoted) out.push_back(d.quote);
    }
    out += "\r\n";
}

bool csv_reader::fill() {
    if (eof_ || failed_) return false;
    pos_ = 0;
    end_ = 0;
    const long n = source_(buffer_.data(), buffer_.size());
    if (n <= 0) {
        (n < 0 ? failed_ : eof_) = true;
        return false;
    }
    end_ = static_cast<std::size_t>(n);
    return true;
}

int csv_reader::peek() {
    if (pos_ == end_ && !fill()) return -1;
    return static_cast<unsigned char>(buffer_[pos_]);
}

csv_reader::status csv_reader::next(std::vector<std::string>& fields) {
    fields.clear();
    quoted_.clear();
    error_.clear();
    enum class state { start_record, start_field, in_field, escaped, in_quoted, escaped_in_quoted, quote_in_quoted };
    state st = state::start_record;
    const bool doubled = dialect_.quote == dialect_.escape;
    std::size_t bytes = 0;
    std::string field;
    bool was_quoted = false;
    auto end_field = [&] {
        fields.push_back(std::move(field));
        field.clear();
        quoted_.push_back(was_quoted);
        was_quoted = false;
    };
    // CR, LF or CRLF ends the record.
    auto end_record = [&](char c) {
        end_field();
        if (c == '\r' && peek() == '\n') ++pos_, ++line_;
        return status::record;
    };
    for (;;) {
        const int ch = peek();
        if (ch < 0) {
            if (failed_) {
                error_ = "read error";
                return status::error;
            }
            switch (st) {
            case state::start_record: return status::end;
            case state::in_quoted:
            case state::escaped_in_quoted:
                error_ = "a quoted field that begins on line " + std::to_string(record_line_) + " is never closed";
                return status::error;
            case state::escaped:
                field.push_back(dialect_.escape);  // an escape as the last byte stands for itself
                end_field();
                return status::record;
            default: end_field(); return status::record;
            }
        }
        ++pos_;
        const char c = static_cast<char>(ch);
        if (c == '\n') ++line_;
        if (++bytes > max_record_bytes_) {
            error_ = "the record that begins on line " + std::to_string(record_line_) + " is longer than " +
                     std::to_string(max_record_bytes_ >> 20) + " MiB";
            // Skip to the end of the physical line so that reading can go on after it.
            for (int rest = peek(); rest >= 0 && rest != '\n'; rest = peek()) ++pos_;
            return status::error;
        }
        switch (st) {
        case state::start_record:
            if (c == '\r' || c == '\n') {
                bytes = 0;  // a blank line
                continue;
            }
            record_line_ = line_ - (c == '\n' ? 1 : 0);
            st = state::start_field;
            [[fallthrough]];
        case state::start_field:
            if (c == dialect_.quote) {
                st = state::in_quoted;
                was_quoted = true;
            } else if (!doubled && c == dialect_.escape) {
                st = state::escaped;
            } else if (c == dialect_.delimiter) {
                end_field();
            } else if (c == '\r' || c == '\n') {
                return end_record(c);
            } else {
                field.push_back(c);
                st = state::in_field;
            }
            break;
        case state::in_field:
            if (c == '\r' || c == '\n') return end_record(c);
            if (!doubled && c == dialect_.escape) st = state::escaped;
            else if (c == dialect_.delimiter) end_field(), st = state::start_field;
            else field.push_back(c);
            break;
        case state::escaped:
            field.push_back(c);
            st = state::in_field;
            break;
        case state::in_quoted:
            if (c == dialect_.quote) st = doubled ? state::quote_in_quoted : state::in_field;
            else if (!doubled && c == dialect_.escape) st = state::escaped_in_quoted;
            else field.push_back(c);
            break;
        case state::escaped_in_quoted:
            field.push_back(c);
            st = state::in_quoted;
            break;
        case state::quote_in_quoted:
            if (c == dialect_.quote) {
                field.push_back(c);
                st = state::in_quoted;
            } else if (c == dialect_.delimiter) {
                end_field();
                st = state::start_field;
            } else if (c == '\r' || c == '\n') {
                return end_record(c);
            } else {
                field.push_back(c);
                st = state::in_field;
            }
            break;
        }
    }
}

}  // namespace cqlwire::cli

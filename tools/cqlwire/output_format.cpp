#include "output_format.hpp"

#include <algorithm>
#include <cstdint>

#include "cell_rendering.hpp"
#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {
namespace {

constexpr std::string_view null_text = "null";
const std::optional<std::string> no_cell;  // a row shorter than its columns

// Decodes one UTF-8 sequence at `i`; returns the code point, or -1 for an invalid byte (then
// advancing by one byte).
std::int32_t next_code_point(std::string_view s, std::size_t& i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::int32_t cp = 0;
    if (b0 < 0x80) {
        ++i;
        return b0;
    }
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
    else { ++i; return -1; }
    if (i + len > s.size()) { ++i; return -1; }
    for (std::size_t k = 1; k < len; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) { ++i; return -1; }
        cp = (cp << 6) | (b & 0x3F);
    }
    i += len;
    return cp;
}

bool is_combining(std::int32_t cp) noexcept {
    return (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) || (cp >= 0x1DC0 && cp <= 0x1DFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200B || cp == 0x200D;
}

bool is_wide(std::int32_t cp) noexcept {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) || (cp >= 0x3041 && cp <= 0x33FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE30 && cp <= 0xFE4F) ||
           (cp >= 0xFF00 && cp <= 0xFF60) || (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
           (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

void write_csv_field(std::ostream& out, std::string_view field) {
    if (field.empty()) {
        out << "\"\"";
        return;
    }
    if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
        out << field;
        return;
    }
    out.put('"');
    for (char c : field) {
        if (c == '"') out.put('"');
        out.put(c);
    }
    out.put('"');
}

}  // namespace

std::size_t display_width(std::string_view text) noexcept {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        const std::int32_t cp = next_code_point(text, i);
        if (cp >= 0 && is_combining(cp)) continue;
        width += (cp >= 0 && is_wide(cp)) ? 2 : 1;
    }
    return width;
}

std::size_t visible_width(std::string_view text) noexcept {
    std::size_t width = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\033' || i + 1 == text.size() || text[i + 1] != '[') continue;
        std::size_t end = i + 2;
        while (end < text.size() && ((text[end] >= '0' && text[end] <= '9') || text[end] == ';')) ++end;
        if (end == text.size() || text[end] != 'm') continue;
        width += display_width(text.substr(start, i - start));
        start = end + 1;
        i = end;
    }
    return width + display_width(text.substr(start));
}

std::string json_quote(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 2);
    out.push_back('"');
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                protocol::append_hex_byte(out, c);
            } else {
                out.push_back(ch);
            }
        }
    }
    out.push_back('"');
    return out;
}

cell_rendering cell_rendering_for(output_format f) noexcept {
    return f == output_format::json ? cell_rendering::json : cell_rendering::cql_text;
}

void result_writer::page(const rendered_rows& r) {
    switch (format_) {
    case output_format::table: table_page(r); break;
    case output_format::json: json_page(r); break;
    case output_format::csv: csv_page(r); break;
    }
    started_ = true;
    rows_ += r.rows.size();
}

void result_writer::finish() {
    if (!started_) page(rendered_rows{});
    switch (format_) {
    case output_format::table:
        // On a terminal each page already ended with its blank line. A result that is not a
        // SELECT's ("[applied]") ends with its last row, as in cqlsh.
        if (!terminal_layout_ && show_row_count_) out_ << '\n';
        if (show_row_count_) out_ << '(' << rows_ << " rows)\n";
        break;
    case output_format::json: out_ << "]\n"; break;
    case output_format::csv: break;
    }
}

void result_writer::expanded_page(const rendered_rows& r) {
    if (!started_) out_ << '\n';
    std::size_t name_width = 0;
    std::size_t value_width = 0;
    for (const auto& name : r.column_names) name_width = std::max(name_width, display_width(name));
    for (const auto& row : r.rows)
        for (const auto& cell : row) value_width = std::max(value_width, cell ? width(*cell) : null_text.size());
    std::size_t number = rows_;  // rows of the earlier pages
    std::string line;
    for (const auto& row : r.rows) {
        out_ << "@ Row " << ++number << '\n';
        out_ << '-' << std::string(name_width, '-') << "-+-" << std::string(value_width, '-') << "-\n";
        for (std::size_t c = 0; c < r.column_names.size(); ++c) {
            const std::string& name = r.column_names[c];
            line = " ";
            write_name(line, name, c);
            line.append(name_width - display_width(name), ' ');
            line += " | ";
            write_cell(line, c < row.size() ? row[c] : no_cell);
            out_ << line << '\n';
        }
        out_ << '\n';
    }
}

void result_writer::table_page(const rendered_rows& r) {
    // Pages after the first add rows only; an empty one adds nothing.
    if (started_ && r.rows.empty()) return;
    // Expanded rows; a result without any keeps the header, as in cqlsh.
    if (expanded_ && !r.rows.empty()) {
        expanded_page(r);
        return;
    }
    const std::size_t n = r.column_names.size();
    std::vector<std::size_t> widths(n);
    for (std::size_t c = 0; c < n; ++c) widths[c] = display_width(r.column_names[c]);
    for (const auto& row : r.rows)
        for (std::size_t c = 0; c < n && c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c] ? width(*row[c]) : null_text.size());

    if (!started_) out_ << '\n';
    if (!started_ || terminal_layout_) {
        // Header: names left-aligned, with the padding after the last one trimmed.
        std::string header = " ";
        for (std::size_t c = 0; c < n; ++c) {
            if (c > 0) header += " | ";
            write_name(header, r.column_names[c], c);
            header.append(widths[c] - display_width(r.column_names[c]), ' ');
        }
        header.erase(header.find_last_not_of(' ') + 1);
        out_ << header << '\n';
        out_ << '-';
        for (std::size_t c = 0; c < n; ++c) {
            if (c > 0) out_ << "-+-";
            out_ << std::string(widths[c], '-');
        }
        out_ << "-\n";
    }
    // A first page without rows: cqlsh ends the bare header with a blank line.
    if (r.rows.empty()) {
        out_ << '\n';
        return;
    }
    std::string line;
    for (const auto& row : r.rows) {
        line = " ";
        for (std::size_t c = 0; c < n; ++c) {
            if (c > 0) line += " | ";
            const std::optional<std::string>& cell = c < row.size() ? row[c] : no_cell;
            line.append(widths[c] - (cell ? width(*cell) : null_text.size()), ' ');
            write_cell(line, cell);
        }
        out_ << line << '\n';
    }
    if (terminal_layout_) out_ << '\n';
}

std::size_t result_writer::width(std::string_view text) const noexcept {
    return color_ ? visible_width(text) : display_width(text);
}

void result_writer::write_name(std::string& line, std::string_view name, std::size_t column) const {
    // Names are shown as they are (controls escaped, backslashes single), so only wrapped.
    if (color_) {
        switch (column < roles_.size() ? roles_[column] : column_role::other) {
        case column_role::partition_key: line += ansi::red; break;
        case column_role::clustering: line += ansi::cyan; break;
        case column_role::static_column: line += ansi::white; break;
        case column_role::other: line += ansi::magenta; break;
        }
    }
    line += name;
    if (color_) line += ansi::reset;
}

void result_writer::write_cell(std::string& line, const std::optional<std::string>& cell) const {
    if (cell) {
        line += *cell;
    } else if (color_) {
        line += ansi::red;
        line += null_text;
        line += ansi::reset;
    } else {
        line += null_text;
    }
}

void result_writer::json_page(const rendered_rows& r) {
    if (!started_) {
        json_keys_.clear();
        for (const auto& name : r.column_names) json_keys_.push_back(json_column_key(name));
        out_ << '[';
    }
    for (std::size_t i = 0; i < r.rows.size(); ++i) {
        if (rows_ + i > 0) out_ << ',';
        out_ << '{';
        const auto& row = r.rows[i];
        for (std::size_t c = 0; c < json_keys_.size(); ++c) {
            if (c > 0) out_ << ',';
            out_ << json_keys_[c] << ':';
            if (c < row.size() && row[c]) out_ << *row[c];
            else out_ << "null";
        }
        out_ << '}';
    }
}

void result_writer::csv_page(const rendered_rows& r) {
    if (!started_) {
        for (std::size_t c = 0; c < r.column_names.size(); ++c) {
            if (c > 0) out_ << ',';
            write_csv_field(out_, r.column_names[c]);
        }
        out_ << '\n';
    }
    for (const auto& row : r.rows) {
        for (std::size_t c = 0; c < r.column_names.size(); ++c) {
            if (c > 0) out_ << ',';
            if (c < row.size() && row[c]) write_csv_field(out_, *row[c]);
        }
        out_ << '\n';
    }
}

void write_table(std::ostream& out, const rendered_rows& r) { write_rows(out, output_format::table, r); }
void write_json(std::ostream& out, const rendered_rows& r) { write_rows(out, output_format::json, r); }
void write_csv(std::ostream& out, const rendered_rows& r) { write_rows(out, output_format::csv, r); }

void write_rows(std::ostream& out, output_format f, const rendered_rows& r) {
    result_writer writer(out, f);
    writer.page(r);
    writer.finish();
}

}  // namespace cqlwire::cli

// Cells as each output format writes them; see cell_rendering.hpp.
#include "cell_rendering.hpp"

#include "copy_time_format.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "time_zone.hpp"

namespace cqlwire::cli {
namespace {

void append_marked_bytes(protocol::bytes_view bytes, bool json, std::string& out) {
    if (json) out.push_back('"');
    out.append("<undecodable 0x");
    protocol::append_hex(out, bytes);
    out.push_back('>');
    if (json) out.push_back('"');
}

bool is_hex(char c) noexcept { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// The table's text of a value when a display setting is not the default: render_cql's structure
// walked here so that timestamps anywhere take [ui] time_format and timezone and each piece gets
// its colour. Scalars other than formatted timestamps are render_cql's own text; a composite's
// precision is the top-level one, as render_cql (and cqlsh) choose it.
class display_renderer {
public:
    display_renderer(const cell_display& display, int precision) : display_(display) {
        leaf_.float_precision = precision;
        leaf_.double_precision = precision;
    }

    std::error_code render(const protocol::value_view& v, bool quote, int depth, std::string& out) {
        using protocol::type_kind;
        if (depth <= 0) return make_error_code(protocol::client_errc::depth_exceeded);
        if (!v.raw().is_present()) {
            colored(ansi::red, "null", out);
            return {};
        }
        const type_kind k = v.kind();
        const bool text = k == type_kind::ascii || k == type_kind::varchar;
        if (v.bytes().empty() && !text && k != type_kind::blob && k != type_kind::custom) {
            // cqlsh shows an empty value as empty text (in text's colour).
            if (display_.color) append_colored_text({}, ansi::yellow, out);
            return {};
        }
        switch (k) {
        case type_kind::list:
        case type_kind::vector:
        case type_kind::set:
        case type_kind::tuple: {
            protocol::element_cursor c;
            if (auto ec = protocol::open_elements(v, c)) return ec;
            punctuation(k == type_kind::set ? "{" : k == type_kind::tuple ? "(" : "[", out);
            protocol::value_view e = v;
            while (!c.at_end()) {
                if (c.index() > 0) punctuation(", ", out);
                if (auto ec = c.next(e)) return ec;
                if (auto ec = render(e, true, depth - 1, out)) return ec;
            }
            punctuation(k == type_kind::set ? "}" : k == type_kind::tuple ? ")" : "]", out);
            return {};
        }
        case type_kind::udt: {
            protocol::element_cursor c;
            if (auto ec = protocol::open_elements(v, c)) return ec;
            const auto& names = v.type().field_names;
            const auto name_type = protocol::data_type::of(type_kind::varchar);
            punctuation("{", out);
            protocol::value_view e = v;
            while (!c.at_end()) {
                const auto i = c.index();
                if (i > 0) punctuation(", ", out);
                const std::string_view name = i < names.size() ? std::string_view(names[i]) : std::string_view{};
                // The field name as cqlsh shows text (render_cql refuses one that is not UTF-8).
                const protocol::value_view name_value(
                    name_type, protocol::raw_value::of(protocol::bytes_view(
                                   reinterpret_cast<const std::uint8_t*>(name.data()), name.size())));
                if (auto ec = render(name_value, false, depth - 1, out)) return ec;
                punctuation(": ", out);
                if (auto ec = c.next(e)) return ec;
                if (auto ec = render(e, true, depth - 1, out)) return ec;
            }
            punctuation("}", out);
            return {};
        }
        case type_kind::map: {
            protocol::map_cursor c;
            if (auto ec = protocol::open_entries(v, c)) return ec;
            punctuation("{", out);
            protocol::value_view key = v, value = v;
            while (!c.at_end()) {
                if (c.index() > 0) punctuation(", ", out);
                if (auto ec = c.next(key, value)) return ec;
                if (auto ec = render(key, true, depth - 1, out)) return ec;
                punctuation(": ", out);
                if (auto ec = render(value, true, depth - 1, out)) return ec;
            }
            punctuation("}", out);
            return {};
        }
        default: break;
        }
        scratch_.clear();
        if (k == type_kind::timestamp && (!display_.time_format.empty() || display_.zone != nullptr)) {
            protocol::cql_timestamp t;
            if (auto ec = protocol::to_timestamp(v, t)) return ec;
            format_timestamp(display_.time_format.empty() ? default_datetime_format : display_.time_format,
                             t.milliseconds, scratch_, timestamp_style{6, display_.zone, 1});
        } else if (auto ec = protocol::render_cql(v, scratch_, leaf_)) {
            return ec;
        }
        // Inside a collection text is quoted, with its quotes doubled; inets and timestamps are
        // quoted too (render_cql's display form).
        if (quote && text) {
            std::string quoted = "'";
            for (const char ch : scratch_) {
                if (ch == '\'') quoted.push_back('\'');
                quoted.push_back(ch);
            }
            quoted.push_back('\'');
            scratch_.swap(quoted);
        } else if (quote && (k == type_kind::inet || k == type_kind::timestamp)) {
            scratch_.insert(scratch_.begin(), '\'');
            scratch_.push_back('\'');
        }
        if (!display_.color) out += scratch_;
        else if (text) append_colored_text(scratch_, ansi::yellow, out);
        else colored(k == type_kind::blob || k == type_kind::custom ? ansi::dark_magenta : ansi::green, scratch_, out);
        return {};
    }

private:
    void colored(std::string_view color, std::string_view text, std::string& out) const {
        if (display_.color) out += color;
        out += text;
        if (display_.color) out += ansi::reset;
    }
    void punctuation(std::string_view p, std::string& out) const { colored(ansi::blue, p, out); }

    const cell_display& display_;
    protocol::render_options leaf_;
    std::string scratch_;
};

}  // namespace

void append_colored_text(std::string_view escaped, std::string_view color, std::string& out) {
    out += color;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        if (escaped[i] != '\\' || i + 1 == escaped.size()) {
            out.push_back(escaped[i]);
            continue;
        }
        const char next = escaped[i + 1];
        if (next == '\\') {
            out.push_back('\\');
            ++i;
            continue;
        }
        // cqlsh's bits_to_turn_red_re: \ then any character but u, U and x, or \uXXXX, \xXX, \UXXXXXXXX.
        std::size_t length = 2;
        if (next == 'x' || next == 'u' || next == 'U') {
            const std::size_t digits = next == 'x' ? 2 : next == 'u' ? 4 : 8;
            bool hex = i + 2 + digits <= escaped.size();
            for (std::size_t d = 0; hex && d < digits; ++d) hex = is_hex(escaped[i + 2 + d]);
            if (!hex) {
                out.push_back('\\');
                continue;
            }
            length = 2 + digits;
        }
        out += ansi::dark_magenta;
        out += escaped.substr(i, length);
        out += color;
        i += length - 1;
    }
    out += ansi::reset;
}

std::string colored_lines(std::string_view text, std::string_view color) {
    std::string out;
    while (!text.empty()) {
        const auto nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        if (!line.empty()) {
            out += color;
            out += line;
            out += ansi::reset;
        }
        if (nl == std::string_view::npos) break;
        out.push_back('\n');
        text.remove_prefix(nl + 1);
    }
    return out;
}

bool render_cell(const protocol::value_view& v, output_format format, std::string& out, std::string& reason,
                 int float_precision, int double_precision, const cell_display& display) {
    out.clear();
    reason.clear();
    std::error_code ec;
    const bool styled = format == output_format::table && !display.is_default();
    if (styled) {
        display_renderer r(display, v.kind() == protocol::type_kind::double_ ? double_precision : float_precision);
        ec = r.render(v, false, protocol::max_type_depth, out);
    } else if (format == output_format::json) {
        ec = protocol::render_json(v, out);
    } else {
        protocol::render_options options;
        options.float_precision = float_precision;
        options.double_precision = double_precision;
        if (format == output_format::csv) options.form = protocol::cql_text_form::data;
        ec = protocol::render_cql(v, out, options);
    }
    if (!ec) return true;
    out.clear();
    // cqlsh shows a value it cannot format in red.
    if (styled && display.color) out += ansi::red;
    append_marked_bytes(v.bytes(), format == output_format::json, out);
    if (styled && display.color) out += ansi::reset;
    protocol::describe_render_failure(v, reason);
    if (reason.empty()) reason = ec.message();
    return false;
}

std::string json_column_key(std::string_view column_name) {
    std::string out;
    if (protocol::is_valid_utf8(column_name)) {
        protocol::append_json_name(column_name, out);
        return out;
    }
    // Replace each ill-formed sequence's first byte with U+FFFD and go on after it.
    std::string repaired;
    while (!column_name.empty()) {
        auto at = protocol::utf8_error_offset(column_name);
        if (at == std::string_view::npos) {
            repaired.append(column_name);
            break;
        }
        repaired.append(column_name.substr(0, at));
        repaired.append("\xEF\xBF\xBD");
        column_name.remove_prefix(at + 1);
    }
    protocol::append_json_name(repaired, out);
    return out;
}

}  // namespace cqlwire::cli

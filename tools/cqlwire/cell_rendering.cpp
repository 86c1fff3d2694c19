// Cells as each output format writes them; see cell_rendering.hpp.
#include "cell_rendering.hpp"

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::cli {
namespace {

void append_marked_bytes(protocol::bytes_view bytes, bool json, std::string& out) {
    if (json) out.push_back('"');
    out.append("<undecodable 0x");
    protocol::append_hex(out, bytes);
    out.push_back('>');
    if (json) out.push_back('"');
}

}  // namespace

bool render_cell(const protocol::value_view& v, output_format format, std::string& out, std::string& reason,
                 int float_precision, int double_precision) {
    out.clear();
    reason.clear();
    std::error_code ec;
    if (format == output_format::json) {
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
    append_marked_bytes(v.bytes(), format == output_format::json, out);
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

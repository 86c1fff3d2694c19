// COPY TO's cells; see copy_cell_text.hpp.
#include "copy_cell_text.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "cell_rendering.hpp"
#include "copy_time_format.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"

namespace cqlwire::cli {

namespace {

// Inserts `sep` between groups of three digits of the integer part of a rendered number, and
// writes its decimal point as `point` (cqlsh's THOUSANDSSEP and DECIMALSEP).
std::string localize_number(std::string_view text, std::string_view sep, std::string_view point) {
    std::size_t start = (!text.empty() && (text[0] == '-' || text[0] == '+')) ? 1 : 0;
    std::size_t digits_end = start;
    while (digits_end < text.size() && text[digits_end] >= '0' && text[digits_end] <= '9') ++digits_end;
    std::string out(text.substr(0, start));
    const std::size_t digits = digits_end - start;
    for (std::size_t i = 0; i < digits; ++i) {
        if (i > 0 && (digits - i) % 3 == 0) out += sep;
        out.push_back(text[start + i]);
    }
    for (std::size_t i = digits_end; i < text.size(); ++i) {
        if (text[i] == '.') out += point;
        else out.push_back(text[i]);
    }
    return out;
}

}  // namespace

bool copy_cell_text(const protocol::value_view& v, const copy_options& o, std::string& out, std::string& reason) {
    out.clear();
    using protocol::type_kind;
    const type_kind kind = v.type().kind;
    if (kind == type_kind::boolean) {
        bool b = false;
        if (!protocol::to_bool(v, b)) {
            out = b ? o.true_text : o.false_text;
            return true;
        }
    } else if (kind == type_kind::timestamp && !o.datetime_format.empty()) {
        protocol::cql_timestamp ts;
        if (!protocol::to_timestamp(v, ts)) {
            format_timestamp(o.datetime_format, ts.milliseconds, out);
            return true;
        }
    } else if ((kind == type_kind::float_ && o.float_precision) || (kind == type_kind::double_ && o.double_precision)) {
        double d = 0;
        const int precision = kind == type_kind::float_ ? *o.float_precision : *o.double_precision;
        if (!protocol::to_double(v, d)) {
            if (o.thousands_sep.empty() || !std::isfinite(d)) {
                protocol::append_cql_double(d, precision, out);
            } else {
                // cqlsh's grouped form: the whole part in groups, then the fraction to
                // `precision` places without trailing zeros (never in exponent form).
                char whole[64];
                std::snprintf(whole, sizeof whole, "%.0f", std::trunc(d));
                char fraction[64];
                std::snprintf(fraction, sizeof fraction, "%.*f", precision, std::fabs(d - std::trunc(d)));
                std::string digits = std::string(fraction).substr(std::min<std::size_t>(2, std::strlen(fraction)));
                while (!digits.empty() && digits.back() == '0') digits.pop_back();
                out = localize_number(whole, o.thousands_sep, ".");
                if (!digits.empty()) out += o.decimal_sep + digits;
                return true;
            }
        }
    }
    if (out.empty() && !render_cell(v, output_format::csv, out, reason)) return false;
    const bool numeric = kind == type_kind::tinyint || kind == type_kind::smallint || kind == type_kind::int_ ||
                         kind == type_kind::bigint || kind == type_kind::varint || kind == type_kind::counter ||
                         kind == type_kind::float_ || kind == type_kind::double_ || kind == type_kind::decimal;
    if (numeric && (!o.thousands_sep.empty() || o.decimal_sep != ".")) out = localize_number(out, o.thousands_sep, o.decimal_sep);
    return true;
}


}  // namespace cqlwire::cli

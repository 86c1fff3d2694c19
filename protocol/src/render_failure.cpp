// describe_render_failure(): why render_cql / render_json refuse a value, in words.
//
// It walks the value the way the renderers do and stops at the first thing they stop at, so
// it runs only on the failure path and the renderers stay free of message building. The words
// name kinds, counts, offsets and byte values, never the value's text, so a caller may print
// them to a terminal as they are (UDT field names, server text, are escaped).
#include <limits>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/values.hpp"
#include "render_text.hpp"

namespace cqlwire::protocol {
namespace {

std::string_view kind_noun(type_kind k) noexcept {
    switch (k) {
    case type_kind::custom: return "a value of a custom type";
    case type_kind::ascii: return "ascii text";
    case type_kind::bigint: return "a bigint";
    case type_kind::blob: return "a blob";
    case type_kind::boolean: return "a boolean";
    case type_kind::counter: return "a counter";
    case type_kind::decimal: return "a decimal";
    case type_kind::double_: return "a double";
    case type_kind::float_: return "a float";
    case type_kind::int_: return "an int";
    case type_kind::timestamp: return "a timestamp";
    case type_kind::uuid: return "a uuid";
    case type_kind::varchar: return "text";
    case type_kind::varint: return "a varint";
    case type_kind::timeuuid: return "a timeuuid";
    case type_kind::inet: return "an inet";
    case type_kind::date: return "a date";
    case type_kind::time: return "a time";
    case type_kind::smallint: return "a smallint";
    case type_kind::tinyint: return "a tinyint";
    case type_kind::duration: return "a duration";
    case type_kind::list: return "a list";
    case type_kind::map: return "a map";
    case type_kind::set: return "a set";
    case type_kind::udt: return "a user-defined type value";
    case type_kind::tuple: return "a tuple";
    case type_kind::vector: return "a vector";
    }
    return "a value";
}

// "1 byte", "3 bytes"; `unit` is the singular, `plural` replaces it for other counts.
void append_count(std::size_t n, std::string_view unit, std::string& out, std::string_view plural = {}) {
    detail::append_int(static_cast<std::int64_t>(n), out);
    out.push_back(' ');
    if (n == 1 || plural.empty()) out.append(unit);
    else out.append(plural);
    if (n != 1 && plural.empty()) out.push_back('s');
}

void append_byte_at(unsigned char byte, std::size_t offset, std::string& out) {
    out.append("(byte 0x");
    append_hex_byte(out, byte);
    out.append(" at offset ");
    detail::append_int(static_cast<std::int64_t>(offset), out);
    out.push_back(')');
}

// "a decimal of 4 bytes ": the start of most reasons.
void append_noun_of_size(const value_view& v, std::string& out) {
    out.append(kind_noun(v.kind()));
    out.append(" of ");
    append_count(v.bytes().size(), "byte", out);
}

// The reason for an error code no more specific branch explains.
void append_generic(const value_view& v, std::error_code ec, std::string& out) {
    append_noun_of_size(v, out);
    out.append(" that does not decode (");
    out.append(ec.message());
    out.push_back(')');
}

void append_too_long_for_digits(std::size_t n, std::string& out) {
    append_count(n, "byte", out);
    out.append(" is longer than the ");
    detail::append_int(static_cast<std::int64_t>(max_varint_text_bytes), out);
    out.append(" bytes cqlwire writes as digits");
}

bool describe_text(const value_view& v, std::string& out) {
    auto s = as_chars(v.bytes());
    if (v.kind() == type_kind::ascii) {
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (static_cast<unsigned char>(s[i]) > 0x7F) {
                out.append("ascii text with a byte outside 7-bit ASCII ");
                append_byte_at(static_cast<unsigned char>(s[i]), i, out);
                return true;
            }
        }
        return false;
    }
    auto at = utf8_error_offset(s);
    if (at == std::string_view::npos) return false;
    out.append("text that is not valid UTF-8 ");
    append_byte_at(static_cast<unsigned char>(s[at]), at, out);
    return true;
}

bool describe_decimal(const value_view& v, std::string& out) {
    const auto n = v.bytes().size();
    if (n < 4) {
        append_noun_of_size(v, out);
        out.append(" is shorter than its 4-byte scale");
        return true;
    }
    if (n == 4) {
        append_noun_of_size(v, out);
        out.append(" holds its scale but no unscaled value");
        return true;
    }
    std::string digits;
    if (!append_varint_text(v.bytes().subspan(4), digits)) return false;
    out.append("a decimal whose unscaled value of ");
    append_too_long_for_digits(n - 4, out);
    return true;
}

bool describe_duration(const value_view& v, std::string& out) {
    byte_reader r(v.bytes());
    std::int64_t parts[3] = {};
    for (auto& part : parts) {
        if (read_signed_vint(r, part)) {
            append_noun_of_size(v, out);
            out.append(" that ends inside its months, days and nanoseconds");
            return true;
        }
    }
    if (!r.empty()) {
        out.append("a duration with ");
        append_count(r.remaining(), "byte", out);
        out.append(" after its months, days and nanoseconds");
        return true;
    }
    constexpr auto lo = std::numeric_limits<std::int32_t>::min(), hi = std::numeric_limits<std::int32_t>::max();
    for (int i = 0; i < 2; ++i) {
        if (parts[i] < lo || parts[i] > hi) {
            out.append("a duration of ");
            detail::append_int(parts[i], out);
            out.append(i == 0 ? " months" : " days");
            out.append(" does not fit 32 bits");
            return true;
        }
    }
    bool nonneg = parts[0] >= 0 && parts[1] >= 0 && parts[2] >= 0;
    bool nonpos = parts[0] <= 0 && parts[1] <= 0 && parts[2] <= 0;
    if (nonneg || nonpos) return false;
    out.append("a duration whose months (");
    detail::append_int(parts[0], out);
    out.append("), days (");
    detail::append_int(parts[1], out);
    out.append(") and nanoseconds (");
    detail::append_int(parts[2], out);
    out.append(") have mixed signs");
    return true;
}

bool describe_scalar(const value_view& v, std::string& out) {
    const auto k = v.kind();
    const auto n = v.bytes().size();
    if (k == type_kind::inet && n != 4 && n != 16) {
        append_noun_of_size(v, out);
        out.append(", where an address takes 4 or 16");
        return true;
    }
    if (auto width = fixed_width(v.type()); width && n != *width) {
        append_noun_of_size(v, out);
        out.append(", where ");
        out.append(kind_noun(k));
        out.append(" takes ");
        detail::append_int(static_cast<std::int64_t>(*width), out);
        return true;
    }
    switch (k) {
    case type_kind::ascii:
    case type_kind::varchar: return describe_text(v, out);
    case type_kind::decimal: return describe_decimal(v, out);
    case type_kind::duration: return describe_duration(v, out);
    case type_kind::varint: {
        std::string digits;
        if (!append_varint_text(v.bytes(), digits)) return false;
        out.append("a varint of ");
        append_too_long_for_digits(n, out);
        return true;
    }
    case type_kind::time: {
        cql_time t;
        if (!to_time(v, t)) return false;
        const auto ns = static_cast<std::int64_t>(detail::load_be64(v.bytes().data()));  // 8 bytes, checked above
        out.append("a time of ");
        detail::append_int(ns, out);
        out.append(" ns is not within 00:00:00 and 23:59:59.999999999");
        return true;
    }
    default: return false;
    }
}

bool describe_at(const value_view& v, std::string& out, int depth);

// Where a problem inside a composite value is: "element 2 of a list: ".
void append_position(std::string_view what, std::size_t index, const value_view& whole, std::string& out) {
    out.append(what);
    out.push_back(' ');
    detail::append_int(static_cast<std::int64_t>(index), out);
    out.append(" of ");
    out.append(kind_noun(whole.kind()));
    out.append(": ");
}

// The cursors' errors about the layout of a composite value (not about one element's content).
void describe_layout(const value_view& v, std::error_code ec, std::size_t index, std::string& out) {
    out.append(kind_noun(v.kind()));
    out.append(" of ");
    append_count(v.bytes().size(), "byte", out);
    if (ec == client_errc::trailing_bytes) {
        out.append(" with bytes after its last element");
    } else if (ec == client_errc::truncated) {
        out.append(" that ends inside element ");
        detail::append_int(static_cast<std::int64_t>(index), out);
    } else if (ec == client_errc::length_out_of_range) {
        out.append(" with a negative or oversized length at element ");
        detail::append_int(static_cast<std::int64_t>(index), out);
    } else {
        out.append(" that does not decode (");
        out.append(ec.message());
        out.push_back(')');
    }
}

// Why open_elements / open_entries refuse a value, from its first bytes.
void describe_opening(const value_view& v, std::error_code ec, std::string& out) {
    if (ec == client_errc::type_mismatch) {  // a type without its element types
        append_generic(v, ec, out);
        return;
    }
    const auto k = v.kind();
    if (k == type_kind::vector) {
        out.append("a vector of ");
        append_count(v.type().dimension, "element", out);
        if (auto w = vector_element_width(v.type().params.front())) {
            out.append(" of ");
            append_count(*w, "byte", out);
            out.append(" each");
        }
        out.append(" in ");
        append_count(v.bytes().size(), "byte", out);
        return;
    }
    if (v.bytes().size() < 4) {
        append_noun_of_size(v, out);
        out.append(", too short for its element count");
        return;
    }
    const auto announced = static_cast<std::int32_t>(detail::load_be32(v.bytes().data()));
    out.append(kind_noun(k));
    if (announced < 0) {
        out.append(" with a negative element count (");
        detail::append_int(announced, out);
        out.push_back(')');
        return;
    }
    if (ec == client_errc::trailing_bytes) {
        out.append(" of no elements followed by ");
        append_count(v.bytes().size() - 4, "byte", out);
        return;
    }
    out.append(" announcing ");
    if (k == type_kind::map) append_count(static_cast<std::size_t>(announced), "entry", out, "entries");
    else append_count(static_cast<std::size_t>(announced), "element", out);
    out.append(" in ");
    append_count(v.bytes().size(), "byte", out);
}

bool describe_elements(const value_view& v, std::string& out, int depth) {
    element_cursor c;
    if (auto ec = open_elements(v, c)) {
        describe_opening(v, ec, out);
        return true;
    }
    const bool udt = v.kind() == type_kind::udt;
    const auto& names = v.type().field_names;
    value_view e = v;
    while (!c.at_end()) {
        auto i = c.index();
        if (udt) {
            std::string_view name = i < names.size() ? std::string_view(names[i]) : std::string_view{};
            if (!is_valid_utf8(name)) {
                out.append("a user-defined type whose field ");
                detail::append_int(static_cast<std::int64_t>(i), out);
                out.append(" has a name that is not valid UTF-8 (in the type the server sent)");
                return true;
            }
        }
        if (auto ec = c.next(e)) {
            describe_layout(v, ec, i, out);
            return true;
        }
        auto mark = out.size();
        append_position(udt ? "field" : "element", i, v, out);
        if (describe_at(e, out, depth - 1)) return true;
        out.resize(mark);
    }
    return false;
}

bool describe_entries(const value_view& v, std::string& out, int depth) {
    map_cursor c;
    if (auto ec = open_entries(v, c)) {
        describe_opening(v, ec, out);
        return true;
    }
    value_view key = v, val = v;
    while (!c.at_end()) {
        auto i = c.index();
        if (auto ec = c.next(key, val)) {
            describe_layout(v, ec, i, out);
            return true;
        }
        auto mark = out.size();
        append_position("the key of entry", i, v, out);
        if (describe_at(key, out, depth - 1)) return true;
        out.resize(mark);
        append_position("the value of entry", i, v, out);
        if (describe_at(val, out, depth - 1)) return true;
        out.resize(mark);
    }
    return false;
}

bool is_text_or_bytes(type_kind k) noexcept {
    return k == type_kind::ascii || k == type_kind::varchar || k == type_kind::blob || k == type_kind::custom;
}

bool describe_at(const value_view& v, std::string& out, int depth) {
    if (depth <= 0) {
        out.append("a value nested deeper than ");
        detail::append_int(max_type_depth, out);
        out.append(" levels");
        return true;
    }
    if (!v.raw().is_present()) return false;
    // Both renderers print a zero-byte value of any kind (as nothing, or as "").
    if (v.bytes().empty() && !is_text_or_bytes(v.kind())) return false;
    switch (v.kind()) {
    case type_kind::list:
    case type_kind::set:
    case type_kind::vector:
    case type_kind::tuple:
    case type_kind::udt: return describe_elements(v, out, depth);
    case type_kind::map: return describe_entries(v, out, depth);
    default: return describe_scalar(v, out);
    }
}

}  // namespace

void describe_render_failure(const value_view& v, std::string& out) {
    if (describe_at(v, out, max_type_depth)) return;
    // The walk above found nothing, yet a renderer failed: say what the renderer said.
    std::string scratch;
    auto ec = render_json(v, scratch);
    if (!ec) ec = render_cql(v, scratch);
    if (ec) append_generic(v, ec, out);
}

}  // namespace cqlwire::protocol

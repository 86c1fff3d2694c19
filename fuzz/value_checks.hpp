// The checks every decoded CQL value goes through, shared by value_fuzz and result_fuzz.
//
// For one value_view:
//   - render_cql (display and data forms) and render_json either succeed or fail leaving the
//     string as it was, all three alike; describe_render_failure gives a reason, in printable
//     ASCII, exactly when they fail;
//   - walking it with the converters and cursors of values.hpp succeeds exactly when
//     materialize() does, and a successful render implies a successful materialize (renders
//     validate as they go, so they must not accept what the converters refuse);
//   - a materialized value encodes again (encode_value), the encoded bytes decode and
//     materialize to an equal value, and they equal the original bytes unless the type admits
//     several encodings of one value (see may_have_other_encodings).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/value.hpp"
#include "cqlwire/protocol/values.hpp"
#include "fuzz_support.hpp"

namespace cqlwire::fuzz {

namespace proto = cqlwire::protocol;

// Types whose values the wire can spell in more than one way, so that decode → encode need not
// give back the same bytes (a null inside a collection is the other case, see has_nested_null):
// a boolean is any non-zero byte but is written as 1; a float goes
// through a double (signalling NaNs come back quiet); vint lengths (duration, vectors of
// variable-width elements) may be non-minimal; a tuple or UDT may stop before its last fields,
// which come back as explicit nulls.
inline bool may_have_other_encodings(const proto::data_type& t) {
    using k = proto::type_kind;
    switch (t.kind) {
    case k::boolean:
    case k::float_:
    case k::duration:
    case k::tuple:
    case k::udt: return true;
    case k::vector:
        if (!t.params.empty() && !proto::vector_element_width(t.params[0])) return true;
        break;
    default: break;
    }
    return std::any_of(t.params.begin(), t.params.end(), [](const auto& p) { return may_have_other_encodings(p); });
}

// Whether a null sits inside a collection: any negative element length means null on the wire,
// so such a value has many spellings (only -1 is written).
inline bool has_nested_null(const proto::value& v) {
    auto any_null = [](const proto::value& item) { return item.is_null() || has_nested_null(item); };
    if (auto* s = v.get_if<proto::sequence_value>()) return std::any_of(s->items.begin(), s->items.end(), any_null);
    if (auto* m = v.get_if<proto::map_value>())
        return std::any_of(m->entries.begin(), m->entries.end(),
                           [&](const auto& e) { return any_null(e.first) || any_null(e.second); });
    return false;
}

inline bool has_non_utf8_field_name(const proto::data_type& t) {
    for (const auto& name : t.field_names)
        if (!proto::is_valid_utf8(name)) return true;
    return std::any_of(t.params.begin(), t.params.end(), [](const auto& p) { return has_non_utf8_field_name(p); });
}

// Equality where NaN equals NaN (the value's own operator== follows IEEE and would not).
inline bool same_value(const proto::value& a, const proto::value& b);

inline bool same_items(const std::vector<proto::value>& a, const std::vector<proto::value>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!same_value(a[i], b[i])) return false;
    return true;
}

inline bool same_value(const proto::value& a, const proto::value& b) {
    if (a.data.index() != b.data.index()) return false;
    if (auto* x = a.get_if<double>()) {
        const double y = *b.get_if<double>();
        return *x == y || (std::isnan(*x) && std::isnan(y));
    }
    if (auto* x = a.get_if<proto::sequence_value>()) return same_items(x->items, b.get_if<proto::sequence_value>()->items);
    if (auto* x = a.get_if<proto::map_value>()) {
        const auto& y = b.get_if<proto::map_value>()->entries;
        if (x->entries.size() != y.size()) return false;
        for (std::size_t i = 0; i < y.size(); ++i)
            if (!same_value(x->entries[i].first, y[i].first) || !same_value(x->entries[i].second, y[i].second))
                return false;
        return true;
    }
    return a == b;
}

// Reads the value with the converter its kind calls for, and every element through the
// cursors, recursively. Returns the first error.
inline std::error_code walk_value(const proto::value_view& v, int depth = proto::max_type_depth) {
    using k = proto::type_kind;
    if (depth <= 0) return make_error_code(proto::client_errc::depth_exceeded);
    if (v.is_null()) return {};
    const bool empty_is_value = v.kind() == k::ascii || v.kind() == k::varchar || v.kind() == k::blob ||
                                v.kind() == k::custom || v.kind() == k::tuple || v.kind() == k::udt;
    if (v.is_empty() && !empty_is_value) return {};
    switch (v.kind()) {
    case k::ascii:
    case k::varchar: {
        std::string_view s;
        return proto::to_text(v, s);
    }
    case k::blob:
    case k::custom: {
        proto::bytes_view b;
        return proto::to_blob(v, b);
    }
    case k::boolean: {
        bool b = false;
        return proto::to_bool(v, b);
    }
    case k::tinyint:
    case k::smallint:
    case k::int_:
    case k::bigint:
    case k::counter: {
        std::int64_t i = 0;
        return proto::to_int64(v, i);
    }
    case k::varint: {
        proto::cql_varint i;
        return proto::to_varint(v, i);
    }
    case k::decimal: {
        proto::cql_decimal d;
        if (auto ec = proto::to_decimal(v, d)) return ec;
        std::int32_t scale = 0;
        proto::bytes_view unscaled;
        if (auto ec = proto::to_decimal_parts(v, scale, unscaled)) return ec;
        FUZZ_CHECK(scale == d.scale);
        FUZZ_CHECK(std::equal(unscaled.begin(), unscaled.end(), d.unscaled.bytes.begin(), d.unscaled.bytes.end()));
        return {};
    }
    case k::float_: {
        float f = 0;
        return proto::to_float(v, f);
    }
    case k::double_: {
        double d = 0;
        return proto::to_double(v, d);
    }
    case k::uuid:
    case k::timeuuid: {
        proto::uuid u;
        return proto::to_uuid(v, u);
    }
    case k::inet: {
        proto::inet_address a;
        return proto::to_inet(v, a);
    }
    case k::date: {
        proto::cql_date d;
        if (auto ec = proto::to_date(v, d)) return ec;
        // The calendar conversion is exact both ways for every date the wire can hold.
        FUZZ_CHECK(proto::cql_date::from_civil(d.to_civil()) == d);
        return {};
    }
    case k::time: {
        proto::cql_time t;
        if (auto ec = proto::to_time(v, t)) return ec;
        FUZZ_CHECK(t.is_valid());
        return {};
    }
    case k::timestamp: {
        proto::cql_timestamp t;
        return proto::to_timestamp(v, t);
    }
    case k::duration: {
        proto::cql_duration d;
        return proto::to_duration(v, d);
    }
    case k::list:
    case k::set:
    case k::vector:
    case k::tuple:
    case k::udt: {
        proto::element_cursor c;
        if (auto ec = proto::open_elements(v, c)) return ec;
        proto::value_view e = v;
        while (!c.at_end()) {
            const std::size_t before = c.index();
            if (auto ec = c.next(e)) return ec;
            FUZZ_CHECK(c.index() == before + 1);
            if (auto ec = walk_value(e, depth - 1)) return ec;
        }
        return {};
    }
    case k::map: {
        proto::map_cursor c;
        if (auto ec = proto::open_entries(v, c)) return ec;
        proto::value_view key = v, value = v;
        while (!c.at_end()) {
            if (auto ec = c.next(key, value)) return ec;
            if (auto ec = walk_value(key, depth - 1)) return ec;
            if (auto ec = walk_value(value, depth - 1)) return ec;
        }
        return {};
    }
    }
    return make_error_code(proto::client_errc::type_mismatch);
}

inline std::string hex(proto::bytes_view b) {
    std::string out;
    proto::append_hex(out, b.first(std::min<std::size_t>(b.size(), 256)));
    return b.size() > 256 ? out + "..." : out;
}

// Renders into a string that already holds something, so that "restored on error" and
// "appends" can both be checked.
inline std::error_code checked_render(const proto::value_view& v, bool json,
                                      proto::cql_text_form form = proto::cql_text_form::display) {
    std::string out = "prefix:";
    proto::render_options options;
    options.form = form;
    const std::error_code ec = json ? proto::render_json(v, out) : proto::render_cql(v, out, options);
    if (ec) {
        FUZZ_CHECK(out == "prefix:");
    } else {
        FUZZ_CHECK(out.compare(0, 7, "prefix:") == 0);  // may append nothing: an empty text is ""
        if (json && !proto::is_valid_utf8(out)) {
            std::fprintf(stderr, "type %s\njson %s\n", proto::cql_type_name(v.type()).c_str(), hex(proto::as_bytes(out)).c_str());
            FUZZ_CHECK(!"render_json writes valid UTF-8");
        }
    }
    return ec;
}

// All the checks of the file comment, on one value.
inline void check_value(const proto::value_view& v) {
    const std::error_code cql_ec = checked_render(v, false);
    const std::error_code json_ec = checked_render(v, true);
    const std::error_code data_ec = checked_render(v, false, proto::cql_text_form::data);
    FUZZ_CHECK(!cql_ec == !json_ec);
    FUZZ_CHECK(!cql_ec == !data_ec);
    std::string reason;
    proto::describe_render_failure(v, reason);
    FUZZ_CHECK(reason.empty() == !cql_ec);
    for (char c : reason) FUZZ_CHECK(c >= 0x20 && c < 0x7F);
    const std::error_code walk_ec = walk_value(v);

    proto::value materialized;
    const std::error_code materialize_ec = proto::materialize(v, materialized);
    FUZZ_CHECK(!walk_ec == !materialize_ec);
    if (!cql_ec) FUZZ_CHECK(!materialize_ec);
    if (!json_ec) FUZZ_CHECK(!materialize_ec);
    if (materialize_ec || v.is_null()) return;
    // The only render failures allowed on a valid value: a varint or decimal too long to print,
    // and a UDT field name (from the server's type) that is not UTF-8.
    const bool bad_names = has_non_utf8_field_name(v.type());
    for (const auto& ec : {cql_ec, json_ec})
        if (ec) FUZZ_CHECK(ec == proto::client_errc::value_out_of_range || (bad_names && ec == proto::client_errc::bad_utf8));

    std::vector<std::uint8_t> encoded;
    const std::error_code encode_ec = proto::encode_value(materialized, v.type(), encoded);
    FUZZ_CHECK(!encode_ec);
    proto::value again;
    FUZZ_CHECK(!proto::materialize(proto::value_view(v.type(), proto::raw_value::of(encoded)), again));
    FUZZ_CHECK(same_value(materialized, again));
    // Encoding is canonical on its own output, whatever the type.
    std::vector<std::uint8_t> encoded_again;
    FUZZ_CHECK(!proto::encode_value(again, v.type(), encoded_again));
    FUZZ_CHECK(encoded_again == encoded);
    if (!may_have_other_encodings(v.type()) && !has_nested_null(materialized) &&
        !std::equal(encoded.begin(), encoded.end(), v.bytes().begin(), v.bytes().end())) {
        std::fprintf(stderr, "type %s\nwire      %s\nre-encoded %s\n", proto::cql_type_name(v.type()).c_str(),
                     hex(v.bytes()).c_str(), hex(encoded).c_str());
        FUZZ_CHECK(!"a canonical value re-encodes to the same bytes");
    }
}

}  // namespace cqlwire::fuzz

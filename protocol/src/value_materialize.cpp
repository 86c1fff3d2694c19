// materialize(): copying a value_view into an owning value tree.
#include "cqlwire/protocol/value.hpp"

namespace cqlwire::protocol {
namespace {

// Kinds whose zero-byte values are real values (the empty string, the empty blob) rather than
// the "empty" marker.
bool empty_is_a_value(type_kind k) noexcept {
    return k == type_kind::ascii || k == type_kind::varchar || k == type_kind::blob || k == type_kind::custom ||
           k == type_kind::tuple || k == type_kind::udt;
}

std::error_code materialize_at(const value_view& v, value& out, int depth) {
    if (depth <= 0) return make_error_code(client_errc::depth_exceeded);
    if (!v.raw().is_present()) {
        out = value::null();
        return {};
    }
    auto k = v.kind();
    if (v.bytes().empty() && !empty_is_a_value(k)) {
        out = value::empty();
        return {};
    }
    switch (k) {
    case type_kind::boolean: {
        bool b = false;
        if (auto ec = to_bool(v, b)) return ec;
        out = value::from(b);
        return {};
    }
    case type_kind::tinyint:
    case type_kind::smallint:
    case type_kind::int_:
    case type_kind::bigint:
    case type_kind::counter: {
        std::int64_t i = 0;
        if (auto ec = to_int64(v, i)) return ec;
        out = value{integer_value{i, k}};
        return {};
    }
    case type_kind::float_:
    case type_kind::double_: {
        double d = 0;
        if (auto ec = to_double(v, d)) return ec;
        out = value::from(d);
        return {};
    }
    case type_kind::ascii:
    case type_kind::varchar: {
        std::string_view s;
        if (auto ec = to_text(v, s)) return ec;
        out = value::text(std::string(s));
        return {};
    }
    case type_kind::blob:
    case type_kind::custom: out = value::blob(v.bytes()); return {};
    case type_kind::uuid:
    case type_kind::timeuuid: {
        uuid u;
        if (auto ec = to_uuid(v, u)) return ec;
        out = value::from(u);
        return {};
    }
    case type_kind::inet: {
        inet_address a;
        if (auto ec = to_inet(v, a)) return ec;
        out = value::from(a);
        return {};
    }
    case type_kind::date: {
        cql_date d;
        if (auto ec = to_date(v, d)) return ec;
        out = value::from(d);
        return {};
    }
    case type_kind::time: {
        cql_time t;
        if (auto ec = to_time(v, t)) return ec;
        out = value::from(t);
        return {};
    }
    case type_kind::timestamp: {
        cql_timestamp t;
        if (auto ec = to_timestamp(v, t)) return ec;
        out = value::from(t);
        return {};
    }
    case type_kind::duration: {
        cql_duration d;
        if (auto ec = to_duration(v, d)) return ec;
        out = value::from(d);
        return {};
    }
    case type_kind::decimal: {
        cql_decimal d;
        if (auto ec = to_decimal(v, d)) return ec;
        out = value::from(std::move(d));
        return {};
    }
    case type_kind::varint: {
        cql_varint i;
        if (auto ec = to_varint(v, i)) return ec;
        out = value::from(std::move(i));
        return {};
    }
    case type_kind::list:
    case type_kind::set:
    case type_kind::vector:
    case type_kind::tuple:
    case type_kind::udt: {
        element_cursor c;
        if (auto ec = open_elements(v, c)) return ec;
        sequence_value seq;
        seq.items.reserve(c.size());  // bounded: open_elements checked the count against the bytes
        value_view e = v;
        while (!c.at_end()) {
            if (auto ec = c.next(e)) return ec;
            value item;
            if (auto ec = materialize_at(e, item, depth - 1)) return ec;
            seq.items.push_back(std::move(item));
        }
        out = value{std::move(seq)};
        return {};
    }
    case type_kind::map: {
        map_cursor c;
        if (auto ec = open_entries(v, c)) return ec;
        map_value m;
        m.entries.reserve(c.size());
        value_view key = v, val = v;
        while (!c.at_end()) {
            if (auto ec = c.next(key, val)) return ec;
            value mk, mv;
            if (auto ec = materialize_at(key, mk, depth - 1)) return ec;
            if (auto ec = materialize_at(val, mv, depth - 1)) return ec;
            m.entries.emplace_back(std::move(mk), std::move(mv));
        }
        out = value{std::move(m)};
        return {};
    }
    }
    return make_error_code(client_errc::type_mismatch);
}

}  // namespace

std::error_code materialize(const value_view& v, value& out, int max_depth) {
    value result;
    if (auto ec = materialize_at(v, result, max_depth)) return ec;
    out = std::move(result);
    return {};
}

}  // namespace cqlwire::protocol

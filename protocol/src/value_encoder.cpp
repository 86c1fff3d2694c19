// encode_value(): serializing an owning value as a given CQL type, for bind values.
#include <bit>
#include <cstring>
#include <limits>

#include "cqlwire/protocol/value.hpp"

namespace cqlwire::protocol {
namespace {

using buffer = std::vector<std::uint8_t>;

std::error_code err(client_errc e) noexcept { return make_error_code(e); }

void put_be(buffer& out, std::uint64_t v, std::size_t width) {
    for (std::size_t i = width; i-- > 0;) out.push_back(static_cast<std::uint8_t>(v >> (i * 8)));
}

void put_int(buffer& out, std::int32_t v) { put_be(out, static_cast<std::uint32_t>(v), 4); }

std::error_code encode_at(const value& v, const data_type& t, buffer& out, int depth);

// An element of a list, set, map, tuple or UDT: [int] length, then the bytes; -1 for null.
std::error_code encode_element(const value& v, const data_type& t, buffer& out, int depth) {
    if (v.is_null()) {
        put_int(out, -1);
        return {};
    }
    auto length_at = out.size();
    put_int(out, 0);
    if (auto ec = encode_at(v, t, out, depth)) return ec;
    auto n = out.size() - length_at - 4;
    if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) return err(client_errc::too_many_values);
    auto len = static_cast<std::uint32_t>(n);
    for (std::size_t i = 0; i < 4; ++i) out[length_at + i] = static_cast<std::uint8_t>(len >> (24 - 8 * i));
    return {};
}

std::error_code encode_count(std::size_t n, buffer& out) {
    if (n > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) return err(client_errc::too_many_values);
    put_int(out, static_cast<std::int32_t>(n));
    return {};
}

std::error_code encode_integer(std::int64_t i, type_kind k, buffer& out) {
    std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
    std::size_t width = 8;
    switch (k) {
    case type_kind::tinyint: lo = INT8_MIN, hi = INT8_MAX, width = 1; break;
    case type_kind::smallint: lo = INT16_MIN, hi = INT16_MAX, width = 2; break;
    case type_kind::int_: lo = INT32_MIN, hi = INT32_MAX, width = 4; break;
    case type_kind::bigint:
    case type_kind::counter: break;
    case type_kind::varint: {
        auto b = cql_varint::from_int64(i).bytes;
        out.insert(out.end(), b.begin(), b.end());
        return {};
    }
    default: return err(client_errc::type_mismatch);
    }
    if (i < lo || i > hi) return err(client_errc::value_out_of_range);
    put_be(out, static_cast<std::uint64_t>(i), width);
    return {};
}

template <typename T>
const T* alt(const value& v) {
    return std::get_if<T>(&v.data);
}

std::error_code encode_sequence(const sequence_value& seq, const data_type& t, buffer& out, int depth) {
    switch (t.kind) {
    case type_kind::list:
    case type_kind::set:
        if (t.params.empty()) return err(client_errc::type_mismatch);
        if (auto ec = encode_count(seq.items.size(), out)) return ec;
        for (const auto& item : seq.items)
            if (auto ec = encode_element(item, t.params[0], out, depth - 1)) return ec;
        return {};
    case type_kind::tuple:
    case type_kind::udt:
        if (seq.items.size() > t.params.size()) return err(client_errc::bad_value);
        // Fewer items than fields is allowed: the server reads the missing ones as null.
        for (std::size_t i = 0; i < seq.items.size(); ++i)
            if (auto ec = encode_element(seq.items[i], t.params[i], out, depth - 1)) return ec;
        return {};
    case type_kind::vector: {
        if (t.params.empty()) return err(client_errc::type_mismatch);
        if (seq.items.size() != t.dimension) return err(client_errc::bad_value);
        const auto& element = t.params[0];
        auto width = vector_element_width(element);
        buffer scratch;
        for (const auto& item : seq.items) {
            if (item.is_null() || item.is_empty()) return err(client_errc::bad_value);  // vectors have no nulls
            if (width) {
                auto before = out.size();
                if (auto ec = encode_at(item, element, out, depth - 1)) return ec;
                if (out.size() - before != *width) return err(client_errc::bad_value_length);
            } else {
                scratch.clear();
                if (auto ec = encode_at(item, element, scratch, depth - 1)) return ec;
                write_unsigned_vint(out, scratch.size());
                out.insert(out.end(), scratch.begin(), scratch.end());
            }
        }
        return {};
    }
    default: return err(client_errc::type_mismatch);
    }
}

std::error_code encode_at(const value& v, const data_type& t, buffer& out, int depth) {
    if (depth <= 0) return err(client_errc::depth_exceeded);
    if (v.is_null()) return err(client_errc::null_value);
    if (v.is_empty()) return {};  // zero bytes, whatever the type
    auto k = t.kind;
    switch (k) {
    case type_kind::boolean:
        if (auto b = alt<bool>(v)) {
            out.push_back(*b ? 1 : 0);
            return {};
        }
        break;
    case type_kind::tinyint:
    case type_kind::smallint:
    case type_kind::int_:
    case type_kind::bigint:
    case type_kind::counter:
        if (auto i = alt<integer_value>(v)) return encode_integer(i->value, k, out);
        break;
    case type_kind::varint:
        if (auto i = alt<integer_value>(v)) return encode_integer(i->value, k, out);
        if (auto b = alt<cql_varint>(v)) {
            if (b->bytes.empty()) return err(client_errc::bad_value);
            out.insert(out.end(), b->bytes.begin(), b->bytes.end());
            return {};
        }
        break;
    case type_kind::float_:
        if (auto d = alt<double>(v)) {
            put_be(out, std::bit_cast<std::uint32_t>(static_cast<float>(*d)), 4);
            return {};
        }
        break;
    case type_kind::double_:
        if (auto d = alt<double>(v)) {
            put_be(out, std::bit_cast<std::uint64_t>(*d), 8);
            return {};
        }
        break;
    case type_kind::ascii:
    case type_kind::varchar:
        if (auto s = alt<std::string>(v)) {
            if (k == type_kind::ascii ? !is_valid_ascii(*s) : !is_valid_utf8(*s)) return err(client_errc::bad_utf8);
            out.insert(out.end(), s->begin(), s->end());
            return {};
        }
        break;
    case type_kind::blob:
    case type_kind::custom:
        if (auto b = alt<blob_value>(v)) {
            out.insert(out.end(), b->bytes.begin(), b->bytes.end());
            return {};
        }
        break;
    case type_kind::uuid:
    case type_kind::timeuuid:
        if (auto u = alt<uuid>(v)) {
            out.insert(out.end(), u->bytes.begin(), u->bytes.end());
            return {};
        }
        break;
    case type_kind::inet:
        if (auto a = alt<inet_address>(v)) {
            if (a->size != 4 && a->size != 16) return err(client_errc::bad_value);
            auto b = a->view();
            out.insert(out.end(), b.begin(), b.end());
            return {};
        }
        break;
    case type_kind::date:
        if (auto d = alt<cql_date>(v)) {
            std::uint32_t raw = 0;
            if (auto ec = d->to_wire(raw)) return ec;
            put_be(out, raw, 4);
            return {};
        }
        break;
    case type_kind::time:
        if (auto tm = alt<cql_time>(v)) {
            if (!tm->is_valid()) return err(client_errc::value_out_of_range);
            put_be(out, static_cast<std::uint64_t>(tm->nanoseconds), 8);
            return {};
        }
        break;
    case type_kind::timestamp:
        if (auto ts = alt<cql_timestamp>(v)) {
            put_be(out, static_cast<std::uint64_t>(ts->milliseconds), 8);
            return {};
        }
        break;
    case type_kind::duration:
        if (auto d = alt<cql_duration>(v)) {
            bool all_nonneg = d->months >= 0 && d->days >= 0 && d->nanoseconds >= 0;
            bool all_nonpos = d->months <= 0 && d->days <= 0 && d->nanoseconds <= 0;
            if (!all_nonneg && !all_nonpos) return err(client_errc::bad_value);
            write_signed_vint(out, d->months);
            write_signed_vint(out, d->days);
            write_signed_vint(out, d->nanoseconds);
            return {};
        }
        break;
    case type_kind::decimal:
        if (auto d = alt<cql_decimal>(v)) {
            if (d->unscaled.bytes.empty()) return err(client_errc::bad_value);
            put_int(out, d->scale);
            out.insert(out.end(), d->unscaled.bytes.begin(), d->unscaled.bytes.end());
            return {};
        }
        break;
    case type_kind::list:
    case type_kind::set:
    case type_kind::vector:
    case type_kind::tuple:
    case type_kind::udt:
        if (auto s = alt<sequence_value>(v)) return encode_sequence(*s, t, out, depth);
        break;
    case type_kind::map:
        if (auto m = alt<map_value>(v)) {
            if (t.params.size() != 2) return err(client_errc::type_mismatch);
            if (auto ec = encode_count(m->entries.size(), out)) return ec;
            for (const auto& [key, val] : m->entries) {
                if (auto ec = encode_element(key, t.params[0], out, depth - 1)) return ec;
                if (auto ec = encode_element(val, t.params[1], out, depth - 1)) return ec;
            }
            return {};
        }
        break;
    }
    return err(client_errc::type_mismatch);
}

}  // namespace

std::error_code encode_value(const value& v, const data_type& t, std::vector<std::uint8_t>& out, int max_depth) {
    auto before = out.size();
    auto ec = encode_at(v, t, out, max_depth);
    if (!ec && out.size() - before > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()))
        ec = err(client_errc::too_many_values);
    if (ec) out.resize(before);
    return ec;
}

std::error_code encode_bind_value(const value& v, const data_type& t, std::vector<std::uint8_t>& out) {
    if (v.is_null()) {
        put_int(out, -1);
        return {};
    }
    auto before = out.size();
    put_int(out, 0);
    if (auto ec = encode_value(v, t, out)) {
        out.resize(before);
        return ec;
    }
    auto len = static_cast<std::uint32_t>(out.size() - before - 4);
    for (std::size_t i = 0; i < 4; ++i) out[before + i] = static_cast<std::uint8_t>(len >> (24 - 8 * i));
    return {};
}

}  // namespace cqlwire::protocol

#include "cqlwire/protocol/types.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <utility>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::protocol {
namespace {

constexpr std::string_view marshal_prefix = "org.apache.cassandra.db.marshal.";

struct kind_info {
    type_kind kind;
    std::uint16_t id;
    std::string_view cql_name;
    std::string_view marshal_name;  // without the package prefix
    std::size_t width;              // 0 when values carry their own length
};

constexpr std::array<kind_info, 27> kinds{{
    {type_kind::custom, 0x0000, "custom", "", 0},
    {type_kind::ascii, 0x0001, "ascii", "AsciiType", 0},
    {type_kind::bigint, 0x0002, "bigint", "LongType", 8},
    {type_kind::blob, 0x0003, "blob", "BytesType", 0},
    {type_kind::boolean, 0x0004, "boolean", "BooleanType", 1},
    {type_kind::counter, 0x0005, "counter", "CounterColumnType", 8},
    {type_kind::decimal, 0x0006, "decimal", "DecimalType", 0},
    {type_kind::double_, 0x0007, "double", "DoubleType", 8},
    {type_kind::float_, 0x0008, "float", "FloatType", 4},
    {type_kind::int_, 0x0009, "int", "Int32Type", 4},
    {type_kind::timestamp, 0x000B, "timestamp", "TimestampType", 8},
    {type_kind::uuid, 0x000C, "uuid", "UUIDType", 16},
    {type_kind::varchar, 0x000D, "text", "UTF8Type", 0},
    {type_kind::varint, 0x000E, "varint", "IntegerType", 0},
    {type_kind::timeuuid, 0x000F, "timeuuid", "TimeUUIDType", 16},
    {type_kind::inet, 0x0010, "inet", "InetAddressType", 0},
    {type_kind::date, 0x0011, "date", "SimpleDateType", 4},
    {type_kind::time, 0x0012, "time", "TimeType", 8},
    {type_kind::smallint, 0x0013, "smallint", "ShortType", 2},
    {type_kind::tinyint, 0x0014, "tinyint", "ByteType", 1},
    {type_kind::duration, 0x0000, "duration", "DurationType", 0},
    {type_kind::list, 0x0020, "list", "ListType", 0},
    {type_kind::map, 0x0021, "map", "MapType", 0},
    {type_kind::set, 0x0022, "set", "SetType", 0},
    {type_kind::udt, 0x0030, "udt", "UserType", 0},
    {type_kind::tuple, 0x0031, "tuple", "TupleType", 0},
    {type_kind::vector, 0x0000, "vector", "VectorType", 0},
}};

const kind_info& info(type_kind k) noexcept { return kinds[static_cast<std::size_t>(k)]; }

std::optional<type_kind> kind_from_option_id(std::uint16_t id) noexcept {
    for (const auto& k : kinds)
        if (k.id == id && k.kind != type_kind::duration && k.kind != type_kind::vector) return k.kind;
    return std::nullopt;
}

std::error_code depth_error() { return make_error_code(client_errc::depth_exceeded); }

// A recursive-descent parser for marshal class names: Name, Name(arg, arg, ...).
class marshal_parser {
public:
    explicit marshal_parser(std::string_view text) : text_(text) {}

    std::error_code parse(data_type& out, int depth) {
        if (depth <= 0) return depth_error();
        skip_space();
        auto full = identifier();
        if (full.empty()) return bad();
        auto simple = full.starts_with(marshal_prefix) ? full.substr(marshal_prefix.size()) : full;
        skip_space();
        bool has_args = peek('(');

        if (simple == "FrozenType" || simple == "ReversedType") {
            if (!has_args) return bad();
            ++pos_;
            if (auto ec = parse(out, depth - 1)) return ec;
            if (simple == "FrozenType") out.frozen = true;
            return close();
        }
        if (simple == "ListType" || simple == "SetType") {
            if (!has_args) return bad();
            ++pos_;
            data_type element;
            if (auto ec = parse(element, depth - 1)) return ec;
            out = simple == "ListType" ? data_type::list_of(std::move(element)) : data_type::set_of(std::move(element));
            return close();
        }
        if (simple == "MapType") {
            if (!has_args) return bad();
            ++pos_;
            data_type key, value;
            if (auto ec = parse(key, depth - 1)) return ec;
            if (!comma()) return bad();
            if (auto ec = parse(value, depth - 1)) return ec;
            out = data_type::map_of(std::move(key), std::move(value));
            return close();
        }
        if (simple == "TupleType") {
            if (!has_args) return bad();
            ++pos_;
            std::vector<data_type> elements;
            do {
                if (elements.size() >= text_.size()) return bad();  // each element takes text
                data_type e;
                if (auto ec = parse(e, depth - 1)) return ec;
                elements.push_back(std::move(e));
            } while (comma());
            out = data_type::tuple_of(std::move(elements));
            return close();
        }
        if (simple == "VectorType") {
            if (!has_args) return bad();
            ++pos_;
            data_type element;
            if (auto ec = parse(element, depth - 1)) return ec;
            if (!comma()) return bad();
            skip_space();
            std::uint32_t n = 0;
            auto [p, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), n);
            if (ec != std::errc{} || n == 0) return bad();
            pos_ = static_cast<std::size_t>(p - text_.data());
            out = data_type::vector_of(std::move(element), n);
            return close();
        }
        if (simple == "UserType") {
            if (!has_args) return bad();
            ++pos_;
            skip_space();
            auto ks = identifier();
            if (ks.empty() || !comma()) return bad();
            skip_space();
            std::string name;
            if (!hex_text(name)) return bad();
            std::vector<std::string> field_names;
            std::vector<data_type> field_types;
            while (comma()) {
                skip_space();
                std::string field;
                if (!hex_text(field) || !peek(':')) return bad();
                ++pos_;
                data_type t;
                if (auto ec = parse(t, depth - 1)) return ec;
                field_names.push_back(std::move(field));
                field_types.push_back(std::move(t));
            }
            out = data_type::udt_of(std::string(ks), std::move(name), std::move(field_names), std::move(field_types));
            return close();
        }
        for (const auto& k : kinds) {
            if (!k.marshal_name.empty() && k.marshal_name == simple &&
                k.kind != type_kind::list && k.kind != type_kind::map && k.kind != type_kind::set &&
                k.kind != type_kind::udt && k.kind != type_kind::tuple && k.kind != type_kind::vector) {
                if (has_args) return bad();
                out = data_type::of(k.kind);
                return {};
            }
        }
        if (simple == "DateType") {  // the pre-2.0 name of timestamp
            out = data_type::of(type_kind::timestamp);
            return {};
        }
        // Unknown: keep the whole text (with any arguments) as an opaque custom class.
        out = data_type::of(type_kind::custom);
        out.custom_class.assign(text_);
        pos_ = text_.size();
        return {};
    }

    bool at_end() {
        skip_space();
        return pos_ == text_.size();
    }

private:
    static std::error_code bad() { return make_error_code(client_errc::bad_custom_type); }

    void skip_space() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
    }
    bool peek(char c) {
        skip_space();
        return pos_ < text_.size() && text_[pos_] == c;
    }
    bool comma() {
        if (!peek(',')) return false;
        ++pos_;
        return true;
    }
    std::error_code close() {
        if (!peek(')')) return bad();
        ++pos_;
        return {};
    }
    std::string_view identifier() {
        auto start = pos_;
        while (pos_ < text_.size()) {
            char c = text_[pos_];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                      c == '.' || c == '$' || c == '-' || c == '+';
            if (!ok) break;
            ++pos_;
        }
        return text_.substr(start, pos_ - start);
    }
    // UserType names are hex-encoded UTF-8.
    bool hex_text(std::string& out) {
        auto start = pos_;
        while (pos_ < text_.size() && hex_value(text_[pos_]) >= 0) ++pos_;
        auto hex = text_.substr(start, pos_ - start);
        if (hex.empty() || hex.size() % 2 != 0) return false;
        out.clear();
        for (std::size_t i = 0; i < hex.size(); i += 2)
            out.push_back(static_cast<char>(hex_value(hex[i]) << 4 | hex_value(hex[i + 1])));
        return true;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

std::uint16_t option_id(type_kind k) noexcept { return info(k).id; }

data_type data_type::list_of(data_type element) {
    auto t = of(type_kind::list);
    t.params.push_back(std::move(element));
    return t;
}
data_type data_type::set_of(data_type element) {
    auto t = of(type_kind::set);
    t.params.push_back(std::move(element));
    return t;
}
data_type data_type::map_of(data_type key, data_type value) {
    auto t = of(type_kind::map);
    t.params.push_back(std::move(key));
    t.params.push_back(std::move(value));
    return t;
}
data_type data_type::tuple_of(std::vector<data_type> elements) {
    auto t = of(type_kind::tuple);
    t.params = std::move(elements);
    return t;
}
data_type data_type::vector_of(data_type element, std::uint32_t dimension) {
    auto t = of(type_kind::vector);
    t.params.push_back(std::move(element));
    t.dimension = dimension;
    return t;
}
data_type data_type::udt_of(std::string keyspace, std::string name, std::vector<std::string> field_names,
                            std::vector<data_type> field_types) {
    auto t = of(type_kind::udt);
    t.keyspace = std::move(keyspace);
    t.name = std::move(name);
    t.field_names = std::move(field_names);
    t.params = std::move(field_types);
    return t;
}

std::error_code decode_type(byte_reader& r, data_type& out, int max_depth) {
    if (max_depth <= 0) return depth_error();
    std::uint16_t id = 0;
    if (auto ec = r.read_short(id)) return ec;
    if (id == 0x0000) {
        std::string_view class_name;
        if (auto ec = r.read_string(class_name)) return ec;
        return parse_marshal_type(class_name, out, max_depth);
    }
    auto kind = kind_from_option_id(id);
    if (!kind) return make_error_code(client_errc::bad_type_id);
    out = data_type::of(*kind);
    switch (*kind) {
    case type_kind::list:
    case type_kind::set: {
        data_type element;
        if (auto ec = decode_type(r, element, max_depth - 1)) return ec;
        out.params.push_back(std::move(element));
        return {};
    }
    case type_kind::map: {
        data_type key, value;
        if (auto ec = decode_type(r, key, max_depth - 1)) return ec;
        if (auto ec = decode_type(r, value, max_depth - 1)) return ec;
        out.params.push_back(std::move(key));
        out.params.push_back(std::move(value));
        return {};
    }
    case type_kind::udt: {
        std::string_view ks, name;
        std::uint16_t n = 0;
        if (auto ec = r.read_string(ks)) return ec;
        if (auto ec = r.read_string(name)) return ec;
        if (auto ec = r.read_short(n)) return ec;
        if (n > r.remaining() / 4) return make_error_code(client_errc::truncated);  // [string] + [option]
        out.keyspace.assign(ks);
        out.name.assign(name);
        out.field_names.reserve(n);
        out.params.reserve(n);
        for (std::uint16_t i = 0; i < n; ++i) {
            std::string_view field;
            if (auto ec = r.read_string(field)) return ec;
            data_type t;
            if (auto ec = decode_type(r, t, max_depth - 1)) return ec;
            out.field_names.emplace_back(field);
            out.params.push_back(std::move(t));
        }
        return {};
    }
    case type_kind::tuple: {
        std::uint16_t n = 0;
        if (auto ec = r.read_short(n)) return ec;
        if (n > r.remaining() / 2) return make_error_code(client_errc::truncated);  // an [option] each
        out.params.reserve(n);
        for (std::uint16_t i = 0; i < n; ++i) {
            data_type t;
            if (auto ec = decode_type(r, t, max_depth - 1)) return ec;
            out.params.push_back(std::move(t));
        }
        return {};
    }
    default: return {};
    }
}

std::error_code parse_marshal_type(std::string_view class_name, data_type& out, int max_depth) {
    marshal_parser p(class_name);
    if (auto ec = p.parse(out, max_depth)) return ec;
    if (!p.at_end()) return make_error_code(client_errc::bad_custom_type);
    if (out.kind == type_kind::custom) out.custom_class.assign(class_name);
    return {};
}

std::string marshal_class_name(const data_type& t) {
    std::string s(marshal_prefix);
    if (t.frozen) {  // keep what parse_marshal_type read, so that the name parses back to an equal type
        data_type inner = t;
        inner.frozen = false;
        return s + "FrozenType(" + marshal_class_name(inner) + ')';
    }
    switch (t.kind) {
    case type_kind::custom: return t.custom_class;
    case type_kind::list:
    case type_kind::set:
        s += info(t.kind).marshal_name;
        s += '(' + marshal_class_name(t.params.at(0)) + ')';
        return s;
    case type_kind::map:
        s += "MapType(" + marshal_class_name(t.params.at(0)) + ',' + marshal_class_name(t.params.at(1)) + ')';
        return s;
    case type_kind::tuple:
        s += "TupleType(";
        for (std::size_t i = 0; i < t.params.size(); ++i) s += (i ? "," : "") + marshal_class_name(t.params[i]);
        return s + ')';
    case type_kind::vector:
        s += "VectorType(" + marshal_class_name(t.params.at(0)) + ',' + std::to_string(t.dimension) + ')';
        return s;
    case type_kind::udt: {
        auto to_hex = [](std::string_view v) {
            std::string h;
            for (const unsigned char c : v) append_hex_byte(h, c);
            return h;
        };
        s += "UserType(" + t.keyspace + ',' + to_hex(t.name);
        for (std::size_t i = 0; i < t.params.size(); ++i)
            s += ',' + to_hex(t.field_names.at(i)) + ':' + marshal_class_name(t.params[i]);
        return s + ')';
    }
    default: s += info(t.kind).marshal_name; return s;
    }
}

void encode_type(byte_writer& w, const data_type& t) {
    if (t.kind == type_kind::custom || t.kind == type_kind::duration || t.kind == type_kind::vector) {
        w.write_short(0x0000);
        w.write_string(marshal_class_name(t));
        return;
    }
    w.write_short(info(t.kind).id);
    switch (t.kind) {
    case type_kind::list:
    case type_kind::set: encode_type(w, t.params.at(0)); return;
    case type_kind::map:
        encode_type(w, t.params.at(0));
        encode_type(w, t.params.at(1));
        return;
    case type_kind::udt:
        w.write_string(t.keyspace);
        w.write_string(t.name);
        w.write_short(static_cast<std::uint16_t>(t.params.size()));
        for (std::size_t i = 0; i < t.params.size(); ++i) {
            w.write_string(t.field_names.at(i));
            encode_type(w, t.params[i]);
        }
        return;
    case type_kind::tuple:
        w.write_short(static_cast<std::uint16_t>(t.params.size()));
        for (const auto& p : t.params) encode_type(w, p);
        return;
    default: return;
    }
}

std::string cql_type_name(const data_type& t) {
    auto wrap_frozen = [&](std::string s) { return t.frozen ? "frozen<" + s + ">" : s; };
    switch (t.kind) {
    case type_kind::custom: return "'" + t.custom_class + "'";
    case type_kind::list:
    case type_kind::set:
        return wrap_frozen(std::string(info(t.kind).cql_name) + '<' + cql_type_name(t.params.at(0)) + '>');
    case type_kind::map:
        return wrap_frozen("map<" + cql_type_name(t.params.at(0)) + ", " + cql_type_name(t.params.at(1)) + '>');
    case type_kind::tuple: {
        std::string s = "tuple<";
        for (std::size_t i = 0; i < t.params.size(); ++i) s += (i ? ", " : "") + cql_type_name(t.params[i]);
        return wrap_frozen(s + '>');
    }
    case type_kind::vector:
        return "vector<" + cql_type_name(t.params.at(0)) + ", " + std::to_string(t.dimension) + '>';
    case type_kind::udt: return wrap_frozen(t.name);
    default: return std::string(info(t.kind).cql_name);
    }
}

std::optional<std::size_t> vector_element_width(const data_type& element) noexcept {
    // The server's VectorType packs elements without lengths exactly when the element type
    // declares a fixed value length; tinyint, smallint, date and time do not (their values
    // may be empty in old tables), so vectors of them carry a length per element.
    switch (element.kind) {
    case type_kind::boolean: return 1;
    case type_kind::int_:
    case type_kind::float_: return 4;
    case type_kind::bigint:
    case type_kind::double_:
    case type_kind::timestamp: return 8;
    case type_kind::uuid:
    case type_kind::timeuuid: return 16;
    case type_kind::vector: return fixed_width(element);
    default: return std::nullopt;
    }
}

std::optional<std::size_t> fixed_width(const data_type& t) noexcept {
    if (t.kind == type_kind::vector) {
        if (t.params.empty()) return std::nullopt;
        auto w = vector_element_width(t.params.front());
        if (!w) return std::nullopt;
        // Saturate: nested vectors can claim more than size_t holds, and a wrapped product
        // would let a short value pass for a long one. No value is SIZE_MAX bytes long.
        if (*w != 0 && t.dimension > std::numeric_limits<std::size_t>::max() / *w)
            return std::numeric_limits<std::size_t>::max();
        return *w * t.dimension;
    }
    auto w = info(t.kind).width;
    if (w == 0) return std::nullopt;
    return w;
}

}  // namespace cqlwire::protocol

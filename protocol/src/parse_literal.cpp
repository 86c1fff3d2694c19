// parse_cql_literal(): CQL literal text back into an owning value, for COPY FROM.
//
// The composite reader walks the text with a cursor, recursing once per level of the type and
// handing each scalar (bare, or unquoted) to the scalar readers of literal_scalars.hpp, which
// take the whole text of one value and say why they refuse it.
#include "cqlwire/protocol/parse_literal.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/values.hpp"
#include "literal_scalars.hpp"

namespace cqlwire::protocol {
namespace {

using detail::append_quoted;
using detail::check_text;
using detail::fail_nothing;
using detail::noun;
using detail::parse_scalar;
using detail::quoted;

bool is_composite(type_kind k) noexcept {
    return k == type_kind::list || k == type_kind::set || k == type_kind::map || k == type_kind::tuple ||
           k == type_kind::udt || k == type_kind::vector;
}

bool is_text(type_kind k) noexcept { return k == type_kind::ascii || k == type_kind::varchar; }

// Whether a ':' followed by `next` ends a bare map key of type `t`. Only keys whose literals
// hold colons (times, timestamps, IPv6 addresses, ISO durations) need telling: for them a ':'
// ends the key when what follows cannot continue it, as after render_cql's ": ".
bool colon_ends_key(const data_type& t, std::optional<char> next) noexcept {
    switch (t.kind) {
    case type_kind::time:
    case type_kind::timestamp:
    case type_kind::inet:
    case type_kind::duration: break;
    default: return true;
    }
    if (!next) return true;
    const char c = *next;
    return !(hex_value(c) >= 0 || c == ':' || c == '.');
}

// The composite reader: a cursor over the whole text, recursing once per level of the type.
class composite_reader {
public:
    composite_reader(std::string_view text, const literal_options& o) : s_(text), o_(o) {}

    std::string why;

    // The whole text as one composite value of type `t` (no null keyword at the top).
    bool whole(const data_type& t, value& out) {
        skip_space();
        if (!composite(t, out, max_type_depth)) return false;
        skip_space();
        if (pos_ == s_.size()) return true;
        why += "text after the end of " + noun(t) + ": ";
        append_quoted(rest(), why);
        return false;
    }

private:
    enum class position : std::uint8_t { element, key };

    std::string_view rest() const noexcept { return s_.substr(pos_); }
    bool at_end() const noexcept { return pos_ >= s_.size(); }
    void skip_space() noexcept {
        while (pos_ < s_.size() && is_ascii_space(s_[pos_])) ++pos_;
    }
    std::optional<char> peek(std::size_t ahead = 0) const noexcept {
        if (pos_ + ahead < s_.size()) return s_[pos_ + ahead];
        return std::nullopt;
    }

    // "null" in any case, followed by what can follow an element.
    bool at_null() const noexcept {
        if (!starts_with_ignoring_ascii_case(rest(), "null")) return false;
        auto i = pos_ + 4;
        while (i < s_.size() && is_ascii_space(s_[i])) ++i;
        if (i == s_.size()) return true;
        const char c = s_[i];
        return c == ',' || c == ':' || c == ']' || c == '}' || c == ')';
    }

    bool at_quote() const noexcept { return peek() == '\'' || (peek() == '$' && peek(1) == '$'); }

    // A '...' string ('' for a quote) or a $$...$$ string, unquoted into `content`.
    bool quoted_string(std::string& content) {
        const auto start = pos_;
        if (s_[pos_] == '$') {
            const auto end = s_.find("$$", pos_ + 2);
            if (end != std::string_view::npos) {
                content.assign(s_.substr(pos_ + 2, end - pos_ - 2));
                pos_ = end + 2;
                return true;
            }
        } else {
            ++pos_;
            while (pos_ < s_.size()) {
                const char c = s_[pos_++];
                if (c != '\'') {
                    content.push_back(c);
                } else if (peek() == '\'') {
                    content.push_back('\'');
                    ++pos_;
                } else {
                    return true;
                }
            }
        }
        why += "a quoted string without its closing quote: ";
        append_quoted(s_.substr(start), why);
        return false;
    }

    // A bare scalar: up to the next ',' or closing bracket (or, for a key, the ':' after it).
    std::string_view bare_token(const data_type& t, position where) noexcept {
        const auto start = pos_;
        while (pos_ < s_.size()) {
            const char c = s_[pos_];
            if (c == ',' || c == ']' || c == '}' || c == ')') break;
            if (c == ':' && where == position::key && colon_ends_key(t, peek(1))) break;
            ++pos_;
        }
        return trim_ascii_space(s_.substr(start, pos_ - start));
    }

    // One element, entry key or field value of type `t`.
    bool nested(const data_type& t, value& out, int depth, position where) {
        // The encoder and the renderers refuse anything below this depth, a null included.
        if (depth <= 0) {
            why += "values nested deeper than " + std::to_string(max_type_depth) + " levels";
            return false;
        }
        skip_space();
        if (at_null()) {
            pos_ += 4;
            out = value::null();
            return true;
        }
        if (is_composite(t.kind)) return composite(t, out, depth);
        if (is_text(t.kind)) {
            if (!at_quote()) {
                const auto token = bare_token(t, where);
                if (token.empty()) return fail_nothing(t, why);
                append_quoted(token, why);
                why += " is not quoted text ('...' or $$...$$)";
                return false;
            }
            std::string content;
            if (!quoted_string(content) || !check_text(content, t.kind, why)) return false;
            out = value::text(std::move(content));
            return true;
        }
        if (at_quote()) {
            std::string content;
            if (!quoted_string(content)) return false;
            return parse_scalar(trim_ascii_space(content), t, out, why, o_);
        }
        return parse_scalar(bare_token(t, where), t, out, why, o_);
    }

    // After element `index`: a ',' (true, more to come) or the closing bracket (true, done).
    bool separator(const data_type& t, char close, std::size_t index, bool& done) {
        skip_space();
        if (peek() == ',') {
            ++pos_;
            return true;
        }
        if (peek() == close) {
            ++pos_;
            done = true;
            return true;
        }
        const char* what = t.kind == type_kind::map ? "entry " : t.kind == type_kind::udt ? "field " : "element ";
        if (at_end()) {
            why += noun(t) + " that ends after " + what + std::to_string(index) + " without its closing '" + close +
                   "'";
        } else {
            why += "expected ',' or '" + std::string(1, close) + "' after " + what + std::to_string(index) + " of " +
                   noun(t) + ", at ";
            append_quoted(rest(), why);
        }
        return false;
    }

    // Prepends where a nested failure happened: "element 2 of a list: ".
    bool inside(std::string_view what, std::size_t index, const data_type& t) {
        why.insert(0, std::string(what) + ' ' + std::to_string(index) + " of " + noun(t) + ": ");
        return false;
    }

    bool composite(const data_type& t, value& out, int depth) {
        const bool any_fields = t.kind == type_kind::udt || t.kind == type_kind::tuple;
        const std::size_t needed = t.kind == type_kind::map ? 2 : any_fields ? 0 : 1;
        if (t.params.size() < needed) {
            why += noun(t) + " whose type lacks its element types";
            return false;
        }
        char open = '[', close = ']';
        if (t.kind == type_kind::map || t.kind == type_kind::udt || (t.kind == type_kind::set && peek() != '['))
            open = '{', close = '}';
        else if (t.kind == type_kind::tuple)
            open = '(', close = ')';
        if (peek() != open) {
            if (at_end()) return fail_nothing(t, why);
            append_quoted(rest(), why);
            why += " is not " + noun(t) + " (which starts with '" + std::string(1, open) + "')";
            return false;
        }
        ++pos_;
        skip_space();
        bool done = peek() == close;
        if (done) ++pos_;
        switch (t.kind) {
        case type_kind::map: return map_entries(t, out, depth, done);
        case type_kind::udt: return udt_fields(t, out, depth, done);
        default: return elements(t, out, depth, done, close);
        }
    }

    bool elements(const data_type& t, value& out, int depth, bool done, char close) {
        std::vector<value> items;
        for (std::size_t i = 0; !done; ++i) {
            if (t.kind == type_kind::tuple && i >= t.params.size()) {
                skip_space();
                why += noun(t) + " of " + std::to_string(t.params.size()) + " fields given more, from ";
                append_quoted(rest(), why);
                return false;
            }
            const auto& element_type = t.kind == type_kind::tuple ? t.params[i] : t.params[0];
            value item;
            if (!nested(element_type, item, depth - 1, position::element)) return inside("element", i, t);
            // Collections hold no nulls (the server refuses them); tuples and UDTs may.
            if (t.kind != type_kind::tuple && item.is_null()) {
                why += "null has no place in a " + std::string(t.kind == type_kind::vector ? "vector"
                                                             : t.kind == type_kind::set  ? "set"
                                                                                          : "list");
                return inside("element", i, t);
            }
            items.push_back(std::move(item));
            if (!separator(t, close, i, done)) return false;
        }
        if (t.kind == type_kind::vector && items.size() != t.dimension) {
            why += "a vector of " + std::to_string(t.dimension) + " elements given " + std::to_string(items.size());
            return false;
        }
        // A tuple given fewer elements than its type has: the rest are null, said explicitly.
        if (t.kind == type_kind::tuple) items.resize(t.params.size(), value::null());
        out = value::list(std::move(items));
        return true;
    }

    bool map_entries(const data_type& t, value& out, int depth, bool done) {
        std::vector<std::pair<value, value>> entries;
        for (std::size_t i = 0; !done; ++i) {
            value key, val;
            if (!nested(t.params[0], key, depth - 1, position::key)) return inside("the key of entry", i, t);
            skip_space();
            if (peek() != ':') {
                why += "expected ':' after the key of entry " + std::to_string(i) + " of a map, at ";
                append_quoted(rest(), why);
                return false;
            }
            ++pos_;
            if (!nested(t.params[1], val, depth - 1, position::element)) return inside("the value of entry", i, t);
            if (key.is_null() || val.is_null()) {
                why += "null has no place in a map";
                return inside(key.is_null() ? "the key of entry" : "the value of entry", i, t);
            }
            entries.emplace_back(std::move(key), std::move(val));
            if (!separator(t, '}', i, done)) return false;
        }
        out = value::map(std::move(entries));
        return true;
    }

    // A field name: "Quoted" (exact, "" for a quote) or bare (up to the ':', trimmed).
    bool field_name(std::string& name, bool& was_quoted) {
        skip_space();
        was_quoted = peek() == '"';
        if (was_quoted) {
            const auto start = pos_++;
            while (pos_ < s_.size()) {
                const char c = s_[pos_++];
                if (c != '"') name.push_back(c);
                else if (peek() == '"') name.push_back('"'), ++pos_;
                else return true;
            }
            why += "a quoted field name without its closing quote: ";
            append_quoted(s_.substr(start), why);
            return false;
        }
        const auto start = pos_;
        while (pos_ < s_.size() && s_[pos_] != ':' && s_[pos_] != ',' && s_[pos_] != '}') ++pos_;
        name.assign(trim_ascii_space(s_.substr(start, pos_ - start)));
        if (!name.empty()) return true;
        why += "expected a field name at ";
        append_quoted(s_.substr(start), why);
        return false;
    }

    // CQL folds a bare identifier to lower case; cqlsh displays field names as they are, so a
    // bare name that matches no field lower-cased is tried as written.
    std::optional<std::size_t> field_index(const data_type& t, const std::string& name, bool was_quoted) const {
        const auto fields = std::min(t.params.size(), t.field_names.size());
        auto find = [&](std::string_view wanted) -> std::optional<std::size_t> {
            for (std::size_t f = 0; f < fields; ++f)
                if (t.field_names[f] == wanted) return f;
            return std::nullopt;
        };
        if (was_quoted) return find(name);
        if (auto f = find(ascii_lowered(name))) return f;
        return find(name);
    }

    bool udt_fields(const data_type& t, value& out, int depth, bool done) {
        std::vector<value> fields(t.params.size(), value::null());
        std::vector<bool> given(t.params.size(), false);
        for (std::size_t i = 0; !done; ++i) {
            std::string name;
            bool was_quoted = false;
            if (!field_name(name, was_quoted)) return inside("field", i, t);
            const auto f = field_index(t, name, was_quoted);
            if (!f) {
                why += noun(t) + " of type " + quoted(t.name) + " has no field ";
                append_quoted(name, why);
                return false;
            }
            if (given[*f]) {
                why += "field ";
                append_quoted(t.field_names[*f], why);
                why += " is given twice";
                return false;
            }
            skip_space();
            if (peek() != ':') {
                why += "expected ':' after field name ";
                append_quoted(name, why);
                why += ", at ";
                append_quoted(rest(), why);
                return false;
            }
            ++pos_;
            if (!nested(t.params[*f], fields[*f], depth - 1, position::element)) {
                why.insert(0, "field " + quoted(t.field_names[*f]) + " of " + noun(t) + ": ");
                return false;
            }
            given[*f] = true;
            if (!separator(t, '}', i, done)) return false;
        }
        out = value::udt(std::move(fields));
        return true;
    }

    std::string_view s_;
    std::size_t pos_ = 0;
    const literal_options& o_;
};

}  // namespace

std::string parse_cql_literal(std::string_view text, const data_type& t, value& out, const literal_options& options) {
    std::string why;
    value v;
    if (is_text(t.kind)) {
        if (!check_text(text, t.kind, why)) return why;
        out = value::text(std::string(text));
        return {};
    }
    const auto s = trim_ascii_space(text);
    if (is_composite(t.kind)) {
        if (s.empty()) {
            fail_nothing(t, why);
            return why;
        }
        composite_reader reader(s, options);
        if (!reader.whole(t, v)) return std::move(reader.why);
    } else if (!parse_scalar(s, t, v, why, options)) {
        return why;
    }
    out = std::move(v);
    return {};
}

}  // namespace cqlwire::protocol

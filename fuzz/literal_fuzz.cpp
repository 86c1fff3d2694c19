// Fuzzes parse_cql_literal (parse_literal.hpp) with an arbitrary type and literal text.
//
// Input: byte 0 picks the literal_options (mod 4: cqlsh's defaults; BOOLSTYLE yes/no with
// DECIMALSEP ',' and THOUSANDSSEP '.'; THOUSANDSSEP ','; empty BOOLSTYLE texts); byte 1 is a
// length n, the next n bytes a marshal class name read by parse_marshal_type (e.g.
// "org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marshal.Int32Type)"); the
// rest is the literal text.
//
// Invariants: a refusal leaves the output value as it was and gives a reason that is printable
// (valid UTF-8, no C0 control or DEL); a value read encodes (encode_value) without error, and,
// where the options read render_cql's own numbers back, its data-form text reads back to a
// value that encodes to the same bytes. The display form is read too, for crashes only (it is
// not lossless).
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/parse_literal.hpp"
#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value.hpp"
#include "cqlwire/protocol/values.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

namespace {

proto::literal_options options_for(std::uint8_t selector) {
    proto::literal_options o;
    switch (selector % 4) {
    case 1:
        o.true_text = "yes", o.false_text = "no", o.decimal_sep = ",", o.thousands_sep = ".";
        break;
    case 2: o.thousands_sep = ","; break;
    case 3: o.true_text = "", o.false_text = ""; break;
    default: break;
    }
    return o;
}

bool is_printable_reason(const std::string& why) {
    if (why.empty() || !proto::is_valid_utf8(why)) return false;
    for (char c : why)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return false;
    return true;
}

// render_cql writes a zero duration as nothing at all (as cqlsh does), which is not a literal.
bool has_zero_duration(const proto::value& v) {
    if (const auto* d = v.get_if<proto::cql_duration>()) return d->months == 0 && d->days == 0 && d->nanoseconds == 0;
    if (const auto* s = v.get_if<proto::sequence_value>()) {
        for (const auto& item : s->items)
            if (has_zero_duration(item)) return true;
    }
    if (const auto* m = v.get_if<proto::map_value>()) {
        for (const auto& [key, val] : m->entries)
            if (has_zero_duration(key) || has_zero_duration(val)) return true;
    }
    return false;
}

// UDT field names render_cql cannot write (not UTF-8), or that cannot name one field (repeated,
// or fewer names than fields): values of such types are read but not round-tripped.
bool names_round_trip(const proto::data_type& t) {
    if (t.kind == proto::type_kind::udt) {
        if (t.field_names.size() != t.params.size()) return false;
        for (std::size_t i = 0; i < t.field_names.size(); ++i) {
            if (!proto::is_valid_utf8(t.field_names[i])) return false;
            for (std::size_t j = 0; j < i; ++j)
                if (t.field_names[j] == t.field_names[i]) return false;
        }
    }
    for (const auto& p : t.params)
        if (!names_round_trip(p)) return false;
    return true;
}

std::string render(const proto::data_type& type, const std::vector<std::uint8_t>& wire, proto::cql_text_form form,
                   std::error_code& ec) {
    std::string text;
    proto::render_options ro;
    ro.form = form;
    ec = proto::render_cql(proto::value_view(type, proto::raw_value::of(wire)), text, ro);
    return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const std::uint8_t selector = in.byte();
    const std::size_t name_length = in.byte();
    const auto name = cqlwire::fuzz::as_text(in.take(name_length));
    proto::data_type type;
    if (proto::parse_marshal_type(name, type)) return 0;
    // An exact-size copy, so that the sanitizers see a read past the text's end.
    const auto rest = in.rest();
    const std::string text(rest.begin(), rest.end());
    const auto options = options_for(selector);

    const auto sentinel = proto::value::text("sentinel");
    proto::value v = sentinel;
    const auto why = proto::parse_cql_literal(text, type, v, options);
    if (!why.empty()) {
        FUZZ_CHECK(v == sentinel);
        FUZZ_CHECK(is_printable_reason(why));
        return 0;
    }

    std::vector<std::uint8_t> wire;
    FUZZ_CHECK(!proto::encode_value(v, type, wire));

    for (auto form : {proto::cql_text_form::data, proto::cql_text_form::display}) {
        std::error_code ec;
        const auto shown = render(type, wire, form, ec);
        if (ec) {
            FUZZ_CHECK(!names_round_trip(type));  // nothing else the reader accepts fails to render
            return 0;
        }
        proto::value back;
        const auto again = proto::parse_cql_literal(shown, type, back, options);
        if (!again.empty()) FUZZ_CHECK(is_printable_reason(again));
        // The display form is not lossless, and THOUSANDSSEP '.' eats render_cql's decimal points.
        const bool lossless = form == proto::cql_text_form::data && selector % 4 != 1;
        if (!lossless || has_zero_duration(v) || !names_round_trip(type)) continue;
        FUZZ_CHECK(again.empty());
        std::vector<std::uint8_t> rewire;
        FUZZ_CHECK(!proto::encode_value(back, type, rewire));
        FUZZ_CHECK(rewire == wire);
    }
    return 0;
}

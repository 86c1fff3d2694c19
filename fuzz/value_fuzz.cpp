// Fuzzes the value layer (values.hpp, value.hpp, render.hpp) with an arbitrary type and value.
//
// Input: byte 0 picks how the type is given —
//   even: an [option] read by decode_type from the bytes that follow; what it leaves is the value;
//   odd:  byte 1 is a length n, the next n bytes are a marshal class name read by
//         parse_marshal_type (e.g. "org.apache.cassandra.db.marshal.VectorType(...)"), and the
//         rest is the value.
// The value then goes through check_value (value_checks.hpp): both renderers, the converters
// and cursors, materialize, and the encode_value round trip. The type alone must also survive
// encode_type → decode_type.
#include <vector>

#include "cqlwire/protocol/types.hpp"
#include "fuzz_support.hpp"
#include "value_checks.hpp"

namespace proto = cqlwire::protocol;

namespace {

proto::data_type without_frozen(proto::data_type t) {
    t.frozen = false;
    for (auto& p : t.params) p = without_frozen(std::move(p));
    return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    cqlwire::fuzz::input_cursor in(data, size);
    const std::uint8_t mode = in.byte();
    proto::data_type type;
    proto::bytes_view value_bytes;
    if ((mode & 1u) == 0) {
        proto::byte_reader r(in.rest());
        if (proto::decode_type(r, type)) return 0;
        value_bytes = r.rest();
    } else {
        const std::size_t name_length = in.byte();
        const auto name = cqlwire::fuzz::as_text(in.take(name_length));
        if (proto::parse_marshal_type(name, type)) return 0;
        value_bytes = in.rest();
    }

    std::vector<std::uint8_t> option;
    proto::byte_writer w(option);
    proto::encode_type(w, type);
    if (!w.error()) {
        proto::byte_reader r(option);
        proto::data_type again;
        FUZZ_CHECK(!proto::decode_type(r, again));
        FUZZ_CHECK(r.empty());
        // An [option] cannot say that a collection is frozen; everything else must survive.
        FUZZ_CHECK(without_frozen(again) == without_frozen(type));
    }

    // An exact-size copy, so that the sanitizers see a read past the value's end.
    std::vector<std::uint8_t> exact(value_bytes.begin(), value_bytes.end());
    cqlwire::fuzz::check_value(proto::value_view(type, proto::raw_value::of(exact)));
    cqlwire::fuzz::check_value(proto::value_view(type, proto::raw_value::null()));
    return 0;
}

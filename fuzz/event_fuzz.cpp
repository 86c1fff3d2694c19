// Fuzzes decode_event: the input is an EVENT body (TOPOLOGY_CHANGE, STATUS_CHANGE or
// SCHEMA_CHANGE). Whatever decodes must re-encode and decode to the same event, and its names
// (to_string of the type and of a schema change target) must exist.
#include <vector>

#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

namespace {

bool same_schema_change(const proto::schema_change_view& a, const proto::schema_change_view& b) {
    return a.change_type == b.change_type && a.target == b.target && a.keyspace == b.keyspace && a.name == b.name &&
           a.argument_types == b.argument_types;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    proto::event_view event;
    if (proto::decode_event(proto::bytes_view(data, size), event)) return 0;
    FUZZ_CHECK(!proto::to_string(event.type).empty());
    if (event.type == proto::event_type::schema_change) {
        FUZZ_CHECK(!proto::to_string(event.schema_change.target).empty());
    } else {
        FUZZ_CHECK(event.address.address.size == 4 || event.address.address.size == 16);
        FUZZ_CHECK(!proto::to_string(event.address.address).empty());
    }

    std::vector<std::uint8_t> frame;
    proto::response_frame_options event_frame;
    event_frame.stream = -1;
    FUZZ_CHECK(!proto::encode_event(frame, event_frame, event));
    proto::event_view again;
    FUZZ_CHECK(!proto::decode_event(proto::bytes_view(frame).subspan(proto::frame_header_size), again));
    FUZZ_CHECK(again.type == event.type);
    if (event.type == proto::event_type::schema_change) {
        FUZZ_CHECK(same_schema_change(again.schema_change, event.schema_change));
    } else {
        FUZZ_CHECK(again.change == event.change);
        FUZZ_CHECK(again.address.address == event.address.address);
        FUZZ_CHECK(again.address.port == event.address.port);
    }
    return 0;
}

// Fuzzes decode_supported: the input is a SUPPORTED body, a [string multimap]. Whatever decodes
// must re-encode and decode to the same keys and values, in the same order.
#include <vector>

#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    proto::string_multimap_view options;
    if (proto::decode_supported(proto::bytes_view(data, size), options)) return 0;
    // Every entry takes at least four bytes (a key length and a list count).
    FUZZ_CHECK(options.size() <= size / 4);

    std::vector<std::uint8_t> frame;
    FUZZ_CHECK(!proto::encode_supported(frame, {}, options));
    proto::string_multimap_view again;
    FUZZ_CHECK(!proto::decode_supported(proto::bytes_view(frame).subspan(proto::frame_header_size), again));
    FUZZ_CHECK(again == options);
    return 0;
}

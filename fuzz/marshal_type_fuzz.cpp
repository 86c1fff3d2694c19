// Fuzzes parse_marshal_type over arbitrary text (a class name as a server would send it in a
// custom [option]). A successful parse must give a name (marshal_class_name) that parses back
// to an equal type (with the same CQL name).
#include "cqlwire/protocol/types.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = cqlwire::fuzz::as_text({data, size});
    proto::data_type type;
    if (proto::parse_marshal_type(text, type)) return 0;
    const std::string name = proto::marshal_class_name(type);
    FUZZ_CHECK(!name.empty());
    proto::data_type again;
    FUZZ_CHECK(!proto::parse_marshal_type(name, again));
    FUZZ_CHECK(again == type);
    FUZZ_CHECK(proto::marshal_class_name(again) == name);
    // The CQL spelling may be empty (a UDT may have an empty name) but not ambiguous between
    // two equal types.
    FUZZ_CHECK(proto::cql_type_name(again) == proto::cql_type_name(type));
    return 0;
}

// Fuzzes decode_error: the input is an ERROR body (after the response prefix).
//
// Whatever decodes must survive a round trip: encode_error of the view, decoded again, gives the
// same code, message and extra fields. The error_code and the code's name must be available for
// any code, known or not.
#include <vector>

#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"
#include "fuzz_support.hpp"

namespace proto = cqlwire::protocol;

namespace {

bool same_strings(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
    return a == b;
}

bool same_details(const proto::error_details& a, const proto::error_details& b) {
    if (a.index() != b.index()) return false;
    if (auto* x = std::get_if<proto::unavailable_info>(&a)) {
        auto& y = std::get<proto::unavailable_info>(b);
        return x->consistency_level == y.consistency_level && x->required == y.required && x->alive == y.alive;
    }
    if (auto* x = std::get_if<proto::write_timeout_info>(&a)) {
        auto& y = std::get<proto::write_timeout_info>(b);
        return x->consistency_level == y.consistency_level && x->received == y.received &&
               x->block_for == y.block_for && x->write_type == y.write_type;
    }
    if (auto* x = std::get_if<proto::read_timeout_info>(&a)) {
        auto& y = std::get<proto::read_timeout_info>(b);
        return x->consistency_level == y.consistency_level && x->received == y.received &&
               x->block_for == y.block_for && x->data_present == y.data_present;
    }
    if (auto* x = std::get_if<proto::read_failure_info>(&a)) {
        auto& y = std::get<proto::read_failure_info>(b);
        return x->consistency_level == y.consistency_level && x->received == y.received &&
               x->block_for == y.block_for && x->num_failures == y.num_failures && x->data_present == y.data_present;
    }
    if (auto* x = std::get_if<proto::function_failure_info>(&a)) {
        auto& y = std::get<proto::function_failure_info>(b);
        return x->keyspace == y.keyspace && x->function == y.function && same_strings(x->arg_types, y.arg_types);
    }
    if (auto* x = std::get_if<proto::write_failure_info>(&a)) {
        auto& y = std::get<proto::write_failure_info>(b);
        return x->consistency_level == y.consistency_level && x->received == y.received &&
               x->block_for == y.block_for && x->num_failures == y.num_failures && x->write_type == y.write_type;
    }
    if (auto* x = std::get_if<proto::already_exists_info>(&a)) {
        auto& y = std::get<proto::already_exists_info>(b);
        return x->keyspace == y.keyspace && x->table == y.table;
    }
    if (auto* x = std::get_if<proto::unprepared_info>(&a)) {
        auto& y = std::get<proto::unprepared_info>(b);
        return std::equal(x->id.begin(), x->id.end(), y.id.begin(), y.id.end());
    }
    return true;  // monostate
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const proto::bytes_view body(data, size);
    proto::error_view error;
    if (proto::decode_error(body, error)) return 0;

    const std::error_code code = error.error_code();
    FUZZ_CHECK(code);  // Server_error is 0x0000, but it is an error all the same
    FUZZ_CHECK(code.category() == proto::server_category());
    FUZZ_CHECK(proto::server_error_code(code) == error.code);
    FUZZ_CHECK(!code.message().empty());
    FUZZ_CHECK(proto::is_known_server_error(error.code) == !proto::server_error_name(error.code).empty());

    std::vector<std::uint8_t> frame;
    FUZZ_CHECK(!proto::encode_error(frame, {}, error));
    FUZZ_CHECK(frame.size() >= proto::frame_header_size);
    proto::error_view again;
    FUZZ_CHECK(!proto::decode_error(proto::bytes_view(frame).subspan(proto::frame_header_size), again));
    FUZZ_CHECK(again.code == error.code);
    FUZZ_CHECK(again.message == error.message);
    FUZZ_CHECK(same_details(error.details, again.details));
    return 0;
}

#include "cqlwire/protocol/errc.hpp"

#include <string>

#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::protocol {
namespace {

class client_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.protocol"; }
    std::string message(int ev) const override {
        switch (static_cast<client_errc>(ev)) {
        case client_errc::truncated: return "the message ends before a field it announces (truncated)";
        case client_errc::length_out_of_range: return "a length field is negative or larger than what remains";
        case client_errc::frame_too_large: return "the frame body is larger than the configured maximum";
        case client_errc::bad_version: return "the frame has an unexpected protocol version byte";
        case client_errc::unknown_opcode: return "the frame has an opcode that protocol v4 does not define";
        case client_errc::unexpected_opcode: return "the frame has an opcode that is not valid at this point";
        case client_errc::bad_type_id: return "a type option has an id that protocol v4 does not define";
        case client_errc::bad_custom_type: return "a custom type class name could not be parsed";
        case client_errc::depth_exceeded: return "a type or value is nested deeper than the limit";
        case client_errc::bad_value_length: return "a fixed-width value has the wrong number of bytes";
        case client_errc::bad_value: return "a value's content is invalid for its type";
        case client_errc::trailing_bytes: return "unexpected bytes after the end of the message";
        case client_errc::unknown_result_kind: return "a RESULT has a kind that protocol v4 does not define";
        case client_errc::unknown_error_code: return "an ERROR has a code that protocol v4 does not define";
        case client_errc::unknown_event_type: return "an EVENT has a type that protocol v4 does not define";
        case client_errc::bad_consistency: return "a consistency level that protocol v4 does not define";
        case client_errc::too_many_values: return "more values than a [short] count can carry";
        case client_errc::compression_unsupported: return "a compressed frame arrived but no compression was negotiated";
        case client_errc::bad_utf8: return "text is not valid UTF-8";
        case client_errc::value_out_of_range: return "the value does not fit the requested type";
        case client_errc::type_mismatch: return "the value does not have the requested type";
        case client_errc::null_value: return "the value is null";
        case client_errc::empty_value: return "the value is empty (zero bytes), which is neither null nor a value of its type";
        }
        return "unknown cqlwire.protocol error " + std::to_string(ev);
    }
};

class server_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "cqlwire.server"; }
    std::string message(int value) const override {
        int ev = value == server_error_code_value_for_zero ? 0 : value;
        auto name = server_error_name(ev);
        if (name.empty()) return "server error code 0x" + to_hex(ev);
        return std::string(name) + " (0x" + to_hex(ev) + ")";
    }

private:
    static std::string to_hex(int ev) {
        std::string s;
        append_hex_fixed(s, static_cast<unsigned>(ev), 4);
        return s;
    }
};

}  // namespace

const std::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

std::error_code make_error_code(client_errc e) noexcept { return {static_cast<int>(e), client_category()}; }

const std::error_category& server_category() noexcept {
    static const server_category_impl instance;
    return instance;
}

std::error_code make_server_error_code(std::int32_t code) noexcept {
    return {code == 0 ? server_error_code_value_for_zero : code, server_category()};
}

std::error_code make_error_code(server_errc e) noexcept { return make_server_error_code(static_cast<std::int32_t>(e)); }

std::int32_t server_error_code(const std::error_code& ec) noexcept {
    return ec.value() == server_error_code_value_for_zero ? 0 : ec.value();
}

std::string_view server_error_name(std::int32_t code) noexcept {
    switch (static_cast<server_errc>(code)) {
    case server_errc::server_error: return "Server error";
    case server_errc::protocol_error: return "Protocol error";
    case server_errc::bad_credentials: return "Bad credentials";
    case server_errc::unavailable: return "Unavailable exception";
    case server_errc::overloaded: return "Overloaded";
    case server_errc::is_bootstrapping: return "Is_bootstrapping";
    case server_errc::truncate_error: return "Truncate_error";
    case server_errc::write_timeout: return "Write_timeout";
    case server_errc::read_timeout: return "Read_timeout";
    case server_errc::read_failure: return "Read_failure";
    case server_errc::function_failure: return "Function_failure";
    case server_errc::write_failure: return "Write_failure";
    case server_errc::cdc_write_failure: return "CDC_write_failure";
    case server_errc::cas_write_unknown: return "CAS_write_unknown";
    case server_errc::syntax_error: return "Syntax_error";
    case server_errc::unauthorized: return "Unauthorized";
    case server_errc::invalid: return "Invalid";
    case server_errc::config_error: return "Config_error";
    case server_errc::already_exists: return "Already_exists";
    case server_errc::unprepared: return "Unprepared";
    }
    return {};
}

bool is_known_server_error(std::int32_t code) noexcept { return !server_error_name(code).empty(); }

}  // namespace cqlwire::protocol

// Error codes of the codec and of the server.
//
// Two categories keep apart what went wrong on our side (client_errc: a frame we could not
// decode, a value of the wrong width...) from what the server reported in an ERROR frame
// (server_errc, numbered as in §9 of the v4 specification). Both plug into std::error_code so
// that callers test them with == against the enumerators.
#pragma once

#include <cstdint>
#include <string_view>
#include <system_error>
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

enum class client_errc {
    truncated = 1,          // the input ends before the field it announces
    length_out_of_range,    // a length field is negative (where not allowed) or beyond a limit
    frame_too_large,        // a frame body longer than the configured maximum
    bad_version,            // a frame header with an unexpected protocol version byte
    unknown_opcode,         // an opcode that the v4 specification does not define
    unexpected_opcode,      // a valid opcode where another was required
    bad_type_id,            // an [option] type id that v4 does not define
    bad_custom_type,        // a custom type class name that cannot be parsed
    depth_exceeded,         // a type or value nested deeper than the limit
    bad_value_length,       // a fixed-width value with the wrong number of bytes
    bad_value,              // a value whose content is invalid (e.g. an inet of 5 bytes)
    trailing_bytes,         // bytes left over where the message must end exactly
    unknown_result_kind,    // a RESULT kind the specification does not define
    unknown_error_code,     // an ERROR code the specification does not define
    unknown_event_type,     // an EVENT type the specification does not define
    bad_consistency,        // a consistency value the specification does not define
    too_many_values,        // more values than a [short] count can carry
    compression_unsupported,// a compressed frame when no compression was negotiated
    bad_utf8,               // text that is not valid UTF-8 where UTF-8 is required
    value_out_of_range,     // a value that does not fit the C++ type asked for
    type_mismatch,          // a value asked for as a type it does not have
    null_value,             // a null value where a value was asked for
    empty_value,            // a zero-byte value of a type whose values have content (e.g. int)
};

CQLWIRE_PROTOCOL_API const std::error_category& client_category() noexcept;
CQLWIRE_PROTOCOL_API std::error_code make_error_code(client_errc e) noexcept;

// Server error codes, §9 of native_protocol_v4.spec (the two v5 codes are included because a
// server may still send them, and we want their names rather than a number).
enum class server_errc : std::int32_t {
    server_error = 0x0000,
    protocol_error = 0x000A,
    bad_credentials = 0x0100,
    unavailable = 0x1000,
    overloaded = 0x1001,
    is_bootstrapping = 0x1002,
    truncate_error = 0x1003,
    write_timeout = 0x1100,
    read_timeout = 0x1200,
    read_failure = 0x1300,
    function_failure = 0x1400,
    write_failure = 0x1500,
    cdc_write_failure = 0x1600,
    cas_write_unknown = 0x1700,
    syntax_error = 0x2000,
    unauthorized = 0x2100,
    invalid = 0x2200,
    config_error = 0x2300,
    already_exists = 0x2400,
    unprepared = 0x2500,
};

// A std::error_code whose value is 0 means "no error" whatever its category, but the
// specification numbers Server_error 0x0000. So the error_code value of a server code is the
// code itself, except that 0x0000 is carried as server_error_code_value_for_zero; always build
// and read these codes through the two functions below (make_error_code(server_errc) uses them).
inline constexpr int server_error_code_value_for_zero = -0x7FFFFFFF - 1;
CQLWIRE_PROTOCOL_API const std::error_category& server_category() noexcept;
CQLWIRE_PROTOCOL_API std::error_code make_server_error_code(std::int32_t code) noexcept;
CQLWIRE_PROTOCOL_API std::error_code make_error_code(server_errc e) noexcept;
// The specification's code of an error_code of server_category() (undefined for others).
CQLWIRE_PROTOCOL_API std::int32_t server_error_code(const std::error_code& ec) noexcept;

// The name the specification gives a server error code ("Unavailable", "Read_timeout"...),
// or an empty view for a code it does not define.
CQLWIRE_PROTOCOL_API std::string_view server_error_name(std::int32_t code) noexcept;
CQLWIRE_PROTOCOL_API bool is_known_server_error(std::int32_t code) noexcept;

}  // namespace cqlwire::protocol

template <>
struct std::is_error_code_enum<cqlwire::protocol::client_errc> : std::true_type {};
template <>
struct std::is_error_code_enum<cqlwire::protocol::server_errc> : std::true_type {};

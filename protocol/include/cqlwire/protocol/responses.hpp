// Responses of §4.2 of the v4 specification other than RESULT (see result.hpp): the client's
// decoders. Their encoders, which only a server needs, are the codec's server half
// (server/encode_responses.hpp).
//
// A response body starts with an optional prefix (§2.2): the tracing id, the warnings and the
// custom payload, in that order, each present when its header flag says so.
// decode_response_prefix splits it off; the message decoders then take what follows. A
// compressed body (flag 0x01) must be decompressed first: the prefix is inside the compression.
//
// Decoders fill views that point into the body they were given: valid exactly as long as that
// buffer. Bytes after a complete message are ignored (the specification lets messages grow),
// and nothing past the end of the body is ever read.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

// ---- The response prefix (§2.2) ----

struct CQLWIRE_PROTOCOL_API response_prefix {
    std::optional<uuid> tracing_id;                       // flag 0x02
    std::optional<std::vector<std::string_view>> warnings;  // flag 0x08; text from the server
    std::optional<bytes_map_view> custom_payload;         // flag 0x04
};

[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_response_prefix(const frame_header& header, bytes_view body,
                                                     response_prefix& out, bytes_view& rest);

// ---- ERROR (§4.2.1, codes and their extra fields in §9) ----

struct CQLWIRE_PROTOCOL_API unavailable_info {
    consistency consistency_level = consistency::one;
    std::int32_t required = 0;
    std::int32_t alive = 0;
};
struct CQLWIRE_PROTOCOL_API write_timeout_info {
    consistency consistency_level = consistency::one;
    std::int32_t received = 0;
    std::int32_t block_for = 0;
    std::string_view write_type;  // "SIMPLE", "BATCH", "UNLOGGED_BATCH", "COUNTER", "BATCH_LOG"...
};
struct CQLWIRE_PROTOCOL_API read_timeout_info {
    consistency consistency_level = consistency::one;
    std::int32_t received = 0;
    std::int32_t block_for = 0;
    bool data_present = false;
};
struct CQLWIRE_PROTOCOL_API read_failure_info {
    consistency consistency_level = consistency::one;
    std::int32_t received = 0;
    std::int32_t block_for = 0;
    std::int32_t num_failures = 0;
    bool data_present = false;
};
struct CQLWIRE_PROTOCOL_API function_failure_info {
    std::string_view keyspace;
    std::string_view function;
    std::vector<std::string_view> arg_types;  // CQL type names
};
struct CQLWIRE_PROTOCOL_API write_failure_info {
    consistency consistency_level = consistency::one;
    std::int32_t received = 0;
    std::int32_t block_for = 0;
    std::int32_t num_failures = 0;
    std::string_view write_type;
};
struct CQLWIRE_PROTOCOL_API already_exists_info {
    std::string_view keyspace;
    std::string_view table;  // empty when a keyspace already exists
};
struct CQLWIRE_PROTOCOL_API unprepared_info {
    bytes_view id;
};

// monostate for codes without extra fields, and for codes the specification does not define
// (those keep their code and message: a newer server may send them).
using error_details = std::variant<std::monostate, unavailable_info, write_timeout_info, read_timeout_info,
                                   read_failure_info, function_failure_info, write_failure_info,
                                   already_exists_info, unprepared_info>;

struct CQLWIRE_PROTOCOL_API error_view {
    std::int32_t code = 0;
    std::string_view message;  // untrusted server text: quote it, never interpret it
    error_details details;

    // The code in server_category (which also names codes it does not know by number).
    std::error_code error_code() const noexcept { return make_server_error_code(code); }
};

// ---- EVENT (§4.2.6) and the schema change shared with RESULT (§4.2.5.5) ----

enum class schema_change_target : std::uint8_t { keyspace, table, type, function, aggregate };

struct CQLWIRE_PROTOCOL_API schema_change_view {
    std::string_view change_type;  // "CREATED", "UPDATED", "DROPPED"
    schema_change_target target = schema_change_target::keyspace;
    std::string_view keyspace;
    std::string_view name;                         // table, type, function or aggregate name
    std::vector<std::string_view> argument_types;  // function and aggregate only
};

enum class event_type : std::uint8_t { topology_change, status_change, schema_change };

struct CQLWIRE_PROTOCOL_API event_view {
    event_type type = event_type::topology_change;
    // TOPOLOGY_CHANGE: "NEW_NODE" / "REMOVED_NODE"; STATUS_CHANGE: "UP" / "DOWN".
    std::string_view change;
    inet_endpoint address;            // topology and status changes
    schema_change_view schema_change;  // schema changes
};

CQLWIRE_PROTOCOL_API std::string_view to_string(schema_change_target t) noexcept;  // "KEYSPACE", "TABLE", ...
CQLWIRE_PROTOCOL_API std::string_view to_string(event_type t) noexcept;            // "TOPOLOGY_CHANGE", ...

// ---- Decoders: `body` is what follows the response prefix. ----

[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_error(bytes_view body, error_view& out);
// READY has an empty body; extra bytes are ignored like everywhere else.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_ready(bytes_view body) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_authenticate(bytes_view body, std::string_view& authenticator_class) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_supported(bytes_view body, string_multimap_view& options);
// The token is a [bytes]: it may be null.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_auth_challenge(bytes_view body, raw_value& token) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_auth_success(bytes_view body, raw_value& token) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_event(bytes_view body, event_view& out);
// <change_type><target><options>, from a reader positioned at them (EVENT and RESULT).
// An unknown target is client_errc::bad_value: its fields cannot be known.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_schema_change(byte_reader& r, schema_change_view& out);

}  // namespace cqlwire::protocol

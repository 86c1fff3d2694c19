// Requests of §4.1 of the v4 specification, both ways.
//
// Encoders append one whole frame (9-byte header, then the body, length filled in) to a
// caller-owned vector, so that several requests can be coalesced into one write and the
// vector's memory is reused. On failure nothing is appended. The inputs are views: the
// encoders copy from them and keep nothing.
//
// Decoders (for a test server, a frame trace, a fuzzer) take a request body *after* its
// custom payload (see decode_request_prefix) and fill views that point into that body: they
// are valid exactly as long as the body's buffer is. Bytes after a complete message are
// ignored, as the specification allows messages to grow; nothing past the end is ever read.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

using bytes_map_entry = std::pair<std::string_view, raw_value>;
using string_map_entry = std::pair<std::string_view, std::string_view>;

// Frame-level settings of one request.
struct CQLWIRE_PROTOCOL_API request_frame_options {
    std::int16_t stream = 0;  // must be >= 0; negative ids belong to the server
    // The header's version byte: 4, or 3 for a v3 server. The bodies these encoders write are
    // the same in v3 for everything but the UNSET value (v4 only), which v3 refuses (bad_value).
    std::uint8_t version = protocol_v4;
    bool tracing = false;     // flag 0x02; the spec honours it for QUERY, PREPARE and EXECUTE
    // Flag 0x04 and a [bytes map] at the start of the body. The spec says only QUERY,
    // PREPARE, EXECUTE and BATCH carry one; the encoders write it for any request if given.
    std::optional<std::span<const bytes_map_entry>> custom_payload;
};

// <query_parameters> of §4.1.4 (QUERY and EXECUTE), for encoding.
namespace query_flags {
inline constexpr std::uint8_t values = 0x01;
inline constexpr std::uint8_t skip_metadata = 0x02;
inline constexpr std::uint8_t page_size = 0x04;
inline constexpr std::uint8_t with_paging_state = 0x08;
inline constexpr std::uint8_t with_serial_consistency = 0x10;
inline constexpr std::uint8_t with_default_timestamp = 0x20;
inline constexpr std::uint8_t with_names_for_values = 0x40;
}  // namespace query_flags

struct CQLWIRE_PROTOCOL_API query_parameters {
    consistency consistency_level = consistency::one;
    // Bound values; flag 0x01 is set when there is at least one.
    std::span<const raw_value> values;
    // Empty, or one name per value: then flag 0x40 is set and each value is preceded by its
    // [string] name (named bind markers). A size mismatch is client_errc::bad_value.
    std::span<const std::string_view> names;
    bool skip_metadata = false;
    std::optional<std::int32_t> page_size;       // > 0 for paging; the server treats <= 0 as none
    std::optional<bytes_view> paging_state;      // from a previous Rows result
    std::optional<consistency> serial_consistency;  // SERIAL or LOCAL_SERIAL
    std::optional<std::int64_t> default_timestamp;  // microseconds; negative is refused (spec)
};

// The same, decoded: views into the body.
struct CQLWIRE_PROTOCOL_API query_parameters_view {
    consistency consistency_level = consistency::one;
    std::uint8_t flags = 0;  // as received, unknown bits included
    std::vector<raw_value> values;
    std::vector<std::string_view> names;  // filled only when flag 0x40 is set
    bool skip_metadata = false;
    std::optional<std::int32_t> page_size;
    std::optional<raw_value> paging_state;  // a [bytes]: may be null
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;  // not range-checked: that is the server's call
};

enum class batch_type : std::uint8_t { logged = 0, unlogged = 1, counter = 2 };

// One statement of a BATCH: a query string (kind 0) or a prepared id (kind 1), with values.
struct CQLWIRE_PROTOCOL_API batch_statement {
    enum class kind : std::uint8_t { query = 0, prepared = 1 };
    kind statement_kind = kind::query;
    std::string_view query;   // kind::query
    bytes_view prepared_id;   // kind::prepared
    std::span<const raw_value> values;

    static batch_statement of_query(std::string_view q, std::span<const raw_value> v = {}) noexcept {
        return {kind::query, q, {}, v};
    }
    static batch_statement of_prepared(bytes_view id, std::span<const raw_value> v = {}) noexcept {
        return {kind::prepared, {}, id, v};
    }
};

// BATCH (§4.1.7). Named values (flag 0x40) are deliberately not offered: the specification
// itself says the feature cannot work and Cassandra does not implement it (CASSANDRA-10246),
// so values are always positional. decode_batch refuses a batch with that flag (bad_value).
struct CQLWIRE_PROTOCOL_API batch_request {
    batch_type type = batch_type::logged;
    std::span<const batch_statement> statements;
    consistency consistency_level = consistency::one;
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;
};

struct CQLWIRE_PROTOCOL_API batch_statement_view {
    batch_statement::kind statement_kind = batch_statement::kind::query;
    std::string_view query;
    bytes_view prepared_id;
    std::vector<raw_value> values;
};

struct CQLWIRE_PROTOCOL_API batch_view {
    batch_type type = batch_type::logged;
    std::vector<batch_statement_view> statements;
    consistency consistency_level = consistency::one;
    std::uint8_t flags = 0;
    std::optional<consistency> serial_consistency;
    std::optional<std::int64_t> default_timestamp;
};

struct CQLWIRE_PROTOCOL_API query_view {
    std::string_view query;
    query_parameters_view parameters;
};

struct CQLWIRE_PROTOCOL_API execute_view {
    bytes_view prepared_id;
    query_parameters_view parameters;
};

// What comes before a request's message body: a custom payload when flag 0x04 is set.
struct CQLWIRE_PROTOCOL_API request_prefix {
    std::optional<bytes_map_view> custom_payload;
};

// ---- Encoders: each appends one frame to `out` (nothing on failure). ----

// STARTUP: a [string map], e.g. {{"CQL_VERSION", "3.0.0"}} (mandatory), {"COMPRESSION", "lz4"}.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_startup(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                             std::span<const string_map_entry> options);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_options(std::vector<std::uint8_t>& out, const request_frame_options& frame);
// AUTH_RESPONSE: a [bytes] token (null allowed; whether it makes sense is the authenticator's
// business).
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_auth_response(std::vector<std::uint8_t>& out,
                                                   const request_frame_options& frame, raw_value token);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_query(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                           std::string_view query, const query_parameters& parameters);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_prepare(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                             std::string_view query);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_execute(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                             bytes_view prepared_id, const query_parameters& parameters);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_batch(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                           const batch_request& batch);
// REGISTER: event types such as "TOPOLOGY_CHANGE", "STATUS_CHANGE", "SCHEMA_CHANGE".
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_register(std::vector<std::uint8_t>& out, const request_frame_options& frame,
                                              std::span<const std::string_view> event_types);

// ---- Decoders: `body` is what follows the request prefix. ----

// Splits the custom payload (flag 0x04) off the front of a request body.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_request_prefix(const frame_header& header, bytes_view body,
                                                    request_prefix& out, bytes_view& rest);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_startup(bytes_view body, string_map_view& options);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_auth_response(bytes_view body, raw_value& token) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_query(bytes_view body, query_view& out);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_prepare(bytes_view body, std::string_view& query) noexcept;
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_execute(bytes_view body, execute_view& out);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_batch(bytes_view body, batch_view& out);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_register(bytes_view body, std::vector<std::string_view>& event_types);
// <query_parameters> alone, from a reader positioned at them.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code decode_query_parameters(byte_reader& r, query_parameters_view& out);

}  // namespace cqlwire::protocol

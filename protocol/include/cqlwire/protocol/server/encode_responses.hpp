// The codec's server half, for fake servers and conformance tools; a client never needs it:
// the encoders of the responses of §4.2 of the v4 specification other than RESULT (whose
// encoders are in encode_results.hpp). They take the same views the client's decoders fill
// (responses.hpp), so what a test server sends can be checked by decoding it again.
//
// Each encoder appends one whole frame (header with the response direction bit, then the body,
// length filled in) to a caller-owned vector; on failure nothing is appended.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"

#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

// Frame-level settings of one response, for the encoders. The prefix fields given set the
// matching header flags.
struct response_frame_options {
    std::int16_t stream = 0;  // -1 for EVENT
    std::optional<uuid> tracing_id;
    std::optional<std::span<const std::string_view>> warnings;
    std::optional<std::span<const bytes_map_entry>> custom_payload;
};

// Writes the extra fields that `error.details` holds (whatever the code says).
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_error(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                           const error_view& error);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_ready(std::vector<std::uint8_t>& out, const response_frame_options& frame);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_authenticate(std::vector<std::uint8_t>& out,
                                                  const response_frame_options& frame,
                                                  std::string_view authenticator_class);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_supported(
    std::vector<std::uint8_t>& out, const response_frame_options& frame,
    std::span<const std::pair<std::string_view, std::vector<std::string_view>>> options);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_auth_challenge(std::vector<std::uint8_t>& out,
                                                    const response_frame_options& frame, raw_value token);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_auth_success(std::vector<std::uint8_t>& out,
                                                  const response_frame_options& frame, raw_value token);
// Use stream -1 in `frame`, as the specification requires of events.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_event(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                           const event_view& event);
CQLWIRE_PROTOCOL_API void encode_schema_change(byte_writer& w, const schema_change_view& change);

}  // namespace cqlwire::protocol

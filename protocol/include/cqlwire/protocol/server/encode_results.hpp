// The codec's server half, for fake servers and conformance tools; a client never needs it:
// the encoders of RESULT messages (§4.2.5 of the v4 specification). They take the metadata and
// views the client's decoder fills (result.hpp), so a fake server can answer with exactly what
// a test then expects to decode.
//
// Each encoder appends one whole RESULT frame to a caller-owned vector (see
// encode_responses.hpp for the frame settings); on failure nothing is appended.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/byte_writer.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_responses.hpp"

#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_result_void(std::vector<std::uint8_t>& out, const response_frame_options& frame);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_result_set_keyspace(std::vector<std::uint8_t>& out,
                                                         const response_frame_options& frame,
                                                         std::string_view keyspace);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_result_schema_change(std::vector<std::uint8_t>& out,
                                                          const response_frame_options& frame,
                                                          const schema_change_view& change);
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_result_prepared(std::vector<std::uint8_t>& out,
                                                     const response_frame_options& frame, bytes_view id,
                                                     const prepared_metadata& metadata,
                                                     const result_metadata& rows_metadata);
// A Rows result of `cells` in row-major order: the number of columns is metadata.columns.size()
// (metadata.column_count with No_metadata) and cells.size() must be a multiple of it. The
// Has_more_pages flag is set exactly when `paging_state` is given.
[[nodiscard]] CQLWIRE_PROTOCOL_API std::error_code encode_result_rows(std::vector<std::uint8_t>& out, const response_frame_options& frame,
                                                 const result_metadata& metadata, std::span<const raw_value> cells,
                                                 std::optional<bytes_view> paging_state = std::nullopt);
// <metadata> alone; `column_count` as for encode_result_rows.
CQLWIRE_PROTOCOL_API void encode_result_metadata(byte_writer& w, const result_metadata& metadata, std::optional<bytes_view> paging_state);
CQLWIRE_PROTOCOL_API void encode_prepared_metadata(byte_writer& w, const prepared_metadata& metadata);

}  // namespace cqlwire::protocol

// The outcome of a QUERY, EXECUTE or BATCH: the RESULT, decoded once, with the response
// prefix (warnings, custom payload, tracing id) beside it.
//
// Lifetime: a query_result owns the response frame; rows(), the strings, the warnings and the
// custom payload are views into it and stay valid for as long as the query_result lives (moving
// it keeps them valid: they then belong to the moved-to object).
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API query_result {
public:
    query_result() = default;
    query_result(query_result&&) noexcept = default;
    query_result& operator=(query_result&&) noexcept = default;
    query_result(const query_result&) = delete;
    query_result& operator=(const query_result&) = delete;

    // Takes a RESULT response and decodes it. Another opcode is errc::protocol_violation; a
    // RESULT that does not decode gives the codec's error. `diag` says what was wrong.
    [[nodiscard]] static std::error_code from_response(response r, query_result& out, protocol::diagnostics& diag);

    bool empty() const noexcept { return response_.empty(); }
    protocol::result_kind kind() const noexcept { return result_.kind; }
    bool is_void() const noexcept { return kind() == protocol::result_kind::void_; }
    bool is_rows() const noexcept { return kind() == protocol::result_kind::rows; }
    bool is_set_keyspace() const noexcept { return kind() == protocol::result_kind::set_keyspace; }
    bool is_schema_change() const noexcept { return kind() == protocol::result_kind::schema_change; }
    bool is_prepared() const noexcept { return kind() == protocol::result_kind::prepared; }

    // Rows: the rows of this page and their columns (empty for other kinds).
    const protocol::rows_view& rows() const noexcept { return result_.rows; }
    const protocol::result_metadata& metadata() const noexcept { return result_.metadata; }
    bool has_more_pages() const noexcept { return is_rows() && result_.rows.has_more_pages(); }
    // The state to ask for the next page with (empty when there is none).
    protocol::bytes_view paging_state() const noexcept {
        return has_more_pages() ? result_.rows.paging_state().bytes : protocol::bytes_view{};
    }
    // Set_keyspace: the keyspace now in use (as the server spells it).
    std::string_view keyspace() const noexcept { return is_set_keyspace() ? result_.keyspace : std::string_view{}; }
    // Schema_change: what changed (CREATED/UPDATED/DROPPED, the target and its names).
    const protocol::schema_change_view& schema_change() const noexcept { return result_.schema_change; }
    // The whole decoded RESULT (e.g. the Prepared one).
    const protocol::result_view& result() const noexcept { return result_; }

    // The server's warnings (flag 0x08), in its words: untrusted text, show it quoted.
    std::span<const std::string_view> warnings() const noexcept {
        return prefix_.warnings ? std::span<const std::string_view>(*prefix_.warnings)
                                : std::span<const std::string_view>();
    }
    // The custom payload the server attached (flag 0x04), or null.
    const protocol::bytes_map_view* custom_payload() const noexcept {
        return prefix_.custom_payload ? &*prefix_.custom_payload : nullptr;
    }
    // The tracing session id, when tracing was asked for (flag 0x02).
    std::optional<protocol::uuid> tracing_id() const noexcept { return prefix_.tracing_id; }

    // True when the statement had to be re-prepared on the way (the server answered Unprepared).
    bool reprepared() const noexcept { return reprepared_; }
    void set_reprepared(bool v) noexcept { reprepared_ = v; }

    const response& raw_response() const noexcept { return response_; }

    // A failed operation's result is empty, but when the server answered with an ERROR the
    // frame is kept here, so that a caller deciding what to do next (a cluster session's retry
    // policy) can read the error's details: how many replicas answered a read or write that
    // timed out, the write type, whether data was present. `out` views the kept frame. False
    // when no ERROR was kept or it does not decode.
    [[nodiscard]] bool server_error(protocol::error_view& out) const noexcept;
    // Keeps an ERROR response for server_error() (the result stays empty).
    static query_result from_server_error(response error_response);

private:
    response error_response_;
    response response_;
    protocol::response_prefix prefix_;
    protocol::result_view result_;
    bool reprepared_ = false;
};

}  // namespace cqlwire::transport

// The outcome of a QUERY, EXECUTE or BATCH: the RESULT, decoded once, with the response
// prefix (warnings, custom payload, tracing id) beside it.
//
// Lifetime: a query_result owns the response frame; rows(), the strings, the warnings and the
// custom payload are views into it and stay valid for as long as the query_result lives (moving
// it keeps them valid: they then belong to the moved-to object).
//
// Cost: a query_result is one pointer. Its decoded state lives in a block that, when the
// result is destroyed, goes back to a small per-thread pool for the next result, so that
// passing a result along costs a pointer copy, and the next RESULT decoded there reuses its
// vectors and, when its column specs are byte for byte the previous ones (the same statement
// again), skips decoding them.
#pragma once

#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/protocol/byte_reader.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

namespace detail {
// What a query_result holds (see above); an implementation detail.
struct query_result_state {
    response error_response;
    response response_frame;
    protocol::response_prefix prefix;
    protocol::result_view result;
    bool reprepared = false;
};
}  // namespace detail

class CQLWIRE_TRANSPORT_API query_result {
public:
    query_result() noexcept = default;
    query_result(query_result&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
    query_result& operator=(query_result&& other) noexcept {
        if (this != &other) {
            release();
            state_ = std::exchange(other.state_, nullptr);
        }
        return *this;
    }
    ~query_result() { release(); }
    query_result(const query_result&) = delete;
    query_result& operator=(const query_result&) = delete;

    // Takes a RESULT response and decodes it. Another opcode is errc::protocol_violation; a
    // RESULT that does not decode gives the codec's error. `diag` says what was wrong; `out` is
    // left as it was.
    [[nodiscard]] static std::error_code from_response(response r, query_result& out, protocol::diagnostics& diag);

    bool empty() const noexcept { return state().response_frame.empty(); }
    protocol::result_kind kind() const noexcept { return state().result.kind; }
    bool is_void() const noexcept { return kind() == protocol::result_kind::void_; }
    bool is_rows() const noexcept { return kind() == protocol::result_kind::rows; }
    bool is_set_keyspace() const noexcept { return kind() == protocol::result_kind::set_keyspace; }
    bool is_schema_change() const noexcept { return kind() == protocol::result_kind::schema_change; }
    bool is_prepared() const noexcept { return kind() == protocol::result_kind::prepared; }

    // Rows: the rows of this page and their columns (empty for other kinds).
    const protocol::rows_view& rows() const noexcept { return state().result.rows; }
    const protocol::result_metadata& metadata() const noexcept {
        return is_rows() ? state().result.metadata : empty_state().result.metadata;
    }
    bool has_more_pages() const noexcept { return is_rows() && state().result.rows.has_more_pages(); }
    // The state to ask for the next page with (empty when there is none).
    protocol::bytes_view paging_state() const noexcept {
        return has_more_pages() ? state().result.rows.paging_state().bytes : protocol::bytes_view{};
    }
    // Set_keyspace: the keyspace now in use (as the server spells it).
    std::string_view keyspace() const noexcept {
        return is_set_keyspace() ? state().result.keyspace : std::string_view{};
    }
    // Schema_change: what changed (CREATED/UPDATED/DROPPED, the target and its names).
    const protocol::schema_change_view& schema_change() const noexcept {
        return is_schema_change() ? state().result.schema_change : empty_state().result.schema_change;
    }
    // The whole decoded RESULT (e.g. the Prepared one). Only the members of its kind() are
    // meaningful (see protocol::result_view).
    const protocol::result_view& result() const noexcept { return state().result; }

    // The server's warnings (flag 0x08), in its words: untrusted text, show it quoted.
    std::span<const std::string_view> warnings() const noexcept {
        const auto& w = state().prefix.warnings;
        return w ? std::span<const std::string_view>(*w) : std::span<const std::string_view>();
    }
    // The custom payload the server attached (flag 0x04), or null.
    const protocol::bytes_map_view* custom_payload() const noexcept {
        const auto& p = state().prefix.custom_payload;
        return p ? &*p : nullptr;
    }
    // The tracing session id, when tracing was asked for (flag 0x02).
    std::optional<protocol::uuid> tracing_id() const noexcept { return state().prefix.tracing_id; }

    // True when the statement had to be re-prepared on the way (the server answered Unprepared).
    bool reprepared() const noexcept { return state().reprepared; }
    void set_reprepared(bool v);

    const response& raw_response() const noexcept { return state().response_frame; }

    // A failed operation's result is empty, but when the server answered with an ERROR the
    // frame is kept here, so that a caller deciding what to do next (a cluster session's retry
    // policy) can read the error's details: how many replicas answered a read or write that
    // timed out, the write type, whether data was present. `out` views the kept frame. False
    // when no ERROR was kept or it does not decode.
    [[nodiscard]] bool server_error(protocol::error_view& out) const noexcept;
    // Keeps an ERROR response for server_error() (the result stays empty).
    static query_result from_server_error(response error_response);

private:
    // The state of an empty result (no block).
    static const detail::query_result_state& empty_state() noexcept;
    // A block from this thread's pool, or a new one; cleared.
    static detail::query_result_state* take_state();
    // Back to this thread's pool (or freed when the pool is full or the block grew large).
    static void give_back_state(detail::query_result_state* s) noexcept;

    const detail::query_result_state& state() const noexcept { return state_ ? *state_ : empty_state(); }
    detail::query_result_state& own_state();
    void release() noexcept {
        if (state_) give_back_state(std::exchange(state_, nullptr));
    }

    detail::query_result_state* state_ = nullptr;
};

}  // namespace cqlwire::transport

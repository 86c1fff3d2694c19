// The allocator of a connection's stream ids (§2.3 of the v4 specification: 0..32767 for
// requests; negative ids belong to the server's EVENT frames).
//
// An id is in one of three states. `free`: it may be given to a new request. `in_use`: a
// request carries it and its response has not arrived. `quarantined`: the request gave up
// waiting (it timed out), but the server may still answer; the id stays out of circulation
// until that late response arrives, so that one request's response can never reach another
// request that reused the id. A connection whose server never answers a timed-out request
// therefore loses that id for good — the price of never misdelivering rows.
//
// All operations are O(1) and allocate nothing after construction. Construction reserves room
// for every id but touches only what gets used: ids are handed out from a high-water mark, so a
// connection that never has more than 10 requests in flight writes 10 entries, not 32768 (which
// made up a measurable part of the cost of opening a connection). Not thread-safe: it belongs
// to one connection and is used on that connection's executor.
#pragma once

#include <cstddef>
#include <cstdint>
#include <system_error>
#include <vector>
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// The number of request stream ids a v4 connection has (0..32767).
inline constexpr std::size_t max_stream_ids = 32768;

enum class stream_id_state : std::uint8_t { free, in_use, quarantined };

class CQLWIRE_TRANSPORT_API stream_id_allocator {
public:
    // `capacity` ids, numbered 0..capacity-1; more than max_stream_ids is clamped to it.
    // A smaller capacity is for tests and for servers known to handle fewer in flight.
    explicit stream_id_allocator(std::size_t capacity = max_stream_ids);

    // Takes a free id (the lowest-numbered ones are handed out first on a fresh allocator).
    // Fails with errc::stream_ids_exhausted when every id is in use or quarantined.
    [[nodiscard]] std::error_code acquire(std::int16_t& id) noexcept;

    // The response for `id` arrived. An in-use or quarantined id becomes free again. Returns the
    // state the id was in: `free` means no request ever waited for it (or it was answered
    // already) — a response the caller must treat as a protocol violation.
    stream_id_state on_response(std::int16_t id) noexcept;

    // The request carrying `id` stopped waiting (timed out or was abandoned) while the server may
    // still answer. An in-use id becomes quarantined; other states are left as they are.
    void quarantine(std::int16_t id) noexcept;

    // The request carrying `id` was never sent, so no response can come: an in-use or
    // quarantined id becomes free at once.
    void release(std::int16_t id) noexcept;

    // Returns every id to `free` (after the connection was closed: no late response can come).
    void reset() noexcept;

    stream_id_state state(std::int16_t id) const noexcept;
    std::size_t capacity() const noexcept { return capacity_; }
    std::size_t in_use() const noexcept { return in_use_; }
    std::size_t quarantined() const noexcept { return quarantined_; }
    std::size_t available() const noexcept { return free_ids_.size() + (capacity_ - states_.size()); }

private:
    bool valid(std::int16_t id) const noexcept {
        return id >= 0 && static_cast<std::size_t>(id) < states_.size();
    }

    std::size_t capacity_;
    // The state of ids 0..states_.size()-1, the ever handed out; higher ones are free. Its
    // capacity is reserved up front so that growing it never allocates.
    std::vector<stream_id_state> states_;
    // Ids handed out and returned, as a stack (reserved up front too).
    std::vector<std::int16_t> free_ids_;
    std::size_t in_use_ = 0;
    std::size_t quarantined_ = 0;
};

}  // namespace cqlwire::transport

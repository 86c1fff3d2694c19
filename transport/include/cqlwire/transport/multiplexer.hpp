// The sans-I/O core of a connection: which request waits on which stream id, what is to be
// written next, which deadlines passed, and where each incoming frame goes.
//
// It does no I/O, takes no lock and reads no clock: time comes in as `now` arguments, bytes to
// write go out through prepare_write()/commit_write(), frames come in through consume(), and
// what is to be completed comes back to the caller (who delivers it however it likes). So
// pipelining, timeouts, late responses, back-pressure and failure are tested by driving it
// directly, without a socket or a thread (tests/transport/multiplexer_test.cpp). The Asio
// connection (connection.cpp) is the glue around it.
//
// `Handler` is what a request completes: any default-constructible, movable type (the connection
// uses an Asio completion handler; tests use plain values). Handlers are only ever moved, never
// called, by the multiplexer.
//
// Guarantees:
//   - Each request gets a free stream id (stream_ids.hpp); a response is matched to its request
//     by id, in whatever order responses come. A request that times out gives its handler back
//     from expire() and its id is quarantined until the late response arrives, which consume()
//     then reports as `late` (dropped): a response never reaches a request it was not meant for.
//   - A request that times out before its frame was handed to a write is never sent: the next
//     prepare_write(), or a submit() that would otherwise go beyond max_pending_write_bytes or
//     find no free id, drops its frame and frees its id (no answer can come). Until then its id stays taken, so
//     that no other queued frame can carry it, and its bytes no longer count as pending. An
//     answer on the id of a request not yet sent is a violation.
//   - Requests queue in one buffer and leave in batches: prepare_write() hands out everything
//     queued (up to max_write_batch_bytes, whole frames) while no write is under way.
//   - Queued plus unwritten bytes stay within max_pending_write_bytes: a request beyond is
//     refused (std::errc::no_buffer_space) — except one request alone, which is always taken.
//   - fail() hands every waiting handler back with the cause, forgets the queue, and makes every
//     later submit() fail with that cause.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/frame_encoder_ref.hpp"
#include "cqlwire/transport/stream_ids.hpp"

namespace cqlwire::transport {

struct multiplexer_options {
    // Written into every request frame's version byte.
    std::uint8_t protocol_version = protocol::protocol_v4;
    // How many stream ids to use (at most max_stream_ids).
    std::size_t stream_ids = max_stream_ids;
    // The most request bytes held (queued plus being written); see the guarantees above.
    std::size_t max_pending_write_bytes = 64u * 1024u * 1024u;
    // The most bytes one prepare_write() hands out (a bigger single frame goes alone), so that a
    // burst of requests becomes several writes rather than one that holds the buffer for long.
    std::size_t max_write_batch_bytes = 4u * 1024u * 1024u;
};

// Where consume() sent a frame.
enum class frame_route : std::uint8_t {
    response,   // the answer to a waiting request: its handler was handed out
    event,      // an EVENT frame (negative stream id): the caller routes it to its event handler
    late,       // the late answer to a request that timed out: dropped, its id is free again
    violation,  // the frame breaks the protocol (the message says how): fail the connection
};

template <class Handler>
class multiplexer {
public:
    using time_point = std::chrono::steady_clock::time_point;

    explicit multiplexer(const multiplexer_options& options = {})
        : options_(clamped(options)), ids_(options_.stream_ids) {}

    const multiplexer_options& options() const noexcept { return options_; }

    // ---- requests ----------------------------------------------------------------------------
    // Queues one request: `encode` appends one whole frame, whose version byte and stream id are
    // set here. On success `handler` was moved in; on failure it is left to the caller, and the
    // error says why: the connection's failure after fail(), encode's own error, errc::
    // stream_ids_exhausted, std::errc::no_buffer_space (back-pressure). No deadline: waits forever.
    std::error_code submit(frame_encoder_ref encode, Handler& handler, std::optional<time_point> deadline) {
        if (failure_) return failure_;
        const std::size_t start = queue_.size();
        if (auto ec = encode(queue_)) {
            queue_.resize(start);
            return ec;
        }
        return admit(start, handler, deadline);
    }
    // The same for a frame already encoded.
    std::error_code submit(protocol::bytes_view frame, Handler& handler, std::optional<time_point> deadline) {
        if (failure_) return failure_;
        const std::size_t start = queue_.size();
        queue_.insert(queue_.end(), frame.begin(), frame.end());
        return admit(start, handler, deadline);
    }

    // ---- writing -----------------------------------------------------------------------------
    // The bytes to write next, or empty when a write is under way or nothing is queued. They stay
    // valid, unchanged, until commit_write() or fail().
    protocol::bytes_view prepare_write() {
        if (writing_) return {};
        if (withdrawn_bytes_ > 0) drop_withdrawn_frames();
        if (queue_.empty()) return {};
        writing_ = true;
        // Whole frames up to the batch limit (at least one frame).
        std::size_t take = queue_.size();
        if (take > options_.max_write_batch_bytes) {
            take = 0;
            std::size_t last = 0;  // where the last frame taken starts
            std::size_t frames = 0;
            while (take < queue_.size()) {
                const std::size_t frame = protocol::frame_header_size + body_length_at(take);
                if (take > 0 && take + frame > options_.max_write_batch_bytes) break;
                last = take;
                take += frame;
                ++frames;
            }
            queued_requests_ -= frames;
            handed_seq_ = slots_[static_cast<std::size_t>(stream_id_at(last))].seq;
        } else {
            queued_requests_ = 0;
            handed_seq_ = admitted_seq_;
        }
        if (take == queue_.size()) {
            written_.swap(queue_);
            queue_.clear();
        } else {
            written_.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
            queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
        }
        return written_;
    }
    // The bytes of the last prepare_write() were written. A buffer that a burst of large requests
    // grew is let go once the writes are small again (less than a quarter of it), so that one large
    // request does not keep its memory for the connection's life; steady large writes keep
    // theirs. The two buffers trade places on a whole-queue write, so a grown one comes back
    // here within two writes.
    void commit_write() noexcept {
        writing_ = false;
        if (written_.capacity() > kept_buffer_bytes && written_.size() < written_.capacity() / 4)
            std::vector<std::uint8_t>().swap(written_);
        else
            written_.clear();
    }
    // The memory the write buffers hold (for tests and diagnostics).
    std::size_t buffer_capacity() const noexcept { return queue_.capacity() + written_.capacity(); }
    // A write buffer up to this size is kept however small the writes get.
    static constexpr std::size_t kept_buffer_bytes = 1024u * 1024u;
    bool write_under_way() const noexcept { return writing_; }
    bool has_queued_bytes() const noexcept { return !queue_.empty(); }
    // Requests whose frames wait for a write (not those that timed out there).
    std::size_t queued_requests() const noexcept { return queued_requests_; }
    // Request bytes accepted and not yet written (queued plus being written), not counting the
    // frames of requests that timed out unsent.
    std::size_t pending_write_bytes() const noexcept { return held_bytes() - withdrawn_bytes_; }
    // The bytes held for writing, those frames included: at most max_pending_write_bytes, or one
    // request alone, as a request that would go beyond first makes the queue drop them.
    std::size_t held_bytes() const noexcept { return queue_.size() + written_.size(); }

    // ---- reading -----------------------------------------------------------------------------
    // Routes one incoming frame. For `response`, `handler` receives the waiting request's
    // handler; for `violation`, `violation` says what is wrong.
    frame_route consume(const protocol::frame_header& header, Handler& handler, std::string& violation) {
        const auto id = header.stream;
        if (id < 0) {
            if (header.op == protocol::opcode::event) return frame_route::event;
            violation = "the server sent " + std::string(protocol::to_string(header.op)) + " on stream " +
                        std::to_string(id) + "; only EVENT frames use negative stream ids";
            return frame_route::violation;
        }
        if (static_cast<std::size_t>(id) < slots_.size()) {
            // A request not yet handed to a write cannot have been answered; nor one that timed
            // out before it was (its frame is dropped, never sent).
            const auto& s = slots_[static_cast<std::size_t>(id)];
            if (s.withdrawn || (s.waiting && s.seq > handed_seq_)) {
                violation =
                    "the server answered on stream " + std::to_string(id) + " before the request on it was sent";
                return frame_route::violation;
            }
        }
        switch (ids_.on_response(id)) {
        case stream_id_state::in_use: {
            auto& s = slots_[static_cast<std::size_t>(id)];
            s.waiting = false;
            --pending_;
            put(handler, std::move(s.handler));
            return frame_route::response;
        }
        case stream_id_state::quarantined: return frame_route::late;
        case stream_id_state::free: break;
        }
        violation = "the server answered on stream " + std::to_string(id) + ", which no request was waiting on";
        return frame_route::violation;
    }

    // ---- time --------------------------------------------------------------------------------
    // The earliest deadline of a waiting request, if any: when to call expire() next.
    std::optional<time_point> next_deadline() {
        drop_stale_top();
        if (deadlines_.empty()) return std::nullopt;
        return deadlines_.front().at;
    }
    // Hands `expired(Handler&&)` every request whose deadline is at or before `now`; each one's id
    // is quarantined until its late response arrives, or, for a request not yet handed to a
    // write, until the next prepare_write() drops its frame.
    template <class OnExpired>
    void expire(time_point now, OnExpired&& expired) {
        for (;;) {
            drop_stale_top();
            if (deadlines_.empty() || deadlines_.front().at > now) return;
            const auto d = deadlines_.front();
            std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
            deadlines_.pop_back();
            auto& s = slots_[static_cast<std::size_t>(d.id)];
            s.waiting = false;
            --pending_;
            ids_.quarantine(d.id);
            if (s.seq > handed_seq_) {
                s.withdrawn = true;
                withdrawn_bytes_ += s.frame_bytes;
                --queued_requests_;
            }
            Handler h;
            put(h, std::move(s.handler));
            expired(std::move(h));
        }
    }

    // ---- failure -----------------------------------------------------------------------------
    // The connection is gone: hands every waiting request's handler to `each(Handler&&)`, drops
    // the queue, and refuses every later submit() with `cause`.
    template <class Each>
    void fail(std::error_code cause, Each&& each) {
        if (!failure_) failure_ = cause ? cause : make_error_code(errc::connection_broken);
        for (auto& s : slots_) {
            s.withdrawn = false;
            if (!s.waiting) continue;
            s.waiting = false;
            Handler h;
            put(h, std::move(s.handler));
            each(std::move(h));
        }
        pending_ = 0;
        ids_.reset();  // nothing more is read: no late response can come
        deadlines_.clear();
        // The bytes of a write under way stay until commit_write(): the write may still read them.
        queue_.clear();
        queued_requests_ = 0;
        withdrawn_bytes_ = 0;
    }
    std::error_code failure() const noexcept { return failure_; }

    // ---- for monitoring ----------------------------------------------------------------------
    std::size_t pending() const noexcept { return pending_; }
    std::size_t quarantined() const noexcept { return ids_.quarantined(); }

private:
    struct slot {
        Handler handler;
        bool waiting = false;
        bool withdrawn = false;        // timed out before its frame was handed to a write
        std::uint32_t generation = 0;  // bumped per request: tells a stale deadline entry
        std::uint64_t seq = 0;         // admitted_seq_ when admitted: queued while above handed_seq_
        std::size_t frame_bytes = 0;   // the size of its frame
    };
    struct deadline_entry {
        time_point at;
        std::int16_t id;
        std::uint32_t generation;
        bool operator>(const deadline_entry& o) const noexcept { return at > o.at; }
    };

    static multiplexer_options clamped(multiplexer_options o) {
        o.stream_ids = std::min(o.stream_ids, max_stream_ids);
        return o;
    }

    // Moves `from` into `to` by swapping where the type can (some completion handler types'
    // move assignment is unsound; their move construction and swap are not).
    static void put(Handler& to, Handler&& from) {
        Handler moved(std::move(from));
        if constexpr (requires { to.swap(moved); }) {
            to.swap(moved);
        } else {
            using std::swap;
            swap(to, moved);
        }
    }

    std::size_t body_length_at(std::size_t offset) const noexcept {
        const auto* p = queue_.data() + offset + 5;
        return std::size_t{p[0]} << 24 | std::size_t{p[1]} << 16 | std::size_t{p[2]} << 8 | std::size_t{p[3]};
    }
    std::int16_t stream_id_at(std::size_t offset) const noexcept {
        return static_cast<std::int16_t>(static_cast<std::uint16_t>(queue_[offset + 2] << 8 | queue_[offset + 3]));
    }

    // Drops from the queue the frames of requests that timed out there, freeing their ids: one
    // pass over the queue, before a write that would otherwise carry them.
    void drop_withdrawn_frames() { drop_withdrawn_frames_before(queue_.size()); }
    // The same among the frames in queue_[0, end); the bytes from `end` on (a frame being
    // admitted) move down with the frames kept. Returns how many bytes were dropped.
    std::size_t drop_withdrawn_frames_before(std::size_t end) {
        std::size_t kept = 0;
        for (std::size_t at = 0; at < end;) {
            const std::size_t size = protocol::frame_header_size + body_length_at(at);
            const auto id = stream_id_at(at);
            auto& s = slots_[static_cast<std::size_t>(id)];
            if (s.withdrawn) {
                s.withdrawn = false;
                ids_.release(id);
            } else {
                if (kept != at)
                    std::copy_n(queue_.begin() + static_cast<std::ptrdiff_t>(at), size,
                                queue_.begin() + static_cast<std::ptrdiff_t>(kept));
                kept += size;
            }
            at += size;
        }
        const std::size_t dropped = end - kept;
        if (dropped > 0) {
            std::copy(queue_.begin() + static_cast<std::ptrdiff_t>(end), queue_.end(),
                      queue_.begin() + static_cast<std::ptrdiff_t>(kept));
            queue_.resize(queue_.size() - dropped);
        }
        withdrawn_bytes_ = 0;
        return dropped;
    }

    // The frame encoded at queue_[start..] becomes a request, or is taken back out.
    std::error_code admit(std::size_t start, Handler& handler, std::optional<time_point> at) {
        const std::size_t size = queue_.size() - start;
        if (size < protocol::frame_header_size || size != protocol::frame_header_size + body_length_at(start)) {
            queue_.resize(start);
            return make_error_code(errc::protocol_violation);  // an encoder that wrote no one whole frame
        }
        // Frames of requests that timed out unsent go first rather than pile up, with their
        // ids, behind a write that does not end (a server that stopped reading).
        if (withdrawn_bytes_ > 0 && (held_bytes() > options_.max_pending_write_bytes || ids_.available() == 0))
            start -= drop_withdrawn_frames_before(start);
        // One request alone is always taken, so that a large one cannot be refused forever.
        const std::size_t before = pending_write_bytes() - size;
        if (before > 0 && before + size > options_.max_pending_write_bytes) {
            queue_.resize(start);
            return std::make_error_code(std::errc::no_buffer_space);
        }
        std::int16_t id = 0;
        if (auto ec = ids_.acquire(id)) {
            queue_.resize(start);
            return ec;
        }
        queue_[start] = options_.protocol_version;
        queue_[start + 2] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(id) >> 8);
        queue_[start + 3] = static_cast<std::uint8_t>(id);

        const auto index = static_cast<std::size_t>(id);
        if (slots_.size() <= index) slots_.resize(index + 1);
        auto& s = slots_[index];
        put(s.handler, std::move(handler));
        s.waiting = true;
        ++s.generation;
        s.seq = ++admitted_seq_;
        s.frame_bytes = size;
        ++queued_requests_;
        ++pending_;
        if (at) add_deadline(id, s.generation, *at);
        return {};
    }

    bool is_stale(const deadline_entry& d) const noexcept {
        const auto& s = slots_[static_cast<std::size_t>(d.id)];
        return !s.waiting || s.generation != d.generation;
    }
    void drop_stale_top() {
        while (!deadlines_.empty() && is_stale(deadlines_.front())) {
            std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
            deadlines_.pop_back();
        }
    }
    void add_deadline(std::int16_t id, std::uint32_t generation, time_point at) {
        if (deadlines_.size() > 2 * pending_ + 1024) {
            // Entries of answered requests stay until they reach the top; compacting now and then
            // keeps the heap proportional to what is waiting.
            std::erase_if(deadlines_, [this](const deadline_entry& d) { return is_stale(d); });
            std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
        }
        deadlines_.push_back({at, id, generation});
        std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    }

    multiplexer_options options_;
    stream_id_allocator ids_;
    std::vector<slot> slots_;  // indexed by stream id; grows to the highest id used
    std::size_t pending_ = 0;
    std::vector<deadline_entry> deadlines_;  // a min-heap on `at`
    std::vector<std::uint8_t> queue_;    // frames accepted, not yet handed to a write
    std::vector<std::uint8_t> written_;  // the frames of the write under way
    bool writing_ = false;
    // Requests are numbered as admitted; those numbered up to handed_seq_ were handed to a write
    // (or dropped), so a request numbered above it still has its frame in queue_.
    std::uint64_t admitted_seq_ = 0;
    std::uint64_t handed_seq_ = 0;
    std::size_t queued_requests_ = 0;  // live frames in queue_
    std::size_t withdrawn_bytes_ = 0;  // of the frames in queue_ of requests that timed out unsent
    std::error_code failure_;
};

}  // namespace cqlwire::transport

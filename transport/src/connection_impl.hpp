// The state of one connection (connection.hpp's handle points at it): the Asio glue around the
// multiplexer (multiplexer.hpp), the receive buffer (read_buffer.hpp) and the start-up machine
// (startup.hpp). connection.cpp runs it; connection_handle.cpp is the public face.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/allocator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/require.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/multiplexer.hpp"
#include "connection_failures.hpp"
#include "handler_arena.hpp"
#include "operation_pool.hpp"
#include "read_buffer.hpp"

namespace cqlwire::transport::detail {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
using request_handler = asio::any_completion_handler<response_signature>;

// Moves `from` into `to`. Boost 1.81's move assignment of any_completion_handler wraps the
// source in a new handler of the same type, recursing without end; the move constructor and
// swap are sound.
template <class Signature>
void move_handler(asio::any_completion_handler<Signature>& to, asio::any_completion_handler<Signature>&& from) noexcept {
    asio::any_completion_handler<Signature> moved(std::move(from));
    to.swap(moved);
}

// Runs `handler(args...)` after the current handler (posted to `ex`), on the handler's associated
// executor, or where the post ran for a handler without one. It goes through a lambda rather
// than asio::append because in Boost 1.81 re-wrapping an any_completion_handler lvalue recurses
// without end.
// `candidate` is what a handler without an executor of its own reports, as the
// any_completion_executor that any_completion_handler reports its executor as. Converting an
// any_io_executor into one allocates (Boost 1.81 puts the wrapped executor on the heap), so a
// connection converts once and passes the result here: then completing a request allocates
// nothing.
template <class Signature, class... Args>
void complete_later(const asio::any_io_executor& ex, const asio::any_completion_executor& candidate,
                    asio::any_completion_handler<Signature> handler, Args&&... args) {
    auto target = asio::get_associated_executor(handler, candidate);
    asio::post(ex, [target, h = std::move(handler), ... a = std::forward<Args>(args)]() mutable {
        asio::dispatch(target, [h = std::move(h), ... b = std::move(a)]() mutable { std::move(h)(std::move(b)...); });
    });
}
template <class Signature, class... Args>
void complete_later(const asio::any_io_executor& ex, asio::any_completion_handler<Signature> handler,
                    Args&&... args) {
    complete_later(ex, asio::any_completion_executor(ex), std::move(handler), std::forward<Args>(args)...);
}

// Everything of one connection: the Asio glue around the multiplexer (multiplexer.hpp) and the
// start-up machine (startup.hpp). Lives on the stream's executor; every member function below
// runs there. Operations in flight hold a shared_ptr to it.
class connection_impl : public std::enable_shared_from_this<connection_impl> {
public:
    connection_impl(stream s, const connection_options& options)
        : strand_(strand_for(s.get_executor())),
          executor_(std::visit([](const auto& st) { return asio::any_io_executor(st); }, strand_)),
          completion_executor_(std::visit(
              [](const auto& st) { return asio::any_completion_executor(st.get_inner_executor()); }, strand_)),
          stream_(std::move(s)),
          options_(clamped(options)),
          startup_timer_(executor_),
          reader_(protocol::frame_decoder_options{
              options.max_frame_body_length,
              static_cast<std::uint8_t>(options.protocol_version | protocol::response_direction_bit), false}),
          mux_(multiplexer_options{options.protocol_version, options_.stream_ids, options.max_pending_write_bytes}),
          timer_(executor_),
          coalesce_timer_(executor_) {}

    static connection_options clamped(connection_options o) {
        o.stream_ids = std::min(o.stream_ids, max_stream_ids);
        // Far beyond any use, and short of overflowing the clock's nanoseconds.
        o.write_coalesce_delay = std::min<std::chrono::microseconds>(o.write_coalesce_delay, std::chrono::hours(1));
        return o;
    }

    // Every handler of the connection, and of the query surface above it, runs on one strand,
    // whatever executor the stream was given: so a blocking call may run the io_context on its
    // own thread while other threads run it too, and a thread pool may carry a connection.
    // A stream that already has a strand keeps it. Over an io_context the strand is of the
    // io_context's own executor type, allocating from operation_pool.hpp: then hopping onto
    // it costs no heap allocation, where a strand over any_io_executor allocates every time.
    using io_strand = asio::strand<pooled_io_executor>;
    using any_strand = asio::strand<asio::any_io_executor>;
    using strand_variant = std::variant<io_strand, any_strand>;
    static strand_variant strand_for(const asio::any_io_executor& ex) {
        const auto pooled = asio::execution::allocator(pooled_allocator<void>());
        if (const auto* s = ex.target<asio::strand<asio::io_context::executor_type>>()) return asio::prefer(*s, pooled);
        if (const auto* s = ex.target<io_strand>()) return *s;
        if (const auto* s = ex.target<any_strand>()) return *s;
        if (const auto* e = ex.target<asio::io_context::executor_type>()) return asio::make_strand(asio::require(*e, pooled));
        return asio::make_strand(ex);
    }
    strand_variant strand_;
    asio::any_io_executor executor_;  // strand_, as the connection reports it
    // What a handler without an executor of its own reports (see complete_later): the executor
    // under the strand, converted once. Completions are delivered from inside the strand, so
    // such a handler still runs there; and copying this one, once per completion, is a plain
    // copy where a strand's would count references.
    asio::any_completion_executor completion_executor_;
    bool on_own_thread() const noexcept {
        return std::visit([](const auto& s) { return s.running_in_this_thread(); }, strand_);
    }
    // Calls `f` with the strand, as its own type.
    template <class F>
    decltype(auto) with_strand(F&& f) const {
        return std::visit(std::forward<F>(f), strand_);
    }
    stream stream_;
    connection_options options_;

    // ---- state shared by start-up and requests ----
    enum class phase : std::uint8_t { idle, starting, open, failed };
    phase phase_ = phase::idle;
    std::error_code failure_;
    protocol::diagnostics failure_diag_;
    // Bytes received so far: a server that closes before sending any is judged by how it did.
    std::uint64_t bytes_received_ = 0;
    // A start-up write that failed because the server had closed or reset the connection.
    boost::system::error_code startup_write_error_;

    failure_context context() {
        return failure_context{stream_,
                               phase_ == phase::starting,
                               bytes_received_,
                               mux_.pending(),
                               startup_write_error_,
                               options_.protocol_version,
                               options_.max_frame_body_length};
    }
    void fail(std::error_code ec, const protocol::diagnostics& diag);
    void fail(std::error_code ec, std::string_view client_message) {
        protocol::diagnostics d;
        d.set_client_message(client_message);
        fail(ec, d);
    }
    void fail_io(const boost::system::error_code& ec) {
        protocol::diagnostics d;
        const auto why = classify_io_error(ec, context(), d);
        fail(why, d);
    }
    void fail_frame(std::error_code ec) {
        protocol::diagnostics d;
        const auto why = classify_frame_error(ec, reader_.first_byte(), reader_.buffered_bytes(), context(), d);
        fail(why, d);
    }

    // ---- start-up ----
    std::unique_ptr<startup_machine> startup_;
    protocol::diagnostics* startup_diag_ = nullptr;
    asio::any_completion_handler<startup_signature> startup_handler_;
    asio::steady_timer startup_timer_;

    void begin_startup(const startup_config& config, protocol::diagnostics& diag,
                       asio::any_completion_handler<startup_signature> handler);
    void drive_startup(startup_action action);
    void read_for_startup();

    // ---- requests ----
    read_buffer reader_;
    multiplexer<request_handler> mux_;
    std::function<void(response)> event_handler_;
    frame_observer frame_observer_;

    // Tells the frame observer about every whole frame in `bytes` (frames we encoded, so well
    // formed; a malformed tail is ignored) and about one received frame.
    void observe_sent(protocol::bytes_view bytes) const {
        const auto now = std::chrono::system_clock::now();
        while (bytes.size() >= protocol::frame_header_size) {
            protocol::frame_header h;
            if (protocol::decode_frame_header(bytes, h)) return;
            if (bytes.size() - protocol::frame_header_size < h.length) return;
            frame_observer_(frame_event{now, frame_event::direction::sent, h,
                                        bytes.subspan(protocol::frame_header_size, h.length)});
            bytes = bytes.subspan(protocol::frame_header_size + h.length);
        }
    }
    void observe_received(const protocol::frame_view& frame) const {
        frame_observer_(frame_event{std::chrono::system_clock::now(), frame_event::direction::received, frame.header,
                                    frame.body});
    }

    // One timer for the multiplexer's earliest deadline.
    asio::steady_timer timer_;
    clock::time_point timer_expiry_ = clock::time_point::max();
    // Holds a scheduled write back for options_.write_coalesce_delay, when that is set.
    asio::steady_timer coalesce_timer_;
    // The clock, read once per batch of requests issued in one turn (a deadline is a timeout
    // from about now, not a timestamp): valid while a write is scheduled but not held, which
    // lasts one turn. A held write spans turns, so each request issued meanwhile reads it.
    clock::time_point batch_now_{};

    bool write_scheduled_ = false;
    bool write_held_ = false;  // the scheduled write waits for coalesce_timer_
    // A held write goes out at once when it reaches this many bytes: a bigger one saves no more
    // system calls, and held bytes count against max_pending_write_bytes.
    std::size_t held_write_limit() const noexcept {
        return std::min<std::size_t>(64u * 1024u, options_.max_pending_write_bytes / 2);
    }
    bool reading_ = false;

    void begin_request(encoded_request request, const request_options& options, request_handler handler);
    void schedule_write();
    void start_write();
    void start_reading();
    void read_frames(bool deliver_here);
    void read_and_rearm();
    void on_frame(const protocol::frame_view& frame);
    void arm_timer();
    void on_timer();

    template <class Signature, class... Args>
    void complete(asio::any_completion_handler<Signature> handler, Args&&... args) {
        // Posted, never called inline: the handler may start new operations or close the
        // connection, which must not happen in the middle of the loop that completed it.
        complete_later(executor_, completion_executor_, std::move(handler), std::forward<Args>(args)...);
    }

    // Request completions are queued and delivered as a batch rather than by one post each: a
    // read that brings 256 responses hands them over at the end of its own handler
    // (read_frames), other completions (timeouts, failures) by one posted operation per batch.
    struct ready_completion {
        request_handler handler;
        std::error_code ec;
        response r;
    };
    // The state of the connection's one read, one write (or the post that starts it) and one
    // batch delivery at a time, in memory of their own (handler_arena.hpp).
    handler_arena read_arena_;
    handler_arena write_arena_;
    handler_arena delivery_arena_;
    // Posts `f` to the connection's strand with its state in `arena`.
    template <class F>
    void post_with(handler_arena& arena, F&& f) {
        with_strand([&](const auto& st) {
            asio::post(st, asio::bind_allocator(arena_allocator<void>(arena), std::forward<F>(f)));
        });
    }

    std::vector<ready_completion> ready_;       // completed, waiting for deliver_ready()
    std::vector<ready_completion> delivering_;  // the batch deliver_ready() works through
    bool delivery_scheduled_ = false;

    bool collecting_ = false;  // read_frames() hands the ready completions over itself

    void complete_request(request_handler handler, std::error_code ec, response r) {
        ready_.push_back(ready_completion{std::move(handler), ec, std::move(r)});
        if (!collecting_) schedule_delivery();
    }
    void schedule_delivery() {
        if (delivery_scheduled_) return;
        delivery_scheduled_ = true;
        post_with(delivery_arena_, [self = shared_from_this()] { self->deliver_ready(); });
    }
    void deliver_ready();

    // The execution context is being destroyed (connection_registry.hpp): nothing will run
    // again, so every pending handler is destroyed without being called, as Asio does with its
    // own operations.
    void abandon() noexcept;
};

}  // namespace cqlwire::transport::detail

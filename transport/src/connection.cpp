#include "cqlwire/transport/connection.hpp"

#include <algorithm>
#include <string>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/write.hpp>

#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/multiplexer.hpp"
#include "connection_failures.hpp"
#include "handler_arena.hpp"
#include "read_buffer.hpp"

namespace cqlwire::transport {

namespace asio = boost::asio;

std::system_error make_system_error(std::error_code ec, const protocol::diagnostics& diag) {
    std::string what = diag.client_message();
    if (!diag.server_message().empty()) {
        if (!what.empty()) what += "; ";
        what += "server said: \"" + diag.server_message() + "\"";
    }
    return what.empty() ? std::system_error(ec) : std::system_error(ec, what);
}

namespace detail {

using clock = std::chrono::steady_clock;
using request_handler = asio::any_completion_handler<response_signature>;

namespace {

// Request encodings are made on the caller's thread (so that no view of the caller's has to
// outlive the call) and copied into the connection's write queue on its executor. Each thread
// keeps their buffers for the next ones, so that a steady state allocates nothing.
struct request_buffer_cache {
    static constexpr std::size_t max_buffers = 64;
    static constexpr std::size_t max_capacity = 16u * 1024u;
    std::vector<std::vector<std::uint8_t>> buffers;
    request_buffer_cache() { buffers.reserve(max_buffers); }
};

request_buffer_cache& this_thread_request_buffers() {
    thread_local request_buffer_cache cache;
    return cache;
}

std::vector<std::uint8_t> take_request_buffer() {
    auto& cache = this_thread_request_buffers();
    if (cache.buffers.empty()) return {};
    auto b = std::move(cache.buffers.back());
    cache.buffers.pop_back();
    return b;
}

void give_back_request_buffer(std::vector<std::uint8_t>&& b) noexcept {
    auto& cache = this_thread_request_buffers();
    if (b.capacity() == 0 || b.capacity() > request_buffer_cache::max_capacity ||
        cache.buffers.size() >= request_buffer_cache::max_buffers)
        return;
    b.clear();
    cache.buffers.push_back(std::move(b));  // reserved up front: does not allocate
}

}  // namespace

// Runs `handler(args...)` after the current handler, on the handler's associated executor
// (falling back to `ex`). It goes through a lambda rather than asio::append because in
// Boost 1.81 re-wrapping an any_completion_handler lvalue recurses without end.
// Moves `from` into `to`. Boost 1.81's move assignment of any_completion_handler wraps the
// source in a new handler of the same type, recursing without end; the move constructor and
// swap are sound.
template <class Signature>
void move_handler(asio::any_completion_handler<Signature>& to, asio::any_completion_handler<Signature>&& from) noexcept {
    asio::any_completion_handler<Signature> moved(std::move(from));
    to.swap(moved);
}

// `candidate` is `ex` as the any_completion_executor that any_completion_handler reports its
// executor as. Converting an any_io_executor into one allocates (Boost 1.81 puts the wrapped
// executor on the heap), so a connection converts once and passes the result here: then
// completing a request allocates nothing.
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
        : executor_(s.get_executor()),
          plain_executor_(executor_.target<asio::io_context::executor_type>()),
          // A plain io_context executor is stored inside the any_completion_executor; the
          // wrapped any_io_executor would be shared on the heap, each copy a reference count.
          completion_executor_(plain_executor_ ? asio::any_completion_executor(*plain_executor_)
                                               : asio::any_completion_executor(executor_)),
          stream_(std::move(s)),
          options_(clamped(options)),
          startup_timer_(executor_),
          reader_(protocol::frame_decoder_options{
              options.max_frame_body_length,
              static_cast<std::uint8_t>(options.protocol_version | protocol::response_direction_bit), false}),
          mux_(multiplexer_options{options.protocol_version, options_.stream_ids, options.max_pending_write_bytes}),
          timer_(executor_) {}

    static connection_options clamped(connection_options o) {
        o.stream_ids = std::min(o.stream_ids, max_stream_ids);
        return o;
    }

    asio::any_io_executor executor_;
    // executor_'s target when it is a plain io_context executor (no strand): then a call made
    // on a thread running that io_context is already where the connection's state lives.
    const asio::io_context::executor_type* plain_executor_ = nullptr;
    asio::any_completion_executor completion_executor_;  // executor_, converted once (see complete_later)
    bool on_own_thread() const noexcept {
        return plain_executor_ != nullptr && plain_executor_->running_in_this_thread();
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
    // The clock, read once per batch of requests issued in one turn (a deadline is a timeout
    // from about now, not a timestamp): valid while a write is scheduled.
    clock::time_point batch_now_{};

    bool write_scheduled_ = false;
    bool reading_ = false;

    void begin_request(encoded_request request, const request_options& options, request_handler handler);
    void schedule_write();
    void start_write();
    void start_reading();
    void read_frames();
    void on_frame(const protocol::frame_view& frame);
    void arm_timer();
    void on_timer();

    template <class Signature, class... Args>
    void complete(asio::any_completion_handler<Signature> handler, Args&&... args) {
        // Posted, never called inline: the handler may start new operations or close the
        // connection, which must not happen in the middle of the loop that completed it.
        complete_later(executor_, completion_executor_, std::move(handler), std::forward<Args>(args)...);
    }

    // Request completions are queued and delivered by one posted operation per batch rather
    // than one post each: a read that brings 256 responses then costs one trip through the
    // scheduler, not 256 (each a type-erased function, often a fresh heap block).
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
    // Posts `f` to the connection's executor with its state in `arena`. Through the plain
    // io_context executor when there is one: through any_io_executor, the scheduler's own
    // operation would come from Asio's per-thread cache whatever the handler's allocator.
    template <class F>
    void post_with(handler_arena& arena, F&& f) {
        auto bound = asio::bind_allocator(arena_allocator<void>(arena), std::forward<F>(f));
        if (plain_executor_) asio::post(*plain_executor_, std::move(bound));
        else asio::post(executor_, std::move(bound));
    }

    std::vector<ready_completion> ready_;       // completed, waiting for deliver_ready()
    std::vector<ready_completion> delivering_;  // the batch deliver_ready() works through
    bool delivery_scheduled_ = false;

    void complete_request(request_handler handler, std::error_code ec, response r) {
        ready_.push_back(ready_completion{std::move(handler), ec, std::move(r)});
        if (delivery_scheduled_) return;
        delivery_scheduled_ = true;
        post_with(delivery_arena_, [self = shared_from_this()] { self->deliver_ready(); });
    }
    void deliver_ready();
};

void connection_impl::deliver_ready() {
    delivery_scheduled_ = false;
    delivering_.swap(ready_);
    std::size_t next = 0;
    // A handler that throws leaves the rest of the batch to a new delivery, not to nobody.
    struct requeue_rest {
        connection_impl& self;
        std::size_t& next;
        ~requeue_rest() {
            auto& batch = self.delivering_;
            if (next < batch.size()) {
                const auto rest = batch.begin() + static_cast<std::ptrdiff_t>(next);
                self.ready_.insert(self.ready_.begin(), std::make_move_iterator(rest),
                                   std::make_move_iterator(batch.end()));
                if (!self.delivery_scheduled_) {
                    self.delivery_scheduled_ = true;
                    self.post_with(self.delivery_arena_, [s = self.shared_from_this()] { s->deliver_ready(); });
                }
            }
            batch.clear();
        }
    } guard{*this, next};
    while (next < delivering_.size()) {
        auto c = std::move(delivering_[next++]);
        // Handlers without an executor of their own, or with the connection's, run here: this
        // is already a posted operation on that executor. Others go to theirs (a strand, ...).
        auto target = asio::get_associated_executor(c.handler, completion_executor_);
        if (target == completion_executor_) {
            std::move(c.handler)(c.ec, std::move(c.r));
        } else {
            asio::dispatch(target, [h = std::move(c.handler), ec = c.ec, r = std::move(c.r)]() mutable {
                std::move(h)(ec, std::move(r));
            });
        }
    }
}

// ---- failure ----------------------------------------------------------------------------------

void connection_impl::fail(std::error_code ec, const protocol::diagnostics& diag) {
    if (phase_ == phase::failed) return;
    const bool was_starting = phase_ == phase::starting;
    phase_ = phase::failed;
    // Every request from now on completes with this code: it must never read as success.
    failure_ = ec ? ec : make_error_code(errc::connection_broken);
    failure_diag_ = diag;
    stream_.close();
    timer_.cancel();
    startup_timer_.cancel();

    if (was_starting && startup_handler_) {
        if (startup_diag_) *startup_diag_ = diag;
        complete(std::move(startup_handler_), failure_);
    }
    startup_.reset();
    // Every pending request learns what broke the connection, not merely that it broke: a
    // protocol violation must end a command as one, not as a network failure.
    mux_.fail(failure_, [this](request_handler&& h) { complete_request(std::move(h), failure_, response{}); });
}

// ---- start-up ---------------------------------------------------------------------------------

void connection_impl::begin_startup(const startup_config& config, protocol::diagnostics& diag,
                                    asio::any_completion_handler<startup_signature> handler) {
    if (phase_ != phase::idle) {
        if (phase_ == phase::failed) {
            diag = failure_diag_;
            complete(std::move(handler), failure_);
        } else {
            diag.set_client_message("the start-up exchange was already run on this connection");
            complete(std::move(handler), std::make_error_code(std::errc::operation_in_progress));
        }
        return;
    }
    phase_ = phase::starting;
    startup_config versioned = config;
    versioned.protocol_version = options_.protocol_version;
    // What the handshake presented decides how a certificate authenticator is answered.
    if (const tls_handshake_record* record = stream_.tls_record()) {
        versioned.client_certificate_presented =
            record->client_certificate_configured && record->certificate_request_received;
        versioned.client_certificate_identity = record->client_certificate_identity;
    }
    startup_ = std::make_unique<startup_machine>(std::move(versioned));
    startup_diag_ = &diag;
    move_handler(startup_handler_, std::move(handler));
    if (options_.startup_timeout.count() > 0) {
        startup_timer_.expires_after(options_.startup_timeout);
        startup_timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
            if (ec || self->phase_ != phase::starting) return;
            self->fail(make_error_code(errc::handshake_timeout),
                       "the server did not complete the CQL start-up within " +
                           std::to_string(self->options_.startup_timeout.count()) + " ms");
        });
    }
    drive_startup(startup_->resume());
}

void connection_impl::drive_startup(startup_action action) {
    if (phase_ != phase::starting) return;
    switch (action.type) {
    case startup_action::kind::send:
        // action.bytes stays valid (and unwiped) until the machine's next resume().
        if (frame_observer_) observe_sent(action.bytes);
        asio::async_write(stream_, asio::buffer(action.bytes.data(), action.bytes.size()),
                          [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                              if (self->phase_ != phase::starting) return;
                              if (ec && is_closed_by_server(ec) && !self->startup_write_error_) {
                                  // A server that turns us away may have said why (a TLS alert,
                                  // an ERROR frame) just before it reset the connection, and its
                                  // words wait in our receive buffer: read them before judging.
                                  // The connection is gone, so the read ends at once; resume()
                                  // also wipes the bytes that were not written.
                                  self->startup_write_error_ = ec;
                                  self->drive_startup(self->startup_->resume());
                                  return;
                              }
                              if (ec) {
                                  self->fail_io(ec);
                                  return;
                              }
                              self->drive_startup(self->startup_->resume());
                          });
        return;
    case startup_action::kind::wait_frame: read_for_startup(); return;
    case startup_action::kind::done: {
        startup_timer_.cancel();
        phase_ = phase::open;
        startup_.reset();
        startup_diag_ = nullptr;
        complete(std::move(startup_handler_), std::error_code{});
        start_reading();
        return;
    }
    case startup_action::kind::failed: {
        protocol::diagnostics d = startup_->diagnostics();
        fail(action.error, d);
        return;
    }
    }
}

void connection_impl::read_for_startup() {
    protocol::frame_view frame;
    std::error_code ec;
    switch (reader_.next(frame, ec)) {
    case protocol::decode_status::frame:
        if (frame_observer_) observe_received(frame);
        drive_startup(startup_->resume(frame.header, frame.body));
        return;
    case protocol::decode_status::error: fail_frame(ec); return;
    case protocol::decode_status::need_more: break;
    }
    auto space = reader_.prepare_read();
    stream_.async_read_some(asio::buffer(space.data(), space.size()),
                            [self = shared_from_this()](const boost::system::error_code& read_ec, std::size_t n) {
                                if (self->phase_ != phase::starting) return;
                                if (read_ec) {
                                    self->fail_io(read_ec);
                                    return;
                                }
                                self->bytes_received_ += n;
                                self->reader_.commit(n);
                                self->read_for_startup();
                            });
}

// ---- requests ---------------------------------------------------------------------------------

void connection_impl::begin_request(encoded_request request, const request_options& options,
                                    request_handler handler) {
    struct give_back_on_exit {
        std::vector<std::uint8_t>& frame;
        ~give_back_on_exit() { give_back_request_buffer(std::move(frame)); }
    } give_back{request.frame};
    if (request.error) {
        complete_request(std::move(handler), request.error, response{});
        return;
    }
    if (phase_ == phase::failed) {
        complete_request(std::move(handler), failure_, response{});
        return;
    }
    if (phase_ == phase::starting) {
        complete_request(std::move(handler), std::make_error_code(std::errc::operation_in_progress), response{});
        return;
    }
    const auto timeout = options.timeout.count() > 0 ? options.timeout : options_.request_timeout;
    std::optional<clock::time_point> deadline;
    if (timeout.count() > 0) {
        if (!write_scheduled_) batch_now_ = clock::now();
        deadline = batch_now_ + timeout;
    }
    if (auto ec = mux_.submit(protocol::bytes_view(request.frame), handler, deadline)) {
        complete_request(std::move(handler), ec, response{});
        return;
    }
    if (deadline && *deadline < timer_expiry_) arm_timer();
    if (phase_ == phase::idle) {
        // Requests without a start-up (e.g. OPTIONS before STARTUP) are allowed by the spec.
        phase_ = phase::open;
        start_reading();
    }
    schedule_write();
}

void connection_impl::schedule_write() {
    if (mux_.write_under_way() || write_scheduled_) return;
    // Deferred to the end of this turn of the event loop so that requests issued together
    // leave together.
    write_scheduled_ = true;
    post_with(write_arena_, [self = shared_from_this()] {
        self->write_scheduled_ = false;
        self->start_write();
    });
}

void connection_impl::start_write() {
    if (phase_ == phase::failed) return;
    const auto bytes = mux_.prepare_write();
    if (bytes.empty()) return;
    if (frame_observer_) observe_sent(bytes);
    auto on_written = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->mux_.commit_write();
        if (self->phase_ == phase::failed) return;
        if (ec) {
            self->fail_io(ec);
            return;
        }
        self->start_write();
    };
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      asio::bind_allocator(arena_allocator<void>(write_arena_), std::move(on_written)));
}

void connection_impl::start_reading() {
    if (reading_) return;
    reading_ = true;
    read_frames();
}

void connection_impl::read_frames() {
    while (phase_ == phase::open) {
        protocol::frame_view frame;
        std::error_code ec;
        const auto status = reader_.next(frame, ec);
        if (status == protocol::decode_status::frame) {
            if (frame_observer_) observe_received(frame);
            on_frame(frame);
            continue;
        }
        if (status == protocol::decode_status::error) {
            fail_frame(ec);
            return;
        }
        break;
    }
    if (phase_ != phase::open) return;
    auto space = reader_.prepare_read();
    auto on_read = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        if (self->phase_ != phase::open) return;
        if (ec) {
            self->fail_io(ec);
            return;
        }
        self->bytes_received_ += n;
        self->reader_.commit(n);
        self->read_frames();
    };
    stream_.async_read_some(asio::buffer(space.data(), space.size()),
                            asio::bind_allocator(arena_allocator<void>(read_arena_), std::move(on_read)));
}

void connection_impl::on_frame(const protocol::frame_view& frame) {
    request_handler handler;
    std::string violation;
    switch (mux_.consume(frame.header, handler, violation)) {
    case frame_route::response: {
        response r(frame.header, frame.body, reader_.block());
        std::error_code ec;
        if (r.op() == protocol::opcode::error) {
            protocol::diagnostics ignored;  // the caller reads the message with server_error()
            ec = server_error(r, ignored);
        }
        complete_request(std::move(handler), ec, std::move(r));
        return;
    }
    case frame_route::event:
        if (event_handler_) event_handler_(response(frame.header, frame.body, reader_.block()));
        return;
    case frame_route::late: return;  // the answer to a request that timed out: dropped
    case frame_route::violation: fail(make_error_code(errc::protocol_violation), violation); return;
    }
}

void connection_impl::arm_timer() {
    const auto next = mux_.next_deadline();
    if (!next) {
        timer_expiry_ = clock::time_point::max();
        return;
    }
    timer_expiry_ = *next;
    timer_.expires_at(*next);  // cancels the previous wait, whose handler then does nothing
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->phase_ == phase::failed) return;
        self->on_timer();
    });
}

void connection_impl::on_timer() {
    timer_expiry_ = clock::time_point::max();
    mux_.expire(clock::now(), [this](request_handler&& h) {
        complete_request(std::move(h), make_error_code(errc::request_timeout), response{});
    });
    arm_timer();
}

}  // namespace detail

// ---- connection -------------------------------------------------------------------------------

connection::connection(stream s, connection_options options)
    : impl_(std::make_shared<detail::connection_impl>(std::move(s), options)) {}

connection& connection::operator=(connection&& other) noexcept {
    if (this != &other) {
        if (impl_) close();
        impl_ = std::move(other.impl_);
    }
    return *this;
}

connection::~connection() {
    if (impl_) close();
}

connection::executor_type connection::get_executor() const {
    return impl_ ? impl_->executor_ : executor_type{};
}
const connection_options& connection::options() const {
    static const connection_options defaults;
    return impl_ ? impl_->options_ : defaults;
}
bool connection::is_tls() const { return impl_ && impl_->stream_.is_tls(); }

void connection::close() {
    if (!impl_) return;
    asio::dispatch(impl_->executor_, [impl = impl_] {
        impl->fail(make_error_code(errc::connection_broken), "the connection was closed by the client");
    });
}

std::error_code connection::failure() const {
    return impl_ ? impl_->failure_ : make_error_code(errc::connection_broken);
}
protocol::diagnostics connection::failure_diagnostics() const {
    return impl_ ? impl_->failure_diag_ : protocol::diagnostics{};
}
std::size_t connection::pending_requests() const { return impl_ ? impl_->mux_.pending() : 0; }
std::size_t connection::quarantined_stream_ids() const { return impl_ ? impl_->mux_.quarantined() : 0; }
std::size_t connection::pending_write_bytes() const {
    return impl_ ? impl_->mux_.pending_write_bytes() : 0;
}

void connection::set_frame_observer(frame_observer observer) {
    if (!impl_) return;
    asio::dispatch(impl_->executor_, [impl = impl_, o = std::move(observer)]() mutable {
        impl->frame_observer_ = std::move(o);
    });
}

void connection::set_event_handler(std::function<void(response)> handler) {
    if (!impl_) return;
    asio::dispatch(impl_->executor_, [impl = impl_, h = std::move(handler)]() mutable {
        impl->event_handler_ = std::move(h);
    });
}

encoded_request connection::encode_request(frame_encoder_ref encode) const {
    encoded_request r;
    r.frame = detail::take_request_buffer();
    r.error = encode(r.frame);
    return r;
}

void connection::start_startup(const std::shared_ptr<detail::connection_impl>& impl, const startup_config& config,
                               protocol::diagnostics& diag,
                               asio::any_completion_handler<startup_signature> handler) {
    if (!impl) {
        diag.set_client_message("the connection is empty");
        asio::any_io_executor fallback = asio::system_executor();
        detail::complete_later(fallback, std::move(handler), make_error_code(errc::connection_broken));
        return;
    }
    asio::dispatch(impl->executor_, [impl, config, d = &diag, h = std::move(handler)]() mutable {
        impl->begin_startup(config, *d, std::move(h));
    });
}

void connection::start_request(const std::shared_ptr<detail::connection_impl>& impl, encoded_request request,
                               const request_options& options,
                               asio::any_completion_handler<response_signature> handler) {
    if (!impl) {
        asio::any_io_executor fallback = asio::system_executor();
        detail::complete_later(fallback, std::move(handler), make_error_code(errc::connection_broken), response{});
        return;
    }
    if (impl->on_own_thread()) {
        // What dispatch would do, without wrapping the call in a type-erased function.
        impl->begin_request(std::move(request), options, std::move(handler));
        return;
    }
    asio::dispatch(impl->executor_, [impl, r = std::move(request), options, h = std::move(handler)]() mutable {
        impl->begin_request(std::move(r), options, std::move(h));
    });
}

std::error_code connection::startup(const startup_config& config, protocol::diagnostics& diag) {
    if (!impl_) return make_error_code(errc::connection_broken);
    std::error_code result;
    auto start = [&](auto done) {
        async_startup(config, diag, [&result, done](std::error_code ec) {
            result = ec;
            done();
        });
    };
    if (auto ec = run_blocking(impl_->executor_, start)) {
        diag.set_client_message("a blocking call cannot run here: " + ec.message());
        return ec;
    }
    return result;
}

response connection::request(frame_encoder_ref encode, const request_options& options, std::error_code& ec,
                             protocol::diagnostics& diag) {
    ec.clear();
    if (!impl_) {
        ec = make_error_code(errc::connection_broken);
        return {};
    }
    response result;
    auto start = [&](auto done) {
        async_request(encode, options, [&ec, &result, done](std::error_code e, response r) {
            ec = e;
            result = std::move(r);
            done();
        });
    };
    if (auto run_ec = run_blocking(impl_->executor_, start)) {
        ec = run_ec;
        diag.set_client_message("a blocking call cannot run here: " + run_ec.message());
        return {};
    }
    if (result.op() == protocol::opcode::error && !result.empty()) {
        ec = server_error(result, diag);
    } else if (ec && result.empty() && ec == impl_->failure_) {
        // The connection's failure, which this request carries: its diagnostics say what it was.
        diag = impl_->failure_diag_;
    } else if (ec == errc::request_timeout) {
        diag.set_client_message("no response within " +
                                std::to_string((options.timeout.count() > 0 ? options.timeout
                                                                             : impl_->options_.request_timeout)
                                                   .count()) +
                                " ms");
    }
    return result;
}

response connection::query(std::string_view cql, const protocol::query_parameters& parameters, std::error_code& ec,
                           protocol::diagnostics& diag) {
    auto encode = [&](std::vector<std::uint8_t>& out) {
        return protocol::encode_query(out, protocol::request_frame_options{}, cql, parameters);
    };
    return request(encode, request_options{}, ec, diag);
}

response connection::query(std::string_view cql, const protocol::query_parameters& parameters) {
    std::error_code ec;
    protocol::diagnostics diag;
    auto r = query(cql, parameters, ec, diag);
    if (ec) throw make_system_error(ec, diag);
    return r;
}

}  // namespace cqlwire::transport

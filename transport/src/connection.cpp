#include <algorithm>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include "connection_impl.hpp"
#include "request_buffers.hpp"

namespace cqlwire::transport::detail {

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
                self.schedule_delivery();
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

// ---- the execution context's end ---------------------------------------------------------------

void connection_impl::abandon() noexcept {
    // Moved out first, destroyed after: a handler's destructor may reach this connection again.
    std::vector<request_handler> waiting;
    phase_ = phase::failed;
    if (!failure_) failure_ = make_error_code(errc::connection_broken);
    mux_.fail(failure_, [&](request_handler&& h) { waiting.push_back(std::move(h)); });
    auto ready = std::move(ready_);
    auto delivering = std::move(delivering_);
    asio::any_completion_handler<startup_signature> startup;
    move_handler(startup, std::move(startup_handler_));
    auto events = std::move(event_handler_);
    auto observer = std::move(frame_observer_);
    startup_.reset();
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
    coalesce_timer_.cancel();

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
        with_strand([&](const auto& st) {
        asio::async_write(stream_, asio::buffer(action.bytes.data(), action.bytes.size()),
                          asio::bind_executor(st, [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
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
                          }));
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
    with_strand([&](const auto& st) {
    stream_.async_read_some(asio::buffer(space.data(), space.size()),
                            asio::bind_executor(st, [self = shared_from_this()](const boost::system::error_code& read_ec, std::size_t n) {
                                if (self->phase_ != phase::starting) return;
                                if (read_ec) {
                                    self->fail_io(read_ec);
                                    return;
                                }
                                self->bytes_received_ += n;
                                self->reader_.commit(n);
                                self->read_for_startup();
                            }));
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
    // Read whether or not this request has a timeout: a later one of the same turn may.
    if (!write_scheduled_ || write_held_) batch_now_ = clock::now();
    const auto timeout = options.timeout.count() > 0 ? options.timeout : options_.request_timeout;
    std::optional<clock::time_point> deadline;
    if (timeout.count() > 0) deadline = batch_now_ + timeout;
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
    const bool holding = options_.write_coalesce_delay.count() > 0;
    const bool enough_to_write = holding && mux_.pending_write_bytes() >= held_write_limit();
    if (write_held_ && enough_to_write) {
        coalesce_timer_.cancel();  // its handler writes now
        return;
    }
    if (mux_.write_under_way() || write_scheduled_) return;
    // Deferred to the end of this turn of the event loop so that requests issued together
    // leave together.
    write_scheduled_ = true;
    auto write_now = [self = shared_from_this()] {
        self->write_scheduled_ = false;
        self->write_held_ = false;
        self->start_write();
    };
    // Held for the whole delay, but only while other requests await their answers here: a
    // lone request is not delayed.
    if (!holding || mux_.pending() <= 1 || enough_to_write) {
        post_with(write_arena_, std::move(write_now));
        return;
    }
    write_held_ = true;
    coalesce_timer_.expires_after(options_.write_coalesce_delay);
    with_strand([&](const auto& st) {
        coalesce_timer_.async_wait(asio::bind_executor(
            st, asio::bind_allocator(arena_allocator<void>(write_arena_),
                                     [write_now = std::move(write_now)](const boost::system::error_code&) { write_now(); })));
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
    with_strand([&](const auto& st) {
        asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                          asio::bind_executor(st, asio::bind_allocator(arena_allocator<void>(write_arena_),
                                                                       std::move(on_written))));
    });
}

void connection_impl::start_reading() {
    if (reading_) return;
    reading_ = true;
    read_frames(false);  // inside a caller's initiating call: nothing may complete here
}

void connection_impl::read_frames(bool deliver_here) {
    // From a read's completion, the responses it brought are handed over at the end of this
    // handler, once the next read is armed, rather than by a posted delivery: one pass through
    // the scheduler less per read. Whatever is left when this ends otherwise (a throw) is
    // posted as before.
    struct collecting {
        connection_impl& c;
        ~collecting() {
            c.collecting_ = false;
            if (!c.ready_.empty()) c.schedule_delivery();
        }
    } scope{*this};
    collecting_ = deliver_here;
    read_and_rearm();
    collecting_ = false;
    if (deliver_here && !ready_.empty() && !delivery_scheduled_) deliver_ready();
}

void connection_impl::read_and_rearm() {
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
        self->read_frames(true);
    };
    with_strand([&](const auto& st) {
        stream_.async_read_some(asio::buffer(space.data(), space.size()),
                                asio::bind_executor(st, asio::bind_allocator(arena_allocator<void>(read_arena_),
                                                                             std::move(on_read))));
    });
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
    // Every request of a held write timed out: end the hold rather than keep a later request
    // waiting out the rest of it (the write then only drops their frames).
    if (write_held_ && mux_.queued_requests() == 0) coalesce_timer_.cancel();
    arm_timer();
}

}  // namespace cqlwire::transport::detail

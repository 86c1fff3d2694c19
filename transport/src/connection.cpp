#include "cqlwire/transport/connection.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/asio/write.hpp>
#include <openssl/ssl.h>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/protocol/frame_decoder.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/peer_bytes.hpp"
#include "cqlwire/transport/tls_diagnosis.hpp"
#include "handler_arena.hpp"

namespace cqlwire::transport {

namespace asio = boost::asio;

// ---- buffer_pool and response ---------------------------------------------------------------

namespace {

// Each thread keeps small buffers of its own in front of the pools' locked lists: a
// connection's thread takes and gives back four buffers per request (the request's encoding
// and the response's body), and these then cost no lock. Buffers are plain vectors, so one
// taken from this cache may end in any pool.
struct thread_buffer_cache {
    // Enough for the responses of one full read at depth 256, and at most 1 MiB in all.
    static constexpr std::size_t max_buffers = 256;
    static constexpr std::size_t max_capacity = 16u * 1024u;
    static constexpr std::size_t max_total = 1u << 20;
    std::vector<std::vector<std::uint8_t>> buffers;
    std::size_t total = 0;  // the kept buffers' capacity

    thread_buffer_cache() { buffers.reserve(max_buffers); }
};

thread_buffer_cache& this_thread_buffers() {
    thread_local thread_buffer_cache cache;
    return cache;
}

}  // namespace

std::vector<std::uint8_t> buffer_pool::take() {
    auto& cache = this_thread_buffers();
    if (!cache.buffers.empty()) {
        auto b = std::move(cache.buffers.back());
        cache.buffers.pop_back();
        cache.total -= b.capacity();
        return b;
    }
    std::lock_guard lock(mutex_);
    if (free_.empty()) return {};
    auto b = std::move(free_.back());
    free_.pop_back();
    return b;
}

void buffer_pool::give_back(std::vector<std::uint8_t>&& buffer) noexcept {
    if (buffer.capacity() == 0 || buffer.capacity() > max_kept_capacity) return;
    buffer.clear();
    auto& cache = this_thread_buffers();
    if (cache.buffers.size() < thread_buffer_cache::max_buffers &&
        buffer.capacity() <= thread_buffer_cache::max_capacity &&
        cache.total + buffer.capacity() <= thread_buffer_cache::max_total) {
        cache.total += buffer.capacity();
        cache.buffers.push_back(std::move(buffer));  // reserved up front: does not allocate
        return;
    }
    std::lock_guard lock(mutex_);
    if (free_.size() >= max_kept_buffers) return;
    // The pool's own vector reserved max_kept_buffers up front: this push does not allocate.
    free_.push_back(std::move(buffer));
}

response& response::operator=(response&& other) noexcept {
    if (this != &other) {
        release();
        header_ = other.header_;
        body_ = std::move(other.body_);
        pool_ = std::move(other.pool_);
    }
    return *this;
}

response::~response() { release(); }

void response::release() noexcept {
    if (pool_) pool_->give_back(std::move(body_));
    pool_.reset();
}

std::error_code response::split_prefix(protocol::response_prefix& prefix, protocol::bytes_view& message) const {
    return protocol::decode_response_prefix(header_, body_, prefix, message);
}

std::error_code server_error(const response& r, protocol::diagnostics& diag) {
    if (r.op() != protocol::opcode::error) return {};
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    protocol::error_view error;
    if (r.split_prefix(prefix, message) || protocol::decode_error(message, error)) {
        diag.set_client_message("the server sent a malformed ERROR message");
        return make_error_code(errc::protocol_violation);
    }
    diag.set_server_message(error.message);
    return error.error_code();
}

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

// Everything of one connection. Lives on the stream's executor; every member function below
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
          options_(options),
          startup_timer_(executor_),
          decoder_(protocol::frame_decoder_options{options.max_frame_body_length,
                                                   static_cast<std::uint8_t>(options.protocol_version |
                                                                             protocol::response_direction_bit),
                                                   false}),
          ids_(options.stream_ids),
          pool_(std::make_shared<buffer_pool>()),
          timer_(executor_) {
        if (options_.stream_ids > max_stream_ids) options_.stream_ids = max_stream_ids;
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

    void fail(std::error_code ec, const protocol::diagnostics& diag);
    void fail(std::error_code ec, std::string_view client_message) {
        protocol::diagnostics d;
        d.set_client_message(client_message);
        fail(ec, d);
    }
    std::error_code classify_read_error(const boost::system::error_code& ec, protocol::diagnostics& diag);
    std::error_code classify_silent_close(const boost::system::error_code& ec, protocol::diagnostics& diag);
    std::error_code classify_decoder_error(std::error_code ec, protocol::diagnostics& diag);

    // ---- start-up ----
    std::unique_ptr<startup_machine> startup_;
    protocol::diagnostics* startup_diag_ = nullptr;
    asio::any_completion_handler<startup_signature> startup_handler_;
    asio::steady_timer startup_timer_;
    // Bytes received so far: a server that closes before sending any is judged by how it did.
    std::uint64_t bytes_received_ = 0;
    // A start-up write that failed because the server had closed or reset the connection.
    boost::system::error_code startup_write_error_;

    void begin_startup(const startup_config& config, protocol::diagnostics& diag,
                       asio::any_completion_handler<startup_signature> handler);
    void drive_startup(startup_action action);
    void read_for_startup();

    // ---- requests ----
    struct slot {
        asio::any_completion_handler<response_signature> handler;  // empty: nobody waits
        std::uint32_t generation = 0;  // bumped per request, to recognise stale deadlines
    };
    struct deadline {
        clock::time_point at;
        std::int16_t id;
        std::uint32_t generation;
        bool operator>(const deadline& o) const noexcept { return at > o.at; }
    };

    protocol::frame_decoder decoder_;
    stream_id_allocator ids_;
    std::shared_ptr<buffer_pool> pool_;
    std::vector<slot> slots_;  // indexed by stream id; grows to the highest id used
    std::size_t pending_ = 0;
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

    // Timeouts: one timer for the earliest deadline of a min-heap. Entries of requests that
    // completed stay until they reach the top (or a compaction), so the heap is bounded by the
    // requests issued within one timeout period.
    std::vector<deadline> deadlines_;
    asio::steady_timer timer_;
    clock::time_point timer_expiry_ = clock::time_point::max();

    // Writes: requests are appended to write_batch_; one write at a time sends it all.
    std::vector<std::uint8_t> write_batch_;
    std::vector<std::uint8_t> writing_;
    bool write_in_flight_ = false;
    bool write_scheduled_ = false;
    bool reading_ = false;

    void begin_request(encoded_request request, const request_options& options,
                       asio::any_completion_handler<response_signature> handler);
    void schedule_write();
    void start_write();
    void start_reading();
    void read_frames();
    void on_frame(const protocol::frame_view& frame);
    void add_deadline(std::int16_t id, std::uint32_t generation, clock::time_point at);
    void arm_timer(clock::time_point at);
    void on_timer();
    bool is_stale(const deadline& d) const noexcept {
        auto i = static_cast<std::size_t>(d.id);
        return i >= slots_.size() || slots_[i].generation != d.generation || !slots_[i].handler;
    }

    response make_response(const protocol::frame_view& frame) {
        auto body = pool_->take();
        body.assign(frame.body.begin(), frame.body.end());
        return response(frame.header, std::move(body), pool_);
    }

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
        asio::any_completion_handler<response_signature> handler;
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

    void complete_request(asio::any_completion_handler<response_signature> handler, std::error_code ec, response r) {
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
    for (auto& s : slots_) {
        if (s.handler) complete_request(std::move(s.handler), failure_, response{});
    }
    pending_ = 0;
    ids_.reset();  // the stream is closed: no late response can come
    deadlines_.clear();
    write_batch_.clear();
}

namespace {

// The ways an I/O error says that the server ended the connection (no alert read, no TLS error).
// How many bytes the next read may fill: what the frame under way still needs, but never more
// than the bytes of it already received (at least `floor`). The buffer so grows with what the
// server actually sent, geometrically, not with what a header claims: a 9-byte header announcing
// 200 MiB costs no 200 MiB until 100 MiB of it arrived.
std::size_t next_read_size(const protocol::frame_decoder& decoder, std::size_t floor) {
    return std::max(floor, std::min(decoder.bytes_needed(), decoder.buffered()));
}

bool is_closed_by_server(const boost::system::error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated;
}

// A reset rather than an orderly close: ECONNRESET, or EPIPE once a reset was reported.
bool is_reset(const boost::system::error_code& ec) {
    return ec == asio::error::connection_reset || ec == asio::error::broken_pipe;
}

}  // namespace

std::error_code connection_impl::classify_read_error(const boost::system::error_code& ec,
                                                     protocol::diagnostics& diag) {
    if (auto tls = classify_post_handshake_error(ec, stream_.tls_record(), diag)) return tls;
    if (is_closed_by_server(ec)) {
        if (phase_ == phase::starting && bytes_received_ == 0) return classify_silent_close(ec, diag);
        std::string m = is_reset(ec) ? "by a reset, " : "";
        if (phase_ == phase::starting)
            m += "during the CQL start-up exchange";
        else if (pending_ > 0)
            m += "while " + std::to_string(pending_) + (pending_ == 1 ? " request was" : " requests were") +
                 " waiting for a response";
        else
            m += "while no request was waiting";
        diag.set_client_message(m);
        return make_error_code(errc::connection_closed);
    }
    const tls_handshake_record* record = stream_.tls_record();
    if (record != nullptr && record->alert_received) {
        // An alert that is no verdict on our certificate, named in our words rather than
        // OpenSSL's. Before the server's first byte of CQL it ends what, under TLS 1.3, is
        // still its side of the handshake: a TLS failure, not a network one.
        const std::string alert = tls_alert_name(record->alert_received->description);
        if (phase_ == phase::starting && bytes_received_ == 0) {
            diag.set_client_message("TLS: the server ended the connection with alert " + alert +
                                    " right after the TLS handshake, before answering STARTUP");
            return make_error_code(errc::tls_handshake_failed);
        }
        diag.set_client_message("TLS: the server ended the connection with alert " + alert);
        return make_error_code(errc::connection_broken);
    }
    diag.set_client_message("reading from the server failed: " + ec.message());
    return make_error_code(errc::connection_broken);
}

// The server ended the connection during the start-up exchange without sending a byte. It said
// nothing, so the verdict rests on how it closed and on what the TLS handshake showed, and the
// messages say "most likely" where that is an inference.
std::error_code connection_impl::classify_silent_close(const boost::system::error_code& ec,
                                                       protocol::diagnostics& diag) {
    if (const tls_handshake_record* record = stream_.tls_record()) {
        const int version = stream_.tls_version();
        if (auto verdict = classify_close_after_handshake(*record, version, diag)) return verdict;
        diag.set_client_message("right after the TLS handshake, before answering STARTUP");
        return make_error_code(errc::connection_closed);
    }
    // A TLS port (Cassandra's, for one) resets a connection whose first bytes are not a TLS
    // handshake, without a byte in return; a CQL server answers STARTUP or closes in order.
    if (is_reset(ec) || is_reset(startup_write_error_)) {
        diag.set_client_message("most likely, as it reset the connection without answering STARTUP, which a TLS port "
                                "does with bytes that are not a TLS handshake");
        return make_error_code(errc::server_expects_tls);
    }
    diag.set_client_message("without answering STARTUP");
    return make_error_code(errc::connection_closed);
}

std::error_code connection_impl::classify_decoder_error(std::error_code ec, protocol::diagnostics& diag) {
    using protocol::client_errc;
    if (ec == client_errc::bad_version) {
        const auto first = decoder_.first_byte().value_or(0);
        if (!stream_.is_tls() && (first == 0x15 || first == 0x16)) {
            diag.set_client_message(
                "the server answered with a TLS record: the port expects TLS, but the connection is plaintext");
            return make_error_code(errc::server_expects_tls);
        }
        const auto answered = identify_peer_bytes(decoder_.buffered_bytes());
        if (answered.kind == peer_bytes_kind::http) {
            diag.set_client_message("an HTTP server answered (\"" + answered.http_status_line +
                                    "\"); this port serves HTTP, not CQL: check the host and port");
            return make_error_code(errc::protocol_violation);
        }
        if ((first & protocol::response_direction_bit) != 0 &&
            first != (options_.protocol_version | protocol::response_direction_bit)) {
            std::string m = "the server answered in protocol version " + std::to_string(first & 0x7F) +
                            " instead of " + std::to_string(options_.protocol_version);
            // Its ERROR names the versions it speaks (untrusted text: quoted, digits parsed).
            if (const auto text = protocol_error_message(decoder_.buffered_bytes())) {
                diag.set_server_message(*text);
                const auto versions = parse_supported_versions(*text);
                if (!versions.empty()) {
                    m += "; it supports protocol versions";
                    for (std::size_t i = 0; i < versions.size(); ++i)
                        m += (i == 0 ? " " : ", ") + std::to_string(versions[i]);
                }
            }
            diag.set_client_message(m);
            return make_error_code(errc::unsupported_protocol_version);
        }
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", first);
        diag.set_client_message(std::string("the server sent a frame starting with byte ") + hex +
                                ", which is not a CQL v4 response");
        return make_error_code(errc::protocol_violation);
    }
    if (ec == client_errc::compression_unsupported) {
        diag.set_client_message("the server sent a compressed frame, but no compression was negotiated");
        return make_error_code(errc::protocol_violation);
    }
    // The header's fields, for naming the one that lies (the decoder read all nine bytes).
    const auto header = decoder_.buffered_bytes().first(
        std::min(decoder_.buffered_bytes().size(), protocol::frame_header_size));
    const auto announced = header.size() < protocol::frame_header_size
                               ? std::uint32_t{0}
                               : std::uint32_t{header[5]} << 24 | std::uint32_t{header[6]} << 16 |
                                     std::uint32_t{header[7]} << 8 | std::uint32_t{header[8]};
    if (ec == client_errc::frame_too_large) {
        diag.set_client_message("the server sent a frame header announcing a body of " + std::to_string(announced) +
                                " bytes, beyond the limit of " + std::to_string(options_.max_frame_body_length) +
                                " bytes");
        return make_error_code(errc::protocol_violation);
    }
    if (ec == client_errc::length_out_of_range && header.size() == protocol::frame_header_size) {
        // A body length is a signed [int]: the spec allows none below zero.
        diag.set_client_message("the server sent a frame header announcing a negative body length (" +
                                std::to_string(static_cast<std::int32_t>(announced)) + ")");
        return make_error_code(errc::protocol_violation);
    }
    if (ec == client_errc::unknown_opcode && header.size() == protocol::frame_header_size) {
        char hex[8];
        std::snprintf(hex, sizeof hex, "0x%02x", header[4]);
        diag.set_client_message(std::string("the server sent a frame with opcode ") + hex +
                                ", which the CQL protocol does not define");
        return make_error_code(errc::protocol_violation);
    }
    diag.set_client_message("the server sent an invalid frame: " + ec.message());
    return make_error_code(errc::protocol_violation);
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
                                  protocol::diagnostics d;
                                  auto why = self->classify_read_error(ec, d);
                                  self->fail(why, d);
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
    switch (decoder_.next(frame, ec)) {
    case protocol::decode_status::frame:
        if (frame_observer_) observe_received(frame);
        drive_startup(startup_->resume(frame.header, frame.body));
        return;
    case protocol::decode_status::error: {
        protocol::diagnostics d;
        auto why = classify_decoder_error(ec, d);
        fail(why, d);
        return;
    }
    case protocol::decode_status::need_more: break;
    }
    auto space = decoder_.prepare(next_read_size(decoder_, 4096));
    stream_.async_read_some(asio::buffer(space.data(), space.size()),
                            [self = shared_from_this()](const boost::system::error_code& read_ec, std::size_t n) {
                                if (self->phase_ != phase::starting) return;
                                if (read_ec) {
                                    protocol::diagnostics d;
                                    auto why = self->classify_read_error(read_ec, d);
                                    self->fail(why, d);
                                    return;
                                }
                                self->bytes_received_ += n;
                                self->decoder_.commit(n);
                                self->read_for_startup();
                            });
}

// ---- requests ---------------------------------------------------------------------------------

void connection_impl::begin_request(encoded_request request, const request_options& options,
                                    asio::any_completion_handler<response_signature> handler) {
    auto frame = std::move(request.frame);
    auto give_back = [&] { pool_->give_back(std::move(frame)); };
    if (request.error) {
        give_back();
        complete_request(std::move(handler), request.error, response{});
        return;
    }
    if (phase_ == phase::failed) {
        give_back();
        complete_request(std::move(handler), failure_, response{});
        return;
    }
    if (phase_ == phase::starting) {
        give_back();
        complete_request(std::move(handler), std::make_error_code(std::errc::operation_in_progress), response{});
        return;
    }
    protocol::frame_header header;
    if (frame.size() < protocol::frame_header_size || protocol::decode_frame_header(frame, header) ||
        frame.size() != protocol::frame_header_size + header.length || header.is_response()) {
        give_back();
        complete_request(std::move(handler), std::make_error_code(std::errc::invalid_argument), response{});
        return;
    }
    const std::size_t queued = write_batch_.size() + writing_.size();
    if (queued > 0 && queued + frame.size() > options_.max_pending_write_bytes) {
        // The server is not taking what was sent: refuse rather than buffer without bound.
        give_back();
        complete_request(std::move(handler), std::make_error_code(std::errc::no_buffer_space), response{});
        return;
    }
    std::int16_t id = 0;
    if (auto ec = ids_.acquire(id)) {
        give_back();
        complete_request(std::move(handler), ec, response{});
        return;
    }
    frame[0] = options_.protocol_version;  // the encoders write v4; the connection may speak v3
    frame[2] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(id) >> 8);
    frame[3] = static_cast<std::uint8_t>(id);
    write_batch_.insert(write_batch_.end(), frame.begin(), frame.end());
    give_back();

    const auto index = static_cast<std::size_t>(id);
    if (slots_.size() <= index) slots_.resize(index + 1);
    auto& s = slots_[index];
    move_handler(s.handler, std::move(handler));
    ++s.generation;
    ++pending_;

    const auto timeout = options.timeout.count() > 0 ? options.timeout : options_.request_timeout;
    if (timeout.count() > 0) add_deadline(id, s.generation, clock::now() + timeout);

    if (phase_ == phase::idle) {
        // Requests without a start-up (e.g. OPTIONS before STARTUP) are allowed by the spec.
        phase_ = phase::open;
        start_reading();
    }
    schedule_write();
}

void connection_impl::schedule_write() {
    if (write_in_flight_ || write_scheduled_) return;
    // Deferred to the end of this turn of the event loop so that requests issued together
    // leave together.
    write_scheduled_ = true;
    post_with(write_arena_, [self = shared_from_this()] {
        self->write_scheduled_ = false;
        self->start_write();
    });
}

void connection_impl::start_write() {
    if (write_in_flight_ || write_batch_.empty() || phase_ == phase::failed) return;
    writing_.swap(write_batch_);
    write_in_flight_ = true;
    if (frame_observer_) observe_sent(writing_);
    auto on_written = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
        self->write_in_flight_ = false;
        self->writing_.clear();
        if (self->phase_ == phase::failed) return;
        if (ec) {
            protocol::diagnostics d;
            auto why = self->classify_read_error(ec, d);
            self->fail(why, d);
            return;
        }
        self->start_write();
    };
    asio::async_write(stream_, asio::buffer(writing_),
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
        auto status = decoder_.next(frame, ec);
        if (status == protocol::decode_status::frame) {
            if (frame_observer_) observe_received(frame);
            on_frame(frame);
            continue;
        }
        if (status == protocol::decode_status::error) {
            protocol::diagnostics d;
            auto why = classify_decoder_error(ec, d);
            fail(why, d);
            return;
        }
        break;
    }
    if (phase_ != phase::open) return;
    // Small frames share 64 KiB reads; a large one is read in reads that double as it arrives.
    auto space = decoder_.prepare(next_read_size(decoder_, 64 * 1024));
    auto on_read = [self = shared_from_this()](const boost::system::error_code& ec, std::size_t n) {
        if (self->phase_ != phase::open) return;
        if (ec) {
            protocol::diagnostics d;
            auto why = self->classify_read_error(ec, d);
            self->fail(why, d);
            return;
        }
        self->bytes_received_ += n;
        self->decoder_.commit(n);
        self->read_frames();
    };
    stream_.async_read_some(asio::buffer(space.data(), space.size()),
                            asio::bind_allocator(arena_allocator<void>(read_arena_), std::move(on_read)));
}

void connection_impl::on_frame(const protocol::frame_view& frame) {
    const auto id = frame.header.stream;
    if (id < 0) {
        if (frame.header.op != protocol::opcode::event) {
            fail(make_error_code(errc::protocol_violation),
                 "the server sent " + std::string(protocol::to_string(frame.header.op)) + " on stream " +
                     std::to_string(id) + "; only EVENT frames use negative stream ids");
            return;
        }
        if (event_handler_) event_handler_(make_response(frame));
        return;
    }
    switch (ids_.on_response(id)) {
    case stream_id_state::in_use: {
        auto& s = slots_[static_cast<std::size_t>(id)];
        --pending_;
        auto r = make_response(frame);
        std::error_code ec;
        if (r.op() == protocol::opcode::error) {
            protocol::diagnostics ignored;  // the caller reads the message with server_error()
            ec = server_error(r, ignored);
        }
        complete_request(std::move(s.handler), ec, std::move(r));
        return;
    }
    case stream_id_state::quarantined:
        // The late answer to a request that timed out: dropped, and its id is free again.
        return;
    case stream_id_state::free:
        fail(make_error_code(errc::protocol_violation),
             "the server answered on stream " + std::to_string(id) + ", which no request was waiting on");
        return;
    }
}

void connection_impl::add_deadline(std::int16_t id, std::uint32_t generation, clock::time_point at) {
    if (deadlines_.size() > 2 * pending_ + 1024) {
        // Drop entries of completed requests so the heap stays proportional to what is pending.
        std::erase_if(deadlines_, [this](const deadline& d) { return is_stale(d); });
        std::make_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    }
    deadlines_.push_back({at, id, generation});
    std::push_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
    if (at < timer_expiry_) arm_timer(at);
}

void connection_impl::arm_timer(clock::time_point at) {
    timer_expiry_ = at;
    timer_.expires_at(at);  // cancels the previous wait, whose handler then does nothing
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->phase_ == phase::failed) return;
        self->on_timer();
    });
}

void connection_impl::on_timer() {
    timer_expiry_ = clock::time_point::max();
    const auto now = clock::now();
    while (!deadlines_.empty()) {
        const auto d = deadlines_.front();
        if (!is_stale(d) && d.at > now) break;
        std::pop_heap(deadlines_.begin(), deadlines_.end(), std::greater<>{});
        deadlines_.pop_back();
        if (is_stale(d)) continue;
        // Timed out: the id stays quarantined until the server's late answer arrives.
        auto& s = slots_[static_cast<std::size_t>(d.id)];
        ids_.quarantine(d.id);
        --pending_;
        complete_request(std::move(s.handler), make_error_code(errc::request_timeout), response{});
    }
    if (!deadlines_.empty()) arm_timer(deadlines_.front().at);
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
std::size_t connection::pending_requests() const { return impl_ ? impl_->pending_ : 0; }
std::size_t connection::quarantined_stream_ids() const { return impl_ ? impl_->ids_.quarantined() : 0; }
std::size_t connection::pending_write_bytes() const {
    return impl_ ? impl_->write_batch_.size() + impl_->writing_.size() : 0;
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
    if (impl_) r.frame = impl_->pool_->take();
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

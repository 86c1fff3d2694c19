#include "cqlwire/transport/connection.hpp"

#include <variant>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/system_executor.hpp>

#include "cqlwire/transport/blocking.hpp"
#include "connection_impl.hpp"
#include "connection_registry.hpp"
#include "operation_support.hpp"
#include "request_buffers.hpp"

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

// ---- connection -------------------------------------------------------------------------------

connection::connection(stream s, connection_options options)
    : impl_(std::make_shared<detail::connection_impl>(std::move(s), options)) {
    asio::use_service<detail::connection_registry>(asio::query(impl_->executor_, asio::execution::context))
        .add(impl_);
}

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

asio::any_io_executor make_connection_strand(const asio::any_io_executor& ex) {
    return std::visit([](const auto& s) { return asio::any_io_executor(s); }, detail::connection_impl::strand_for(ex));
}

bool running_in_connection_strand(const asio::any_io_executor& strand) noexcept {
    if (const auto* s = strand.target<detail::connection_impl::io_strand>()) return s->running_in_this_thread();
    if (const auto* s = strand.target<detail::connection_impl::any_strand>()) return s->running_in_this_thread();
    return false;
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
        detail::explain_blocking_refusal(ec, diag);
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
        detail::explain_blocking_refusal(run_ec, diag);
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

// What the asynchronous operations of the query surface (query_client, pager, event_listener,
// tracing) share: holding the caller's completion handler until the operation ends
// (pending_completion), explaining a request that failed, and the blocking forms' wait for
// their asynchronous form.
#pragma once

#include <chrono>
#include <string>
#include <system_error>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/system_executor.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/internal/pending_completion.hpp"

namespace cqlwire::transport::detail {

// Where an operation on `c` runs: the connection's executor, or, for an empty handle (which
// fails every request with errc::connection_broken), the system executor, so that the
// failure is still delivered like any other completion.
inline boost::asio::any_io_executor executor_of(const connection& c) {
    auto ex = c.get_executor();
    if (ex) return ex;
    return boost::asio::system_executor();
}

// Fills `diag` for a request that completed with `ec`, carrying `r`, and returns the error to
// report: a server ERROR's code with its message in diag.server_message(); the connection's
// failure with its diagnostics; for a timeout, how long was waited (`timeout`, the request's
// own, or zero for the connection's). Call on the connection's executor.
inline std::error_code explain_request_failure(const connection& c, std::error_code ec, const response& r,
                                               std::chrono::milliseconds timeout, protocol::diagnostics& diag) {
    if (!ec) return ec;
    if (!r.empty() && r.op() == protocol::opcode::error) return server_error(r, diag);
    if (r.empty() && ec == c.failure()) {
        diag = c.failure_diagnostics();
    } else if (ec == errc::request_timeout) {
        const auto waited = timeout.count() > 0 ? timeout : c.options().request_timeout;
        diag.set_client_message("no response within " + std::to_string(waited.count()) + " ms");
    }
    return ec;
}

// Says in `diag` why a blocking call could not wait for its operation (run_blocking's error).
inline void explain_blocking_refusal(std::error_code ec, protocol::diagnostics& diag) {
    if (ec == std::errc::resource_deadlock_would_occur)
        diag.set_client_message(
            "a blocking call was made from a handler running on the connection's io_context or thread pool, "
            "where it would deadlock; use the asynchronous form there");
    else if (ec == std::errc::operation_canceled)
        diag.set_client_message(
            "the connection's io_context is stopped (its owner stopped it, or it ran out of work) before the call "
            "completed; restart() it, or keep a thread running it");
    else if (ec)
        diag.set_client_message("a blocking call cannot wait on the connection's executor: " + ec.message());
}

// A blocking form over an asynchronous one whose completion is void(std::error_code, Result):
// `initiate(handler)` starts it (with a callback, so it completes on the connection's
// executor). Returns its result, with `ec` set; a call that cannot wait here returns Result{}
// with run_blocking's error.
template <class Result, class Initiate>
Result wait_for_result(const boost::asio::any_io_executor& ex, Initiate&& initiate, std::error_code& ec,
                       protocol::diagnostics& diag) {
    ec.clear();
    Result out{};
    const auto run_ec = run_blocking(ex, [&](auto done) {
        initiate([&ec, &out, done](std::error_code e, Result r) {
            ec = e;
            out = std::move(r);
            done();
        });
    });
    if (run_ec) {
        explain_blocking_refusal(run_ec, diag);
        ec = run_ec;
        return Result{};
    }
    return out;
}

// The same for a completion void(std::error_code).
template <class Initiate>
[[nodiscard]] std::error_code wait_for_completion(const boost::asio::any_io_executor& ex, Initiate&& initiate,
                                                  protocol::diagnostics& diag) {
    std::error_code ec;
    const auto run_ec = run_blocking(ex, [&](auto done) {
        initiate([&ec, done](std::error_code e) {
            ec = e;
            done();
        });
    });
    if (run_ec) {
        explain_blocking_refusal(run_ec, diag);
        return run_ec;
    }
    return ec;
}

}  // namespace cqlwire::transport::detail

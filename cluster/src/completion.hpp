// Handing a result to the caller's completion handler: on the handler's associated executor
// (the session's by default), with outstanding work counted on it from the moment the
// operation started, so that a context run by the caller does not run out of work meanwhile.
// complete() dispatches (the handler runs at once when the caller's executor allows, as it does
// for a thread running the io_context); complete_here() calls a handler without an executor of
// its own directly; complete_later() posts.
#pragma once

#include <optional>
#include <utility>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

namespace cqlwire::cluster {

template <class Signature>
class completion;

template <class... Args>
class completion<void(Args...)> {
public:
    using handler_type = boost::asio::any_completion_handler<void(Args...)>;

    completion(handler_type handler, const boost::asio::any_io_executor& fallback)
        : handler_(std::move(handler)), fallback_(fallback) {
        auto target = boost::asio::get_associated_executor(handler_, fallback);
        on_fallback_ = target == boost::asio::any_completion_executor(fallback);
        work_.emplace(boost::asio::prefer(target, boost::asio::execution::outstanding_work.tracked));
    }

    // Once only.
    template <class... A>
    void complete(A&&... args) {
        auto ex = std::move(*work_);
        work_.reset();
        boost::asio::dispatch(ex, boost::asio::append(std::move(handler_), std::forward<A>(args)...));
    }

    // complete(), for a caller running on the fallback executor (the session's strand runs on
    // it): a handler without an executor of its own runs here at once, as the dispatch would
    // run it, without the dispatch's wrapping and type-erased hop.
    template <class... A>
    void complete_here(A&&... args) {
        if (!on_fallback_) return complete(std::forward<A>(args)...);
        work_.reset();
        std::move(handler_)(std::forward<A>(args)...);
    }

    // The same, but never inline: for a completion found inside the initiating call. (The
    // handler's own executor may not support post; the fallback does, and from there the
    // dispatch runs after the initiating call has returned.)
    template <class... A>
    void complete_later(A&&... args) {
        boost::asio::post(fallback_, [ex = std::move(*work_),
                                      h = boost::asio::append(std::move(handler_), std::forward<A>(args)...)]() mutable {
            boost::asio::dispatch(ex, std::move(h));
        });
        work_.reset();
    }

private:
    handler_type handler_;
    boost::asio::any_io_executor fallback_;
    std::optional<boost::asio::any_completion_executor> work_;
    bool on_fallback_ = false;  // the handler runs on the fallback executor
};

}  // namespace cqlwire::cluster

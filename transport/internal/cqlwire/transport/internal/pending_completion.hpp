// A completion handler waiting for its operation, for the operations of transport and of the
// cluster session. Meanwhile it keeps the handler's executor busy (outstanding work), so that a
// context running only the caller's handlers does not return early; the result is delivered on
// that executor, or on the operation's own (`fallback`) when the handler has none.
//
// complete() dispatches: the handler runs at once where its executor allows it (a thread
// already running the io_context). complete_here() is for a caller running on the fallback
// executor: a handler without an executor of its own is called directly, without the
// dispatch's wrapping and type-erased hop. complete_later() never runs the handler inside the
// call (for a completion found inside the initiating function). Exactly one of them, once.
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

#include "cqlwire/transport/handler_executor.hpp"

namespace cqlwire::transport::detail {

template <class Signature>
class pending_completion;

template <class... Args>
class pending_completion<void(Args...)> {
public:
    using handler_type = boost::asio::any_completion_handler<void(Args...)>;

    // `hint`: what the initiating function knew of the handler's type (handler_executor_of);
    // unknown asks the erased handler.
    pending_completion(handler_type handler, const boost::asio::any_io_executor& fallback,
                       handler_executor hint = handler_executor::unknown)
        : handler_(std::move(handler)) {
        if (hint == handler_executor::unknown) {
            auto own = boost::asio::get_associated_executor(handler_, boost::asio::any_completion_executor(no_executor{}));
            if (own.template target<no_executor>() == nullptr) {
                own_work_.emplace(boost::asio::prefer(own, boost::asio::execution::outstanding_work.tracked));
                fallback_.emplace(fallback);  // for complete_later (the handler's may not post)
                return;
            }
        }
        // Counted on `fallback` as it is: turning a strand into any_completion_executor would
        // cost a heap block per operation.
        fallback_.emplace(boost::asio::prefer(fallback, boost::asio::execution::outstanding_work.tracked));
    }

    template <class... A>
    void complete(A&&... args) {
        if (own_work_) {
            auto ex = std::move(*own_work_);
            own_work_.reset();
            boost::asio::dispatch(ex, boost::asio::append(std::move(handler_), std::forward<A>(args)...));
        } else {
            auto ex = std::move(*fallback_);
            fallback_.reset();
            boost::asio::dispatch(ex, boost::asio::append(std::move(handler_), std::forward<A>(args)...));
        }
    }

    template <class... A>
    void complete_here(A&&... args) {
        if (own_work_) return complete(std::forward<A>(args)...);
        fallback_.reset();
        std::move(handler_)(std::forward<A>(args)...);
    }

    template <class... A>
    void complete_later(A&&... args) {
        auto to = std::move(*fallback_);
        fallback_.reset();
        if (own_work_) {
            boost::asio::post(to, [ex = std::move(*own_work_),
                                   h = boost::asio::append(std::move(handler_), std::forward<A>(args)...)]() mutable {
                boost::asio::dispatch(ex, std::move(h));
            });
            own_work_.reset();
        } else {
            boost::asio::post(to, boost::asio::append(std::move(handler_), std::forward<A>(args)...));
        }
    }

private:
    handler_type handler_;
    std::optional<boost::asio::any_completion_executor> own_work_;  // the handler's own executor, busy
    // Without an executor of its own: the fallback, busy; with one, the fallback as given.
    std::optional<boost::asio::any_io_executor> fallback_;
};

}  // namespace cqlwire::transport::detail

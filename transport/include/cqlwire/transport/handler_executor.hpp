// Whether a completion handler's type says it has no executor of its own. An initiating
// function knows its handler's type before erasing it; telling the operation lets the
// operation skip asking the erased handler at run time (a query through type-erased
// executors, which costs more than the rest of handing over a result).
#pragma once

#include <type_traits>

#include <boost/asio/associated_executor.hpp>

namespace cqlwire::transport {

enum class handler_executor {
    unknown,  // ask the handler
    none,     // its type has no associated executor: it runs on the operation's executor
};

namespace detail {
// An executor no handler is bound to: asked for with it as the default, a handler's
// associated executor is this one exactly when the handler has none of its own.
struct no_executor {
    template <class F>
    void execute(F&&) const noexcept {}
    friend bool operator==(const no_executor&, const no_executor&) noexcept { return true; }
    friend bool operator!=(const no_executor&, const no_executor&) noexcept { return false; }
};
}  // namespace detail

template <class Handler>
constexpr handler_executor handler_executor_of() noexcept {
    using own = boost::asio::associated_executor_t<std::decay_t<Handler>, detail::no_executor>;
    return std::is_same_v<own, detail::no_executor> ? handler_executor::none : handler_executor::unknown;
}

}  // namespace cqlwire::transport

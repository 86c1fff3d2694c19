// Fetching the pages of a result one by one.
#include "cqlwire/transport/pager.hpp"

#include <algorithm>
#include <memory>

#include <boost/asio/post.hpp>

#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/query_client.hpp"
#include "operation_support.hpp"

namespace cqlwire::transport {

namespace asio = boost::asio;

std::error_code pager::accept(const query_result& page, protocol::diagnostics& diag) {
    if (!page.has_more_pages()) {
        done_ = true;
        return {};
    }
    const auto state = page.paging_state();
    // A server that hands back the state it was given would have us loop for ever.
    if (statement_.options.paging_state &&
        std::equal(state.begin(), state.end(), statement_.options.paging_state->begin(),
                   statement_.options.paging_state->end())) {
        diag.set_client_message("the server returned the paging state it was sent: the pages would not end");
        done_ = true;
        return make_error_code(errc::protocol_violation);
    }
    statement_.options.paging_state.emplace(state.begin(), state.end());
    return {};
}

void pager::start_next(protocol::diagnostics* diag, asio::any_completion_handler<page_signature> handler) {
    struct operation {
        detail::pending_completion<page_signature> completion;
        protocol::diagnostics own_diag;
        protocol::diagnostics* diag;
    };
    const auto ex = detail::executor_of(client_->underlying_connection());
    auto op = std::make_shared<operation>(operation{{std::move(handler), ex}, {}, diag});
    if (op->diag == nullptr) op->diag = &op->own_diag;
    asio::post(ex, [this, op] {
        if (done_) return op->completion.complete(std::error_code{}, std::optional<query_result>());
        client_->async_execute(statement_, *op->diag, [this, op](std::error_code ec, query_result page) {
            if (!ec) ec = accept(page, *op->diag);
            if (ec) return op->completion.complete(ec, std::optional<query_result>());
            ++pages_;
            op->completion.complete(std::error_code{}, std::optional<query_result>(std::move(page)));
        });
    });
}

bool pager::next(query_result& page, std::error_code& ec, protocol::diagnostics& diag) {
    auto fetched = detail::wait_for_result<std::optional<query_result>>(
        detail::executor_of(client_->underlying_connection()),
        [&](auto handler) { async_next(diag, std::move(handler)); }, ec, diag);
    if (!fetched) return false;
    page = std::move(*fetched);
    return true;
}

std::optional<query_result> pager::next() {
    std::error_code ec;
    protocol::diagnostics diag;
    query_result page;
    if (next(page, ec, diag)) return page;
    if (ec) throw make_system_error(ec, diag);
    return std::nullopt;
}

}  // namespace cqlwire::transport

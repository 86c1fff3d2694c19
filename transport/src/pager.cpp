// Fetching the pages of a result one by one.
#include "cqlwire/transport/pager.hpp"

#include <algorithm>

#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/query_client.hpp"

namespace cqlwire::transport {

bool pager::next(query_result& page, std::error_code& ec, protocol::diagnostics& diag) {
    ec.clear();
    if (done_) return false;
    query_result r = client_->execute(statement_, ec, diag);
    if (ec) return false;
    if (r.has_more_pages()) {
        const auto state = r.paging_state();
        // A server that hands back the state it was given would have us loop for ever.
        if (statement_.options.paging_state &&
            std::equal(state.begin(), state.end(), statement_.options.paging_state->begin(),
                       statement_.options.paging_state->end())) {
            diag.set_client_message("the server returned the paging state it was sent: the pages would not end");
            ec = make_error_code(errc::protocol_violation);
            done_ = true;
            return false;
        }
        statement_.options.paging_state.emplace(state.begin(), state.end());
    } else {
        done_ = true;
    }
    ++pages_;
    page = std::move(r);
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

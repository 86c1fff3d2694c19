// Paging through a result (§8 of the v4 specification): a pager runs a statement with its page
// size, then asks for each following page with the paging state of the one before, on demand.
//
//     statement s("SELECT k FROM t");
//     s.options.page_size = 1000;
//     pager p = client.pages(s);
//     query_result page;
//     while (p.next(page, ec, diag)) for (auto row : page.rows()) ...
//
// Each page is a query_result that owns its frame: its rows stay valid while the caller holds
// it, whatever the pager fetches next. The pager keeps a copy of the statement (and of the
// paging state between pages), so nothing the caller passed in has to outlive it. Like the
// query_client it uses, it must stay on one thread at a time, and the client must outlive it.
#pragma once

#include <cstddef>
#include <optional>
#include <system_error>
#include <utility>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/query_result.hpp"
#include "cqlwire/transport/statement.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class query_client;

class CQLWIRE_TRANSPORT_API pager {
public:
    pager(query_client& client, statement s) : client_(&client), statement_(std::move(s)) {}

    // Whether next() may return another page: true before the first page and while the last
    // one said more pages follow.
    bool has_next() const noexcept { return !done_; }
    std::size_t pages_fetched() const noexcept { return pages_; }

    // Fetches the next page into `page`. Returns false, leaving `page` alone, when the last page
    // was already returned, or on failure (then ec is set and diag says why; a failed fetch
    // can be retried by calling next() again). The server may return an empty page that says
    // more follow; it is returned like any other.
    bool next(query_result& page, std::error_code& ec, protocol::diagnostics& diag);
    // Throwing form: std::system_error; nullopt after the last page.
    std::optional<query_result> next();

    const statement& current_statement() const noexcept { return statement_; }

private:
    query_client* client_;
    statement statement_;
    bool done_ = false;
    std::size_t pages_ = 0;
};

}  // namespace cqlwire::transport

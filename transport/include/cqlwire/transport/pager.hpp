// Paging through a result (§8 of the v4 specification): a pager runs a statement with its page
// size, then asks for each following page with the paging state of the one before, on demand.
//
//     statement s("SELECT k FROM t");
//     s.options.page_size = 1000;
//     pager p = client.pages(s);
//     query_result page;
//     while (p.next(page, ec, diag)) for (auto row : page.rows()) ...
//
// or, asynchronously, with any completion token (here in a coroutine):
//
//     auto [ec, page] = co_await p.async_next(diag, asio::use_awaitable);  // nullopt: no more
//
// Each page is a query_result that owns its frame: its rows stay valid while the caller holds
// it, whatever the pager fetches next. The pager keeps a copy of the statement (and of the
// paging state between pages), so nothing the caller passed in has to outlive it. One fetch at
// a time: start the next only once the last completed, and leave the pager alone meanwhile (it
// is updated on the connection's executor). The client must outlive the pager, and the pager
// every fetch. next() is async_next's blocking form (see query_client.hpp for the rules).
#pragma once

#include <cstddef>
#include <optional>
#include <system_error>
#include <utility>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/query_result.hpp"
#include "cqlwire/transport/statement.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class query_client;

// A page, or nullopt once the last page was returned.
using page_signature = void(std::error_code, std::optional<query_result>);

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

    // Fetches the next page: completes with it, with nullopt when the last page was already
    // returned, or with an error (diag says why; a failed fetch can be retried). `diag` must
    // outlive the operation; the overload without it drops the explanation.
    template <class CompletionToken>
    auto async_next(protocol::diagnostics& diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, page_signature>(
            [this](auto handler, protocol::diagnostics* d) {
                start_next(d, boost::asio::any_completion_handler<page_signature>(std::move(handler)));
            },
            token, &diag);
    }
    template <class CompletionToken>
    auto async_next(CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, page_signature>(
            [this](auto handler) {
                start_next(nullptr, boost::asio::any_completion_handler<page_signature>(std::move(handler)));
            },
            token);
    }

    const statement& current_statement() const noexcept { return statement_; }

private:
    void start_next(protocol::diagnostics* diag, boost::asio::any_completion_handler<page_signature> handler);
    // Takes a fetched page: records its paging state (or that it was the last). An error when the
    // server handed back the state it was sent.
    std::error_code accept(const query_result& page, protocol::diagnostics& diag);

    query_client* client_;
    statement statement_;
    bool done_ = false;
    std::size_t pages_ = 0;
};

}  // namespace cqlwire::transport

// Running CQL statements on one connection and printing their results the way cqlsh reports
// them: rows as a table, JSON or CSV on stdout (every page fetched, --page-size rows at a time);
// nothing for results without rows (DDL, USE, INSERT...); a non-SELECT that returns rows (a
// lightweight transaction's "[applied]") as a table without the "(N rows)" line; server
// warnings as a "Warnings :" block and failures on stderr; with --tracing, the trace after
// the result on stdout.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "output_format.hpp"
#include "settings.hpp"
#include "statements.hpp"

namespace cqlwire::cli {

// Rows fetched per page when no --page-size is given; all pages of a result are fetched and
// printed as one result.
inline constexpr std::int32_t default_page_size = 5000;

// `name` as a CQL quoted identifier ("..." with inner quotes doubled).
std::string quote_identifier(std::string_view name);

// Runs statements on one connection and prints their results. Holds references to the
// connection and the settings; both must outlive the runner.
class statement_runner {
public:
    statement_runner(transport::connection& conn, const settings& s) : conn_(conn), settings_(s) {}

    // Runs one statement. Returns false when the connection can no longer be used. With
    // `traceable` false, --tracing does not apply (the session's own USE for --keyspace).
    bool run(const statement& st, std::string_view context, bool traceable = true);

    // The exit code so far: 0, 6 after a rejected statement, 7 after an undecodable value.
    int exit_status() const noexcept { return status_; }

    // The keyspace the last successful USE switched to (the server's spelling), or empty.
    const std::string& current_keyspace() const noexcept { return keyspace_; }

private:
    void render_page(const protocol::rows_view& page, rendered_rows& rows, std::string_view context);
    // `statement` is the CQL text the failure or the trace is about: its passwords are masked
    // in the server's text.
    bool report(const std::error_code& ec, const protocol::diagnostics& diag, std::string_view context,
                std::string_view statement);
    void print_trace(const protocol::uuid& id, std::string_view context, std::string_view statement);

    transport::connection& conn_;
    const settings& settings_;
    int status_ = 0;
    int decode_problems_ = 0;
    std::string keyspace_;
};

// True when the statement's first word is SELECT (case-insensitive): cqlsh prints "(N rows)"
// only for those.
bool is_select_statement(std::string_view text) noexcept;

// The "Warnings :" block printed after a result that carried server warnings (text escaped).
std::string format_warnings(std::span<const std::string> warnings);

}  // namespace cqlwire::cli

// Runs statements and prints their results; see statement_runner.hpp.
#include "statement_runner.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "cell_rendering.hpp"
#include "copy_statement.hpp"
#include "describe_output.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/tracing.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "report.hpp"
#include "safe_stderr.hpp"
#include "secret_masking.hpp"
#include "trace_output.hpp"

namespace cqlwire::cli {

namespace {

// Whether the first word of `text` is `word` (lower case; the text's in any case).
bool first_word_is(std::string_view text, std::string_view word) noexcept {
    std::size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    if (!protocol::starts_with_ignoring_ascii_case(text.substr(i), word)) return false;
    const std::size_t after = i + word.size();
    if (after == text.size()) return true;
    const char next = text[after];
    return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') ||
             next == '_');
}

}  // namespace

bool is_select_statement(std::string_view text) noexcept { return first_word_is(text, "select"); }

bool shows_row_count(std::string_view text) noexcept {
    return first_word_is(text, "select") || first_word_is(text, "list");
}

std::string format_warnings(std::span<const std::string> warnings) {
    if (warnings.empty()) return {};
    std::string out = "\nWarnings :\n";
    for (const auto& w : warnings) out += escape_controls(w) + "\n\n";
    return out;
}

namespace {

// How many undecodable cells of one result are reported one by one; the rest are counted.
constexpr std::size_t max_cell_warnings = 20;

// The most a DESCRIBE may bring back for the table format, which prints it whole (a schema of
// thousands of tables is a few MiB).
constexpr std::size_t max_description_bytes = std::size_t{64} << 20;

}  // namespace

bool statement_runner::output_written() {
    std::cout.flush();
    if (capture_) {
        capture_->stream.flush();
        if (const int e = capture_->buffer.error(); e != 0) {
            if (!output_reported_)
                std::cerr << "cqlwire: cannot write to " << escape_controls(capture_->buffer.name()) << ": "
                          << std::strerror(e) << "; the captured output is incomplete and no further statement was run\n";
            output_reported_ = true;
            status_ = to_int(exit_code::output_failed);
            return false;
        }
    }
    if (watched_ && watched_->error() == EPIPE) return false;  // its reader went away: stop quietly
    if (watched_ && watched_->error() != 0) {
        if (!output_reported_)
            std::cerr << "cqlwire: cannot write to " << watched_->name() << ": " << std::strerror(watched_->error())
                      << "; the frame trace is incomplete and no further statement was run\n";
        output_reported_ = true;
        status_ = to_int(exit_code::output_failed);
        return false;
    }
    if (out_.error() == 0) return true;
    if (out_.error() != EPIPE && !output_reported_) {
        std::cerr << "cqlwire: cannot write to " << out_.name() << ": " << std::strerror(out_.error())
                  << "; the output is incomplete and no further statement was run\n";
        output_reported_ = true;
    }
    if (out_.error() != EPIPE) status_ = to_int(exit_code::output_failed);
    return false;
}

statement_runner::wait_outcome statement_runner::send_query(std::string_view cql,
                                                            const protocol::query_parameters& params, bool traced,
                                                            transport::response& r, std::error_code& ec,
                                                            protocol::diagnostics& diag) {
    // Shared with the completion, which may run after an interrupted wait gave up on it (the
    // late response is then dropped here, and the connection goes on).
    struct outcome {
        bool done = false;
        std::error_code ec;
        transport::response r;
    };
    auto result = std::make_shared<outcome>();
    auto encode = [&](std::vector<std::uint8_t>& out) {
        protocol::request_frame_options frame;
        frame.tracing = traced;
        return protocol::encode_query(out, frame, cql, params);
    };
    const auto waited = transport::run_blocking(
        conn_.get_executor(),
        [&](auto finished) {
            conn_.async_request(encode, transport::request_options{},
                                [result, finished](std::error_code e, transport::response resp) {
                                    result->ec = e;
                                    result->r = std::move(resp);
                                    result->done = true;
                                    finished();
                                });
        },
        std::nullopt, interrupt_requested);
    if (waited == std::errc::interrupted) return wait_outcome::interrupted;
    if (waited) {
        ec = waited;
        diag.set_client_message("the connection stopped with the request still unanswered");
        return wait_outcome::completed;
    }
    ec = result->ec;
    r = std::move(result->r);
    if (r.op() == protocol::opcode::error && !r.empty()) {
        ec = transport::server_error(r, diag);
    } else if (ec && conn_.failure()) {
        // The request carries the cause that broke the connection; its words are kept there.
        diag = conn_.failure_diagnostics();
    } else if (ec == transport::errc::request_timeout) {
        diag.set_client_message("no response within " + std::to_string(settings_.request_timeout.count()) +
                                " ms (--request-timeout)");
    }
    return wait_outcome::completed;
}

bool statement_runner::run(const statement& st, std::string_view context, bool traceable) {
    if (reconnect_ && !connection_lost_) {
        poll_();
        connection_lost_ = static_cast<bool>(conn_.failure());
    }
    if (connection_lost_) {
        const std::string where = context.empty() ? std::string() : std::string(context) + ": ";
        // Ctrl-C pressed while connecting again is for this statement: it is not sent.
        clear_interrupt();
        // The interactive shell stays when no node can be reached; a script cannot go on.
        if (!reconnect(where)) return terminal_;
        if (interrupt_requested()) {
            clear_interrupt();
            interrupted_ = true;
            std::cerr << after_interrupt_echo() << "cqlwire: " << where << "interrupted: the statement was not sent\n";
            return output_written();
        }
    }
    if (run_statement(st, context, traceable)) return true;
    if (!reconnect_ || exit_requested_ || out_.error() != 0 || !conn_.failure()) return false;
    connection_lost_ = true;
    lost_under_statement_ = true;
    // A statement cut off with the connection (a COPY that reports its own failures too) ends
    // a script as the lost connection does.
    if (status_ == 0 || status_ == to_int(exit_code::undecodable_values) ||
        status_ == to_int(exit_code::statement_rejected))
        status_ = to_int(exit_code_for(conn_.failure()));
    return true;
}

bool statement_runner::reconnect(const std::string& where) {
    std::cerr << "cqlwire: warning: the connection to "
              << escape_controls(protocol::endpoint_text(settings_.host, settings_.port)) << " was lost";
    if (lost_under_statement_) {
        std::cerr << "; connecting again (the statement under way is not run again)\n";
    } else if (reconnect_failed_) {
        std::cerr << ", and no node could be used since; connecting again\n";
    } else {
        const auto diag = conn_.failure_diagnostics();
        const std::string why = diag.client_message().empty() ? conn_.failure().message() : diag.client_message();
        std::cerr << " (" << escape_controls(why) << "); connecting again\n";
    }
    lost_under_statement_ = false;
    if (const int code = reconnect_(); code != 0) {
        status_ = code;
        reconnect_failed_ = true;
        return false;
    }
    connection_lost_ = false;
    reconnect_failed_ = false;
    std::cerr << "cqlwire: warning: connected to " << escape_controls(protocol::endpoint_text(settings_.host, settings_.port))
              << "\n";
    if (keyspace_.empty()) return true;
    // The new connection is in no keyspace until the USE succeeds (which sets keyspace_ again).
    const std::string keyspace = std::exchange(keyspace_, std::string());
    const std::string use = "USE " + quote_identifier(keyspace);
    if (run_statement({use, 0}, where + "selecting keyspace " + quote_identifier(keyspace) + " again", false) &&
        !keyspace_.empty())
        return true;
    std::cerr << "cqlwire: " << where << "the statement was not run: the keyspace in use could not be selected again\n";
    return false;
}

bool statement_runner::run_statement(const statement& st, std::string_view context, bool traceable) {
    interrupted_ = false;
    undecodable_cells_ = 0;
    clear_interrupt();
    if (traceable) {
        const char* home = std::getenv("HOME");
        const auto parse = parse_shell_command(st.text, home != nullptr ? home : "");
        if (parse.is_shell_command) return run_shell_command(parse, context);
        if (is_copy_statement(st.text)) return run_copy(st, context);
    }
    // Any statement but a SELECT may change a table's columns.
    if (!is_select_statement(st.text)) column_roles_.forget();
    const bool traced = shell_.tracing && traceable;
    std::optional<result_writer> writer;
    bool writer_finished = false;
    std::size_t row_number = 0;
    std::vector<std::uint8_t> paging_state;
    std::vector<std::string> warnings;
    std::vector<protocol::uuid> trace_ids;
    std::vector<std::string> column_names;
    // DESCRIBE in a table: the rows are gathered, then printed as cqlsh prints them.
    const auto describe = settings_.format == output_format::table ? describe_shape_of(st.text) : std::nullopt;
    std::optional<describe_rows> described;
    std::size_t described_bytes = 0;
    // Warnings and traces come after the result, as cqlsh prints them, also when a later page
    // fails.
    auto finish = [&](bool ok) {
        // A result cut short: its JSON array stays open (no reader takes it for a whole one).
        if (writer && !writer_finished && settings_.format == output_format::json) results() << '\n';
        if (!output_written()) return false;
        // cqlsh prints the server's warnings after the table, on standard output; CSV and JSON
        // keep standard output for data, so they go to standard error there.
        if (settings_.format == output_format::table) results() << format_warnings(warnings);
        else std::cerr << format_warnings(warnings) << std::flush;
        for (const auto& id : trace_ids) print_trace(id, context, st.text);
        return output_written() && ok;
    };
    for (;;) {
        protocol::query_parameters params;
        // cqlsh describes at LOCAL_ONE whatever the session's level.
        params.consistency_level = describe ? protocol::consistency::local_one : shell_.consistency;
        params.serial_consistency = shell_.serial_consistency;
        params.page_size = shell_.page_size;
        if (!paging_state.empty()) params.paging_state = protocol::bytes_view(paging_state);
        std::error_code ec;
        protocol::diagnostics diag;
        transport::response r;
        if (send_query(st.text, params, traced, r, ec, diag) == wait_outcome::interrupted) {
            interrupted_ = true;
            clear_interrupt();
            std::cerr << after_interrupt_echo() << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ")
                      << "interrupted: no longer waiting for the result; the server may still carry the statement out\n";
            return finish(true);
        }
        if (ec) return finish(report(ec, diag, context, st.text));
        protocol::response_prefix prefix;
        protocol::bytes_view message;
        if (auto e = r.split_prefix(prefix, message)) return finish(report(e, diag, context, st.text));
        if (prefix.warnings)
            for (auto w : *prefix.warnings) warnings.emplace_back(mask_server_text(w, st.text));
        if (prefix.tracing_id) trace_ids.push_back(*prefix.tracing_id);
        protocol::result_view result;
        if (auto e = protocol::decode_result(message, result)) return finish(report(e, diag, context, st.text));
        if (result.kind == protocol::result_kind::set_keyspace) keyspace_.assign(result.keyspace);
        if (result.kind == protocol::result_kind::schema_change) await_schema_agreement(context);
        // Void, Set_keyspace and Schema_change print nothing, as in cqlsh.
        if (result.kind != protocol::result_kind::rows) return finish(true);
        if (describe) {
            if (!described) {
                described.emplace();
                for (const auto& col : result.rows.columns()) described->columns.emplace_back(col.name);
            }
            for (const auto& row : result.rows) {
                auto& cells = described->rows.emplace_back();
                for (std::size_t i = 0; i < row.size(); ++i) {
                    const auto raw = row.raw(i);
                    if (!raw.is_present()) {
                        cells.emplace_back(std::nullopt);
                        continue;
                    }
                    described_bytes += raw.bytes.size();
                    cells.emplace_back(std::string(reinterpret_cast<const char*>(raw.bytes.data()), raw.bytes.size()));
                }
            }
            // A schema's description is printed whole, so it is held whole: within a bound.
            if (described_bytes > max_description_bytes) {
                protocol::diagnostics too_big;
                too_big.set_client_message("the description is over " + std::to_string(max_description_bytes >> 20) +
                                           " MiB; describe a smaller part, or use --format csv");
                return finish(report(make_error_code(cli_errc::bad_statements), too_big, context, st.text));
            }
        } else {
            if (!writer) {
            // cqlsh shows the rows of a non-SELECT (e.g. "[applied]") without the row count.
            writer.emplace(results(), settings_.format,
                           settings_.format != output_format::table || shows_row_count(st.text), shell_.expand,
                               terminal_ && settings_.format == output_format::table, settings_.color && !capture_);
            // In a table the names are shown to a person; CSV and JSON keep them as data.
            for (const auto& col : result.rows.columns())
                column_names.push_back(settings_.format == output_format::table ? escape_controls(col.name)
                                                                                : std::string(col.name));
            if (settings_.color && !capture_ && settings_.format == output_format::table)
                writer->set_column_roles(column_roles_.roles(conn_, st.text, result.rows.columns()));
            if (column_names.empty())
                for (std::size_t i = 0; i < result.rows.column_count(); ++i)
                    column_names.push_back("column" + std::to_string(i + 1));
        }
            rendered_rows page;
            page.column_names = column_names;
            render_page(result.rows, page, row_number, context);
            row_number += page.rows.size();
            writer->page(page);
            if (!output_written()) return false;
        }
        if (!result.rows.has_more_pages()) break;
        const auto state = result.rows.paging_state();
        paging_state.assign(state.bytes.begin(), state.bytes.end());
        if (paging_state.empty()) break;  // a server that says "more" without a state
        // The shell pauses between pages of a table, as cqlsh does; stopping there prints no
        // row count (the result was not read to its end).
        if (writer && pause_ && shell_.paging && !capture_ && settings_.format == output_format::table && !pause_()) {
            interrupted_ = true;
            return finish(true);
        }
    }
    if (described) {
        results() << format_describe(*describe, *described, !keyspace_.empty());
    } else {
        writer->finish();
        writer_finished = true;
    }
    return finish(true);
}

void statement_runner::print_trace(const protocol::uuid& id, std::string_view context, std::string_view statement) {
    transport::fetch_trace_options options;
    options.consistency = shell_.consistency;
    options.timeout = settings_.max_trace_wait;  // [tracing] max_trace_wait
    transport::query_trace trace;
    protocol::diagnostics diag;
    if (auto ec = transport::fetch_trace(conn_, id, options, trace, diag)) {
        if (ec == transport::errc::request_timeout && !conn_.failure()) {
            // cqlsh's words, on standard output as cqlsh writes them.
            const std::string text = "Statement trace did not complete within " +
                                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(options.timeout).count()) +
                                     " seconds; trace data may be incomplete.\n";
            results() << (settings_.color && !capture_ ? colored_lines(text, ansi::red) : text);
            return;
        }
        std::cerr << format_failure(ec, diag.client_message(), diag.server_message(),
                                    context.empty() ? std::string("tracing") : std::string(context) + ": tracing");
        return;
    }
    if (settings_.format == output_format::csv) {
        // CSV on standard output is data for a program: the trace, for a person, goes to stderr.
        std::cerr << format_trace_table(trace, statement) << std::flush;
        // The trace was asked for: lost to a standard error that cannot be written (nothing can
        // say so there), it still shows in the exit status.
        if (!std::cerr.good() || standard_error_was_closed()) {
            std::cerr.clear();
            status_ = to_int(exit_code::output_failed);
        }
        return;
    }
    results() << (settings_.format == output_format::json ? format_trace_json(trace, statement)
                                                          : format_trace_table(trace, statement));
}

void statement_runner::render_page(const protocol::rows_view& page, rendered_rows& rows, std::size_t first_row,
                                   std::string_view context, bool colored) {
    std::size_t row_number = first_row;
    std::string reason;
    // As cqlsh's CAPTURE, a capture file gets no colours.
    const cell_display display{settings_.time_format, settings_.display_zone.get(),
                               colored && settings_.color && !capture_};
    for (const auto& row : page) {
        ++row_number;
        auto& out = rows.rows.emplace_back();
        out.reserve(row.size());
        for (std::size_t i = 0; i < row.size(); ++i) {
            const protocol::value_view v = row[i];
            if (v.is_null()) {
                out.emplace_back(std::nullopt);
                continue;
            }
            std::string text;
            if (!render_cell(v, settings_.format, text, reason, settings_.float_precision, settings_.double_precision,
                             display)) {
                // Every row is still printed; the cell shows its bytes, and the reason is said.
                if (undecodable_cells_ < max_cell_warnings)
                    std::cerr << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ") << "row "
                              << row_number << ", column " << quote_untrusted(rows.column_names[i])
                              << ": the value does not decode (" << reason << "); it is shown as hex\n";
                else if (undecodable_cells_ == max_cell_warnings)
                    std::cerr << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ")
                              << "more values do not decode; they are shown as hex too\n";
                ++undecodable_cells_;
                if (status_ == 0) status_ = to_int(exit_code::undecodable_values);
            }
            out.emplace_back(std::move(text));
        }
    }
}

bool statement_runner::report(const std::error_code& ec, const protocol::diagnostics& diag, std::string_view context,
                              std::string_view statement) {
    const std::string failure =
        format_failure(ec, diag.client_message(), mask_server_text(diag.server_message(), statement), context);
    if (settings_.color && !capture_) write_stderr_colored(failure, ansi::red);
    else std::cerr << failure;
    const int code = to_int(exit_code_for(ec));
    // A rejected statement says more than values shown as hex, and any failure that ends the
    // session more than a rejected statement.
    if (status_ == 0 || status_ == to_int(exit_code::undecodable_values) ||
        code != to_int(exit_code::statement_rejected))
        status_ = code;
    // A statement the server refused leaves the connection usable, and so does one that timed
    // out (its stream id waits in quarantine for the late answer); anything else does not.
    return ec.category() == protocol::server_category() || ec == transport::errc::request_timeout;
}

}  // namespace cqlwire::cli

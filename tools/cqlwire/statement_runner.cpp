// Runs statements and prints their results; see statement_runner.hpp.
#include "statement_runner.hpp"

#include <algorithm>
#include <iostream>
#include <optional>
#include <sstream>
#include <vector>

#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "exit_codes.hpp"
#include "report.hpp"
#include "secret_masking.hpp"
#include "trace_output.hpp"
#include "cqlwire/transport/tracing.hpp"

namespace cqlwire::cli {

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

bool is_select_statement(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) ++i;
    constexpr std::string_view word = "select";
    if (text.size() - i < word.size()) return false;
    for (std::size_t k = 0; k < word.size(); ++k) {
        char c = text[i + k];
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (c != word[k]) return false;
    }
    const std::size_t after = i + word.size();
    if (after == text.size()) return true;
    const char next = text[after];
    return !((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') ||
             next == '_');
}

std::string format_warnings(std::span<const std::string> warnings) {
    if (warnings.empty()) return {};
    std::string out = "\nWarnings :\n";
    for (const auto& w : warnings) out += escape_controls(w) + "\n\n";
    return out;
}

bool statement_runner::run(const statement& st, std::string_view context, bool traceable) {
    rendered_rows rows;
    bool has_rows = false;
    std::vector<std::uint8_t> paging_state;
    std::vector<std::string> warnings;
    std::vector<protocol::uuid> trace_ids;
    // Warnings and traces come after the result, as cqlsh prints them, also when a later page
    // fails.
    auto finish = [&](bool ok) {
        std::cout.flush();
        std::cerr << format_warnings(warnings) << std::flush;
        for (const auto& id : trace_ids) print_trace(id, context, st.text);
        return ok;
    };
    for (;;) {
        protocol::query_parameters params;
        params.consistency_level = settings_.consistency;
        params.page_size = settings_.page_size.value_or(default_page_size);
        if (!paging_state.empty()) params.paging_state = protocol::bytes_view(paging_state);
        std::error_code ec;
        protocol::diagnostics diag;
        transport::response r = settings_.tracing && traceable ? transport::traced_query(conn_, st.text, params, ec, diag)
                                                  : conn_.query(st.text, params, ec, diag);
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
        // Void, Set_keyspace and Schema_change print nothing, as in cqlsh.
        if (result.kind != protocol::result_kind::rows) return finish(true);
        if (!has_rows) {
            has_rows = true;
            for (const auto& col : result.rows.columns()) rows.column_names.push_back(col.name);
            if (rows.column_names.empty())
                for (std::size_t i = 0; i < result.rows.column_count(); ++i)
                    rows.column_names.push_back("column" + std::to_string(i + 1));
        }
        render_page(result.rows, rows, context);
        if (!result.rows.has_more_pages()) break;
        const auto state = result.rows.paging_state();
        paging_state.assign(state.bytes.begin(), state.bytes.end());
        if (paging_state.empty()) break;  // a server that says "more" without a state
    }
    if (settings_.format == output_format::table && !is_select_statement(st.text)) {
        // cqlsh shows the rows of a non-SELECT (e.g. "[applied]") without the row count.
        std::ostringstream table;
        write_table(table, rows);
        std::string text = table.str();
        const auto count = text.rfind("\n(");
        if (count != std::string::npos) text.erase(count + 1);
        std::cout << text;
    } else {
        write_rows(std::cout, settings_.format, rows);
    }
    return finish(true);
}

void statement_runner::print_trace(const protocol::uuid& id, std::string_view context, std::string_view statement) {
    transport::fetch_trace_options options;
    options.consistency = settings_.consistency;
    transport::query_trace trace;
    protocol::diagnostics diag;
    if (auto ec = transport::fetch_trace(conn_, id, options, trace, diag)) {
        std::cerr << format_failure(ec, diag.client_message(), diag.server_message(),
                                    context.empty() ? std::string("tracing") : std::string(context) + ": tracing");
        return;
    }
    std::cout << (settings_.format == output_format::json ? format_trace_json(trace, statement)
                                                           : format_trace_table(trace, statement));
    std::cout.flush();
}

void statement_runner::render_page(const protocol::rows_view& page, rendered_rows& rows, std::string_view context) {
    const bool json = cell_rendering_for(settings_.format) == cell_rendering::json;
    for (const auto& row : page) {
        auto& out = rows.rows.emplace_back();
        out.reserve(row.size());
        for (std::size_t i = 0; i < row.size(); ++i) {
            const protocol::value_view v = row[i];
            if (v.is_null()) {
                out.emplace_back(std::nullopt);
                continue;
            }
            std::string text;
            const auto ec = json ? protocol::render_json(v, text) : protocol::render_cql(v, text);
            if (ec) {
                // Show the raw bytes, as cqlsh does for a value it cannot decode.
                text = json ? "\"0x" : "0x";
                static constexpr char hex[] = "0123456789abcdef";
                for (auto b : v.bytes()) {
                    text.push_back(hex[b >> 4]);
                    text.push_back(hex[b & 0xF]);
                }
                if (json) text.push_back('"');
                if (decode_problems_++ < 2)
                    std::cerr << "cqlwire: " << (context.empty() ? "" : std::string(context) + ": ") << "column "
                              << quote_untrusted(rows.column_names[i]) << ": " << ec.message() << "\n";
                status_ = std::max(status_, to_int(exit_code::protocol_violation));
            }
            out.emplace_back(std::move(text));
        }
    }
}

bool statement_runner::report(const std::error_code& ec, const protocol::diagnostics& diag, std::string_view context,
                              std::string_view statement) {
    std::cerr << format_failure(ec, diag.client_message(), mask_server_text(diag.server_message(), statement), context);
    const int code = to_int(exit_code_for(ec));
    if (status_ == 0 || code != to_int(exit_code::statement_rejected)) status_ = code;
    // A statement the server refused leaves the connection usable; anything else does not.
    return ec.category() == protocol::server_category();
}

}  // namespace cqlwire::cli

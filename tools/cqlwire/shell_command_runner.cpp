// The shell commands statement_runner carries out itself (shell_commands.hpp), with cqlsh's
// messages: they go to standard output, like cqlsh's, so that a script's output reads the same.
#include <unistd.h>

#include <iostream>

#include "cli_options.hpp"
#include "cqlwire/protocol/endpoint_text.hpp"
#include "cqlwire/protocol/result.hpp"
#include "exit_codes.hpp"
#include "safe_stderr.hpp"
#include "statement_runner.hpp"

namespace cqlwire::cli {
namespace {

std::string_view on_off_name(bool on) { return on ? "ON" : "OFF"; }

// cqlsh's ON/OFF switch: shows the state, or sets it and says so.
bool switch_state(std::string_view name, bool current, switch_value requested) {
    if (requested == switch_value::none) {
        std::cout << name << " is " << on_off_name(current) << "\n";
        return current;
    }
    const bool wanted = requested == switch_value::on;
    if (wanted == current) std::cout << name << " is already " << on_off_name(current) << "\n";
    else std::cout << name << " set to " << on_off_name(wanted) << "\n";
    return wanted;
}

}  // namespace

void statement_runner::refuse_shell_command(std::string_view message, std::string_view context) {
    std::cerr << "cqlwire: " << (context.empty() ? std::string() : std::string(context) + ": ")
              << escape_controls(message) << "\n";
    // As a statement the server rejected: the session goes on.
    if (status_ == 0 || status_ == to_int(exit_code::undecodable_values))
        status_ = to_int(exit_code::statement_rejected);
}

bool statement_runner::read_local(std::string_view columns, std::vector<std::string>& values,
                                  std::string_view context) {
    const std::string cql = "SELECT " + std::string(columns) + " FROM system.local WHERE key = 'local'";
    protocol::query_parameters params;
    params.consistency_level = protocol::consistency::one;
    std::error_code ec;
    protocol::diagnostics diag;
    transport::response r;
    if (send_query(cql, params, false, r, ec, diag) == wait_outcome::interrupted) {
        interrupted_ = true;
        return false;
    }
    if (ec) {
        report(ec, diag, context, cql);
        return false;
    }
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    protocol::result_view result;
    std::error_code e = r.split_prefix(prefix, message);
    if (!e) e = protocol::decode_result(message, result);
    if (e) {
        report(e, diag, context, cql);
        return false;
    }
    rendered_rows rows;
    if (result.kind == protocol::result_kind::rows) render_page(result.rows, rows, 0, context);
    if (rows.rows.empty()) {
        refuse_shell_command("system.local has no row for this node", context);
        return false;
    }
    values.clear();
    for (const auto& cell : rows.rows.front()) values.push_back(cell.value_or("null"));
    return true;
}

bool statement_runner::run_shell_command(const shell_parse& parse, std::string_view context) {
    if (!parse.command) {
        refuse_shell_command(parse.error, context);
        return output_written();
    }
    const auto& c = *parse.command;
    switch (c.kind) {
    case shell_command_kind::consistency:
        if (c.level) {
            consistency_ = *c.level;
            std::cout << "Consistency level set to " << protocol::to_string(consistency_) << ".\n";
        } else {
            std::cout << "Current consistency level is " << protocol::to_string(consistency_) << ".\n";
        }
        break;
    case shell_command_kind::serial_consistency:
        if (c.level) {
            serial_consistency_ = *c.level;
            std::cout << "Serial consistency level set to " << protocol::to_string(*c.level) << ".\n";
        } else {
            std::cout << "Current serial consistency level is "
                      << protocol::to_string(serial_consistency_.value_or(protocol::consistency::serial)) << ".\n";
        }
        break;
    case shell_command_kind::expand: expand_ = switch_state("EXPAND", expand_, c.toggle); break;
    case shell_command_kind::tracing: tracing_ = switch_state("TRACING", tracing_, c.toggle); break;
    case shell_command_kind::paging:
        if (c.page_size) {
            paging_ = true;
            page_size_ = *c.page_size;
        } else {
            paging_ = switch_state("PAGING", paging_, c.toggle);
        }
        if (paging_) std::cout << "Page size: " << page_size_ << "\n";
        // Off, rows still arrive a page at a time (so memory stays bounded): the default page.
        else page_size_ = settings_.page_size.value_or(default_page_size);
        break;
    case shell_command_kind::show_version: {
        std::vector<std::string> v;
        if (!read_local("release_version, cql_version", v, context)) return output_written() && !conn_.failure();
        std::cout << "[" << version_text() << " | Cassandra " << v[0] << " | CQL spec " << v[1]
                  << " | Native protocol v" << static_cast<int>(conn_.options().protocol_version) << "]\n";
        break;
    }
    case shell_command_kind::show_host: {
        std::vector<std::string> v;
        if (!read_local("cluster_name", v, context)) return output_written() && !conn_.failure();
        std::cout << "Connected to " << v[0] << " at " << protocol::endpoint_text(settings_.host, settings_.port)
                  << "\n";
        break;
    }
    case shell_command_kind::clear:
        // cqlsh runs `clear`; the same escape sequences, and only where they mean something.
        if (::isatty(STDOUT_FILENO) == 1) std::cout << "\x1b[H\x1b[2J\x1b[3J";
        break;
    case shell_command_kind::exit:
        exit_requested_ = true;
        return false;
    case shell_command_kind::not_supported:
        refuse_shell_command("the cqlsh command " + c.word + " is not carried out by cqlwire yet", context);
        break;
    }
    return output_written();
}

}  // namespace cqlwire::cli

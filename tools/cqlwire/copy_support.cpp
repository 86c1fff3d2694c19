// What COPY TO and COPY FROM share; see copy_support.hpp.
#include "copy_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "copy_time_format.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "statement_runner.hpp"
#include "safe_stderr.hpp"

namespace cqlwire::cli {

namespace {

// A text cell's value; empty for a null (or a value that is not text).
std::string text_of(const protocol::value_view& v) { return std::string(protocol::as_text(v).value_or("")); }

}  // namespace

std::string cql_name(std::string_view name) { return quote_identifier(name); }

bool read_table_schema(transport::query_client& client, const std::string& keyspace, const std::string& table,
                       table_schema& out, std::string& error, std::string_view schema,
                       std::chrono::milliseconds timeout) {
    transport::statement s("SELECT column_name, kind, position, type FROM " + std::string(schema) +
                           ".columns WHERE keyspace_name = ? AND table_name = ?");
    s.bind(keyspace).bind(table);
    s.options.consistency = protocol::consistency::local_one;
    s.options.timeout = timeout;
    std::error_code ec;
    protocol::diagnostics diag;
    const auto result = client.execute(s, ec, diag);
    if (ec) {
        error = "could not read the columns of " + keyspace + "." + table + ": " +
                (diag.server_message().empty() ? ec.message() : std::string(diag.server_message()));
        return false;
    }
    struct column {
        std::string name, kind;
        std::int32_t position = 0;
        bool counter = false;
    };
    std::vector<column> columns;
    for (const auto& row : result.rows()) {
        column c;
        c.name = text_of(row[0]);
        c.kind = text_of(row[1]);
        if (std::int32_t p = 0; !row[2].is_null() && !protocol::to_int32(row[2], p)) c.position = p;
        c.counter = text_of(row[3]) == "counter";
        columns.push_back(std::move(c));
    }
    if (columns.empty()) {
        error = "Table " + keyspace + "." + table + " does not exist";
        return false;
    }
    auto rank = [](const column& c) { return c.kind == "partition_key" ? 0 : c.kind == "clustering" ? 1 : 2; };
    std::sort(columns.begin(), columns.end(), [&](const column& a, const column& b) {
        if (rank(a) != rank(b)) return rank(a) < rank(b);
        if (rank(a) < 2) return a.position < b.position;
        return a.name < b.name;
    });
    out = {};
    for (const auto& c : columns) {
        out.columns.push_back(c.name);
        if (rank(c) == 0) out.partition_key.push_back(c.name);
        if (rank(c) == 1) out.clustering.push_back(c.name);
        if (rank(c) < 2) out.primary_key.push_back(c.name);
        if (c.kind == "static") out.statics.push_back(c.name);
        if (c.counter) out.counters.push_back(c.name);
    }
    return true;
}

bool resolve_copy_table(const copy_statement& st, const copy_options& o, const copy_environment& env,
                        transport::query_client& client, copy_table& out, std::string& error) {
    out.keyspace = st.keyspace.empty() ? env.keyspace : st.keyspace;
    if (out.keyspace.empty()) {
        error = "COPY " + st.table + ": no keyspace; name it (keyspace.table) or USE one first";
        return false;
    }
    if (!o.datetime_format.empty() && !check_datetime_format(o.datetime_format, error)) return false;
    if (!read_table_schema(client, out.keyspace, st.table, out.schema, error)) return false;
    out.columns = st.columns.empty() ? out.schema.columns : st.columns;
    for (const auto& c : out.columns)
        if (std::find(out.schema.columns.begin(), out.schema.columns.end(), c) == out.schema.columns.end()) {
            error = "Invalid column name " + c;
            return false;
        }
    return true;
}

void copy_error(const copy_environment& env, std::string_view message) {
    std::cerr << "cqlwire: " << (env.context.empty() ? std::string() : env.context + ": ") << escape_controls(message)
              << "\n";
}

copy_result copy_refused(const copy_environment& env, std::string_view message) {
    copy_error(env, message);
    copy_result r;
    r.status = to_int(exit_code::statement_rejected);
    return r;
}

std::string describe_interval(std::chrono::steady_clock::duration d) {
    double seconds = std::chrono::duration<double>(d).count();
    std::string words;
    std::vector<std::string> parts;
    for (const auto& [length, unit] : {std::pair{86400.0, "day"}, std::pair{3600.0, "hour"}, std::pair{60.0, "minute"}}) {
        const auto n = static_cast<long long>(seconds / length);
        if (n > 0) parts.push_back(std::to_string(n) + " " + unit + (n > 1 ? "s" : ""));
        seconds = std::fmod(seconds, length);
    }
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f seconds", seconds);
    if (parts.empty()) return buffer;
    for (std::size_t i = 0; i < parts.size(); ++i) words += (i > 0 ? ", " : "") + parts[i];
    return words + (parts.size() > 1 ? ", and " : " and ") + buffer;
}

void progress_meter::add(std::uint64_t rows) {
    pending_ += rows;
    if (!shown_) return;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_ >= every_) show(now);
}

void progress_meter::show(std::chrono::steady_clock::time_point now) {
    const double period = std::chrono::duration<double>(now - last_).count();
    if (period > 1e-9) {
        const double rate = static_cast<double>(pending_) / period;
        rate_ = rate_ == 0 ? rate : (rate_ + rate) / 2;
    }
    total_ += pending_;
    pending_ = 0;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double average = elapsed > 1e-9 ? static_cast<double>(total_) / elapsed : 0;
    char line[160];
    std::snprintf(line, sizeof line, "Processed: %llu rows; Rate: %7.0f rows/s; Avg. rate: %7.0f rows/s\r",
                  static_cast<unsigned long long>(total_), rate_, average);
    std::cout << line << std::flush;
    any_ = true;
}

void progress_meter::finish() {
    if (shown_ && (any_ || pending_ > 0)) {
        show(std::chrono::steady_clock::now());  // the summary's own leading line end follows it
    } else {
        total_ += pending_;
        pending_ = 0;
    }
}

std::error_code wait_on(transport::connection& conn, const std::function<void(transport::blocking_done)>& arm) {
    return transport::run_blocking(
        conn.get_executor(), [&](transport::blocking_done done) { arm(std::move(done)); }, std::nullopt,
        interrupt_requested);
}

}  // namespace cqlwire::cli

// COPY FROM; see copy_runner.hpp.
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <iostream>
#include <memory>
#include <unordered_map>

#include <boost/asio/steady_timer.hpp>

#include "copy_files.hpp"
#include "copy_row_encoder.hpp"
#include "copy_runner.hpp"
#include "copy_support.hpp"
#include "copy_time_format.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/response.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "safe_stderr.hpp"

namespace cqlwire::cli {

namespace {

// How many failures are reported one by one; the rest are counted (all are in ERRFILE).
constexpr std::size_t max_failure_messages = 100;

// A server refusal that may pass when tried again.
bool worth_retrying(const std::error_code& ec) {
    using protocol::server_errc;
    if (ec == transport::errc::request_timeout) return true;
    return ec == protocol::make_error_code(server_errc::write_timeout) ||
           ec == protocol::make_error_code(server_errc::read_timeout) ||
           ec == protocol::make_error_code(server_errc::overloaded) ||
           ec == protocol::make_error_code(server_errc::unavailable) ||
           ec == protocol::make_error_code(server_errc::is_bootstrapping) ||
           ec == protocol::make_error_code(server_errc::write_failure) ||
           ec == protocol::make_error_code(server_errc::server_error);
}

// cqlsh's names for the server's errors in its failure lines.
std::string error_name(const std::error_code& ec) {
    using protocol::server_errc;
    if (ec.category() != protocol::server_category()) return ec == transport::errc::request_timeout ? "OperationTimedOut" : "ConnectionException";
    switch (static_cast<server_errc>(ec.value())) {
    case server_errc::write_timeout: return "WriteTimeout";
    case server_errc::read_timeout: return "ReadTimeout";
    case server_errc::overloaded: return "OverloadedErrorMessage";
    case server_errc::unavailable: return "Unavailable";
    case server_errc::invalid: return "InvalidRequest";
    case server_errc::unauthorized: return "Unauthorized";
    case server_errc::syntax_error: return "SyntaxException";
    case server_errc::write_failure: return "WriteFailure";
    default: return "ServerError";
    }
}

// One COPY FROM, from its first record to its summary: reads records a chunk at a time, sends
// them (rows of one partition together) while fewer than MAXINFLIGHTMESSAGES requests are in
// flight, and handles each completion: counted, tried again, or its rows failed into ERRFILE.
class import_run {
public:
    import_run(const copy_options& o, const copy_environment& env, transport::query_client& client,
               row_encoder& encoder, record_source& source, error_file& failures)
        : o_(o), env_(env), client_(client), encoder_(encoder), source_(source), failures_(failures),
          meter_(env.progress, o.report_frequency) {}

    copy_result run();

private:
    struct request {
        std::vector<std::vector<std::string>> rows;  // as read, for ERRFILE
        encoded_rows encoded;                        // what is sent, kept to send again
        int attempts = 0;
        std::error_code ec;
        std::string message;
    };
    void read_chunk();
    void send(const std::shared_ptr<request>& r);
    void collect();
    void wait();
    void say_failure(const std::string& text);
    void fail_rows(const std::vector<std::vector<std::string>>& rows);
    bool over_limits();
    std::int64_t rows_allowed() const;

    const copy_options& o_;
    const copy_environment& env_;
    transport::query_client& client_;
    row_encoder& encoder_;
    record_source& source_;
    error_file& failures_;
    progress_meter meter_;
    copy_result result_;
    std::shared_ptr<wakeup> wake_ = std::make_shared<wakeup>();
    std::shared_ptr<std::deque<std::shared_ptr<request>>> finished_ = std::make_shared<std::deque<std::shared_ptr<request>>>();
    std::size_t in_flight_ = 0;
    encoded_rows chunk_;                                // the rows read in this chunk
    std::vector<std::vector<std::string>> chunk_fields_;  // and their fields, as read
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    std::uint64_t read_records_ = 0, skipped_ = 0, sent_rows_ = 0, imported_ = 0;
    std::uint64_t parse_errors_ = 0, insert_errors_ = 0, failed_rows_ = 0;
    std::uint64_t unreadable_ = 0;  // records that are not CSV: counted, but there are no fields to keep
    std::size_t messages_ = 0;
    bool exhausted_ = false;
    bool stop_ = false;
    bool error_file_failed_ = false;
    std::string stop_reason_;
};

void import_run::say_failure(const std::string& text) {
    if (messages_ < max_failure_messages) copy_error(env_, text);
    else if (messages_ == max_failure_messages)
        copy_error(env_, "more rows failed; they are not listed here, and all are in '" + failures_.path() + "'");
    ++messages_;
}

void import_run::fail_rows(const std::vector<std::vector<std::string>>& rows) {
    failed_rows_ += rows.size();
    if (error_file_failed_) return;
    for (const auto& row : rows) {
        std::string error;
        if (!failures_.add(row, error)) {
            error_file_failed_ = true;
            copy_error(env_, error + "; the failed rows are not kept, and the import stops");
            result_.status = to_int(exit_code::output_failed);
            stop_ = true;
            return;
        }
    }
}

bool import_run::over_limits() {
    if (o_.max_insert_errors >= 0 && insert_errors_ > static_cast<std::uint64_t>(o_.max_insert_errors)) {
        stop_reason_ = "Exceeded maximum number of insert errors " + std::to_string(o_.max_insert_errors);
        return true;
    }
    if (o_.max_parse_errors >= 0 && parse_errors_ > static_cast<std::uint64_t>(o_.max_parse_errors)) {
        stop_reason_ = "Exceeded maximum number of parse errors " + std::to_string(o_.max_parse_errors);
        return true;
    }
    return false;
}

// INGESTRATE: how many more rows may be sent now (the rate since the start, a second's worth ahead).
std::int64_t import_run::rows_allowed() const {
    const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return static_cast<std::int64_t>(static_cast<double>(o_.ingest_rate) * (elapsed + 1.0)) -
           static_cast<std::int64_t>(sent_rows_);
}

void import_run::send(const std::shared_ptr<request>& r) {
    ++r->attempts;
    ++in_flight_;
    auto diag = std::make_shared<protocol::diagnostics>();
    transport::request_options options;
    options.timeout = std::chrono::seconds(o_.request_timeout_s);
    env_.conn->async_request(
        [&](std::vector<std::uint8_t>& out) { return encoder_.append_frame(r->encoded, out); }, options,
        [r, diag, wake = wake_, finished = finished_](std::error_code e, transport::response response) {
            // A refusal's words come with its ERROR frame (the code alone says little).
            if (response.op() == protocol::opcode::error && !response.empty()) e = transport::server_error(response, *diag);
            r->ec = e;
            r->message = std::string(diag->server_message().empty() ? diag->client_message() : diag->server_message());
            finished->push_back(r);
            wake->notify();
        });
}

void import_run::collect() {
    while (!finished_->empty()) {
        auto r = finished_->front();
        finished_->pop_front();
        --in_flight_;
        if (!r->ec) {
            imported_ += r->rows.size();
            meter_.add(r->rows.size());
            continue;
        }
        if (env_.conn->failure()) {
            result_.connection_usable = false;
            stop_ = true;
        }
        // The server forgot the statements (restarted, or the table was recreated): prepared
        // again, the rows are sent again.
        if (!stop_ && r->ec == protocol::make_error_code(protocol::server_errc::unprepared) &&
            r->attempts < o_.max_attempts) {
            if (std::string error; encoder_.prepare_again(client_, error)) {
                send(r);
                continue;
            } else {
                r->message = error;
            }
        }
        if (!stop_ && worth_retrying(r->ec) && r->attempts < o_.max_attempts) {
            say_failure("Failed to import " + std::to_string(r->rows.size()) + " rows: " + error_name(r->ec) + " - " +
                        r->message + ",  will retry later, attempt " + std::to_string(r->attempts) + " of " +
                        std::to_string(o_.max_attempts));
            send(r);
            continue;
        }
        insert_errors_ += r->rows.size();
        say_failure("Failed to import " + std::to_string(r->rows.size()) + " rows: " + error_name(r->ec) + " - " +
                    (r->message.empty() ? r->ec.message() : r->message) + ",  given up after " +
                    std::to_string(r->attempts) + " attempts");
        fail_rows(r->rows);
        if (over_limits()) stop_ = true;
    }
}

void import_run::read_chunk() {
    // The chunk's rows, encoded once; requests copy their bytes.
    chunk_.clear();
    chunk_fields_.clear();
    std::unordered_map<std::string, std::vector<std::uint32_t>> partitions;
    partitions.reserve(static_cast<std::size_t>(std::min<std::int64_t>(o_.chunk_size, 1 << 16)));
    std::vector<std::string> order;
    const auto limit = o_.max_rows < 0 ? UINT64_MAX : static_cast<std::uint64_t>(o_.max_rows);
    std::vector<std::string> fields;
    std::string key, why, error;
    const std::int64_t chunk = std::max<std::int64_t>(1, std::min(o_.chunk_size, rows_allowed()));
    for (std::int64_t taken = 0; taken < chunk && !interrupt_requested();) {
        if (read_records_ >= limit) {
            exhausted_ = true;
            break;
        }
        const auto s = source_.next(fields, error);
        if (s == record_source::status::end) {
            exhausted_ = true;
            break;
        }
        if (s == record_source::status::bad_source) {
            copy_error(env_, error);
            ++unreadable_;
            continue;
        }
        if (s == record_source::status::bad_record) {
            ++parse_errors_;
            ++unreadable_;
            say_failure("Failed to import 1 rows: ParseError - " + error + ",  given up without retries");
            if (over_limits()) {
                stop_ = true;
                break;
            }
            continue;
        }
        ++read_records_;
        if (read_records_ <= static_cast<std::uint64_t>(o_.skip_rows)) {
            ++skipped_;
            continue;
        }
        ++taken;
        if (!encoder_.encode(fields, source_.quoted(), chunk_, key, why)) {
            ++parse_errors_;
            say_failure("Failed to import 1 rows: ParseError - " + source_.where() + ": " + why +
                        ",  given up without retries");
            fail_rows({fields});
            if (stop_ || over_limits()) {
                stop_ = true;
                break;
            }
            continue;
        }
        const auto index = static_cast<std::uint32_t>(chunk_fields_.size());
        chunk_fields_.emplace_back().swap(fields);
        auto [it, fresh] = partitions.try_emplace(key);
        if (fresh) order.push_back(key);
        it->second.push_back(index);
    }
    // Rows of one partition go together; the rest share batches too (one coordinator takes
    // them all, as cqlsh groups rows by replica), MAXBATCHSIZE rows at most per request.
    const auto batch = static_cast<std::size_t>(o_.max_batch_size);
    std::shared_ptr<request> mixed;
    auto add = [&](request& r, std::uint32_t index) {
        r.encoded.append_row(chunk_, index);
        r.rows.push_back(std::move(chunk_fields_[index]));
    };
    auto flush_mixed = [&] {
        if (!mixed) return;
        sent_rows_ += mixed->rows.size();
        send(mixed);
        mixed.reset();
    };
    for (const auto& k : order) {
        const auto& rows = partitions[k];
        if (rows.size() == 1) {
            if (!mixed) mixed = std::make_shared<request>();
            add(*mixed, rows.front());
            if (mixed->rows.size() == batch) flush_mixed();
            continue;
        }
        for (std::size_t first = 0; first < rows.size(); first += batch) {
            auto r = std::make_shared<request>();
            for (std::size_t i = first; i < std::min(rows.size(), first + batch); ++i) add(*r, rows[i]);
            sent_rows_ += r->rows.size();
            send(r);
        }
    }
    flush_mixed();
}

void import_run::wait() {
    if (in_flight_ == 0) {
        // Nothing to wait for but the clock (INGESTRATE): a short timer paces the reading.
        auto timer = std::make_shared<boost::asio::steady_timer>(env_.conn->get_executor(), std::chrono::milliseconds(10));
        timer->async_wait([timer, wake = wake_](const boost::system::error_code&) { wake->notify(); });
    }
    const auto waited = wait_on(*env_.conn, [&](transport::blocking_done done) { wake_->arm(std::move(done)); });
    wake_->consume();
    if (waited == std::errc::interrupted) {
        clear_interrupt();
        if (!result_.interrupted) {
            std::cerr << after_interrupt_echo();
            copy_error(env_, "COPY FROM interrupted: no more rows are read; waiting for the " +
                                 std::to_string(in_flight_) + " requests already sent");
        }
        result_.interrupted = true;
        stop_ = true;
    } else if (waited) {
        result_.connection_usable = false;
        stop_ = true;
    }
    collect();
}

copy_result import_run::run() {
    while (!stop_) {
        if (!exhausted_ && rows_allowed() > 0 && in_flight_ < static_cast<std::size_t>(o_.max_in_flight)) {
            read_chunk();
            if (interrupt_requested()) {
                clear_interrupt();
                result_.interrupted = true;
                std::cerr << after_interrupt_echo();
                copy_error(env_, "COPY FROM interrupted: no more rows are read");
                stop_ = true;
            }
            if (!stop_ && !exhausted_ && in_flight_ < static_cast<std::size_t>(o_.max_in_flight)) continue;
        }
        if (stop_ || (in_flight_ == 0 && exhausted_)) break;
        wait();
    }
    // What was sent is waited for, so that the counts are exact.
    while (in_flight_ > 0 && result_.connection_usable) wait();
    if (!stop_reason_.empty()) copy_error(env_, stop_reason_);
    meter_.finish();
    if (failed_rows_ > 0 && !error_file_failed_)
        copy_error(env_, "Failed to process " + std::to_string(failed_rows_ + unreadable_) +
                             " rows; failed rows written to " + failures_.path() +
                             (unreadable_ > 0 ? " (but for the " + std::to_string(unreadable_) + " that are not CSV)" : ""));
    else if (unreadable_ > 0)
        copy_error(env_, "Failed to process " + std::to_string(unreadable_) + " records that are not CSV");
    if (!result_.connection_usable) copy_error(env_, "COPY FROM stopped: the connection ended");
    std::cout << "\n" << imported_ << " rows imported from " << source_.sources_opened() << " files in "
              << describe_interval(std::chrono::steady_clock::now() - started_) << " (" << skipped_ << " skipped).\n"
              << std::flush;
    if ((failed_rows_ > 0 || unreadable_ > 0 || !stop_reason_.empty() || !result_.connection_usable) &&
        result_.status == 0)
        result_.status = to_int(exit_code::statement_rejected);
    return result_;
}

}  // namespace

copy_result run_copy_from(const copy_statement& st, const copy_options& o, const copy_environment& env) {
    auto refuse = [&](std::string_view message) { return copy_refused(env, message); };
    if (!st.file && env.stdin_holds_statements)
        return refuse("COPY FROM STDIN: standard input holds the statements being run; put the rows in a file, or "
                      "run the statements with -e or -f");
    transport::query_client client(*env.conn);
    copy_table target;
    if (std::string error; !resolve_copy_table(st, o, env, client, target, error)) return refuse(error);
    const auto& [keyspace, schema, columns] = target;
    // SKIPCOLS leaves some of the file's columns out.
    std::vector<bool> used(columns.size());
    std::vector<std::string> used_columns;
    for (std::size_t i = 0; i < columns.size(); ++i) {
        used[i] = std::find(o.skip_columns.begin(), o.skip_columns.end(), columns[i]) == o.skip_columns.end();
        if (used[i]) used_columns.push_back(columns[i]);
    }
    if (used_columns.empty()) return refuse("No valid column specified");
    for (const auto& k : schema.primary_key)
        if (std::find(used_columns.begin(), used_columns.end(), k) == used_columns.end())
            return refuse("Primary key column '" + k + "' missing or skipped");
    row_encoder encoder;
    if (std::string error; !encoder.prepare(client, schema, keyspace, st.table, columns, used, o, env.consistency, error))
        return refuse(error);

    record_source source(o.dialect, o.header);
    if (st.file) {
        if (std::string error; !source.add_files(*st.file, error)) return refuse(error);
    } else {
        source.use_stdin(::isatty(STDIN_FILENO) == 1);
    }
    error_file failures(o.error_file, o.dialect);
    for (const auto& input : env.input_files)
        if (!input.path.empty() && same_file(o.error_file, input.path))
            return refuse("ERRFILE '" + o.error_file + "' is the file given as " + input.option +
                          ", which failed rows would be appended to; give another ERRFILE");
    for (const auto& path : source.paths())
        if (same_file(o.error_file, path))
            return refuse("ERRFILE '" + o.error_file + "' is a file COPY FROM reads; give another ERRFILE");

    std::string names;
    for (const auto& c : used_columns) names += (names.empty() ? "" : ", ") + c;
    std::cout << "\nStarting copy of " << escape_controls(keyspace) << "." << escape_controls(st.table)
              << " with columns [" << escape_controls(names) << "].\n" << std::flush;
    return import_run(o, env, client, encoder, source, failures).run();
}

}  // namespace cqlwire::cli

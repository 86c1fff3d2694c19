// COPY TO; see copy_runner.hpp.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <deque>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>

#include "checked_output.hpp"
#include "copy_cell_text.hpp"
#include "copy_runner.hpp"
#include "copy_support.hpp"
#include "copy_time_format.hpp"
#include "exit_codes.hpp"
#include "interrupt.hpp"
#include "safe_stderr.hpp"

namespace cqlwire::cli {

namespace {

// How many parts the token ring is read in: enough that MAXREQUESTS of them keep the node busy,
// few enough that each part's first page costs little.
constexpr int token_range_parts = 64;

// A file COPY TO writes, one write() per buffer.
class output_file {
public:
    ~output_file() { close(); }
    bool open(const std::string& path, std::string& error) {
        // A FIFO with no reader is refused at once rather than waited on.
        fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY | O_NONBLOCK, 0666);
        if (fd_ < 0) {
            error = "Can't open '" + path + "' for writing: " + std::strerror(errno);
            return false;
        }
        ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) & ~O_NONBLOCK);
        path_ = path;
        return true;
    }
    // False with `error` set when the write failed (a full disk).
    bool write(std::string_view data, std::string& error) {
        const int failure = write_fully(fd_, data.data(), data.size());
        if (failure != 0) error = "cannot write to '" + path_ + "': " + std::strerror(failure);
        return failure == 0;
    }
    bool close(std::string* error = nullptr) {
        if (fd_ < 0) return true;
        const int rc = ::close(fd_);
        fd_ = -1;
        if (rc != 0 && error != nullptr) {
            *error = "cannot write to '" + path_ + "': " + std::strerror(errno);
            return false;
        }
        return true;
    }

private:
    int fd_ = -1;
    std::string path_;
};

// The token ranges to read, (begin, end] each: the ring (or BEGINTOKEN..ENDTOKEN) cut into
// equal parts when the table is on the Murmur3 ring; otherwise one read of the whole table.
struct token_range {
    std::optional<std::int64_t> begin, end;  // none: unbounded
};

std::vector<token_range> split_ring(std::optional<std::int64_t> begin, std::optional<std::int64_t> end, bool murmur3) {
    if (!murmur3) return {{begin, end}};
    // Murmur3 tokens are int64 values above the minimum (which no key hashes to). Offsets from
    // the low end are counted unsigned: the whole ring's width fits in 64 bits that way.
    const std::int64_t low = begin ? *begin : std::numeric_limits<std::int64_t>::min();
    const std::int64_t high = end ? *end : std::numeric_limits<std::int64_t>::max();
    if (high <= low) return {{begin, end}};
    const std::uint64_t width = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
    const std::uint64_t step = std::max<std::uint64_t>(1, width / token_range_parts);
    std::vector<token_range> ranges;
    for (std::uint64_t from = 0; from < width; from += std::min(step, width - from)) {
        const std::uint64_t to = from + std::min(step, width - from);
        ranges.push_back({static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + from),
                          static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + to)});
    }
    // The first range keeps an open start when none was asked for (the minimum is not a token).
    if (!begin) ranges.front().begin.reset();
    return ranges;
}

// One COPY TO: up to MAXREQUESTS token ranges read at once, a page at a time; rows go to the
// file (split by MAXOUTPUTSIZE) or standard output in token order, as one SELECT would give
// them. The lowest unfinished range is written as its pages come; a later range holds its first
// page until its turn and asks for no more before it, so memory holds MAXREQUESTS pages at most.
class export_run {
public:
    export_run(const copy_statement& st, const copy_options& o, const copy_environment& env,
               transport::query_client& client, std::vector<std::string> columns, output_file& file,
               std::function<bool(const std::string&, std::string&)> open_next)
        : st_(st), o_(o), env_(env), client_(client), columns_(std::move(columns)), file_(file),
          open_next_(std::move(open_next)), fields_(columns_.size()), empty_text_(columns_.size()),
          meter_(env.progress && st.file.has_value(), o.report_frequency) {}

    // Reads `ranges` of `select` (whose WHERE, if any, takes the token bounds).
    copy_result run(const std::string& select, const std::string& token_of, std::vector<token_range> ranges,
                    std::size_t files_opened);

private:
    struct page_request {
        std::size_t range = 0;
        std::error_code ec;
        transport::query_result result;
        protocol::diagnostics diag;
    };
    void ask(std::size_t range, protocol::bytes_view paging_state);
    // Writes a page of the current range and asks for its next one; false when the output failed.
    bool take(const std::shared_ptr<page_request>& page);
    void write_page(const protocol::rows_view& rows);
    bool flush();

    const copy_statement& st_;
    const copy_options& o_;
    const copy_environment& env_;
    transport::query_client& client_;
    std::vector<std::string> columns_;
    output_file& file_;
    std::function<bool(const std::string&, std::string&)> open_next_;
    std::vector<std::string> fields_;
    std::vector<bool> empty_text_;
    progress_meter meter_;
    std::vector<std::string> queries_;  // one per range
    std::shared_ptr<wakeup> wake_ = std::make_shared<wakeup>();
    std::shared_ptr<std::deque<std::shared_ptr<page_request>>> arrived_ =
        std::make_shared<std::deque<std::shared_ptr<page_request>>>();
    std::size_t in_flight_ = 0;
    std::size_t current_ = 0;                                  // the range being written
    std::vector<std::shared_ptr<page_request>> held_;         // a later range's page, per range
    std::size_t held_count_ = 0;
    std::vector<bool> finished_;                               // per range: its last page written
    std::string buffer_;
    std::string write_error_;
    std::string reason_;
    std::uint64_t rows_ = 0;
    std::uint64_t rows_in_file_ = 0;
    std::uint64_t limit_ = UINT64_MAX;
    std::size_t files_ = 0;
    std::size_t undecodable_ = 0;
};

void export_run::ask(std::size_t range, protocol::bytes_view paging_state) {
    transport::statement s(queries_[range]);
    s.options.consistency = env_.consistency;
    s.options.page_size = o_.page_size;
    // cqlsh's PAGETIMEOUT default: 10 s per 1000 rows of a page, and 10 s at least.
    s.options.timeout = std::chrono::seconds(o_.page_timeout_s.value_or(std::max<std::int64_t>(10, o_.page_size / 100)));
    if (!paging_state.empty()) s.options.paging_state.emplace(paging_state.begin(), paging_state.end());
    auto request = std::make_shared<page_request>();
    request->range = range;
    ++in_flight_;
    client_.async_execute(s, request->diag,
                          [request, wake = wake_, arrived = arrived_](std::error_code ec, transport::query_result r) {
                              request->ec = ec;
                              request->result = std::move(r);
                              arrived->push_back(request);
                              wake->notify();
                          });
}

bool export_run::take(const std::shared_ptr<page_request>& page) {
    write_page(page->result.rows());
    if (page->result.has_more_pages() && rows_ < limit_) ask(page->range, page->result.paging_state());
    else finished_[page->range] = true;
    return write_error_.empty() && (st_.file || std::cout.good());
}

bool export_run::flush() {
    if (buffer_.empty()) return true;
    if (!st_.file) {
        std::cout << buffer_;
        buffer_.clear();
        std::cout.flush();
        return std::cout.good();
    }
    const bool ok = file_.write(buffer_, write_error_);
    buffer_.clear();
    return ok;
}

void export_run::write_page(const protocol::rows_view& rows) {
    for (const auto& row : rows) {
        if (rows_ == limit_) break;
        if (o_.max_output_size > 0 && st_.file && rows_in_file_ == static_cast<std::uint64_t>(o_.max_output_size)) {
            if (!flush() || !open_next_(*st_.file + "." + std::to_string(files_), write_error_)) return;
            ++files_;
            rows_in_file_ = 0;
            // Every file gets the header, so that each reads back alone or with the others (cqlsh
            // writes it in the first only).
            if (o_.header) csv_append_record(o_.dialect, columns_, buffer_);
        }
        for (std::size_t i = 0; i < row.size() && i < fields_.size(); ++i) {
            const auto v = row[i];
            // An empty text is written "" so that it reads back apart from a null.
            empty_text_[i] = false;
            if (v.is_null()) {
                fields_[i] = o_.null_text;
                continue;
            }
            if (!copy_cell_text(v, o_, fields_[i], reason_) && ++undecodable_ <= 20)
                copy_error(env_, "row " + std::to_string(rows_ + 1) + ", column " + columns_[i] +
                                     ": the value does not decode (" + reason_ + "); it is written as hex");
            empty_text_[i] = fields_[i].empty();
        }
        csv_append_record(o_.dialect, fields_, buffer_, &empty_text_);
        ++rows_;
        ++rows_in_file_;
        if (buffer_.size() >= 256 * 1024 && !flush()) return;
    }
    meter_.add(rows.size());
}

copy_result export_run::run(const std::string& select, const std::string& token_of, std::vector<token_range> ranges,
                            std::size_t files_opened) {
    copy_result result;
    files_ = files_opened;
    limit_ = o_.max_rows < 0 ? UINT64_MAX : static_cast<std::uint64_t>(o_.max_rows);
    for (const auto& r : ranges) {
        std::string q = select;
        if (r.begin || r.end) q += " WHERE ";
        if (r.begin) q += token_of + " > " + std::to_string(*r.begin);
        if (r.begin && r.end) q += " AND ";
        if (r.end) q += token_of + " <= " + std::to_string(*r.end);
        queries_.push_back(std::move(q));
    }
    if (o_.header) csv_append_record(o_.dialect, columns_, buffer_);
    held_.assign(queries_.size(), nullptr);
    finished_.assign(queries_.size(), false);
    const auto started = std::chrono::steady_clock::now();
    std::size_t next_range = 0;
    bool complete = true;
    auto output_failed = [&] { return !write_error_.empty() || (!st_.file && !std::cout.good()); };
    while (!output_failed() && rows_ < limit_ && current_ < queries_.size()) {
        // Held pages count with those in flight, so that memory holds MAXREQUESTS pages at most.
        while (next_range < queries_.size() && in_flight_ + held_count_ < static_cast<std::size_t>(o_.max_requests))
            ask(next_range++, {});
        if (in_flight_ == 0) break;
        const auto waited = wait_on(*env_.conn, [&](transport::blocking_done done) { wake_->arm(std::move(done)); });
        wake_->consume();
        if (waited) {
            complete = false;
            if (waited == std::errc::interrupted) {
                clear_interrupt();
                result.interrupted = true;
                std::cerr << after_interrupt_echo();
                copy_error(env_, "COPY TO interrupted: " + std::to_string(rows_) + " rows were written");
            } else {
                result.connection_usable = false;
                copy_error(env_, "COPY TO stopped: the connection ended");
            }
            break;
        }
        bool failed = false;
        while (!arrived_->empty() && !failed) {
            auto page = arrived_->front();
            arrived_->pop_front();
            --in_flight_;
            if (page->ec) {
                const std::string why = page->diag.server_message().empty() ? page->ec.message()
                                                                            : std::string(page->diag.server_message());
                copy_error(env_, "Error for the rows after " + std::to_string(rows_) + ": " + why);
                if (env_.conn->failure()) result.connection_usable = false;
                complete = false;
                failed = true;
                break;
            }
            if (page->range != current_) {
                held_[page->range] = std::move(page);
                ++held_count_;
                continue;
            }
            if (!take(page)) break;
            // The ranges after it that already hold their page take their turn.
            while (current_ < queries_.size() && finished_[current_]) {
                ++current_;
                if (current_ < queries_.size() && held_[current_]) {
                    auto next = std::move(held_[current_]);
                    --held_count_;
                    if (!take(next)) break;
                }
            }
            if (output_failed()) break;
        }
        if (failed) break;
    }
    if (write_error_.empty() && !flush() && !st_.file) return result;  // standard output's failure is the runner's to report
    if (write_error_.empty()) file_.close(&write_error_);
    meter_.finish();
    if (!write_error_.empty()) {
        copy_error(env_, write_error_ + "; the copy is incomplete");
        result.status = to_int(exit_code::output_failed);
        return result;
    }
    if (!st_.file && !std::cout.good()) return result;
    if (!complete && result.status == 0) result.status = to_int(exit_code::statement_rejected);
    if (undecodable_ > 0 && result.status == 0) result.status = to_int(exit_code::undecodable_values);
    if (st_.file)
        std::cout << "\n" << rows_ << " rows exported to " << files_ << " files in "
                  << describe_interval(std::chrono::steady_clock::now() - started) << ".\n" << std::flush;
    return result;
}

// Whether the node's ring is Murmur3's (token() is then a bigint that ranges can split).
bool murmur3_ring(transport::query_client& client) {
    std::error_code ec;
    protocol::diagnostics diag;
    const auto r = client.execute("SELECT partitioner FROM system.local WHERE key = 'local'", ec, diag);
    if (ec || r.rows().empty()) return false;
    std::string_view name;
    const auto row = *r.rows().begin();
    return !row[0].is_null() && !protocol::to_text(row[0], name) && name.ends_with("Murmur3Partitioner");
}

}  // namespace

copy_result run_copy_to(const copy_statement& st, const copy_options& o, const copy_environment& env) {
    auto refuse = [&](std::string_view message) { return copy_refused(env, message); };
    transport::query_client client(*env.conn);
    copy_table target;
    if (std::string error; !resolve_copy_table(st, o, env, client, target, error)) return refuse(error);
    const auto& [keyspace, schema, columns] = target;

    // The destination: refused when it is a file the run reads.
    output_file file;
    auto open_file = [&](const std::string& path, std::string& error) {
        for (const auto& input : env.input_files) {
            if (input.path.empty() || !same_file(path, input.path)) continue;
            error = "COPY TO '" + path + "' is the file given as " + input.option + " ('" + input.path +
                    "'), which it would overwrite; give COPY another file";
            return false;
        }
        return file.close(&error) && file.open(path, error);
    };
    if (st.file) {
        if (std::string error; !open_file(*st.file, error)) return refuse(error);
    } else if (o.max_output_size > 0) {
        copy_error(env, "WARNING: maxoutputsize " + std::to_string(o.max_output_size) + " ignored when writing to STDOUT");
    }
    if (st.file) {
        std::string names;
        for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c;
        std::cout << "\nStarting copy of " << escape_controls(keyspace) << "." << escape_controls(st.table)
                  << " with columns [" << escape_controls(names) << "].\n" << std::flush;
    }
    std::string select = "SELECT ";
    for (std::size_t i = 0; i < columns.size(); ++i) select += (i > 0 ? ", " : "") + cql_name(columns[i]);
    select += " FROM " + cql_name(keyspace) + "." + cql_name(st.table);
    std::string key;
    for (const auto& k : schema.partition_key) key += (key.empty() ? "" : ", ") + cql_name(k);
    auto ranges = split_ring(o.begin_token, o.end_token, murmur3_ring(client));
    return export_run(st, o, env, client, columns, file, open_file)
        .run(select, "token(" + key + ")", std::move(ranges), st.file ? 1 : 0);
}

}  // namespace cqlwire::cli

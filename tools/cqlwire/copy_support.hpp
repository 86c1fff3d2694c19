// What COPY TO and COPY FROM share: the table's columns from the schema tables, cqlsh's progress
// and summary lines, and waiting for requests on the connection with Ctrl-C heard.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "copy_options.hpp"
#include "copy_runner.hpp"
#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/blocking.hpp"
#include "cqlwire/transport/query_client.hpp"

namespace cqlwire::cli {

struct table_schema {
    std::vector<std::string> columns;        // cqlsh's order: partition key, clustering, then by name
    std::vector<std::string> partition_key;  // in key order
    std::vector<std::string> clustering;     // in key order
    std::vector<std::string> primary_key;    // partition key then clustering columns
    std::vector<std::string> statics;        // static columns
    std::vector<std::string> counters;       // columns of type counter
};

// Reads `keyspace`.`table`'s columns from `schema`.columns (system_schema, or
// system_virtual_schema for a virtual table); false with `error` set when the query fails or the
// table does not exist. `timeout` > 0 bounds the request (else the connection's).
bool read_table_schema(transport::query_client& client, const std::string& keyspace, const std::string& table,
                       table_schema& out, std::string& error, std::string_view schema = "system_schema",
                       std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

// The table a COPY names, read from the schema: its keyspace (the statement's, else the
// session's), its columns, and the columns the COPY takes (those named, else all).
struct copy_table {
    std::string keyspace;
    table_schema schema;
    std::vector<std::string> columns;
};

// Checks what both directions check first (a keyspace, DATETIMEFORMAT, the table and the named
// columns); false with `error` set, in cqlsh's words where it has some.
bool resolve_copy_table(const copy_statement& st, const copy_options& o, const copy_environment& env,
                        transport::query_client& client, copy_table& out, std::string& error);

// `name` as the statements COPY builds write it: always quoted, so that a name that is also a
// keyword ("table", "from", "token") or holds capitals or quotes reaches the server as it is.
std::string cql_name(std::string_view name);

// Prints "cqlwire: CONTEXT: message" on standard error (controls escaped).
void copy_error(const copy_environment& env, std::string_view message);
// A COPY refused before it began: the message said, exit status 6.
copy_result copy_refused(const copy_environment& env, std::string_view message);

// cqlsh's "1 minute and 2.345 seconds".
std::string describe_interval(std::chrono::steady_clock::duration d);

// cqlsh's "Processed: N rows; Rate: R rows/s; Avg. rate: A rows/s" line, rewritten in place on
// a terminal every `every` seconds; silent elsewhere.
class progress_meter {
public:
    progress_meter(bool shown, double every)
        : shown_(shown), every_(std::chrono::duration<double>(every)) {}
    void add(std::uint64_t rows);
    // The last line, when any was shown (left for the summary's line end to end).
    void finish();
    std::uint64_t total() const noexcept { return total_ + pending_; }

private:
    void show(std::chrono::steady_clock::time_point now);
    bool shown_;
    std::chrono::duration<double> every_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_ = start_;
    std::uint64_t total_ = 0;
    std::uint64_t pending_ = 0;
    double rate_ = 0;
    bool any_ = false;
};

// Wakes a wait_on when completions arrive: a completion handler calls notify(); arm() (given
// to wait_on) ends the wait at once when one came since the last consume(), else keeps `done`
// for the next notify(). Used on the one thread that runs the connection.
class wakeup {
public:
    void notify() {
        ++pending_;
        if (waiter_) {
            auto w = std::move(*waiter_);
            waiter_.reset();
            w();
        }
    }
    void arm(transport::blocking_done done) {
        if (pending_ > 0) return done();
        waiter_.emplace(std::move(done));
    }
    void consume() noexcept { pending_ = 0; }

private:
    std::size_t pending_ = 0;
    std::optional<transport::blocking_done> waiter_;
};

// Runs the connection until a completion calls `done`, Ctrl-C (std::errc::interrupted), or nothing
// is left to run (operation_canceled). `arm(done)` is called with the function a completion
// must call to end the wait; it may call it at once.
std::error_code wait_on(transport::connection& conn, const std::function<void(transport::blocking_done)>& arm);

}  // namespace cqlwire::cli

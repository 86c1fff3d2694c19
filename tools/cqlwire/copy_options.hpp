// The options of a COPY command: cqlsh's names and defaults, read from the cqlshrc's [copy],
// [copy-to] / [copy-from], [copy:ks.table] and [copy-to:ks.table] / [copy-from:ks.table]
// sections (in that order, later ones winning, as cqlsh reads them), then from the command's
// WITH (which wins over all). An option of the other direction, or one cqlsh does not know, is
// refused by name ("Unrecognized COPY TO options: pagesize"), as cqlsh refuses it; so is a
// value that does not read as the option's type.
//
// Options cqlsh has for its child processes (NUMPROCESSES, MAXBACKOFFATTEMPTS,
// MAXPENDINGCHUNKS, CHILDTIMEOUT, MINBATCHSIZE) are accepted and have no effect: cqlwire keeps
// its requests on one connection, in one process. PREPAREDSTATEMENTS = False is accepted and
// prepared statements are still used (they carry every value exactly).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "copy_statement.hpp"
#include "cqlshrc.hpp"
#include "csv_dialect.hpp"

namespace cqlwire::cli {

struct copy_options {
    csv_dialect dialect;
    std::string null_text;                 // NULL: a field that stands for null ('' by default)
    bool header = false;                   // HEADER
    std::string datetime_format;           // DATETIMEFORMAT (strftime-style); empty: cqlsh's default
    std::string decimal_sep = ".";         // DECIMALSEP
    std::string thousands_sep;             // THOUSANDSSEP
    std::string true_text = "True";        // BOOLSTYLE
    std::string false_text = "False";
    std::optional<int> float_precision;    // FLOATPRECISION; none: the shortest exact text
    std::optional<int> double_precision;   // DOUBLEPRECISION; none: the shortest exact text
    std::int64_t max_rows = -1;            // MAXROWS; -1: all
    int max_attempts = 5;                  // MAXATTEMPTS
    double report_frequency = 0.25;        // REPORTFREQUENCY, seconds between progress lines
    // TO
    // PAGESIZE: 10000 (cqlsh: 1000). Rows are written as they come, so a page costs a few MiB at
    // most, and a node serves a table several times faster in fewer, larger pages.
    std::int32_t page_size = 10000;
    std::optional<std::int64_t> page_timeout_s;  // PAGETIMEOUT; none: 10 s per 1000 rows of a page, 10 s at least
    std::optional<std::int64_t> begin_token, end_token;  // BEGINTOKEN, ENDTOKEN
    std::int64_t max_output_size = -1;     // MAXOUTPUTSIZE: rows per file; -1: one file
    std::int64_t max_requests = 6;         // MAXREQUESTS: token ranges read at once
    // FROM
    std::int64_t chunk_size = 5000;        // CHUNKSIZE: rows read ahead
    std::int64_t ingest_rate = 100000;     // INGESTRATE: rows per second at most
    std::int64_t max_batch_size = 20;      // MAXBATCHSIZE: rows of one partition per BATCH
    std::int64_t skip_rows = 0;            // SKIPROWS
    std::vector<std::string> skip_columns; // SKIPCOLS
    std::int64_t max_parse_errors = -1;    // MAXPARSEERRORS; -1: no limit
    std::int64_t max_insert_errors = 1000; // MAXINSERTERRORS; -1: no limit
    std::string error_file;                // ERRFILE; empty: import_<ks>_<table>.err
    std::optional<std::int64_t> ttl;       // TTL (seconds)
    std::int64_t max_in_flight = 512;      // MAXINFLIGHTMESSAGES
    std::int64_t request_timeout_s = 60;   // REQUESTTIMEOUT
};

// The options of `st` over the cqlshrc's [copy...] sections (those that apply to
// `keyspace`.`table` and the direction are picked here). On failure returns none with `error` set.
// `read_config_file` reads CONFIGFILE's sections when the command names one (it replaces the
// cqlshrc's, as in cqlsh); it returns false with `error` set when it cannot.
// `notes`, when given, receives cqlsh's lines saying where options came from ("Reading options
// from the command line: {'header': 'true'}", "Reading options from FILE:[copy]: {...}"), the
// cqlshrc named `config_name`.
std::optional<copy_options> resolve_copy_options(
    const copy_statement& st, std::string_view keyspace, const std::vector<copy_config_section>& config,
    const std::function<bool(const std::string& path, std::vector<copy_config_section>& out, std::string& error)>&
        read_config_file,
    std::string& error, std::vector<std::string>* notes = nullptr, std::string_view config_name = {});

}  // namespace cqlwire::cli

namespace cqlwire::cli {

// Reads the [copy...] sections of the cqlshrc-style file CONFIGFILE names.
bool read_copy_config_file(const std::string& path, std::vector<copy_config_section>& out, std::string& error);

}  // namespace cqlwire::cli

// Carrying out COPY TO and COPY FROM on the shell's connection (copy_statement.hpp reads the
// command, copy_options.hpp its options).
//
// COPY TO reads the table with one paged SELECT of the columns (the next page asked for while
// the current one is written), and writes each row as a CSV record: values in the lossless
// text the CSV output uses (render.hpp's data form: text as stored, floats and doubles exact,
// composite values as CQL literals), null as NULL's text, booleans as BOOLSTYLE says, and the
// options that ask for cqlsh's rounded or localized numbers and other timestamp patterns.
// COPY FROM prepares one INSERT (an UPDATE for counter tables), reads the CSV a chunk at a time
// and keeps up to MAXINFLIGHTMESSAGES requests in flight on the connection: rows of one
// partition go together in UNLOGGED batches of up to MAXBATCHSIZE, and the rest share such
// batches too (one coordinator takes them all, as cqlsh groups rows by replica). A row that
// does not parse, or whose insert fails after MAXATTEMPTS tries (timeouts, overloaded and
// unavailable nodes are tried again; refusals are not), is written to ERRFILE as it was read
// and its reason printed; the summary counts only rows the server took.
//
// Both print cqlsh's lines: "Starting copy of ks.t with columns [a, b]." before, and
// "N rows exported to F files in T." / "N rows imported from F files in T (S skipped)." after
// (nothing but the rows when COPY TO writes to STDOUT); the "Processed: N rows; Rate: ..."
// progress line only when standard output is a terminal. Ctrl-C stops the copy: COPY TO keeps
// what it wrote, COPY FROM stops reading and waits for the requests already sent.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "copy_options.hpp"
#include "copy_statement.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/transport/connection.hpp"
#include "output_aliasing.hpp"

namespace cqlwire::cli {

struct copy_environment {
    transport::connection* conn = nullptr;
    protocol::consistency consistency = protocol::consistency::one;
    std::string keyspace;                 // the session's (USE), for unqualified tables
    std::string context;                  // "FILE:LINE" for messages, or empty
    std::vector<named_file> input_files;  // files the run reads: COPY TO and ERRFILE refuse them
    bool progress = false;                // standard output is a terminal
    bool stdin_holds_statements = false;  // COPY FROM STDIN would read the script itself
};

// What a copy ended with.
struct copy_result {
    int status = 0;               // 0, exit_code::statement_rejected, or output_failed
    bool connection_usable = true;
    bool interrupted = false;
};

copy_result run_copy_to(const copy_statement& st, const copy_options& o, const copy_environment& env);
copy_result run_copy_from(const copy_statement& st, const copy_options& o, const copy_environment& env);

}  // namespace cqlwire::cli

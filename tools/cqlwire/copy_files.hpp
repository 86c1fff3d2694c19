// The files of COPY FROM: the CSV records it reads (record_source) and the rows it could not
// import (error_file).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "csv_dialect.hpp"

namespace cqlwire::cli {

// The records of FROM's files, one file after the other (its comma-separated names and glob
// patterns; a name that exists is taken as it is), or of standard input.
//   - HEADER skips the first record of each file.
//   - A FIFO is waited on until a writer comes and goes; Ctrl-C ends the wait, as it ends any
//     read (the source then reads as ended).
//   - Standard input ends at its end or at a line holding only "." (cqlsh's end of rows); on a
//     terminal each line is asked for with a "[copy] " prompt.
class record_source {
public:
    record_source(const csv_dialect& d, bool header) : dialect_(d), header_(header) {}
    ~record_source();
    record_source(const record_source&) = delete;
    record_source& operator=(const record_source&) = delete;

    // Resolves FROM's names; false with `error` set when one matches nothing.
    bool add_files(const std::string& list, std::string& error);
    void use_stdin(bool terminal) {
        stdin_ = true;
        terminal_ = terminal;
    }
    const std::vector<std::string>& paths() const noexcept { return paths_; }
    std::size_t sources_opened() const noexcept { return opened_; }

    enum class status {
        record,      // `fields` holds the next record
        end,         // every source is read
        bad_record,  // a record that is not CSV (skipped; reading goes on)
        bad_source,  // a file that cannot be opened or read (skipped; reading goes on)
    };
    // The next record; on a failure `error` says why, naming the file and line.
    status next(std::vector<std::string>& fields, std::string& error);
    // Whether each field of the last record was quoted ("" is an empty text, nothing a null).
    const std::vector<bool>& quoted() const noexcept;
    // "'file', line N" (or "standard input, line N") of the last record.
    std::string where() const;

private:
    bool open_next(std::string& error);
    long read_file(char* buffer, std::size_t size);
    long read_stdin_line(char* buffer, std::size_t size);
    void close_current();

    csv_dialect dialect_;
    bool header_;
    bool skip_header_ = false;
    std::vector<std::string> paths_;
    std::size_t next_path_ = 0;
    bool stdin_ = false;
    bool terminal_ = false;
    bool stdin_ended_ = false;
    std::string stdin_buffer_;  // read, not yet taken
    std::string line_pending_;  // the line being handed to the reader
    int fd_ = -1;
    bool fifo_ = false;
    bool fifo_writer_seen_ = false;
    std::size_t opened_ = 0;
    std::unique_ptr<csv_reader> reader_;
    std::string current_;
    std::string read_error_;
    std::size_t line_ = 0;
    std::vector<bool> no_fields_;
};

// ERRFILE: created on the first row that failed; a file already there is first renamed aside
// with the time (and a number, for two imports in one second), never overwritten.
class error_file {
public:
    error_file(std::string path, csv_dialect d) : path_(std::move(path)), dialect_(d) {}
    ~error_file();
    error_file(const error_file&) = delete;
    error_file& operator=(const error_file&) = delete;
    const std::string& path() const noexcept { return path_; }
    // Appends the record as it was read; false with `error` set when it cannot.
    bool add(const std::vector<std::string>& fields, std::string& error);

private:
    bool open(std::string& error);
    std::string path_;
    csv_dialect dialect_;
    int fd_ = -1;
};

}  // namespace cqlwire::cli

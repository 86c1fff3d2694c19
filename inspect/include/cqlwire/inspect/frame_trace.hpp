// Human- and machine-readable traces of CQL frames: of a live connection (through its frame
// observer) or of frames read back from a capture.
//
// A frame_tracer turns one frame (header + body, as sent or received) into text in one of three
// formats:
//   summary  one line per frame: time, sender, stream, opcode, flags, length and the decoded
//            body (STARTUP options, query text and parameters, result metadata and a bounded
//            number of rows, error code name and fields, warnings, tracing id, events);
//   hex      the summary line followed by a hex dump of the frame;
//   jsonl    one JSON object per line with the same fields.
//
// Secrets never appear in any format: AUTH_RESPONSE / AUTH_CHALLENGE / AUTH_SUCCESS tokens are
// shown as their length only; string literals after PASSWORD (CREATE/ALTER ROLE|USER ... WITH
// [HASHED] PASSWORD [=] '...', also inside BATCH statements) are replaced by '********'; bound
// values of such statements, values whose bind-marker name is listed as sensitive, or all bound
// values when asked, are shown as their length only. Text from the server (error messages,
// warnings, row values, names...) has its own password literals masked too, and every
// occurrence of a password value that a request traced before set: a server echoes statements
// (an error quoting the statement, a trace's "Parsing CREATE ROLE ..." row) and sometimes the
// bare value out of its CQL context ("... at input 'S3cret'"). The hex dump prints the bytes
// of every masked range as "**". The passwords are found by password_masking.hpp.
//
// The tracer keeps a little state between frames (bounded): the query text of PREPARE requests
// until their RESULT arrives; for each prepared id its query text, whether its values are
// sensitive, and its result metadata, so that EXECUTE shows its statement and No_metadata rows
// are typed; and the password values of the requests it traced (the most recent 4096 values
// or 1 MiB), so that no later response shows them (a tracer given the frames of several
// connections masks the values of all in all). It does no I/O and reads no clock: the caller
// supplies the time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/inspect/export.hpp"

namespace cqlwire::inspect {

// Who sent a frame: the client (requests) or the server (responses and events).
enum class frame_sender : std::uint8_t { client, server };
CQLWIRE_INSPECT_API std::string_view to_string(frame_sender s) noexcept;  // "client", "server"

enum class trace_format : std::uint8_t { summary, hex, jsonl };
CQLWIRE_INSPECT_API std::string_view to_string(trace_format f) noexcept;
CQLWIRE_INSPECT_API std::optional<trace_format> parse_trace_format(std::string_view name) noexcept;

// One frame to trace. `body` is the body as on the wire (prefix included), borrowed for the
// duration of the call only.
struct CQLWIRE_INSPECT_API traced_frame {
    // Microseconds since 1970-01-01 UTC; absent when unknown (e.g. a raw byte file).
    std::optional<std::int64_t> time_us;
    frame_sender sender = frame_sender::client;
    protocol::frame_header header;
    protocol::bytes_view body;
};

struct CQLWIRE_INSPECT_API frame_trace_options {
    trace_format format = trace_format::summary;
    // Rows shown per RESULT; the count of the others is given.
    std::size_t max_rows = 5;
    // Characters of one query text, value or server message before it is cut ("...").
    std::size_t max_text = 300;
    // Bytes of an unrendered value (a bound value, an id) shown in hex before it is cut.
    std::size_t max_hex_value = 32;
    // Show every bound value as its length only.
    bool mask_all_bound_values = false;
    // Names of bind markers (named values, flag 0x40) whose values are shown as their length.
    // Compared case-insensitively.
    std::vector<std::string> sensitive_value_names;
};

class frame_tracer {
public:
    explicit frame_tracer(frame_trace_options options = {});

    // Appends the trace of one frame: one line ending in '\n' (summary, jsonl) or that line
    // followed by the hex dump (hex). Never fails: a body that cannot be decoded is traced
    // with the reason ("undecodable: ...") and its length.
    void append(const traced_frame& frame, std::string& out);

    // A line of its own for something that is not a frame (bytes that do not form one, a
    // connection that ended mid-frame...): "# text" in summary/hex, {"note": ...} in jsonl.
    void append_note(std::string_view text, std::string& out) const;

    const frame_trace_options& options() const noexcept { return options_; }

private:
    struct prepared_info {
        std::string query;  // masked
        bool sensitive = false;
        std::optional<protocol::result_metadata> rows_metadata;
    };
    friend class frame_trace_writer;

    // Adds the password values of `cql` to secrets_, dropping the oldest past the bounds.
    void remember_passwords(std::string_view cql);

    frame_trace_options options_;
    // PREPARE requests waiting for their RESULT, by stream id.
    std::map<std::int16_t, std::pair<std::string, bool>> pending_prepares_;
    // Prepared statements seen, by id (hex). Bounded: cleared when it grows past a limit.
    std::map<std::string, prepared_info> prepared_;
    // Password values of the requests traced, oldest first, and their total size.
    std::vector<std::string> secrets_;
    std::size_t secrets_bytes_ = 0;
};

}  // namespace cqlwire::inspect

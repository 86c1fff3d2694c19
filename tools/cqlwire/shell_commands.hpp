// The cqlsh commands the command carries out itself instead of sending them to the server:
// CONSISTENCY, SERIAL CONSISTENCY, EXPAND, TRACING, PAGING, SHOW VERSION, SHOW HOST, SHOW
// SESSION, SHOW REPLICAS, SOURCE, CAPTURE, HISTORY, LOGIN, HELP/?, EXIT/QUIT and CLEAR/CLS. Like cqlsh, they
// are case-insensitive and end at the end of their line (a `;` may end them too); the statement
// splitter (statements.hpp) asks is_line_command_word() for the first word of each statement.
//
// cqlsh's other command of that kind (DEBUG) ends at its line too, and is
// refused with a message saying that cqlwire does not carry them out, rather than sent to the
// server as a syntax error. DESCRIBE/DESC also end at their line, and go to the server, which
// describes (Cassandra 4+).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/auth/secret.hpp"
#include "cqlwire/protocol/primitives.hpp"

namespace cqlwire::cli {

// Whether a statement whose first word is `upper_word` (upper-cased; "?" for the help mark)
// ends at the end of its line, as cqlsh's own commands do.
bool is_line_command_word(std::string_view upper_word) noexcept;

enum class shell_command_kind {
    consistency,         // argument: the level, or none to show it
    serial_consistency,  // argument: SERIAL / LOCAL_SERIAL, or none
    expand,              // argument: ON / OFF, or none
    tracing,             // argument: ON / OFF, or none
    paging,              // argument: ON / OFF / a page size, or none
    show_version,
    show_host,
    show_session,  // session_id
    show_replicas,  // token, and keyspace when given
    source,        // path
    help,          // topics
    capture,       // path, toggle OFF, or neither to show
    history,       // page_size: how many entries to show from now on
    login,         // username, and password when given
    exit,   // EXIT or QUIT
    clear,  // CLEAR or CLS
    not_supported,
};

enum class switch_value { none, on, off };

struct shell_command {
    shell_command_kind kind = shell_command_kind::not_supported;
    std::string word;  // the command's first word as typed, for messages ("consistency")
    std::optional<protocol::consistency> level;
    switch_value toggle = switch_value::none;
    std::optional<std::int64_t> page_size;  // PAGING n (any digits, as cqlsh takes them), HISTORY n
    std::optional<protocol::uuid> session_id;  // SHOW SESSION
    std::int64_t token = 0;                    // SHOW REPLICAS
    std::optional<std::string> keyspace;       // SHOW REPLICAS: as the schema spells it
    std::string path;  // SOURCE, CAPTURE: the file, its quotes removed and a leading ~/ expanded
    std::vector<std::string> topics;  // HELP
    std::string username;                   // LOGIN
    std::optional<auth::secret_bytes> password;  // LOGIN's '<password>', when given
};

// What a statement is, read as a shell command.
struct shell_parse {
    // Not a shell command: the statement goes to the server.
    bool is_shell_command = false;
    // The command, when it parsed.
    std::optional<shell_command> command;
    // Otherwise cqlsh's own words for the failure ("Improper CONSISTENCY command.").
    std::string error;
};

// `home` expands a SOURCE path's leading "~/" (cqlsh's expanduser); empty: left as it is.
shell_parse parse_shell_command(std::string_view statement_text, std::string_view home = {});

}  // namespace cqlwire::cli

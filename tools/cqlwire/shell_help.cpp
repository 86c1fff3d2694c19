#include "shell_help.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "cqlwire/protocol/ascii.hpp"
#include "describe_output.hpp"

namespace cqlwire::cli {
namespace {

struct topic {
    std::string_view name;
    std::string_view text;
};

constexpr std::array<topic, 19> topics = {{
    {"CONSISTENCY",
     "CONSISTENCY [level]\n"
     "  Shows the consistency level of the following statements, or sets it: ANY, ONE, TWO, THREE,\n"
     "  QUORUM, ALL, LOCAL_ONE, LOCAL_QUORUM, EACH_QUORUM, SERIAL or LOCAL_SERIAL. It starts as\n"
     "  --consistency (ONE by default).\n"},
    {"SERIAL",
     "SERIAL CONSISTENCY [SERIAL|LOCAL_SERIAL]\n"
     "  Shows or sets the serial consistency level of conditional updates (IF ...). Until set, the\n"
     "  server's default (SERIAL) applies.\n"},
    {"EXPAND",
     "EXPAND [ON|OFF]\n"
     "  Shows whether rows print expanded, or switches it: each row as an \"@ Row N\" block of\n"
     "  `column | value` lines, for results too wide for a table.\n"},
    {"TRACING",
     "TRACING [ON|OFF]\n"
     "  Shows whether the following statements are traced, or switches it. A traced statement is\n"
     "  followed by the trace the server recorded (as --tracing prints it).\n"},
    {"PAGING",
     "PAGING [ON|OFF|n]\n"
     "  Shows the paging state, or sets the rows fetched per request to n. OFF goes back to the\n"
     "  default page (--page-size, else 5000); rows always arrive page by page.\n"},
    {"SHOW",
     "SHOW VERSION | SHOW HOST | SHOW SESSION <uuid> | SHOW REPLICAS <token> [<keyspace>]\n"
     "  The versions of cqlwire, the node, CQL and the protocol; the cluster and the address\n"
     "  connected to; a tracing session the server recorded, printed as TRACING prints it; the\n"
     "  addresses of the nodes holding a token's data in a keyspace (the current one by default).\n"},
    {"SOURCE",
     "SOURCE '<file>'\n"
     "  Runs the statements and commands of a file. The file starts from the default levels,\n"
     "  EXPAND and PAGING (TRACING carries over) and its changes to them end with it; a USE or a\n"
     "  LOGIN in it stays in force after it (the file runs on the same connection). Its EXIT ends\n"
     "  only the file. '~/' is the home folder.\n"},
    {"CAPTURE",
     "CAPTURE ['<file>'|OFF]\n"
     "  Appends the results (tables, descriptions, traces) to the file instead of showing them,\n"
     "  stops doing so, or tells where they go. The shell's own messages and errors still show.\n"
     "  A file the session reads (key, certificate, cqlshrc, a file being run) is refused.\n"},
    {"LOGIN",
     "LOGIN <user> ['<password>']\n"
     "  Logs in as another role on a new connection to the same node, keeping the keyspace in use;\n"
     "  without a password it is asked for on the terminal, without echo. A refused login keeps\n"
     "  the old connection. A line holding LOGIN is never kept in the history.\n"},
    {"COPY",
     "COPY [ks.]table [(column, ...)] TO ('<file>'|STDOUT) [WITH option = value [AND ...]];\n"
     "COPY [ks.]table [(column, ...)] FROM ('<file>[, <file2>, <glob*>]'|STDIN) [WITH ...];\n"
     "  Writes a table's rows to CSV, or reads CSV rows into a table, with cqlsh's options:\n"
     "  HEADER, DELIMITER, QUOTE, ESCAPE, NULL, DATETIMEFORMAT, FLOATPRECISION, DOUBLEPRECISION,\n"
     "  DECIMALSEP, THOUSANDSSEP, BOOLSTYLE, MAXROWS, MAXATTEMPTS, REPORTFREQUENCY, CONFIGFILE;\n"
     "  for TO: PAGESIZE, PAGETIMEOUT, BEGINTOKEN, ENDTOKEN, MAXOUTPUTSIZE, MAXREQUESTS;\n"
     "  for FROM: CHUNKSIZE, MAXBATCHSIZE, SKIPROWS, SKIPCOLS, MAXPARSEERRORS, MAXINSERTERRORS,\n"
     "  ERRFILE, INGESTRATE, TTL, MAXINFLIGHTMESSAGES, REQUESTTIMEOUT. The cqlshrc's [copy],\n"
     "  [copy-to], [copy-from] and [copy:ks.table] sections give defaults. Values are written\n"
     "  exactly; rows that fail to import go to ERRFILE. Ends with ';'.\n"},
    {"HISTORY",
     "HISTORY [n]\n"
     "  In the shell, shows the statements entered before it: the last 50, or n from now on.\n"},
    {"DESCRIBE",
     "DESCRIBE | DESC  KEYSPACES | KEYSPACE [name] | TABLES | TABLE name | INDEX name |\n"
     "                 MATERIALIZED VIEW name | TYPES | TYPE name | FUNCTIONS | FUNCTION name |\n"
     "                 AGGREGATES | AGGREGATE name | CLUSTER | [FULL] SCHEMA | name  [WITH INTERNALS]\n"
     "  Asks the server to describe the schema (Cassandra 4 and later) and prints CREATE\n"
     "  statements as CQL text, and name lists in columns by keyspace.\n"},
    {"DESC", ""},  // DESCRIBE's
    {"EXIT", "EXIT | QUIT\n  Ends the shell (or the script, or the SOURCE file being run).\n"},
    {"QUIT", ""},  // EXIT's
    {"CLEAR", "CLEAR | CLS\n  Clears the terminal.\n"},
    {"CLS", ""},  // CLEAR's
    {"HELP", "HELP [topic] | ? [topic]\n  Lists the shell commands, or tells what one does.\n"},
    {"?", ""},  // HELP's
}};

std::string_view same_as(std::string_view name) {
    if (name == "DESC") return "DESCRIBE";
    if (name == "QUIT") return "EXIT";
    if (name == "CLS") return "CLEAR";
    if (name == "?") return "HELP";
    return name;
}

}  // namespace

std::string shell_help_overview() {
    std::vector<std::string> names;
    for (const auto& t : topics)
        if (t.name != "?") names.emplace_back(t.name);
    std::sort(names.begin(), names.end());
    return "\nShell commands (HELP <command> tells more):\n\n" + columnize(names) +
           "\nEverything else is CQL, sent to the server when its ';' arrives; the server's documentation\n"
           "describes the statements.\n\n";
}

std::optional<std::string> shell_help_topic(std::string_view topic_name) {
    const std::string name = protocol::ascii_uppered(topic_name);
    const auto wanted = same_as(name);  // a view into `name` or a literal
    for (const auto& t : topics)
        if (t.name == wanted) return "\n" + std::string(t.text) + "\n";
    return std::nullopt;
}

}  // namespace cqlwire::cli

// Names as CQL text; see cql_names.hpp.
#include "cql_names.hpp"

#include <algorithm>
#include <array>

namespace cqlwire::cli {
namespace {

// CQL's reserved keywords: a name spelled like one must be quoted.
constexpr std::array<std::string_view, 62> reserved_words = {
    "add",       "allow",   "alter",      "and",          "apply",  "asc",    "authorize", "batch",  "begin",
    "by",        "columnfamily", "create", "delete",      "desc",   "describe", "drop",    "entries", "execute",
    "from",      "full",    "grant",      "if",           "in",     "index",  "infinity",  "insert", "into",
    "is",        "keyspace", "limit",     "materialized", "mbean",  "mbeans", "modify",    "nan",    "norecursive",
    "not",       "null",    "of",         "on",           "or",     "order",  "primary",   "rename", "replace",
    "revoke",    "schema",  "select",     "set",          "table",  "to",     "token",     "truncate", "unlogged",
    "unset",     "update",  "use",        "using",        "view",   "where",  "with",      "default"};

}  // namespace

std::string quote_identifier(std::string_view name) {
    std::string out = "\"";
    for (char c : name) {
        if (c == '"') out.push_back('"');
        out.push_back(c);
    }
    out.push_back('"');
    return out;
}

std::string cql_identifier_text(std::string_view name) {
    bool plain = !name.empty() && name.front() >= 'a' && name.front() <= 'z';
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) plain = false;
    if (plain && std::find(reserved_words.begin(), reserved_words.end(), name) != reserved_words.end()) plain = false;
    return plain ? std::string(name) : quote_identifier(name);
}

}  // namespace cqlwire::cli

// Tab completion's reading of the statement; see completion.hpp.
#include "completion.hpp"

#include <algorithm>
#include <array>
#include <optional>

#include "cql_names.hpp"
#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {
namespace {

using protocol::ascii_uppered;

// Letters, digits, '_', and the bytes of non-ASCII characters: only quoted names hold those,
// but a name like "ünï" is found by typing ü.
bool is_word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// The words that begin statements, the shell's commands among them.
constexpr std::array<std::string_view, 32> first_words = {
    "ALTER",  "APPLY",   "BEGIN",   "CAPTURE", "CLEAR",  "CLS",    "CONSISTENCY", "COPY",   "CREATE",   "DELETE",
    "DESC",   "DESCRIBE", "DROP",   "EXIT",    "EXPAND", "GRANT",  "HELP",        "HISTORY", "INSERT",  "LIST",
    "LOGIN",  "PAGING",  "QUIT",    "REVOKE",  "SELECT", "SERIAL", "SHOW",        "SOURCE", "TRACING", "TRUNCATE",
    "UPDATE", "USE"};

constexpr std::array<std::string_view, 11> consistency_levels = {
    "ALL", "ANY", "EACH_QUORUM", "LOCAL_ONE", "LOCAL_QUORUM", "LOCAL_SERIAL", "ONE", "QUORUM", "SERIAL", "THREE", "TWO"};

constexpr std::array<std::string_view, 27> native_types = {
    "ascii",  "bigint",   "blob",   "boolean",  "counter", "date",   "decimal",  "double", "duration",
    "float",  "frozen",   "inet",   "int",      "list",    "map",    "set",      "smallint", "text",
    "time",   "timestamp", "timeuuid", "tinyint", "tuple", "uuid",   "varchar",  "varint", "vector"};

// What WITH may set on a table (CREATE TABLE ... WITH, ALTER TABLE ... WITH).
constexpr std::array<std::string_view, 18> table_options = {
    "additional_write_policy", "bloom_filter_fp_chance", "caching",          "cdc",
    "CLUSTERING",              "comment",                "compaction",       "compression",
    "crc_check_chance",        "default_time_to_live",   "gc_grace_seconds", "max_index_interval",
    "memtable",                "memtable_flush_period_in_ms", "min_index_interval", "read_repair",
    "speculative_retry",       "COMPACT"};

constexpr std::array<std::string_view, 8> operators = {"<", "<=", "=", ">", ">=", "CONTAINS", "IN", "LIKE"};

// Offered where nothing more particular is known, when a word has been begun.
constexpr std::array<std::string_view, 68> keywords = {
    "ADD",      "AGGREGATE", "ALL",      "ALLOW",     "ALTER",     "AND",       "APPLY",    "AS",        "ASC",
    "BATCH",    "BEGIN",     "BY",       "CLUSTERING", "COMPACT",  "CONTAINS",  "COUNTER",  "CREATE",    "DELETE",
    "DESC",     "DISTINCT",  "DROP",     "EXISTS",    "FILTERING", "FROM",      "FUNCTION", "GRANT",     "GROUP",
    "IF",       "IN",        "INDEX",    "INSERT",    "INTO",      "JSON",      "KEY",      "KEYS",      "KEYSPACE",
    "LIKE",     "LIMIT",     "LIST",     "MATERIALIZED", "NOT",    "NULL",      "ON",       "OR",        "ORDER",
    "PARTITION", "PER",      "PERMISSIONS", "PRIMARY", "RENAME",   "REPLICATION", "REVOKE", "ROLE",      "SELECT",
    "SET",      "STATIC",    "TABLE",    "TIMESTAMP", "TO",        "TOKEN",     "TRUNCATE", "TTL",       "TYPE",
    "UNLOGGED", "UPDATE",    "USING",    "VALUES",    "WHERE"};

constexpr std::array<std::string_view, 39> copy_options = {
    "BEGINTOKEN",    "BOOLSTYLE",     "CHUNKSIZE",      "CONFIGFILE",  "DATETIMEFORMAT", "DECIMALSEP",
    "DELIMITER",     "DOUBLEPRECISION", "ENDTOKEN",     "ERRFILE",     "ESCAPE",         "FLOATPRECISION",
    "HEADER",        "INGESTRATE",    "MAXATTEMPTS",    "MAXBATCHSIZE", "MAXINFLIGHTMESSAGES", "MAXINSERTERRORS",
    "MAXOUTPUTSIZE", "MAXPARSEERRORS", "MAXREQUESTS",   "MAXROWS",     "MINBATCHSIZE",   "NULL",
    "NUMPROCESSES",  "PAGESIZE",      "PAGETIMEOUT",    "PREPAREDSTATEMENTS", "QUOTE",   "RATEFILE",
    "REPORTFREQUENCY", "REQUESTTIMEOUT", "SKIPCOLS",    "SKIPROWS",    "THOUSANDSSEP",   "TTL",
    "MAXBACKOFFATTEMPTS", "MAXLINEBUFFERSIZE", "WITH"};

constexpr std::array<std::string_view, 19> help_topics = {
    "CAPTURE", "CLEAR", "CLS", "CONSISTENCY", "COPY", "DESC", "DESCRIBE", "EXIT", "EXPAND", "HELP",
    "HISTORY", "LOGIN", "PAGING", "QUIT", "SERIAL", "SHOW", "SOURCE", "TRACING", "CQL"};

template <std::size_t N>
std::vector<std::string> words(const std::array<std::string_view, N>& list) {
    return {list.begin(), list.end()};
}

std::vector<std::string> words(std::initializer_list<std::string_view> list) { return {list.begin(), list.end()}; }

struct token {
    enum class kind : std::uint8_t { word, quoted_name, string, symbol } type = kind::word;
    std::string text;  // a word as typed, a quoted name without its quotes, a symbol itself
    std::string upper;  // a word upper-cased; the symbol; empty for the others
    std::size_t at = 0;  // where it begins in the text

    bool is(std::string_view w) const noexcept { return upper == w; }
    bool is_name() const noexcept { return type == kind::word || type == kind::quoted_name; }
    // The name this token is, as the schema spells it: an unquoted name is folded to lower case.
    std::string name() const { return type == kind::word ? protocol::ascii_lowered(text) : text; }
};

// The statement being typed, read from its text up to the cursor.
struct statement_so_far {
    std::vector<token> tokens;  // before the word being completed
    std::size_t word_start = 0;
    std::string word;           // what of the word is typed (a qualifier and its dot included)
    std::optional<std::string> qualifier;  // the keyspace before a dot in the word
    bool completable = true;    // false inside a string or a comment
};

// Scans the text: strings, quoted names and comments are skipped over whole; the tokens of the
// last statement (after the last `;`) are kept.
statement_so_far read_statement(std::string_view text) {
    statement_so_far out;
    std::vector<token> tokens;
    std::size_t i = 0;
    std::size_t open_name = std::string_view::npos;  // where an unclosed quoted name begins
    const auto n = text.size();
    while (i < n) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            ++i;
        } else if (c == '\'' || (c == '$' && i + 1 < n && text[i + 1] == '$')) {
            const std::string_view close = c == '\'' ? "'" : "$$";
            std::size_t j = i + close.size();
            for (;;) {
                const auto end = text.find(close, j);
                if (end == std::string_view::npos) {
                    out.completable = false;
                    return out;
                }
                if (c == '\'' && end + 1 < n && text[end + 1] == '\'') {  // '' inside a string
                    j = end + 2;
                    continue;
                }
                j = end + close.size();
                break;
            }
            tokens.push_back({token::kind::string, std::string(text.substr(i, j - i)), {}, i});
            i = j;
        } else if (c == '"') {
            std::string name;
            std::size_t j = i + 1;
            bool closed = false;
            while (j < n) {
                if (text[j] == '"') {
                    if (j + 1 < n && text[j + 1] == '"') {
                        name.push_back('"');
                        j += 2;
                        continue;
                    }
                    closed = true;
                    ++j;
                    break;
                }
                name.push_back(text[j++]);
            }
            if (!closed) {
                open_name = i;
                break;
            }
            tokens.push_back({token::kind::quoted_name, std::move(name), {}, i});
            i = j;
        } else if ((c == '-' && i + 1 < n && text[i + 1] == '-') || (c == '/' && i + 1 < n && text[i + 1] == '/')) {
            const auto end = text.find('\n', i);
            if (end == std::string_view::npos) {
                out.completable = false;
                return out;
            }
            i = end + 1;
        } else if (c == '/' && i + 1 < n && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            if (end == std::string_view::npos) {
                out.completable = false;
                return out;
            }
            i = end + 2;
        } else if (is_word_char(c)) {
            std::size_t j = i;
            while (j < n && is_word_char(text[j])) ++j;
            std::string w(text.substr(i, j - i));
            tokens.push_back({token::kind::word, w, ascii_uppered(w), i});
            i = j;
        } else if (c == ';') {
            tokens.clear();
            ++i;
        } else {
            tokens.push_back({token::kind::symbol, std::string(1, c), std::string(1, c), i});
            ++i;
        }
    }
    // The word being completed: an unclosed quoted name, or the word characters at the end;
    // with `name.` before it, the keyspace that qualifies it.
    std::size_t start = n;
    if (open_name != std::string_view::npos) {
        start = open_name;
    } else if (n > 0 && is_word_char(text[n - 1])) {
        if (!tokens.empty()) tokens.pop_back();
        start = n;
        while (start > 0 && is_word_char(text[start - 1])) --start;
    }
    if (start > 0 && text[start - 1] == '.' && tokens.size() >= 2 && tokens.back().is(".") &&
        tokens[tokens.size() - 2].is_name()) {
        // The qualifier, as typed, is part of the word: candidates carry it.
        const token& keyspace = tokens[tokens.size() - 2];
        out.qualifier = keyspace.name();
        start = keyspace.at;
        tokens.resize(tokens.size() - 2);
    }
    out.tokens = std::move(tokens);
    out.word_start = start;
    out.word = std::string(text.substr(start));
    return out;
}

// The table a statement names after `keyword` (the last such): keyspace and table.
struct table_ref {
    std::string keyspace, table;
};

std::optional<table_ref> table_after(const std::vector<token>& t, std::string_view keyword, const std::string& keyspace) {
    for (std::size_t i = t.size(); i-- > 0;) {
        if (!t[i].is(keyword) || i + 1 >= t.size() || !t[i + 1].is_name()) continue;
        std::size_t k = i + 1;
        // Words that may stand between the keyword and the name.
        while (k < t.size() && (t[k].is("IF") || t[k].is("NOT") || t[k].is("EXISTS"))) ++k;
        if (k >= t.size() || !t[k].is_name()) return std::nullopt;
        if (k + 2 < t.size() && t[k + 1].is(".") && t[k + 2].is_name()) return table_ref{t[k].name(), t[k + 2].name()};
        if (keyspace.empty()) return std::nullopt;
        return table_ref{keyspace, t[k].name()};
    }
    return std::nullopt;
}

// Whether the tokens end with a table name after `keyword` (`FROM ks.t`, `UPDATE t`).
bool ends_with_table_after(const std::vector<token>& t, std::string_view keyword) {
    const auto n = t.size();
    if (n >= 2 && t[n - 1].is_name() && t[n - 2].is(keyword)) return true;
    return n >= 4 && t[n - 1].is_name() && t[n - 2].is(".") && t[n - 3].is_name() && t[n - 4].is(keyword);
}

// Depth of `open` over `close` in the tokens.
int depth(const std::vector<token>& t, std::string_view open, std::string_view close) {
    int d = 0;
    for (const auto& x : t) {
        if (x.is(open)) ++d;
        else if (x.is(close) && d > 0) --d;
    }
    return d;
}

class completer {
public:
    completer(statement_so_far s, const std::string& keyspace, schema_names& schema)
        : s_(std::move(s)), t_(s_.tokens), keyspace_(keyspace), schema_(schema) {}

    std::vector<std::string> candidates() {
        if (!s_.completable) return {};
        std::vector<std::string> out = offered();
        std::vector<std::string> kept;
        for (auto& c : out)
            if (matches(c) && !has_control(c)) kept.push_back(std::move(c));
        std::sort(kept.begin(), kept.end());
        kept.erase(std::unique(kept.begin(), kept.end()), kept.end());
        return kept;
    }

private:
    // A name the server holds may contain control characters (a quoted column name may hold
    // anything): it is never put into the line, where it would reach the terminal raw.
    static bool has_control(const std::string& candidate) noexcept {
        return std::any_of(candidate.begin(), candidate.end(), [](char ch) {
            const auto u = static_cast<unsigned char>(ch);
            return u < 0x20 || u == 0x7F;
        });
    }

    bool matches(const std::string& candidate) const {
        const std::string_view typed = s_.word;
        if (protocol::starts_with_ignoring_ascii_case(candidate, typed)) return true;
        // A quoted candidate is found by its name too: `us` finds "Users", `"ks".t` finds
        // "ks"."T1".
        auto bare = [](std::string_view text) {
            std::string out;
            for (char ch : text)
                if (ch != '"') out.push_back(ch);
            return out;
        };
        return protocol::starts_with_ignoring_ascii_case(bare(candidate), bare(typed));
    }

    const token& last(std::size_t back = 0) const {
        static const token none;
        return back < t_.size() ? t_[t_.size() - 1 - back] : none;
    }
    std::size_t count() const noexcept { return t_.size(); }
    bool first_is(std::string_view w) const { return !t_.empty() && t_.front().is(w); }

    std::vector<std::string> keyspace_names() {
        std::vector<std::string> out;
        for (const auto& k : schema_.keyspaces()) out.push_back(cql_identifier_text(k));
        return out;
    }

    // Tables (or user types): of the typed qualifier's keyspace as `ks.name`; else of the
    // current keyspace, and the keyspaces followed by their dot.
    std::vector<std::string> qualified_names(bool types) {
        std::vector<std::string> out;
        auto names_of = [&](const std::string& ks) { return types ? schema_.user_types(ks) : schema_.tables(ks); };
        if (s_.qualifier) {
            const std::string prefix = s_.word.substr(0, s_.word.rfind('.') + 1);
            for (const auto& name : names_of(*s_.qualifier)) out.push_back(prefix + cql_identifier_text(name));
            return out;
        }
        if (!keyspace_.empty())
            for (const auto& name : names_of(keyspace_)) out.push_back(cql_identifier_text(name));
        for (const auto& k : schema_.keyspaces()) out.push_back(cql_identifier_text(k) + ".");
        return out;
    }

    std::vector<std::string> column_names(const std::optional<table_ref>& table) {
        std::vector<std::string> out;
        if (!table) return out;
        for (const auto& c : schema_.columns(table->keyspace, table->table)) out.push_back(cql_identifier_text(c));
        return out;
    }

    std::vector<std::string> type_names() {
        auto out = words(native_types);
        const std::string ks = s_.qualifier ? *s_.qualifier : keyspace_;
        if (ks.empty()) return out;
        const std::string prefix = s_.qualifier ? s_.word.substr(0, s_.word.rfind('.') + 1) : std::string();
        if (s_.qualifier) out.clear();
        for (const auto& u : schema_.user_types(ks)) out.push_back(prefix + cql_identifier_text(u));
        return out;
    }

    // Keywords, offered only once a word has been begun (a bare Tab after a name would list
    // them all otherwise).
    std::vector<std::string> keywords_begun() const {
        if (s_.word.empty() || s_.qualifier) return {};
        return words(keywords);
    }

    // The table the statement works on: after FROM, INTO, UPDATE, or TABLE/ON/COPY.
    std::optional<table_ref> statement_table() const {
        for (std::string_view k : {"FROM", "INTO", "UPDATE", "COPY", "ON", "TABLE"})
            if (auto t = table_after(t_, k, keyspace_)) return t;
        return std::nullopt;
    }

    template <class... Lists>
    static std::vector<std::string> joined(std::vector<std::string> a, Lists... more) {
        (a.insert(a.end(), more.begin(), more.end()), ...);
        return a;
    }

    std::vector<std::string> offered() {
        if (count() == 0) return s_.qualifier ? std::vector<std::string>{} : words(first_words);
        const std::string first = t_.front().upper;
        if (first == "CONSISTENCY") return count() == 1 ? words(consistency_levels) : std::vector<std::string>{};
        if (first == "SERIAL") {
            if (count() == 1) return words({"CONSISTENCY"});
            return count() == 2 ? words({"SERIAL", "LOCAL_SERIAL"}) : std::vector<std::string>{};
        }
        if (first == "EXPAND" || first == "TRACING" || first == "PAGING")
            return count() == 1 ? words({"ON", "OFF"}) : std::vector<std::string>{};
        if (first == "CAPTURE") return count() == 1 ? words({"OFF"}) : std::vector<std::string>{};
        if (first == "HELP" || first == "?") return words(help_topics);
        if (first == "SHOW") {
            if (count() == 1) return words({"HOST", "REPLICAS", "SESSION", "VERSION"});
            // SHOW REPLICAS <token> <keyspace>
            return count() == 3 && t_[1].is("REPLICAS") ? keyspace_names() : std::vector<std::string>{};
        }
        if (first == "USE") return count() == 1 ? keyspace_names() : std::vector<std::string>{};
        if (first == "DESCRIBE" || first == "DESC") return describe();
        if (first == "COPY") return copy();
        if (first == "CREATE" || first == "ALTER" || first == "DROP") return definition(first);
        if (first == "TRUNCATE") {
            if (count() == 1) return joined(words({"TABLE"}), qualified_names(false));
            return last().is("TABLE") ? qualified_names(false) : std::vector<std::string>{};
        }
        if (first == "BEGIN") {
            // The statements of a batch are read as statements of their own.
            std::size_t b = 0;
            while (b < count() && !t_[b].is("BATCH")) ++b;
            if (b == count()) return count() == 1 ? words({"BATCH", "COUNTER", "UNLOGGED"}) : words({"BATCH"});
            std::size_t k = b + 1;
            if (k < count() && t_[k].is("USING")) k += 3;  // USING TIMESTAMP n
            if (k >= count()) return count() == b + 1 ? joined(words({"USING"}), words({"INSERT", "UPDATE", "DELETE"}))
                                                      : words({"INSERT", "UPDATE", "DELETE"});
            t_.erase(t_.begin(), t_.begin() + static_cast<std::ptrdiff_t>(k));
            return offered();
        }
        if (first == "APPLY") return count() == 1 ? words({"BATCH"}) : std::vector<std::string>{};
        if (first == "SELECT" || first == "INSERT" || first == "UPDATE" || first == "DELETE") return data(first);
        if (first == "LIST") return count() == 1 ? words({"ALL", "PERMISSIONS", "ROLES", "USERS"}) : keywords_begun();
        if (first == "GRANT" || first == "REVOKE") {
            if (last().is("KEYSPACE")) return keyspace_names();
            if (last().is("TABLE")) return qualified_names(false);
            if (last().is("ON")) return joined(words({"ALL", "KEYSPACE", "TABLE", "ROLE", "FUNCTION"}), qualified_names(false));
            return keywords_begun();
        }
        return keywords_begun();
    }

    std::vector<std::string> describe() {
        if (count() == 1)
            return joined(words({"AGGREGATE", "AGGREGATES", "CLUSTER", "COLUMNFAMILY", "FULL", "FUNCTION", "FUNCTIONS",
                                 "INDEX", "KEYSPACE", "KEYSPACES", "MATERIALIZED", "ONLY", "SCHEMA", "TABLE", "TABLES",
                                 "TYPE", "TYPES"}),
                          qualified_names(false));
        if (last().is("KEYSPACE")) return keyspace_names();
        if (last().is("TABLE") || last().is("COLUMNFAMILY") || last().is("VIEW")) return qualified_names(false);
        if (last().is("TYPE")) return qualified_names(true);
        if (last().is("FULL")) return words({"SCHEMA"});
        if (last().is("MATERIALIZED")) return words({"VIEW"});
        if (last().is("ONLY")) return words({"KEYSPACE"});
        if (last().is("WITH")) return words({"INTERNALS"});
        if (last().is_name() && count() >= 2 && !last().is("INTERNALS")) return words({"WITH"});
        return {};
    }

    std::vector<std::string> copy() {
        if (count() == 1) return qualified_names(false);
        if (last().is("TO")) return words({"STDOUT"});
        if (last().is("FROM")) return words({"STDIN"});
        if (last().is("WITH") || last().is("AND")) return words(copy_options);
        const bool in_columns = depth(t_, "(", ")") > 0;
        if (in_columns && (last().is("(") || last().is(","))) return column_names(table_after(t_, "COPY", keyspace_));
        if (ends_with_table_after(t_, "COPY")) return words({"(", "FROM", "TO"});
        if (last().is(")")) return words({"FROM", "TO"});
        if (last().type == token::kind::string || last().is("STDOUT") || last().is("STDIN")) return words({"WITH"});
        return {};
    }

    std::vector<std::string> definition(const std::string& first) {
        if (count() == 1) {
            if (first == "CREATE")
                return words({"AGGREGATE", "CUSTOM", "FUNCTION", "INDEX", "KEYSPACE", "MATERIALIZED", "OR", "ROLE",
                              "TABLE", "TRIGGER", "TYPE", "USER"});
            if (first == "DROP")
                return words({"AGGREGATE", "FUNCTION", "INDEX", "KEYSPACE", "MATERIALIZED", "ROLE", "TABLE", "TRIGGER",
                              "TYPE", "USER"});
            return words({"KEYSPACE", "MATERIALIZED", "ROLE", "TABLE", "TYPE", "USER"});
        }
        const token& object = t_.size() > 1 ? t_[1] : last();
        if (last().is("IF")) return first == "CREATE" ? words({"NOT"}) : words({"EXISTS"});
        if (last().is("NOT")) return words({"EXISTS"});
        const bool names_existing = first != "CREATE";
        if (names_existing && (last().is("TABLE") || last().is("COLUMNFAMILY") || (last().is("EXISTS") && object.is("TABLE"))))
            return joined(qualified_names(false), first == "DROP" && last().is("TABLE") ? words({"IF"}) : std::vector<std::string>{});
        if (names_existing && (last().is("KEYSPACE") || (last().is("EXISTS") && object.is("KEYSPACE"))))
            return joined(keyspace_names(), first == "DROP" && last().is("KEYSPACE") ? words({"IF"}) : std::vector<std::string>{});
        if (names_existing && (last().is("TYPE") || (last().is("EXISTS") && object.is("TYPE")))) return qualified_names(true);
        if (last().is("MATERIALIZED")) return words({"VIEW"});
        if (object.is("KEYSPACE") && (last().is("WITH") || last().is("AND")))
            return words({"DURABLE_WRITES", "REPLICATION"});
        if (object.is("TABLE") && (last().is("WITH") || last().is("AND")) && depth(t_, "(", ")") == 0)
            return words(table_options);
        // CREATE INDEX ... ON table (column)
        if (object.is("INDEX") || (object.is("CUSTOM") && t_.size() > 2 && t_[2].is("INDEX"))) {
            if (last().is("ON")) return qualified_names(false);
            if (last().is("(")) return joined(column_names(table_after(t_, "ON", keyspace_)),
                                              words({"ENTRIES", "FULL", "KEYS", "VALUES"}));
            return keywords_begun();
        }
        // A type after a column's or field's name, or inside <...>.
        if (last().is("<") || (last().is(",") && depth(t_, "<", ">") > 0)) return type_names();
        if (last().is_name() && count() >= 2) {
            const token& before = last(1);
            const bool in_definition = (object.is("TABLE") || object.is("TYPE")) && first == "CREATE" &&
                                       depth(t_, "(", ")") == 1 && (before.is("(") || before.is(","));
            const bool added = first == "ALTER" && before.is("ADD");
            if (in_definition || added) return type_names();
        }
        if (first == "ALTER" && object.is("TABLE")) {
            if (ends_with_table_after(t_, "TABLE")) return words({"ADD", "ALTER", "DROP", "RENAME", "WITH"});
            if (last().is("DROP") || last().is("RENAME") || last().is("ALTER"))
                return column_names(table_after(t_, "TABLE", keyspace_));
        }
        return keywords_begun();
    }

    std::vector<std::string> data(const std::string& first) {
        if (first == "INSERT" && count() == 1) return words({"INTO"});
        if (first == "DELETE" && count() == 1) return words({"FROM"});
        if (first == "SELECT" && count() == 1) return joined(words({"*", "DISTINCT", "JSON"}), keywords_begun());
        if (last().is("FROM") || last().is("INTO") || (first == "UPDATE" && count() == 1)) return qualified_names(false);
        const auto table = statement_table();
        if (first == "INSERT") {
            if (ends_with_table_after(t_, "INTO")) return words({"(", "JSON"});
            if (depth(t_, "(", ")") > 0 && !std::any_of(t_.begin(), t_.end(), [](const token& x) { return x.is("VALUES"); }) &&
                (last().is("(") || last().is(",")))
                return column_names(table);
            const bool has_values = std::any_of(t_.begin(), t_.end(), [](const token& x) { return x.is("VALUES"); });
            if (last().is(")") && depth(t_, "(", ")") == 0) return has_values ? words({"IF", "USING"}) : words({"VALUES"});
            if (last().is("USING")) return words({"TIMESTAMP", "TTL"});
            return keywords_begun();
        }
        if (ends_with_table_after(t_, "FROM") || ends_with_table_after(t_, "UPDATE")) {
            if (first == "SELECT") return words({"ALLOW", "GROUP", "LIMIT", "ORDER", "PER", "WHERE"});
            if (first == "UPDATE") return words({"SET", "USING"});
            return words({"IF", "USING", "WHERE"});
        }
        if (last().is("ORDER") || last().is("GROUP")) return words({"BY"});
        if (last().is("ALLOW")) return words({"FILTERING"});
        if (last().is("USING")) return words({"TIMESTAMP", "TTL"});
        const bool column_place = last().is("WHERE") || last().is("AND") || last().is("SET") || last().is("BY") ||
                                  last().is("IF") || (last().is(",") && table) || last().is("(");
        if (column_place && table) {
            auto out = column_names(table);
            // A table the node does not answer for offers nothing at all.
            if (out.empty()) return out;
            if (last().is("WHERE") || last().is("AND")) out.emplace_back("TOKEN");
            if (last().is("IF")) out.emplace_back("EXISTS");
            return out;
        }
        // In a condition: the operators after a column, what may follow after a value.
        const bool in_where = std::any_of(t_.begin(), t_.end(), [](const token& x) { return x.is("WHERE"); });
        if (in_where && table && last().is_name() && (last(1).is("WHERE") || last(1).is("AND"))) {
            const auto columns = schema_.columns(table->keyspace, table->table);
            if (std::find(columns.begin(), columns.end(), last().name()) != columns.end()) return words(operators);
        }
        const bool value = last().type == token::kind::string || last().is("?") || last().is(")") ||
                           (last().type == token::kind::word && !last().text.empty() && last().text[0] >= '0' &&
                            last().text[0] <= '9');
        if (in_where && value && depth(t_, "(", ")") == 0) {
            if (first == "SELECT") return words({"ALLOW", "AND", "GROUP", "LIMIT", "ORDER", "PER"});
            return words({"AND", "IF"});
        }
        return keywords_begun();
    }

    statement_so_far s_;
    std::vector<token>& t_;
    const std::string& keyspace_;
    schema_names& schema_;
};

}  // namespace

completion complete_statement(std::string_view text, const std::string& keyspace, schema_names& schema) {
    auto s = read_statement(text);
    completion out;
    out.word_start = s.completable ? s.word_start : text.size();
    completer c(std::move(s), keyspace, schema);
    out.candidates = c.candidates();
    return out;
}

}  // namespace cqlwire::cli

// COPY's options; see copy_options.hpp.
#include "copy_options.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "bounded_file.hpp"
#include "cqlwire/protocol/ascii.hpp"

namespace cqlwire::cli {

namespace {

enum class applies { both, to, from, ignored };

struct known_option {
    std::string_view name;
    applies where;
};

// cqlsh's option names. "ignored": accepted for cqlsh's sake, with no effect here (see the header).
constexpr known_option known_options[] = {
    {"delimiter", applies::both},        {"quote", applies::both},           {"escape", applies::both},
    {"null", applies::both},             {"header", applies::both},          {"encoding", applies::both},
    {"datetimeformat", applies::both},   {"decimalsep", applies::both},      {"thousandssep", applies::both},
    {"boolstyle", applies::both},        {"floatprecision", applies::both},  {"doubleprecision", applies::both},
    {"maxrows", applies::both},          {"maxattempts", applies::both},     {"reportfrequency", applies::both},
    {"ratefile", applies::ignored},      {"numprocesses", applies::ignored}, {"configfile", applies::both},
    {"pagesize", applies::to},           {"pagetimeout", applies::to},       {"begintoken", applies::to},
    {"endtoken", applies::to},           {"maxoutputsize", applies::to},     {"maxrequests", applies::to},
    {"chunksize", applies::from},        {"ingestrate", applies::from},      {"maxbatchsize", applies::from},
    {"minbatchsize", applies::from},     {"skiprows", applies::from},        {"skipcols", applies::from},
    {"maxparseerrors", applies::from},   {"maxinserterrors", applies::from}, {"errfile", applies::from},
    {"preparedstatements", applies::from}, {"ttl", applies::from},         {"maxinflightmessages", applies::from},
    {"maxbackoffattempts", applies::from}, {"maxpendingchunks", applies::from}, {"requesttimeout", applies::from},
    {"childtimeout", applies::from},
};

// A string as Python's repr() writes it: in single quotes, or double quotes when it holds a
// single quote and no double one; backslashes doubled.
std::string python_repr(std::string_view text) {
    const char q = text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos ? '"' : '\'';
    std::string out(1, q);
    for (char c : text) {
        if (c == '\\' || c == q) out.push_back('\\');
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else out.push_back(c);
    }
    out.push_back(q);
    return out;
}

// cqlsh's way of showing the options it read: a Python dict. A value under a key that names a
// password is never shown.
std::string python_dict(const std::vector<std::pair<std::string, std::string>>& entries) {
    std::string out = "{";
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const bool secret = protocol::ascii_lowered(entries[i].first).find("password") != std::string::npos;
        out += (i > 0 ? ", " : "") + python_repr(entries[i].first) + ": " +
               (secret ? std::string("'***'") : python_repr(entries[i].second));
    }
    return out + "}";
}

const known_option* find_option(std::string_view name) {
    for (const auto& o : known_options)
        if (o.name == name) return &o;
    return nullptr;
}

std::string upper(std::string_view name) { return protocol::ascii_uppered(name); }

bool read_integer(std::string_view name, const std::string& text, std::int64_t low, std::int64_t high,
                  std::int64_t& out, std::string& error) {
    const std::string t(protocol::trim_ascii_blank(text));
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc{} || end != t.data() + t.size()) {
        error = "Invalid value for COPY option " + upper(name) + ": '" + text + "' is not a whole number";
        return false;
    }
    if (v < low || v > high) {
        error = "Invalid value for COPY option " + upper(name) + ": " + t + " is not within " + std::to_string(low) +
                " and " + std::to_string(high);
        return false;
    }
    out = v;
    return true;
}

bool read_boolean(std::string_view name, const std::string& text, bool& out, std::string& error) {
    const std::string t = protocol::ascii_lowered(protocol::trim_ascii_blank(text));
    if (t == "true") out = true;
    else if (t == "false") out = false;
    else {
        error = "Invalid value for COPY option " + upper(name) + ": '" + text + "' is neither true nor false";
        return false;
    }
    return true;
}

bool read_char(std::string_view name, const std::string& text, char& out, std::string& error) {
    if (text.size() != 1 || text[0] == '\r' || text[0] == '\n' || static_cast<unsigned char>(text[0]) >= 0x80) {
        error = "Invalid value for COPY option " + upper(name) + ": it must be one ASCII character other than a line end";
        return false;
    }
    out = text[0];
    return true;
}

bool apply(copy_options& o, std::string_view name, const std::string& value, std::string& error) {
    constexpr std::int64_t int_max = std::numeric_limits<std::int32_t>::max();
    constexpr std::int64_t long_max = std::numeric_limits<std::int64_t>::max();
    std::int64_t n = 0;
    if (name == "delimiter") return read_char(name, value, o.dialect.delimiter, error);
    if (name == "quote") return read_char(name, value, o.dialect.quote, error);
    if (name == "escape") return read_char(name, value, o.dialect.escape, error);
    if (name == "null") return o.null_text = value, true;
    if (name == "header") return read_boolean(name, value, o.header, error);
    if (name == "encoding") {
        const std::string e = protocol::ascii_lowered(protocol::trim_ascii_blank(value));
        if (e == "utf8" || e == "utf-8" || e == "utf_8") return true;
        error = "Invalid value for COPY option ENCODING: '" + value + "'; cqlwire reads and writes UTF-8 only";
        return false;
    }
    if (name == "datetimeformat") return o.datetime_format = value, true;
    if (name == "decimalsep") return o.decimal_sep = value, true;
    if (name == "thousandssep") return o.thousands_sep = value, true;
    if (name == "boolstyle") {
        const auto comma = value.find(',');
        const std::string t = comma == std::string::npos ? std::string() : std::string(protocol::trim_ascii_blank(value.substr(0, comma)));
        const std::string f = comma == std::string::npos ? std::string() : std::string(protocol::trim_ascii_blank(value.substr(comma + 1)));
        if (t.empty() || f.empty() || t == f || f.find(',') != std::string::npos) {
            error = "Invalid boolean styles '" + value + "': give two different words, such as 'yes, no'";
            return false;
        }
        o.true_text = t;
        o.false_text = f;
        return true;
    }
    if (name == "floatprecision" || name == "doubleprecision") {
        if (!read_integer(name, value, 0, 17, n, error)) return false;
        (name == "floatprecision" ? o.float_precision : o.double_precision) = static_cast<int>(n);
        return true;
    }
    if (name == "maxrows") return read_integer(name, value, -1, long_max, o.max_rows, error);
    if (name == "maxattempts") {
        if (!read_integer(name, value, 1, 1000, n, error)) return false;
        o.max_attempts = static_cast<int>(n);
        return true;
    }
    if (name == "reportfrequency") {
        const std::string t(protocol::trim_ascii_blank(value));
        double d = 0;
        const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
        if (t.empty() || ec != std::errc{} || end != t.data() + t.size() || !(d > 0) || d > 86400) {
            error = "Invalid value for COPY option REPORTFREQUENCY: '" + value + "' is not a number of seconds";
            return false;
        }
        o.report_frequency = d;
        return true;
    }
    if (name == "pagesize") {
        if (!read_integer(name, value, 1, int_max, n, error)) return false;
        o.page_size = static_cast<std::int32_t>(n);
        return true;
    }
    if (name == "pagetimeout") {
        if (!read_integer(name, value, 1, 86400 * 365, n, error)) return false;
        o.page_timeout_s = n;
        return true;
    }
    if (name == "begintoken" || name == "endtoken") {
        if (protocol::trim_ascii_blank(value).empty()) return true;
        if (!read_integer(name, value, std::numeric_limits<std::int64_t>::min(), long_max, n, error)) return false;
        (name == "begintoken" ? o.begin_token : o.end_token) = n;
        return true;
    }
    if (name == "maxoutputsize") return read_integer(name, value, -1, long_max, o.max_output_size, error);
    if (name == "maxrequests") return read_integer(name, value, 1, 1024, o.max_requests, error);
    if (name == "chunksize") return read_integer(name, value, 1, 1 << 20, o.chunk_size, error);
    if (name == "ingestrate") return read_integer(name, value, 1, long_max, o.ingest_rate, error);
    if (name == "maxbatchsize") return read_integer(name, value, 1, 65535, o.max_batch_size, error);
    if (name == "minbatchsize") return read_integer(name, value, 1, 65535, n, error);
    if (name == "skiprows") return read_integer(name, value, 0, long_max, o.skip_rows, error);
    if (name == "skipcols") {
        o.skip_columns.clear();
        std::string_view rest = value;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            std::string column(protocol::trim_ascii_blank(rest.substr(0, comma)));
            if (!column.empty()) o.skip_columns.push_back(std::move(column));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
        return true;
    }
    if (name == "maxparseerrors") return read_integer(name, value, -1, long_max, o.max_parse_errors, error);
    if (name == "maxinserterrors") return read_integer(name, value, -1, long_max, o.max_insert_errors, error);
    if (name == "errfile") return o.error_file = value, true;
    if (name == "preparedstatements") {
        bool ignored = true;
        return read_boolean(name, value, ignored, error);
    }
    if (name == "ttl") {
        if (!read_integer(name, value, -1, int_max, n, error)) return false;
        if (n >= 0) o.ttl = n;
        else o.ttl.reset();
        return true;
    }
    if (name == "maxinflightmessages") return read_integer(name, value, 1, 1 << 15, o.max_in_flight, error);
    if (name == "requesttimeout") return read_integer(name, value, 1, 86400, o.request_timeout_s, error);
    // The child-process options cqlwire has no use for still take their type.
    return read_integer(name, value, std::numeric_limits<std::int64_t>::min(), long_max, n, error);
}

}  // namespace

std::optional<copy_options> resolve_copy_options(
    const copy_statement& st, std::string_view keyspace, const std::vector<copy_config_section>& config,
    const std::function<bool(const std::string& path, std::vector<copy_config_section>& out, std::string& error)>&
        read_config_file,
    std::string& error, std::vector<std::string>* notes, std::string_view config_name) {
    const bool to = st.direction == copy_direction::to;
    const std::string direction = to ? "to" : "from";
    // Unknown names and those of the other direction are refused all together, as cqlsh does.
    std::vector<std::string> unrecognized;
    std::optional<std::string> config_file;
    for (const auto& [name, value] : st.options) {
        const auto* known = find_option(name);
        if (known == nullptr || (known->where == applies::to && !to) || (known->where == applies::from && to)) {
            unrecognized.push_back(name);
            continue;
        }
        if (name == "configfile") config_file = value;
    }
    if (!unrecognized.empty()) {
        error = std::string("Unrecognized COPY ") + (to ? "TO" : "FROM") + " options: ";
        for (std::size_t i = 0; i < unrecognized.size(); ++i) error += (i > 0 ? ", " : "") + unrecognized[i];
        return std::nullopt;
    }
    std::vector<copy_config_section> from_file;
    if (config_file && !read_config_file(*config_file, from_file, error)) return std::nullopt;
    const auto& sections = config_file ? from_file : config;

    copy_options o;
    const std::string qualified = std::string(keyspace) + "." + st.table;
    const std::string names[] = {"copy", "copy-" + direction, "copy:" + qualified, "copy-" + direction + ":" + qualified};
    for (const auto& wanted : names)
        for (const auto& section : sections) {
            if (section.name != wanted) continue;
            if (notes)
                notes->push_back("Reading options from " + (config_file ? *config_file : std::string(config_name)) +
                                 ":[" + section.name + "]: " + python_dict(section.values));
            for (const auto& [key, value] : section.values) {
                const std::string name = protocol::ascii_lowered(key);
                const auto* known = find_option(name);
                if (known == nullptr) {
                    error = std::string("Unrecognized COPY ") + (to ? "TO" : "FROM") + " options: " + name +
                            " (in the [" + section.name + "] section)";
                    return std::nullopt;
                }
                // A shared section may hold both directions' options.
                if (name == "configfile" || (known->where == applies::to && !to) || (known->where == applies::from && to))
                    continue;
                if (!apply(o, name, value, error)) {
                    error += " (in the [" + section.name + "] section)";
                    return std::nullopt;
                }
            }
        }
    std::vector<std::pair<std::string, std::string>> given;
    for (const auto& [name, value] : st.options)
        if (name != "configfile") given.emplace_back(name, value);
    if (notes && !given.empty()) notes->push_back("Reading options from the command line: " + python_dict(given));
    for (const auto& [name, value] : given)
        if (!apply(o, name, value, error)) return std::nullopt;
    if (o.begin_token && o.end_token && *o.begin_token >= *o.end_token) {
        error = "Begin token " + std::to_string(*o.begin_token) + " must be smaller than end token " +
                std::to_string(*o.end_token);
        return std::nullopt;
    }
    if (o.dialect.delimiter == o.dialect.quote) {
        error = "DELIMITER and QUOTE are the same character; give them different ones";
        return std::nullopt;
    }
    if (o.dialect.escape == o.dialect.delimiter) {
        error = "DELIMITER and ESCAPE are the same character; give them different ones";
        return std::nullopt;
    }
    if (o.error_file.empty()) o.error_file = "import_" + std::string(keyspace) + "_" + st.table + ".err";
    return o;
}

}  // namespace cqlwire::cli

namespace cqlwire::cli {

bool read_copy_config_file(const std::string& path, std::vector<copy_config_section>& out, std::string& error) {
    std::string text, message;
    if (read_bounded_file(path, "COPY CONFIGFILE", file_limits{std::size_t{1} << 20}, text, message)) {
        error = message;
        return false;
    }
    cqlshrc_values values;
    if (parse_cqlshrc(text, path, values, message)) {
        error = message;
        return false;
    }
    out = std::move(values.copy_sections);
    return true;
}

}  // namespace cqlwire::cli

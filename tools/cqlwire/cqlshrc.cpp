#include "cqlshrc.hpp"

#include <algorithm>
#include <charconv>
#include <map>

#include "cli_options.hpp"
#include "copy_time_format.hpp"
#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/values.hpp"
#include "exit_codes.hpp"
#include "ini_line.hpp"

namespace cqlwire::cli {
namespace {

// Cuts an inline comment: a `;` preceded by whitespace (a `;` inside a word is kept).
std::string_view strip_inline_comment(std::string_view value) noexcept {
    for (std::size_t i = 1; i < value.size(); ++i) {
        if (value[i] == ';' && (value[i - 1] == ' ' || value[i - 1] == '\t'))
            return protocol::trim_ascii_space(value.substr(0, i));
    }
    return value;
}

// The section cqlsh reads each key from, for files without headers and for [DEFAULT].
std::string_view home_section(std::string_view key) noexcept {
    static constexpr std::pair<std::string_view, std::string_view> homes[] = {
        {"username", "authentication"}, {"password", "authentication"},   {"keyspace", "authentication"},
        {"credentials", "authentication"},
        {"hostname", "connection"},     {"port", "connection"},           {"ssl", "connection"},
        {"timeout", "connection"},      {"connect_timeout", "connection"}, {"request_timeout", "connection"},
        {"factory", "connection"},
        {"certfile", "ssl"},            {"validate", "ssl"},              {"userkey", "ssl"},
        {"usercert", "ssl"},            {"version", "ssl"},
    };
    for (const auto& [k, s] : homes)
        if (k == key) return s;
    return {};
}

bool is_used_key(std::string_view section, std::string_view key) noexcept {
    if (section == "certfiles") return true;
    return home_section(key) == section;
}

// Sections cqlsh reads that hold nothing cqlwire uses (the Python auth provider class...).
// [ui] and [tracing] hold settings cqlwire uses; their others are named one by one.
// [copy], [copy-to], [copy-from] and their per-table forms ([copy:ks.t], [copy-from:ks.t]).
bool is_copy_section(std::string_view section) noexcept {
    return section == "copy" || section == "copy-to" || section == "copy-from" || section.starts_with("copy:") ||
           section.starts_with("copy-to:") || section.starts_with("copy-from:");
}

bool is_cqlsh_only_section(std::string_view section) noexcept {
    return section == "cql" || section == "csv" ||
           section == "protocol" || section == "tls" || section == "auth_provider" || section.starts_with("copy");
}

struct raw_entry {
    std::string section;
    std::string key;
    std::string value;
    int line = 0;
    bool from_default = false;  // from [DEFAULT] or from before any header
};

class parser {
public:
    parser(std::string_view file_name, cqlshrc_values& out, std::string& message)
        : file_(file_name), out_(out), message_(message) {}
    parser(const parser&) = delete;
    parser& operator=(const parser&) = delete;
    // The working copies of a password are wiped however parsing ends.
    ~parser() {
        for (raw_entry& e : entries_)
            if (e.key == "password") auth::wipe(e.value);
    }

    std::error_code run(std::string_view text) {
        if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // UTF-8 byte-order mark
        int line_no = 0;
        while (!text.empty() || line_no == 0) {
            ++line_no;
            const auto nl = text.find('\n');
            const std::string_view line = text.substr(0, nl);
            text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
            if (auto ec = check_text(line, line_no)) return ec;
            if (auto ec = read_line(line, line_no)) return ec;
            if (text.empty()) break;
        }
        const auto ec = interpret();
        // Warnings come from two passes (lines, then values); report them in file order.
        std::stable_sort(warnings_.begin(), warnings_.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        for (auto& w : warnings_) out_.warnings.push_back(std::move(w.second));
        return ec;
    }

private:
    std::string where(int line) const { return std::string(file_) + ":" + std::to_string(line) + ": "; }

    std::error_code fail(int line, std::string what) {
        message_ = where(line) + what;
        return make_error_code(cli_errc::bad_config);
    }

    void warn(int line, std::string what) { warnings_.emplace_back(line, where(line) + what); }

    // A cqlshrc is UTF-8 text: a NUL, a control character or bytes that are not UTF-8 mean the
    // wrong file was given (or a damaged one). The message names no byte: the line may hold
    // the password.
    std::error_code check_text(std::string_view line, int line_no) {
        for (const char c : line) {
            const auto b = static_cast<unsigned char>(c);
            if (b == 0) return fail(line_no, "holds a NUL byte; a cqlshrc is a text file (is this the right file?)");
            if ((b < 0x20 && b != '\t' && b != '\r') || b == 0x7F)
                return fail(line_no, "holds a control character; a cqlshrc is a text file (is this the right file?)");
        }
        if (!protocol::is_valid_utf8(line))
            return fail(line_no, "is not valid UTF-8; a cqlshrc is a UTF-8 text file (is this the right file?)");
        // C1 controls (U+0080-U+009F) are valid UTF-8 but drive terminals as C0 ones do.
        for (std::size_t i = 0; i + 1 < line.size(); ++i)
            if (static_cast<unsigned char>(line[i]) == 0xC2 && static_cast<unsigned char>(line[i + 1]) < 0xA0)
                return fail(line_no, "holds a control character; a cqlshrc is a text file (is this the right file?)");
        return {};
    }

    std::error_code read_line(std::string_view line, int line_no) {
        const ini_line l = read_ini_line(line);
        if (l.kind == ini_line_kind::blank) {
            last_key_indent_.reset();
            return {};
        }
        if (l.kind == ini_line_kind::comment) return {};
        // An INI reader joins a line indented deeper than the key above it to that key's value;
        // no cqlsh setting is multi-line, so such a line is a mistake worth reporting.
        if (last_key_indent_ && l.indent > *last_key_indent_)
            return fail(line_no, "indented line continues the value above; cqlshrc values are single lines");
        if (l.kind == ini_line_kind::header) return read_header(strip_inline_comment(l.text), line_no);
        if (l.kind == ini_line_kind::malformed)
            // The line is not quoted: it might be a password typed without its key.
            return fail(line_no, "expected 'key = value', '[section]' or a comment");
        return read_key(l, line_no);
    }

    std::error_code read_header(std::string_view header, int line_no) {
        last_key_indent_.reset();
        if (header.size() < 3 || header.back() != ']')
            return fail(line_no, "a section header must look like [name]");
        const std::string name(header.substr(1, header.size() - 2));
        section_ = name;
        in_default_ = name == "DEFAULT";
        if (const auto [it, fresh] = section_lines_.emplace(name, line_no); !fresh)
            return fail(line_no, "section [" + name + "] appears twice (first on line " + std::to_string(it->second) + ")");
        if (!in_default_ && name != "authentication" && name != "connection" && name != "ssl" && name != "certfiles" &&
            name != "ui" && name != "tracing" && !is_copy_section(name)) {
            if (is_cqlsh_only_section(name))
                warn(line_no, "section [" + name + "] holds cqlsh settings that cqlwire does not use; ignored");
            else
                warn(line_no, "unknown section [" + name + "]; ignored");
        }
        return {};
    }

    std::error_code read_key(const ini_line& l, int line_no) {
        last_key_indent_ = l.indent;
        raw_entry e;
        e.key = l.key;
        e.line = line_no;
        e.value = std::string(e.key == "password" ? l.value : strip_inline_comment(l.value));

        if (!section_ || in_default_) {
            if (!section_ && !warned_sectionless_) {
                warned_sectionless_ = true;
                warn(line_no,
                     "no [section] header before this line; reading each known key from the section cqlsh "
                     "expects (username/password in [authentication], hostname/port in [connection], "
                     "certfile/validate/userkey/usercert in [ssl])");
            }
            const std::string_view home = home_section(e.key);
            if (home.empty()) {
                warn(line_no, "unknown key '" + e.key + "'; ignored");
                return {};
            }
            e.section = std::string(home);
            e.from_default = true;
        } else {
            e.section = *section_;
        }
        return store(std::move(e));
    }

    std::error_code store(raw_entry e) {
        const auto id = std::make_pair(e.section, e.key);
        const auto it = index_.find(id);
        if (it == index_.end()) {
            index_.emplace(id, entries_.size());
            entries_.push_back(std::move(e));
            return {};
        }
        raw_entry& earlier = entries_[it->second];
        if (earlier.from_default == e.from_default)
            return fail(e.line, "'" + e.key + "' is set twice (first on line " + std::to_string(earlier.line) + ")");
        // A key in its own section beats the same key from [DEFAULT] or from before any header.
        if (!e.from_default) {
            if (earlier.key == "password") auth::wipe(earlier.value);
            earlier = std::move(e);
        } else if (e.key == "password") {
            auth::wipe(e.value);
        }
        return {};
    }

    std::error_code interpret() {
        for (raw_entry& e : entries_) {
            if (e.section == "ui") {
                // The display settings cqlwire shares with cqlsh; the rest are named one by one.
                if (e.key == "float_precision" || e.key == "double_precision" || e.key == "time_format" ||
                    e.key == "datetimeformat" || e.key == "timezone" || e.key == "color") {
                    if (auto ec = interpret_ui(e)) return ec;
                } else {
                    warn(e.line, "[ui] " + e.key + " is a cqlsh setting cqlwire does not use; ignored");
                }
                continue;
            }
            if (is_copy_section(e.section)) {
                // COPY's options, checked when a COPY uses them (copy_options.hpp).
                if (out_.copy_sections.empty() || out_.copy_sections.back().name != e.section)
                    out_.copy_sections.push_back({e.section, {}});
                out_.copy_sections.back().values.emplace_back(e.key, e.value);
                continue;
            }
            if (e.section == "tracing") {
                if (e.key == "max_trace_wait") {
                    if (auto ec = need_seconds(e, out_.max_trace_wait)) return ec;
                } else {
                    warn(e.line, "unknown key '" + e.key + "' in [tracing]; ignored");
                }
                continue;
            }
            if (is_cqlsh_only_section(e.section)) continue;
            if (e.section != "authentication" && e.section != "connection" && e.section != "ssl" &&
                e.section != "certfiles")
                continue;  // unknown section, warned about at its header
            if (!is_used_key(e.section, e.key)) {
                warn(e.line, "unknown key '" + e.key + "' in [" + e.section + "]; ignored");
                continue;
            }
            if (auto ec = interpret_one(e)) return ec;
        }
        // `connect_timeout` is the explicit name; `timeout` is cqlsh's older spelling of it.
        if (connect_timeout_) out_.connect_timeout = connect_timeout_;
        else if (timeout_) out_.connect_timeout = timeout_;
        return {};
    }

    std::error_code need_text(const raw_entry& e, std::optional<std::string>& slot) {
        if (e.value.empty()) return fail(e.line, "[" + e.section + "] " + e.key + " is empty");
        slot = e.value;
        return {};
    }

    std::error_code need_bool(const raw_entry& e, std::optional<bool>& slot) {
        slot = parse_config_boolean(e.value);
        if (!slot)
            return fail(e.line, "[" + e.section + "] " + e.key + ": '" + e.value +
                                    "' is not a boolean (true/false, yes/no, on/off, 1/0)");
        return {};
    }

    std::error_code need_seconds(const raw_entry& e, std::optional<std::chrono::milliseconds>& slot) {
        slot = parse_seconds(e.value);
        if (!slot)
            return fail(e.line, "[" + e.section + "] " + e.key + ": '" + e.value +
                                    "' is not a number of seconds from 0.001 to 86400");
        return {};
    }

    std::error_code need_precision(const raw_entry& e, std::optional<int>& slot) {
        int digits = 0;
        const auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), digits);
        if (ec != std::errc() || end != e.value.data() + e.value.size() || digits < 1 || digits > max_precision)
            return fail(e.line, "[ui] " + e.key + ": '" + e.value + "' is not a number of significant digits from 1 to " +
                                    std::to_string(max_precision));
        slot = digits;
        return {};
    }

    // The [ui] keys cqlwire shares with cqlsh.
    std::error_code interpret_ui(raw_entry& e) {
        const std::string& k = e.key;
        if (k == "float_precision") return need_precision(e, out_.float_precision);
        if (k == "double_precision") return need_precision(e, out_.double_precision);
        if (k == "color") return need_bool(e, out_.color);
        if (k == "timezone") {
            if (e.value.empty())
                return fail(e.line, "[ui] timezone is empty; give a zone such as America/New_York or UTC");
            out_.timezone = e.value;
            return {};
        }
        // time_format, or datetimeformat (COPY's option's name for the same pattern).
        if (time_format_line_)
            return fail(e.line, "[ui] datetimeformat and time_format are both set (" +
                                    (k == "datetimeformat" ? std::string("time_format") : std::string("datetimeformat")) +
                                    " on line " + std::to_string(*time_format_line_) + "); keep time_format");
        if (k == "datetimeformat")
            warn(e.line,
                 "[ui] datetimeformat is read as time_format, cqlsh's name for it (cqlsh ignores datetimeformat)");
        time_format_line_ = e.line;
        std::string error;
        if (e.value.empty()) return fail(e.line, "[ui] " + k + " is empty");
        if (!check_datetime_format(e.value, error, "[ui] " + k)) return fail(e.line, error);
        out_.time_format = e.value;
        return {};
    }

    std::error_code interpret_one(raw_entry& e) {
        const std::string& k = e.key;
        if (e.section == "certfiles") {
            if (e.value.empty()) return fail(e.line, "[certfiles] " + k + " is empty");
            out_.certfiles.emplace_back(k, e.value);
            return {};
        }
        if (k == "username") return need_text(e, out_.username);
        if (k == "password") {
            out_.password.emplace(e.value);
            return {};
        }
        if (k == "keyspace") return need_text(e, out_.keyspace);
        if (k == "credentials") return need_text(e, out_.credentials);
        if (k == "hostname") return need_text(e, out_.hostname);
        if (k == "port") {
            out_.port = parse_port(e.value);
            if (!out_.port) return fail(e.line, "[connection] port: '" + e.value + "' is not a port (1-65535)");
            return {};
        }
        if (k == "ssl") return need_bool(e, out_.ssl);
        if (k == "timeout") return need_seconds(e, timeout_);
        if (k == "connect_timeout") return need_seconds(e, connect_timeout_);
        if (k == "request_timeout") return need_seconds(e, out_.request_timeout);
        if (k == "certfile") return need_text(e, out_.certfile);
        if (k == "validate") return need_bool(e, out_.validate);
        if (k == "userkey") return need_text(e, out_.userkey);
        if (k == "usercert") return need_text(e, out_.usercert);
        // cqlsh names the Python class that makes its connections; cqlwire has one way to
        // connect, so the standard key is accepted and has nothing to choose.
        if (k == "factory") return {};
        if (k == "version") {
            warn(e.line, "[ssl] version is ignored (as cqlsh does); cqlwire negotiates TLS 1.2 or 1.3, "
                         "see --tls-min and --tls-max");
            return {};
        }
        return {};
    }

    std::string_view file_;
    cqlshrc_values& out_;
    std::string& message_;
    std::optional<std::string> section_;  // empty before the first header
    bool in_default_ = false;
    bool warned_sectionless_ = false;
    std::optional<std::size_t> last_key_indent_;
    std::map<std::string, int> section_lines_;
    std::vector<raw_entry> entries_;
    std::vector<std::pair<int, std::string>> warnings_;
    std::map<std::pair<std::string, std::string>, std::size_t> index_;
    std::optional<std::chrono::milliseconds> timeout_;
    std::optional<std::chrono::milliseconds> connect_timeout_;
    std::optional<int> time_format_line_;  // where time_format or datetimeformat was read
};

}  // namespace

std::optional<bool> parse_config_boolean(std::string_view text) noexcept {
    const auto is = [text](std::string_view word) { return protocol::equals_ignoring_ascii_case(text, word); };
    if (is("1") || is("yes") || is("true") || is("on")) return true;
    if (is("0") || is("no") || is("false") || is("off")) return false;
    return std::nullopt;
}

std::error_code parse_cqlshrc(std::string_view text, std::string_view file_name, cqlshrc_values& out,
                              std::string& message) {
    parser p(file_name, out, message);
    return p.run(text);
}

}  // namespace cqlwire::cli

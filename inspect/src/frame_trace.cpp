#include "cqlwire/protocol/frame_trace.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <utility>

#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"

namespace cqlwire::protocol {
namespace {

// Prepared statements remembered at most; past this the memory is dropped and started afresh
// (EXECUTE then shows its id only).
constexpr std::size_t max_remembered_prepared = 1024;
constexpr std::size_t max_pending_prepares = 1024;
// Password values remembered at most, by count and by total size; past either the oldest are
// dropped. Far more than a connection sets, and more than a fuzzing input can plant.
constexpr std::size_t max_remembered_secrets = 4096;
constexpr std::size_t max_remembered_secret_bytes = std::size_t{1} << 20;
constexpr std::string_view masked_literal = "********";

// The frames of the SASL exchange: their bodies carry tokens.
bool is_login_opcode(opcode op) noexcept {
    return op == opcode::auth_response || op == opcode::auth_challenge || op == opcode::auth_success;
}

bool is_word_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The position of the quote that closes a literal or identifier whose text starts at `first`
// (a doubled quote stands for itself), or s.size() when it is not closed.
std::size_t closing_quote(std::string_view s, std::size_t first, char quote) noexcept {
    std::size_t j = first;
    while (j < s.size()) {
        if (s[j] == quote) {
            if (j + 1 < s.size() && s[j + 1] == quote) {
                j += 2;
                continue;
            }
            break;
        }
        ++j;
    }
    return j;
}

// Whether a word from the wire may be shown without quotes in a summary line: only when that
// keeps the line one line, splittable on spaces, and free of terminal controls.
bool is_bare_word(std::string_view v) noexcept {
    if (v.empty()) return false;
    for (const char c : v) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7F || c == '"' || c == '=') return false;
    }
    return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

// Walks a CQL text token by token, calling on_literal(range) for each string literal that
// follows PASSWORD [=], and on_marker() for a bind marker there.
template <class OnLiteral, class OnMarker>
void scan_password_positions(std::string_view s, OnLiteral on_literal, OnMarker on_marker) {
    // 0: nothing; 1: just after PASSWORD; 2: after PASSWORD =.
    int state = 0;
    // The shell command `LOGIN user password`: its third token is a password, quoted or not.
    int tokens = 0;
    bool login = false;
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n) {
        const char c = s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
            ++i;
            continue;
        }
        if ((c == '-' && i + 1 < n && s[i + 1] == '-') || (c == '/' && i + 1 < n && s[i + 1] == '/')) {
            while (i < n && s[i] != '\n') ++i;
            continue;
        }
        if (c == '/' && i + 1 < n && s[i + 1] == '*') {
            const auto end = s.find("*/", i + 2);
            i = end == std::string_view::npos ? n : end + 2;
            continue;
        }
        const bool login_password = login && tokens == 2;
        ++tokens;
        if (c == '\'') {
            const std::size_t first = i + 1;
            const std::size_t j = closing_quote(s, first, '\'');
            // A bcrypt hash ($2a$, $2b$, $2y$) is a password's stand-in wherever it stands, e.g. in
            // the INSERT INTO system_auth.roles that a CREATE ROLE's trace shows.
            const auto content = s.substr(first, j - first);
            const bool bcrypt = content.size() > 4 && content[0] == '$' && content[1] == '2' && content[3] == '$' &&
                                (content[2] == 'a' || content[2] == 'b' || content[2] == 'y');
            if (state != 0 || login_password || bcrypt) on_literal(text_range{first, j - first});
            state = 0;
            i = j < n ? j + 1 : n;
            continue;
        }
        if (c == '$' && i + 1 < n && s[i + 1] == '$') {
            const std::size_t first = i + 2;
            const auto end = s.find("$$", first);
            const std::size_t last = end == std::string_view::npos ? n : end;
            if (state != 0 || login_password) on_literal(text_range{first, last - first});
            state = 0;
            i = end == std::string_view::npos ? n : end + 2;
            continue;
        }
        if (c == '"') {
            // A password mistyped in double quotes (PASSWORD = "S3cret") is still a password:
            // the server refuses it, echoing it.
            const std::size_t j = closing_quote(s, i + 1, '"');
            if (state != 0 || login_password) on_literal(text_range{i + 1, (j < n ? j : n) - (i + 1)});
            state = 0;
            i = j < n ? j + 1 : n;
            continue;
        }
        if (is_word_char(c)) {
            std::size_t j = i;
            while (j < n && is_word_char(s[j])) ++j;
            if (tokens == 1) login = equals_ignoring_case(s.substr(i, j - i), "login");
            // So is one typed without quotes after PASSWORD = (a bare word or number).
            if (state == 2 || login_password) {
                on_literal(text_range{i, j - i});
                state = 0;
            } else {
                // salted_hash: the column Cassandra's own statements set to the bcrypt hash of a
            // role's password, which a --tracing session shows ("Parsing UPDATE
            // system_auth.roles SET salted_hash = '$2a$10$...'"): as secret as the password.
            const auto word = s.substr(i, j - i);
            state = equals_ignoring_case(word, "password") || equals_ignoring_case(word, "salted_hash") ? 1 : 0;
            }
            i = j;
            continue;
        }
        if (c == '[' && state != 0) {
            // A server's syntax error quotes the statement with the token in brackets:
            // "... PASSWORD ['S3cret']": the literal after the bracket is still the password.
            ++i;
            continue;
        }
        if (c == '=' && state == 1) {
            state = 2;
            ++i;
            continue;
        }
        if ((c == '?' || c == ':') && state != 0) on_marker();
        state = 0;
        ++i;
    }
}

// The ranges sorted, overlapping or touching ones joined.
std::vector<text_range> joined(std::vector<text_range> ranges) {
    std::sort(ranges.begin(), ranges.end(), [](const text_range& a, const text_range& b) { return a.first < b.first; });
    std::vector<text_range> out;
    for (const auto& r : ranges) {
        if (!out.empty() && r.first <= out.back().first + out.back().size) {
            out.back().size = std::max(out.back().first + out.back().size, r.first + r.size) - out.back().first;
            continue;
        }
        out.push_back(r);
    }
    return out;
}

// `text` with each of the ranges (sorted, apart) replaced by ********.
std::string replace_ranges(std::string_view text, const std::vector<text_range>& ranges) {
    std::string out;
    std::size_t at = 0;
    for (const auto& r : ranges) {
        out.append(text.substr(at, r.first - at));
        out += masked_literal;
        at = r.first + r.size;
    }
    out.append(text.substr(at));
    return out;
}

// Every occurrence of a non-empty secret in `text`, overlapping ones included.
// The shortest piece of a secret that is masked on its own: shorter ones match ordinary text.
constexpr std::size_t min_secret_piece = 4;

bool is_literal_quote(char c) noexcept { return c == '\'' || c == '$' || c == '"'; }

void add_occurrences(std::string_view text, std::span<const std::string> secrets, std::vector<text_range>& out) {
    for (const auto& secret : secrets) {
        if (secret.empty()) continue;
        for (auto at = text.find(secret); at != std::string_view::npos; at = text.find(secret, at + 1))
            out.push_back({at, secret.size()});
        if (secret.size() <= min_secret_piece) continue;
        // A server quoting a window of the statement (a syntax error's "... PASSWORD ['S3cre]...")
        // cuts a literal short at either end: a quote followed by the start of a secret, or the
        // end of a secret followed by a quote, is masked too.
        for (std::size_t q = 0; q < text.size(); ++q) {
            if (!is_literal_quote(text[q])) continue;
            std::size_t head = 0;
            while (q + 1 + head < text.size() && head < secret.size() && text[q + 1 + head] == secret[head]) ++head;
            if (head >= min_secret_piece) out.push_back({q + 1, head});
            std::size_t tail = 0;
            while (tail < q && tail < secret.size() && text[q - 1 - tail] == secret[secret.size() - 1 - tail]) ++tail;
            if (tail >= min_secret_piece) out.push_back({q - tail, tail});
        }
    }
}

// What mask_echoed_passwords replaces in `text`: sorted and apart.
std::vector<text_range> echoed_password_ranges(std::string_view text, std::span<const std::string> secrets) {
    auto ranges = find_password_literals(text);
    add_occurrences(text, secrets, ranges);
    return joined(std::move(ranges));
}

// ---- text helpers ----------------------------------------------------------------------------

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start one.
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = 0;
    std::uint32_t min = 0;
    if (b < 0x80) return 1;
    if ((b & 0xE0) == 0xC0) len = 2, min = 0x80;
    else if ((b & 0xF0) == 0xE0) len = 3, min = 0x800;
    else if ((b & 0xF8) == 0xF0) len = 4, min = 0x10000;
    else return 0;
    if (i + len > s.size()) return 0;
    std::uint32_t cp = b & (0x7Fu >> len);
    for (std::size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(s[i + k]);
        if ((c & 0xC0) != 0x80) return 0;
        cp = cp << 6 | (c & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

// A quoted, escaped string valid both as JSON and as one line of text: control characters
// escaped, bytes that are not UTF-8 shown as U+FFFD. Cut after `limit` bytes with "...".
void append_quoted(std::string_view s, std::size_t limit, std::string& out) {
    out += '"';
    std::size_t i = 0;
    while (i < s.size()) {
        if (i >= limit) {
            out += "...(" + std::to_string(s.size() - i) + " more bytes)";
            break;
        }
        const char c = s[i];
        const auto u = static_cast<unsigned char>(c);
        if (c == '"') out += "\\\"";
        else if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (u < 0x20 || u == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", u);
            out += buf;
        } else if (u < 0x80) {
            out += c;
        } else {
            const auto len = utf8_sequence_length(s, i);
            if (len == 0) {
                out += "\\ufffd";
                ++i;
                continue;
            }
            if (len == 2 && u == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
                // A C1 control (U+0080-U+009F) can drive a terminal: escaped, as JSON allows.
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
                out += buf;
                i += 2;
                continue;
            }
            out.append(s.substr(i, len));
            i += len;
            continue;
        }
        ++i;
    }
    out += '"';
}

// JSON allows DEL and the C1 controls raw inside strings, but a terminal acts on them: as \u
// escapes they stay the same JSON and reach a terminal (or cqlwire's stderr filter) inert.
void escape_terminal_controls_in_json(std::string& json) {
    std::string out;
    for (std::size_t i = 0; i < json.size(); ++i) {
        const auto u = static_cast<unsigned char>(json[i]);
        const bool c1 = u == 0xC2 && i + 1 < json.size() && static_cast<unsigned char>(json[i + 1]) < 0xA0 &&
                        static_cast<unsigned char>(json[i + 1]) >= 0x80;
        if (u != 0x7F && !c1) {
            out.push_back(json[i]);
            continue;
        }
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c1 ? static_cast<unsigned char>(json[++i]) : u);
        out += buf;
    }
    json = std::move(out);
}

std::string quoted(std::string_view s, std::size_t limit) {
    std::string out;
    append_quoted(s, limit, out);
    return out;
}

std::string hex_limited(bytes_view b, std::size_t limit) {
    std::string out = "0x" + to_hex(b.subspan(0, std::min(limit, b.size())));
    if (b.size() > limit) out += "...(" + std::to_string(b.size()) + " bytes)";
    return out;
}

std::string time_of_day(std::int64_t us) {
    // Floor division, so that times before 1970 still print a valid time of day.
    constexpr std::int64_t day = 86400LL * 1000000;
    std::int64_t in_day = us % day;
    if (in_day < 0) in_day += day;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d.%06d", static_cast<int>(in_day / 3600000000LL),
                  static_cast<int>(in_day / 60000000LL % 60), static_cast<int>(in_day / 1000000 % 60),
                  static_cast<int>(in_day % 1000000));
    return buf;
}

std::string epoch_seconds(std::int64_t us) {
    const bool negative = us < 0;
    const auto magnitude = negative ? 0 - static_cast<std::uint64_t>(us) : static_cast<std::uint64_t>(us);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s%llu.%06llu", negative ? "-" : "",
                  static_cast<unsigned long long>(magnitude / 1000000),
                  static_cast<unsigned long long>(magnitude % 1000000));
    return buf;
}

std::string flag_names(std::uint8_t flags) {
    std::string out;
    auto add = [&](std::uint8_t bit, std::string_view name) {
        if ((flags & bit) == 0) return;
        if (!out.empty()) out += '|';
        out += name;
    };
    add(frame_flags::compression, "COMPRESSED");
    add(frame_flags::tracing, "TRACING");
    add(frame_flags::custom_payload, "CUSTOM_PAYLOAD");
    add(frame_flags::warning, "WARNING");
    add(frame_flags::use_beta, "USE_BETA");
    if (flags & 0xE0) {
        if (!out.empty()) out += '|';
        char buf[8];
        std::snprintf(buf, sizeof buf, "0x%02x", flags & 0xE0);
        out += buf;
    }
    return out.empty() ? std::string("-") : out;
}

bool name_is_sensitive(std::string_view name, const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& s) { return equals_ignoring_case(s, name); });
}

std::string_view batch_type_name(batch_type t) noexcept {
    switch (t) {
    case batch_type::logged: return "LOGGED";
    case batch_type::unlogged: return "UNLOGGED";
    case batch_type::counter: return "COUNTER";
    }
    return "?";
}

}  // namespace

// ---- public helpers ----------------------------------------------------------------------------

std::string_view to_string(frame_sender s) noexcept { return s == frame_sender::client ? "client" : "server"; }

std::string_view to_string(trace_format f) noexcept {
    switch (f) {
    case trace_format::summary: return "summary";
    case trace_format::hex: return "hex";
    case trace_format::jsonl: return "jsonl";
    }
    return "summary";
}

std::optional<trace_format> parse_trace_format(std::string_view name) noexcept {
    if (name == "summary") return trace_format::summary;
    if (name == "hex") return trace_format::hex;
    if (name == "jsonl") return trace_format::jsonl;
    return std::nullopt;
}

std::string to_hex(bytes_view bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (auto b : bytes) {
        out += digits[b >> 4];
        out += digits[b & 0x0F];
    }
    return out;
}

std::vector<text_range> find_password_literals(std::string_view cql) {
    std::vector<text_range> out;
    scan_password_positions(cql, [&](text_range r) { out.push_back(r); }, [] {});
    return out;
}

bool binds_password(std::string_view cql) {
    bool found = false;
    scan_password_positions(cql, [](text_range) {}, [&] { found = true; });
    return found;
}

std::string mask_passwords(std::string_view cql) { return replace_ranges(cql, find_password_literals(cql)); }

std::vector<std::string> password_values(std::string_view cql) {
    std::vector<std::string> out;
    auto add = [&](std::string v) {
        if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
    };
    for (const auto& r : find_password_literals(cql)) {
        const auto written = cql.substr(r.first, r.size);
        add(std::string(written));
        if (r.first == 0 || cql[r.first - 1] != '\'') continue;  // $$...$$ has no escapes
        std::string read;
        for (std::size_t i = 0; i < written.size(); ++i) {
            read += written[i];
            if (written[i] == '\'') ++i;  // the second quote of a doubled one
        }
        add(std::move(read));
    }
    return out;
}

std::string mask_echoed_passwords(std::string_view text, std::span<const std::string> secrets) {
    return replace_ranges(text, echoed_password_ranges(text, secrets));
}

// ---- the writer: one decoded frame as fields, in summary or JSON form ------------------------

class frame_trace_writer {
public:
    frame_trace_writer(frame_tracer& tracer, const traced_frame& frame, std::string& out)
        : tracer_(tracer), o_(tracer.options_), frame_(frame), out_(out), json_(o_.format == trace_format::jsonl),
          response_(frame.header.is_response()), decoded_(frame.body) {}

    void write();

private:
    // ---- fields ----
    void key(std::string_view k) {
        if (json_) {
            out_ += ",\"";
            out_.append(k);
            out_ += "\":";
        } else {
            out_ += ' ';
            out_.append(k);
            out_ += '=';
        }
    }
    void text(std::string_view k, std::string_view v) {
        key(k);
        append_quoted(shown(v), o_.max_text, out_);
    }
    // A bare word in summary (e.g. ONE), a string in JSON.
    void word(std::string_view k, std::string_view v) {
        key(k);
        const auto s = shown(v);
        if (json_ || !is_bare_word(s)) append_quoted(s, o_.max_text, out_);
        else out_.append(s);
    }
    void number(std::string_view k, std::int64_t v) {
        key(k);
        out_ += std::to_string(v);
    }
    // Items already formatted: JSON values in JSON, plain text otherwise.
    void list(std::string_view k, const std::vector<std::string>& items, char open = '[', char close = ']') {
        key(k);
        out_ += json_ ? '[' : open;
        for (std::size_t i = 0; i < items.size(); ++i) {
            if (i > 0) out_ += json_ ? "," : ", ";
            out_ += items[i];
        }
        out_ += json_ ? ']' : close;
    }
    // Keys with values already formatted: a JSON object, or {k=v, ...} in summary.
    void object(std::string_view k, const std::vector<std::pair<std::string_view, std::string>>& entries) {
        std::vector<std::string> items;
        for (const auto& [name, value] : entries)
            items.push_back((json_ ? quoted(name, o_.max_text) + ":" : word_item(name) + "=") + value);
        if (!json_) return list(k, items, '{', '}');
        key(k);
        out_ += '{';
        for (std::size_t i = 0; i < items.size(); ++i) out_ += (i ? "," : "") + items[i];
        out_ += '}';
    }
    // A string item for list(): quoted in both forms.
    std::string item(std::string_view s) { return quoted(shown(s), o_.max_text); }
    // A word item: bare in summary.
    std::string word_item(std::string_view raw) {
        const auto s = shown(raw);
        return json_ || !is_bare_word(s) ? quoted(s, o_.max_text) : s;
    }

    // Marks bytes of the body (as received, or of the starred copy decoded instead) for the hex
    // dump; bytes elsewhere (a copy, a message of our own) are ignored.
    void mask(const void* first, std::size_t size) {
        if (size == 0) return;
        for (const bytes_view buffer : {frame_.body, decoded_}) {
            if (const auto at = offset_in(buffer, first, size)) {
                masked_.push_back({*at, size});
                return;
            }
        }
    }
    // The offset of [first, first+size) in `buffer`, when it lies there.
    static std::optional<std::size_t> offset_in(bytes_view buffer, const void* first, std::size_t size) {
        const auto* p = static_cast<const std::uint8_t*>(first);
        const std::less_equal<const std::uint8_t*> at_or_before;
        if (buffer.empty() || !at_or_before(buffer.data(), p) || size > buffer.size() ||
            !at_or_before(p, buffer.data() + (buffer.size() - size)))
            return std::nullopt;
        return static_cast<std::size_t>(p - buffer.data());
    }
    // A response may echo a password a request set anywhere (a message, a warning, a row): each
    // occurrence in the body is masked in the hex dump and starred ('*' for each byte) in a copy
    // that is decoded instead, so that no field, however it is rendered, shows it.
    void star_echoed_passwords() {
        add_occurrences(as_chars(frame_.body), tracer_.secrets_, echoes_);
        if (echoes_.empty()) return;
        starred_.assign(frame_.body.begin(), frame_.body.end());
        for (const auto& r : echoes_) {
            std::fill_n(starred_.begin() + static_cast<std::ptrdiff_t>(r.first), r.size, std::uint8_t{'*'});
            masked_.push_back(r);
        }
        decoded_ = bytes_view(starred_);
    }
    // A string of a response as it may be shown: the server's own text with its password
    // literals and every remembered password value replaced by ******** (so an echo shows as
    // one ******** whatever its length), and those bytes masked in the hex dump. Requests mask
    // their query texts where they decode them; their strings pass as they are.
    std::string shown(std::string_view s) {
        if (!response_) return std::string(s);
        const auto [text, ranges] = server_string(s);
        for (const auto& r : ranges) mask(text.data() + r.first, r.size);
        return replace_ranges(text, ranges);
    }
    // The server's own text behind a string of a response (the body's bytes, for a string
    // decoded from the starred copy) and what of it to mask: its password literals, the
    // remembered values, and the part of an echo that runs past the string's ends.
    std::pair<std::string_view, std::vector<text_range>> server_string(std::string_view s) const {
        const auto at = starred_.empty() ? std::nullopt : offset_in(decoded_, s.data(), s.size());
        if (!at) return {s, echoed_password_ranges(s, tracer_.secrets_)};
        const auto text = as_chars(frame_.body.subspan(*at, s.size()));
        auto ranges = echoed_password_ranges(text, tracer_.secrets_);
        for (const auto& e : echoes_) {
            const auto first = std::max(e.first, *at);
            const auto last = std::min(e.first + e.size, *at + s.size());
            if (first < last) ranges.push_back({first - *at, last - first});
        }
        return {text, joined(std::move(ranges))};
    }
    std::string masked_query(std::string_view q) {
        for (const auto& r : find_password_literals(q)) mask(q.data() + r.first, r.size);
        return mask_passwords(q);
    }
    void undecodable(std::error_code ec) {
        undecodable_ = true;
        text("undecodable", ec.message());
    }

    // ---- bodies ----
    void request(bytes_view body);
    void response(bytes_view body);
    void parameters(const query_parameters_view& p, bool sensitive);
    std::vector<std::string> values(const std::vector<raw_value>& v, const std::vector<std::string_view>& names,
                                    bool sensitive);
    void result(bytes_view body);
    void rows(const result_metadata& metadata, const rows_view& r);
    std::vector<std::string> columns(const std::vector<column_spec>& specs);
    void error(bytes_view body);
    void event(bytes_view body);
    void schema_change(const schema_change_view& c);
    void login(bytes_view body);
    void hex_dump();

    frame_tracer& tracer_;
    const frame_trace_options& o_;
    const traced_frame& frame_;
    std::string& out_;
    bool json_;
    bool response_;
    bytes_view decoded_;                // the body, or starred_ when it echoes a password
    std::vector<std::uint8_t> starred_;
    std::vector<text_range> echoes_;  // body offsets of remembered password values
    std::vector<text_range> masked_;  // body offsets
    bool undecodable_ = false;         // some part of the body could not be decoded
};

void frame_trace_writer::write() {
    const auto& h = frame_.header;
    const bool compressed = h.has_flag(frame_flags::compression);
    if (json_) {
        out_ += '{';
        out_ += "\"time\":";
        out_ += frame_.time_us ? epoch_seconds(*frame_.time_us) : std::string("null");
        out_ += ",\"sender\":\"";
        out_.append(to_string(frame_.sender));
        out_ += "\",\"version\":" + std::to_string(h.protocol_version());
        out_ += ",\"stream\":" + std::to_string(h.stream);
        out_ += ",\"opcode\":\"";
        out_.append(to_string(h.op));
        out_ += "\",\"flags\":" + std::to_string(h.flags);
        out_ += ",\"length\":" + std::to_string(h.length);
    } else {
        out_ += frame_.time_us ? time_of_day(*frame_.time_us) : std::string("-");
        out_ += frame_.sender == frame_sender::client ? " C>S" : " S>C";
        out_ += " v" + std::to_string(h.protocol_version());
        out_ += " stream=" + std::to_string(h.stream);
        out_ += ' ';
        out_.append(to_string(h.op));
        out_ += " flags=" + flag_names(h.flags);
        out_ += " length=" + std::to_string(h.length);
    }
    if (frame_.body.size() != h.length) {
        number("body_bytes", static_cast<std::int64_t>(frame_.body.size()));
    }
    // Also in a compressed body: compression leaves short runs of bytes as they are.
    if (h.is_response() && !is_login_opcode(h.op)) star_echoed_passwords();
    if (compressed) {
        word("body", "compressed (not decoded)");
    } else if (is_login_opcode(h.op)) {
        login(frame_.body);
    } else if (h.is_response()) {
        response(decoded_);
    } else {
        request(frame_.body);
    }
    if (json_) out_ += '}';
    out_ += '\n';
    // A login frame's body is never shown, whatever it holds or however it is broken: the token
    // may sit anywhere a malformed prefix moves it to. Nor is a request's that could not be
    // decoded: where its query text and bound values are, and so what to mask, is unknown.
    const bool unknown_request = !h.is_response() && (compressed || undecodable_);
    if (is_login_opcode(h.op) || unknown_request) mask(frame_.body.data(), frame_.body.size());
    if (o_.format == trace_format::hex) hex_dump();
}

void frame_trace_writer::request(bytes_view full) {
    request_prefix prefix;
    bytes_view body;
    if (auto ec = decode_request_prefix(frame_.header, full, prefix, body)) return undecodable(ec);
    if (prefix.custom_payload) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : *prefix.custom_payload)
            keys.push_back(item(std::string(k) + " (" + std::to_string(v.bytes.size()) + " bytes)"));
        list("custom_payload", keys);
    }
    switch (frame_.header.op) {
    case opcode::startup: {
        string_map_view options;
        if (auto ec = decode_startup(body, options)) return undecodable(ec);
        std::vector<std::pair<std::string_view, std::string>> entries;
        for (const auto& [k, v] : options) entries.emplace_back(k, item(v));
        return object("options", entries);
    }
    case opcode::options: return;
    case opcode::query: {
        query_view q;
        if (auto ec = decode_query(body, q)) return undecodable(ec);
        tracer_.remember_passwords(q.query);
        text("query", masked_query(q.query));
        parameters(q.parameters, binds_password(q.query));
        return;
    }
    case opcode::prepare: {
        std::string_view q;
        if (auto ec = decode_prepare(body, q)) return undecodable(ec);
        tracer_.remember_passwords(q);
        auto masked = masked_query(q);
        text("query", masked);
        if (tracer_.pending_prepares_.size() >= max_pending_prepares) tracer_.pending_prepares_.clear();
        tracer_.pending_prepares_[frame_.header.stream] = {std::move(masked), binds_password(q)};
        return;
    }
    case opcode::execute: {
        execute_view e;
        if (auto ec = decode_execute(body, e)) return undecodable(ec);
        word("id", hex_limited(e.prepared_id, o_.max_hex_value));
        bool sensitive = false;
        if (auto it = tracer_.prepared_.find(to_hex(e.prepared_id)); it != tracer_.prepared_.end()) {
            text("query", it->second.query);
            sensitive = it->second.sensitive;
        }
        parameters(e.parameters, sensitive);
        return;
    }
    case opcode::batch: {
        batch_view b;
        if (auto ec = decode_batch(body, b)) return undecodable(ec);
        word("type", batch_type_name(b.type));
        word("consistency", to_string(b.consistency_level));
        if (b.serial_consistency) word("serial_consistency", to_string(*b.serial_consistency));
        if (b.default_timestamp) number("timestamp", *b.default_timestamp);
        std::vector<std::string> statements;
        for (const auto& s : b.statements) {
            bool sensitive = false;
            std::string entry;
            if (s.statement_kind == batch_statement::kind::query) {
                tracer_.remember_passwords(s.query);
                sensitive = binds_password(s.query);
                entry = quoted(masked_query(s.query), o_.max_text);
            } else {
                entry = hex_limited(s.prepared_id, o_.max_hex_value);
                if (auto it = tracer_.prepared_.find(to_hex(s.prepared_id)); it != tracer_.prepared_.end()) {
                    sensitive = it->second.sensitive;
                    entry += " " + quoted(it->second.query, o_.max_text);
                }
                if (json_) entry = quoted(entry, o_.max_text);
            }
            auto v = values(s.values, {}, sensitive);
            if (json_) {
                std::string joined;
                for (std::size_t i = 0; i < v.size(); ++i) joined += (i ? "," : "") + v[i];
                statements.push_back("{\"statement\":" + entry + ",\"values\":[" + joined + "]}");
            } else {
                std::string joined;
                for (std::size_t i = 0; i < v.size(); ++i) joined += (i ? ", " : "") + v[i];
                statements.push_back(v.empty() ? entry : entry + " values=[" + joined + "]");
            }
        }
        list("statements", statements);
        return;
    }
    case opcode::register_: {
        std::vector<std::string_view> types;
        if (auto ec = decode_register(body, types)) return undecodable(ec);
        std::vector<std::string> items;
        for (auto t : types) items.push_back(item(t));
        list("events", items);
        return;
    }
    default: text("unexpected", "a response opcode in a request frame"); return;
    }
}

std::vector<std::string> frame_trace_writer::values(const std::vector<raw_value>& v,
                                                    const std::vector<std::string_view>& names, bool sensitive) {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
        std::string s;
        const bool named = i < names.size();
        if (named && !json_) s = word_item(names[i]) + "=";
        const bool hide = sensitive || o_.mask_all_bound_values ||
                          (named && name_is_sensitive(names[i], o_.sensitive_value_names));
        std::string shown;
        if (v[i].is_null()) shown = "null";
        else if (v[i].is_not_set()) shown = json_ ? "\"<unset>\"" : "<unset>";
        else if (hide) {
            mask(v[i].bytes.data(), v[i].bytes.size());
            shown = "<sensitive, " + std::to_string(v[i].bytes.size()) + " bytes>";
            if (json_) shown = quoted(shown, o_.max_text);
        } else {
            shown = hex_limited(v[i].bytes, o_.max_hex_value);
            if (json_) shown = quoted(shown, o_.max_text);
        }
        if (named && json_) s = "{" + quoted(names[i], o_.max_text) + ":" + shown + "}";
        else s += shown;
        out.push_back(std::move(s));
    }
    return out;
}

void frame_trace_writer::parameters(const query_parameters_view& p, bool sensitive) {
    word("consistency", to_string(p.consistency_level));
    if (p.skip_metadata) word("skip_metadata", "true");
    if (p.page_size) number("page_size", *p.page_size);
    if (p.paging_state) {
        key("paging_state");
        std::string s = p.paging_state->is_null() ? "null" : hex_limited(p.paging_state->bytes, o_.max_hex_value);
        out_ += json_ ? quoted(s, o_.max_text) : s;
    }
    if (p.serial_consistency) word("serial_consistency", to_string(*p.serial_consistency));
    if (p.default_timestamp) number("timestamp", *p.default_timestamp);
    if (!p.values.empty()) list("values", values(p.values, p.names, sensitive));
}

// Only numbers leave a login frame: the flags' prefixes are counted, not shown (a custom payload
// key or a warning could carry the secret as well as the token can), and the token is reduced to
// its length.
void frame_trace_writer::login(bytes_view full) {
    const auto& h = frame_.header;
    bytes_view body;
    raw_value t;
    std::error_code ec;
    if (h.is_response()) {
        response_prefix prefix;
        ec = decode_response_prefix(h, full, prefix, body);
        if (!ec) {
            if (prefix.warnings) number("warnings_withheld", static_cast<std::int64_t>(prefix.warnings->size()));
            if (prefix.custom_payload)
                number("custom_payload_withheld", static_cast<std::int64_t>(prefix.custom_payload->size()));
            if (h.op == opcode::auth_response) return text("unexpected", "a request opcode in a response frame");
            ec = h.op == opcode::auth_challenge ? decode_auth_challenge(body, t) : decode_auth_success(body, t);
        }
    } else {
        request_prefix prefix;
        ec = decode_request_prefix(h, full, prefix, body);
        if (!ec) {
            if (prefix.custom_payload)
                number("custom_payload_withheld", static_cast<std::int64_t>(prefix.custom_payload->size()));
            if (h.op != opcode::auth_response) return text("unexpected", "a response opcode in a request frame");
            ec = decode_auth_response(body, t);
        }
    }
    if (ec) return undecodable(ec);
    if (t.is_null()) {
        key("token");
        out_ += "null";  // bare in both forms: JSON's null
        return;
    }
    word("token", "<" + std::to_string(t.bytes.size()) + " bytes withheld>");
}

void frame_trace_writer::response(bytes_view full) {
    response_prefix prefix;
    bytes_view body;
    if (auto ec = decode_response_prefix(frame_.header, full, prefix, body)) return undecodable(ec);
    if (prefix.tracing_id) word("tracing_id", to_string(*prefix.tracing_id));
    if (prefix.warnings) {
        std::vector<std::string> items;
        for (auto w : *prefix.warnings) items.push_back(item(w));
        list("warnings", items);
    }
    if (prefix.custom_payload) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : *prefix.custom_payload)
            keys.push_back(item(std::string(k) + " (" + std::to_string(v.bytes.size()) + " bytes)"));
        list("custom_payload", keys);
    }
    switch (frame_.header.op) {
    case opcode::error: return error(body);
    case opcode::ready: return;
    case opcode::authenticate: {
        std::string_view cls;
        if (auto ec = decode_authenticate(body, cls)) return undecodable(ec);
        return text("authenticator", cls);
    }
    case opcode::supported: {
        string_multimap_view options;
        if (auto ec = decode_supported(body, options)) return undecodable(ec);
        std::vector<std::pair<std::string_view, std::string>> entries;
        for (const auto& [k, vs] : options) {
            std::string joined = "[";
            for (std::size_t i = 0; i < vs.size(); ++i) joined += (i ? (json_ ? "," : ", ") : "") + item(vs[i]);
            entries.emplace_back(k, joined + "]");
        }
        return object("options", entries);
    }
    case opcode::result: return result(body);
    case opcode::event: return event(body);
    default: text("unexpected", "a request opcode in a response frame"); return;
    }
}

void frame_trace_writer::error(bytes_view body) {
    error_view e;
    if (auto ec = decode_error(body, e)) return undecodable(ec);
    char code[16];
    std::snprintf(code, sizeof code, "0x%04x", static_cast<std::uint32_t>(e.code));
    word("code", code);
    const auto name = server_error_name(e.code);
    word("name", name.empty() ? std::string_view("unknown") : name);
    text("message", e.message);
    std::visit(
        [&](const auto& d) {
            using T = std::decay_t<decltype(d)>;
            if constexpr (std::is_same_v<T, unavailable_info>) {
                word("consistency", to_string(d.consistency_level));
                number("required", d.required);
                number("alive", d.alive);
            } else if constexpr (std::is_same_v<T, write_timeout_info>) {
                word("consistency", to_string(d.consistency_level));
                number("received", d.received);
                number("block_for", d.block_for);
                text("write_type", d.write_type);
            } else if constexpr (std::is_same_v<T, read_timeout_info>) {
                word("consistency", to_string(d.consistency_level));
                number("received", d.received);
                number("block_for", d.block_for);
                word("data_present", d.data_present ? "true" : "false");
            } else if constexpr (std::is_same_v<T, read_failure_info>) {
                word("consistency", to_string(d.consistency_level));
                number("received", d.received);
                number("block_for", d.block_for);
                number("failures", d.num_failures);
                word("data_present", d.data_present ? "true" : "false");
            } else if constexpr (std::is_same_v<T, function_failure_info>) {
                text("keyspace", d.keyspace);
                text("function", d.function);
                std::vector<std::string> items;
                for (auto a : d.arg_types) items.push_back(item(a));
                list("arg_types", items);
            } else if constexpr (std::is_same_v<T, write_failure_info>) {
                word("consistency", to_string(d.consistency_level));
                number("received", d.received);
                number("block_for", d.block_for);
                number("failures", d.num_failures);
                text("write_type", d.write_type);
            } else if constexpr (std::is_same_v<T, already_exists_info>) {
                text("keyspace", d.keyspace);
                text("table", d.table);
            } else if constexpr (std::is_same_v<T, unprepared_info>) {
                word("id", hex_limited(d.id, o_.max_hex_value));
            }
        },
        e.details);
}

void frame_trace_writer::schema_change(const schema_change_view& c) {
    word("change", c.change_type);
    word("target", to_string(c.target));
    text("keyspace", c.keyspace);
    if (c.target != schema_change_target::keyspace) text("name", c.name);
    if (!c.argument_types.empty()) {
        std::vector<std::string> items;
        for (auto a : c.argument_types) items.push_back(item(a));
        list("argument_types", items);
    }
}

void frame_trace_writer::event(bytes_view body) {
    event_view e;
    if (auto ec = decode_event(body, e)) return undecodable(ec);
    word("event", to_string(e.type));
    if (e.type == event_type::schema_change) return schema_change(e.schema_change);
    word("change", e.change);
    word("address", to_string(e.address.address) + ":" + std::to_string(e.address.port));
}

std::vector<std::string> frame_trace_writer::columns(const std::vector<column_spec>& specs) {
    std::vector<std::string> out;
    for (const auto& c : specs) {
        auto s = shown(c.name + " " + cql_type_name(c.type));
        // Names come from the wire: quoted in summary too when they hold a control byte.
        const bool plain = std::none_of(s.begin(), s.end(), [](char ch) {
            const auto u = static_cast<unsigned char>(ch);
            return u < 0x20 || u == 0x7F;
        });
        out.push_back(json_ || !plain ? quoted(s, o_.max_text) : s);
    }
    return out;
}

void frame_trace_writer::rows(const result_metadata& metadata, const rows_view& r) {
    if (metadata.has_column_specs()) {
        if (!metadata.columns.empty())
            text("table", metadata.columns.front().keyspace + "." + metadata.columns.front().table);
        list("columns", columns(metadata.columns));
    } else {
        number("columns", metadata.column_count);
    }
    number("rows", static_cast<std::int64_t>(r.size()));
    if (r.has_more_pages()) {
        key("paging_state");
        auto s = r.paging_state().is_null() ? std::string("null") : hex_limited(r.paging_state().bytes, o_.max_hex_value);
        out_ += json_ ? quoted(s, o_.max_text) : s;
    }
    std::vector<std::string> row_texts;
    std::size_t count = 0;
    for (const auto& row : r) {
        if (count++ >= o_.max_rows) break;
        std::string line;
        row.for_each_cell([&](std::size_t i, const value_view& v) {
            if (i > 0) line += json_ ? "," : ", ";
            std::string cell;
            std::error_code ec;
            const bool is_text = (v.kind() == type_kind::varchar || v.kind() == type_kind::ascii) && !v.is_null();
            // Text holding a password literal or an echo is shown masked, as a quoted string in
            // both forms (valid JSON).
            const bool masked = is_text && !server_string(as_chars(v.bytes())).second.empty();
            if (masked) cell = shown(as_chars(v.bytes()));
            else if (json_) {
                ec = render_json(v, cell);
                if (!ec) escape_terminal_controls_in_json(cell);
            } else {
                ec = render_cql(v, cell);
            }
            if (ec) cell = json_ ? quoted("<undecodable: " + ec.message() + ">", o_.max_text) : "<undecodable>";
            if (cell.size() > o_.max_text) {
                // Cut long values; in JSON the cut value becomes a string.
                std::string cut = cell.substr(0, o_.max_text) + "...";
                cell = json_ && !masked ? quoted(cut, o_.max_text + 3) : cut;
            }
            if (is_text && (!json_ || masked)) cell = quoted(cell, o_.max_text + 3);
            line += cell;
        });
        row_texts.push_back(json_ ? "[" + line + "]" : "(" + line + ")");
    }
    if (!row_texts.empty()) list("row_values", row_texts);
    if (r.size() > row_texts.size()) number("rows_not_shown", static_cast<std::int64_t>(r.size() - row_texts.size()));
}

void frame_trace_writer::result(bytes_view body) {
    // A Rows result of an EXECUTE with skip_metadata carries no column specs; the tracer may know
    // them from the PREPARE's result. It cannot know which EXECUTE this answers without the
    // request, so the known metadata is used only when exactly one prepared statement is known.
    result_view r;
    const result_metadata* known = nullptr;
    if (tracer_.prepared_.size() == 1 && tracer_.prepared_.begin()->second.rows_metadata)
        known = &*tracer_.prepared_.begin()->second.rows_metadata;
    auto ec = decode_result(body, r, known);
    if (ec == make_error_code(client_errc::type_mismatch) && known) ec = decode_result(body, r, nullptr);
    if (ec) return undecodable(ec);
    word("kind", to_string(r.kind));
    switch (r.kind) {
    case result_kind::void_: return;
    case result_kind::set_keyspace: return text("keyspace", r.keyspace);
    case result_kind::schema_change: return schema_change(r.schema_change);
    case result_kind::rows: return rows(r.metadata, r.rows);
    case result_kind::prepared: {
        word("id", hex_limited(r.prepared.id, o_.max_hex_value));
        list("bind", columns(r.prepared.metadata.columns));
        if (r.prepared.rows_metadata.has_column_specs()) list("result_columns", columns(r.prepared.rows_metadata.columns));
        auto pending = tracer_.pending_prepares_.find(frame_.header.stream);
        if (pending != tracer_.pending_prepares_.end()) {
            if (tracer_.prepared_.size() >= max_remembered_prepared) tracer_.prepared_.clear();
            auto& info = tracer_.prepared_[to_hex(r.prepared.id)];
            info.query = std::move(pending->second.first);
            info.sensitive = pending->second.second;
            if (r.prepared.rows_metadata.has_column_specs()) info.rows_metadata = r.prepared.rows_metadata;
            tracer_.pending_prepares_.erase(pending);
        }
        return;
    }
    }
}

void frame_trace_writer::hex_dump() {
    // The header and body as on the wire, 16 bytes a line, masked bytes as "**".
    std::array<std::uint8_t, frame_header_size> header{};
    encode_frame_header(frame_.header, header);
    const std::size_t total = header.size() + frame_.body.size();
    auto byte_at = [&](std::size_t i) { return i < header.size() ? header[i] : frame_.body[i - header.size()]; };
    std::vector<bool> masked_body(frame_.body.size(), false);
    for (const auto& r : masked_)
        std::fill_n(masked_body.begin() + static_cast<std::ptrdiff_t>(r.first), r.size, true);
    auto is_masked = [&](std::size_t i) { return i >= header.size() && masked_body[i - header.size()]; };
    static constexpr char digits[] = "0123456789abcdef";
    for (std::size_t line = 0; line < total; line += 16) {
        char offset[32];
        std::snprintf(offset, sizeof offset, "  %04zx  ", line);
        out_ += offset;
        std::string ascii;
        for (std::size_t i = line; i < line + 16; ++i) {
            if (i == line + 8) out_ += ' ';
            if (i >= total) {
                out_ += "   ";
                continue;
            }
            if (is_masked(i)) {
                out_ += "** ";
                ascii += '*';
                continue;
            }
            const auto b = byte_at(i);
            out_ += digits[b >> 4];
            out_ += digits[b & 0x0F];
            out_ += ' ';
            ascii += (b >= 0x20 && b < 0x7F) ? static_cast<char>(b) : '.';
        }
        out_ += ' ';
        out_ += ascii;
        out_ += '\n';
    }
}

// ---- frame_tracer ------------------------------------------------------------------------------

frame_tracer::frame_tracer(frame_trace_options options) : options_(std::move(options)) {}

void frame_tracer::remember_passwords(std::string_view cql) {
    for (auto& value : password_values(cql)) {
        if (std::find(secrets_.begin(), secrets_.end(), value) != secrets_.end()) continue;
        secrets_bytes_ += value.size();
        secrets_.push_back(std::move(value));
    }
    // The newest value stays whatever its size: it is the likeliest to be echoed next.
    std::size_t dropped = 0;
    while (secrets_.size() - dropped > 1 &&
           (secrets_.size() - dropped > max_remembered_secrets || secrets_bytes_ > max_remembered_secret_bytes))
        secrets_bytes_ -= secrets_[dropped++].size();
    secrets_.erase(secrets_.begin(), secrets_.begin() + static_cast<std::ptrdiff_t>(dropped));
}

void frame_tracer::append(const traced_frame& frame, std::string& out) {
    frame_trace_writer(*this, frame, out).write();
}

void frame_tracer::append_note(std::string_view text, std::string& out) const {
    if (options_.format == trace_format::jsonl) {
        out += "{\"note\":";
        append_quoted(text, options_.max_text, out);
        out += "}\n";
    } else {
        out += "# ";
        // Keep it one line: the text is quoted only when it would break the line.
        if (text.find_first_of("\r\n") != std::string_view::npos) append_quoted(text, options_.max_text, out);
        else out.append(text);
        out += '\n';
    }
}

}  // namespace cqlwire::protocol

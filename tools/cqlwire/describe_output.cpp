#include "describe_output.hpp"

#include <algorithm>
#include <cstdint>
#include <span>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/byte_reader.hpp"
#include "safe_stderr.hpp"

namespace cqlwire::cli {
namespace {

// The statement's first two words, upper-cased.
std::pair<std::string, std::string> first_words(std::string_view text) {
    std::string words[2];
    std::size_t i = 0;
    for (auto& w : words) {
        while (i < text.size() && protocol::is_ascii_space(text[i])) ++i;
        while (i < text.size() && !protocol::is_ascii_space(text[i])) w += protocol::ascii_upper(text[i++]);
    }
    return {words[0], words[1]};
}

// Server text as it is, but for control characters a terminal would act on.
std::string shown(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t plain = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            out.append(text.substr(plain, i - plain));
            out += escape_controls(text.substr(i, 1));
            plain = i + 1;
        }
    }
    out.append(text.substr(plain));
    return out;
}

// Characters, as cqlsh counts a name's width (code points; continuation bytes do not count).
std::size_t characters(std::string_view text) noexcept {
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::optional<std::size_t> column_of(const describe_rows& rows, std::string_view name) {
    const auto it = std::find(rows.columns.begin(), rows.columns.end(), name);
    if (it == rows.columns.end()) return std::nullopt;
    return static_cast<std::size_t>(it - rows.columns.begin());
}

std::string cell(const describe_rows& rows, const std::vector<std::optional<std::string>>& row, std::string_view name) {
    const auto c = column_of(rows, name);
    if (!c || *c >= row.size() || !row[*c]) return {};
    return *row[*c];
}

// range_ownership: map<text, frozen<list<text>>> as on the wire; nullopt when it does not read.
std::optional<std::vector<std::pair<std::string, std::vector<std::string>>>> ownership(std::string_view bytes) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
    protocol::byte_reader r(protocol::bytes_view(data, bytes.size()));
    std::int32_t n = 0;
    if (r.read_int(n) || n < 0) return std::nullopt;
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    for (std::int32_t i = 0; i < n; ++i) {
        protocol::raw_value key, value;
        if (r.read_bytes(key) || r.read_bytes(value) || !key.is_present() || !value.is_present()) return std::nullopt;
        auto& entry = out.emplace_back(std::string(reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()),
                                       std::vector<std::string>{});
        protocol::byte_reader list(value.bytes);
        std::int32_t m = 0;
        if (list.read_int(m) || m < 0) return std::nullopt;
        for (std::int32_t j = 0; j < m; ++j) {
            protocol::raw_value host;
            if (list.read_bytes(host) || !host.is_present()) return std::nullopt;
            entry.second.emplace_back(reinterpret_cast<const char*>(host.bytes.data()), host.bytes.size());
        }
    }
    return out;
}

std::string right_aligned(const std::string& text, std::size_t width) {
    const auto n = characters(text);
    return n >= width ? text : std::string(width - n, ' ') + text;
}

}  // namespace

std::optional<describe_shape> describe_shape_of(std::string_view statement_text) {
    const auto [first, second] = first_words(statement_text);
    if (first != "DESCRIBE" && first != "DESC") return std::nullopt;
    if (second.empty()) return std::nullopt;
    if (second == "KEYSPACES") return describe_shape::keyspace_names;
    if (second == "TABLES" || second == "COLUMNFAMILIES" || second == "TYPES" || second == "FUNCTIONS" ||
        second == "AGGREGATES")
        return describe_shape::names_by_keyspace;
    if (second == "CLUSTER") return describe_shape::cluster;
    return describe_shape::statements;
}

std::string columnize(const std::vector<std::string>& names, std::size_t width) {
    if (names.empty()) return "<empty>\n";
    if (names.size() == 1) return shown(names.front()) + "\n";
    const std::size_t size = names.size();
    // The fewest rows whose columns (two spaces apart) fit in `width`; else one column.
    std::size_t rows = size;
    std::vector<std::size_t> widths;
    for (std::size_t n = 1; n < size; ++n) {
        const std::size_t cols = (size + n - 1) / n;
        std::vector<std::size_t> w;
        std::size_t total = 0;
        bool fits = true;
        for (std::size_t c = 0; c < cols; ++c) {
            std::size_t cw = 0;
            for (std::size_t r = 0; r < n && r + n * c < size; ++r) cw = std::max(cw, characters(names[r + n * c]));
            w.push_back(cw);
            total += cw + (c > 0 ? 2 : 0);
            if (total > width) {
                fits = false;
                break;
            }
        }
        if (fits) {
            rows = n;
            widths = std::move(w);
            break;
        }
    }
    if (widths.empty()) widths = {0};  // one name per line
    const std::size_t cols = (size + rows - 1) / rows;
    std::string out;
    for (std::size_t r = 0; r < rows; ++r) {
        std::vector<std::string_view> texts;
        for (std::size_t c = 0; c < cols; ++c) {
            const std::size_t i = r + rows * c;
            texts.push_back(i < size ? std::string_view(names[i]) : std::string_view());
        }
        while (!texts.empty() && texts.back().empty()) texts.pop_back();
        std::string line;
        for (std::size_t c = 0; c < texts.size(); ++c) {
            if (c > 0) line += "  ";
            line += shown(texts[c]);
            const std::size_t w = c < widths.size() ? widths[c] : 0;
            const std::size_t n = characters(texts[c]);
            if (n < w) line.append(w - n, ' ');
        }
        out += line + "\n";
    }
    return out;
}

std::string format_describe(describe_shape shape, const describe_rows& rows, bool keyspace_in_use) {
    std::string out;
    switch (shape) {
    case describe_shape::keyspace_names: {
        std::vector<std::string> names;
        for (const auto& row : rows.rows) names.push_back(cell(rows, row, "name"));
        out += "\n" + columnize(names) + "\n";
        break;
    }
    case describe_shape::names_by_keyspace: {
        // Consecutive rows of one keyspace make one group, in the server's order.
        std::optional<std::string> keyspace;
        std::vector<std::string> names;
        auto flush = [&] {
            out += "\n";
            if (!keyspace_in_use) out += "Keyspace " + shown(*keyspace) + "\n---------" + std::string(characters(*keyspace), '-') + "\n";
            out += columnize(names);
        };
        for (const auto& row : rows.rows) {
            const auto ks = cell(rows, row, "keyspace_name");
            if (keyspace && ks != *keyspace) {
                flush();
                names.clear();
            }
            keyspace = ks;
            names.push_back(cell(rows, row, "name"));
        }
        if (keyspace) {
            flush();
            out += "\n";
        }
        break;
    }
    case describe_shape::cluster:
        for (const auto& row : rows.rows) {
            out += "\nCluster: " + shown(cell(rows, row, "cluster")) + "\n";
            out += "Partitioner: " + shown(cell(rows, row, "partitioner")) + "\n";
            out += "Snitch: " + shown(cell(rows, row, "snitch")) + "\n\n";
            const auto c = column_of(rows, "range_ownership");
            if (!c || *c >= row.size() || !row[*c]) continue;
            out += "Range ownership:\n";
            if (const auto entries = ownership(*row[*c])) {
                for (const auto& [token, hosts] : *entries) {
                    std::string joined;
                    for (const auto& h : hosts) joined += (joined.empty() ? "" : ", ") + shown(h);
                    out += " " + right_aligned(shown(token), 39) + "  [" + joined + "]\n";
                }
            } else {
                out += " (the server's range ownership does not decode)\n";
            }
            out += "\n";
        }
        break;
    case describe_shape::statements:
        for (const auto& row : rows.rows) out += "\n" + shown(cell(rows, row, "create_statement")) + "\n";
        break;
    }
    return out;
}

}  // namespace cqlwire::cli

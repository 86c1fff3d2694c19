#include "cqlwire/inspect/hex_dump.hpp"

#include <algorithm>
#include <optional>

#include "cqlwire/protocol/ascii.hpp"
#include "cqlwire/protocol/errc.hpp"

namespace cqlwire::inspect {
namespace {

bool all_hex(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return protocol::hex_value(c) >= 0; });
}

struct token {
    std::string_view text;
    std::size_t gap_before = 0;  // spaces before it (a tab counts as 4)
};

std::vector<token> tokenize(std::string_view line) {
    std::vector<token> out;
    std::size_t i = 0;
    std::size_t gap = 0;
    while (i < line.size()) {
        if (line[i] == ' ' || line[i] == '\t') {
            gap += line[i] == '\t' ? 4 : 1;
            ++i;
            continue;
        }
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        out.push_back({line.substr(start, i - start), gap});
        gap = 0;
    }
    return out;
}

void append_hex_digits(std::string_view digits, std::vector<std::uint8_t>& out) {
    for (std::size_t k = 0; k + 1 < digits.size(); k += 2)
        out.push_back(static_cast<std::uint8_t>(protocol::hex_value(digits[k]) << 4 | protocol::hex_value(digits[k + 1])));
}

}  // namespace

std::error_code parse_hex_dump(std::string_view text, std::vector<std::vector<std::uint8_t>>& blocks,
                               std::string& message) {
    blocks.clear();
    std::size_t line_number = 0;
    bool offsets_seen = false;
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text = eol == std::string_view::npos ? std::string_view{} : text.substr(eol + 1);
        ++line_number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const auto tokens = tokenize(line);
        if (tokens.empty() || tokens[0].text.starts_with('#')) continue;
        // tshark's data-source titles ("Frame (74 bytes):", "Reassembled TCP (120 bytes):").
        if (line.ends_with("bytes):")) continue;

        std::size_t first = 0;
        std::optional<std::uint64_t> offset;
        auto parse_offset = [](std::string_view s) {
            std::uint64_t v = 0;
            for (char c : s) v = v * 16 + static_cast<std::uint64_t>(protocol::hex_value(c));
            return v;
        };
        if (tokens[0].text.size() >= 2 && tokens[0].text.back() == ':' &&
            all_hex(tokens[0].text.substr(0, tokens[0].text.size() - 1)) && tokens[0].text.size() <= 17) {
            offset = parse_offset(tokens[0].text.substr(0, tokens[0].text.size() - 1));
            first = 1;
        } else if (tokens.size() > 1 && tokens[0].text.size() >= 4 && tokens[0].text.size() <= 16 &&
                   all_hex(tokens[0].text) && tokens[1].gap_before >= 2) {
            offset = parse_offset(tokens[0].text);
            first = 1;
        }
        if (offset) offsets_seen = true;
        if (blocks.empty() || (offset && *offset == 0 && !blocks.back().empty())) blocks.emplace_back();
        auto& block = blocks.back();
        if (offset && *offset != block.size()) {
            message = "line " + std::to_string(line_number) + ": offset " + std::string(tokens[0].text) +
                      " does not follow the " + std::to_string(block.size()) + " bytes before it";
            return make_error_code(protocol::client_errc::bad_value);
        }
        std::size_t taken = 0;
        for (std::size_t k = first; k < tokens.size(); ++k) {
            const auto& t = tokens[k];
            std::string_view digits = t.text;
            if (!offset && (digits.starts_with("0x") || digits.starts_with("0X"))) digits.remove_prefix(2);
            if (offset) {
                // After the bytes comes the printable column: a wide gap or a token that is
                // not a group of 1-4 bytes.
                if (taken > 0 && t.gap_before >= 3) break;
                if (!all_hex(digits) || digits.size() % 2 != 0 || digits.size() > 8) break;
            } else if (!all_hex(digits) || digits.size() % 2 != 0) {
                message = "line " + std::to_string(line_number) + " is not part of a hex dump";
                return make_error_code(protocol::client_errc::bad_value);
            }
            append_hex_digits(digits, block);
            taken += digits.size() / 2;
        }
        if (offset && taken == 0 && tokens.size() > first) {
            message = "line " + std::to_string(line_number) + " is not part of a hex dump";
            return make_error_code(protocol::client_errc::bad_value);
        }
    }
    static_cast<void>(offsets_seen);
    while (!blocks.empty() && blocks.back().empty()) blocks.pop_back();
    return {};
}

}  // namespace cqlwire::inspect

// The frame trace writer: one frame decoded into fields, written in the summary or the JSON
// form, with its secrets masked (see frame_trace.hpp for what is masked and why). Internal to
// cqlwire::inspect: frame_tracer runs one writer per frame. The bodies of requests and
// responses are written in frame_trace_requests.cpp and frame_trace_responses.cpp; the frame
// line, the login frames and the hex dump in frame_trace_writer.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cqlwire/inspect/frame_trace.hpp"
#include "cqlwire/inspect/password_masking.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "password_ranges.hpp"
#include "trace_text.hpp"

namespace cqlwire::inspect {

// Prepared statements remembered at most; past this the memory is dropped and started afresh
// (EXECUTE then shows its id only).
inline constexpr std::size_t max_remembered_prepared = 1024;
inline constexpr std::size_t max_pending_prepares = 1024;

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
    // A custom payload's keys with the size of each value; the values are never shown.
    void custom_payload(const protocol::bytes_map_view& payload) {
        std::vector<std::string> keys;
        for (const auto& [k, v] : payload)
            keys.push_back(item(std::string(k) + " (" + std::to_string(v.bytes.size()) + " bytes)"));
        list("custom_payload", keys);
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
        for (const protocol::bytes_view buffer : {frame_.body, decoded_}) {
            if (const auto at = offset_in(buffer, first, size)) {
                masked_.push_back({*at, size});
                return;
            }
        }
    }
    // The offset of [first, first+size) in `buffer`, when it lies there.
    static std::optional<std::size_t> offset_in(protocol::bytes_view buffer, const void* first, std::size_t size) {
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
        add_occurrences(protocol::as_chars(frame_.body), tracer_.secrets_, echoes_);
        if (echoes_.empty()) return;
        starred_.assign(frame_.body.begin(), frame_.body.end());
        for (const auto& r : echoes_) {
            std::fill_n(starred_.begin() + static_cast<std::ptrdiff_t>(r.first), r.size, std::uint8_t{'*'});
            masked_.push_back(r);
        }
        decoded_ = protocol::bytes_view(starred_);
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
        const auto text = protocol::as_chars(frame_.body.subspan(*at, s.size()));
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
    void request(protocol::bytes_view body);
    void response(protocol::bytes_view body);
    void parameters(const protocol::query_parameters_view& p, bool sensitive);
    std::vector<std::string> values(const std::vector<protocol::raw_value>& v, const std::vector<std::string_view>& names,
                                    bool sensitive);
    void result(protocol::bytes_view body);
    void rows(const protocol::result_metadata& metadata, const protocol::rows_view& r);
    std::vector<std::string> columns(const std::vector<protocol::column_spec>& specs);
    void error(protocol::bytes_view body);
    void event(protocol::bytes_view body);
    void schema_change(const protocol::schema_change_view& c);
    void login(protocol::bytes_view body);
    void hex_dump();

    frame_tracer& tracer_;
    const frame_trace_options& o_;
    const traced_frame& frame_;
    std::string& out_;
    bool json_;
    bool response_;
    protocol::bytes_view decoded_;                // the body, or starred_ when it echoes a password
    std::vector<std::uint8_t> starred_;
    std::vector<text_range> echoes_;  // body offsets of remembered password values
    std::vector<text_range> masked_;  // body offsets
    bool undecodable_ = false;         // some part of the body could not be decoded
};

}  // namespace cqlwire::inspect

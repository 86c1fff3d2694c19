// The bodies of requests in a frame trace: STARTUP, QUERY, PREPARE, EXECUTE, BATCH, REGISTER.
#include <algorithm>

#include "cqlwire/protocol/ascii.hpp"
#include "frame_trace_writer.hpp"

namespace cqlwire::inspect {
// The writer reads every part of the codec; its names are used unqualified here.
using namespace cqlwire::protocol;
namespace {

bool name_is_sensitive(std::string_view name, const std::vector<std::string>& names) {
    return std::any_of(names.begin(), names.end(), [&](const std::string& s) { return equals_ignoring_ascii_case(s, name); });
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

void frame_trace_writer::request(bytes_view full) {
    request_prefix prefix;
    bytes_view body;
    if (auto ec = decode_request_prefix(frame_.header, full, prefix, body)) return undecodable(ec);
    if (prefix.custom_payload) custom_payload(*prefix.custom_payload);
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
        if (auto it = tracer_.prepared_.find(hex_text(e.prepared_id)); it != tracer_.prepared_.end()) {
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
                if (auto it = tracer_.prepared_.find(hex_text(s.prepared_id)); it != tracer_.prepared_.end()) {
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

}  // namespace cqlwire::inspect

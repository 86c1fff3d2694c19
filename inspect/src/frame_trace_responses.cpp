// The bodies of responses in a frame trace: ERROR, AUTHENTICATE, SUPPORTED, RESULT, EVENT, and
// the warnings, tracing id and custom payload before them.
#include <algorithm>
#include <cstdio>
#include <type_traits>
#include <variant>

#include "cqlwire/protocol/render.hpp"
#include "frame_trace_writer.hpp"

namespace cqlwire::inspect {
// The writer reads every part of the codec; its names are used unqualified here.
using namespace cqlwire::protocol;

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
    if (prefix.custom_payload) custom_payload(*prefix.custom_payload);
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
            auto& info = tracer_.prepared_[hex_text(r.prepared.id)];
            info.query = std::move(pending->second.first);
            info.sensitive = pending->second.second;
            if (r.prepared.rows_metadata.has_column_specs()) info.rows_metadata = r.prepared.rows_metadata;
            tracer_.pending_prepares_.erase(pending);
        }
        return;
    }
    }
}

}  // namespace cqlwire::inspect

#include "cqlwire/inspect/frame_trace.hpp"

#include <algorithm>
#include <utility>

#include "frame_trace_writer.hpp"

namespace cqlwire::inspect {
namespace {

// Password values remembered at most, by count and by total size; past either the oldest are
// dropped. Far more than a connection sets, and more than a fuzzing input can plant.
constexpr std::size_t max_remembered_secrets = 4096;
constexpr std::size_t max_remembered_secret_bytes = std::size_t{1} << 20;

}  // namespace

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

}  // namespace cqlwire::inspect

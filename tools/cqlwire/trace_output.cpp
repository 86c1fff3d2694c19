// Trace printing; see trace_output.hpp.
#include "trace_output.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <vector>

#include "output_format.hpp"
#include "safe_stderr.hpp"
#include "secret_masking.hpp"

namespace cqlwire::cli {
namespace {

// Days since 1970-01-01 to a civil date (proleptic Gregorian).
void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    if (m <= 2) ++y;
}

}  // namespace

std::string format_utc_micros(std::int64_t micros) {
    constexpr std::int64_t per_day = 86'400'000'000;
    std::int64_t days = micros / per_day;
    std::int64_t rest = micros % per_day;
    if (rest < 0) {
        rest += per_day;
        --days;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civil_from_days(days, y, m, d);
    const auto seconds = rest / 1'000'000;
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%04lld-%02u-%02u %02lld:%02lld:%02lld.%06lld", static_cast<long long>(y), m,
                  d, static_cast<long long>(seconds / 3600), static_cast<long long>(seconds / 60 % 60),
                  static_cast<long long>(seconds % 60), static_cast<long long>(rest % 1'000'000));
    return buf.data();
}

std::string format_trace_table(const transport::query_trace& trace, std::string_view statement) {
    const auto& s = trace.session;
    const std::int64_t start_us = s.started_at_ms * 1000;
    auto shown = [&](std::string_view text) { return escape_controls(mask_server_text(text, statement)); };
    std::vector<std::array<std::string, 5>> rows;
    rows.push_back({shown(s.request), format_utc_micros(start_us), s.coordinator, "0", s.client});
    for (const auto& e : trace.events) {
        std::string activity = shown(e.activity);
        if (!e.thread.empty()) activity += " [" + shown(e.thread) + "]";
        rows.push_back({std::move(activity), format_utc_micros(e.timestamp_us), e.source,
                        std::to_string(e.source_elapsed_us), s.client});
    }
    if (s.duration_us)
        rows.push_back({"Request complete", format_utc_micros(start_us + *s.duration_us), s.coordinator,
                        std::to_string(*s.duration_us), s.client});

    const std::array<std::string_view, 5> names = {"activity", "timestamp", "source", "source_elapsed", "client"};
    std::array<std::size_t, 5> widths{};
    for (std::size_t c = 0; c < names.size(); ++c) widths[c] = names[c].size();
    for (const auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], display_width(row[c]));

    std::string out = "\nTracing session: " + protocol::to_string(s.id) + "\n\n";
    std::string header = " ";
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (c > 0) header += " | ";
        header += names[c];
        header.append(widths[c] - names[c].size(), ' ');
    }
    header.erase(header.find_last_not_of(' ') + 1);
    out += header + "\n-";
    for (std::size_t c = 0; c < names.size(); ++c) {
        if (c > 0) out += "-+-";
        out.append(widths[c], '-');
    }
    out += "-\n";
    for (const auto& row : rows) {
        out += ' ';
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c > 0) out += " | ";
            out.append(widths[c] - display_width(row[c]), ' ');
            out += row[c];
        }
        out += '\n';
    }
    out += '\n';
    return out;
}

std::string format_trace_json(const transport::query_trace& trace, std::string_view statement) {
    const auto& s = trace.session;
    auto shown = [&](std::string_view text) { return json_quote(mask_server_text(text, statement)); };
    std::string out = "{\"tracing_session\":\"" + protocol::to_string(s.id) + "\"";
    out += ",\"request\":" + shown(s.request);
    out += ",\"coordinator\":" + json_quote(s.coordinator);
    out += ",\"client\":" + json_quote(s.client);
    out += ",\"started_at\":" + json_quote(format_utc_micros(s.started_at_ms * 1000));
    out += ",\"duration_us\":" + (s.duration_us ? std::to_string(*s.duration_us) : std::string("null"));
    out += ",\"parameters\":{";
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        if (i > 0) out += ',';
        out += shown(s.parameters[i].first) + ":" + shown(s.parameters[i].second);
    }
    out += "},\"events\":[";
    for (std::size_t i = 0; i < trace.events.size(); ++i) {
        const auto& e = trace.events[i];
        if (i > 0) out += ',';
        out += "{\"activity\":" + shown(e.activity) + ",\"timestamp\":" + json_quote(format_utc_micros(e.timestamp_us)) +
               ",\"source\":" + json_quote(e.source) + ",\"source_elapsed_us\":" + std::to_string(e.source_elapsed_us) +
               ",\"thread\":" + shown(e.thread) + "}";
    }
    out += "]}\n";
    return out;
}

}  // namespace cqlwire::cli

// Statements and the serialization of their bind values.
#include "cqlwire/transport/statement.hpp"

#include <array>
#include <cstddef>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "cqlwire/protocol/errc.hpp"
#include "cqlwire/transport/prepared_cache.hpp"

namespace cqlwire::transport {

using protocol::client_errc;
using protocol::type_kind;

statement::statement(std::shared_ptr<const prepared_statement> prepared) : prepared_(std::move(prepared)) {}

const std::string& statement::query() const noexcept { return prepared_ ? prepared_->query() : query_; }

std::optional<protocol::data_type> inferred_type(const protocol::value& v) {
    using protocol::data_type;
    struct visitor {
        std::optional<data_type> operator()(const protocol::null_value_t&) const { return std::nullopt; }
        std::optional<data_type> operator()(const protocol::empty_value_t&) const { return std::nullopt; }
        std::optional<data_type> operator()(bool) const { return data_type::of(type_kind::boolean); }
        std::optional<data_type> operator()(const protocol::integer_value& i) const { return data_type::of(i.kind); }
        std::optional<data_type> operator()(double) const { return data_type::of(type_kind::double_); }
        std::optional<data_type> operator()(const std::string&) const { return data_type::of(type_kind::varchar); }
        std::optional<data_type> operator()(const protocol::blob_value&) const { return data_type::of(type_kind::blob); }
        std::optional<data_type> operator()(const protocol::uuid&) const { return data_type::of(type_kind::uuid); }
        std::optional<data_type> operator()(const protocol::inet_address&) const {
            return data_type::of(type_kind::inet);
        }
        std::optional<data_type> operator()(const protocol::cql_date&) const { return data_type::of(type_kind::date); }
        std::optional<data_type> operator()(const protocol::cql_time&) const { return data_type::of(type_kind::time); }
        std::optional<data_type> operator()(const protocol::cql_timestamp&) const {
            return data_type::of(type_kind::timestamp);
        }
        std::optional<data_type> operator()(const protocol::cql_duration&) const {
            return data_type::of(type_kind::duration);
        }
        std::optional<data_type> operator()(const protocol::cql_decimal&) const {
            return data_type::of(type_kind::decimal);
        }
        std::optional<data_type> operator()(const protocol::cql_varint&) const {
            return data_type::of(type_kind::varint);
        }
        std::optional<data_type> operator()(const protocol::sequence_value&) const { return std::nullopt; }
        std::optional<data_type> operator()(const protocol::map_value&) const { return std::nullopt; }
    };
    return std::visit(visitor{}, v.data);
}

namespace {

// Where one encoded value sits in the storage (offsets, since the storage may still grow).
struct slot {
    protocol::value_state state = protocol::value_state::null;
    std::size_t offset = 0;
    std::size_t length = 0;
};

std::string describe(std::size_t index, const std::string* name) {
    return name ? "the value named \"" + *name + "\"" : "value " + std::to_string(index);
}

// Serializes value `index` (named `name`, when named) into `storage`; `marker` is its bind
// marker's type, if known. Its description is built only for an error's message.
std::error_code encode_one(const bind_value& v, const protocol::data_type* marker, std::vector<std::uint8_t>& storage,
                           slot& out, std::size_t index, const std::string* name, protocol::diagnostics& diag) {
    const auto start = storage.size();
    auto present = [&] {
        out = {protocol::value_state::present, start, storage.size() - start};
        if (out.length > static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
            diag.set_client_message(describe(index, name) + " is longer than a [value] can say");
            return std::make_error_code(std::errc::value_too_large);
        }
        return std::error_code{};
    };
    const auto& data = v.data();
    if (std::holds_alternative<bind_value::not_set_t>(data)) {
        out = {protocol::value_state::not_set, 0, 0};
        return {};
    }
    if (const auto* s = std::get_if<bind_value::serialized>(&data)) {
        storage.insert(storage.end(), s->bytes.begin(), s->bytes.end());
        return present();
    }
    const protocol::value* value = nullptr;
    const protocol::data_type* type = marker;
    if (const auto* t = std::get_if<bind_value::typed>(&data)) {
        value = &t->value;
        type = &t->type;
    } else {
        value = &std::get<protocol::value>(data);
    }
    if (value->is_null()) {
        out = {protocol::value_state::null, 0, 0};
        return {};
    }
    if (value->is_empty()) return present();
    std::optional<protocol::data_type> inferred;
    if (!type) {
        inferred = inferred_type(*value);
        if (!inferred) {
            diag.set_client_message(describe(index, name) +
                                    " is a collection, tuple or UDT for a statement without bind metadata: " +
                                    "give its type (bind_value::of_type) or prepare the statement");
            return make_error_code(client_errc::bad_value);
        }
        type = &*inferred;
    }
    if (auto ec = protocol::encode_value(*value, *type, storage)) {
        diag.set_client_message(describe(index, name) + " cannot be sent as " + protocol::cql_type_name(*type) + ": " +
                                ec.message());
        return ec;
    }
    return present();
}

}  // namespace

std::error_code encode_statement_values(const statement& s, const std::vector<protocol::column_spec>* markers,
                                        encoded_values& out, protocol::diagnostics& diag) {
    out.storage.clear();
    out.values.clear();
    out.names.clear();
    const auto positional = s.positional_values();
    const auto named = s.named_values();
    const auto names = s.names();
    if (!positional.empty() && !named.empty()) {
        diag.set_client_message("a statement's values must be all positional or all named, not both");
        return make_error_code(client_errc::bad_value);
    }
    const std::size_t count = positional.empty() ? named.size() : positional.size();
    if (count > static_cast<std::size_t>(std::numeric_limits<std::uint16_t>::max())) {
        diag.set_client_message("a request carries at most 65535 values; this one has " + std::to_string(count));
        return make_error_code(client_errc::too_many_values);
    }
    if (markers && !positional.empty() && positional.size() != markers->size()) {
        diag.set_client_message("the statement has " + std::to_string(markers->size()) + " bind markers but " +
                                std::to_string(positional.size()) + " values were given");
        return make_error_code(client_errc::bad_value);
    }
    // Most statements have a few values: their slots stay on the stack.
    constexpr std::size_t inline_slots = 16;
    std::array<slot, inline_slots> few{};
    std::vector<slot> many;
    if (count > inline_slots) many.resize(count);
    const std::span<slot> slots = count > inline_slots ? std::span<slot>(many) : std::span<slot>(few.data(), count);
    for (std::size_t i = 0; i < count; ++i) {
        const std::string* name = positional.empty() ? &names[i] : nullptr;
        const protocol::data_type* marker = nullptr;
        if (markers && name) {
            for (const auto& column : *markers) {
                if (column.name == *name) {
                    marker = &column.type;
                    break;
                }
            }
            if (!marker) {
                diag.set_client_message("the statement has no bind marker named \"" + *name + "\"");
                return make_error_code(client_errc::bad_value);
            }
        } else if (markers) {
            marker = &(*markers)[i].type;
        }
        const bind_value& v = positional.empty() ? named[i] : positional[i];
        if (auto ec = encode_one(v, marker, out.storage, slots[i], i, name, diag)) return ec;
    }
    // The storage is complete: only now take views into it.
    out.values.reserve(count);
    for (const auto& sl : slots) {
        if (sl.state == protocol::value_state::present)
            out.values.push_back(protocol::raw_value::of(protocol::bytes_view(out.storage).subspan(sl.offset, sl.length)));
        else
            out.values.push_back({sl.state, {}});
    }
    if (positional.empty()) {
        out.names.reserve(count);
        for (const auto& n : names) out.names.emplace_back(n);
    }
    return {};
}

}  // namespace cqlwire::transport

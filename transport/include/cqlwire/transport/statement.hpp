// What one QUERY or EXECUTE request says: the statement (a CQL string, or a prepared statement),
// its bind values (positional, or named: flag 0x40) and its per-request options (consistency,
// serial consistency, default timestamp, paging, custom payload, tracing, timeout).
//
// Bind values are owning and typed late: a protocol::value bound to a prepared statement is
// serialized with the type of its bind marker (the statement's metadata), so value::from(7)
// becomes 1 byte for a tinyint marker and 8 for a bigint one, range-checked. A QUERY string
// carries no metadata, so its values are typed by what they hold (an int32 as int, a string as
// text...) or by an explicit data_type; collections need the explicit type.
//
// A statement, with everything it holds, can be executed any number of times; nothing in it
// points at memory the caller must keep alive.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class prepared_statement;

// One bind value, owning.
class CQLWIRE_TRANSPORT_API bind_value {
public:
    struct typed {
        protocol::value value;
        protocol::data_type type;
    };
    struct serialized {
        std::vector<std::uint8_t> bytes;  // the content of the [value], without its length
    };
    struct not_set_t {};
    // A plain protocol::value is typed by its marker (or, for a QUERY string, by itself).
    using variant_type = std::variant<protocol::value, typed, serialized, not_set_t>;

    // Null.
    bind_value() : data_(protocol::value::null()) {}
    bind_value(protocol::value v) : data_(std::move(v)) {}  // NOLINT: implicit on purpose
    // Anything protocol::value::from accepts: bool, the fixed-width integers, float, double,
    // uuid, inet_address, the cql_* temporal and numeric types.
    template <class T>
        requires(!std::is_same_v<std::remove_cvref_t<T>, bind_value> &&
                 !std::is_same_v<std::remove_cvref_t<T>, protocol::value> &&
                 requires(T&& t) { protocol::value::from(std::forward<T>(t)); })
    bind_value(T&& v) : data_(protocol::value::from(std::forward<T>(v))) {}  // NOLINT
    // Text (varchar unless the marker says ascii).
    bind_value(std::string s) : data_(protocol::value::text(std::move(s))) {}  // NOLINT
    bind_value(std::string_view s) : data_(protocol::value::text(std::string(s))) {}  // NOLINT
    bind_value(const char* s) : data_(protocol::value::text(std::string(s))) {}  // NOLINT

    static bind_value null() { return {}; }
    // The v4 "not set" value (-2): the column keeps what it has (no tombstone).
    static bind_value not_set() { return bind_value(variant_type(not_set_t{})); }
    // With an explicit type, e.g. for a collection in a QUERY string.
    static bind_value of_type(protocol::value v, protocol::data_type t) {
        return bind_value(variant_type(typed{std::move(v), std::move(t)}));
    }
    // Bytes already serialized for the marker's type, sent as they are.
    static bind_value of_serialized(std::vector<std::uint8_t> bytes) {
        return bind_value(variant_type(serialized{std::move(bytes)}));
    }

    const variant_type& data() const noexcept { return data_; }

private:
    explicit bind_value(variant_type v) : data_(std::move(v)) {}
    variant_type data_;
};

using custom_payload_entries = std::vector<std::pair<std::string, std::vector<std::uint8_t>>>;

// Per-request settings (§4.1.4 <query_parameters> and the frame flags). Every field is
// optional on the wire except the consistency.
struct CQLWIRE_TRANSPORT_API statement_options {
    protocol::consistency consistency = protocol::consistency::one;
    std::optional<protocol::consistency> serial_consistency;  // SERIAL or LOCAL_SERIAL (LWT)
    std::optional<std::int64_t> default_timestamp;            // microseconds since the epoch (flag 0x20)
    std::optional<std::int32_t> page_size;                    // rows per page (flag 0x04)
    std::optional<std::vector<std::uint8_t>> paging_state;    // from a previous page (flag 0x08)
    std::optional<custom_payload_entries> custom_payload;     // frame flag 0x04, a [bytes map]
    bool tracing = false;                                     // frame flag 0x02
    std::chrono::milliseconds timeout{0};                     // > 0 overrides the connection's
    // Whether applying the statement twice has the same effect as once (a read, an INSERT of
    // fixed values; not a counter update, not an append to a list, not now()). A cluster
    // session sends only idempotent statements again after a failure that may have applied
    // them (a timeout, a broken connection), and only those speculatively. Not sent.
    bool idempotent = false;
};

// A CQL string (sent as QUERY) or a prepared statement (sent as EXECUTE), with values and options.
class CQLWIRE_TRANSPORT_API statement {
public:
    explicit statement(std::string cql) : query_(std::move(cql)) {}
    explicit statement(std::shared_ptr<const prepared_statement> prepared);

    // Appends the next positional value.
    statement& bind(bind_value v) {
        values_.push_back(std::move(v));
        return *this;
    }
    // Adds a named value (`:name` markers; sent with flag 0x40). A statement's values are all
    // positional or all named: mixing them fails when it is executed (client_errc::bad_value).
    statement& bind(std::string name, bind_value v) {
        names_.push_back(std::move(name));
        named_values_.push_back(std::move(v));
        return *this;
    }
    // Drops all values (to reuse the statement with others).
    void clear_values() noexcept {
        values_.clear();
        names_.clear();
        named_values_.clear();
    }

    bool is_prepared() const noexcept { return prepared_ != nullptr; }
    const std::shared_ptr<const prepared_statement>& prepared() const noexcept { return prepared_; }
    // The CQL text (a prepared statement's own text when prepared).
    const std::string& query() const noexcept;

    std::span<const bind_value> positional_values() const noexcept { return values_; }
    std::span<const std::string> names() const noexcept { return names_; }
    std::span<const bind_value> named_values() const noexcept { return named_values_; }

    statement_options options;

private:
    std::string query_;
    std::shared_ptr<const prepared_statement> prepared_;
    std::vector<bind_value> values_;
    std::vector<std::string> names_;
    std::vector<bind_value> named_values_;
};

// A statement's values serialized for the wire: views (`values`, `names`) into storage owned
// here, so this must not be copied (moving keeps the views valid).
struct CQLWIRE_TRANSPORT_API encoded_values {
    std::vector<std::uint8_t> storage;
    std::vector<protocol::raw_value> values;
    std::vector<std::string_view> names;  // empty, or one per value

    encoded_values() = default;
    encoded_values(encoded_values&&) noexcept = default;
    encoded_values& operator=(encoded_values&&) noexcept = default;
    encoded_values(const encoded_values&) = delete;
    encoded_values& operator=(const encoded_values&) = delete;
};

// Serializes the values of `s`. With `markers` (a prepared statement's bind metadata) each value
// takes its marker's type; positional values must match the markers in number, and named ones
// must name a marker (exactly as the metadata spells it). Without markers (a QUERY string) the
// values type themselves. Errors: bad_value (mixed positional and named, a count mismatch, an
// unknown name, a value that cannot type itself), and whatever protocol::encode_value reports
// (type_mismatch, value_out_of_range...); `diag` names the value at fault.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code encode_statement_values(const statement& s,
                                                      const std::vector<protocol::column_spec>* markers,
                                                      encoded_values& out, protocol::diagnostics& diag);

// The type a value without a marker is sent as: int for an int32, text for a string... or
// nullopt for a null/empty value, a collection, a tuple or a UDT (these need an explicit type).
CQLWIRE_TRANSPORT_API std::optional<protocol::data_type> inferred_type(const protocol::value& v);

}  // namespace cqlwire::transport

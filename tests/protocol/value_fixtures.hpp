// Helpers for the value tests: serialized values held in heap buffers of exactly their size
// (so that AddressSanitizer reports any read past the end), together with their type.
#pragma once

#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <doctest/doctest.h>

#include "cqlwire/protocol/render.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/value_view.hpp"

namespace cqlwire::test {

using bytes = std::vector<std::uint8_t>;
namespace cp = cqlwire::protocol;

// One serialized value: its type, and its bytes in a heap block of exactly their length.
class held_value {
public:
    held_value(cp::data_type type, const bytes& b)
        : type_(std::move(type)), data_(new std::uint8_t[b.empty() ? 1 : b.size()]), size_(b.size()) {
        if (!b.empty()) std::memcpy(data_.get(), b.data(), b.size());
    }
    static held_value null(cp::data_type type) {
        held_value h(std::move(type), {});
        h.null_ = true;
        return h;
    }

    cp::value_view view() const {
        if (null_) return cp::value_view(type_, cp::raw_value::null());
        return cp::value_view(type_, cp::raw_value::of(cp::bytes_view(data_.get(), size_)));
    }
    const cp::data_type& type() const { return type_; }

private:
    cp::data_type type_;
    std::unique_ptr<std::uint8_t[]> data_;
    std::size_t size_;
    bool null_ = false;
};

inline cp::data_type t(cp::type_kind k) { return cp::data_type::of(k); }

inline bytes concat(std::initializer_list<bytes> parts) {
    bytes all;
    for (const auto& p : parts) all.insert(all.end(), p.begin(), p.end());
    return all;
}

// An [int]-length-prefixed element of a collection, tuple or UDT.
inline bytes element(const bytes& content) {
    auto n = static_cast<std::uint32_t>(content.size());
    return concat({{static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                    static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)},
                   content});
}
inline bytes null_element() { return {0xFF, 0xFF, 0xFF, 0xFF}; }
inline bytes int32_be(std::int32_t v) {
    auto u = static_cast<std::uint32_t>(v);
    return {static_cast<std::uint8_t>(u >> 24), static_cast<std::uint8_t>(u >> 16), static_cast<std::uint8_t>(u >> 8),
            static_cast<std::uint8_t>(u)};
}
inline bytes text_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

// render_cql of `wire` as a value of `type` in `form`; a failure to render fails the test.
inline std::string render_in(const cp::data_type& type, const bytes& wire, cp::cql_text_form form) {
    held_value h(type, wire);
    cp::render_options options;
    options.form = form;
    std::string out;
    CHECK_FALSE(cp::render_cql(h.view(), out, options));
    return out;
}

}  // namespace cqlwire::test

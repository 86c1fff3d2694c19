// A non-owning view of one serialized CQL value together with its type.
//
// Lifetime: the view borrows both the bytes (from the frame buffer the value was decoded from)
// and the data_type (from the result metadata). It is valid while both are alive and unchanged;
// copy what you need with the owning conversions before releasing the frame.
#pragma once

#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/types.hpp"
#include "cqlwire/protocol/export.hpp"

namespace cqlwire::protocol {

class CQLWIRE_PROTOCOL_API value_view {
public:
    value_view(const data_type& type, raw_value raw) noexcept : type_(&type), raw_(raw) {}

    const data_type& type() const noexcept { return *type_; }
    const raw_value& raw() const noexcept { return raw_; }
    bool is_null() const noexcept { return raw_.is_null(); }
    bytes_view bytes() const noexcept { return raw_.bytes; }
    type_kind kind() const noexcept { return type_->kind; }
    // Present but zero bytes long. For text and blob that is the empty string; for the other
    // scalar types it is an "empty" value, which is neither null nor a value (see values.hpp).
    bool is_empty() const noexcept { return raw_.is_present() && raw_.bytes.empty(); }

private:
    const data_type* type_;
    raw_value raw_;
};

}  // namespace cqlwire::protocol

// A BATCH (§4.1.7): logged, unlogged or counter, mixing CQL strings and prepared statements,
// each with positional values, under one consistency / serial consistency / default timestamp.
//
// Values in a batch are positional only: v4 names for values in a BATCH cannot work (the
// specification says so and Cassandra refuses them), so a statement with named values makes
// the batch fail with client_errc::bad_value before anything is sent. The statements' own
// options are ignored; the batch's options apply (page size and paging state mean nothing here).
#pragma once

#include <utility>
#include <vector>

#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/transport/statement.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

class CQLWIRE_TRANSPORT_API batch {
public:
    explicit batch(protocol::batch_type type = protocol::batch_type::logged) : type_(type) {}

    batch& add(statement s) {
        statements_.push_back(std::move(s));
        return *this;
    }

    protocol::batch_type type() const noexcept { return type_; }
    const std::vector<statement>& statements() const noexcept { return statements_; }
    std::vector<statement>& statements() noexcept { return statements_; }

    statement_options options;

private:
    protocol::batch_type type_;
    std::vector<statement> statements_;
};

}  // namespace cqlwire::transport

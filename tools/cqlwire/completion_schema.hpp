// The schema names Tab completion offers, asked of the node the shell is connected to
// (system_schema's keyspaces, tables, views, columns and types, and the virtual keyspaces and
// tables of system_virtual_schema) and kept until forget(): the shell
// forgets them after each statement it runs, since any statement may have changed the schema.
// A request that fails or takes longer than a few seconds offers nothing; completion never
// prints errors into the line being typed.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "completion.hpp"
#include "cqlwire/transport/connection.hpp"

namespace cqlwire::cli {

class server_schema_names : public schema_names {
public:
    // `connection` gives the shell's connection at the time of asking (LOGIN may replace it).
    explicit server_schema_names(std::function<transport::connection&()> connection)
        : connection_(std::move(connection)) {}

    std::vector<std::string> keyspaces() override;
    std::vector<std::string> tables(const std::string& keyspace) override;
    std::vector<std::string> columns(const std::string& keyspace, const std::string& table) override;
    std::vector<std::string> user_types(const std::string& keyspace) override;

    void forget();
    // A Tab begins: the requests it makes share one wait, so that a node that does not answer
    // holds the line for one timeout, not one per request.
    void begin_attempt() noexcept { failed_ = false; }

private:
    // The first column of the rows of `cql` (bound to `values`), as text; nullopt on failure.
    std::optional<std::vector<std::string>> names(const std::string& cql, const std::vector<std::string>& values);
    // Cached answers by request.
    const std::vector<std::string>& cached(const std::string& cql, const std::vector<std::string>& values);

    std::function<transport::connection&()> connection_;
    bool failed_ = false;  // a request of this attempt failed: the others are not made
    std::map<std::pair<std::string, std::vector<std::string>>, std::vector<std::string>> cache_;
};

}  // namespace cqlwire::cli

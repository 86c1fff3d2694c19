// cqlsh colours the names of a table's columns by their role in the table: partition key red,
// clustering columns cyan, static columns white, the others magenta. It knows the roles from the
// schema of the table the statement reads: the table after SELECT's FROM (here: the table the
// result's columns come from), system_auth.roles for LIST ROLES / LIST USERS, and
// system_auth.role_permissions for the other LIST statements. This asks the node for them
// (system_schema.columns, or system_virtual_schema.columns for a virtual table) and keeps them
// until forget(); a request that fails leaves every name magenta.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cqlwire/protocol/result.hpp"
#include "cqlwire/transport/connection.hpp"
#include "output_format.hpp"

namespace cqlwire::cli {

class column_role_cache {
public:
    // The role of each of the result's columns, for the statement `text`; empty when the statement
    // is not one whose names cqlsh colours by role.
    std::vector<column_role> roles(transport::connection& conn, std::string_view text,
                                   std::span<const protocol::column_spec> columns);
    // After a statement that may change the schema.
    void forget() { tables_.clear(); }

private:
    using table_roles = std::map<std::string, column_role>;
    const table_roles& roles_of(transport::connection& conn, const std::string& keyspace, const std::string& table);

    std::map<std::pair<std::string, std::string>, table_roles> tables_;
};

}  // namespace cqlwire::cli

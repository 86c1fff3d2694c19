// Differential check against the Azure article's own client, the DataStax Python driver:
// system.local read by python_driver_system_local.py (values normalised to Cassandra's JSON
// conventions) must equal cqlwire's `--format json` output, column by column.
#include "test_support.hpp"

#include <iostream>
#include <set>
#include <string>

#include "run_cqlwire.hpp"

#ifndef CQLWIRE_PYTHON_DRIVER_SCRIPT
#error "CMake passes the path of python_driver_system_local.py as CQLWIRE_PYTHON_DRIVER_SCRIPT"
#endif

namespace json = boost::json;
using namespace cqlwire::integration;

namespace {

json::object python_driver_row(const testbed_env& tb, const std::string& statement) {
    cqlwire::test::process_options options;
    options.timeout = std::chrono::seconds(60);
    const auto r = cqlwire::test::run_process(tb.python, {CQLWIRE_PYTHON_DRIVER_SCRIPT, statement}, options);
    INFO("python driver: " << describe(r));
    REQUIRE(r.exit_code == 0);
    const auto parsed = json::parse(r.out);
    REQUIRE(parsed.is_array());
    REQUIRE(parsed.as_array().size() == 1);
    REQUIRE(parsed.as_array()[0].is_object());
    return parsed.as_array()[0].as_object();
}

json::object cqlwire_row(const std::string& statement) {
    const auto rows = json_rows(run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "--format", "json", "-e", statement}));
    REQUIRE(rows.size() == 1);
    return rows[0].as_object();
}

}  // namespace

TEST_CASE("system.local: cqlwire --format json equals the Python driver, column by column") {
    const auto& tb = require_testbed();
    const std::string statement = "SELECT * FROM system.local";
    const auto theirs = python_driver_row(tb, statement);
    const auto ours = cqlwire_row(statement);

    std::set<std::string> columns;
    for (const auto& [k, v] : theirs) columns.emplace(k);
    for (const auto& [k, v] : ours) columns.emplace(k);

    std::size_t equal = 0;
    std::string report;
    for (const auto& column : columns) {
        const auto* ours_value = ours.if_contains(column);
        const auto* theirs_value = theirs.if_contains(column);
        std::string line;
        if (ours_value == nullptr) {
            line = "  only the Python driver has " + column + " = " + json::serialize(*theirs_value);
        } else if (theirs_value == nullptr) {
            line = "  only cqlwire has " + column + " = " + json::serialize(*ours_value);
        } else if (*ours_value == *theirs_value) {
            ++equal;
            continue;
        } else {
            line = "  " + column + ": cqlwire " + json::serialize(*ours_value) + ", Python driver " +
                   json::serialize(*theirs_value);
        }
        report += line + "\n";
        FAIL_CHECK(line);
    }
    const std::string summary = std::to_string(columns.size()) + " columns of system.local compared with the Python driver, " +
                                std::to_string(equal) + " equal";
    std::cout << summary << "\n" << report;
    MESSAGE(summary);
    CHECK(columns.size() == theirs.size());
    CHECK(equal == columns.size());
    // An empty comparison would prove nothing.
    CHECK(columns.size() >= 10);
}

// Role passwords in the server's text about a statement (mask_server_text) and in the trace
// printed with --tracing (format_trace_table / format_trace_json).
#include "test_support.hpp"

#include <string>
#include <string_view>

#include <boost/json/parse.hpp>

#include "cqlwire/transport/tracing.hpp"
#include "secret_masking.hpp"
#include "trace_output.hpp"

using cqlwire::cli::mask_server_text;
namespace transport = cqlwire::transport;

namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

// A statement that sets a password and the password it sets.
struct password_statement {
    std::string_view text;
    std::string_view secret;
};

constexpr password_statement every_form[] = {
    {"CREATE ROLE r WITH PASSWORD = 'S3cret-1' AND LOGIN = true", "S3cret-1"},
    {"ALTER ROLE r WITH PASSWORD = 'S3cret-2'", "S3cret-2"},
    {"CREATE USER u WITH PASSWORD 'S3cret-3' SUPERUSER", "S3cret-3"},
    {"ALTER USER u WITH PASSWORD 'S3cret-4'", "S3cret-4"},
    {"CREATE ROLE r WITH LOGIN = true AND PASSWORD = 'S3cret-5'", "S3cret-5"},
    {"CREATE ROLE r WITH HASHED PASSWORD = '$2a$10$S3cret-6hash' AND LOGIN = true", "$2a$10$S3cret-6hash"},
    {"alter role r with hashed password '$2a$10$S3cret-7hash'", "$2a$10$S3cret-7hash"},
    {"ALTER ROLE r WITH PASSWORD = $$S3cret-8'quoted$$", "S3cret-8'quoted"},
    {"CREATE ROLE r WITH PASSWORD = 'it''s-S3cret-9'", "it's-S3cret-9"},
};

}  // namespace

TEST_CASE("mask_server_text: every form of a password statement, echoed whole and out of its CQL context") {
    for (const auto& form : every_form) {
        CAPTURE(form.text);
        const std::string secret(form.secret);
        // As Cassandra's syntax errors put it: the bare value, then the statement.
        const std::string echo = "line 1:30 no viable alternative at input '" + secret + "' (" + std::string(form.text) + ")";
        REQUIRE(contains(echo, secret));  // the input holds it
        const auto masked = mask_server_text(echo, form.text);
        CHECK_FALSE(contains(masked, secret));
        CHECK(masked.starts_with("line 1:30 no viable alternative at input '********' ("));
        // The statement's own literal, in a message about another statement: the lexer alone.
        const auto alone = mask_server_text("Parsing " + std::string(form.text), "SELECT 1");
        CHECK_FALSE(contains(alone, secret));
        CHECK(contains(alone, "********"));
    }
}

TEST_CASE("mask_server_text: a statement cut short, the value in brackets, nothing to mask") {
    const std::string_view statement = "CREATE ROLE r WITH PASSWORD = 'S3cret-long' AND LOGIN = true";
    // Cut inside the literal: the lexer takes an unterminated literal to the end.
    CHECK(mask_server_text("Query too long: CREATE ROLE r WITH PASSWORD = 'S3cre", statement) ==
          "Query too long: CREATE ROLE r WITH PASSWORD = '********");
    // The value where the lexer sees no literal after PASSWORD (a marker between them).
    CHECK(mask_server_text("mismatched input at (...WITH PASSWORD = ['S3cret-long'] AND...)", statement) ==
          "mismatched input at (...WITH PASSWORD = ['********'] AND...)");
    // Every occurrence, also where two touch.
    CHECK(mask_server_text("S3cret-longS3cret-long and S3cret-long", statement) == "******** and ********");
    // Text that holds no password is left as it is, also when the statement sets one.
    CHECK(mask_server_text("Role r already exists", statement) == "Role r already exists");
    CHECK(mask_server_text("Keyspace 'S3cret-long' does not exist", "USE \"S3cret-long\"") ==
          "Keyspace 'S3cret-long' does not exist");
    CHECK(mask_server_text("", statement).empty());
}

namespace {

const std::string_view traced_statement = "ALTER ROLE r WITH PASSWORD = 'S3cret-trace'";

transport::query_trace trace_of_password_statement() {
    transport::query_trace t;
    t.session.id = *cqlwire::protocol::parse_uuid("8d5a6ec0-ebde-11f1-b5d5-6741946fc38a");
    t.session.coordinator = "127.0.0.1";
    t.session.client = "10.0.0.7";
    t.session.request = "Execute CQL3 query";
    t.session.duration_us = 1500;
    t.session.started_at_ms = 1'795'947'615'262;
    t.session.parameters = {{"consistency_level", "ONE"}, {"query", std::string(traced_statement)}};
    const std::int64_t start_us = t.session.started_at_ms * 1000;
    t.events.push_back({t.session.id, "Parsing " + std::string(traced_statement), "127.0.0.1", 353, "NTR-1",
                        start_us + 353});
    t.events.push_back({t.session.id, "Hashing password S3cret-trace", "127.0.0.1", 401, "NTR-1", start_us + 401});
    return t;
}

}  // namespace

TEST_CASE("--tracing output masks the password in the trace's activities and parameters") {
    const auto t = trace_of_password_statement();
    // The input does hold the secret, in an activity and a parameter.
    REQUIRE(contains(t.events[0].activity, "S3cret-trace"));
    REQUIRE(contains(t.session.parameters[1].second, "S3cret-trace"));

    const auto table = cqlwire::cli::format_trace_table(t, traced_statement);
    INFO(table);
    CHECK_FALSE(contains(table, "S3cret-trace"));
    CHECK(contains(table, " Parsing ALTER ROLE r WITH PASSWORD = '********' [NTR-1] | 2026-11-29 10:20:15.262353 |"));
    CHECK(contains(table, " Hashing password ******** [NTR-1] |"));

    const auto json = cqlwire::cli::format_trace_json(t, traced_statement);
    INFO(json);
    CHECK_FALSE(contains(json, "S3cret-trace"));
    const auto doc = boost::json::parse(json);
    const auto& o = doc.as_object();
    CHECK(o.at("parameters").as_object().at("query").as_string() == "ALTER ROLE r WITH PASSWORD = '********'");
    CHECK(o.at("parameters").as_object().at("consistency_level").as_string() == "ONE");
    const auto& events = o.at("events").as_array();
    REQUIRE(events.size() == 2);
    CHECK(events[0].as_object().at("activity").as_string() == "Parsing ALTER ROLE r WITH PASSWORD = '********'");
    CHECK(events[1].as_object().at("activity").as_string() == "Hashing password ********");
}

TEST_CASE("--tracing output of a statement without a password is unchanged") {
    auto t = trace_of_password_statement();
    t.session.parameters = {{"query", "SELECT 'S3cret-trace' FROM t"}};
    t.events[0].activity = "Parsing SELECT 'S3cret-trace' FROM t";
    const auto table = cqlwire::cli::format_trace_table(t, "SELECT 'S3cret-trace' FROM t");
    CHECK(contains(table, "Parsing SELECT 'S3cret-trace' FROM t [NTR-1]"));
    const auto doc = boost::json::parse(cqlwire::cli::format_trace_json(t, "SELECT 'S3cret-trace' FROM t"));
    CHECK(doc.as_object().at("parameters").as_object().at("query").as_string() == "SELECT 'S3cret-trace' FROM t");
}

// COPY's pure pieces: the command's text, its options, its CSV and its timestamp patterns.
#include "test_support.hpp"

#include <string>
#include <vector>

#include "copy_options.hpp"
#include "copy_statement.hpp"
#include "copy_time_format.hpp"
#include "csv_dialect.hpp"

using namespace cqlwire::cli;

namespace {

copy_statement parsed(std::string_view text) {
    std::string error;
    auto st = parse_copy_statement(text, "/home/u", error);
    REQUIRE_MESSAGE(st.has_value(), error);
    return *st;
}

std::string refusal(std::string_view text) {
    std::string error;
    CHECK_FALSE(parse_copy_statement(text, "/home/u", error).has_value());
    return error;
}

const auto no_config_file = [](const std::string&, std::vector<copy_config_section>&, std::string& error) {
    error = "no config file in this test";
    return false;
};

copy_options options_of(std::string_view text, const std::vector<copy_config_section>& config = {}) {
    std::string error;
    auto o = resolve_copy_options(parsed(text), "ks", config, no_config_file, error);
    REQUIRE_MESSAGE(o.has_value(), error);
    return *o;
}

std::string options_refusal(std::string_view text) {
    std::string error;
    CHECK_FALSE(resolve_copy_options(parsed(text), "ks", {}, no_config_file, error).has_value());
    return error;
}

std::vector<std::vector<std::string>> read_all(std::string_view data, csv_dialect d = {}, std::string* error = nullptr,
                                               std::size_t max_record = std::size_t{16} << 20) {
    std::size_t pos = 0;
    // Two bytes per read, so that records cross buffer ends.
    csv_reader reader(
        d,
        [&](char* buffer, std::size_t size) -> long {
            const std::size_t n = std::min<std::size_t>({size, 2, data.size() - pos});
            std::copy_n(data.data() + pos, n, buffer);
            pos += n;
            return static_cast<long>(n);
        },
        max_record);
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> fields;
    for (;;) {
        const auto s = reader.next(fields);
        if (s == csv_reader::status::end) break;
        if (s == csv_reader::status::error) {
            if (error) *error = reader.error();
            break;
        }
        out.push_back(fields);
    }
    return out;
}

}  // namespace

TEST_CASE("COPY's text: tables, columns, directions, files and options") {
    CHECK(is_copy_statement("  copy ks.t TO STDOUT"));
    CHECK_FALSE(is_copy_statement("copying"));
    CHECK_FALSE(is_copy_statement("SELECT copy FROM t"));

    auto st = parsed("COPY Ks.\"MyTable\" (a, \"B\") TO '/tmp/x.csv' WITH HEADER = true AND delimiter='|';");
    CHECK(st.direction == copy_direction::to);
    CHECK(st.keyspace == "ks");
    CHECK(st.table == "MyTable");
    CHECK(st.columns == std::vector<std::string>{"a", "B"});
    CHECK(st.file == "/tmp/x.csv");
    REQUIRE(st.options.size() == 2);
    CHECK(st.options[0] == std::pair<std::string, std::string>{"header", "true"});
    CHECK(st.options[1] == std::pair<std::string, std::string>{"delimiter", "|"});

    st = parsed("copy t from stdin with maxrows = -1 and floatprecision = 3");
    CHECK(st.direction == copy_direction::from);
    CHECK(st.keyspace.empty());
    CHECK_FALSE(st.file.has_value());
    CHECK(st.options[0].second == "-1");

    CHECK(parsed("COPY t TO '~/out.csv'").file == "/home/u/out.csv");
    CHECK(parsed("COPY t TO 'it''s.csv'").file == "it's.csv");
    CHECK(parsed("COPY t FROM 'a.csv, b*.csv'").file == "a.csv, b*.csv");
    CHECK(parsed("COPY t TO STDOUT WITH NULL = '' ").options[0].second.empty());
}

TEST_CASE("COPY's text: malformed commands are named") {
    CHECK(refusal("COPY") == "Improper COPY command. It names no table.");
    CHECK(refusal("COPY t") == "Improper COPY command. It needs TO or FROM.");
    CHECK(refusal("COPY t TO") == "Improper COPY command. It needs a file name in quotes, or STDOUT.");
    CHECK(refusal("COPY t FROM STDOUT") == "Improper COPY command. It needs a file name in quotes, or STDIN.");
    CHECK(refusal("COPY t TO 'x").find("never closed") != std::string::npos);
    CHECK(refusal("COPY t (a, TO 'x'").find("column list") != std::string::npos);
    CHECK(refusal("COPY t TO 'x' WITH header").find("'= value'") != std::string::npos);
    CHECK(refusal("COPY t TO 'x' WITH header = true trailing") == "Improper COPY command. Unexpected text after the command.");
    CHECK(refusal("COPY t TO ''") == "Improper COPY command. The file name is empty.");
}

TEST_CASE("COPY's options: defaults, values, directions and the cqlshrc's sections") {
    auto o = options_of("COPY t TO 'f'");
    CHECK(o.dialect.delimiter == ',');
    CHECK(o.dialect.quote == '"');
    CHECK(o.dialect.escape == '\\');
    CHECK(o.null_text.empty());
    CHECK_FALSE(o.header);
    CHECK(o.page_size == 10000);
    CHECK_FALSE(o.page_timeout_s.has_value());
    CHECK(o.error_file == "import_ks_t.err");
    CHECK_FALSE(o.float_precision.has_value());

    o = options_of("COPY t FROM 'f' WITH BOOLSTYLE = 'yes, no' AND SKIPCOLS = 'a, b' AND TTL = 60 AND ERRFILE = 'e.err'");
    CHECK(o.true_text == "yes");
    CHECK(o.false_text == "no");
    CHECK(o.skip_columns == std::vector<std::string>{"a", "b"});
    CHECK(o.ttl == 60);
    CHECK(o.error_file == "e.err");

    CHECK(options_refusal("COPY t TO 'f' WITH chunksize = 5 AND bogus = 1") == "Unrecognized COPY TO options: chunksize, bogus");
    CHECK(options_refusal("COPY t FROM 'f' WITH pagesize = 5") == "Unrecognized COPY FROM options: pagesize");
    CHECK(options_refusal("COPY t TO 'f' WITH pagesize = 'ten'").find("PAGESIZE") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH pagesize = 0").find("not within 1") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH delimiter = ';;'").find("one ASCII character") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH delimiter = '\"'").find("DELIMITER and QUOTE") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH boolstyle = 'yes'").find("boolean styles") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH header = maybe").find("neither true nor false") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH encoding = 'latin1'").find("UTF-8 only") != std::string::npos);
    CHECK(options_refusal("COPY t TO 'f' WITH configfile = '/x'") == "no config file in this test");

    // Sections in cqlsh's order, later ones winning, the command over them all; another
    // table's section and the other direction's are left alone.
    const std::vector<copy_config_section> config = {
        {"copy-to:ks.t", {{"pagesize", "7"}}},
        {"copy", {{"header", "true"}, {"pagesize", "5"}, {"chunksize", "9"}}},
        {"copy-to", {{"pagesize", "6"}, {"null", "N"}}},
        {"copy:ks.other", {{"delimiter", ";"}}},
    };
    o = options_of("COPY t TO 'f' WITH null = 'X'", config);
    CHECK(o.header);
    CHECK(o.page_size == 7);
    CHECK(o.null_text == "X");
    CHECK(o.dialect.delimiter == ',');
    std::string error;
    const std::vector<copy_config_section> bad = {{"copy", {{"maxrows", "many"}}}};
    CHECK_FALSE(resolve_copy_options(parsed("COPY t TO 'f'"), "ks", bad, no_config_file, error).has_value());
    CHECK(error.find("[copy]") != std::string::npos);
}

TEST_CASE("COPY's CSV: written as cqlsh writes it, read back field for field") {
    std::string out;
    csv_append_record({}, {"1", "a,b", "say \"hi\"", "back\\slash", "two\nlines", ""}, out);
    CHECK(out == "1,\"a,b\",say \\\"hi\\\",back\\\\slash,\"two\nlines\",\r\n");
    out.clear();
    csv_append_record({}, {""}, out);
    CHECK(out == "\"\"\r\n");
    out.clear();
    csv_append_record({'|', '\'', '\''}, {"it's", "a|b", "plain"}, out);
    CHECK(out == "'it''s'|'a|b'|plain\r\n");

    const std::vector<std::vector<std::string>> rows = {
        {"1", "a,b", "say \"hi\"", "back\\slash", "two\nlines", ""}, {"x"}, {"", ""}, {"ünïcödé 😀", "\r"}};
    for (const csv_dialect d : {csv_dialect{}, csv_dialect{'\t', '"', '"'}, csv_dialect{';', '\'', '\\'}}) {
        std::string text;
        for (const auto& r : rows) csv_append_record(d, r, text);
        CHECK(read_all(text, d) == rows);
    }
    // Python's reader: blank lines skipped, LF or CR line ends, text after a closing quote kept.
    CHECK(read_all("a,b\n\n\rc\r\"d\"x,\n") == std::vector<std::vector<std::string>>{{"a", "b"}, {"c"}, {"dx", ""}});
    std::string error;
    CHECK(read_all("ok\n\"never closed\n", {}, &error).size() == 1);
    CHECK(error == "a quoted field that begins on line 2 is never closed");
    error.clear();
    const auto capped = read_all("short\n" + std::string(100, 'x') + "\nafter\n", {}, &error, 50);
    CHECK(capped.size() == 1);
    CHECK(error.find("line 2 is longer than") != std::string::npos);
}

TEST_CASE("COPY's DATETIMEFORMAT: written and read with the same pattern") {
    std::string out;
    format_timestamp(default_datetime_format, 1'714'979'289'123, out);
    CHECK(out == "2024-05-06 07:08:09.123+0000");
    CHECK(parse_timestamp(default_datetime_format, out) == 1'714'979'289'123);
    out.clear();
    format_timestamp("%d/%m/%y %H.%M %Z %j%%", -1, out);
    CHECK(out == "31/12/69 23.59 UTC 365%");
    out.clear();
    format_timestamp("%Y", 253'402'300'800'000, out);  // year 10000: the raw count, as cqlsh
    CHECK(out == "253402300800000");
    CHECK(parse_timestamp("%Y-%m-%dT%H:%M:%S%z", "2024-05-06T09:08:09+02:00") == 1'714'979'289'000);
    CHECK(parse_timestamp("%Y-%m-%d %H:%M:%S.%f", "1969-12-31 23:59:59.999999") == -1);
    CHECK_FALSE(parse_timestamp("%Y-%m-%d", "2024-02-30").has_value());
    CHECK_FALSE(parse_timestamp("%Y-%m-%d", "2024-05-06 extra").has_value());
    CHECK_FALSE(parse_timestamp("%Y", "999999999").has_value());
    std::string error;
    CHECK(check_datetime_format("%Y-%m-%d", error));
    CHECK_FALSE(check_datetime_format("%Y %q", error));
    CHECK(error.find("%q is not supported") != std::string::npos);
    CHECK_FALSE(check_datetime_format("100%", error));
}

TEST_CASE("COPY's DATETIMEFORMAT: a year is four digits, so that %Y%j reads back") {
    std::string out;
    format_timestamp("%Y%j %H%M%S", -1000, out);
    CHECK(out == "1969365 235959");
    CHECK(parse_timestamp("%Y%j %H%M%S", out) == -1000);
    CHECK(parse_timestamp("%Y-%m-%d", "+12024-01-01").has_value());
    out.clear();
    format_timestamp("%s.%f", -1500, out);
    CHECK(out == "-2.500");
    CHECK(parse_timestamp("%s.%f", out) == -1500);
}

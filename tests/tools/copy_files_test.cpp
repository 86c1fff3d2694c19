// COPY's file pieces: COPY TO's cell text under its options, COPY FROM's record source (headers,
// several files and globs, a directory, a FIFO whose writer comes late, a lone "." ending
// standard input) and its error file (renamed aside, never overwritten).
#include "test_support.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "copy_cell_text.hpp"
#include "copy_files.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/types.hpp"
#include "temp_dir.hpp"

using namespace cqlwire;
using namespace cqlwire::cli;

namespace {

std::string text_of(protocol::type_kind kind, const std::vector<std::uint8_t>& wire, const copy_options& o) {
    const auto type = protocol::data_type::of(kind);
    const protocol::value_view v(type, protocol::raw_value::of(protocol::bytes_view(wire)));
    std::string out = "stale", reason;
    CHECK(copy_cell_text(v, o, out, reason));
    return out;
}

std::vector<std::uint8_t> be64(std::uint64_t v) {
    std::vector<std::uint8_t> b;
    for (int i = 7; i >= 0; --i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return b;
}

std::vector<std::vector<std::string>> all_records(record_source& source, std::vector<std::string>* errors = nullptr) {
    std::vector<std::vector<std::string>> out;
    std::vector<std::string> fields;
    std::string error;
    for (;;) {
        const auto s = source.next(fields, error);
        if (s == record_source::status::end) break;
        if (s == record_source::status::record) out.push_back(fields);
        else if (errors) errors->push_back(error);
    }
    return out;
}

std::string file_text(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("COPY TO's cells: lossless by default, cqlsh's forms when the options ask") {
    using protocol::type_kind;
    copy_options o;
    const auto d = be64(0x40FE240C9FBE76C9);  // 123456.789
    CHECK(text_of(type_kind::double_, d, o) == "123456.789");
    CHECK(text_of(type_kind::boolean, {1}, o) == "True");
    CHECK(text_of(type_kind::timestamp, be64(1'714'979'289'123), o) == "2024-05-06 07:08:09.123+0000");
    o.double_precision = 5;
    o.true_text = "yes";
    o.datetime_format = "%d/%m/%Y";
    o.thousands_sep = " ";
    o.decimal_sep = ",";
    CHECK(text_of(type_kind::double_, d, o) == "123 456,789");
    CHECK(text_of(type_kind::boolean, {1}, o) == "yes");
    CHECK(text_of(type_kind::timestamp, be64(1'714'979'289'123), o) == "06/05/2024");
    CHECK(text_of(type_kind::bigint, be64(1234567), o) == "1 234 567");
    o.double_precision.reset();
    CHECK(text_of(type_kind::double_, d, o) == "123 456,789");
    // Text is never localized.
    CHECK(text_of(type_kind::varchar, {'1', '.', '5'}, o) == "1.5");
}

TEST_CASE("COPY FROM's sources: files in order, headers skipped per file, globs, a directory refused") {
    test::temp_dir dir("copy-files");
    const auto a = dir.write("a.csv", "h1,h2\n1,x\n2,y\n");
    const auto b = dir.write("b.csv", "h1,h2\r\n3,z\r\n");
    std::filesystem::create_directory(dir.path("sub"));
    record_source source({}, true);
    std::string error;
    REQUIRE(source.add_files(a + ", " + dir.path("b*.csv"), error));
    CHECK(all_records(source) == std::vector<std::vector<std::string>>{{"1", "x"}, {"2", "y"}, {"3", "z"}});
    CHECK(source.sources_opened() == 2);

    record_source missing({}, false);
    CHECK_FALSE(missing.add_files(dir.path("nothing*.csv"), error));
    CHECK(error.find("no matching file found") != std::string::npos);

    record_source directory({}, false);
    REQUIRE(directory.add_files(dir.path("sub"), error));
    std::vector<std::string> errors;
    CHECK(all_records(directory, &errors).empty());
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("it is a directory") != std::string::npos);

    // A bad record names its own line, and reading goes on after it.
    const auto bad = dir.write("bad.csv", "1,ok\n2,\"open\n");
    record_source with_bad({}, false);
    REQUIRE(with_bad.add_files(bad, error));
    errors.clear();
    CHECK(all_records(with_bad, &errors).size() == 1);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].find("line 2: a quoted field that begins on line 2 is never closed") != std::string::npos);
}

TEST_CASE("COPY FROM's sources: a FIFO waits for a writer that comes late") {
    test::temp_dir dir("copy-fifo");
    const auto fifo = dir.path("rows");
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        std::ofstream out(fifo);
        out << "1,late\n";
    });
    record_source source({}, false);
    std::string error;
    REQUIRE(source.add_files(fifo, error));
    const auto records = all_records(source);
    writer.join();
    CHECK(records == std::vector<std::vector<std::string>>{{"1", "late"}});
}

TEST_CASE("COPY FROM's error file: created on the first row, earlier ones moved aside") {
    test::temp_dir dir("copy-err");
    const std::filesystem::path path = dir.path("t.err");
    for (int run = 0; run < 3; ++run) {
        error_file f(path.string(), {});
        std::string error;
        REQUIRE(f.add({"run", std::to_string(run)}, error));
        REQUIRE(f.add({"a,b", ""}, error));
    }
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.str()))
        if (e.path().filename().string().starts_with("t.err")) ++files;
    CHECK(files == 3);
    CHECK(file_text(path) == "run,2\r\n\"a,b\",\r\n");
    error_file unwritable("/nonexistent-dir/t.err", {});
    std::string error;
    CHECK_FALSE(unwritable.add({"x"}, error));
    CHECK(error.find("Can't open '/nonexistent-dir/t.err' for writing") != std::string::npos);
}

// Which files of a run are the same: an output file the command would write (trace, key log,
// history) must never be one of the credentials or settings it reads.
#include "test_support.hpp"

#include <unistd.h>

#include <filesystem>
#include <string>

#include "output_aliasing.hpp"
#include "settings.hpp"
#include "temp_dir.hpp"

namespace {

using cqlwire::cli::output_overwriting_input;
using cqlwire::cli::same_file;
using cqlwire::test::temp_dir;

TEST_CASE("output aliasing: the same file by inode when it exists, by normalized path when it does not") {
    temp_dir dir("cqlwire-aliasing");
    const std::string key = dir.write("k.key", "key\n");
    CHECK(same_file(key, key));
    CHECK(same_file(key, dir.str() + "/./k.key"));
    // A hard link and a symbolic link are the same file under another name.
    std::filesystem::create_hard_link(key, dir.path("hard.key"));
    std::filesystem::create_symlink(key, dir.path("soft.key"));
    CHECK(same_file(dir.path("hard.key"), key));
    CHECK(same_file(dir.path("soft.key"), key));
    CHECK_FALSE(same_file(dir.write("other.key", "key\n"), key));
    // Neither exists yet: the paths decide.
    CHECK(same_file(dir.path("new.log"), dir.str() + "/sub/../new.log"));
    CHECK_FALSE(same_file(dir.path("new.log"), dir.path("new2.log")));
    CHECK_FALSE(same_file("", ""));
}

TEST_CASE("output aliasing: the line history and the key log are checked against every input") {
    temp_dir dir("cqlwire-aliasing");
    cqlwire::cli::settings s;
    s.tls.cert_file = dir.write("c.crt", "certificate\n");
    s.tls.key_file = dir.write("k.key", "key\n");
    CHECK(output_overwriting_input(s, true, std::nullopt, dir.path(".cqlwire_history")).empty());
    CHECK(output_overwriting_input(s, true, std::nullopt, s.tls.cert_file) ==
          "the line history '" + s.tls.cert_file + "' is the file given as --cert ('" + s.tls.cert_file +
              "'), which writing would overwrite; give --cert a file other than the line history");
    const std::string rc = dir.write("cqlshrc", "[connection]\n");
    s.tls.key_log_file = rc;
    CHECK(output_overwriting_input(s, true, rc, "") == "--keylog '" + rc + "' is the file given as --cqlshrc ('" + rc +
                                                          "'), which writing would overwrite; give --keylog another file");
    // The credentials file is an input like the others.
    s.tls.key_log_file.clear();
    s.credentials_file = dir.write("credentials", "[plain_text_auth]\n", std::filesystem::perms::owner_read);
    s.trace_file = s.credentials_file;
    CHECK(output_overwriting_input(s, true, std::nullopt, "") ==
          "--trace-file '" + s.credentials_file + "' is the file given as --credentials ('" + s.credentials_file +
              "'), which writing would overwrite; give --trace-file another file");
    // So is a contact point's own CA file from the cqlshrc's [certfiles].
    s.credentials_file.clear();
    s.tls.ca_file_by_host = {{"node2", dir.write("node2-ca.pem", "CA\n")}};
    s.trace_file = s.tls.ca_file_by_host.front().second;
    CHECK(output_overwriting_input(s, true, std::nullopt, "") ==
          "--trace-file '" + s.trace_file + "' is the file given as [certfiles] node2 ('" + s.trace_file +
              "'), which writing would overwrite; give --trace-file another file");
}

}  // namespace

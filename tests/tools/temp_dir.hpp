// A temporary folder for a test's files (and a $HOME for the command), removed with everything
// in it when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "test_support.hpp"

namespace cqlwire::test {

class temp_dir {
public:
    explicit temp_dir(std::string_view prefix = "cqlwire-test") {
        std::string pattern = (std::filesystem::temp_directory_path() / (std::string(prefix) + "-XXXXXX")).string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path_ = pattern;
    }
    ~temp_dir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;

    // Writes `content` to the file `name` (mode 0600 unless `perms` says otherwise); its path.
    std::string write(std::string_view name, std::string_view content,
                      std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                     std::filesystem::perms::owner_write) const {
        const auto p = path_ / name;
        std::ofstream(p, std::ios::binary) << content;
        std::filesystem::permissions(p, perms);
        return p.string();
    }
    std::string path(std::string_view name) const { return (path_ / name).string(); }
    std::string str() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

}  // namespace cqlwire::test

// The test PKI: runs `tools/make-pki tests` once per test process into a fresh temporary
// folder and hands out the paths of the files it made (the list is at the top of the script).
// The folder is removed when the process exits. Nothing here is ever committed: keys exist
// only for the length of a test run.
//
//   const auto& pki = cqlwire::test::test_pki::instance();   // generates on first use (~5 s)
//   opts.ca_files = {pki.path("server-ca.crt")};
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <unistd.h>

namespace cqlwire::test {

class test_pki {
public:
    // Generates the PKI on first call; throws std::runtime_error if the script fails (the
    // test that asked then fails, with the script's output on stderr above it).
    static const test_pki& instance() {
        static const test_pki pki;
        return pki;
    }

    const std::filesystem::path& dir() const noexcept { return dir_; }
    std::string path(std::string_view file) const { return (dir_ / file).string(); }
    // The passphrase of client-encrypted.key.
    std::string key_password() const {
        std::ifstream in(dir_ / "client-encrypted.pass");
        std::string line;
        std::getline(in, line);
        return line;
    }

    test_pki(const test_pki&) = delete;
    test_pki& operator=(const test_pki&) = delete;
    ~test_pki() {
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

private:
    test_pki() {
        std::string pattern = (std::filesystem::temp_directory_path() / "cqlwire-pki-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("test_pki: mkdtemp failed");
        dir_ = pattern;
        const std::string command = "bash '" + script().string() + "' tests '" + dir_.string() + "'";
        if (std::system(command.c_str()) != 0) throw std::runtime_error("test_pki: " + command + " failed");
    }

    static std::filesystem::path script() {
#ifdef CQLWIRE_TEST_PKI_SCRIPT
        return CQLWIRE_TEST_PKI_SCRIPT;
#else
        // CMake compiles with absolute source paths: tests/pki/ is two folders below the root.
        return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path() / "tools" / "make-pki";
#endif
    }

    std::filesystem::path dir_;
};

}  // namespace cqlwire::test

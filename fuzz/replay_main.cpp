// The replay driver: runs a fuzz target's LLVMFuzzerTestOneInput once on every file of the
// folders (or files) named on the command line, so that the committed seeds and every past
// finding run in each ordinary build, with any compiler and under the sanitizers, without
// libFuzzer. A folder that does not exist is skipped with a note (a target may have no
// regressions yet); a broken invariant aborts, which ctest reports as a failure.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

bool run_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", path.string().c_str());
        return false;
    }
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // An exact-size heap copy, so that the sanitizers catch a read one byte past the input.
    auto copy = std::make_unique<std::uint8_t[]>(bytes.size());
    // Named before the run, so that a crash's report says which input it was.
    std::printf("%s\n", path.string().c_str());
    std::fflush(stdout);
    std::copy(bytes.begin(), bytes.end(), copy.get());
    LLVMFuzzerTestOneInput(copy.get(), bytes.size());
    return true;
}

// Files whose name starts with '.' (such as the .keep that keeps an empty folder in git) are
// not inputs.
bool is_input(const std::filesystem::path& path) {
    return std::filesystem::is_regular_file(path) && path.filename().string().rfind('.', 0) != 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::size_t runs = 0;
    bool ok = true;
    for (int i = 1; i < argc; ++i) {
        const std::filesystem::path arg(argv[i]);
        std::error_code ec;
        if (!std::filesystem::exists(arg, ec)) {
            std::printf("%s: no such folder, nothing to replay\n", argv[i]);
            continue;
        }
        std::vector<std::filesystem::path> files;
        if (std::filesystem::is_directory(arg)) {
            for (const auto& entry : std::filesystem::directory_iterator(arg))
                if (is_input(entry.path())) files.push_back(entry.path());
            std::sort(files.begin(), files.end());  // a stable order makes failures reproducible
        } else {
            files.push_back(arg);
        }
        for (const auto& f : files) {
            ok = run_file(f) && ok;
            ++runs;
        }
    }
    std::printf("replayed %zu input(s)\n", runs);
    return ok ? 0 : 1;
}

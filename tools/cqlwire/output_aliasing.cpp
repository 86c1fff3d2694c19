#include "output_aliasing.hpp"

#include <filesystem>
#include <system_error>
#include <vector>

#include <sys/stat.h>

namespace cqlwire::cli {
namespace {

// `path` absolute and normalized, its existing part with symbolic links resolved.
std::filesystem::path normalized(const std::string& path) {
    std::error_code ec;
    auto resolved = std::filesystem::weakly_canonical(path, ec);
    if (!ec) return resolved;
    auto absolute = std::filesystem::absolute(path, ec);
    return (ec ? std::filesystem::path(path) : absolute).lexically_normal();
}

constexpr const char* history_option = "the line history";

}  // namespace

bool same_file(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return false;
    struct stat sa {};
    struct stat sb {};
    if (::stat(a.c_str(), &sa) == 0 && ::stat(b.c_str(), &sb) == 0)
        return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
    return normalized(a) == normalized(b);
}

std::vector<named_file> input_files(const settings& s, const std::optional<std::string>& cqlshrc) {
    std::vector<named_file> inputs{
        {"--cert", s.tls.cert_file},
        {"--key", s.tls.key_file},
        {"--cafile", s.tls.ca_file},
        {"--key-password-file", s.tls.key_password_file},
        {"--password-file", s.password_file},
        {"--credentials", s.credentials_file},
        {"--cqlshrc", cqlshrc.value_or("")},
        {"-f", s.file.value_or("")},
    };
    for (const auto& [host, path] : s.tls.ca_file_by_host) inputs.push_back({"[certfiles] " + host, path});
    return inputs;
}

std::string output_overwriting_input(const settings& s, bool keylog_from_flag, const std::optional<std::string>& cqlshrc,
                                     const std::string& history_file) {
    const std::vector<named_file> outputs{
        {"--trace-file", s.trace_file},
        {keylog_from_flag ? "--keylog" : "SSLKEYLOGFILE", s.tls.key_log_file},
        {history_option, history_file},
    };
    const auto inputs = input_files(s, cqlshrc);
    for (const auto& output : outputs) {
        for (const auto& input : inputs) {
            if (!same_file(output.path, input.path)) continue;
            // The history's place is fixed: only the input can move.
            const std::string fix = output.option == history_option
                                        ? "give " + input.option + " a file other than the line history"
                                        : "give " + output.option + " another file";
            return output.option + " '" + output.path + "' is the file given as " + input.option + " ('" + input.path +
                   "'), which writing would overwrite; " + fix;
        }
    }
    return {};
}

std::string output_overwriting_input(const cli_options& flags, const environment_lookup& env, const settings& s,
                                     const std::string& history_file) {
    const auto cqlshrc = choose_cqlshrc(flags, env, [](const std::string& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0;
    });
    return output_overwriting_input(s, flags.keylog.has_value(), cqlshrc, history_file);
}

}  // namespace cqlwire::cli

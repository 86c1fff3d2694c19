// Refuses a file the command writes (the frame trace, the TLS key log, the line history) that is
// one of the files it reads (the certificate, key, CA file, passphrase and password files, the
// cqlshrc, the -f statements): writing would overwrite or append into a credential.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "settings.hpp"

namespace cqlwire::cli {

// Whether `a` and `b` name the same file: the same device and inode when both exist, else the
// same path once made absolute and normalized (symbolic links of existing parents resolved).
[[nodiscard]] bool same_file(const std::string& a, const std::string& b);

// The files of a run, by the option that named them.
struct named_file {
    std::string option;  // "--trace-file", "SSLKEYLOGFILE", "--cert", ...
    std::string path;    // empty: not used in this run
};

// The files the run reads (certificate, key, CA, passphrase, password and credentials files, the
// cqlshrc, -f), by option; a path is empty when the run does not use it.
[[nodiscard]] std::vector<named_file> input_files(const settings& s, const std::optional<std::string>& cqlshrc);

// The one-line refusal of the first output file of `s` (and `history_file`, empty when there is
// none) that is one of its input files (and `cqlshrc`, the one read), naming both; empty when
// there is none. `keylog_from_flag` says whether the key log came from --keylog or SSLKEYLOGFILE.
[[nodiscard]] std::string output_overwriting_input(const settings& s, bool keylog_from_flag,
                                                   const std::optional<std::string>& cqlshrc,
                                                   const std::string& history_file);

// The same for a run of a command after load_settings: the cqlshrc is the one it chose (from
// `flags` and `env`), the key log's option the one `flags` say.
[[nodiscard]] std::string output_overwriting_input(const cli_options& flags, const environment_lookup& env,
                                                   const settings& s, const std::string& history_file);

}  // namespace cqlwire::cli

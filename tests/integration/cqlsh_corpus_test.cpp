// The corpus: every script of tests/integration/cqlsh_corpus (shell commands, every DESCRIBE
// form, EXPAND, paging, each column type, errors, writes, COPY) run through the testbed's real
// cqlsh and through `cqlwire`, against the same node with the same cqlshrc. Standard output must
// match byte for byte once what must differ is taken out, and standard error must be empty for
// both or for neither (the two word their errors differently, as the README says).
//
// What must differ is taken out by the normalizers below; each names the bullet of the README's
// "Differences from cqlsh" that gives its reason, and the test fails when the README lost it: a
// difference nobody listed cannot pass.
#include "test_support.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run_cqlwire.hpp"

using namespace cqlwire::integration;

namespace {

const std::filesystem::path corpus_dir = CQLWIRE_CQLSH_CORPUS_DIR;
const std::filesystem::path readme = CQLWIRE_README;

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
        text.replace(at, from.size(), to);
    return text;
}

// One known difference: where the README gives its reason, and how it is taken out of both
// outputs.
struct normalizer {
    std::string readme_bullet;  // the bold opening words of its README bullet
    std::regex pattern;
    std::string replacement;
    std::vector<std::string> only_in;  // parts of the names of the scripts it applies to; none: every script
};

const std::vector<normalizer>& normalizers() {
    static const std::vector<normalizer> all = {
        {"**SHOW VERSION**", std::regex("\\[(cqlsh|cqlwire) [^|]*\\| (Cassandra [^|]*)\\| (CQL spec [^|]*)\\| Native protocol v[0-9]\\]"),
         "[SHELL | $2| $3| Native protocol]", {}},
        {"**COPY's progress line**", std::regex("Using [0-9]+ child processes\n"), "", {}},
        {"**COPY's progress line**", std::regex("Processed: [^\r\n]*\r+"), "", {}},
        // The scripts whose tables hold an empty collection (LIST ROLES: its options): the
        // padding and the dashes differ, the text does not.
        {"**Column widths around empty collections**", std::regex("[ -]+"), " ", {"select_maps", "list_roles"}},
    };
    return all;
}

// What is not output of the script at all: cqlsh's warning about its own build, and the time a
// COPY took.
std::string without_noise(std::string out) {
    out = std::regex_replace(out, std::regex("WARNING: cqlsh was built against[^\n]*\n"), "");
    return std::regex_replace(out, std::regex(" in [0-9a-z ,.]*seconds"), " in T seconds");
}

std::string normalized(std::string out, const std::string& script) {
    out = without_noise(std::move(out));
    for (const auto& n : normalizers())
        if (n.only_in.empty() || std::any_of(n.only_in.begin(), n.only_in.end(), [&](const std::string& part) {
                return script.find(part) != std::string::npos;
            }))
            out = std::regex_replace(out, n.pattern, n.replacement);
    return out;
}

// Standard error but for cqlsh's notice about the article's cqlshrc (which holds the password:
// cqlsh 6 deprecates that), which no script causes.
std::string script_errors(const std::string& err) {
    std::string s = std::regex_replace(err, std::regex("Notice: Credentials in the cqlshrc file is deprecated[^\n]*\n"), "");
    s = std::regex_replace(s, std::regex("Please use a credentials file to specify the username and password\\.\n"), "");
    return std::regex_replace(s, std::regex("^\\s+$"), "");
}

std::string differences_section() {
    const std::string text = read_file(readme);
    const auto start = text.find("#### Differences from cqlsh");
    REQUIRE(start != std::string::npos);
    const auto end = text.find("\n#", start + 1);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

process_result run_cqlsh(const testbed_env& tb, const std::string& script) {
    cqlwire::test::process_options o;
    o.env = {{"HOME", scratch_folder().string()}};
    o.timeout = std::chrono::seconds(120);
    const auto cqlsh = (std::filesystem::path(tb.python).parent_path() / "cqlsh").string();
    return cqlwire::test::run_process(cqlsh, {"--ssl", "--cqlshrc", article_cqlshrc_file(), "-f", script}, o);
}

}  // namespace

TEST_CASE("the corpus: the real cqlsh and cqlwire print the same, but for the README's differences") {
    const auto& tb = require_testbed();
    const auto setup = run_cqlwire_logged_in(tb, {"-f", (corpus_dir / "setup.cql.in").string()});
    INFO(describe(setup));
    REQUIRE(setup.exit_code == 0);

    std::vector<std::filesystem::path> scripts;
    for (const auto& e : std::filesystem::directory_iterator(corpus_dir))
        if (e.path().extension() == ".cql") scripts.push_back(e.path());
    std::sort(scripts.begin(), scripts.end());
    REQUIRE(scripts.size() >= 60);

    const std::string dir = scratch_folder().string();
    std::size_t agreed = 0;
    for (const auto& path : scripts) {
        const std::string name = path.filename().string();
        const std::string script = write_private_file(name, replace_all(read_file(path), "@DIR@", dir));
        const auto theirs = run_cqlsh(tb, script);
        INFO(name << "\ncqlsh: " << describe(theirs));
        REQUIRE_MESSAGE(!theirs.timed_out, "cqlsh did not finish " << name);
        const auto ours = run_cqlwire({"--cqlshrc", article_cqlshrc_file(), "-f", script}, {}, std::chrono::seconds(120));
        INFO("cqlwire: " << describe(ours));
        const bool same_out = normalized(ours.out, name) == normalized(theirs.out, name);
        const bool same_err = script_errors(ours.err).empty() == script_errors(theirs.err).empty();
        CHECK_MESSAGE(same_out, name << ": standard output differs");
        CHECK_MESSAGE(same_err, name << ": only one of the two wrote to standard error");
        if (same_out && same_err) ++agreed;
    }
    MESSAGE(agreed << " of " << scripts.size() << " scripts agree");

    // Every difference taken out is one the README lists, with its reason.
    const std::string listed = differences_section();
    for (const auto& n : normalizers())
        CHECK_MESSAGE(listed.find(n.readme_bullet) != std::string::npos,
                      "the README's Differences from cqlsh does not list " << n.readme_bullet);
}

// Fuzzes parse_cqlshrc over arbitrary file text.
//
// Invariants: it returns (no crash, no hang); on error the message names the file; and the
// password never shows in the message or in any warning. For the last one the password (when it
// is eight bytes or more and occurs once in the file) is replaced by a marker of the same length
// and the file parsed again: the marker must not appear in what the parser says. Inputs where
// the marker also occurs elsewhere are skipped. (Testing the password's own text would trip over
// passwords such as "[authentication]" that the parser's fixed wording contains.)
#include <string>

#include "cqlshrc.hpp"
#include "fuzz_support.hpp"

namespace {

bool mentions(std::string_view text, std::string_view secret) { return text.find(secret) != std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = cqlwire::fuzz::as_text({data, size});
    cqlwire::cli::cqlshrc_values values;
    std::string message;
    const std::error_code ec = cqlwire::cli::parse_cqlshrc(text, "fuzz.cqlshrc", values, message);
    if (ec) {
        FUZZ_CHECK(message.rfind("fuzz.cqlshrc", 0) == 0);
        return 0;
    }
    if (!values.password) return 0;
    const auto secret = cqlwire::fuzz::as_text(values.password->view());
    if (secret.size() < 8) return 0;
    const auto first = text.find(secret);
    if (first == std::string_view::npos || text.find(secret, first + 1) != std::string_view::npos) return 0;

    std::string marker;
    for (std::size_t i = 0; i < secret.size(); ++i) marker.push_back("Zq7"[i % 3]);
    std::string marked(text);
    marked.replace(first, secret.size(), marker);
    // The marker must stand for the password alone: the fuzzer learns it (from the comparisons
    // below) and plants it elsewhere, in a section name for instance, which a warning may
    // rightly quote.
    if (marked.find(marker) != first || marked.find(marker, first + 1) != std::string::npos) return 0;
    cqlwire::cli::cqlshrc_values marked_values;
    std::string marked_message;
    if (cqlwire::cli::parse_cqlshrc(marked, "fuzz.cqlshrc", marked_values, marked_message)) return 0;
    if (!marked_values.password || cqlwire::fuzz::as_text(marked_values.password->view()) != marker) return 0;
    FUZZ_CHECK(!mentions(marked_message, marker));
    for (const auto& warning : marked_values.warnings) FUZZ_CHECK(!mentions(warning, marker));
    return 0;
}

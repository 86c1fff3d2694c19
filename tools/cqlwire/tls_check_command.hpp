// `cqlwire tls-check [HOST[:PORT]]`: a TLS diagnosis of a Cassandra port with the same settings
// (flags, environment, cqlshrc) as the main command. The facts come from
// inspect::inspect_tls (tls_inspection.hpp); this file judges them — each problem with its
// fix and its exit code — and prints the report as text or JSON (--format json).
//
// Exit codes (EXIT_CODES.md): 0 when a connection with these settings would pass TLS (warnings,
// such as a certificate expiring within 30 days, do not change it); 8 when the server's
// certificate does not verify or does not carry the expected name; 9 when our client
// certificate is refused, missing where required, or unusable (key mismatch...); 10 when the
// port does not speak TLS at all (plaintext CQL, HTTP, nothing); 4 for any other handshake
// failure; 1, 2 and 3 as for the main command (flags, files, network) — 3 also for a server
// that accepts the TCP connection and then sends nothing within --connect-timeout: a silent
// port shows no protocol, so it is not judged "not TLS".
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/inspect/tls_inspection.hpp"
#include "exit_codes.hpp"

namespace cqlwire::cli {

// One problem the inspection found, the fix to suggest, and the exit code it leads to.
struct tls_check_finding {
    std::string problem;
    std::string fix;
    exit_code code = exit_code::success;
};

struct tls_check_judgement {
    std::vector<tls_check_finding> findings;  // in the order a connection would meet them
    exit_code code = exit_code::success;      // the first finding's, or success
    std::string verdict;                      // one line
};

// Where the trust anchors came from, for the report: the --cafile / [ssl] certfile path, or
// empty for the system's store.
tls_check_judgement judge_tls_check(const inspect::tls_inspection& r, std::string_view ca_file);

std::string format_tls_check_text(const inspect::tls_inspection& r, const tls_check_judgement& j,
                                  std::string_view ca_file);
// One JSON object (one line, then a newline) with the same facts and the verdict.
std::string format_tls_check_json(const inspect::tls_inspection& r, const tls_check_judgement& j,
                                  std::string_view ca_file);

// Splits "HOST[:PORT]": "node1:9142", "[::1]:9142", "::1" (an IPv6 literal without brackets
// has no port), "node1" — one contact point as the main command reads them
// (cluster/contact_points.hpp). Returns false, with the reason in `why` when given, for an
// empty or malformed host, a bad port, or a list of several.
bool split_host_port(std::string_view text, std::string& host, std::optional<std::uint16_t>& port,
                     std::string* why = nullptr);

// Runs the subcommand. `args` are the arguments after "tls-check". Returns the exit code.
int run_tls_check(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

}  // namespace cqlwire::cli

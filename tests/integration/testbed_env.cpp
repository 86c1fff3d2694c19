#include "test_support.hpp"

#include "testbed_env.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <string_view>

namespace cqlwire::integration {
namespace {

constexpr const char* how_to_run =
    "the integration suites need the real Cassandra of tools/testbed: run them with "
    "`tools/run-integration BUILD_DIR` (or `tools/testbed/testbed start` and source its env file "
    "before ctest -L integration)";

constexpr const char* how_to_run_certificate_nodes =
    "the certificate-login suites need the --auth mtls and --auth mtls-fallback nodes of tools/testbed: run them "
    "with `tools/run-integration BUILD_DIR`, which starts both and exports CQLWIRE_TESTBED_MTLS_STATE and "
    "CQLWIRE_TESTBED_FALLBACK_STATE (their state folders)";

std::optional<std::string> variable(const char* name) {
    const char* v = std::getenv(name);
    if (v == nullptr) return std::nullopt;
    return std::string(v);
}

std::optional<std::uint16_t> to_port(const std::string& text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || value == 0 || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// Empty when a TCP connection to host:port succeeds within `timeout_ms`, else why not.
std::string tcp_probe(const std::string& host, std::uint16_t port, int timeout_ms) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    if (inet_pton(AF_INET, host.c_str(), &address.sin_addr) != 1) return "'" + host + "' is not an IPv4 address";
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return std::string("socket: ") + std::strerror(errno);
    std::string problem;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS) {
            problem = std::strerror(errno);
        } else {
            pollfd p{fd, POLLOUT, 0};
            const int ready = ::poll(&p, 1, timeout_ms);
            int so_error = 0;
            socklen_t len = sizeof so_error;
            if (ready == 0) {
                problem = "no answer within " + std::to_string(timeout_ms) + " ms";
            } else if (ready < 0 || ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len) != 0) {
                problem = std::strerror(errno);
            } else if (so_error != 0) {
                problem = std::strerror(so_error);
            }
        }
    }
    ::close(fd);
    return problem;
}

struct loaded {
    testbed_env env;
    std::string problem;  // empty when env is usable
};

loaded load() {
    loaded out;
    auto& e = out.env;
    std::string missing;
    const auto take = [&](const char* name, std::string& into) {
        if (auto v = variable(name); v && !v->empty()) {
            into = *v;
        } else {
            missing += missing.empty() ? name : std::string(", ") + name;
        }
    };
    std::string port, plain_port, storage_port, pki, state;
    take("CQLWIRE_TESTBED_HOST", e.host);
    take("CQLWIRE_TESTBED_PORT", port);
    take("CQLWIRE_TESTBED_STORAGE_PORT", storage_port);
    take("CQLWIRE_TESTBED_USER", e.user);
    take("CQLWIRE_TESTBED_PASSWORD", e.password);
    take("CQLWIRE_TESTBED_SUPERUSER", e.superuser);
    take("CQLWIRE_TESTBED_SUPERPASSWORD", e.superpassword);
    take("CQLWIRE_TESTBED_PKI", pki);
    take("CQLWIRE_TESTBED_VERSION", e.version);
    take("CQLWIRE_TESTBED_PYTHON", e.python);
    take("CQLWIRE_TESTBED_STATE", state);
    if (!missing.empty()) {
        out.problem = "not set: " + missing + "; " + how_to_run;
        return out;
    }
    // The plaintext port is optional: the testbed's env file sets it empty for a TLS-only node.
    plain_port = variable("CQLWIRE_TESTBED_PLAIN_PORT").value_or("");
    e.pki = pki;
    e.state = state;

    const auto p = to_port(port);
    const auto s = to_port(storage_port);
    const auto pp = plain_port.empty() ? std::optional<std::uint16_t>(0) : to_port(plain_port);
    if (!p || !s || !pp) {
        out.problem = "CQLWIRE_TESTBED_PORT/_PLAIN_PORT/_STORAGE_PORT are not ports; " + std::string(how_to_run);
        return out;
    }
    e.port = *p;
    e.plain_port = *pp;
    e.storage_port = *s;

    for (const char* f : {"server-ca.crt", "rootCa.crt", "rootCa.key", "client.crt", "client.key", "untrusted.crt",
                          "untrusted.key", "other-ca.crt"}) {
        if (!std::filesystem::is_regular_file(e.pki / f)) {
            out.problem = "the testbed PKI lacks " + e.pki_file(f) + "; " + how_to_run;
            return out;
        }
    }
    if (const auto why = tcp_probe(e.host, e.port, 3000); !why.empty()) {
        out.problem = "the testbed node does not accept connections on " + e.host + ":" + port + " (" + why +
                      "); is it running? " + how_to_run;
        return out;
    }
    if (e.plain_port != 0) {
        if (const auto why = tcp_probe(e.host, e.plain_port, 3000); !why.empty()) {
            out.problem = "the testbed node does not accept connections on its plaintext port " + e.host + ":" +
                          plain_port + " (" + why + "); " + how_to_run;
            return out;
        }
    }
    return out;
}

// One word as bash's printf %q writes it: backslash escapes and '...' quoting, which is all it
// uses for printable text. Nothing when the word is quoted any other way ($'...' for control
// characters, which no testbed value holds).
std::optional<std::string> unquote_word(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\\') {
            if (++i == text.size()) return std::nullopt;
            out += text[i];
        } else if (c == '\'') {
            const auto end = text.find('\'', i + 1);
            if (end == std::string_view::npos) return std::nullopt;
            out.append(text.substr(i + 1, end - i - 1));
            i = end;
        } else if (c == '$' || c == '"' || c == ' ' || c == '\t' || c == '`') {
            return std::nullopt;
        } else {
            out += c;
        }
    }
    return out;
}

struct loaded_certificate_node {
    certificate_node node;
    std::string problem;  // empty when node is usable
};

loaded_certificate_node load_certificate_node(const std::string& state_variable) {
    loaded_certificate_node out;
    auto& n = out.node;
    const auto state = variable(state_variable.c_str());
    if (!state || state->empty()) {
        out.problem = state_variable + " is not set; " + how_to_run_certificate_nodes;
        return out;
    }
    n.state = *state;
    const auto env_file = n.state / "env";
    std::string problem;
    const auto values = read_env_file(env_file, problem);
    if (!problem.empty()) {
        out.problem = problem + " (" + state_variable + "=" + *state + "); " + how_to_run_certificate_nodes;
        return out;
    }
    std::string missing;
    const auto take = [&](const char* name, std::string& into) {
        if (const auto it = values.find(name); it != values.end() && !it->second.empty()) {
            into = it->second;
        } else {
            missing += missing.empty() ? name : std::string(", ") + name;
        }
    };
    std::string port, plain_port;
    take("CQLWIRE_TESTBED_AUTH", n.auth);
    take("CQLWIRE_TESTBED_HOST", n.host);
    take("CQLWIRE_TESTBED_PORT", port);
    take("CQLWIRE_TESTBED_USER", n.user);
    take("CQLWIRE_TESTBED_PASSWORD", n.password);
    take("CQLWIRE_TESTBED_CA", n.ca);
    take("CQLWIRE_TESTBED_CQLSHRC", n.cqlshrc);
    take("CQLWIRE_TESTBED_IDENTITY", n.identity);
    take("CQLWIRE_TESTBED_IDENTITY_CERT", n.identity_cert);
    take("CQLWIRE_TESTBED_IDENTITY_KEY", n.identity_key);
    take("CQLWIRE_TESTBED_ADMIN_IDENTITY", n.admin_identity);
    take("CQLWIRE_TESTBED_ADMIN_CERT", n.admin_cert);
    take("CQLWIRE_TESTBED_ADMIN_KEY", n.admin_key);
    take("CQLWIRE_TESTBED_UNMAPPED_IDENTITY", n.unmapped_identity);
    take("CQLWIRE_TESTBED_UNMAPPED_CERT", n.unmapped_cert);
    take("CQLWIRE_TESTBED_UNMAPPED_KEY", n.unmapped_key);
    take("CQLWIRE_TESTBED_CERT", n.no_identity_cert);
    take("CQLWIRE_TESTBED_KEY", n.no_identity_key);
    if (!missing.empty()) {
        out.problem = env_file.string() + " does not set " + missing + "; " + how_to_run_certificate_nodes;
        return out;
    }
    // Empty for a node without a plaintext port.
    if (const auto it = values.find("CQLWIRE_TESTBED_PLAIN_PORT"); it != values.end()) plain_port = it->second;
    const auto p = to_port(port);
    const auto pp = plain_port.empty() ? std::optional<std::uint16_t>(0) : to_port(plain_port);
    if (!p || !pp) {
        out.problem = env_file.string() + ": CQLWIRE_TESTBED_PORT/_PLAIN_PORT are not ports; " +
                      how_to_run_certificate_nodes;
        return out;
    }
    n.port = *p;
    n.plain_port = *pp;
    for (const auto* file : {&n.ca, &n.cqlshrc, &n.identity_cert, &n.identity_key, &n.admin_cert, &n.admin_key,
                             &n.unmapped_cert, &n.unmapped_key, &n.no_identity_cert, &n.no_identity_key}) {
        if (!std::filesystem::is_regular_file(*file)) {
            out.problem = env_file.string() + " names " + *file + ", which does not exist; " +
                          how_to_run_certificate_nodes;
            return out;
        }
    }
    for (const auto port_number : {n.port, n.plain_port}) {
        if (port_number == 0) continue;
        if (const auto why = tcp_probe(n.host, port_number, 3000); !why.empty()) {
            out.problem = "the --auth " + n.auth + " node of " + n.state.string() +
                          " does not accept connections on " + n.host + ":" + std::to_string(port_number) + " (" +
                          why + "); is it running? " + how_to_run_certificate_nodes;
            return out;
        }
    }
    return out;
}

}  // namespace

const testbed_env& require_testbed() {
    static const loaded state = load();
    REQUIRE_MESSAGE(state.problem.empty(), state.problem);
    return state.env;
}

std::map<std::string, std::string> read_env_file(const std::filesystem::path& path, std::string& problem) {
    problem.clear();
    std::ifstream in(path);
    if (!in) {
        problem = "cannot read " + path.string() + " (" + std::strerror(errno) + ")";
        return {};
    }
    std::map<std::string, std::string> values;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (line.empty() || line.starts_with('#')) continue;
        const std::string_view prefix = "export ";
        const auto equals = line.find('=');
        std::optional<std::string> value;
        if (line.starts_with(prefix) && equals != std::string::npos && equals > prefix.size())
            value = unquote_word(std::string_view(line).substr(equals + 1));
        if (!value) {
            problem = path.string() + ":" + std::to_string(number) + " is not an `export NAME=VALUE` line";
            return {};
        }
        values[line.substr(prefix.size(), equals - prefix.size())] = std::move(*value);
    }
    return values;
}

const certificate_node& require_certificate_node(const std::string& state_variable, const std::string& expected_auth) {
    // doctest runs test cases one at a time on one thread; the cache needs no lock.
    static std::map<std::string, loaded_certificate_node> nodes;
    auto it = nodes.find(state_variable);
    if (it == nodes.end()) it = nodes.emplace(state_variable, load_certificate_node(state_variable)).first;
    const auto& loaded_node = it->second;
    REQUIRE_MESSAGE(loaded_node.problem.empty(), loaded_node.problem);
    REQUIRE_MESSAGE(loaded_node.node.auth == expected_auth,
                    state_variable << " names a node started with --auth " << loaded_node.node.auth << ", not --auth "
                                   << expected_auth << "; " << std::string(how_to_run_certificate_nodes));
    return loaded_node.node;
}

}  // namespace cqlwire::integration

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
#include <optional>

namespace cqlwire::integration {
namespace {

constexpr const char* how_to_run =
    "the integration suites need the real Cassandra of tools/testbed: run them with "
    "`tools/run-integration BUILD_DIR` (or `tools/testbed/testbed start` and source its env file "
    "before ctest -L integration)";

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

}  // namespace

const testbed_env& require_testbed() {
    static const loaded state = load();
    REQUIRE_MESSAGE(state.problem.empty(), state.problem);
    return state.env;
}

}  // namespace cqlwire::integration

// The running testbed node (tools/testbed) as the integration suites see it: its address,
// ports, test role, PKI files and release, read from the CQLWIRE_TESTBED_* variables that
// tools/run-integration exports from the node's env file.
//
// These suites exist to run against a real Cassandra, so a missing variable or a node that does
// not accept connections is a test failure naming tools/run-integration, never a silent skip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace cqlwire::integration {

struct testbed_env {
    std::string host;              // CQLWIRE_TESTBED_HOST, an IPv4 literal (127.0.0.1)
    std::uint16_t port = 0;        // CQLWIRE_TESTBED_PORT: TLS, client certificate required
    std::uint16_t plain_port = 0;  // CQLWIRE_TESTBED_PLAIN_PORT: plaintext; 0 when the node has none
    std::uint16_t storage_port = 0;
    std::string user;              // the test role: LOGIN, not a superuser
    std::string password;
    std::string superuser;         // may read system_views (e.g. clients' TLS versions)
    std::string superpassword;
    std::filesystem::path pki;     // server-ca.crt, rootCa.crt/.key, client.crt/.key, untrusted.*, other-ca.*
    std::string version;           // the Cassandra release, e.g. "5.0.9"
    std::string python;            // the venv's python, which has the DataStax driver
    std::filesystem::path state;   // the testbed's state folder

    std::string pki_file(const std::string& name) const { return (pki / name).string(); }
};

// The node's settings. The first call reads the environment and checks that the TLS port (and
// the plaintext port, if any) accepts TCP connections; every call REQUIREs that this worked,
// with a message saying how to run the suites. Valid for the whole process.
const testbed_env& require_testbed();

}  // namespace cqlwire::integration

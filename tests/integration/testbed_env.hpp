// The running testbed node (tools/testbed) as the integration suites see it: its address,
// ports, test role, PKI files and release, read from the CQLWIRE_TESTBED_* variables that
// tools/run-integration exports from the node's env file.
//
// These suites exist to run against a real Cassandra, so a missing variable or a node that does
// not accept connections is a test failure naming tools/run-integration, never a silent skip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
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

// A node whose login is the client certificate (`testbed --auth mtls` or `--auth mtls-fallback`),
// which tools/run-integration starts beside the main node, as its env file describes it.
struct certificate_node {
    std::string auth;               // CQLWIRE_TESTBED_AUTH: "mtls" or "mtls-fallback"
    std::string host;
    std::uint16_t port = 0;         // TLS, client certificate required; the certificate is the login
    std::uint16_t plain_port = 0;   // plaintext: no certificate, so mtls refuses every login and
                                    // mtls-fallback checks the password; 0 when the node has none
    std::string user;               // the test role: LOGIN, not a superuser
    std::string password;           // its password, checked only on mtls-fallback's plaintext port
    std::string ca;                 // CQLWIRE_TESTBED_CA: what the server's certificate chains to
    std::string cqlshrc;            // presents identity_cert; no [authentication] section
    std::string identity;           // CQLWIRE_TESTBED_IDENTITY: spiffe:// URI mapped to the test role
    std::string identity_cert, identity_key;
    std::string admin_identity;     // mapped to the superuser
    std::string admin_cert, admin_key;
    std::string unmapped_identity;  // mapped to no role
    std::string unmapped_cert, unmapped_key;
    std::string no_identity_cert;   // CQLWIRE_TESTBED_CERT: rootCa.crt, trusted, but without a URI SAN
    std::string no_identity_key;
    std::filesystem::path state;
};

// The node whose state folder the environment variable `state_variable` names
// (CQLWIRE_TESTBED_MTLS_STATE or CQLWIRE_TESTBED_FALLBACK_STATE, exported by
// tools/run-integration), read from <state>/env. The first call per variable reads the file and
// checks that the node's ports accept TCP connections; every call REQUIREs that this worked and
// that the node runs with `expected_auth`, with a message naming tools/run-integration.
const certificate_node& require_certificate_node(const std::string& state_variable, const std::string& expected_auth);

// NAME -> value of every `export NAME=VALUE` line of a testbed env file (the values quoted the way
// bash's printf %q quotes them). Empty with `problem` set when the file cannot be read or a line
// is not of that form.
std::map<std::string, std::string> read_env_file(const std::filesystem::path& path, std::string& problem);

}  // namespace cqlwire::integration

// TLS key logging: writing the session secrets of every TLS connection made with a context to
// a file in the NSS key log format (the format of SSLKEYLOGFILE), so that Wireshark / tshark
// can decrypt a capture of the traffic. Off unless asked for (tls_options::key_log_file).
//
// Anyone holding the file can decrypt the captured sessions, logins included, so the file is
// treated like a private key: created with mode 0600, appended to (never truncated, so several
// runs can share one file), and refused when it is a symbolic link, not a regular file, or
// writable by the group or by others. tls_context turns it on; installing the callback on an
// OpenSSL context is in the internal header cqlwire/transport/internal/tls_keylog.hpp.
#pragma once

#include <string>

#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// The one-line warning a tool prints when key logging is on.
CQLWIRE_TRANSPORT_API std::string key_log_warning(const std::string& path);

}  // namespace cqlwire::transport

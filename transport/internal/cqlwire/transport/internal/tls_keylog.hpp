// Internal to cqlwire, not installed: installing the TLS key log (tls_keylog.hpp) on an
// OpenSSL context, for transport's own sources and for the project's tools and tests (target
// cqlwire_transport_internal).
#pragma once

#include <string>
#include <system_error>

#include <openssl/ssl.h>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/transport/tls_keylog.hpp"

#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

// Opens `path` (see above) and installs a key log callback on `context` that appends one line
// per secret. The open file belongs to the context and is closed when the context is freed.
// On refusal returns errc::tls_config with a message naming the file and the reason.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code enable_key_log(SSL_CTX* context, const std::string& path,
                                             protocol::diagnostics& diag);

}  // namespace cqlwire::transport

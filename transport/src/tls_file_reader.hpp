// Reading the files a tls_options names (certificates, keys, PKCS#12 bundles, CA files), bounded
// in size and in time, with a one-line message naming the file and the fix when that fails.
// Internal to the transport library.
#pragma once

#include <string>
#include <system_error>

#include "cqlwire/protocol/diagnostics.hpp"

namespace cqlwire::transport::detail {

// No certificate, key or keystore file is anywhere near this; a bundle of every CA the web
// trusts is about 220 KiB.
inline constexpr std::size_t max_tls_file_size = 2u * 1024 * 1024;

// Sets `message` as the client message of `diag` and returns errc::tls_config.
std::error_code tls_config_error(protocol::diagnostics& diag, const std::string& message);

// OpenSSL's reason for the last error on this thread's queue ("unknown reason" when there is
// none), clearing the queue.
std::string last_openssl_reason();

// Reads the regular file at `path` into `out`. `what` says which setting names the file, e.g.
// "client certificate file". Refuses directories, pipes, FIFOs and devices (OpenSSL or a
// second reader would find them empty) and files over max_tls_file_size. On error `out` is
// wiped and empty. The caller wipes `out` when it may hold key material.
[[nodiscard]] std::error_code read_tls_file(const std::string& path, const char* what, std::string& out,
                                            protocol::diagnostics& diag);

}  // namespace cqlwire::transport::detail

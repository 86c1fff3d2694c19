// Everything between a parsed command line and a logged-in connection, shared by the main
// command and its subcommands (`events`, `tls-check`): the settings merged (cqlshrc <-
// environment <- flags), the TLS options they describe, the secrets resolved, the connection
// made, traced if asked, and started up.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "cli_options.hpp"
#include "cqlwire/auth/secret.hpp"
#include "cqlwire/cluster/contact_points.hpp"
#include "cqlwire/transport/connection.hpp"
#include "cqlwire/transport/tls_context.hpp"
#include "cqlwire/transport/tls_options.hpp"
#include "checked_output.hpp"
#include "settings.hpp"

namespace cqlwire::cli {

// Reads the cqlshrc that `flags` and `env` choose, merges it with `env` and `flags` into `s`,
// and prints the settings' warnings to `err`. Returns 0, or the exit code after printing why
// to `err` (prefixed by `who`: "cqlwire", "cqlwire events"...).
int load_settings(cli_options& flags, const environment_lookup& env, settings& s, std::ostream& err,
                  std::string_view who);

// The TLS options `s` describes. The key passphrase is moved out of `s`.
transport::tls_options tls_options_from(settings& s);

// What a later connection of the same run takes over from the first. The shell's LOGIN (to the
// node in use) takes the TLS context, since the key passphrase was used up building it, and the
// frame trace, whose file is not opened a second time. A reconnect after the connection was
// lost (reopen_connection) takes the contact points too, each with its TLS context, and the
// password of the last login, which the settings no longer hold.
struct connection_reuse {
    bool filled = false;
    std::vector<cluster::contact_point> points;  // each once, in the order given
    std::vector<std::shared_ptr<transport::tls_context>> tls_of_point;
    std::size_t serving = 0;  // the index in `points` of the node the connection in use went to
    transport::frame_observer observer;
    auth::secret_bytes password;
};

// Resolves the secrets in `s` (wiped once used), builds TLS, connects, installs the frame trace
// when asked for, and runs the start-up exchange on `conn`, driven by `ioc`. Returns 0, or the
// exit code after printing why to `err`. With --trace-file, `trace_file` (when given) is set to
// the output the trace goes through, for the caller to check (frame_trace_output.hpp). `reuse`,
// when given, is filled by a first success and used by the calls after it.
int open_connection(settings& s, boost::asio::io_context& ioc, transport::connection& conn, std::ostream& err,
                    std::string_view who, std::shared_ptr<const checked_output>* trace_file = nullptr,
                    connection_reuse* reuse = nullptr);

// Opens a new connection after the one in use was lost: to the node it went to, else to the
// other contact points in their order, with the last login's credentials; each that fails is
// named in a warning, as by open_connection. `reuse` was filled by open_connection. Returns 0
// (`s.host` and `s.port` then name the node), or the exit code after printing why to `err`.
int reopen_connection(settings& s, boost::asio::io_context& ioc, transport::connection& conn, std::ostream& err,
                      std::string_view who, connection_reuse& reuse);

}  // namespace cqlwire::cli

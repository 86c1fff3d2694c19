#include "cqlwire/transport/session.hpp"

namespace cqlwire::transport {

std::error_code open_connection(boost::asio::io_context& ioc, const open_options& options,
                                std::optional<connection>& out, protocol::diagnostics& diag) {
    out.reset();
    diag.clear();
    std::optional<stream> s;
    if (auto ec = connect(ioc, options.connect, s, diag)) return ec;

    connection c(std::move(*s), options.connection);
    if (options.observer) c.set_frame_observer(options.observer);
    startup_config config;
    config.authenticator = options.authenticator;
    config.cql_version = options.cql_version;
    if (auto ec = c.startup(config, diag)) return ec;
    out.emplace(std::move(c));
    return {};
}

}  // namespace cqlwire::transport

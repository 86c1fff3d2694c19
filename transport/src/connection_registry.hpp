// The connections of one execution context (an io_context, a thread pool), so that destroying
// the context destroys their pending handlers, as it does every Asio operation's.
//
// A handler waiting in a connection's multiplexer is no Asio operation: without this, a handler
// that owns the connection (a session object kept alive by the handler of its pending request,
// Asio's usual pattern) would keep it, and itself, alive for ever once the context is gone.
// When the context shuts down, every connection still alive drops its pending handlers without
// calling them, and its event handler and frame observer.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/execution_context.hpp>

namespace cqlwire::transport::detail {

class connection_impl;

class connection_registry : public boost::asio::execution_context::service {
public:
    static boost::asio::execution_context::id id;

    explicit connection_registry(boost::asio::execution_context& owner) : service(owner) {}

    void add(const std::shared_ptr<connection_impl>& connection);

private:
    void shutdown() override;

    std::mutex mutex_;
    std::vector<std::weak_ptr<connection_impl>> connections_;
};

}  // namespace cqlwire::transport::detail

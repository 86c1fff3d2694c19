// erased_io_handler: the type-erased handler between stream and its TLS layer keeps what Asio
// asks of a handler — its allocator (for its own state and for the operation around it), its
// cancellation slot, an executor of the I/O objects' type — and frees its state before the
// wrapped handler runs.
#include "test_support.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>

#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include "cqlwire/transport/erased_io_handler.hpp"

namespace {

namespace asio = boost::asio;
using cqlwire::transport::detail::erased_io_handler;

// Counts what passes through it; the memory itself comes from operator new.
struct allocation_log {
    std::size_t allocations = 0;
    std::size_t live_bytes = 0;
};

template <class T>
struct counting_allocator {
    using value_type = T;
    explicit counting_allocator(allocation_log& l) noexcept : log(&l) {}
    template <class U>
    counting_allocator(const counting_allocator<U>& o) noexcept : log(o.log) {}
    T* allocate(std::size_t n) {
        ++log->allocations;
        log->live_bytes += n * sizeof(T);
        return static_cast<T*>(::operator new(n * sizeof(T)));
    }
    void deallocate(T* p, std::size_t n) noexcept {
        log->live_bytes -= n * sizeof(T);
        ::operator delete(p);
    }
    template <class U>
    bool operator==(const counting_allocator<U>& o) const noexcept {
        return log == o.log;
    }
    allocation_log* log;
};

}  // namespace

TEST_CASE("erased_io_handler: its state comes from the handler's allocator and is freed before the handler runs") {
    asio::io_context ioc;
    allocation_log log;
    std::size_t live_when_called = 1;
    std::size_t received = 0;
    auto h = asio::bind_allocator(counting_allocator<void>(log), [&](const boost::system::error_code& ec, std::size_t n) {
        CHECK_FALSE(ec);
        received = n;
        live_when_called = log.live_bytes;
    });
    erased_io_handler erased(std::move(h), ioc.get_executor());
    CHECK(log.allocations == 1);
    CHECK(log.live_bytes > 0);
    erased(boost::system::error_code(), 42);
    CHECK(received == 42);
    CHECK(live_when_called == 0);
}

TEST_CASE("erased_io_handler: a handler never called is freed with its allocator") {
    asio::io_context ioc;
    allocation_log log;
    auto owned = std::make_shared<int>(7);
    std::weak_ptr<int> watch = owned;
    {
        auto h = asio::bind_allocator(counting_allocator<void>(log),
                                      [o = std::move(owned)](const boost::system::error_code&, std::size_t) {});
        erased_io_handler erased(std::move(h), ioc.get_executor());
        erased_io_handler moved(std::move(erased));  // the moved-from one frees nothing
        CHECK(log.live_bytes > 0);
    }
    CHECK(log.live_bytes == 0);
    CHECK(watch.expired());
}

TEST_CASE("erased_io_handler: allocations asked of it go to the handler's allocator, aligned for any object") {
    asio::io_context ioc;
    allocation_log log;
    erased_io_handler erased(
        asio::bind_allocator(counting_allocator<void>(log), [](const boost::system::error_code&, std::size_t) {}),
        ioc.get_executor());
    auto a = asio::get_associated_allocator(erased);
    using byte_allocator = std::allocator_traits<decltype(a)>::rebind_alloc<unsigned char>;
    byte_allocator bytes(a);
    unsigned char* p = bytes.allocate(3);
    CHECK(log.allocations == 2);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % alignof(std::max_align_t) == 0);
    bytes.deallocate(p, 3);
    erased(boost::system::error_code(), 0);
    CHECK(log.live_bytes == 0);
}

TEST_CASE("erased_io_handler: the executor is the I/O object's unless the handler has its own; the slot is the handler's") {
    asio::io_context ioc, other;
    erased_io_handler plain([](const boost::system::error_code&, std::size_t) {}, ioc.get_executor());
    CHECK(asio::get_associated_executor(plain) == asio::any_io_executor(ioc.get_executor()));
    erased_io_handler bound(asio::bind_executor(other, [](const boost::system::error_code&, std::size_t) {}),
                            ioc.get_executor());
    CHECK(asio::get_associated_executor(bound) == asio::any_io_executor(other.get_executor()));

    asio::cancellation_signal signal;
    erased_io_handler with_slot(
        asio::bind_cancellation_slot(signal.slot(), [](const boost::system::error_code&, std::size_t) {}),
        ioc.get_executor());
    CHECK(asio::get_associated_cancellation_slot(with_slot) == signal.slot());
    plain(boost::system::error_code(), 0);
    bound(boost::system::error_code(), 0);
    with_slot(boost::system::error_code(), 0);
}

TEST_CASE("erased_io_handler: a socket write through it allocates only from the handler's allocator") {
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::address_v4::loopback(), 0});
    asio::ip::tcp::socket client(ioc), server(ioc);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);

    allocation_log log;
    std::size_t written = 0;
    const char text[] = "through the erased handler";
    client.async_write_some(
        asio::buffer(text),
        erased_io_handler(asio::bind_allocator(counting_allocator<void>(log),
                                               [&](const boost::system::error_code& ec, std::size_t n) {
                                                   CHECK_FALSE(ec);
                                                   written = n;
                                               }),
                          client.get_executor()));
    ioc.run();
    CHECK(written == sizeof text);
    CHECK(log.allocations == 2);  // the erased state, then the socket operation around it
    CHECK(log.live_bytes == 0);
}

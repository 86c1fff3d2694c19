#include "request_buffers.hpp"

#include "per_thread.hpp"

namespace cqlwire::transport::detail {
namespace {

struct request_buffer_cache {
    static constexpr std::size_t max_buffers = 64;
    static constexpr std::size_t max_capacity = 16u * 1024u;
    std::vector<std::vector<std::uint8_t>> buffers;
    request_buffer_cache() { buffers.reserve(max_buffers); }
};


}  // namespace

std::vector<std::uint8_t> take_request_buffer() {
    auto* cache = per_thread<request_buffer_cache>::get();
    if (cache == nullptr || cache->buffers.empty()) return {};
    auto b = std::move(cache->buffers.back());
    cache->buffers.pop_back();
    return b;
}

void give_back_request_buffer(std::vector<std::uint8_t>&& b) noexcept {
    auto* cache = per_thread<request_buffer_cache>::get();  // null once this thread's cache is gone
    if (cache == nullptr || b.capacity() == 0 || b.capacity() > request_buffer_cache::max_capacity ||
        cache->buffers.size() >= request_buffer_cache::max_buffers)
        return;
    b.clear();
    cache->buffers.push_back(std::move(b));  // reserved up front: does not allocate
}

}  // namespace cqlwire::transport::detail

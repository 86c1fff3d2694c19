// The buffers requests are encoded into on the caller's thread (so that no view of the caller's
// has to outlive the call) before they are copied into the connection's write queue on its
// executor. Each thread keeps the ones given back for its next requests, so that a steady state
// allocates nothing.
#pragma once

#include <cstdint>
#include <vector>

namespace cqlwire::transport::detail {

std::vector<std::uint8_t> take_request_buffer();
void give_back_request_buffer(std::vector<std::uint8_t>&& buffer) noexcept;

}  // namespace cqlwire::transport::detail

// A non-owning reference to "append one request frame to this buffer".
#pragma once

#include <cstdint>
#include <memory>
#include <system_error>
#include <type_traits>
#include <vector>

namespace cqlwire::transport {

// Refers to something callable as std::error_code(std::vector<std::uint8_t>&) that appends one
// whole request frame (e.g. a lambda calling protocol::encode_prepare); the connection replaces
// the frame's version byte and stream id. It is only called during the call it is given to, so a
// temporary lambda is fine. Allocates nothing.
class frame_encoder_ref {
public:
    template <class F>
        requires(!std::is_same_v<std::remove_cvref_t<F>, frame_encoder_ref> &&
                 std::is_invocable_r_v<std::error_code, F&, std::vector<std::uint8_t>&>)
    frame_encoder_ref(F&& f) noexcept  // NOLINT: implicit on purpose, like a function_ref
        : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
          call_([](void* o, std::vector<std::uint8_t>& out) -> std::error_code {
              return (*static_cast<std::remove_reference_t<F>*>(o))(out);
          }) {}

    std::error_code operator()(std::vector<std::uint8_t>& out) const { return call_(object_, out); }

private:
    void* object_;
    std::error_code (*call_)(void*, std::vector<std::uint8_t>&);
};

}  // namespace cqlwire::transport

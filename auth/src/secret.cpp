#include "cqlwire/auth/secret.hpp"

#include <string>

namespace cqlwire::auth {

void wipe(std::span<std::uint8_t> bytes) noexcept {
    volatile std::uint8_t* p = bytes.data();
    for (std::size_t i = 0; i < bytes.size(); ++i) p[i] = 0;
}

void wipe(std::string& text) noexcept {
    volatile char* p = text.data();
    for (std::size_t i = 0; i < text.size(); ++i) p[i] = 0;
    text.clear();
}

void secret_bytes::append(std::span<const std::uint8_t> more) {
    if (bytes_.size() + more.size() > bytes_.capacity()) {
        std::vector<std::uint8_t> bigger;
        bigger.reserve((bytes_.size() + more.size()) * 2);
        bigger.assign(bytes_.begin(), bytes_.end());
        wipe(bytes_);
        bytes_.swap(bigger);
    }
    bytes_.insert(bytes_.end(), more.begin(), more.end());
}

}  // namespace cqlwire::auth

// Bytes that hold a secret (a password, a SASL token) and are wiped when released.
//
// The wipe goes through a volatile pointer so that the compiler cannot drop it as a dead
// store. A secret_bytes never prints itself; there is deliberately no conversion to text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>
#include "cqlwire/auth/export.hpp"

namespace cqlwire::auth {

CQLWIRE_AUTH_API void wipe(std::span<std::uint8_t> bytes) noexcept;
CQLWIRE_AUTH_API void wipe(std::string& text) noexcept;

class CQLWIRE_AUTH_API secret_bytes {
public:
    secret_bytes() = default;
    explicit secret_bytes(std::string_view text) : bytes_(text.begin(), text.end()) {}
    secret_bytes(const secret_bytes&) = delete;
    secret_bytes& operator=(const secret_bytes&) = delete;
    secret_bytes(secret_bytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
    secret_bytes& operator=(secret_bytes&& other) noexcept {
        if (this != &other) {
            clear();
            bytes_ = std::move(other.bytes_);
        }
        return *this;
    }
    ~secret_bytes() { clear(); }

    void clear() noexcept {
        wipe(bytes_);
        bytes_.clear();
    }
    // Appending may reallocate; the old block is wiped before it is released.
    void append(std::span<const std::uint8_t> more);
    void append(std::string_view more) {
        append(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(more.data()), more.size()));
    }
    void push_back(std::uint8_t b) { append(std::span<const std::uint8_t>(&b, 1)); }

    std::span<const std::uint8_t> view() const noexcept { return bytes_; }
    std::size_t size() const noexcept { return bytes_.size(); }
    bool empty() const noexcept { return bytes_.empty(); }

private:
    std::vector<std::uint8_t> bytes_;
};

}  // namespace cqlwire::auth

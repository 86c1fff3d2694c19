// The secrets withheld from output; see withheld_secrets.hpp.
#include "withheld_secrets.hpp"

#include <algorithm>
#include <mutex>

#include "cqlwire/auth/secret.hpp"

namespace cqlwire::cli {
namespace {

// The frame trace may run on the thread that runs the connection: the list is locked.
std::mutex& secrets_mutex() {
    static std::mutex m;
    return m;
}
std::vector<auth::secret_bytes>& secrets() {
    static std::vector<auth::secret_bytes> list;
    return list;
}

// Where `secret` next occurs in `haystack` from `from` on (npos: nowhere).
std::size_t find_in(std::span<const std::uint8_t> haystack, std::span<const std::uint8_t> secret, std::size_t from) {
    if (secret.empty() || haystack.size() < secret.size()) return std::string_view::npos;
    const auto it = std::search(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end(), secret.begin(),
                                secret.end());
    return it == haystack.end() ? std::string_view::npos : static_cast<std::size_t>(it - haystack.begin());
}

std::span<const std::uint8_t> bytes_of(std::string_view text) {
    return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

}  // namespace

void withhold_secret(std::span<const std::uint8_t> secret) {
    if (secret.empty()) return;
    std::lock_guard lock(secrets_mutex());
    auth::secret_bytes copy;
    copy.append(secret);
    secrets().push_back(std::move(copy));
}

void forget_withheld_secrets() noexcept {
    std::lock_guard lock(secrets_mutex());
    secrets().clear();  // each secret_bytes wipes itself
}

std::string without_withheld_secrets(std::string_view text) {
    std::lock_guard lock(secrets_mutex());
    std::string out(text);
    for (const auto& s : secrets()) {
        std::size_t at = 0;
        while ((at = find_in(bytes_of(out), s.view(), at)) != std::string_view::npos) {
            out.replace(at, s.size(), "<withheld>");
            at += 10;
        }
    }
    return out;
}

bool mask_withheld_secrets(std::vector<std::uint8_t>& bytes) {
    std::lock_guard lock(secrets_mutex());
    bool masked = false;
    for (const auto& s : secrets()) {
        for (std::size_t at = 0; (at = find_in(bytes, s.view(), at)) != std::string_view::npos; at += s.size()) {
            std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), s.size(), static_cast<std::uint8_t>('*'));
            masked = true;
        }
    }
    return masked;
}

bool holds_withheld_secret(std::span<const std::uint8_t> bytes) {
    std::lock_guard lock(secrets_mutex());
    return std::any_of(secrets().begin(), secrets().end(),
                       [&](const auth::secret_bytes& s) { return find_in(bytes, s.view(), 0) != std::string_view::npos; });
}

}  // namespace cqlwire::cli

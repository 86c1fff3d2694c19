// The secrets of the login under way (the password), withheld from everything the command
// prints while it runs: a server may put what it received into its own messages (an error that
// quotes the credentials), and those reach the error report and the frame trace. The password
// is registered when it is resolved and forgotten once the login succeeded, when the command
// wipes it too. Not for statements' role passwords: secret_masking.hpp masks those.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cqlwire::cli {

// Withholds `secret` (a copy is kept, wiped when forgotten) from what the functions below see.
// An empty secret is ignored.
void withhold_secret(std::span<const std::uint8_t> secret);
// Forgets (and wipes) every secret withheld.
void forget_withheld_secrets() noexcept;

// `text` with every withheld secret in it replaced by "<withheld>".
std::string without_withheld_secrets(std::string_view text);
// Overwrites every withheld secret in `bytes` with '*' of the same length (the bytes keep
// their layout: a frame stays a frame). Returns whether anything was overwritten.
bool mask_withheld_secrets(std::vector<std::uint8_t>& bytes);
// Whether `bytes` hold a withheld secret.
bool holds_withheld_secret(std::span<const std::uint8_t> bytes);

}  // namespace cqlwire::cli

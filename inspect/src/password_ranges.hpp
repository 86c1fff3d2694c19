// What password_masking.cpp and the frame trace writer share about masked ranges: how they are
// found in server text, joined, and replaced.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/inspect/password_masking.hpp"

namespace cqlwire::inspect {

// What a masked range is shown as, whatever its length.
inline constexpr std::string_view masked_literal = "********";

// The ranges sorted, overlapping or touching ones joined.
std::vector<text_range> joined(std::vector<text_range> ranges);
// `text` with each of the ranges (sorted, apart) replaced by ********.
std::string replace_ranges(std::string_view text, const std::vector<text_range>& ranges);
// Appends every occurrence of a non-empty secret in `text` (overlapping ones included), and the
// pieces of one cut short at a quote (see password_masking.cpp).
void add_occurrences(std::string_view text, std::span<const std::string> secrets, std::vector<text_range>& out);
// What mask_echoed_passwords replaces in `text`: sorted and apart.
std::vector<text_range> echoed_password_ranges(std::string_view text, std::span<const std::string> secrets);

}  // namespace cqlwire::inspect

// Included first by every test file: doctest plus printers for the project's value types, so
// that a failed CHECK shows an error code's category and message rather than "{?}".
#pragma once

#include <ostream>
#include <string>
#include <system_error>

#include <doctest/doctest.h>

namespace doctest {
template <>
struct StringMaker<std::error_code> {
    static String convert(const std::error_code& ec) {
        std::string s = std::string(ec.category().name()) + ":" + std::to_string(ec.value()) + " (" + ec.message() + ")";
        return String(s.c_str());
    }
};
}  // namespace doctest

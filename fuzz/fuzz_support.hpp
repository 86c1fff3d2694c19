// Helpers shared by the fuzz targets: an invariant check that stops the run loudly, and a
// cursor that carves control bytes off the front of the fuzzer's input.
//
// A failed FUZZ_CHECK is a finding: it prints the broken invariant and aborts, which libFuzzer
// (and the replay executable under ctest) reports as a crash with the input that caused it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

#define FUZZ_CHECK(condition)                                                                          \
    do {                                                                                               \
        if (!(condition)) ::cqlwire::fuzz::check_failed(#condition, __FILE__, __LINE__);                \
    } while (false)

namespace cqlwire::fuzz {

[[noreturn]] inline void check_failed(const char* condition, const char* file, int line) {
    std::fprintf(stderr, "%s:%d: fuzz invariant broken: %s\n", file, line, condition);
    std::fflush(stderr);
    std::abort();
}

// Reads control values off the front of the input; once the input is used up every read gives
// zero, so a target never has to treat a short input specially.
class input_cursor {
public:
    input_cursor(const std::uint8_t* data, std::size_t size) noexcept : data_(data, size) {}

    std::uint8_t byte() noexcept { return pos_ < data_.size() ? data_[pos_++] : 0; }
    std::uint16_t u16() noexcept {
        auto high = byte();
        return static_cast<std::uint16_t>(high << 8 | byte());
    }
    // Up to n bytes (fewer at the end of the input).
    std::span<const std::uint8_t> take(std::size_t n) noexcept {
        if (n > data_.size() - pos_) n = data_.size() - pos_;
        auto out = data_.subspan(pos_, n);
        pos_ += n;
        return out;
    }
    std::span<const std::uint8_t> rest() noexcept { return take(data_.size() - pos_); }
    std::size_t remaining() const noexcept { return data_.size() - pos_; }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

inline std::string_view as_text(std::span<const std::uint8_t> bytes) noexcept {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace cqlwire::fuzz

// A log-linear latency histogram for the benchmarks: fixed memory, no allocation when
// recording, values in nanoseconds up to 2^63 with a relative error below 1/32 (about 3%).
//
// Values below 32 have a bucket each; above, every power of two [2^e, 2^(e+1)) is split into 32
// equal buckets. A percentile reports the upper edge of the bucket it falls in, so it never
// understates a latency.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace cqlwire::bench {

class latency_histogram {
public:
    static constexpr unsigned sub_bits = 5;  // 32 buckets per power of two
    static constexpr std::size_t sub_count = std::size_t{1} << sub_bits;
    static constexpr std::size_t bucket_count = (64 - sub_bits + 1) * sub_count;

    void record(std::uint64_t ns) noexcept {
        ++counts_[index_of(ns)];
        ++total_;
        if (ns > max_) max_ = ns;
    }
    void merge(const latency_histogram& other) noexcept {
        for (std::size_t i = 0; i < bucket_count; ++i) counts_[i] += other.counts_[i];
        total_ += other.total_;
        if (other.max_ > max_) max_ = other.max_;
    }
    void reset() noexcept { *this = latency_histogram{}; }

    std::uint64_t count() const noexcept { return total_; }
    std::uint64_t max() const noexcept { return max_; }

    // The smallest bucket edge at or above which fewer than (1 - q) of the values lie; 0 when
    // empty. q in [0, 1].
    std::uint64_t percentile(double q) const noexcept {
        if (total_ == 0) return 0;
        auto rank = static_cast<std::uint64_t>(q * static_cast<double>(total_));
        if (rank >= total_) rank = total_ - 1;
        std::uint64_t seen = 0;
        for (std::size_t i = 0; i < bucket_count; ++i) {
            seen += counts_[i];
            if (seen > rank) {
                const std::uint64_t edge = upper_edge(i);
                return edge < max_ ? edge : max_;
            }
        }
        return max_;
    }

    static std::size_t index_of(std::uint64_t v) noexcept {
        if (v < sub_count) return static_cast<std::size_t>(v);
        const unsigned e = 63u - static_cast<unsigned>(std::countl_zero(v));  // v in [2^e, 2^(e+1)), e >= sub_bits
        const unsigned shift = e - sub_bits;
        // (v >> shift) is in [sub_count, 2 * sub_count).
        return (shift + 1) * sub_count + static_cast<std::size_t>((v >> shift) - sub_count);
    }
    // The largest value that lands in bucket i.
    static std::uint64_t upper_edge(std::size_t i) noexcept {
        if (i < sub_count) return i;
        const std::size_t shift = i / sub_count - 1;
        const std::uint64_t sub = sub_count + i % sub_count;
        return ((sub + 1) << shift) - 1;
    }

private:
    std::array<std::uint64_t, bucket_count> counts_{};
    std::uint64_t total_ = 0;
    std::uint64_t max_ = 0;
};

}  // namespace cqlwire::bench

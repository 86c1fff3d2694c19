// Decode benchmark: how much does reading a RESULT page through rows_view and value_view cost
// compared with a hand-written loop over the same bytes?
//
// The page is 5,000 rows of (int, text, bigint), built with the codec's own encoder. Three
// loops read every cell of every row and fold it into a checksum (so that nothing is optimised
// away, and so that the loops can be checked against each other):
//   raw     the floor: lengths and values read straight from the bytes, no types, no checks
//   view    rows_view -> row_view -> value_view, the values read with small inline reads
//   values  rows_view -> row_view -> value_view, the values read with values.hpp's converters
//           (which also check the type, the width, and that the text is valid UTF-8)
// Each loop runs `passes` times per run; the median of `runs` runs is printed, in ns per row.
// Heap allocations are counted by replacing the global operator new.
//
//   cqlwire_decode_bench [--passes N] [--runs N]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/protocol/result.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/protocol/values.hpp"

namespace {

std::atomic<std::uint64_t> allocation_count{0};

}  // namespace

// Counting replacements of the global allocation functions. malloc and free are reached
// through functions the compiler may not inline, so that it does not mistake the pairing of
// the replaced operator new with free for a mismatch.
namespace {
[[gnu::noinline]] void* counted_malloc(std::size_t n) noexcept {
    allocation_count.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(n == 0 ? 1 : n);
}
[[gnu::noinline]] void counted_free(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    if (void* p = counted_malloc(n)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { counted_free(p); }
void operator delete[](void* p) noexcept { counted_free(p); }
void operator delete(void* p, std::size_t) noexcept { counted_free(p); }
void operator delete[](void* p, std::size_t) noexcept { counted_free(p); }

namespace {

using namespace cqlwire::protocol;
using bench_clock = std::chrono::steady_clock;

constexpr std::size_t page_rows = 5000;

struct page {
    std::vector<std::uint8_t> frame;  // one RESULT frame
    bytes_view body;                  // its body
};

page build_page() {
    result_metadata m;
    m.flags = metadata_flags::global_tables_spec;
    m.column_count = 3;
    m.columns = {{"bench", "t", "id", data_type::of(type_kind::int_)},
                 {"bench", "t", "name", data_type::of(type_kind::varchar)},
                 {"bench", "t", "total", data_type::of(type_kind::bigint)}};
    // The cells' bytes must outlive the encode call only.
    std::vector<std::vector<std::uint8_t>> storage;
    storage.reserve(page_rows * 3);
    std::vector<raw_value> cells;
    cells.reserve(page_rows * 3);
    auto big_endian = [](std::uint64_t v, std::size_t width) {
        std::vector<std::uint8_t> b(width);
        for (std::size_t i = 0; i < width; ++i) b[width - 1 - i] = static_cast<std::uint8_t>(v >> (8 * i));
        return b;
    };
    for (std::size_t i = 0; i < page_rows; ++i) {
        storage.push_back(big_endian(i * 7, 4));
        cells.push_back(raw_value::of(storage.back()));
        std::string name = "user-" + std::to_string(i * 31) + "@example.org";
        storage.emplace_back(name.begin(), name.end());
        cells.push_back(raw_value::of(storage.back()));
        storage.push_back(big_endian(static_cast<std::uint64_t>(i) * 1'000'003u + 17u, 8));
        cells.push_back(raw_value::of(storage.back()));
    }
    page p;
    response_frame_options frame;
    if (auto ec = encode_result_rows(p.frame, frame, m, cells)) {
        std::fprintf(stderr, "encode failed: %s\n", ec.message().c_str());
        std::exit(1);
    }
    p.body = bytes_view(p.frame).subspan(frame_header_size);
    return p;
}

inline std::uint32_t load32(const std::uint8_t* p) {
    return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
           static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]);
}
inline std::uint64_t load64(const std::uint8_t* p) {
    return static_cast<std::uint64_t>(load32(p)) << 32 | load32(p + 4);
}

// The floor: the rows content walked by hand, knowing the shape (int, text, bigint).
std::uint64_t raw_loop(bytes_view content, std::size_t rows) {
    std::uint64_t sum = 0;
    const std::uint8_t* p = content.data();
    for (std::size_t r = 0; r < rows; ++r) {
        auto n = static_cast<std::int32_t>(load32(p));
        p += 4;
        if (n >= 0) {
            sum += load32(p);
            p += n;
        }
        n = static_cast<std::int32_t>(load32(p));
        p += 4;
        if (n >= 0) {
            std::string_view text(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
            sum += text.size() + static_cast<unsigned char>(text.back());
            p += n;
        }
        n = static_cast<std::int32_t>(load32(p));
        p += 4;
        if (n >= 0) {
            sum += load64(p);
            p += n;
        }
    }
    return sum;
}

// rows_view and value_view, values read inline from the value's bytes.
std::uint64_t view_loop(const rows_view& rows) {
    std::uint64_t sum = 0;
    for (const auto& row : rows) {
        auto id = row[0];
        if (!id.is_null()) sum += load32(id.bytes().data());
        auto name = row[1];
        if (!name.is_null()) {
            std::string_view text = as_chars(name.bytes());
            sum += text.size() + static_cast<unsigned char>(text.back());
        }
        auto total = row[2];
        if (!total.is_null()) sum += load64(total.bytes().data());
    }
    return sum;
}

// rows_view and value_view, values read with the checked converters of values.hpp.
std::uint64_t values_loop(const rows_view& rows) {
    std::uint64_t sum = 0;
    for (const auto& row : rows) {
        std::int32_t id = 0;
        std::string_view name;
        std::int64_t total = 0;
        if (!to_int32(row[0], id)) sum += static_cast<std::uint32_t>(id);
        if (!to_text(row[1], name)) sum += name.size() + static_cast<unsigned char>(name.back());
        if (!to_int64(row[2], total)) sum += static_cast<std::uint64_t>(total);
    }
    return sum;
}

struct measurement {
    double ns_per_row = 0;
    std::uint64_t allocations = 0;
    std::uint64_t checksum = 0;
};

template <class Loop>
measurement measure(std::size_t passes, std::size_t rows, Loop loop) {
    measurement m;
    auto allocations_before = allocation_count.load();
    auto start = bench_clock::now();
    for (std::size_t i = 0; i < passes; ++i) m.checksum += loop();
    auto elapsed = std::chrono::duration<double, std::nano>(bench_clock::now() - start).count();
    m.allocations = allocation_count.load() - allocations_before;
    m.ns_per_row = elapsed / static_cast<double>(passes * rows);
    return m;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

std::size_t parse_count(int argc, char** argv, std::string_view flag, std::size_t fallback) {
    for (int i = 1; i + 1 < argc; ++i)
        if (argv[i] == flag) {
            long v = std::strtol(argv[i + 1], nullptr, 10);
            if (v > 0) return static_cast<std::size_t>(v);
        }
    return fallback;
}

}  // namespace

int main(int argc, char** argv) {
    const std::size_t passes = parse_count(argc, argv, "--passes", 200);
    const std::size_t runs = parse_count(argc, argv, "--runs", 9);

    const page p = build_page();

    // Decoding the page (metadata + validating every cell) is done once per page.
    result_view result;
    auto allocations_before = allocation_count.load();
    auto start = bench_clock::now();
    if (auto ec = decode_result(p.body, result)) {
        std::fprintf(stderr, "decode failed: %s\n", ec.message().c_str());
        return 1;
    }
    double decode_ns = std::chrono::duration<double, std::nano>(bench_clock::now() - start).count();
    std::uint64_t decode_allocations = allocation_count.load() - allocations_before;
    const rows_view& rows = result.rows;
    if (rows.size() != page_rows) {
        std::fprintf(stderr, "decoded %zu rows, expected %zu\n", rows.size(), page_rows);
        return 1;
    }

    std::vector<double> raw_ns, view_ns, values_ns;
    std::uint64_t view_allocations = 0, values_allocations = 0;
    for (std::size_t run = 0; run < runs; ++run) {
        auto raw = measure(passes, page_rows, [&] { return raw_loop(rows.content(), page_rows); });
        auto view = measure(passes, page_rows, [&] { return view_loop(rows); });
        auto values = measure(passes, page_rows, [&] { return values_loop(rows); });
        if (raw.checksum != view.checksum || raw.checksum != values.checksum) {
            std::fprintf(stderr, "checksums differ: raw %llu, view %llu, values %llu\n",
                         static_cast<unsigned long long>(raw.checksum), static_cast<unsigned long long>(view.checksum),
                         static_cast<unsigned long long>(values.checksum));
            return 1;
        }
        raw_ns.push_back(raw.ns_per_row);
        view_ns.push_back(view.ns_per_row);
        values_ns.push_back(values.ns_per_row);
        view_allocations += view.allocations;
        values_allocations += values.allocations;
    }
    const double rows_iterated = static_cast<double>(runs * passes * page_rows);
    const double raw_median = median(raw_ns), view_median = median(view_ns), values_median = median(values_ns);

    std::printf("decode_bench: %zu rows of (int, text, bigint), %zu bytes; %zu passes x %zu runs, medians\n", page_rows,
                p.body.size(), passes, runs);
    std::printf("  decode_result (metadata + validation), once per page: %.0f ns (%.2f ns/row), %llu allocations\n",
                decode_ns, decode_ns / page_rows, static_cast<unsigned long long>(decode_allocations));
    std::printf("  raw loop (floor):                 %7.2f ns/row\n", raw_median);
    std::printf("  rows_view + inline reads:         %7.2f ns/row  ratio %.2f  allocations/row %.4f\n", view_median,
                view_median / raw_median, static_cast<double>(view_allocations) / rows_iterated);
    std::printf("  rows_view + values.hpp converters: %6.2f ns/row  ratio %.2f  allocations/row %.4f\n", values_median,
                values_median / raw_median, static_cast<double>(values_allocations) / rows_iterated);
    return 0;
}

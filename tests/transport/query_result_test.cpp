// query_result keeps its decoded state in a block that goes back to a per-thread pool when the
// result dies: a result decoded into a reused block must show nothing of the block's last
// result, the column specs cache must give the same metadata as a fresh decode, and results
// may be made, moved and destroyed on different threads (also after a thread's pool is gone).
#include <doctest/doctest.h>

#include <string>
#include <thread>
#include <vector>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/transport/query_result.hpp"
#include "operation_pool.hpp"
#include "query_frames.hpp"
#include "read_buffer.hpp"
#include "request_buffers.hpp"

using namespace cqlwire;
using test::bytes;

namespace {

// A response over `frame` (which must outlive it).
transport::response response_over(const bytes& frame) {
    protocol::frame_header h;
    REQUIRE(protocol::decode_frame_header(protocol::bytes_view(frame), h) == std::error_code{});
    return transport::response(h, protocol::bytes_view(frame).subspan(protocol::frame_header_size), nullptr);
}

transport::query_result decoded(const bytes& frame) {
    transport::query_result q;
    protocol::diagnostics diag;
    REQUIRE(transport::query_result::from_response(response_over(frame), q, diag) == std::error_code{});
    return q;
}

bytes warned_void_frame() {
    const std::vector<std::string_view> warnings{"slow down"};
    bytes out;
    REQUIRE(protocol::encode_result_void(
                out, protocol::response_frame_options{1, {}, std::span<const std::string_view>(warnings), {}}) ==
            std::error_code{});
    return out;
}

// Two text columns, one row.
bytes two_column_frame() {
    protocol::result_metadata m;
    m.columns = {test::column("name", protocol::type_kind::varchar), test::column("city", protocol::type_kind::varchar)};
    m.column_count = 2;
    const std::string a = "ada", b = "paris";
    std::vector<protocol::raw_value> cells{protocol::raw_value::of(protocol::as_bytes(a)),
                                           protocol::raw_value::of(protocol::as_bytes(b))};
    bytes out;
    REQUIRE(protocol::encode_result_rows(out, protocol::response_frame_options{1, {}, {}, {}}, m, cells, std::nullopt) ==
            std::error_code{});
    return out;
}

}  // namespace

TEST_CASE("a result decoded into a reused block shows nothing of the block's last result") {
    const auto rows = test::int_rows_frame(1, {7, 8, 9}, std::string("next"));
    const auto change = test::table_created_frame(1);
    const auto plain = test::fake_cql_server::void_result_frame(1);
    const auto warned = warned_void_frame();
    const auto prepared = test::prepared_frame(1, test::statement_id, {test::column("k", protocol::type_kind::int_)});
    for (int round = 0; round < 3; ++round) {
        {
            auto q = decoded(rows);
            CHECK(q.is_rows());
            CHECK(q.rows().size() == 3);
            CHECK(q.metadata().columns.size() == 1);
            CHECK(q.has_more_pages());
        }
        {
            auto q = decoded(plain);  // most likely the block the rows result left
            CHECK(q.is_void());
            CHECK(q.rows().empty());
            CHECK(q.metadata().columns.empty());
            CHECK_FALSE(q.has_more_pages());
            CHECK(q.paging_state().empty());
            CHECK(q.schema_change().keyspace.empty());
            CHECK(q.warnings().empty());
            CHECK_FALSE(q.reprepared());
        }
        {
            auto q = decoded(warned);
            REQUIRE(q.warnings().size() == 1);
            CHECK(q.warnings()[0] == "slow down");
            q.set_reprepared(true);
        }
        {
            auto q = decoded(change);
            CHECK(q.is_schema_change());
            CHECK(q.schema_change().keyspace == "ks");
            CHECK(q.schema_change().name == "t");
            CHECK(q.warnings().empty());  // the warned result's block
            CHECK_FALSE(q.reprepared());
            CHECK(q.rows().empty());
        }
        {
            auto q = decoded(plain);
            CHECK(q.schema_change().keyspace.empty());
            CHECK(q.schema_change().change_type.empty());
            // The whole view too, not only the accessors that look at the kind.
            CHECK(q.result().schema_change.keyspace.empty());
            CHECK(q.result().rows.size() == 0);
        }
        {
            auto q = decoded(prepared);
            CHECK(q.is_prepared());
            CHECK(q.result().prepared.metadata.columns.size() == 1);
        }
        {
            auto q = decoded(plain);
            CHECK(q.result().prepared.id.empty());
            CHECK(q.result().prepared.metadata.columns.empty());
            CHECK(q.result().keyspace.empty());
        }
    }
}

TEST_CASE("column specs served from a reused block equal a fresh decode, and other specs replace them") {
    const auto one = test::int_rows_frame(1, {1}, std::nullopt);
    const auto two = two_column_frame();
    protocol::result_metadata first_one, first_two;
    {
        auto q = decoded(one);
        first_one = q.metadata();
    }
    for (int round = 0; round < 4; ++round) {
        {
            auto q = decoded(one);
            CHECK(q.metadata() == first_one);
        }
        {
            auto q = decoded(two);
            REQUIRE(q.metadata().columns.size() == 2);
            CHECK(q.metadata().columns[1].name == "city");
            if (round == 0) first_two = q.metadata();
            CHECK(q.metadata() == first_two);
            std::string cells;
            for (const auto& row : q.rows())
                for (std::size_t i = 0; i < row.size(); ++i) {
                    const auto b = row[i].bytes();
                    cells += std::string(b.begin(), b.end()) + ";";
                }
            CHECK(cells == "ada;paris;");
        }
    }
}

TEST_CASE("a failed decode leaves the result as it was") {
    const auto rows = test::int_rows_frame(1, {5}, std::nullopt);
    auto q = decoded(rows);
    bytes bad = rows;
    bad.resize(bad.size() - 2);  // the last cell cut short
    protocol::frame_header h;
    REQUIRE(protocol::decode_frame_header(protocol::bytes_view(bad), h) == std::error_code{});
    h.length = static_cast<std::int32_t>(bad.size() - protocol::frame_header_size);
    protocol::diagnostics diag;
    CHECK(transport::query_result::from_response(
              transport::response(h, protocol::bytes_view(bad).subspan(protocol::frame_header_size), nullptr), q, diag) !=
          std::error_code{});
    CHECK_FALSE(diag.client_message().empty());
    CHECK(q.is_rows());
    CHECK(q.rows().size() == 1);
}

TEST_CASE("results move between threads, and outlive the pool of the thread that made them") {
    const auto rows = test::int_rows_frame(1, {1, 2}, std::nullopt);
    const auto plain = test::fake_cql_server::void_result_frame(1);
    std::vector<transport::query_result> made;
    std::thread maker([&] {
        for (int i = 0; i < 40; ++i) made.push_back(decoded(i % 2 ? rows : plain));
        // Some die here, into this thread's pool, which dies with the thread.
        made.resize(30);
    });
    maker.join();
    CHECK(made[1].rows().size() == 2);
    CHECK(made[0].is_void());
    std::thread taker([moved = std::move(made)]() mutable { moved.clear(); });  // into another pool
    taker.join();
    auto again = decoded(rows);
    CHECK(again.rows().size() == 2);
}

TEST_CASE("an empty result reads as empty") {
    transport::query_result q;
    CHECK(q.empty());
    CHECK(q.is_void());
    CHECK(q.rows().empty());
    CHECK(q.metadata().columns.empty());
    CHECK(q.warnings().empty());
    CHECK(q.custom_payload() == nullptr);
    CHECK_FALSE(q.tracing_id());
    CHECK_FALSE(q.reprepared());
    protocol::error_view e;
    CHECK_FALSE(q.server_error(e));
    q.set_reprepared(false);
    CHECK(q.empty());
    transport::query_result moved(std::move(q));
    CHECK(moved.empty());
}

namespace {

// What a thread's last thread_local object (made before any cache of the thread) still holds
// when the thread exits: it is destroyed after every cache of the thread is gone, so what it
// gives back must be freed, not pushed into a destroyed cache. (Run under the sanitizers, a
// push into a destroyed cache is a use after free, a block never freed is a leak.)
struct held_past_the_caches {
    std::vector<transport::query_result> results;
    std::vector<transport::response> responses;
    std::vector<std::vector<std::uint8_t>> request_buffers;
    std::vector<void*> pooled;
    ~held_past_the_caches() {
        results.clear();
        responses.clear();
        for (auto& b : request_buffers) transport::detail::give_back_request_buffer(std::move(b));
        for (auto* p : pooled) transport::detail::pooled_deallocate(p, 64);
    }
};

}  // namespace

TEST_CASE("results, responses and pooled memory that die after their thread's caches are freed") {
    const auto rows = test::int_rows_frame(1, {3, 4}, std::nullopt);
    std::thread worker([&] {
        thread_local held_past_the_caches held;  // made first: destroyed last
        held.results.reserve(64);
        // Results whose frames lie in pooled read blocks, as a connection's do.
        for (int i = 0; i < 40; ++i) {
            auto* block = transport::detail::read_block::make(rows.size());
            std::copy(rows.begin(), rows.end(), block->data());
            protocol::frame_header h;
            REQUIRE(protocol::decode_frame_header(protocol::bytes_view(block->data(), rows.size()), h) ==
                    std::error_code{});
            transport::response r(h, protocol::bytes_view(block->data() + protocol::frame_header_size, h.length), block);
            transport::detail::release(block);  // the response holds the only reference now
            if (i % 2) {
                held.responses.push_back(std::move(r));
                continue;
            }
            transport::query_result q;
            protocol::diagnostics diag;
            REQUIRE(transport::query_result::from_response(std::move(r), q, diag) == std::error_code{});
            held.results.push_back(std::move(q));
        }
        // Some go back now, so that every cache holds something when the thread ends.
        held.results.resize(10);
        held.responses.resize(10);
        for (int i = 0; i < 8; ++i) {
            auto b = transport::detail::take_request_buffer();
            b.resize(512);
            held.request_buffers.push_back(std::move(b));
            held.pooled.push_back(transport::detail::pooled_allocate(64));
        }
        transport::detail::give_back_request_buffer(std::move(held.request_buffers.back()));
        held.request_buffers.pop_back();
        transport::detail::pooled_deallocate(held.pooled.back(), 64);
        held.pooled.pop_back();
        CHECK(held.results.front().rows().size() == 2);
    });
    worker.join();
}

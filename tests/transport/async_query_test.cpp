// The asynchronous query surface — query_client's async_prepare / async_execute / async_batch,
// the pager's async_next, event_listener's async_register_for / async_wait_for_event and
// async_fetch_trace — with each kind of completion token (a callback, asio::use_future with the
// io_context run by another thread, asio::use_awaitable in a coroutine); many executions in
// flight at once through one client, re-prepares among them; and the blocking forms built on
// them: they work while another thread runs the io_context, and refuse at once inside one of
// its handlers.
#include "test_support.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include "cqlwire/protocol/server/encode_responses.hpp"
#include "cqlwire/protocol/server/encode_results.hpp"
#include "cqlwire/protocol/requests.hpp"
#include "cqlwire/protocol/values.hpp"
#include "cqlwire/transport/batch.hpp"
#include "cqlwire/transport/errc.hpp"
#include "cqlwire/transport/events.hpp"
#include "cqlwire/transport/pager.hpp"
#include "cqlwire/transport/query_client.hpp"
#include "cqlwire/transport/tracing.hpp"
#include "fake_cql_server.hpp"
#include "transport/query_frames.hpp"

// GCC 12 warns -Wmismatched-new-delete about the frames of coroutines it inlines here (GCC bug
// 109224: it pairs Asio's class-specific operator delete with the wrong operator new); the
// pairing is right, so the false positive is silenced for this file only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

using namespace cqlwire;
using namespace cqlwire::test;
using protocol::type_kind;
using transport::query_client;
using transport::query_result;
using transport::statement;
namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view select_by_key = "SELECT k FROM ks.t WHERE k = ?";
constexpr std::string_view paged_select = "SELECT k FROM ks.t";
constexpr std::string_view invalid_query = "SELECT nonsense";
constexpr std::string_view traced_select = "SELECT release_version FROM system.local";
constexpr std::string_view invalid_message = "line 1:7 no viable alternative at input 'nonsense'";

fake_cql_server::trace_record trace_of_the_test() {
    fake_cql_server::trace_record t;
    t.session_id = *protocol::parse_uuid("0c1d2e3f-4a5b-11ee-8000-000000000001");
    t.activities = {"Parsing SELECT", "Executing single-partition query"};
    return t;
}

// The int an EXECUTE binds first, or nullopt.
std::optional<std::int32_t> first_bound_int(const fake_request& r) {
    protocol::execute_view e;
    if (protocol::decode_execute(r.body, e) || e.parameters.values.empty()) return std::nullopt;
    const auto b = e.parameters.values[0].bytes;
    if (b.size() != 4) return std::nullopt;
    return static_cast<std::int32_t>((std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                                     (std::uint32_t{b[2]} << 8) | std::uint32_t{b[3]});
}

// The server every test here talks to. PREPARE of select_by_key: one int marker and an int
// column; EXECUTE: a row holding the value bound (the first `forget` EXECUTEs get Unprepared
// instead); BATCH: Void; paged_select: pages {0, 1} then {2}; invalid_query: a syntax error;
// traced_select: Void, carrying the session id of trace_of_the_test() when traced; that trace.
struct scripted_server {
    explicit scripted_server(int forget = 0) : server({}), forget_left(forget) {
        server.on_opcode(protocol::opcode::prepare, [this](fake_session& s, const fake_request& r) {
            log.add(r);
            s.send_raw(prepared_frame(r.header.stream, statement_id, {column("k", type_kind::int_)},
                                      {column("k", type_kind::int_)}));
        });
        server.on_opcode(protocol::opcode::execute, [this](fake_session& s, const fake_request& r) {
            log.add(r);
            if (forget_left.fetch_sub(1) > 0) return s.send_raw(unprepared_frame(r.header.stream, statement_id));
            const auto k = first_bound_int(r);
            s.send_raw(k ? int_rows_frame(r.header.stream, {*k}, std::nullopt)
                         : fake_cql_server::error_frame(r.header.stream, 0x2200, "no int bound"));
        });
        server.on_opcode(protocol::opcode::batch, [this](fake_session& s, const fake_request& r) {
            log.add(r);
            s.send_raw(fake_cql_server::void_result_frame(r.header.stream));
        });
        server.on_query(std::string(paged_select), [](fake_session& s, const fake_request& r) {
            protocol::request_prefix prefix;
            protocol::bytes_view message;
            protocol::query_view q;
            if (protocol::decode_request_prefix(r.header, r.body, prefix, message) ||
                protocol::decode_query(message, q))
                return;
            const bool first = !q.parameters.paging_state || !q.parameters.paging_state->is_present();
            s.send_raw(first ? int_rows_frame(r.header.stream, {0, 1}, "page-2")
                             : int_rows_frame(r.header.stream, {2}, std::nullopt));
        });
        server.on_query(std::string(invalid_query), [](fake_session& s, const fake_request& r) {
            s.send_raw(fake_cql_server::error_frame(r.header.stream, 0x2000, invalid_message));
        });
        server.on_trace_queries(trace_of_the_test());
        // A traced request: Void, with the trace's session id in the prefix when the flag is set.
        server.on_query(std::string(traced_select), [this](fake_session& s, const fake_request& r) {
            log.add(r);
            protocol::response_frame_options frame{r.header.stream, {}, {}, {}};
            if (r.header.flags & protocol::frame_flags::tracing) frame.tracing_id = trace_of_the_test().session_id;
            bytes out;
            if (!protocol::encode_result_void(out, frame)) s.send_raw(std::move(out));
        });
    }

    fake_cql_server server;
    request_log log;
    std::atomic<int> forget_left;
};

// paged_select, two rows per page.
statement paged_statement() {
    statement s{std::string(paged_select)};
    s.options.page_size = 2;
    return s;
}

// The key in row 0 of a result, or -1.
std::int32_t key_of(const query_result& r) {
    if (!r.is_rows() || r.rows().empty()) return -1;
    return protocol::as_int32((*r.rows().begin())[0]).value_or(-1);
}

std::vector<std::int32_t> keys_of(const query_result& r) {
    std::vector<std::int32_t> out;
    for (auto row : r.rows()) out.push_back(protocol::as_int32(row[0]).value_or(-1));
    return out;
}

// Runs `ioc` on this thread until `done()` holds (at most 10 s).
template <class Done>
bool run_until(asio::io_context& ioc, Done done) {
    ioc.restart();
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (!done() && std::chrono::steady_clock::now() < give_up) ioc.run_one_for(20ms);
    return done();
}

// Runs an io_context on a thread of its own for as long as this lives.
class io_thread {
public:
    explicit io_thread(asio::io_context& ioc) : ioc_(ioc), work_(asio::make_work_guard(ioc)) {
        ioc_.restart();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~io_thread() {
        ioc_.stop();
        thread_.join();
    }
    io_thread(const io_thread&) = delete;
    io_thread& operator=(const io_thread&) = delete;

private:
    asio::io_context& ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> work_;
    std::thread thread_;
};

template <class T>
T get_within(std::future<T>& f, std::chrono::seconds limit = 10s) {
    REQUIRE(f.wait_for(limit) == std::future_status::ready);
    return f.get();
}

const std::vector<protocol::event_type> status_changes{protocol::event_type::status_change};

}  // namespace

TEST_CASE("async query surface: prepare, execute, batch and a server error, with callbacks") {
    scripted_server s;
    client_fixture f(s.server);
    query_client client(f.c);

    std::error_code prepare_ec = transport::errc::connection_broken;
    std::error_code execute_ec = transport::errc::connection_broken;
    std::error_code batch_ec = transport::errc::connection_broken;
    std::int32_t key = 0;
    bool on_this_thread = false;
    const auto caller = std::this_thread::get_id();
    bool completed_inside_initiation = true;
    client.async_prepare(select_by_key, [&](std::error_code ec, std::shared_ptr<const transport::prepared_statement> p) {
        prepare_ec = ec;
        if (ec) return;
        statement st(p);
        st.bind(std::int32_t{7});
        client.async_execute(st, [&, p](std::error_code e, query_result r) {
            execute_ec = e;
            key = key_of(r);
            on_this_thread = std::this_thread::get_id() == caller;
            transport::batch b(protocol::batch_type::unlogged);
            b.add(statement(p).bind(std::int32_t{8}));
            client.async_batch(b, [&](std::error_code be, query_result br) {
                batch_ec = be;
                CHECK(br.is_void());
            });
        });
    });
    completed_inside_initiation = prepare_ec != transport::errc::connection_broken;
    REQUIRE(run_until(f.ioc, [&] { return batch_ec != transport::errc::connection_broken; }));
    CHECK_FALSE(completed_inside_initiation);
    CHECK_FALSE(prepare_ec);
    CHECK_FALSE(execute_ec);
    CHECK_FALSE(batch_ec);
    CHECK(key == 7);
    CHECK(on_this_thread);
    CHECK(s.log.opcodes() ==
          std::vector{protocol::opcode::prepare, protocol::opcode::execute, protocol::opcode::batch});

    // The server's code is the completion's error; its message reaches the caller's diagnostics.
    protocol::diagnostics diag;
    std::optional<std::error_code> error;
    client.async_execute(statement(std::string(invalid_query)), diag,
                         [&](std::error_code ec, query_result r) {
                             error = ec;
                             CHECK(r.empty());
                         });
    REQUIRE(run_until(f.ioc, [&] { return error.has_value(); }));
    CHECK(*error == protocol::server_errc::syntax_error);
    CHECK(diag.server_message() == invalid_message);
}

TEST_CASE("async query surface: preparing one text many times at once sends one PREPARE") {
    scripted_server s;
    client_fixture f(s.server);
    query_client client(f.c);
    std::vector<std::shared_ptr<const transport::prepared_statement>> got;
    for (int i = 0; i < 10; ++i)
        client.async_prepare(select_by_key, [&](std::error_code ec, std::shared_ptr<const transport::prepared_statement> p) {
            CHECK_FALSE(ec);
            got.push_back(std::move(p));
        });
    REQUIRE(run_until(f.ioc, [&] { return got.size() == 10; }));
    for (const auto& p : got) CHECK(p == got.front());
    CHECK(got.front() != nullptr);
    CHECK(client.counters().prepares_sent == 1);
    CHECK(s.log.opcodes() == std::vector{protocol::opcode::prepare});
    CHECK(client.prepare(select_by_key) == got.front());  // cached
}

TEST_CASE("async query surface: Unprepared is answered by preparing again and retrying, asynchronously") {
    scripted_server s(1);
    client_fixture f(s.server);
    query_client client(f.c);
    auto prepared = client.prepare(select_by_key);
    statement st(prepared);
    st.bind(std::int32_t{42});
    std::optional<std::error_code> done;
    std::int32_t key = 0;
    bool reprepared = false;
    client.async_execute(st, [&](std::error_code ec, query_result r) {
        done = ec;
        key = key_of(r);
        reprepared = r.reprepared();
    });
    REQUIRE(run_until(f.ioc, [&] { return done.has_value(); }));
    CHECK_FALSE(*done);
    CHECK(key == 42);
    CHECK(reprepared);
    CHECK(s.log.opcodes() == std::vector{protocol::opcode::prepare, protocol::opcode::execute,
                                         protocol::opcode::prepare, protocol::opcode::execute});
    CHECK(client.counters().reprepares == 1);
    CHECK(prepared->times_prepared() == 2);
}

TEST_CASE("async query surface: execute_here lends the statement, and sends given values once") {
    scripted_server s(1);  // the first EXECUTE is answered Unprepared
    client_fixture f(s.server);
    query_client client(f.c);
    auto prepared = client.prepare(select_by_key);
    statement st(prepared);
    st.bind(std::int32_t{8});
    // Values encoded for another binding: the first send carries them; the send after the
    // re-prepare encodes the statement itself again.
    statement other(prepared);
    other.bind(std::int32_t{9});
    transport::encoded_values encoded;
    protocol::diagnostics encode_diag;
    REQUIRE_FALSE(transport::encode_statement_values(other, &prepared->bind_metadata().columns, encoded, encode_diag));
    protocol::diagnostics diag;
    std::optional<std::error_code> done;
    std::int32_t key = 0;
    asio::post(f.c.get_executor(), [&] {
        client.execute_here(st, &encoded, diag, [&](std::error_code ec, query_result r) {
            done = ec;
            key = key_of(r);
        });
        encoded = transport::encoded_values{};  // needed during the call only
    });
    REQUIRE(run_until(f.ioc, [&] { return done.has_value(); }));
    CHECK_FALSE(*done);
    CHECK(key == 8);
    std::vector<fake_request> executes;
    for (const auto& r : s.log.all())
        if (r.header.op == protocol::opcode::execute) executes.push_back(r);
    REQUIRE(executes.size() == 2);
    CHECK(first_bound_int(executes[0]) == 9);
    CHECK(first_bound_int(executes[1]) == 8);

    // A statement that cannot be sent completes inside the call, with the reason.
    statement wrong(prepared);
    wrong.bind(std::string("not an int"));
    std::optional<std::error_code> refused;
    bool inside = false;
    asio::post(f.c.get_executor(), [&] {
        client.execute_here(wrong, nullptr, diag, [&](std::error_code ec, query_result) { refused = ec; });
        inside = refused.has_value();
    });
    REQUIRE(run_until(f.ioc, [&] { return refused.has_value(); }));
    CHECK(inside);
    CHECK(*refused);
    CHECK(diag.client_message().find("value 0") != std::string::npos);
}

TEST_CASE("async query surface: connections made on make_connection_strand share it") {
    scripted_server s;
    asio::io_context ioc;
    const auto strand = transport::make_connection_strand(ioc.get_executor());
    transport::connection a(plain_stream_to(strand, s.server.port()));
    transport::connection b(plain_stream_to(strand, s.server.port()));
    CHECK(a.get_executor() == strand);
    CHECK(b.get_executor() == strand);
    // A strand over a strand is not made again.
    CHECK(transport::make_connection_strand(strand) == strand);
    CHECK(transport::make_connection_strand(ioc.get_executor()) != strand);
}

TEST_CASE("async query surface: use_future while another thread runs the io_context") {
    scripted_server s;
    client_fixture f(s.server);
    query_client client(f.c);
    transport::event_listener listener(f.c);
    io_thread runner(f.ioc);

    auto prepared_future = client.async_prepare(select_by_key, asio::use_future);
    auto [prepare_ec, prepared] = get_within(prepared_future);
    REQUIRE_FALSE(prepare_ec);
    REQUIRE(prepared);

    statement st(prepared);
    st.bind(std::int32_t{11});
    auto executed = client.async_execute(st, asio::use_future);
    auto [execute_ec, result] = get_within(executed);
    CHECK_FALSE(execute_ec);
    CHECK(key_of(result) == 11);

    transport::batch b;
    b.add(statement(prepared).bind(std::int32_t{1})).add(statement(prepared).bind(std::int32_t{2}));
    auto batched = client.async_execute(b, asio::use_future);
    auto [batch_ec, batch_result] = get_within(batched);
    CHECK_FALSE(batch_ec);
    CHECK(batch_result.is_void());

    auto p = client.pages(paged_statement());
    std::vector<std::int32_t> keys;
    for (;;) {
        auto next = p.async_next(asio::use_future);
        auto [page_ec, page] = get_within(next);
        REQUIRE_FALSE(page_ec);
        if (!page) break;
        for (auto k : keys_of(*page)) keys.push_back(k);
    }
    CHECK(keys == std::vector<std::int32_t>{0, 1, 2});
    CHECK(p.pages_fetched() == 2);

    protocol::diagnostics diag;
    auto registered = listener.async_register_for(status_changes, diag, asio::use_future);
    CHECK_FALSE(get_within(registered));
    auto waiting = listener.async_wait_for_event(5000ms, asio::use_future);
    s.server.last_session()->send_raw(fake_cql_server::status_up_event_frame());
    auto [event_ec, event] = get_within(waiting);
    CHECK_FALSE(event_ec);
    CHECK(event.type == protocol::event_type::status_change);
    CHECK(event.change == "UP");

    auto answered = transport::async_traced_query(f.c, traced_select, {}, asio::use_future);
    auto [traced_ec, traced_response] = get_within(answered);
    CHECK_FALSE(traced_ec);
    CHECK(transport::tracing_id(traced_response) == trace_of_the_test().session_id);
    CHECK((s.log.all().back().header.flags & protocol::frame_flags::tracing) != 0);

    auto traced = transport::async_fetch_trace(f.c, trace_of_the_test().session_id, {}, asio::use_future);
    auto [trace_ec, trace] = get_within(traced);
    CHECK_FALSE(trace_ec);
    CHECK(trace.session.duration_us == 1500);
    REQUIRE(trace.events.size() == 2);
    CHECK(trace.events[1].activity == "Executing single-partition query");
}

TEST_CASE("async query surface: use_awaitable in a coroutine") {
    scripted_server s;
    client_fixture f(s.server);
    query_client client(f.c);
    transport::event_listener listener(f.c);
    bool finished = false;
    std::vector<std::int32_t> keys;
    std::optional<transport::cluster_event> event;
    std::size_t trace_events = 0;
    std::error_code timed_out;

    auto task = [&]() -> asio::awaitable<void> {
        protocol::diagnostics diag;
        auto [prepare_ec, prepared] = co_await client.async_prepare(select_by_key, diag, asio::use_awaitable);
        REQUIRE_FALSE(prepare_ec);
        auto [execute_ec, result] =
            co_await client.async_execute(statement(prepared).bind(std::int32_t{5}), diag, asio::use_awaitable);
        REQUIRE_FALSE(execute_ec);
        keys.push_back(key_of(result));
        transport::batch b;
        b.add(statement(prepared).bind(std::int32_t{6}));
        auto [batch_ec, batched] = co_await client.async_batch(b, diag, asio::use_awaitable);
        REQUIRE_FALSE(batch_ec);
        CHECK(batched.is_void());

        auto p = client.pages(paged_statement());
        for (;;) {
            auto [page_ec, page] = co_await p.async_next(diag, asio::use_awaitable);
            REQUIRE_FALSE(page_ec);
            if (!page) break;
            for (auto k : keys_of(*page)) keys.push_back(k);
        }

        REQUIRE_FALSE(co_await listener.async_register_for(status_changes, diag, asio::use_awaitable));
        std::tie(timed_out, std::ignore) = co_await listener.async_wait_for_event(30ms, diag, asio::use_awaitable);
        s.server.last_session()->send_raw(fake_cql_server::status_up_event_frame());
        auto [event_ec, e] = co_await listener.async_wait_for_event(5000ms, diag, asio::use_awaitable);
        REQUIRE_FALSE(event_ec);
        event = std::move(e);

        auto [trace_ec, trace] = co_await transport::async_fetch_trace(f.c, trace_of_the_test().session_id, {}, diag,
                                                                        asio::use_awaitable);
        REQUIRE_FALSE(trace_ec);
        trace_events = trace.events.size();
        finished = true;
    };
    asio::co_spawn(f.ioc, task(), asio::detached);
    REQUIRE(run_until(f.ioc, [&] { return finished; }));
    CHECK(keys == std::vector<std::int32_t>{5, 0, 1, 2});
    CHECK(timed_out == std::errc::timed_out);
    REQUIRE(event);
    CHECK(event->change == "UP");
    CHECK(trace_events == 2);
}

TEST_CASE("async query surface: a thousand executions in flight through one client, re-prepares among them") {
    constexpr int count = 1000;
    constexpr int forgotten = 50;
    scripted_server s(forgotten);
    client_fixture f(s.server);
    query_client client(f.c);
    auto prepared = client.prepare(select_by_key);
    std::vector<std::int32_t> keys(count, -1);
    int done = 0;
    int reprepared = 0;
    auto one = [&](int i) -> asio::awaitable<void> {
        protocol::diagnostics diag;
        auto [ec, r] =
            co_await client.async_execute(statement(prepared).bind(std::int32_t{i}), diag, asio::use_awaitable);
        if (!ec) keys[static_cast<std::size_t>(i)] = key_of(r);
        if (r.reprepared()) ++reprepared;
        ++done;
    };
    for (int i = 0; i < count; ++i) asio::co_spawn(f.ioc, one(i), asio::detached);
    REQUIRE(run_until(f.ioc, [&] { return done == count; }));
    for (int i = 0; i < count; ++i) REQUIRE(keys[static_cast<std::size_t>(i)] == i);
    CHECK(reprepared == forgotten);
    CHECK(client.counters().unprepared_received == forgotten);
    CHECK(client.counters().reprepares == forgotten);
    CHECK(client.counters().prepares_sent == 1 + forgotten);
    CHECK(f.c.pending_requests() == 0);
}

TEST_CASE("async query surface: a flood of events nobody waits for is bounded, and the loss reported") {
    scripted_server s;
    client_fixture f(s.server);
    transport::event_listener listener(f.c);
    protocol::diagnostics diag;
    REQUIRE(listener.register_for(status_changes, diag) == std::error_code{});
    const std::size_t extra = 500;
    std::vector<std::uint8_t> flood;
    const auto one = fake_cql_server::status_up_event_frame();
    for (std::size_t i = 0; i < transport::event_listener::max_queued_events + extra; ++i)
        flood.insert(flood.end(), one.begin(), one.end());
    s.server.last_session()->send_raw(std::move(flood));
    // The answer to a request sent now comes after the whole flood: once it is here, every
    // event was received (and queued or dropped).
    query_client client(f.c);
    CHECK(client.execute(transport::batch{}).is_void());
    CHECK(listener.queued() == transport::event_listener::max_queued_events);

    // The queued events come first, in order; then the report of the ones dropped.
    std::size_t received = 0;
    transport::cluster_event event;
    std::error_code ec;
    while (listener.wait_for_event(1000ms, event, ec, diag)) ++received;
    CHECK(received == transport::event_listener::max_queued_events);
    CHECK(ec == std::errc::no_buffer_space);
    CHECK(diag.client_message() == std::to_string(extra) +
                                       " events were dropped while nobody waited: the queue holds at most " +
                                       std::to_string(transport::event_listener::max_queued_events));
    // Reported once: the next wait just times out.
    CHECK_FALSE(listener.wait_for_event(20ms, event, ec, diag));
    CHECK_FALSE(ec);
}

TEST_CASE("async query surface: event waits time out, and end when the connection fails") {
    scripted_server s;
    client_fixture f(s.server);
    transport::event_listener listener(f.c);
    protocol::diagnostics diag;
    REQUIRE(listener.register_for(status_changes, diag) == std::error_code{});

    std::optional<std::error_code> first, second;
    listener.async_wait_for_event(20ms, [&](std::error_code ec, transport::cluster_event) { first = ec; });
    REQUIRE(run_until(f.ioc, [&] { return first.has_value(); }));
    CHECK(*first == std::errc::timed_out);

    // The blocking form says "no event" with an empty error code.
    transport::cluster_event event;
    std::error_code ec = transport::errc::connection_broken;
    CHECK_FALSE(listener.wait_for_event(20ms, event, ec, diag));
    CHECK_FALSE(ec);

    listener.async_wait_for_event(10000ms, diag, [&](std::error_code e, transport::cluster_event) { second = e; });
    s.server.last_session()->close();
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(run_until(f.ioc, [&] { return second.has_value(); }));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
    CHECK(*second == transport::errc::connection_closed);
    CHECK_FALSE(diag.client_message().empty());
}

// Every blocking form once, then `rounds` executions, each checked.
void run_every_blocking_form(scripted_server& s, transport::connection& c, int rounds) {
    query_client client(c);
    transport::event_listener listener(c);

    auto prepared = client.prepare(select_by_key);
    CHECK(key_of(client.execute(statement(prepared).bind(std::int32_t{3}))) == 3);
    transport::batch b;
    b.add(statement(prepared).bind(std::int32_t{4}));
    CHECK(client.execute(b).is_void());
    auto p = client.pages(paged_statement());
    std::size_t pages = 0;
    while (p.next()) ++pages;
    CHECK(pages == 2);

    protocol::diagnostics diag;
    REQUIRE(listener.register_for(status_changes, diag) == std::error_code{});
    s.server.last_session()->send_raw(fake_cql_server::status_up_event_frame());
    transport::cluster_event event;
    std::error_code ec;
    CHECK(listener.wait_for_event(5000ms, event, ec, diag));
    CHECK_FALSE(ec);
    CHECK(event.change == "UP");

    transport::query_trace trace;
    CHECK(transport::fetch_trace(c, trace_of_the_test().session_id, {}, trace, diag) == std::error_code{});
    CHECK(trace.events.size() == 2);

    int right = 0;
    for (int i = 0; i < rounds; ++i) {
        // Asynchronous executions in flight at the same time keep the other threads busy with
        // the connection's handlers while this one blocks.
        std::atomic<int> async_done{0};
        for (int k = 0; k < 8; ++k)
            client.async_execute(statement(prepared).bind(std::int32_t{k}),
                                 [&](std::error_code, query_result) { ++async_done; });
        if (key_of(client.execute(statement(prepared).bind(std::int32_t{i}))) == i) ++right;
        while (async_done.load() < 8) std::this_thread::sleep_for(1ms);
    }
    CHECK(right == rounds);
}

TEST_CASE("async query surface: blocking forms work while other threads run a plain io_context") {
    // No strand given: the connection puts its handlers on one of its own, so the blocking
    // call may run the io_context next to two other threads.
    scripted_server s;
    client_fixture f(s.server);
    io_thread first(f.ioc), second(f.ioc);
    run_every_blocking_form(s, f.c, 300);
}

TEST_CASE("async query surface: blocking forms work on the caller's own strand, run by another thread") {
    scripted_server s;
    client_fixture f(s.server, true);
    io_thread runner(f.ioc);
    run_every_blocking_form(s, f.c, 100);
}

TEST_CASE("async query surface: a connection on a thread pool, blocking and asynchronous calls together") {
    scripted_server s;
    asio::thread_pool pool(3);
    transport::connection c(plain_stream_to(pool.get_executor(), s.server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
    run_every_blocking_form(s, c, 100);
    c.close();
    pool.join();
}

TEST_CASE("async query surface: fetching a trace ends on time when the server never answers") {
    fake_cql_server server({});
    server.on_opcode(protocol::opcode::query, [](fake_session&, const fake_request&) {});  // never answers
    asio::io_context ioc;
    transport::connection_options options;
    options.request_timeout = 20s;
    transport::connection c(plain_stream_to(ioc, server.port()), options);
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
    transport::fetch_trace_options fetch;
    fetch.timeout = 300ms;
    transport::query_trace trace;
    const auto started = std::chrono::steady_clock::now();
    CHECK(transport::fetch_trace(c, trace_of_the_test().session_id, fetch, trace, diag) ==
          transport::errc::request_timeout);
    CHECK(std::chrono::steady_clock::now() - started < 3s);
    CHECK(diag.client_message().find("was not complete within 300 ms") != std::string::npos);
}

TEST_CASE("async query surface: on a thread pool, a blocking call from a completion handler fails at once") {
    scripted_server s;
    asio::thread_pool pool(2);
    transport::connection c(plain_stream_to(pool.get_executor(), s.server.port()));
    protocol::diagnostics diag;
    REQUIRE(c.startup({}, diag) == std::error_code{});
    query_client client(c);
    std::promise<std::error_code> refused;
    std::string message;
    c.async_query("SELECT 1", [&](std::error_code, transport::response) {
        std::error_code ec;
        protocol::diagnostics inner;
        client.execute("SELECT 2", ec, inner);
        message = inner.client_message();
        refused.set_value(ec);
    });
    auto result = refused.get_future();
    REQUIRE(result.wait_for(5s) == std::future_status::ready);
    CHECK(result.get() == std::errc::resource_deadlock_would_occur);
    CHECK(message.find("use the asynchronous form there") != std::string::npos);
    c.close();
    pool.join();
}

TEST_CASE("async query surface: a blocking call from a handler of the connection's io_context fails at once") {
    scripted_server s;
    client_fixture f(s.server);
    query_client client(f.c);
    transport::event_listener listener(f.c);
    auto prepared = client.prepare(select_by_key);
    const auto sent_before = s.server.requests_received();

    std::vector<std::error_code> errors;
    std::string message;
    bool ran = false;
    asio::post(f.ioc, [&] {
        std::error_code ec;
        protocol::diagnostics diag;
        client.prepare("SELECT v FROM ks.t", ec, diag);
        errors.push_back(ec);
        message = diag.client_message();
        client.execute(statement(prepared).bind(std::int32_t{1}), ec, diag);
        errors.push_back(ec);
        client.execute(transport::batch{}, ec, diag);
        errors.push_back(ec);
        query_result page;
        auto p = client.pages(paged_statement());
        p.next(page, ec, diag);
        errors.push_back(ec);
        errors.push_back(listener.register_for(status_changes, diag));
        transport::cluster_event event;
        listener.wait_for_event(1000ms, event, ec, diag);
        errors.push_back(ec);
        transport::query_trace trace;
        errors.push_back(transport::fetch_trace(f.c, trace_of_the_test().session_id, {}, trace, diag));
        ran = true;
    });
    const auto started = std::chrono::steady_clock::now();
    REQUIRE(run_until(f.ioc, [&] { return ran; }));
    CHECK(std::chrono::steady_clock::now() - started < 1s);
    REQUIRE(errors.size() == 7);
    for (const auto& e : errors) CHECK(e == std::errc::resource_deadlock_would_occur);
    CHECK(message.find("use the asynchronous form") != std::string::npos);
    CHECK(s.server.requests_received() == sent_before);  // none of them sent anything
}

TEST_CASE("async query surface: over an empty connection every form fails with connection_broken") {
    transport::connection empty;
    query_client client(empty);
    std::error_code ec;
    protocol::diagnostics diag;
    CHECK(client.execute("SELECT 1", ec, diag).empty());
    CHECK(ec == transport::errc::connection_broken);
    CHECK(client.prepare("SELECT 1", ec, diag) == nullptr);
    CHECK(ec == transport::errc::connection_broken);
    auto future = client.async_execute(statement("SELECT 1"), asio::use_future);
    auto [async_ec, result] = get_within(future);
    CHECK(async_ec == transport::errc::connection_broken);
    CHECK(result.empty());
}

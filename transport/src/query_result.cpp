// Decoding a RESULT response into a query_result, and the per-thread pool of the blocks that
// hold decoded results.
#include "cqlwire/transport/query_result.hpp"

#include <array>
#include <string>

#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/transport/errc.hpp"
#include "per_thread.hpp"

namespace cqlwire::transport {
namespace {

// A thread keeps this many blocks at most. A block whose column specs are larger than the
// limits below is freed rather than kept (a decoded spec can be a hundred times its bytes), and
// so is every block that dies after its thread's pool (per_thread.hpp).
constexpr std::size_t pool_capacity = 16;
constexpr std::size_t max_kept_column_specs_bytes = 1024;
constexpr std::size_t max_kept_columns = 64;

struct state_pool {
    std::array<detail::query_result_state*, pool_capacity> blocks{};
    std::size_t count = 0;
    state_pool() = default;
    state_pool(const state_pool&) = delete;
    state_pool& operator=(const state_pool&) = delete;
    ~state_pool() {
        for (std::size_t i = 0; i < count; ++i) delete blocks[i];
    }
};

// Drops what the block views or owns of its last response, keeping the memory a next decode
// reuses (the metadata vectors and the column specs' cache).
void clear_for_reuse(detail::query_result_state& s) noexcept {
    s.response_frame = response();
    s.error_response = response();
    if (s.prefix.tracing_id || s.prefix.warnings || s.prefix.custom_payload) s.prefix = protocol::response_prefix();
    auto& r = s.result;
    if (r.kind == protocol::result_kind::schema_change) r.schema_change = protocol::schema_change_view();
    if (r.kind == protocol::result_kind::prepared) r.prepared = protocol::prepared_view();
    r.kind = protocol::result_kind::void_;
    r.rows = protocol::rows_view();
    r.keyspace = {};
    s.reprepared = false;
}

}  // namespace

const detail::query_result_state& query_result::empty_state() noexcept {
    // Never destroyed: an empty result may be read from a static object's destructor.
    static const auto* const empty = new detail::query_result_state();
    return *empty;
}

detail::query_result_state* query_result::take_state() {
    auto* pool = detail::per_thread<state_pool>::get();
    if (pool != nullptr && pool->count > 0) return pool->blocks[--pool->count];
    return new detail::query_result_state();
}

void query_result::give_back_state(detail::query_result_state* s) noexcept {
    auto* pool = detail::per_thread<state_pool>::get();  // null once this thread's pool is gone
    const auto& r = s->result;
    if (pool == nullptr || pool->count == pool_capacity || r.metadata.columns.capacity() > max_kept_columns ||
        r.kept_column_specs_bytes() > max_kept_column_specs_bytes) {
        delete s;
        return;
    }
    clear_for_reuse(*s);
    pool->blocks[pool->count++] = s;
}

detail::query_result_state& query_result::own_state() {
    if (!state_) state_ = take_state();
    return *state_;
}

void query_result::set_reprepared(bool v) {
    if (!v && !state_) return;
    own_state().reprepared = v;
}

std::error_code query_result::from_response(response r, query_result& out, protocol::diagnostics& diag) {
    if (r.op() != protocol::opcode::result) {
        diag.set_client_message("expected a RESULT, the server sent opcode " +
                                std::to_string(static_cast<int>(r.op())));
        return make_error_code(errc::protocol_violation);
    }
    query_result q;
    auto& s = q.own_state();
    s.response_frame = std::move(r);
    protocol::bytes_view message;
    if (auto ec = s.response_frame.split_prefix(s.prefix, message)) {
        diag.set_client_message("the RESULT's prefix (tracing id, warnings, custom payload) does not decode: " +
                                ec.message());
        return ec;
    }
    if (auto ec = protocol::decode_result(message, s.result)) {
        diag.set_client_message("the RESULT does not decode: " + ec.message());
        // What a hostile RESULT made the decoder reserve is not kept for the next one.
        s.result = protocol::result_view();
        return ec;
    }
    out = std::move(q);
    return {};
}

query_result query_result::from_server_error(response error_response) {
    query_result q;
    if (!error_response.empty() && error_response.op() == protocol::opcode::error)
        q.own_state().error_response = std::move(error_response);
    return q;
}

bool query_result::server_error(protocol::error_view& out) const noexcept {
    const auto& e = state().error_response;
    if (e.empty()) return false;
    protocol::response_prefix prefix;
    protocol::bytes_view message;
    if (e.split_prefix(prefix, message)) return false;
    return !protocol::decode_error(message, out);
}

}  // namespace cqlwire::transport

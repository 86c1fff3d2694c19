#include "cqlwire/transport/stream_ids.hpp"

#include <algorithm>

#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {

stream_id_allocator::stream_id_allocator(std::size_t capacity)
    : states_(std::min(capacity, max_stream_ids), stream_id_state::free) {
    free_ids_.reserve(states_.size());
    reset();
}

void stream_id_allocator::reset() noexcept {
    std::fill(states_.begin(), states_.end(), stream_id_state::free);
    free_ids_.clear();
    // Pushed highest first so that id 0 is on top: a fresh connection uses 0, 1, 2...
    for (std::size_t i = states_.size(); i-- > 0;) free_ids_.push_back(static_cast<std::int16_t>(i));
    in_use_ = 0;
    quarantined_ = 0;
}

std::error_code stream_id_allocator::acquire(std::int16_t& id) noexcept {
    if (free_ids_.empty()) return make_error_code(errc::stream_ids_exhausted);
    id = free_ids_.back();
    free_ids_.pop_back();
    states_[static_cast<std::size_t>(id)] = stream_id_state::in_use;
    ++in_use_;
    return {};
}

stream_id_state stream_id_allocator::on_response(std::int16_t id) noexcept {
    if (!valid(id)) return stream_id_state::free;
    auto& s = states_[static_cast<std::size_t>(id)];
    const auto was = s;
    if (was == stream_id_state::free) return was;
    if (was == stream_id_state::in_use)
        --in_use_;
    else
        --quarantined_;
    s = stream_id_state::free;
    free_ids_.push_back(id);  // cannot allocate: capacity() == states_.size()
    return was;
}

void stream_id_allocator::quarantine(std::int16_t id) noexcept {
    if (!valid(id)) return;
    auto& s = states_[static_cast<std::size_t>(id)];
    if (s != stream_id_state::in_use) return;
    s = stream_id_state::quarantined;
    --in_use_;
    ++quarantined_;
}

stream_id_state stream_id_allocator::state(std::int16_t id) const noexcept {
    return valid(id) ? states_[static_cast<std::size_t>(id)] : stream_id_state::free;
}

}  // namespace cqlwire::transport

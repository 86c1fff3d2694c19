#include "cqlwire/transport/stream_ids.hpp"

#include <algorithm>

#include "cqlwire/transport/errc.hpp"

namespace cqlwire::transport {

stream_id_allocator::stream_id_allocator(std::size_t capacity) : capacity_(std::min(capacity, max_stream_ids)) {
    states_.reserve(capacity_);
    free_ids_.reserve(capacity_);
}

void stream_id_allocator::reset() noexcept {
    states_.clear();
    free_ids_.clear();
    in_use_ = 0;
    quarantined_ = 0;
}

std::error_code stream_id_allocator::acquire(std::int16_t& id) noexcept {
    // A returned id first (the most recent), else the next never used: a fresh connection uses
    // 0, 1, 2...
    if (!free_ids_.empty()) {
        id = free_ids_.back();
        free_ids_.pop_back();
        states_[static_cast<std::size_t>(id)] = stream_id_state::in_use;
    } else if (states_.size() < capacity_) {
        id = static_cast<std::int16_t>(states_.size());
        states_.push_back(stream_id_state::in_use);  // within the reserved capacity
    } else {
        return make_error_code(errc::stream_ids_exhausted);
    }
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
    free_ids_.push_back(id);  // cannot allocate: reserved for every id
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

void stream_id_allocator::release(std::int16_t id) noexcept {
    if (state(id) != stream_id_state::free) on_response(id);
}

stream_id_state stream_id_allocator::state(std::int16_t id) const noexcept {
    return valid(id) ? states_[static_cast<std::size_t>(id)] : stream_id_state::free;
}

}  // namespace cqlwire::transport

// One response frame as the connection hands it out: its header and a view of its body in the
// connection's read buffer, which the response keeps alive.
//
// Lifetime: body() — and every view decoded from it (rows, strings, the error message) — is
// valid for as long as this response lives. Moving a response keeps the same memory, so views
// taken before the move stay valid and belong to the moved-to object. No copy is made of the
// bytes received: responses decoded from one read share its block, which goes back to a pool
// when the last of them is gone (on whatever thread that happens). Holding a response therefore
// holds its whole block (64 KiB, or one large frame): keep what you need and let it go.
#pragma once

#include <cstdint>
#include <system_error>
#include <utility>

#include "cqlwire/protocol/diagnostics.hpp"
#include "cqlwire/protocol/frame_header.hpp"
#include "cqlwire/protocol/primitives.hpp"
#include "cqlwire/protocol/responses.hpp"
#include "cqlwire/transport/export.hpp"

namespace cqlwire::transport {

namespace detail {
class read_block;
}

class CQLWIRE_TRANSPORT_API response {
public:
    response() = default;
    // `body` lies inside `block`, which this response holds a reference to from now on.
    response(const protocol::frame_header& header, protocol::bytes_view body, detail::read_block* block) noexcept
        : header_(header), body_(body), block_(block) {
        retain(block_);
    }
    response(response&& other) noexcept
        : header_(other.header_), body_(other.body_), block_(std::exchange(other.block_, nullptr)) {
        other.body_ = {};
    }
    response& operator=(response&& other) noexcept {
        if (this != &other) {
            release(block_);
            header_ = other.header_;
            body_ = other.body_;
            block_ = std::exchange(other.block_, nullptr);
            other.body_ = {};
        }
        return *this;
    }
    response(const response&) = delete;
    response& operator=(const response&) = delete;
    ~response() { release(block_); }

    bool empty() const noexcept { return block_ == nullptr && body_.empty() && header_.length == 0; }
    const protocol::frame_header& header() const noexcept { return header_; }
    protocol::opcode op() const noexcept { return header_.op; }
    std::int16_t stream() const noexcept { return header_.stream; }
    // The whole body, prefix (tracing id, warnings, custom payload) included.
    protocol::bytes_view body() const noexcept { return body_; }

    // Splits off the prefix; `message` is what the opcode's decoder takes (e.g. RESULT).
    [[nodiscard]] std::error_code split_prefix(protocol::response_prefix& prefix,
                                               protocol::bytes_view& message) const {
        return protocol::decode_response_prefix(header_, body_, prefix, message);
    }

private:
    // Count the references to a block (null: none); the last release gives it back to the pool.
    static void retain(detail::read_block* block) noexcept;
    static void release(detail::read_block* block) noexcept;

    protocol::frame_header header_{};
    protocol::bytes_view body_;
    detail::read_block* block_ = nullptr;
};

// For an ERROR response: its code (protocol::server_category) with the message put in
// diag.server_message(). For any other response: an empty code, `diag` untouched. A malformed
// ERROR body is errc::protocol_violation.
[[nodiscard]] CQLWIRE_TRANSPORT_API std::error_code server_error(const response& r, protocol::diagnostics& diag);

}  // namespace cqlwire::transport

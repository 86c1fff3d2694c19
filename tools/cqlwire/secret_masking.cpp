// Masking role passwords in server text; see secret_masking.hpp.
#include "secret_masking.hpp"

#include "cqlwire/protocol/frame_trace.hpp"

namespace cqlwire::cli {

std::string mask_server_text(std::string_view text, std::string_view statement) {
    return protocol::mask_echoed_passwords(text, protocol::password_values(statement));
}

}  // namespace cqlwire::cli

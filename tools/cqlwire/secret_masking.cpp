// Masking role passwords in server text; see secret_masking.hpp.
#include "secret_masking.hpp"

#include "cqlwire/inspect/password_masking.hpp"

namespace cqlwire::cli {

std::string mask_server_text(std::string_view text, std::string_view statement) {
    return inspect::mask_echoed_passwords(text, inspect::password_values(statement));
}

}  // namespace cqlwire::cli

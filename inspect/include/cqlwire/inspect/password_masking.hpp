// Finding and masking role passwords in CQL text: in the statements a client sends (CREATE/ALTER
// ROLE|USER ... WITH [HASHED] PASSWORD [=] '...', also inside a BATCH, and the shell's `LOGIN user
// password`) and in what a server says back about them (an error quoting the statement, a
// trace's "Parsing CREATE ROLE ..." row, the bare value "... at input 'S3cret'", a bcrypt hash).
// The text is read with the CQL lexer (cql_lexer.hpp), so a PASSWORD inside a literal, a quoted
// identifier or a comment is not taken for the keyword.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cqlwire/inspect/export.hpp"

namespace cqlwire::inspect {

// Byte ranges [first, first+size) of a text.
struct text_range {
    std::size_t first = 0;
    std::size_t size = 0;
    friend bool operator==(const text_range&, const text_range&) = default;
};

// The contents of the string literals ('...' with '' escapes, or $$...$$) that follow the word
// PASSWORD in a CQL text (optionally with '=' between), outside literals, quoted identifiers
// and comments. An unterminated literal runs to the end of the text.
CQLWIRE_INSPECT_API std::vector<text_range> find_password_literals(std::string_view cql);
// Whether the text has a PASSWORD word followed by a bind marker (? or :name), whose bound
// value is then a password.
CQLWIRE_INSPECT_API bool binds_password(std::string_view cql);
// The text with every range of find_password_literals replaced by ********.
CQLWIRE_INSPECT_API std::string mask_passwords(std::string_view cql);
// The passwords the literals of find_password_literals(cql) set: each as written between its
// quotes and, for a '...' literal holding doubled quotes, also as the server reads it (one
// quote), since a server may echo either. Empty literals are left out; no value twice.
CQLWIRE_INSPECT_API std::vector<std::string> password_values(std::string_view cql);
// `text` from a server with its own password literals (find_password_literals) and every
// occurrence of one of `secrets` replaced by ******** (empty secrets are ignored).
CQLWIRE_INSPECT_API std::string mask_echoed_passwords(std::string_view text, std::span<const std::string> secrets);

}  // namespace cqlwire::inspect

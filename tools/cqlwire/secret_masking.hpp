// Masking role passwords in text the command prints from the server about a statement it sent:
// error messages, warnings, and the trace's activities and parameters (--tracing). A server
// echoes the statement (a syntax error quoting it, the trace's "Parsing CREATE ROLE ..." row and
// its `query` parameter), a part of it ("... at input 'S3cret'"), or the statement cut short; so
// both the password literals the text holds itself and every occurrence of a password value the
// statement set are masked, by the same code (cqlwire/inspect/password_masking.hpp) and the same
// CQL lexer that mask requests in frame traces.
#pragma once

#include <string>
#include <string_view>

namespace cqlwire::cli {

// `text` from the server about `statement` (an error message, a warning, a trace activity or
// parameter) with every password literal masked as ********: those the CQL lexer finds in
// `text`, and every occurrence of the values that `statement` gives a PASSWORD.
std::string mask_server_text(std::string_view text, std::string_view statement);

}  // namespace cqlwire::cli

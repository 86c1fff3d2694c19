// Turning a failure into what the user reads on stderr: one line starting with "cqlwire: "
// naming the cause and, where there is one, the fix; then the server's own text, if any, quoted
// on a line of its own (it is untrusted input, so control characters are escaped).
#pragma once

#include <string>
#include <string_view>
#include <system_error>

namespace cqlwire::cli {

// "cqlwire: [<context>: ]<cause>[: <client detail>][; the server said "<text>"][ (<hint>)]\n",
// and for an ERROR the server sent (protocol::server_category) one line with its words:
// "cqlwire: [<context>: ]Invalid (0x2200): <server text, controls escaped>[ (<hint>)]\n".
// `client_detail` is our own wording (e.g. from diagnostics::client_message), left out when it
// only repeats the cause; `server_text` is shown quoted and escaped; `context` says where (e.g.
// "-e statement 2, line 1"). For credentials_required and authenticator_not_allowed the server's
// text is the authenticator class it announced, not an error it reported: it is shown (escaped)
// in the cause, e.g. "the server requires authentication (<class>), but no credentials were
// given; use -u/--username and a password (...)".
std::string format_failure(const std::error_code& ec, std::string_view client_detail, std::string_view server_text,
                           std::string_view context = {});

// The fix to suggest for an error, or an empty view.
std::string_view hint_for(const std::error_code& ec) noexcept;

// `text` in double quotes with `"`, `\` and control characters escaped (\n, \t, \xHH).
std::string quote_untrusted(std::string_view text);

}  // namespace cqlwire::cli

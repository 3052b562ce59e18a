// The SMTP client commands a session sends, and which replies each one can get.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "smtp/reply.hpp"

namespace relayaudit {

// `banner` stands for the connection itself: the server speaks first (RFC 5321 §3.1).
// `xclient`: Postfix XCLIENT, sent only under --xclient (smtp/xclient.hpp).
enum class SmtpCommand { banner, ehlo, helo, starttls, xclient, mail, rcpt, data, rset, quit };

std::string_view to_string(SmtpCommand command);

// Why `reply` cannot be an answer to `command` (RFC 5321 §4.3.2 and the enhanced status codes
// MTAs give each command), or nothing when it can. A misfit means the reply stream is out of step.
std::optional<std::string> reply_misfit(SmtpCommand command, const Reply& reply);

}  // namespace relayaudit

// The envelope forms that exim-syntax-limit refuses as syntax errors (501), each of which counts
// against its syntax error limit.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lab/gateway_context.hpp"

namespace relayaudit {

// `data` is the command's argument after "FROM:" or "TO:" as sent (Exim quotes it back);
// `address` is the path inside it. Both return a reply line without CRLF, or nullopt for none.
// MAIL FROM: a sender without a domain ("user", "user@"); the null sender is fine.
std::optional<std::string> refuse_sender_syntax(const GatewayContext& gateway,
                                                std::string_view data, std::string_view address);
// RCPT TO: a source route (@a,@b:user@c) or a local part with '%', '!', '"' or '@' in it.
std::optional<std::string> refuse_recipient_syntax(const GatewayContext& gateway,
                                                   std::string_view data, std::string_view address);

}  // namespace relayaudit

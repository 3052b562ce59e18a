// The envelope decisions of each lab profile: which senders it takes, and which recipients it
// accepts, defers or refuses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lab/gateway_context.hpp"

namespace relayaudit {

struct RcptRequest {
  std::string_view client_ip;
  std::string_view helo_name;  // the argument of the session's latest accepted EHLO/HELO
  std::string_view sender;     // the MAIL FROM address, empty for the null sender
  std::string_view recipient;  // the RCPT TO address without angle brackets, never empty
  std::uint64_t now_ms = 0;    // loop time, for greylisting
  int accepted_before = 0;     // recipients accepted earlier in this transaction
};

// The refusal (a reply line without CRLF) the gateway gives to this MAIL FROM address, or
// nullopt when it takes it; empty `sender` is the null sender.
std::optional<std::string> refuse_sender(const GatewayContext& gateway, std::string_view sender);

// Returns the reply line (without CRLF) the gateway's policy gives to this recipient.
std::string decide_rcpt(const GatewayContext& gateway, const RcptRequest& request);

// True for the gateway's own domains: its host name, lab.relayaudit.test, its address literal.
bool is_local_domain(const GatewayContext& gateway, std::string_view domain);

}  // namespace relayaudit
